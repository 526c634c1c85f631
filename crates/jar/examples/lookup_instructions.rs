//! The cookie layer's per-request jar work, alone: a `CookieRequest` from an
//! `http::Request` and the `Cookie` header added to its headers, `N` times,
//! with the two cookies the stack benchmark sends (`a=1`, `b=2`, set by
//! `/set-cookie` on `bench.example`). For counting instructions:
//!
//! ```sh
//! cargo build --release -p clientcookie-jar --example lookup_instructions
//! valgrind --tool=callgrind target/release/examples/lookup_instructions 100000   # minus the same with 0
//! ```
//!
//! With a second argument `base` it only makes the requests (the floor to
//! subtract).

use std::hint::black_box;

use clientcookie_jar::{CookieJar, CookieRequest};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let url = "http://bench.example:40000/status/200";
    let mut jar = CookieJar::new();
    let setter = http::Request::get("http://bench.example:40000/set-cookie?a=1&b=2")
        .body(())
        .expect("request");
    let response = http::Response::builder()
        .header("set-cookie", "a=1")
        .header("set-cookie", "b=2")
        .body(())
        .expect("response");
    jar.extract_cookies(&setter, &response);
    assert_eq!(jar.len(), 2);
    let uri: http::Uri = url.parse().expect("uri");
    let user_agent = http::HeaderValue::from_static("clientcookie/0.1");
    let base = std::env::args().nth(2).is_some_and(|a| a == "base");
    let mut total = 0;
    for _ in 0..n {
        let mut request = http::Request::new(());
        *request.uri_mut() = black_box(uri.clone());
        request
            .headers_mut()
            .insert(http::header::USER_AGENT, user_agent.clone());
        if !base {
            let view = CookieRequest::from_request(&request).expect("view");
            jar.add_cookie_header_to(&view, request.headers_mut());
            black_box(&view);
        }
        total += request.headers().len();
        black_box(request);
    }
    black_box(total);
}
