#![no_main]
//! Any bytes as a Set-Cookie2 header: the parser must return, never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clientcookie_jar::parse::parse_set_cookie2(data);
});
