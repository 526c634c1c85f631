#![no_main]
//! Any bytes as a `Refresh` header: the parser must return, never panic,
//! and what it returns must be what a layer can use as it is.
use clientcookie_layers::refresh::parse_refresh;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(refresh) = parse_refresh(data) {
        if let Some(url) = refresh.url {
            // Trimmed and never empty: "no URL" is `None`.
            assert!(!url.is_empty());
            assert_eq!(url.trim_matches([' ', '\t', '\n', '\r', '\x0c']), url);
        }
    }
});
