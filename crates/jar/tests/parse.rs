//! Property tests for the cookie header parsers.

use clientcookie_jar::parse::{parse_set_cookie, parse_set_cookie2, ParseError};
use proptest::prelude::*;

/// RFC 6265 token characters (cookie names, attribute names).
const TOKEN: &str = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
/// RFC 6265 cookie-octet: no CTL, whitespace, DQUOTE, comma, semicolon or
/// backslash.
const COOKIE_OCTET: &str = "[!#-+\\--:<-\\[\\]-~]";

fn token(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TOKEN}{{1,{max}}}")).unwrap()
}

fn cookie_value(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{COOKIE_OCTET}{{0,{max}}}")).unwrap()
}

/// Text that looks like a cookie header: separators, quotes, escapes,
/// whitespace, control characters and the attribute names the parsers know.
fn header_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::string::string_regex("[a-zA-Z0-9=;,\" \t\\\\\\x00-\\x1f\\x7f\u{a0}é-]{0,12}")
            .unwrap(),
        Just("Max-Age=".to_string()),
        Just("Domain=".to_string()),
        Just("Path=".to_string()),
        Just("Secure".to_string()),
        Just("HttpOnly".to_string()),
        Just("SameSite=".to_string()),
        Just("Version=".to_string()),
        Just("Port=\"80,81\"".to_string()),
        Just("Discard".to_string()),
        Just("Comment=".to_string()),
        Just("CommentURL=".to_string()),
        Just("; ".to_string()),
        Just(", ".to_string()),
        Just("\"".to_string()),
        Just("99999999999999999999999".to_string()),
    ];
    proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn set_cookie_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(c) = parse_set_cookie(&bytes) {
            prop_assert!(c.name.len() + c.value.len() <= 4096);
            prop_assert!(!c.name.is_empty());
        }
    }

    #[test]
    fn set_cookie_never_panics_on_header_like_text(text in header_like()) {
        if let Ok(c) = parse_set_cookie(text.as_bytes()) {
            prop_assert!(c.name.len() + c.value.len() <= 4096);
            prop_assert!(!c.name.is_empty());
        }
    }

    #[test]
    fn set_cookie2_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_set_cookie2(&bytes);
    }

    #[test]
    fn set_cookie2_never_panics_on_arbitrary_text(text in any::<String>()) {
        for c in parse_set_cookie2(text.as_bytes()).unwrap() {
            prop_assert!(!c.name.is_empty());
        }
    }

    #[test]
    fn set_cookie2_never_panics_on_header_like_text(text in header_like()) {
        for c in parse_set_cookie2(text.as_bytes()).unwrap() {
            prop_assert!(!c.name.is_empty());
        }
    }

    #[test]
    fn set_cookie_fields_round_trip(
        name in token(40),
        value in cookie_value(60),
        path in proptest::string::string_regex("/[a-z0-9/._-]{0,20}").unwrap(),
        domain in proptest::string::string_regex("\\.?[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){0,3}").unwrap(),
    ) {
        let header = format!("{name}={value}; Path={path}; Domain={domain}; Secure");
        let c = parse_set_cookie(header.as_bytes()).unwrap();
        prop_assert_eq!(&c.name, &name);
        prop_assert_eq!(&c.value, &value);
        prop_assert_eq!(c.path.as_deref(), Some(path.as_str()));
        prop_assert_eq!(c.domain.as_deref(), Some(domain.as_str()));
        prop_assert!(c.secure);
        prop_assert!(!c.http_only);
        prop_assert_eq!(c.max_age, None);
        prop_assert!(c.other.is_empty());
    }

    #[test]
    fn set_cookie_length_limit_is_never_exceeded(
        name_len in 1usize..3000,
        value_len in 0usize..3000,
    ) {
        let header = format!("{}={}; Path=/", "n".repeat(name_len), "v".repeat(value_len));
        match parse_set_cookie(header.as_bytes()) {
            Ok(c) => {
                prop_assert!(name_len + value_len <= 4096);
                prop_assert!(c.name.len() + c.value.len() <= 4096);
            }
            Err(e) => {
                prop_assert!(name_len + value_len > 4096);
                prop_assert_eq!(e, ParseError::TooLong(name_len + value_len));
            }
        }
    }

    #[test]
    fn set_cookie2_fields_round_trip(
        name in token(40),
        value in cookie_value(60),
        path in proptest::string::string_regex("/[a-z0-9/._-]{0,20}").unwrap(),
        domain in proptest::string::string_regex("\\.?[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){0,3}").unwrap(),
        max_age in any::<i64>(),
    ) {
        let header = format!(
            "{name}={value}; Version=1; Path={path}; Domain={domain}; Max-Age={max_age}; Secure, \
             {name}={value}"
        );
        let v = parse_set_cookie2(header.as_bytes()).unwrap();
        prop_assert_eq!(v.len(), 2);
        let c = &v[0];
        prop_assert_eq!(&c.name, &name);
        prop_assert_eq!(&c.value, &value);
        prop_assert_eq!(c.version.as_deref(), Some("1"));
        prop_assert_eq!(c.path.as_deref(), Some(path.as_str()));
        prop_assert_eq!(c.domain.as_deref(), Some(domain.as_str()));
        prop_assert_eq!(c.max_age, Some(max_age));
        prop_assert!(c.secure);
        prop_assert_eq!(&v[1].name, &name);
        prop_assert!(!v[1].secure);
    }

    #[test]
    fn set_cookie2_quoted_values_round_trip(
        name in token(20),
        value in "[ -~]{0,40}",
        comment in "[ -~]{0,40}",
    ) {
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let header = format!("{name}={}; Comment={}, next=1", quote(&value), quote(&comment));
        let v = parse_set_cookie2(header.as_bytes()).unwrap();
        prop_assert_eq!(v.len(), 2);
        prop_assert_eq!(&v[0].name, &name);
        prop_assert_eq!(&v[0].value, &value);
        prop_assert_eq!(v[0].comment.as_deref(), Some(comment.as_str()));
        prop_assert_eq!(&v[1].name, "next");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The unfiltered variant: may reach `date::parse_cookie_date`.
    #[test]
    fn set_cookie_never_panics_even_with_expires(
        text in header_like(),
        date in "[ -~]{0,40}",
    ) {
        let header = format!("{text}; Expires={date}; {text}");
        if let Ok(c) = parse_set_cookie(header.as_bytes()) {
            prop_assert!(c.name.len() + c.value.len() <= 4096);
        }
    }
}
