//! libwww-perl's `Set-Cookie3` files, as Python's `LWPCookieJar` reads and
//! writes them.
//!
//! ```text
//! #LWP-Cookies-2.0
//! Set-Cookie3: sid=42; path="/"; domain=".example.com"; path_spec; domain_dot; secure; expires="2096-10-02 07:06:40Z"; version=0
//! ```
//!
//! The first line must start with `#LWP-Cookies-<digits>.<digits>`; then
//! every line starting with `Set-Cookie3:` holds cookies in the syntax of
//! the seed's `split_header_words` (other lines are ignored). Every
//! attribute of a [`Cookie`] is kept: `port`, `path_spec`, `port_spec`,
//! `domain_dot`, `secure`, `expires` (ISO 8601 UTC), `discard`, `comment`,
//! `commenturl`, the attributes the jar does not interpret, `HttpOnly`,
//! `SameSite` and `version` (`0` for a Netscape cookie).
//!
//! As in the seed, a cookie read without `expires` gets `discard` set, and
//! `domain_specified` is whether the domain has a leading dot.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};

use super::{has_line_break, Lines, LoadError, Malformed, SaveOptions};
use crate::date::iso2time;
use crate::{Cookie, SameSite};

/// The magic first line this module writes.
pub const MAGIC: &str = "#LWP-Cookies-2.0";

const HEADER: &str = "Set-Cookie3:";

const BOOLEAN_ATTRS: [&str; 5] = ["port_spec", "path_spec", "domain_dot", "secure", "discard"];
const VALUE_ATTRS: [&str; 7] = [
    "version",
    "port",
    "path",
    "domain",
    "expires",
    "comment",
    "commenturl",
];

/// The seed's `magic_re`: `^#LWP-Cookies-(\d+\.\d+)`.
pub(crate) fn is_magic(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("#LWP-Cookies-") else {
        return false;
    };
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let major = digits(rest);
    major > 0
        && rest[major..]
            .strip_prefix('.')
            .is_some_and(|minor| digits(minor) > 0)
}

/// Python's `\s` (Unicode white space, which includes `\x1c`..`\x1f`).
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `name[=value]` pairs, borrowed from the line unless unescaping changed
/// them.
pub(crate) type Pairs<'a> = Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>;

/// The body of a quoted string after its opening quote: the unescaped
/// value and the bytes consumed including the closing quote, or `None`
/// when the quote is not closed (the seed then reads the value unquoted).
fn quoted(text: &str) -> Option<(Cow<'_, str>, usize)> {
    let end = text.find(['"', '\\'])?;
    if text.as_bytes()[end] == b'"' {
        // No escape: the value is a slice of the line.
        return Some((Cow::Borrowed(&text[..end]), end + 1));
    }
    let mut value = String::from(&text[..end]);
    let mut chars = text[end..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(value), end + i + 1)),
            '\\' => match chars.next() {
                Some((_, '\n')) | None => return None,
                Some((_, escaped)) => value.push(escaped),
            },
            c => value.push(c),
        }
    }
    None
}

/// The seed's `split_header_words` for one header value: cookies separated
/// by `,`, each a list of `name[=value]` pairs separated by `;`.
pub(crate) fn split_header_words(text: &str) -> Vec<Pairs<'_>> {
    let mut result = Vec::new();
    let mut pairs = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let trimmed = rest.trim_start_matches(is_space);
        let token_len = trimmed
            .find(|c: char| matches!(c, '=' | ';' | ',') || is_space(c))
            .unwrap_or(trimmed.len());
        if token_len > 0 {
            let name = Cow::Borrowed(&trimmed[..token_len]);
            rest = &trimmed[token_len..];
            let mut value = None;
            if let Some(after_eq) = rest.trim_start_matches(is_space).strip_prefix('=') {
                let after_eq = after_eq.trim_start_matches(is_space);
                match after_eq.strip_prefix('"').and_then(quoted) {
                    Some((v, used)) => {
                        value = Some(v);
                        rest = &after_eq[1 + used..];
                    }
                    None => {
                        let len = after_eq
                            .find(|c: char| matches!(c, ';' | ',') || is_space(c))
                            .unwrap_or(after_eq.len());
                        value = Some(Cow::Borrowed(&after_eq[..len]));
                        rest = &after_eq[len..];
                    }
                }
            }
            pairs.push((name, value));
        } else if let Some(after) = trimmed.strip_prefix(',') {
            rest = after;
            if !pairs.is_empty() {
                result.push(std::mem::take(&mut pairs));
            }
        } else {
            // Junk: `=`, `;` and white space. `trimmed` is empty or starts
            // with `=` or `;`, so this always makes progress.
            rest = rest.trim_start_matches(|c: char| c == '=' || c == ';' || is_space(c));
        }
    }
    if !pairs.is_empty() {
        result.push(pairs);
    }
    result
}

/// Read a `Set-Cookie3` file. Returns every cookie in it, in file order,
/// without filtering session or expired ones (see
/// [`LoadOptions::keeps`](super::LoadOptions::keeps)).
///
/// ```
/// use clientcookie_jar::store::read_lwp;
/// let file = "#LWP-Cookies-2.0\n\
///     Set-Cookie3: sid=42; path=\"/\"; domain=\".example.com\"; path_spec; domain_dot; \
///     expires=\"2096-10-02 07:06:40Z\"; Priority=High; version=0\n";
/// let cookies = read_lwp(file.as_bytes()).unwrap();
/// assert_eq!(cookies[0].domain, "example.com");
/// assert!(!cookies[0].host_only);
/// assert_eq!(cookies[0].expires, Some(4000000000));
/// assert_eq!(cookies[0].rest(), [("Priority".to_string(), Some("High".to_string()))]);
/// ```
pub fn read_lwp(reader: impl BufRead) -> Result<Vec<Cookie>, LoadError> {
    read_lwp_sized(reader, 0)
}

/// [`read_lwp`] with room for `capacity` cookies reserved up front.
pub(crate) fn read_lwp_sized(
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
                reason: Malformed::MissingMagic(super::Format::Lwp),
            })
        }
    }
    let blank = super::blank_cookie();
    let mut cookies = Vec::with_capacity(capacity);
    while let Some(line) = lines.next_line()? {
        let Some(body) = line.strip_prefix(HEADER) else {
            continue;
        };
        let mut failed = None;
        for words in split_header_words(body.trim_matches(is_space)) {
            match cookie_from_words(words, &blank) {
                Ok(cookie) => cookies.push(cookie),
                Err(reason) => {
                    failed = Some(reason);
                    break;
                }
            }
        }
        if let Some(reason) = failed {
            return Err(lines.malformed(reason));
        }
    }
    Ok(cookies)
}

#[derive(Default)]
struct Standard<'a> {
    booleans: [bool; 5],
    values: [Option<Cow<'a, str>>; 7],
}

impl<'a> Standard<'a> {
    fn flag(&self, name: &str) -> bool {
        BOOLEAN_ATTRS
            .iter()
            .position(|a| *a == name)
            .is_some_and(|i| self.booleans[i])
    }

    fn take(&mut self, name: &str) -> Option<Cow<'a, str>> {
        VALUE_ATTRS
            .iter()
            .position(|a| *a == name)
            .and_then(|i| self.values[i].take())
    }
}

/// Where `key` is in `names`, compared as the seed compares (`lower()`).
/// The names are ASCII, and the only non-ASCII character that lower-cases
/// to ASCII is the Kelvin sign (to `k`), in none of them: an ASCII
/// case-insensitive comparison is the same, without allocating.
fn position_of(names: &[&str], key: &str) -> Option<usize> {
    names.iter().position(|n| n.eq_ignore_ascii_case(key))
}

fn cookie_from_words(words: Pairs<'_>, blank: &Cookie) -> Result<Cookie, Malformed> {
    let mut words = words.into_iter();
    let Some((first_name, first_value)) = words.next() else {
        return Err(Malformed::MissingDomain);
    };
    let mut standard = Standard::default();
    let mut rest: Vec<(String, Option<String>)> = Vec::new();
    let mut http_only = false;
    let mut same_site = None;
    for (key, value) in words {
        if let Some(i) = position_of(&BOOLEAN_ATTRS, &key) {
            // The seed stores the value itself: `secure=""` is false.
            standard.booleans[i] = value.as_deref().is_none_or(|v| !v.is_empty());
        } else if let Some(i) = position_of(&VALUE_ATTRS, &key) {
            standard.values[i] = value;
        } else if key.eq_ignore_ascii_case("httponly") {
            http_only = true;
        } else if let Some(site) = key
            .eq_ignore_ascii_case("samesite")
            .then(|| value.as_deref().and_then(parse_same_site))
            .flatten()
        {
            same_site = Some(site);
        } else if let Some(slot) = rest.iter_mut().find(|(k, _)| *k == key) {
            // A dict in the seed: the last value wins, the first place stays.
            slot.1 = value.map(Cow::into_owned);
        } else {
            rest.push((key.into_owned(), value.map(Cow::into_owned)));
        }
    }

    let domain = standard.take("domain").ok_or(Malformed::MissingDomain)?;
    let path = standard.take("path").ok_or(Malformed::MissingPath)?;
    let version = match standard.take("version") {
        None => None,
        Some(v) => match v.trim().trim_start_matches('+').parse::<u32>() {
            Ok(0) => None,
            Ok(n) => Some(n),
            Err(_) => return Err(Malformed::Version(v.into_owned())),
        },
    };
    let port = standard.take("port");
    let port_specified = standard.flag("port_spec");
    if port_specified && port.is_none() {
        return Err(Malformed::PortSpecWithoutPort);
    }
    let expires = standard.take("expires").and_then(|e| parse_expires(&e));

    let (name, value) = match first_value {
        Some(value) => (first_name, value),
        // `Set-Cookie3: foo; ...` is the seed's cookie named "foo" with no
        // value: a cookie with an empty name here.
        None => (Cow::Borrowed(""), first_name),
    };
    let dotted = domain.starts_with('.');
    let mut cookie = blank.clone();
    cookie.name = name.into();
    cookie.value = value.into();
    cookie.path = path.into();
    cookie.domain = super::lowercase(domain.strip_prefix('.').unwrap_or(&domain));
    cookie.host_only = !dotted;
    cookie.domain_specified = dotted;
    cookie.domain_initial_dot = standard.flag("domain_dot");
    cookie.version = version;
    cookie.port_specified = port_specified;
    cookie.path_specified = standard.flag("path_spec");
    cookie.secure = standard.flag("secure");
    cookie.expires = expires;
    cookie.discard = standard.flag("discard") || expires.is_none();
    cookie.set_extras(crate::cookie::CookieExtras {
        port: port.map(Cow::into_owned),
        comment: standard.take("comment").map(Cow::into_owned),
        comment_url: standard.take("commenturl").map(Cow::into_owned),
        rest,
    });
    cookie.http_only = http_only;
    cookie.same_site = same_site;
    Ok(cookie)
}

/// An `expires` value: [`iso2time`], with a fast path for the one form LWP
/// files hold, `YYYY-MM-DD HH:MM:SSZ` (the parser of every form costs more
/// than the rest of the line).
pub(crate) fn parse_expires(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape {
        return iso2time(text);
    }
    let num = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    match (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) {
        // Years before 1000 take the general parser's odd paths.
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) if y >= 1000 => {
            crate::date::timegm(y, mo, d, h, mi, s)
        }
        _ => iso2time(text),
    }
}

fn parse_same_site(value: &str) -> Option<SameSite> {
    match value.to_ascii_lowercase().as_str() {
        "strict" => Some(SameSite::Strict),
        "lax" => Some(SameSite::Lax),
        "none" => Some(SameSite::None),
        _ => None,
    }
}

fn same_site_str(site: SameSite) -> &'static str {
    match site {
        SameSite::Strict => "Strict",
        SameSite::Lax => "Lax",
        SameSite::None => "None",
    }
}

/// A token the reader gives back unchanged: `[^=\s;,]+`.
fn is_token(s: &str) -> bool {
    if s.is_ascii() {
        // Python's `\s` on ASCII: `\t\n\x0b\x0c\r`, `\x1c`..`\x1f` and space.
        let stop = |b: u8| matches!(b, b'=' | b';' | b',' | b' ' | b'\t'..=b'\r' | 0x1c..=0x1f);
        return !s.is_empty() && !s.bytes().fold(false, |found, b| found | stop(b));
    }
    !s.is_empty() && !s.contains(|c: char| matches!(c, '=' | ';' | ',') || is_space(c))
}

/// Bytes of Python's `\w` among ASCII: letters, digits, `_`.
const WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// The seed's `join_header_words` quoting: bare when `^\w+$`, else quoted
/// with `"` and `\` escaped.
fn push_value(out: &mut String, value: &str) {
    let bare = !value.is_empty()
        && if value.is_ascii() {
            // One pass without early exit (vectorised); other text, rare in
            // cookies, by Unicode's classes as Python's `\w`.
            value
                .bytes()
                .fold(true, |word, b| word & WORD[usize::from(b & 0x7f)])
        } else {
            value.chars().all(|c| c.is_alphanumeric() || c == '_')
        };
    if bare {
        out.push_str(value);
    } else {
        out.push('"');
        push_escaped(out, value);
        out.push('"');
    }
}

fn push_escaped(out: &mut String, value: &str) {
    let plain = !value
        .bytes()
        .fold(false, |found, b| found | (b == b'"') | (b == b'\\'));
    if plain {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
}

/// `; key` or `; key=value`.
fn push_attr(out: &mut String, key: &str, value: Option<&str>) {
    out.push_str("; ");
    out.push_str(key);
    if let Some(v) = value {
        out.push('=');
        push_value(out, v);
    }
}

/// The seed's `lwp_cookie_str`: one cookie as the text after
/// `Set-Cookie3: `, or `None` when the format cannot hold it (a line break
/// anywhere, or a name that is not a token).
///
/// ```
/// use clientcookie_jar::{store::lwp::lwp_cookie_str, Cookie};
/// let cookie = Cookie::new("a", "b c", "example.com", "/");
/// assert_eq!(
///     lwp_cookie_str(&cookie).unwrap(),
///     r#"a="b c"; path="/"; domain="example.com"; path_spec; version=0"#
/// );
/// ```
pub fn lwp_cookie_str(cookie: &Cookie) -> Option<String> {
    let mut out = String::new();
    push_cookie(&mut out, cookie).then_some(out)
}

/// Append [`lwp_cookie_str`] to `out`; `false`, and `out` untouched, when
/// the format cannot hold the cookie.
fn push_cookie(out: &mut String, cookie: &Cookie) -> bool {
    let fields = [
        Some(cookie.value.as_str()),
        Some(cookie.path.as_str()),
        Some(cookie.domain.as_str()),
        cookie.port(),
        cookie.comment(),
        cookie.comment_url(),
    ];
    if fields.into_iter().flatten().any(has_line_break) {
        return false;
    }
    // Read back as a cookie with an empty name (see the reader).
    let nameless = cookie.name.is_empty();
    if !is_token(if nameless {
        &cookie.value
    } else {
        &cookie.name
    }) {
        return false;
    }
    if nameless {
        out.push_str(&cookie.value);
    } else {
        out.push_str(&cookie.name);
        out.push('=');
        push_value(out, &cookie.value);
    }
    push_attr(out, "path", Some(&cookie.path));
    if cookie.host_only {
        push_attr(out, "domain", Some(&cookie.domain));
    } else {
        // The dot makes the value quoted.
        out.push_str("; domain=\".");
        push_escaped(out, &cookie.domain);
        out.push('"');
    }
    if let Some(port) = cookie.port() {
        push_attr(out, "port", Some(port));
    }
    if cookie.path_specified {
        push_attr(out, "path_spec", None);
    }
    if cookie.port_specified && cookie.port().is_some() {
        push_attr(out, "port_spec", None);
    }
    if cookie.domain_initial_dot {
        push_attr(out, "domain_dot", None);
    }
    if cookie.secure {
        push_attr(out, "secure", None);
    }
    if let Some(t) = cookie.expires {
        // Holds a space and colons: always quoted.
        out.push_str("; expires=\"");
        crate::date::push_isoz(out, t);
        out.push('"');
    }
    if cookie.discard {
        push_attr(out, "discard", None);
    }
    if let Some(comment) = cookie.comment().filter(|c| !c.is_empty()) {
        push_attr(out, "comment", Some(comment));
    }
    if let Some(url) = cookie.comment_url().filter(|c| !c.is_empty()) {
        push_attr(out, "commenturl", Some(url));
    }
    for (key, value) in cookie.rest() {
        let reserved = position_of(&BOOLEAN_ATTRS, key).is_some()
            || position_of(&VALUE_ATTRS, key).is_some()
            || key.eq_ignore_ascii_case("httponly")
            || key.eq_ignore_ascii_case("samesite");
        if reserved || !is_token(key) || value.as_deref().is_some_and(has_line_break) {
            tracing::warn!(cookie = %cookie.name, attribute = %key, "attribute not saved: an LWP file cannot hold it");
            continue;
        }
        push_attr(out, key, value.as_deref());
    }
    if cookie.http_only {
        push_attr(out, "HttpOnly", None);
    }
    if let Some(site) = cookie.same_site {
        push_attr(out, "SameSite", Some(same_site_str(site)));
    }
    out.push_str("; version=");
    super::push_int(out, i64::from(cookie.version.unwrap_or(0)));
    true
}

/// Write a `Set-Cookie3` file: the magic line, then one line per cookie
/// that `opts` keeps at `now`. Returns how many cookies were written;
/// cookies the format cannot hold are skipped with a `tracing` warning.
///
/// ```
/// use clientcookie_jar::store::{write_lwp, SaveOptions};
/// use clientcookie_jar::Cookie;
/// let mut cookie = Cookie::new("a", "1", "example.com", "/");
/// cookie.expires = Some(4_000_000_000);
/// let mut out = Vec::new();
/// assert_eq!(write_lwp(&mut out, [&cookie], SaveOptions::default(), 0).unwrap(), 1);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "#LWP-Cookies-2.0\nSet-Cookie3: a=1; path=\"/\"; domain=\"example.com\"; path_spec; \
///      expires=\"2096-10-02 07:06:40Z\"; version=0\n"
/// );
/// ```
pub fn write_lwp<'a>(
    writer: &mut dyn Write,
    cookies: impl IntoIterator<Item = &'a Cookie>,
    opts: SaveOptions,
    now: i64,
) -> io::Result<usize> {
    let mut chunk = super::Chunk::new(writer);
    chunk.push_str(MAGIC)?;
    chunk.push_str("\n")?;
    let mut written = 0;
    for cookie in cookies {
        if !opts.keeps(cookie, now) {
            continue;
        }
        let buf = chunk.buf();
        let start = buf.len();
        buf.push_str(HEADER);
        buf.push(' ');
        if !push_cookie(buf, cookie) {
            buf.truncate(start);
            tracing::warn!(name = %cookie.name, domain = %cookie.domain, "cookie not saved: an LWP file cannot hold it");
            continue;
        }
        chunk.push_str("\n")?;
        written += 1;
    }
    chunk.finish()?;
    Ok(written)
}
