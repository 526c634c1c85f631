//! Netscape / Mozilla `cookies.txt`, as Python's `MozillaCookieJar` and
//! curl read and write it.
//!
//! ```text
//! # (fields are separated by tabs)
//! # Netscape HTTP Cookie File
//! # http://curl.haxx.se/rfc/cookie_spec.html
//! # This is a generated file!  Do not edit.
//!
//! .example.com  TRUE  /  TRUE  4000000000  sid  42
//! #HttpOnly_www.example.com  FALSE  /account  FALSE  0  token  x
//! ```
//!
//! The first line must start with `# Netscape HTTP Cookie File` or
//! `# HTTP Cookie File`. Each cookie is one line of seven tab-separated
//! fields: domain (a leading dot for a domain cookie), `TRUE` if it is a
//! domain cookie, path, `TRUE` if secure, expiry (seconds since the epoch;
//! empty or `0` for a session cookie, as curl writes them), name, value.
//! Other lines starting with `#` or `$`, and blank lines, are ignored, except
//! that curl's `#HttpOnly_` prefix marks an HttpOnly cookie.
//!
//! A session cookie is written with expiry `0`, as curl writes it (the seed
//! writes an empty field, which curl 7 misreads); both are read as session
//! cookies.
//!
//! A cookie with an empty name (`Set-Cookie: foo`, which the seed calls a
//! cookie named `foo` without a value) has an empty name field.
//!
//! # What the format cannot hold
//!
//! As the seed says, RFC 2965 cookies are downgraded to Netscape cookies on
//! save: the version, the port list, whether `Path`, `Port` and `Discard` were
//! given, and whether the `Domain` attribute had a leading dot are lost
//! (`domain_initial_dot` and `domain_specified` are read back as "is a domain
//! cookie"), as are the comment, comment URL, `SameSite` and unknown
//! attributes. A `Discard` cookie with an expiry time comes back as a
//! persistent cookie.

use std::io::{self, BufRead, Write};

use super::{Format, Lines, LoadError, Malformed, SaveOptions};
use crate::Cookie;

/// The header this module writes (the seed's `NETSCAPE_HEADER_TEXT`).
pub const HEADER: &str = "# Netscape HTTP Cookie File\n\
                          # http://curl.haxx.se/rfc/cookie_spec.html\n\
                          # This is a generated file!  Do not edit.\n\n";

/// curl's marker for an HttpOnly cookie, put before the domain.
pub const HTTPONLY_PREFIX: &str = "#HttpOnly_";

/// The seed's `NETSCAPE_MAGIC_RGX.match`: `#( Netscape)? HTTP Cookie File`
/// at the start of the line.
pub(crate) fn is_magic(line: &str) -> bool {
    line.starts_with("# Netscape HTTP Cookie File") || line.starts_with("# HTTP Cookie File")
}

/// Read a `cookies.txt` file. Returns every cookie in it, in file order,
/// without filtering session or expired ones (see
/// [`LoadOptions::keeps`](super::LoadOptions::keeps)).
///
/// ```
/// use clientcookie_jar::store::read_mozilla;
/// let file = "# Netscape HTTP Cookie File\n\
///     .example.com\tTRUE\t/\tTRUE\t4000000000\tsid\t42\n\
///     #HttpOnly_www.example.com\tFALSE\t/\tFALSE\t0\ttoken\tx\n";
/// let cookies = read_mozilla(file.as_bytes()).unwrap();
/// assert!(!cookies[0].host_only && cookies[0].secure);
/// assert_eq!(cookies[0].expires, Some(4_000_000_000));
/// assert!(cookies[1].http_only && cookies[1].host_only);
/// assert_eq!(cookies[1].expires, None);
/// ```
pub fn read_mozilla(reader: impl BufRead) -> Result<Vec<Cookie>, LoadError> {
    read_mozilla_sized(reader, 0)
}

/// [`read_mozilla`] with room for `capacity` cookies reserved up front.
pub(crate) fn read_mozilla_sized(
    reader: impl BufRead,
    capacity: usize,
) -> Result<Vec<Cookie>, LoadError> {
    let mut lines = Lines::new(reader);
    match lines.next_line()? {
        Some(first) if is_magic(first) => {}
        _ => {
            return Err(LoadError::Malformed {
                path: None,
                line: 1,
                reason: Malformed::MissingMagic(Format::Mozilla),
            })
        }
    }
    let blank = super::blank_cookie();
    let mut cookies = Vec::with_capacity(capacity);
    while let Some(line) = lines.next_line()? {
        let (line, http_only) = match line.strip_prefix(HTTPONLY_PREFIX) {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', '$']) {
            continue;
        }
        let cookie = parse_line(line, http_only, &blank);
        cookies.push(cookie.map_err(|reason| lines.malformed(reason))?);
    }
    Ok(cookies)
}

fn parse_line(line: &str, http_only: bool, blank: &Cookie) -> Result<Cookie, Malformed> {
    // One pass over the bytes for the tabs (a tab is never inside a UTF-8
    // sequence, so every cut is at a character boundary).
    let mut fields = [""; 7];
    let mut count = 0;
    let mut start = 0;
    for i in memchr::memchr_iter(b'\t', line.as_bytes()) {
        if let Some(slot) = fields.get_mut(count) {
            *slot = &line[start..i];
        }
        count += 1;
        start = i + 1;
    }
    if let Some(slot) = fields.get_mut(count) {
        *slot = &line[start..];
    }
    count += 1;
    if count != 7 {
        return Err(Malformed::FieldCount(count));
    }
    let [domain, flag, path, secure, expires, name, value] = fields;
    let dotted = domain.starts_with('.');
    if (flag == "TRUE") != dotted {
        return Err(Malformed::DomainFlag {
            flag: flag.to_string(),
            domain: domain.to_string(),
        });
    }
    let expires = parse_expires(expires)?;
    let mut cookie = blank.clone();
    cookie.name = name.into();
    cookie.value = value.into();
    cookie.path = path.into();
    cookie.domain = super::lowercase(domain.strip_prefix('.').unwrap_or(domain));
    cookie.host_only = !dotted;
    cookie.domain_specified = dotted;
    cookie.domain_initial_dot = dotted;
    // The seed assumes the path was not specified.
    cookie.path_specified = false;
    cookie.secure = secure == "TRUE";
    cookie.discard = expires.is_none();
    cookie.expires = expires;
    cookie.http_only = http_only;
    Ok(cookie)
}

/// Empty or `0`: a session cookie (curl writes `0`). Otherwise the seed's
/// `int(float(expires))`.
fn parse_expires(text: &str) -> Result<Option<i64>, Malformed> {
    let bad = || Malformed::Expires(text.to_string());
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let seconds = match t.parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let f: f64 = t.parse().map_err(|_| bad())?;
            // `as` saturates; a non-finite or absurd float is refused.
            if !f.is_finite() || f.abs() > 1e15 {
                return Err(bad());
            }
            f.trunc() as i64
        }
    };
    Ok((seconds != 0).then_some(seconds))
}

/// One cookie as a `cookies.txt` line (without the line end), or `None`
/// when the format cannot hold it: a tab or line break in a field, or a
/// domain that would read back as a comment.
///
/// ```
/// use clientcookie_jar::{store::mozilla::mozilla_line, Cookie};
/// let mut cookie = Cookie::new("a", "1", "example.com", "/");
/// cookie.host_only = false;
/// cookie.http_only = true;
/// assert_eq!(mozilla_line(&cookie).unwrap(), "#HttpOnly_.example.com\tTRUE\t/\tFALSE\t0\ta\t1");
/// ```
pub fn mozilla_line(cookie: &Cookie) -> Option<String> {
    let mut line = String::new();
    push_line(&mut line, cookie).then_some(line)
}

/// Append `cookie` as a line (without the line end) to `out`; `false`, and
/// `out` untouched, when the format cannot hold it.
fn push_line(out: &mut String, cookie: &Cookie) -> bool {
    // A fold without early exit, which the compiler vectorises: fields are
    // short and nearly always fit.
    let unfit = |f: &str| {
        f.bytes()
            .fold(false, |bad, b| bad | matches!(b, b'\t' | b'\n' | b'\r'))
    };
    if [&cookie.domain, &cookie.path, &cookie.name, &cookie.value]
        .into_iter()
        .any(|f| unfit(f))
    {
        return false;
    }
    // A domain cookie's line starts with its dot; a host-only one must not
    // read back as a comment or a blank line.
    let shown = cookie.domain.trim_start();
    if cookie.host_only && (shown.is_empty() || shown.starts_with(['#', '$'])) {
        return false;
    }
    if cookie.http_only {
        out.push_str(HTTPONLY_PREFIX);
    }
    if !cookie.host_only {
        out.push('.');
    }
    out.push_str(&cookie.domain);
    out.push_str(if cookie.host_only {
        "\tFALSE\t"
    } else {
        "\tTRUE\t"
    });
    out.push_str(&cookie.path);
    out.push_str(if cookie.secure {
        "\tTRUE\t"
    } else {
        "\tFALSE\t"
    });
    // A session cookie is written with expiry 0, as curl writes it: curl
    // (7.x splits on runs of tabs) misreads an empty field, which is what the
    // seed writes. The seed reads `0` as "expired in 1970" rather than
    // "session": Python 3.11 needs `ignore_expires` to load these cookies.
    super::push_int(out, cookie.expires.unwrap_or(0));
    out.push('\t');
    out.push_str(&cookie.name);
    out.push('\t');
    out.push_str(&cookie.value);
    true
}

/// Write a `cookies.txt` file: the seed's header, then one line per cookie
/// that `opts` keeps at `now`. Returns how many cookies were written;
/// cookies the format cannot hold are skipped with a `tracing` warning.
///
/// ```
/// use clientcookie_jar::store::{write_mozilla, SaveOptions};
/// use clientcookie_jar::Cookie;
/// let mut cookie = Cookie::new("a", "1", "example.com", "/");
/// cookie.expires = Some(4_000_000_000);
/// let mut out = Vec::new();
/// assert_eq!(write_mozilla(&mut out, [&cookie], SaveOptions::default(), 0).unwrap(), 1);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.ends_with("\nexample.com\tFALSE\t/\tFALSE\t4000000000\ta\t1\n"));
/// ```
pub fn write_mozilla<'a>(
    writer: &mut dyn Write,
    cookies: impl IntoIterator<Item = &'a Cookie>,
    opts: SaveOptions,
    now: i64,
) -> io::Result<usize> {
    let mut chunk = super::Chunk::new(writer);
    chunk.push_str(HEADER)?;
    let mut written = 0;
    for cookie in cookies {
        if !opts.keeps(cookie, now) {
            continue;
        }
        if !push_line(chunk.buf(), cookie) {
            tracing::warn!(name = %cookie.name, domain = %cookie.domain, "cookie not saved: a cookies.txt file cannot hold it");
            continue;
        }
        chunk.push_str("\n")?;
        written += 1;
    }
    chunk.finish()?;
    Ok(written)
}
