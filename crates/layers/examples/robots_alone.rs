//! The robots layer alone around a hyper-util client: the test site's
//! robots.txt disallows `/private/`, so one request goes through and the
//! other is refused before it reaches the network.
//!
//! `cargo run -p clientcookie-layers --example robots_alone`

use bytes::Bytes;
use clientcookie_layers::robots::{RobotsDenied, RobotsLayer};
use clientcookie_testsite::TestSite;
use http::Request;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let site = TestSite::start().await?;
    // The test site answers for any host name; 127.0.0.1 is the one we can
    // reach without a resolver of our own.
    site.set_robots(
        "127.0.0.1",
        200,
        "User-agent: *\nDisallow: /private/\n\nUser-agent: FriendlyBot\nAllow: /\n",
    );

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut service = ServiceBuilder::new()
        .layer(RobotsLayer::new())
        .service(client);

    for path in ["/echo", "/private/plans"] {
        let request = Request::get(site.url(path))
            .header("user-agent", "ExampleBot/1.0")
            .body(Full::new(Bytes::new()))?;
        match service.ready().await?.call(request).await {
            Ok(response) => println!("GET {path} -> {}", response.status()),
            Err(error) => match error.downcast_ref::<RobotsDenied>() {
                Some(denied) => println!("GET {path} -> refused: {denied}"),
                None => return Err(error),
            },
        }
    }

    println!("what the site saw:");
    for request in site.requests() {
        println!("  {} {}", request.method, request.path_and_query);
    }
    Ok(())
}
