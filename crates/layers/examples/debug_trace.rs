//! The trace body layer alone around a hyper-util client: every response,
//! and every chunk of its body, logged at trace level as it is read.
//!
//! `cargo run -p clientcookie-layers --example debug_trace`
//!
//! Set `RUST_LOG`-style levels with your own subscriber in real programs;
//! this one prints everything at `TRACE` and above from this crate.

use bytes::Bytes;
use clientcookie_layers::debug::TraceBodyLayer;
use clientcookie_testsite::TestSite;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    // This crate's events, at every level; the test site's and hyper's, not.
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(Targets::new().with_target("clientcookie_layers", LevelFilter::TRACE))
        .init();

    let site = TestSite::start().await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut service = ServiceBuilder::new()
        .layer(TraceBodyLayer::new().max_text(120))
        .service(client);

    for path in ["/equiv", "/big?bytes=40000"] {
        let request = Request::get(site.url(path)).body(Full::new(Bytes::new()))?;
        let response = service.ready().await?.call(request).await?;
        // The body is logged as it is read, and arrives unchanged.
        let body = response.into_body().collect().await?.to_bytes();
        println!("GET {path}: {} bytes", body.len());
    }
    Ok(())
}
