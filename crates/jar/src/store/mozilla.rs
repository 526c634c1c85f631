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
use std::sync::mpsc;
use std::thread;

use super::{Format, Lines, LoadError, LoadOptions, Malformed, SaveOptions};
use crate::{Cookie, CookieJar};

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
    // The time a blank cookie would have (`Cookie::new`).
    let time = crate::clock::now_system();
    let mut cookies = Vec::with_capacity(capacity);
    while let Some(line) = lines.next_line()? {
        let Some((line, http_only)) = cookie_line(line) else {
            continue;
        };
        match split_line(line, http_only) {
            Ok(fields) => cookies.push(fields.to_cookie(time)),
            Err(reason) => return Err(lines.malformed(reason)),
        }
    }
    Ok(cookies)
}

/// [`read_mozilla`] of a whole file held in memory, with the same result
/// (the same cookies, or the same error on the same line), faster: one
/// scan over the bytes finds every tab and line end 64 bytes at a time,
/// and a line is taken apart from those positions. Anything that scan
/// does not settle (an error to name by its line, bytes that are not
/// UTF-8, an expiry to read as a float, a very long line) goes to the line
/// reader of [`read_mozilla`], from the start.
///
/// ```
/// use clientcookie_jar::store::mozilla::read_mozilla_bytes;
/// let file = b"# Netscape HTTP Cookie File\n.example.com\tTRUE\t/\tTRUE\t4000000000\tsid\t42\n";
/// let cookies = read_mozilla_bytes(file).unwrap();
/// assert_eq!((cookies[0].name.as_str(), cookies[0].domain.as_str()), ("sid", "example.com"));
/// ```
pub fn read_mozilla_bytes(bytes: &[u8]) -> Result<Vec<Cookie>, LoadError> {
    let time = crate::clock::now_system();
    let mut cookies = Vec::with_capacity(bytes.len() / 64);
    if each_fields(bytes, |_, fields| cookies.push(fields.to_cookie(time))).is_some() {
        return Ok(cookies);
    }
    drop(cookies);
    read_mozilla_sized(bytes, bytes.len() / 64)
}

/// How many cookies [`load_whole`]'s making thread hands over at a time
/// (under glibc's threshold for a `mmap` per allocation).
const BATCH: usize = 256;

/// [`super::load`] of a whole `cookies.txt` held in memory; `prepare` is
/// called on the jar once the file is known to be good (`revert` clears
/// the jar there). Returns how many cookies were stored.
///
/// Nothing is stored before every line is checked: a bad file leaves the
/// jar untouched. A second thread makes the cookies from the start of the
/// file, checking each line as it goes, and hands them over in batches;
/// meanwhile this thread checks the lines from 30 % of the file on, in a
/// scan that makes no cookie. Once both have passed that point, this
/// thread stores the cookies as they come: making them then costs no
/// time, as storing them is the slower half. A file that the scan does
/// not settle (see [`each_fields`]) is read by [`read_mozilla_bytes`] and
/// stored after, as [`super::load`] does for the other formats.
pub(crate) fn load_whole(
    jar: &mut CookieJar,
    bytes: &[u8],
    opts: LoadOptions,
    prepare: impl FnOnce(&mut CookieJar),
) -> Result<usize, LoadError> {
    let now = jar.now();
    let mut prepare = Some(prepare);
    let mut prepare = |jar: &mut CookieJar| {
        if let Some(prepare) = prepare.take() {
            prepare(jar);
        }
    };
    let mut stored = 0;
    let mut store = |jar: &mut CookieJar, batch: &mut Vec<Cookie>| {
        for cookie in batch.drain(..) {
            match jar.store(cookie, now) {
                Ok(crate::Stored::Added | crate::Stored::Replaced) => stored += 1,
                Ok(_) => {}
                Err(reason) => tracing::debug!(?reason, "cookie from file not stored"),
            }
        }
    };
    // The maker checks the lines before `split` as it makes their cookies;
    // this thread checks the others meanwhile, in a scan that costs a third
    // of making: both are done at about the same time.
    let split = bytes.len() * 3 / 10;
    let split = memchr::memchr(b'\n', &bytes[split..]).map_or(bytes.len(), |i| split + i + 1);
    // What `insert` does to each cookie but storing it, in file order:
    // `hand` takes a full batch and gives back an empty one, or `None` to
    // stop; `passed` is called once the lines before `split` are checked.
    // Returns whether the scan settled every line.
    let make = |hand: &mut dyn FnMut(Vec<Cookie>) -> Option<Vec<Cookie>>,
                passed: &mut dyn FnMut()| {
        let mut batch = Some(Vec::with_capacity(BATCH));
        let mut each = |_, fields: Fields<'_>| {
            let Some(cookies) = batch.as_mut() else {
                return;
            };
            // A file's cookies are created when it is loaded.
            let cookie = fields.to_cookie(now);
            if !opts.keeps(&cookie, now) {
                return;
            }
            cookies.push(cookie);
            if cookies.len() == BATCH {
                batch = batch.take().and_then(&mut *hand);
            }
        };
        // Each part is checked as UTF-8 on its own: the maker starts on
        // its first lines at once.
        let settled = each_fields_in(&bytes[..split], true, &mut each).is_some() && {
            passed();
            each_fields_in(&bytes[split..], false, &mut each).is_some()
        };
        if let Some(cookies) = batch.filter(|c| settled && !c.is_empty()) {
            hand(cookies);
        }
        settled
    };
    let settled = thread::scope(|scope| {
        let (full, filled) = mpsc::channel::<Vec<Cookie>>();
        let (empty, emptied) = mpsc::channel::<Vec<Cookie>>();
        let (passed, reached_split) = mpsc::sync_channel::<()>(1);
        let maker = thread::Builder::new()
            .name("cookies.txt load".into())
            .spawn_scoped(scope, move || {
                let mut passed = Some(passed);
                let mut hand = |batch| {
                    full.send(batch).ok()?;
                    Some(
                        emptied
                            .try_recv()
                            .unwrap_or_else(|_| Vec::with_capacity(BATCH)),
                    )
                };
                make(&mut hand, &mut || {
                    if let Some(passed) = passed.take() {
                        let _ = passed.send(());
                    }
                });
            });
        match maker {
            Ok(maker) => {
                let settled = each_fields_in(&bytes[split..], false, |_, _| {}).is_some()
                    && reached_split.recv().is_ok();
                if settled {
                    prepare(jar);
                    for mut batch in filled {
                        store(jar, &mut batch);
                        // Once the maker is done the vector is dropped.
                        let _ = empty.send(batch);
                    }
                } else {
                    // The maker stops at its next batch.
                    drop(filled);
                }
                if let Err(panic) = maker.join() {
                    std::panic::resume_unwind(panic);
                }
                settled
            }
            // No thread to be had: check, then make and store in turn.
            Err(_) => {
                let settled = each_fields(bytes, |_, _| {}).is_some();
                if settled {
                    prepare(jar);
                    make(
                        &mut |mut batch| {
                            store(jar, &mut batch);
                            Some(batch)
                        },
                        &mut || {},
                    );
                }
                settled
            }
        }
    });
    if settled {
        return Ok(stored);
    }
    let cookies = read_mozilla_bytes(bytes)?;
    prepare(jar);
    Ok(super::insert(jar, cookies, opts, false))
}

/// Call `each` with the fields of every cookie line of a whole
/// `cookies.txt`, in order; `None` (after any number of calls) when the
/// file has something that only [`read_mozilla`]'s line reader judges:
/// an error, bytes that are not UTF-8, an expiry that is not plain digits
/// and not `0`/empty, a line of [`super::MAX_LINE_LEN`] bytes or more.
/// When it returns `Some`, `each` saw exactly what [`read_mozilla`] makes
/// cookies of.
fn each_fields<'a>(bytes: &'a [u8], each: impl FnMut(usize, Fields<'a>)) -> Option<()> {
    each_fields_in(bytes, true, each)
}

/// [`each_fields`] on the lines of `bytes`, which start with the magic
/// line if `magic` (else they are lines from the middle of a file);
/// `each` also gets where the line starts.
fn each_fields_in<'a>(
    bytes: &'a [u8],
    magic: bool,
    mut each: impl FnMut(usize, Fields<'a>),
) -> Option<()> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut first = magic;
    let mut settled = true;
    scan_lines(bytes, |start, end, tabs, count| {
        let raw = &text[start..end];
        if raw.len() >= super::MAX_LINE_LEN {
            settled = false;
            return false;
        }
        // `\r\n` ends a line; a last line without `\n` keeps its `\r`.
        let line = match raw.strip_suffix('\r') {
            Some(line) if end < bytes.len() => line,
            _ => raw,
        };
        if first {
            first = false;
            settled = is_magic(line);
            return settled;
        }
        let Some((rest, http_only)) = cookie_line(line) else {
            return true;
        };
        match fields_at(
            text,
            start + (line.len() - rest.len()),
            start + line.len(),
            tabs,
            count,
            http_only,
        ) {
            Some(fields) => {
                each(start, fields);
                true
            }
            None => {
                settled = false;
                false
            }
        }
    });
    // An empty file has no magic line.
    (settled && !first).then_some(())
}

/// The fields of the cookie line `text[start..end]` whose tabs are at
/// `tabs` (`count` of them: only the first 7 are kept), as
/// [`split_line`] makes them; `None` where it would refuse the line or the
/// expiry needs its general reading.
#[inline(always)]
fn fields_at<'a>(
    text: &'a str,
    start: usize,
    end: usize,
    tabs: &[usize; 7],
    count: usize,
    http_only: bool,
) -> Option<Fields<'a>> {
    if count != 6 {
        return None;
    }
    let [t0, t1, t2, t3, t4, t5, _] = *tabs;
    let domain = text.get(start..t0)?;
    let flag = &text[t0 + 1..t1];
    let dotted = domain.starts_with('.');
    if (flag == "TRUE") != dotted {
        return None;
    }
    let expires = &text[t3 + 1..t4];
    let expires = match digits(expires.as_bytes()) {
        Some(0) => None,
        Some(n) => Some(n),
        None if expires.is_empty() => None,
        None => parse_expires(expires).ok()?,
    };
    Some(Fields {
        domain,
        dotted,
        path: &text[t1 + 1..t2],
        secure: &text[t2 + 1..t3] == "TRUE",
        expires,
        name: &text[t4 + 1..t5],
        value: &text[t5 + 1..end],
        http_only,
    })
}

/// A field of 1 to 18 ASCII digits as a number (no sign, no space: what
/// a writer writes); `None` for anything else.
#[inline(always)]
fn digits(field: &[u8]) -> Option<i64> {
    if field.is_empty() || field.len() > 18 {
        return None;
    }
    let mut n = 0i64;
    for &b in field {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + i64::from(d);
    }
    Some(n)
}

/// Call `line(start, end, tabs, count)` for every line of `bytes` (`end`
/// at its `\n`, or the end of the bytes for a last line without one), with
/// the positions of its first 7 tabs and how many it has, until `line`
/// returns `false`. Tabs and line ends are found 64 bytes at a time.
fn scan_lines(bytes: &[u8], mut line: impl FnMut(usize, usize, &[usize; 7], usize) -> bool) {
    let mut start = 0;
    let mut tabs = [0usize; 7];
    let mut count = 0;
    let mut base = 0;
    while base < bytes.len() {
        let (tab_mask, end_mask) = match bytes.get(base..base + 64) {
            Some(block) => tabs_and_ends(block),
            None => {
                let mut block = [0u8; 64];
                block[..bytes.len() - base].copy_from_slice(&bytes[base..]);
                tabs_and_ends(&block)
            }
        };
        let mut both = tab_mask | end_mask;
        while both != 0 {
            let bit = both.trailing_zeros();
            both &= both - 1;
            let at = base + bit as usize;
            if end_mask >> bit & 1 == 0 {
                if let Some(slot) = tabs.get_mut(count) {
                    *slot = at;
                }
                count += 1;
            } else {
                if !line(start, at, &tabs, count) {
                    return;
                }
                start = at + 1;
                count = 0;
            }
        }
        base += 64;
    }
    if start < bytes.len() {
        line(start, bytes.len(), &tabs, count);
    }
}

/// Bit masks of the tabs and of the `\n`s of 64 bytes (bit `i` for byte `i`).
#[inline(always)]
fn tabs_and_ends(block: &[u8]) -> (u64, u64) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let mut tabs = 0u64;
        let mut ends = 0u64;
        // SAFETY: SSE2 is enabled (the cfg above); each load reads the 16
        // bytes of `part`, and needs no alignment.
        unsafe {
            let tab = _mm_set1_epi8(b'\t' as i8);
            let end = _mm_set1_epi8(b'\n' as i8);
            for (i, part) in block.chunks_exact(16).take(4).enumerate() {
                let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
                tabs |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab)) as u16) << (16 * i);
                ends |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, end)) as u16) << (16 * i);
            }
        }
        (tabs, ends)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let mut tabs = 0u64;
        let mut ends = 0u64;
        for (j, &b) in block.iter().take(64).enumerate() {
            tabs |= u64::from(b == b'\t') << j;
            ends |= u64::from(b == b'\n') << j;
        }
        (tabs, ends)
    }
}

/// A line that holds a cookie, without curl's `#HttpOnly_` prefix, and
/// whether it had it; `None` for a comment or a blank line.
pub(crate) fn cookie_line(line: &str) -> Option<(&str, bool)> {
    let (line, http_only) = match line.strip_prefix(HTTPONLY_PREFIX) {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    // Blank, or a comment once leading white space is skipped (nearly every
    // line starts with a letter or a dot: no trimming then).
    let first = match line.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => *b,
        _ => match line.trim_start().as_bytes().first() {
            Some(&b) => b,
            None => return None,
        },
    };
    if first == b'#' || first == b'$' {
        return None;
    }
    Some((line, http_only))
}

/// A cookie line's fields, checked, borrowed from the line.
struct Fields<'a> {
    domain: &'a str,
    dotted: bool,
    path: &'a str,
    secure: bool,
    expires: Option<i64>,
    name: &'a str,
    value: &'a str,
    http_only: bool,
}

fn split_line(line: &str, http_only: bool) -> Result<Fields<'_>, Malformed> {
    // One pass over the bytes for the tabs (a tab is never inside a UTF-8
    // sequence, so every cut is at a character boundary).
    let mut fields = [""; 7];
    let mut count = 0;
    let mut start = 0;
    for_each_tab(line.as_bytes(), |i| {
        if let Some(slot) = fields.get_mut(count) {
            *slot = &line[start..i];
        }
        count += 1;
        start = i + 1;
    });
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
    Ok(Fields {
        domain,
        dotted,
        path,
        secure: secure == "TRUE",
        expires: parse_expires(expires)?,
        name,
        value,
        http_only,
    })
}

/// Call `each` with the position of every tab in `bytes`, in order. The
/// tabs of each 32 bytes are found as one bit mask, which the compiler
/// builds with vector compares: a cookie line is short, and a `memchr`
/// call per tab cost more than the search.
pub(crate) fn for_each_tab(bytes: &[u8], mut each: impl FnMut(usize)) {
    let mut emit = |base: usize, mut mask: u32| {
        while mask != 0 {
            each(base + mask.trailing_zeros() as usize);
            mask &= mask - 1;
        }
    };
    let blocks = bytes.chunks_exact(32);
    let rest = blocks.remainder();
    let mut base = 0;
    for block in blocks {
        let mut mask = 0u32;
        for (j, &b) in block.iter().enumerate() {
            mask |= u32::from(b == b'\t') << j;
        }
        emit(base, mask);
        base += 32;
    }
    let mut mask = 0u32;
    for (j, &b) in rest.iter().enumerate() {
        mask |= u32::from(b == b'\t') << j;
    }
    emit(base, mask);
}

impl Fields<'_> {
    /// The cookie, created (and last used) at `time`. Built field by
    /// field rather than cloned from a blank cookie and filled in: this is
    /// most of what reading a `cookies.txt` costs.
    #[inline]
    fn to_cookie(&self, time: i64) -> Cookie {
        let dotted = self.dotted;
        Cookie {
            secure: self.secure,
            host_only: !dotted,
            http_only: self.http_only,
            discard: self.expires.is_none(),
            port_specified: false,
            domain_specified: dotted,
            domain_initial_dot: dotted,
            // The seed assumes the path was not specified.
            path_specified: false,
            same_site: None,
            version: None,
            expires: self.expires,
            path: self.path.into(),
            domain: super::lowercase(self.domain.strip_prefix('.').unwrap_or(self.domain)),
            name: self.name.into(),
            creation_time: time,
            last_access_time: time,
            seq: crate::cookie::Seq(0),
            value: self.value.into(),
            extras: crate::cookie::Extras::default(),
        }
    }
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
    let mut line = Vec::new();
    if !push_line(&mut line, cookie, &mut ShortLine::new()) {
        return None;
    }
    line.pop(); // the line end
                // Only the cookie's strings and ASCII were written.
    String::from_utf8(line).ok()
}

/// Append `cookie` as a line, with its line end, to `out`; `false`, and
/// `out` untouched, when the format cannot hold it.
///
/// The fields are copied first and checked after, in one pass over the
/// line while it is in the L1 cache: seven fields hold exactly the six
/// tabs written between them, and no line break.
fn push_line(out: &mut Vec<u8>, cookie: &Cookie, line: &mut ShortLine) -> bool {
    // A domain cookie's line starts with its dot; a host-only one must not
    // read back as a comment or a blank line.
    if cookie.host_only {
        let shown = cookie.domain.trim_start();
        if shown.is_empty() || shown.starts_with(['#', '$']) {
            return false;
        }
    }
    let text = cookie.domain.len() + cookie.path.len() + cookie.name.len() + cookie.value.len();
    if text + 64 > SHORT_LINE {
        return push_long_line(out, cookie);
    }
    // Nearly every line: assembled on the stack with fixed-size copies, then
    // appended with one copy (rather than a call to `memcpy` per field).
    line.len = 0;
    if cookie.http_only {
        line.put(HTTPONLY_PREFIX.as_bytes());
    }
    let fields = line.len;
    put_fields(cookie, |piece| line.put(piece));
    if !line.fits_from(fields) {
        return false;
    }
    line.put(b"\n");
    out.extend_from_slice(&line.buf[..line.len]);
    true
}

/// The longest line [`push_line`] assembles on the stack.
const SHORT_LINE: usize = 512;

/// A line being assembled: reused from line to line (clearing it for each
/// would cost more than the line).
pub(crate) struct ShortLine {
    buf: [u8; SHORT_LINE],
    len: usize,
}

impl ShortLine {
    fn new() -> ShortLine {
        ShortLine {
            buf: [0; SHORT_LINE],
            len: 0,
        }
    }

    /// Append `s` (the caller made sure it fits). Short pieces are copied
    /// as two fixed-size, overlapping moves, which compile to a few
    /// instructions.
    #[inline(always)]
    fn put(&mut self, s: &[u8]) {
        let n = s.len();
        let dst = &mut self.buf[self.len..self.len + n];
        match n {
            0 => {}
            1..=3 => {
                dst[0] = s[0];
                dst[n / 2] = s[n / 2];
                dst[n - 1] = s[n - 1];
            }
            4..=7 => {
                dst[..4].copy_from_slice(&s[..4]);
                dst[n - 4..].copy_from_slice(&s[n - 4..]);
            }
            8..=16 => {
                dst[..8].copy_from_slice(&s[..8]);
                dst[n - 8..].copy_from_slice(&s[n - 8..]);
            }
            17..=32 => {
                dst[..16].copy_from_slice(&s[..16]);
                dst[n - 16..].copy_from_slice(&s[n - 16..]);
            }
            _ => dst.copy_from_slice(s),
        }
        self.len += n;
    }

    /// [`fits`] for the line from `from` on, 16 bytes at a time: the buffer
    /// is longer than any line assembled in it, so the 16 bytes after the
    /// line are zeroed and whole blocks read (the general fold was a fifth
    /// of the formatting). Tabs are counted per byte lane and summed once.
    #[inline(always)]
    fn fits_from(&mut self, from: usize) -> bool {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            use std::arch::x86_64::{
                __m128i, _mm_cmpeq_epi8, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_movemask_epi8,
                _mm_or_si128, _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128, _mm_sub_epi8,
                _mm_unpackhi_epi64,
            };
            let Some(after) = self.buf.get_mut(self.len..self.len + 16) else {
                return fits(&self.buf[from..self.len]);
            };
            after.fill(0);
            // SAFETY: SSE2 is enabled (the cfg above); each load reads the
            // 16 bytes of a `block`, and needs no alignment.
            unsafe {
                let (tab, lf, cr) = (
                    _mm_set1_epi8(b'\t' as i8),
                    _mm_set1_epi8(b'\n' as i8),
                    _mm_set1_epi8(b'\r' as i8),
                );
                // At most 32 blocks (the buffer's 512 bytes): a lane counts
                // to 32 at most, so no lane overflows.
                let mut tabs = _mm_setzero_si128();
                let mut breaks = _mm_setzero_si128();
                let mut at = from;
                while at < self.len {
                    let Some(block) = self.buf.get(at..at + 16) else {
                        return fits(&self.buf[from..self.len]);
                    };
                    let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
                    tabs = _mm_sub_epi8(tabs, _mm_cmpeq_epi8(v, tab));
                    breaks = _mm_or_si128(
                        breaks,
                        _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                    );
                    at += 16;
                }
                let sums = _mm_sad_epu8(tabs, _mm_setzero_si128());
                let count =
                    _mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
                count == 6 && _mm_movemask_epi8(breaks) == 0
            }
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        {
            fits(&self.buf[from..self.len])
        }
    }
}

/// Whether a line's seven fields hold exactly the six tabs written between
/// them, and no line break. Folds without early exit into bytes, which the
/// compiler vectorises 16 bytes at a time: fields are short and nearly
/// always fit.
fn fits(line: &[u8]) -> bool {
    let mut tabs = 0usize;
    let mut breaks = 0u8;
    for piece in line.chunks(255) {
        tabs += usize::from(
            piece
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\t'))),
        );
        breaks |= piece.iter().fold(0u8, |found, &b| {
            found | u8::from((b == b'\n') | (b == b'\r'))
        });
    }
    tabs == 6 && breaks == 0
}

/// The line's seven fields, tab-separated, handed to `put` piece by piece
/// (onto the stack for [`push_line`], straight into the output for
/// [`push_long_line`]).
#[inline(always)]
fn put_fields(cookie: &Cookie, mut put: impl FnMut(&[u8])) {
    put(if cookie.host_only { b"" } else { b"." });
    put(cookie.domain.as_bytes());
    put(if cookie.host_only {
        b"\tFALSE\t"
    } else {
        b"\tTRUE\t"
    });
    put(cookie.path.as_bytes());
    put(if cookie.secure {
        b"\tTRUE\t"
    } else {
        b"\tFALSE\t"
    });
    // A session cookie is written with expiry 0, as curl writes it: curl
    // (7.x splits on runs of tabs) misreads an empty field, which is what the
    // seed writes. The seed reads `0` as "expired in 1970" rather than
    // "session": Python 3.11 needs `ignore_expires` to load these cookies.
    let mut digits = [0; 20];
    put(super::format_int(&mut digits, cookie.expires.unwrap_or(0)));
    put(b"\t");
    put(cookie.name.as_bytes());
    put(b"\t");
    put(cookie.value.as_bytes());
}

/// [`push_line`] for a line too long for the stack.
fn push_long_line(out: &mut Vec<u8>, cookie: &Cookie) -> bool {
    let start = out.len();
    if cookie.http_only {
        out.extend_from_slice(HTTPONLY_PREFIX.as_bytes());
    }
    let fields = out.len();
    put_fields(cookie, |piece| out.extend_from_slice(piece));
    if !fits(&out[fields..]) {
        out.truncate(start);
        return false;
    }
    out.push(b'\n');
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
    let cookies: Vec<&Cookie> = cookies.into_iter().collect();
    write_mozilla_slice(writer, &cookies, opts, now)
}

/// [`write_mozilla`] on a slice, which lets it fetch the cookies ahead of
/// the one it writes.
pub(crate) fn write_mozilla_slice(
    writer: &mut dyn Write,
    cookies: &[&Cookie],
    opts: SaveOptions,
    now: i64,
) -> io::Result<usize> {
    write_mozilla_chunks(cookies, opts, now, |mut chunk| {
        writer.write_all(&chunk)?;
        chunk.clear();
        Ok(chunk)
    })
}

/// [`write_mozilla_slice`] handing each full buffer to `hand`, which
/// returns an empty one to fill next: a save's writing thread takes the
/// buffer itself, without a copy.
pub(crate) fn write_mozilla_chunks(
    cookies: &[&Cookie],
    opts: SaveOptions,
    now: i64,
    mut hand: impl FnMut(Vec<u8>) -> io::Result<Vec<u8>>,
) -> io::Result<usize> {
    let mut out = Vec::with_capacity(super::CHUNK + 1024);
    out.extend_from_slice(HEADER.as_bytes());
    let mut written = 0;
    let mut line = ShortLine::new();
    for (i, cookie) in cookies.iter().enumerate() {
        super::prefetch_ahead(cookies, i);
        if !opts.keeps(cookie, now) {
            continue;
        }
        if !push_line(&mut out, cookie, &mut line) {
            tracing::warn!(name = %cookie.name, domain = %cookie.domain, "cookie not saved: a cookies.txt file cannot hold it");
            continue;
        }
        written += 1;
        if out.len() >= super::CHUNK {
            out = hand(out)?;
            out.reserve(super::CHUNK + 1024);
        }
    }
    hand(out)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_blockwise_line_check_agrees_with_the_general_one(
            bytes in prop::collection::vec(prop::sample::select(b"ab\t\n\r.=".to_vec()), 0..440),
            from in 0usize..12,
        ) {
            let mut line = ShortLine::new();
            // Leftovers of a longer earlier line must not count.
            line.put(&[b'\t'; 500]);
            line.len = 0;
            line.put(&bytes);
            let from = from.min(bytes.len());
            prop_assert_eq!(line.fits_from(from), fits(&bytes[from..]));
        }
    }
}
