//! What the end-to-end tests share: a hyper-util client that connects every
//! host name to the test site, wrapped in the layers under test.

#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Service, ServiceExt};

/// An HTTP/1 client whose resolver answers every name with the test site's
/// address, so `http://a.example:PORT/` reaches the site with `Host: a.example`.
pub fn client<B>(
    site: SocketAddr,
) -> impl Service<Request<B>, Response = Response<Incoming>, Error = hyper_util::client::legacy::Error>
       + Clone
where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<BoxError>,
{
    let resolver =
        tower::service_fn(
            move |_name: Name| async move { Ok::<_, io::Error>(std::iter::once(site)) },
        );
    Client::builder(TokioExecutor::new()).build(HttpConnector::new_with_resolver(resolver))
}

/// A request with a small buffered body.
pub fn request(method: &str, url: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a valid request")
}

/// `GET url` with no body.
pub fn get(url: &str) -> Request<Full<Bytes>> {
    request("GET", url, "")
}

/// Send `request` through `service`.
pub async fn send<S, B>(service: &mut S, request: Request<B>) -> Result<S::Response, S::Error>
where
    S: Service<Request<B>>,
{
    service.ready().await?.call(request).await
}

/// The body of `response` as JSON (the test site's `/echo`).
pub async fn json(response: Response<Incoming>) -> serde_json::Value {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    serde_json::from_slice(&bytes).expect("JSON from /echo")
}

/// Percent-encode `value` for a query string.
pub fn enc(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
