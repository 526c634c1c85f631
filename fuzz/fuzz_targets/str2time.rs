#![no_main]
//! Any text as a date: every parser must return, never panic, and a date it
//! accepts must format and parse back to the same instant.
use clientcookie_jar::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = date::parse_cookie_date(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(t) = date::str2time(text) {
            assert_eq!(date::iso2time(&date::time2isoz(t)), Some(t));
        }
    }
});
