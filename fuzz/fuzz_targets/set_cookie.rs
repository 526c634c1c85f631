#![no_main]
//! Any bytes as a Set-Cookie header: the parser must return, never panic,
//! and what it returns must respect the RFC 6265bis size limits.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cookie) = clientcookie_jar::parse::parse_set_cookie(data) {
        assert!(cookie.name.len() + cookie.value.len() <= 4096);
    }
});
