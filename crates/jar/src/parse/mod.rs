//! Parsers for the cookie headers a server sends. Total functions over bytes:
//! they never panic, and bytes that are not UTF-8 give an error, not a crash.

mod set_cookie;
mod set_cookie2;

pub use set_cookie::{parse_set_cookie, SetCookie};
pub use set_cookie2::{parse_set_cookie2, SetCookie2};

/// Why a header could not be turned into a cookie.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The header is not valid UTF-8.
    #[error("cookie header is not valid UTF-8")]
    NotUtf8,
    /// RFC 6265bis §5.6: a cookie with neither a name nor a value is ignored.
    #[error("cookie has neither a name nor a value")]
    Empty,
    /// RFC 6265bis §5.6: name and value together longer than 4096 bytes.
    #[error("cookie name and value are {0} bytes long, more than 4096")]
    TooLong(usize),
    /// RFC 6265bis §5.6: control characters other than tab in the header.
    #[error("cookie contains a control character")]
    ControlCharacter,
}

/// The `SameSite` attribute (RFC 6265bis §4.1.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// Only same-site requests carry the cookie.
    Strict,
    /// Same-site requests and cross-site top-level navigations with a safe method.
    Lax,
    /// Every request carries it (browsers require `Secure` with it).
    None,
}
