//! Internet Explorer 5 and 6 cookie files (load only), as the seed's
//! `MSIECookieJar` read them.
//!
//! IE kept one text file per user and site (`joe@example[1].txt`, listed
//! in an `index.dat`). Each cookie is a record of nine lines:
//!
//! ```text
//! sid                    name
//! 42                     value
//! example.com/account/   host and path, together
//! 1025                   flags (decimal; wininet.h's INTERNET_COOKIE_* bits)
//! 2457927680             expiry, low 32 bits of a Win32 FILETIME
//! 31226545               expiry, high 32 bits
//! 3329032192             creation, low 32 bits
//! 31070023               creation, high 32 bits
//! *                      end of the record
//! ```
//!
//! A FILETIME counts 100-nanosecond intervals since 1601-01-01 UTC. IE
//! wrote only persistent cookies, so every cookie has an expiry time.
//!
//! What is read, and how:
//!
//! - the flags as wininet.h defines them: `0x1` Secure, `0x2000` HttpOnly
//!   (IE 6 SP1), `0x4000` host-only (later versions). The seed read `0x2000`
//!   as Secure, which is wininet's HttpOnly bit; Perl's
//!   `HTTP::Cookies::Microsoft` reads `0x1`, as here. The flags are also
//!   kept, as the seed kept them, in [`Cookie::rest`] as `flags`;
//! - IE did not record whether the `Domain` attribute was given, and sent
//!   every cookie to the subdomains of its host. So, as in the seed, a
//!   cookie is a domain cookie ([`Cookie::host_only`] false) unless the
//!   host-only flag is set, and `domain_specified` is whether the host has
//!   a leading dot; the path was not recorded as specified either;
//! - the creation time becomes [`Cookie::creation_time`] (the jar's
//!   loaders replace it by the time of the load, as for every file);
//! - lines are UTF-8, else Latin-1 (IE wrote the ANSI code page; a cookie
//!   value is ASCII in practice, and reading a stray byte as Latin-1 never
//!   refuses a file);
//! - blank lines after the last record are ignored; anything else that is
//!   not a record is an error naming the line ([`Malformed`]).
//!
//! ```
//! use clientcookie_jar::store::msie::read_msie;
//!
//! let file = "sid\n42\nexample.com/account/\n1025\n2457927680\n31226545\n\
//!             3329032192\n31070023\n*\n";
//! let cookies = read_msie(file.as_bytes()).unwrap();
//! let c = &cookies[0];
//! assert_eq!((c.name.as_str(), c.value.as_str()), ("sid", "42"));
//! assert_eq!((c.domain.as_str(), c.path.as_str()), ("example.com", "/account/"));
//! assert!(c.secure && !c.http_only && !c.host_only);
//! assert_eq!(c.expires, Some(1_767_225_600)); // 2026-01-01T00:00:00Z
//! assert_eq!(c.creation_time, 1_700_000_000);
//! ```

use std::borrow::Cow;
use std::io::BufRead;

use super::{Lines, LoadError, Malformed};
use crate::Cookie;

/// wininet.h `INTERNET_COOKIE_IS_SECURE`.
pub const FLAG_SECURE: u32 = 0x1;
/// wininet.h `INTERNET_COOKIE_HTTPONLY`.
pub const FLAG_HTTPONLY: u32 = 0x2000;
/// wininet.h `INTERNET_COOKIE_HOST_ONLY`.
pub const FLAG_HOST_ONLY: u32 = 0x4000;

/// 1970-01-01T00:00:00Z as a Win32 FILETIME.
const FILETIME_UNIX_EPOCH: i128 = 116_444_736_000_000_000;
const FILETIME_PER_SECOND: i128 = 10_000_000;

/// The lines of a record.
const RECORD_LINES: usize = 9;

/// The names of the numeric lines of a record, for error messages.
const NUMBERS: [&str; 5] = [
    "flags",
    "expiry (low)",
    "expiry (high)",
    "creation (low)",
    "creation (high)",
];

/// Seconds since the Unix epoch of a Win32 FILETIME given as its two
/// halves, rounded down (a time before 1970 is negative).
///
/// ```
/// use clientcookie_jar::store::msie::filetime_to_unix;
/// assert_eq!(filetime_to_unix(0x019d_b1de, 0xd53e_8000), 0);
/// assert_eq!(filetime_to_unix(0, 0), -11_644_473_600);
/// ```
pub fn filetime_to_unix(high: u32, low: u32) -> i64 {
    let ticks = (i128::from(high) << 32) | i128::from(low);
    // |result| < 2^64 / 10^7, far inside i64.
    (ticks - FILETIME_UNIX_EPOCH).div_euclid(FILETIME_PER_SECOND) as i64
}

/// Read an IE cookie file. Returns every cookie in it, in file order,
/// without filtering expired ones (see
/// [`LoadOptions::keeps`](super::LoadOptions::keeps)). See the
/// [module docs](self) for what each field becomes.
pub fn read_msie(reader: impl BufRead) -> Result<Vec<Cookie>, LoadError> {
    let mut lines = Lines::new(reader);
    let mut cookies = Vec::new();
    let mut record: Vec<String> = Vec::with_capacity(RECORD_LINES);
    loop {
        record.clear();
        let first_line = lines.number + 1;
        while record.len() < RECORD_LINES {
            match lines.next_raw()? {
                Some(raw) => record.push(decode(raw).into_owned()),
                None => break,
            }
        }
        if record.len() < RECORD_LINES {
            if record.iter().all(|l| l.trim().is_empty()) {
                return Ok(cookies);
            }
            return Err(lines.malformed(Malformed::UnexpectedEnd));
        }
        let cookie = parse_record(&record)
            .map_err(|(offset, reason)| at_line(first_line + offset, reason))?;
        cookies.push(cookie);
    }
}

fn at_line(line: usize, reason: Malformed) -> LoadError {
    LoadError::Malformed {
        path: None,
        line,
        reason,
    }
}

/// A line as text: UTF-8 when it is, else Latin-1.
fn decode(raw: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(raw.iter().map(|&b| char::from(b)).collect()),
    }
}

/// One record; an error carries the offset of its line in the record.
fn parse_record(record: &[String]) -> Result<Cookie, (usize, Malformed)> {
    let (host, path) =
        split_host_path(&record[2]).ok_or_else(|| (2, Malformed::HostPath(record[2].clone())))?;
    let mut numbers = [0u32; 5];
    for (i, slot) in numbers.iter_mut().enumerate() {
        let text = &record[3 + i];
        *slot = text.trim().parse().map_err(|_| {
            (
                3 + i,
                Malformed::Number {
                    field: NUMBERS[i],
                    text: text.clone(),
                },
            )
        })?;
    }
    if record[8].trim() != "*" {
        return Err((8, Malformed::Separator(record[8].clone())));
    }
    let [flags, expiry_low, expiry_high, creation_low, creation_high] = numbers;

    let dotted = host.starts_with('.');
    let mut cookie = Cookie::new(record[0].as_str(), record[1].as_str(), "", path);
    cookie.domain = host.strip_prefix('.').unwrap_or(host).to_lowercase().into();
    cookie.host_only = !dotted && flags & FLAG_HOST_ONLY != 0;
    cookie.domain_specified = dotted;
    cookie.domain_initial_dot = dotted;
    cookie.path_specified = false;
    cookie.secure = flags & FLAG_SECURE != 0;
    cookie.http_only = flags & FLAG_HTTPONLY != 0;
    cookie.expires = Some(filetime_to_unix(expiry_high, expiry_low));
    cookie.discard = false;
    cookie.creation_time = filetime_to_unix(creation_high, creation_low);
    cookie.last_access_time = cookie.creation_time;
    cookie.extras_mut().rest = vec![("flags".to_string(), Some(flags.to_string()))];
    Ok(cookie)
}

/// The seed's `^([^/]+)(/.*)$`.
fn split_host_path(text: &str) -> Option<(&str, &str)> {
    let slash = text.find('/')?;
    (slash > 0).then(|| text.split_at(slash))
}

/// Whether `head` (the first bytes of a file) starts with an IE cookie
/// record: a host/path line, five numbers and a `*` line.
pub(crate) fn looks_like(head: &[u8]) -> bool {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let record: Vec<&[u8]> = lines.by_ref().take(RECORD_LINES).collect();
    // The ninth line must be complete: followed by a line end.
    if record.len() < RECORD_LINES || lines.next().is_none() {
        return false;
    }
    let number = |l: &[u8]| !l.is_empty() && l.len() <= 10 && l.iter().all(u8::is_ascii_digit);
    split_host_path(&String::from_utf8_lossy(record[2])).is_some()
        && record[3..8].iter().all(|l| number(l))
        && record[8] == b"*"
}
