use std::borrow::Cow;

use super::ParseError;

/// One cookie of a parsed `Set-Cookie2` header (RFC 2965 §3.2.2), normalised
/// as Python's `CookieJar._normalized_cookie_tuples` does.
///
/// The standard attributes keep their **first** occurrence, except `Max-Age`,
/// where (as in Python, which files it under `expires`) the last valid one
/// wins. Quoted values arrive unquoted and unescaped.
///
/// ```
/// use clientcookie_jar::parse::parse_set_cookie2;
///
/// let cookies = parse_set_cookie2(
///     br#"sid="a b;c"; Version="1"; Domain=.Example.COM; Port="80,8080"; Discard, lang=en"#,
/// )
/// .unwrap();
/// assert_eq!(cookies.len(), 2);
/// let c = &cookies[0];
/// assert_eq!((c.name.as_str(), c.value.as_str()), ("sid", "a b;c"));
/// assert_eq!(c.version.as_deref(), Some("1"));
/// assert_eq!(c.domain.as_deref(), Some(".example.com"));
/// assert_eq!(c.port, Some(Some("80,8080".to_string())));
/// assert!(c.discard);
/// assert_eq!(cookies[1].name, "lang");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SetCookie2 {
    /// The cookie name (a token: no `=`, `;`, `,` or whitespace). Never empty.
    pub name: String,
    /// The cookie value, unquoted and unescaped if it was a quoted-string.
    pub value: String,
    /// `Version`, unquoted. The jar turns it into a number (Python drops a
    /// cookie whose version is not an integer).
    pub version: Option<String>,
    /// `Comment`; a bare `Comment` leaves this `None` (but still counts as the
    /// first occurrence).
    pub comment: Option<String>,
    /// `CommentURL`; a bare `CommentURL` leaves this `None` (but still counts
    /// as the first occurrence).
    pub comment_url: Option<String>,
    /// The `Discard` flag. As in Python, `Discard=<value>` is set when the
    /// value is not empty (`Discard=""` is not set).
    pub discard: bool,
    /// `Domain`, lowercased as RFC 2965 §3.3.3 and Python do (a leading dot is
    /// kept). A bare `Domain` drops the cookie.
    pub domain: Option<String>,
    /// `Max-Age` in seconds (a Python `int()`: surrounding whitespace, a sign
    /// and `_` between digits are allowed; ASCII digits only), saturated to
    /// `i64`. An invalid or missing value drops the cookie, as Python does.
    pub max_age: Option<i64>,
    /// `Path`, unquoted. A bare `Path` drops the cookie.
    pub path: Option<String>,
    /// `Port`: `Some(None)` for a bare `Port`, `Some(Some("80,8080"))` for
    /// `Port="80,8080"`.
    pub port: Option<Option<String>>,
    /// The `Secure` flag. As in Python, `Secure=<value>` is set when the value
    /// is not empty.
    pub secure: bool,
    /// Every other attribute (including `Expires`, which RFC 2965 does not
    /// have), with its name as written. As in Python's `rest` dictionary, a
    /// repeated name (compared exactly, case included) keeps its first
    /// position and takes the last value.
    pub other: Vec<(String, Option<String>)>,
}

/// Python's `str.isspace()`, which is what `\s` matches in its `re` module:
/// Unicode White_Space plus the information separators U+001C..U+001F.
#[inline]
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// A token ends at `=`, `;`, `,` or whitespace (`HEADER_TOKEN_RE`).
#[inline]
fn ends_token(c: char) -> bool {
    matches!(c, '=' | ';' | ',') || is_py_space(c)
}

/// An unquoted value ends at `;`, `,` or whitespace (`HEADER_VALUE_RE`).
#[inline]
fn ends_value(c: char) -> bool {
    matches!(c, ';' | ',') || is_py_space(c)
}

/// After an opening `"`: the content up to the closing `"` and the text after
/// it, or `None` if the string is not terminated. A backslash escapes any
/// character but a newline (`HEADER_QUOTED_VALUE_RE`: `\\.` without DOTALL).
fn scan_quoted(s: &str) -> Option<(&str, &str, bool)> {
    let mut escaped = false;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((&s[..i], &s[i + 1..], escaped)),
            '\\' => match chars.next() {
                Some((_, '\n')) | None => return None,
                Some(_) => escaped = true,
            },
            _ => {}
        }
    }
    None
}

/// `HEADER_ESCAPE_RE.sub(r"\1", value)`: drop each escaping backslash.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One `name[=value]` pair as `split_header_words` yields it.
type Pair<'a> = (&'a str, Option<Cow<'a, str>>);

/// Python's `split_header_words` for one header value: calls `cookie` with
/// the pairs of each comma-separated cookie that has at least one pair.
fn split_header_words<'a>(mut text: &'a str, mut cookie: impl FnMut(&[Pair<'a>])) {
    let mut pairs: Vec<Pair<'a>> = Vec::new();
    while !text.is_empty() {
        let t = text.trim_start_matches(is_py_space);
        let end = t.find(ends_token).unwrap_or(t.len());
        if end > 0 {
            let name = &t[..end];
            text = &t[end..];
            let mut value = None;
            if let Some(after_eq) = text.trim_start_matches(is_py_space).strip_prefix('=') {
                let v = after_eq.trim_start_matches(is_py_space);
                match v.strip_prefix('"').and_then(scan_quoted) {
                    Some((content, rest, escaped)) => {
                        value = Some(if escaped {
                            Cow::Owned(unescape(content))
                        } else {
                            Cow::Borrowed(content)
                        });
                        text = rest;
                    }
                    None => {
                        let vend = v.find(ends_value).unwrap_or(v.len());
                        value = Some(Cow::Borrowed(&v[..vend]));
                        text = &v[vend..];
                    }
                }
            }
            pairs.push((name, value));
        } else if let Some(rest) = t.strip_prefix(',') {
            text = rest;
            if !pairs.is_empty() {
                cookie(&pairs);
                pairs.clear();
            }
        } else {
            // Skip junk: `^[=\s;]*`. `t` starts with `=` or `;` here, or is
            // empty, so this always makes progress.
            text = t.trim_start_matches(|c| c == '=' || c == ';' || is_py_space(c));
        }
    }
    if !pairs.is_empty() {
        cookie(&pairs);
    }
}

/// Python's `int(str)` for base 10, ASCII digits only, saturating.
fn parse_py_int(s: &str) -> Option<i64> {
    let s = s.trim_matches(is_py_space);
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let bytes = digits.as_bytes();
    if bytes.is_empty() || bytes[0] == b'_' || bytes[bytes.len() - 1] == b'_' {
        return None;
    }
    let mut acc: i64 = 0;
    let mut last_underscore = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                let d = i64::from(b - b'0');
                acc = if negative {
                    acc.saturating_mul(10).saturating_sub(d)
                } else {
                    acc.saturating_mul(10).saturating_add(d)
                };
                last_underscore = false;
            }
            b'_' if !last_underscore => last_underscore = true,
            _ => return None,
        }
    }
    Some(acc)
}

/// Python's truthiness of a boolean attribute: a bare flag is true, a value
/// is true when not empty.
#[inline]
fn flag(v: &Option<Cow<'_, str>>) -> bool {
    v.as_deref().is_none_or(|s| !s.is_empty())
}

#[inline]
fn owned(v: &Option<Cow<'_, str>>) -> Option<String> {
    v.as_deref().map(str::to_owned)
}

/// `_normalized_cookie_tuples` for one cookie; `None` if Python would mark
/// it as a bad cookie, or (our rule) its first pair has no `=`.
fn normalize(pairs: &[Pair<'_>]) -> Option<SetCookie2> {
    let ((name, value), attributes) = pairs.split_first()?;
    // RFC 2965 requires NAME=VALUE; Python would keep a value-less cookie
    // (value None), which `SetCookie2` cannot express, so it is skipped.
    let value = value.as_deref()?;
    let mut cookie = SetCookie2 {
        name: (*name).to_owned(),
        value: value.to_owned(),
        ..SetCookie2::default()
    };
    // Which standard attributes have been seen (first occurrence wins).
    let (mut version, mut comment, mut comment_url) = (false, false, false);
    let (mut discard, mut domain, mut path, mut port, mut secure) =
        (false, false, false, false, false);

    for (k, v) in attributes {
        let is = |known: &str| k.eq_ignore_ascii_case(known);
        if is("max-age") {
            // Python stores Max-Age under "expires", so a later Max-Age is
            // never "already seen": the last valid one wins, and any invalid
            // or missing one drops the cookie.
            cookie.max_age = Some(parse_py_int(v.as_deref()?)?);
        } else if is("version") {
            if !std::mem::replace(&mut version, true) {
                cookie.version = Some(v.as_deref()?.to_owned());
            }
        } else if is("domain") {
            if !std::mem::replace(&mut domain, true) {
                cookie.domain = Some(v.as_deref()?.to_lowercase());
            }
        } else if is("path") {
            if !std::mem::replace(&mut path, true) {
                cookie.path = Some(v.as_deref()?.to_owned());
            }
        } else if is("port") {
            if !std::mem::replace(&mut port, true) {
                cookie.port = Some(owned(v));
            }
        } else if is("comment") {
            if !std::mem::replace(&mut comment, true) {
                cookie.comment = owned(v);
            }
        } else if is("commenturl") {
            if !std::mem::replace(&mut comment_url, true) {
                cookie.comment_url = owned(v);
            }
        } else if is("discard") {
            if !std::mem::replace(&mut discard, true) {
                cookie.discard = flag(v);
            }
        } else if is("secure") {
            if !std::mem::replace(&mut secure, true) {
                cookie.secure = flag(v);
            }
        } else if let Some(slot) = cookie.other.iter_mut().find(|(n, _)| n == k) {
            slot.1 = owned(v);
        } else {
            cookie.other.push(((*k).to_owned(), owned(v)));
        }
    }
    Some(cookie)
}

/// Parse one `Set-Cookie2` header value (it may hold several cookies,
/// separated by commas outside quoted-strings).
///
/// This is Python's `split_header_words` followed by
/// `_normalized_cookie_tuples`: a cookie is dropped when Python would drop it
/// (a bare `Domain`, `Path` or `Version`; a missing or non-integer `Max-Age`),
/// and also when its first pair has no `=` (no value). An empty or blank
/// header gives an empty list. The only error is [`ParseError::NotUtf8`];
/// control characters are not rejected, as Python does not.
///
/// ```
/// use clientcookie_jar::parse::parse_set_cookie2;
///
/// let cookies = parse_set_cookie2(br#"a="x\"y"; Version=1; Max-Age=60, b=2; Max-Age=soon"#).unwrap();
/// assert_eq!(cookies.len(), 1); // b is dropped: its Max-Age is not an integer
/// assert_eq!(cookies[0].value, "x\"y");
/// assert_eq!(cookies[0].max_age, Some(60));
///
/// assert!(parse_set_cookie2(b"  ").unwrap().is_empty());
/// ```
pub fn parse_set_cookie2(bytes: &[u8]) -> Result<Vec<SetCookie2>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ParseError::NotUtf8)?;
    let mut cookies = Vec::new();
    split_header_words(text, |pairs| cookies.extend(normalize(pairs)));
    Ok(cookies)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_header_words` output in Python's shape.
    fn words(s: &str) -> Vec<Vec<(String, Option<String>)>> {
        let mut out = Vec::new();
        split_header_words(s, |pairs| {
            out.push(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), owned(v)))
                    .collect(),
            )
        });
        out
    }

    fn p(k: &str, v: Option<&str>) -> (String, Option<String>) {
        (k.to_owned(), v.map(str::to_owned))
    }

    fn parse(s: &str) -> Vec<SetCookie2> {
        parse_set_cookie2(s.as_bytes()).unwrap()
    }

    fn one(s: &str) -> SetCookie2 {
        let mut v = parse(s);
        assert_eq!(v.len(), 1, "{s:?} -> {v:?}");
        v.pop().unwrap()
    }

    // ---- split_header_words, cross-checked against CPython 3.11.7 --------
    // Each expectation is what
    //   python3 -c 'from http.cookiejar import split_header_words as s; print(s([H]))'
    // printed for the header H.

    #[test]
    fn python_docstring_example_with_quoted_port_and_two_cookies() {
        assert_eq!(
            words(r#"foo="bar"; port="80,81"; discard, bar=baz"#),
            vec![
                vec![
                    p("foo", Some("bar")),
                    p("port", Some("80,81")),
                    p("discard", None)
                ],
                vec![p("bar", Some("baz"))],
            ]
        );
    }

    #[test]
    fn python_leading_equals_is_junk_and_name_becomes_lone_token() {
        assert_eq!(
            words("=foo; Version=1"),
            vec![vec![p("foo", None), p("Version", Some("1"))]]
        );
        assert_eq!(words("=a=bar"), vec![vec![p("a", Some("bar"))]]);
    }

    #[test]
    fn python_empty_blank_and_comma_only_headers_give_nothing() {
        assert!(words("").is_empty());
        assert!(words("   ").is_empty());
        assert!(words(",,,").is_empty());
    }

    #[test]
    fn python_commas_separate_cookies_and_quotes_are_removed() {
        assert_eq!(
            words(r#"a=1; Version=1, b=2; Version="1""#),
            vec![
                vec![p("a", Some("1")), p("Version", Some("1"))],
                vec![p("b", Some("2")), p("Version", Some("1"))],
            ]
        );
    }

    #[test]
    fn python_backslash_escapes_and_separators_inside_quotes() {
        assert_eq!(
            words(r#"a="x\"y\\z;,w"; Path="/""#),
            vec![vec![p("a", Some(r#"x"y\z;,w"#)), p("Path", Some("/"))]]
        );
    }

    #[test]
    fn python_unterminated_quote_is_an_unquoted_value() {
        assert_eq!(
            words(r#"a="unterminated; Path=/"#),
            vec![vec![p("a", Some("\"unterminated")), p("Path", Some("/"))]]
        );
        assert_eq!(
            words("a=b; Max-Age=10, c=\"d\\"),
            vec![
                vec![p("a", Some("b")), p("Max-Age", Some("10"))],
                vec![p("c", Some("\"d\\"))],
            ]
        );
    }

    #[test]
    fn python_spaces_around_equals_and_lone_tokens() {
        assert_eq!(
            words(r#"a = b ; Comment = "hi there" ; Port"#),
            vec![vec![
                p("a", Some("b")),
                p("Comment", Some("hi there")),
                p("Port", None)
            ]]
        );
    }

    #[test]
    fn python_repeated_semicolons_are_junk() {
        assert_eq!(
            words("a=b;;; ;Secure;Discard"),
            vec![vec![
                p("a", Some("b")),
                p("Secure", None),
                p("Discard", None)
            ]]
        );
    }

    #[test]
    fn python_whitespace_separates_pairs_like_semicolons() {
        assert_eq!(
            words("a=b c=d"),
            vec![vec![p("a", Some("b")), p("c", Some("d"))]]
        );
    }

    #[test]
    fn python_unicode_whitespace_and_information_separators_are_spaces() {
        assert_eq!(words("x=\x1cy"), vec![vec![p("x", Some("y"))]]);
        assert_eq!(
            words("a=b\u{a0}c"),
            vec![vec![p("a", Some("b")), p("c", None)]]
        );
        assert_eq!(
            words("a=b;\u{85}c=d"),
            vec![vec![p("a", Some("b")), p("c", Some("d"))]]
        );
    }

    #[test]
    fn python_backslash_newline_is_not_an_escape() {
        assert_eq!(
            words("a=\"b\\\nc\""),
            vec![vec![p("a", Some("\"b\\")), p("c\"", None)]]
        );
    }

    #[test]
    fn python_empty_value_and_equals_in_value() {
        assert_eq!(words("a=;b"), vec![vec![p("a", Some("")), p("b", None)]]);
        assert_eq!(words("a==b"), vec![vec![p("a", Some("=b"))]]);
    }

    #[test]
    fn python_empty_cookies_between_commas_are_skipped() {
        assert_eq!(
            words(r#"name="v", , other=1;=;x"#),
            vec![
                vec![p("name", Some("v"))],
                vec![p("other", Some("1")), p("x", None)],
            ]
        );
    }

    // ---- normalisation, cross-checked against CookieJar.make_cookies ------

    #[test]
    fn a_simple_cookie_with_attributes() {
        let c = one("sid=abc; Version=1; Path=/app; Domain=.example.com; Max-Age=60");
        assert_eq!(c.name, "sid");
        assert_eq!(c.value, "abc");
        assert_eq!(c.version.as_deref(), Some("1"));
        assert_eq!(c.path.as_deref(), Some("/app"));
        assert_eq!(c.domain.as_deref(), Some(".example.com"));
        assert_eq!(c.max_age, Some(60));
        assert!(!c.secure && !c.discard);
        assert_eq!(c.port, None);
        assert!(c.other.is_empty());
    }

    #[test]
    fn several_cookies_in_one_header() {
        let v = parse("a=1; Version=1, b=2; Version=1; Secure");
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].name.as_str(), v[0].value.as_str()), ("a", "1"));
        assert_eq!((v[1].name.as_str(), v[1].value.as_str()), ("b", "2"));
        assert!(!v[0].secure);
        assert!(v[1].secure);
    }

    #[test]
    fn an_empty_or_blank_header_gives_no_cookies() {
        assert!(parse("").is_empty());
        assert!(parse(" \t ").is_empty());
        assert!(parse(" , ;, = ").is_empty());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error() {
        assert_eq!(parse_set_cookie2(b"a=\xff"), Err(ParseError::NotUtf8));
    }

    #[test]
    fn a_cookie_without_a_value_is_skipped() {
        // Python keeps ("a", None); SetCookie2 has no way to say "no value".
        assert!(parse("a; Version=1").is_empty());
        assert!(parse("=foo; Version=1").is_empty());
        let v = parse("a; Version=1, b=2");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].name, "b");
    }

    #[test]
    fn a_leading_equals_sign_is_skipped_as_python_does() {
        let c = one("=a=bar");
        assert_eq!((c.name.as_str(), c.value.as_str()), ("a", "bar"));
    }

    #[test]
    fn attribute_names_are_case_insensitive() {
        let c =
            one("a=b; VERSION=1; pAtH=/; DoMaIn=X.Example; sEcUrE; DISCARD; port; COMMENTurl=u");
        assert_eq!(c.version.as_deref(), Some("1"));
        assert_eq!(c.path.as_deref(), Some("/"));
        assert_eq!(c.domain.as_deref(), Some("x.example"));
        assert!(c.secure && c.discard);
        assert_eq!(c.port, Some(None));
        assert_eq!(c.comment_url.as_deref(), Some("u"));
    }

    #[test]
    fn the_first_occurrence_of_a_standard_attribute_wins() {
        let c = one(
            "a=b; Version=1; Version=2; Path=/x; Path=/y; Domain=.One.example; Domain=two; \
             Port=80; Port=81; Comment=c1; Comment=c2; CommentURL=u1; CommentURL=u2",
        );
        assert_eq!(c.version.as_deref(), Some("1"));
        assert_eq!(c.path.as_deref(), Some("/x"));
        assert_eq!(c.domain.as_deref(), Some(".one.example"));
        assert_eq!(c.port, Some(Some("80".into())));
        assert_eq!(c.comment.as_deref(), Some("c1"));
        assert_eq!(c.comment_url.as_deref(), Some("u1"));
    }

    #[test]
    fn a_bare_comment_still_counts_as_the_first_comment() {
        // Python: 'a=b; Version=1; Comment; Comment=x' keeps comment None.
        let c = one("a=b; Version=1; Comment; Comment=x; CommentURL; CommentURL=y");
        assert_eq!(c.comment, None);
        assert_eq!(c.comment_url, None);
    }

    #[test]
    fn domain_is_lowercased() {
        // Python: 'a=b; Version=1; Domain=.EXAMPLE.com; Domain=x' -> '.example.com'
        let c = one("a=b; Version=1; Domain=.EXAMPLE.com; Domain=x");
        assert_eq!(c.domain.as_deref(), Some(".example.com"));
    }

    #[test]
    fn a_bare_domain_path_or_version_drops_the_cookie() {
        // Python: 'a=b; Version=1; Path; ' -> no cookie
        assert!(parse("a=b; Version=1; Path; ").is_empty());
        assert!(parse("a=b; Domain").is_empty());
        assert!(parse("a=b; Version").is_empty());
        // ...but only that cookie.
        assert_eq!(parse("a=b; Path, c=d").len(), 1);
    }

    #[test]
    fn a_bare_attribute_after_a_valued_one_is_ignored() {
        let c = one("a=b; Path=/p; Path; Domain=d; Domain; Version=1; Version");
        assert_eq!(c.path.as_deref(), Some("/p"));
        assert_eq!(c.domain.as_deref(), Some("d"));
        assert_eq!(c.version.as_deref(), Some("1"));
    }

    #[test]
    fn port_without_a_value_is_some_none() {
        assert_eq!(one("a=b; Port").port, Some(None));
        assert_eq!(one("a=b").port, None);
    }

    #[test]
    fn a_quoted_port_list_is_one_value() {
        assert_eq!(
            one(r#"a=b; Port="80,8080""#).port,
            Some(Some("80,8080".into()))
        );
    }

    #[test]
    fn discard_and_secure_are_flags() {
        let c = one("a=b; Discard; Secure");
        assert!(c.discard && c.secure);
        let c = one("a=b; Discard=yes; Secure=1");
        assert!(c.discard && c.secure);
    }

    #[test]
    fn an_empty_flag_value_is_false_and_counts_as_first() {
        // Python: 'a=b; Version=1; Secure=; Secure' -> secure == ''
        let c = one("a=b; Version=1; Secure=; Secure");
        assert!(!c.secure);
        assert!(!one("a=b; Discard=\"\"").discard);
    }

    #[test]
    fn max_age_is_a_python_int() {
        assert_eq!(one("a=b; Max-Age=60").max_age, Some(60));
        assert_eq!(one("a=b; Max-Age=0").max_age, Some(0));
        assert_eq!(one("a=b; Max-Age=-5").max_age, Some(-5));
        assert_eq!(one("a=b; Max-Age=+5").max_age, Some(5));
        assert_eq!(one("a=b; Max-Age=1_000").max_age, Some(1000));
        assert_eq!(one("a=b; Max-Age=\" 10 \"").max_age, Some(10));
    }

    #[test]
    fn the_last_max_age_wins_as_in_python() {
        // Python: 'a=b; Version=1; Max-Age=10; Max-Age=20' expires in 20 s.
        assert_eq!(
            one("a=b; Version=1; Max-Age=10; Max-Age=20").max_age,
            Some(20)
        );
    }

    #[test]
    fn an_invalid_max_age_drops_the_cookie() {
        // Python: 'a=b; Version=1; Max-Age=10; Max-Age=x' -> no cookie.
        assert!(parse("a=b; Version=1; Max-Age=10; Max-Age=x").is_empty());
        // Python raises TypeError for a bare Max-Age; we just drop the cookie.
        assert!(parse("a=b; Version=1; Max-Age").is_empty());
        for bad in ["", "1.5", "1__0", "_1", "1_", "--1", "+", "0x10", "ten"] {
            let header = format!("a=b; Max-Age=\"{bad}\", c=d");
            let v = parse(&header);
            assert_eq!(v.len(), 1, "{header}");
            assert_eq!(v[0].name, "c");
        }
    }

    #[test]
    fn huge_max_age_saturates() {
        assert_eq!(
            one("a=b; Max-Age=99999999999999999999999").max_age,
            Some(i64::MAX)
        );
        assert_eq!(
            one("a=b; Max-Age=-99999999999999999999999").max_age,
            Some(i64::MIN)
        );
    }

    #[test]
    fn other_attributes_keep_first_position_and_last_value() {
        // Python: 'a=b; Version=1; Foo=1; foo=2; Foo=3' -> rest {'Foo': '3', 'foo': '2'}
        let c = one("a=b; Version=1; Foo=1; foo=2; Foo=3; Bare");
        assert_eq!(
            c.other,
            vec![p("Foo", Some("3")), p("foo", Some("2")), p("Bare", None)]
        );
    }

    #[test]
    fn expires_goes_to_other() {
        let c = one("a=b; Expires=Thu");
        assert_eq!(c.other, vec![p("Expires", Some("Thu"))]);
    }

    #[test]
    fn quoted_values_are_unescaped() {
        let c = one(r#"a="q\"uo\\te;d,"; Comment="it's \"fine\"""#);
        assert_eq!(c.value, r#"q"uo\te;d,"#);
        assert_eq!(c.comment.as_deref(), Some(r#"it's "fine""#));
    }

    #[test]
    fn version_is_unquoted() {
        assert_eq!(one(r#"a=b; Version="1""#).version.as_deref(), Some("1"));
    }

    #[test]
    fn parse_py_int_rules() {
        assert_eq!(parse_py_int("42"), Some(42));
        assert_eq!(parse_py_int(" -4_2 "), Some(-42));
        assert_eq!(parse_py_int("-"), None);
        assert_eq!(parse_py_int(""), None);
        assert_eq!(parse_py_int("4 2"), None);
    }
}
