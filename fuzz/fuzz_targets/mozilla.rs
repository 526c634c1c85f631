#![no_main]
//! Any bytes as a Netscape `cookies.txt`: the reader must return, never
//! panic; what it reads must survive a save and a second read; and the
//! one-scan reader of a file in memory must give what the line reader gives.
use clientcookie_jar::store::mozilla::read_mozilla_bytes;
use clientcookie_jar::store::{read_mozilla, write_mozilla, SaveOptions};
use clientcookie_jar::Cookie;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half of the inputs get the magic line, so the fuzzer reaches the parser.
    let mut file = Vec::with_capacity(data.len() + 28);
    if data.first().is_some_and(|b| b & 1 == 0) {
        file.extend_from_slice(b"# Netscape HTTP Cookie File\n");
    }
    file.extend_from_slice(data);
    // Times come from the clock, which may tick between the two reads.
    let untimed = |cookies: Vec<Cookie>| -> Vec<Cookie> {
        cookies
            .into_iter()
            .map(|mut c| {
                c.creation_time = 0;
                c.last_access_time = 0;
                c
            })
            .collect()
    };
    let by_line = read_mozilla(&file[..]).map(untimed);
    let whole = read_mozilla_bytes(&file).map(untimed);
    assert_eq!(format!("{by_line:?}"), format!("{whole:?}"));
    if let Ok(cookies) = by_line {
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        let mut out = Vec::new();
        let written = write_mozilla(&mut out, &cookies, all, 0).expect("writing to a Vec");
        let again = read_mozilla(&out[..]).expect("what we write we read");
        assert_eq!(again.len(), written);
    }
});
