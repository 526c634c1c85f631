#![no_main]
//! Any bytes as a Netscape `cookies.txt`: the reader must return, never
//! panic; what it reads must survive a save and a second read.
use clientcookie_jar::store::{read_mozilla, write_mozilla, SaveOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half of the inputs get the magic line, so the fuzzer reaches the parser.
    let mut file = Vec::with_capacity(data.len() + 28);
    if data.first().is_some_and(|b| b & 1 == 0) {
        file.extend_from_slice(b"# Netscape HTTP Cookie File\n");
    }
    file.extend_from_slice(data);
    if let Ok(cookies) = read_mozilla(&file[..]) {
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        let mut out = Vec::new();
        let written = write_mozilla(&mut out, &cookies, all, 0).expect("writing to a Vec");
        let again = read_mozilla(&out[..]).expect("what we write we read");
        assert_eq!(again.len(), written);
    }
});
