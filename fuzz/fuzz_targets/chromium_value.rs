#![no_main]
//! Any bytes as a Chromium `encrypted_value`: the decoder must return,
//! never panic, and never hand back a value it did not verify.
//!
//! Input: one byte of flags (bit 0: schema 24 with the host digest, else
//! 23; bit 1: a keyring password is known), one byte of host length, the
//! host, then the encrypted value.
use clientcookie_jar::store::chromium::{decrypt_value, ChromiumKeys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [flags, host_len, rest @ ..] = data else {
        return;
    };
    let host_len = usize::from(*host_len).min(rest.len());
    let (host, value) = rest.split_at(host_len);
    let host = String::from_utf8_lossy(host);
    let version = if flags & 1 == 1 { 24 } else { 23 };
    let mut keys = ChromiumKeys::new();
    if flags & 2 == 2 {
        keys = keys.with_keyring_password("fuzz");
    }
    if let Ok(plain) = decrypt_value(value, &host, version, &keys) {
        // What decrypts is whole blocks of a known scheme, minus at least
        // one byte of padding (and the 32-byte digest from schema 24).
        let overhead = if version >= 24 { 3 + 1 + 32 } else { 3 + 1 };
        assert!(plain.len() + overhead <= value.len());
        assert!(value.starts_with(b"v10") || value.starts_with(b"v11"));
    }
});
