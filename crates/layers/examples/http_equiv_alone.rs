//! The HTTP-EQUIV layer alone around a hyper-util client: fetch the test
//! site's `/equiv` page and see its `<meta http-equiv>` tags as headers,
//! with the body still the page, byte for byte.
//!
//! `cargo run -p clientcookie-layers --example http_equiv_alone`
//!
//! With a size, it streams `/big-html?bytes=SIZE` through the layer instead
//! (with a path, that page of the test site) and reports the bytes read:
//! the layer reads the head, never the whole body, so memory stays flat
//! however big the page is
//! (`/usr/bin/time -v target/release/examples/http_equiv_alone 50000000`).

use bytes::Bytes;
use clientcookie_layers::http_equiv::{HeadScan, HttpEquivLayer};
use clientcookie_testsite::TestSite;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let site = TestSite::start().await?;

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut service = ServiceBuilder::new()
        // Switch cookies from markup off with `.lift_set_cookie(false)`.
        .layer(HttpEquivLayer::new())
        .service(client);

    if let Some(arg) = std::env::args().nth(1) {
        let url = if arg.starts_with('/') {
            site.url(&arg)
        } else {
            let size: u64 = arg.parse()?;
            site.url(&format!("/big-html?bytes={size}"))
        };
        let request = Request::get(url).body(Full::new(Bytes::new()))?;
        let response = service.ready().await?.call(request).await?;
        if let Some(scan) = response.extensions().get::<HeadScan>() {
            println!(
                "head: {:?} after {} bytes, lifted {:?}",
                scan.end, scan.bytes_scanned, scan.lifted
            );
        }
        let mut body = response.into_body();
        let mut total = 0u64;
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame?.into_data() {
                total += data.len() as u64;
            }
        }
        println!("streamed {total} bytes through the layer");
        return Ok(());
    }

    let request = Request::get(site.url("/equiv")).body(Full::new(Bytes::new()))?;
    let response = service.ready().await?.call(request).await?;
    println!("GET /equiv -> {}", response.status());
    for (name, value) in response.headers() {
        println!("  {name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
    if let Some(scan) = response.extensions().get::<HeadScan>() {
        println!(
            "the head ended with {:?} after {} bytes, read as {}; lifted {:?}",
            scan.end, scan.bytes_scanned, scan.encoding, scan.lifted
        );
        for skipped in &scan.skipped {
            println!("  not lifted: {} ({})", skipped.name, skipped.reason);
        }
    }

    // The page itself is untouched: the tag in its body is still there.
    let body = response.into_body().collect().await?.to_bytes();
    println!("the body: {} bytes", body.len());
    print!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
