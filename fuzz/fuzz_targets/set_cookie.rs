#![no_main]
//! Any bytes as a Set-Cookie header: the parser must return, never panic,
//! and what it returns must respect the RFC 6265bis size limits. The same
//! bytes are then stored through the jar (the path a response takes: the
//! header made into a cookie straight from its slices, the policy, the
//! index) and looked up again.
use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::{CookieJar, CookieRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cookie) = clientcookie_jar::parse::parse_set_cookie(data) {
        assert!(cookie.name.len() + cookie.value.len() <= 4096);
    }
    let mut jar = CookieJar::builder()
        .clock(Arc::new(FixedClock::new(1_300_000_000)))
        .build();
    for url in ["https://www.example.com/a/b", "http://127.0.0.1:8080/"] {
        let request = CookieRequest::parse(url).expect("a valid URL");
        let _ = jar.set_cookie_from_header(&request, data);
        let _ = jar.cookie_header(&request);
    }
    // One name-value pair per header, two requests: never more cookies.
    assert!(jar.len() <= 2);
    assert_eq!(jar.len(), jar.iter().count());
});
