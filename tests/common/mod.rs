//! What the end-to-end tests share: openers of both backends pointed at the
//! test site.

#![allow(dead_code)]

use clientcookie::{Opener, OpenerBuilder};
use clientcookie_testsite::TestSite;

/// The HTTP clients an opener can be built around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Reqwest,
    Hyper,
}

pub const BACKENDS: [Backend; 2] = [Backend::Reqwest, Backend::Hyper];

/// The virtual hosts the tests use, all resolved to the test site.
pub const HOSTS: [&str; 4] = ["a.example", "b.example", "shop.example", "other.example"];

/// A builder for `backend` that connects every test host to `site`, with
/// robots.txt off so that the site's request log holds only the requests a
/// test makes (the robots tests switch it on).
pub fn builder(site: &TestSite, backend: Backend) -> OpenerBuilder {
    let mut builder = Opener::builder().no_proxy().robots(false);
    builder = match backend {
        Backend::Reqwest => builder.reqwest(),
        Backend::Hyper => builder.hyper(),
    };
    for host in HOSTS {
        builder = builder.resolve(host, site.addr());
    }
    builder
}

/// The default opener for `backend`, connected to `site`.
pub fn opener(site: &TestSite, backend: Backend) -> Opener {
    builder(site, backend).build().expect("opener")
}

/// Percent-encodes a URL for use in a query string.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `/echo` JSON of a response.
pub async fn json(response: clientcookie::Response) -> serde_json::Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
