#![no_main]
//! Any bytes as a cookie_store JSON file: the reader must return, never
//! panic; what it reads must survive a save and a second read unchanged.
use clientcookie_jar::store::json::{read_json, write_json};
use clientcookie_jar::store::SaveOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cookies) = read_json(data) {
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        let mut out = Vec::new();
        let written = write_json(&mut out, cookies.iter(), all, 0).expect("writing to a Vec");
        let again = read_json(&out[..]).expect("what we write we read");
        assert_eq!(again.len(), written);
        for c in &again {
            assert!(
                cookies.iter().any(|o| (&o.name, &o.value, &o.domain, &o.path, o.host_only)
                    == (&c.name, &c.value, &c.domain, &c.path, c.host_only)),
                "{c:?} was not read"
            );
        }
    }
});
