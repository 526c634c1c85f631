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

use std::io::{self, BufRead, Write};

use super::{has_line_break, Lines, LoadError, Malformed, SaveOptions};
use crate::date::{iso2time, time2isoz};
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

type Pairs = Vec<(String, Option<String>)>;

/// The body of a quoted string after its opening quote: the unescaped
/// value and the bytes consumed including the closing quote, or `None`
/// when the quote is not closed (the seed then reads the value unquoted).
fn quoted(text: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, i + 1)),
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
pub(crate) fn split_header_words(text: &str) -> Vec<Pairs> {
    let mut result = Vec::new();
    let mut pairs = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let trimmed = rest.trim_start_matches(is_space);
        let token_len = trimmed
            .find(|c: char| matches!(c, '=' | ';' | ',') || is_space(c))
            .unwrap_or(trimmed.len());
        if token_len > 0 {
            let name = trimmed[..token_len].to_string();
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
                        value = Some(after_eq[..len].to_string());
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
/// assert_eq!(cookies[0].rest, [("Priority".to_string(), Some("High".to_string()))]);
/// ```
pub fn read_lwp(reader: impl BufRead) -> Result<Vec<Cookie>, LoadError> {
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
    let mut cookies = Vec::new();
    while let Some(line) = lines.next_line()? {
        let Some(body) = line.strip_prefix(HEADER) else {
            continue;
        };
        let mut parsed = Vec::new();
        for words in split_header_words(body.trim_matches(is_space)) {
            parsed.push(cookie_from_words(words));
        }
        for cookie in parsed {
            cookies.push(cookie.map_err(|reason| lines.malformed(reason))?);
        }
    }
    Ok(cookies)
}

#[derive(Default)]
struct Standard {
    booleans: [bool; 5],
    values: [Option<String>; 7],
}

impl Standard {
    fn flag(&self, name: &str) -> bool {
        BOOLEAN_ATTRS
            .iter()
            .position(|a| *a == name)
            .is_some_and(|i| self.booleans[i])
    }

    fn take(&mut self, name: &str) -> Option<String> {
        VALUE_ATTRS
            .iter()
            .position(|a| *a == name)
            .and_then(|i| self.values[i].take())
    }
}

fn cookie_from_words(words: Pairs) -> Result<Cookie, Malformed> {
    let mut words = words.into_iter();
    let Some((first_name, first_value)) = words.next() else {
        return Err(Malformed::MissingDomain);
    };
    let mut standard = Standard::default();
    let mut rest: Pairs = Vec::new();
    let mut http_only = false;
    let mut same_site = None;
    for (key, value) in words {
        let lower = key.to_lowercase();
        if let Some(i) = BOOLEAN_ATTRS.iter().position(|a| *a == lower) {
            // The seed stores the value itself: `secure=""` is false.
            standard.booleans[i] = value.as_deref().map_or(true, |v| !v.is_empty());
        } else if let Some(i) = VALUE_ATTRS.iter().position(|a| *a == lower) {
            standard.values[i] = value;
        } else if lower == "httponly" {
            http_only = true;
        } else if let Some(site) = (lower == "samesite")
            .then(|| value.as_deref().and_then(parse_same_site))
            .flatten()
        {
            same_site = Some(site);
        } else if let Some(slot) = rest.iter_mut().find(|(k, _)| *k == key) {
            // A dict in the seed: the last value wins, the first place stays.
            slot.1 = value;
        } else {
            rest.push((key, value));
        }
    }

    let domain = standard.take("domain").ok_or(Malformed::MissingDomain)?;
    let path = standard.take("path").ok_or(Malformed::MissingPath)?;
    let version = match standard.take("version") {
        None => None,
        Some(v) => match v.trim().trim_start_matches('+').parse::<u32>() {
            Ok(0) => None,
            Ok(n) => Some(n),
            Err(_) => return Err(Malformed::Version(v)),
        },
    };
    let port = standard.take("port");
    let port_specified = standard.flag("port_spec");
    if port_specified && port.is_none() {
        return Err(Malformed::PortSpecWithoutPort);
    }
    let expires = standard.take("expires").and_then(|e| iso2time(&e));

    let (name, value) = match first_value {
        Some(value) => (first_name, value),
        // `Set-Cookie3: foo; ...` is the seed's cookie named "foo" with no
        // value: a cookie with an empty name here.
        None => (String::new(), first_name),
    };
    let dotted = domain.starts_with('.');
    let mut cookie = Cookie::new(name, value, "", path);
    cookie.domain = domain.strip_prefix('.').unwrap_or(&domain).to_lowercase();
    cookie.host_only = !dotted;
    cookie.domain_specified = dotted;
    cookie.domain_initial_dot = standard.flag("domain_dot");
    cookie.version = version;
    cookie.port = port;
    cookie.port_specified = port_specified;
    cookie.path_specified = standard.flag("path_spec");
    cookie.secure = standard.flag("secure");
    cookie.expires = expires;
    cookie.discard = standard.flag("discard") || expires.is_none();
    cookie.comment = standard.take("comment");
    cookie.comment_url = standard.take("commenturl");
    cookie.rest = rest;
    cookie.http_only = http_only;
    cookie.same_site = same_site;
    Ok(cookie)
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
    !s.is_empty() && !s.contains(|c: char| matches!(c, '=' | ';' | ',') || is_space(c))
}

/// The seed's `join_header_words` quoting: bare when `^\w+$`, else quoted
/// with `"` and `\` escaped.
fn push_value(out: &mut String, value: &str) {
    if !value.is_empty() && value.chars().all(|c| c.is_alphanumeric() || c == '_') {
        out.push_str(value);
    } else {
        out.push('"');
        for c in value.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
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
    let fields = [
        Some(&cookie.value),
        Some(&cookie.path),
        Some(&cookie.domain),
        cookie.port.as_ref(),
        cookie.comment.as_ref(),
        cookie.comment_url.as_ref(),
    ];
    if fields.into_iter().flatten().any(|f| has_line_break(f)) {
        return None;
    }
    let mut out = String::new();
    if cookie.name.is_empty() {
        // Read back as a cookie with an empty name (see the reader).
        if !is_token(&cookie.value) {
            return None;
        }
        out.push_str(&cookie.value);
    } else {
        if !is_token(&cookie.name) {
            return None;
        }
        out.push_str(&cookie.name);
        out.push('=');
        push_value(&mut out, &cookie.value);
    }
    let mut attr = |key: &str, value: Option<&str>| {
        out.push_str("; ");
        out.push_str(key);
        if let Some(v) = value {
            out.push('=');
            push_value(&mut out, v);
        }
    };
    attr("path", Some(&cookie.path));
    attr("domain", Some(&cookie.dotted_domain()));
    if let Some(port) = &cookie.port {
        attr("port", Some(port));
    }
    if cookie.path_specified {
        attr("path_spec", None);
    }
    if cookie.port_specified && cookie.port.is_some() {
        attr("port_spec", None);
    }
    if cookie.domain_initial_dot {
        attr("domain_dot", None);
    }
    if cookie.secure {
        attr("secure", None);
    }
    if let Some(t) = cookie.expires {
        attr("expires", Some(&time2isoz(t)));
    }
    if cookie.discard {
        attr("discard", None);
    }
    if let Some(comment) = cookie.comment.as_deref().filter(|c| !c.is_empty()) {
        attr("comment", Some(comment));
    }
    if let Some(url) = cookie.comment_url.as_deref().filter(|c| !c.is_empty()) {
        attr("commenturl", Some(url));
    }
    for (key, value) in &cookie.rest {
        let lower = key.to_lowercase();
        let reserved = BOOLEAN_ATTRS.contains(&lower.as_str())
            || VALUE_ATTRS.contains(&lower.as_str())
            || lower == "httponly"
            || lower == "samesite";
        if reserved || !is_token(key) || value.as_deref().is_some_and(has_line_break) {
            tracing::warn!(cookie = %cookie.name, attribute = %key, "attribute not saved: an LWP file cannot hold it");
            continue;
        }
        attr(key, value.as_deref());
    }
    if cookie.http_only {
        attr("HttpOnly", None);
    }
    if let Some(site) = cookie.same_site {
        attr("SameSite", Some(same_site_str(site)));
    }
    attr("version", Some(&cookie.version.unwrap_or(0).to_string()));
    Some(out)
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
    writer.write_all(MAGIC.as_bytes())?;
    writer.write_all(b"\n")?;
    let mut written = 0;
    for cookie in cookies {
        if !opts.keeps(cookie, now) {
            continue;
        }
        let Some(line) = lwp_cookie_str(cookie) else {
            tracing::warn!(name = %cookie.name, domain = %cookie.domain, "cookie not saved: an LWP file cannot hold it");
            continue;
        };
        writer.write_all(HEADER.as_bytes())?;
        writer.write_all(b" ")?;
        writer.write_all(line.as_bytes())?;
        writer.write_all(b"\n")?;
        written += 1;
    }
    Ok(written)
}
