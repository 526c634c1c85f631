#![no_main]
//! Any bytes as an LWP `Set-Cookie3` file: the reader must return, never
//! panic; what it reads must survive a save and a second read unchanged.
use clientcookie_jar::store::{read_lwp, write_lwp, SaveOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half of the inputs get the magic line, so the fuzzer reaches the parser.
    let mut file = Vec::with_capacity(data.len() + 17);
    if data.first().is_some_and(|b| b & 1 == 0) {
        file.extend_from_slice(b"#LWP-Cookies-2.0\n");
    }
    file.extend_from_slice(data);
    if let Ok(cookies) = read_lwp(&file[..]) {
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        let mut out = Vec::new();
        let written = write_lwp(&mut out, &cookies, all, 0).expect("writing to a Vec");
        let again = read_lwp(&out[..]).expect("what we write we read");
        assert_eq!(again.len(), written);
    }
});
