//! Parsers for the cookie headers a server sends. Total functions over bytes:
//! they never panic, and bytes that are not UTF-8 give an error, not a crash.
//!
//! * [`parse_set_cookie`] reads one `Set-Cookie` header value as RFC 6265
//!   §5.2 says, with the size limits and control-character rule of RFC 6265bis
//!   §5.6.
//! * [`parse_set_cookie2`] reads one `Set-Cookie2` header value (RFC 2965)
//!   the way Python's `http.cookiejar` does (`split_header_words` followed by
//!   `CookieJar._normalized_cookie_tuples`).
//!
//! The parsers only split and normalise the header: checking the domain,
//! turning a bad path into the default-path, or expiring a cookie whose
//! `Max-Age` is not positive is left to the jar.
//!
//! ```
//! use clientcookie_jar::parse::{parse_set_cookie, parse_set_cookie2, ParseError};
//!
//! let cookie = parse_set_cookie(b"sid=abc; Path=/; Secure").unwrap();
//! assert_eq!((cookie.name.as_str(), cookie.value.as_str()), ("sid", "abc"));
//! assert_eq!(parse_set_cookie(b"no-equals-sign"), Err(ParseError::NoName));
//!
//! let cookies = parse_set_cookie2(b"a=1; Version=1, b=2; Version=1").unwrap();
//! assert_eq!(cookies.len(), 2);
//! ```

mod scan;
mod set_cookie;
mod set_cookie2;

pub(crate) use set_cookie::{parse_parts, parse_usual};
pub use set_cookie::{parse_set_cookie, SetCookie};
pub use set_cookie2::{parse_set_cookie2, SetCookie2};

/// Why a header could not be turned into a cookie.
///
/// ```
/// use clientcookie_jar::parse::{parse_set_cookie, ParseError};
///
/// assert_eq!(parse_set_cookie(b"\xff=1"), Err(ParseError::NotUtf8));
/// assert_eq!(parse_set_cookie(b""), Err(ParseError::Empty));
/// assert_eq!(parse_set_cookie(b"=value"), Err(ParseError::NoName));
/// assert_eq!(parse_set_cookie(b"a=b\nc"), Err(ParseError::ControlCharacter));
/// let long = format!("n={}", "v".repeat(5000));
/// assert_eq!(parse_set_cookie(long.as_bytes()), Err(ParseError::TooLong(5001)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The header is not valid UTF-8.
    #[error("cookie header is not valid UTF-8")]
    NotUtf8,
    /// RFC 6265bis §5.6: a cookie with neither a name nor a value is ignored
    /// (an empty header, or a name-value pair that is just `=`).
    #[error("cookie has neither a name nor a value")]
    Empty,
    /// RFC 6265bis §5.6: name and value together longer than 4096 bytes. The
    /// number is their combined length in bytes.
    #[error("cookie name and value are {0} bytes long, more than 4096")]
    TooLong(usize),
    /// RFC 6265bis §5.6: control characters other than tab in the header.
    #[error("cookie contains a control character")]
    ControlCharacter,
    /// RFC 6265 §5.2: the name-value pair has no `=`, or the name is empty.
    /// Such a cookie is ignored (RFC 6265bis would accept it with an empty
    /// name; the http-state conformance suite expects the RFC 6265 rule).
    #[error("cookie has no name (no '=' or an empty name)")]
    NoName,
}

/// The `SameSite` attribute (RFC 6265bis §4.1.2.7).
///
/// ```
/// use clientcookie_jar::parse::{parse_set_cookie, SameSite};
///
/// let cookie = parse_set_cookie(b"a=b; SameSite=lax").unwrap();
/// assert_eq!(cookie.same_site, Some(SameSite::Lax));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// Only same-site requests carry the cookie.
    Strict,
    /// Same-site requests and cross-site top-level navigations with a safe method.
    Lax,
    /// Every request carries it (browsers require `Secure` with it).
    None,
}
