//! The cookie layer alone around a hyper-util client: log in to the test
//! site, then see the session cookie go back with the next request.
//!
//! `cargo run -p clientcookie-layers --example cookie_alone`

use bytes::Bytes;
use clientcookie_layers::cookie::CookieLayer;
use clientcookie_layers::jar::CookieJar;
use clientcookie_testsite::TestSite;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let site = TestSite::start().await?;
    let jar = CookieJar::new().into_shared();

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .service(client);

    // The login answers 303 with `Set-Cookie: session=...`; without the
    // redirect layer the 303 comes back to us, and the cookie is in the jar.
    let login = Request::post(site.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(b"user=alice&password=secret")))?;
    let response = service.ready().await?.call(login).await?;
    println!("POST /login -> {}", response.status());
    for cookie in jar.lock().map_err(|_| "jar lock poisoned")?.iter() {
        println!("  jar now holds {}={}", cookie.name, cookie.value);
    }

    let account = Request::get(site.url("/account")).body(Full::new(Bytes::new()))?;
    let response = service.ready().await?.call(account).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    println!(
        "GET /account -> {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}
