#![no_main]
//! Any bytes as an Internet Explorer cookie file: the reader must return,
//! never panic (times are 64-bit FILETIMEs from two decimal halves); what it
//! reads must survive a save as LWP and a second read.
use clientcookie_jar::store::msie::read_msie;
use clientcookie_jar::store::{read_lwp, write_lwp, SaveOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cookies) = read_msie(data) {
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        let mut out = Vec::new();
        let written = write_lwp(&mut out, &cookies, all, 0).expect("writing to a Vec");
        let again = read_lwp(&out[..]).expect("what we write we read");
        assert_eq!(again.len(), written);
    }
});
