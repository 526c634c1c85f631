//! # clientcookie-jar
//!
//! The cookie jar of clientcookie: what ClientCookie's `CookieJar`,
//! `DefaultCookiePolicy` and `str2time` did, done as browsers do Netscape
//! cookies today (RFC 6265bis) and as RFC 2965 says for `Set-Cookie2` when
//! that is switched on (it is off by default, as in the seed).
//!
//! No async, no tower: this crate works on [`http`] types and plain values.
//!
//! ```
//! use clientcookie_jar::CookieJar;
//!
//! let mut jar = CookieJar::new();
//! let request = http::Request::get("https://www.example.com/login").body(()).unwrap();
//! let response = http::Response::builder()
//!     .header("set-cookie", "sid=42; Domain=example.com; Path=/; Secure")
//!     .body(())
//!     .unwrap();
//! jar.extract_cookies(&request, &response);
//!
//! let mut next = http::Request::get("https://example.com/account").body(()).unwrap();
//! jar.add_cookie_header(&mut next);
//! assert_eq!(next.headers()["cookie"], "sid=42");
//! ```
//!
//! ## Where things are
//!
//! | seed | here |
//! |---|---|
//! | `Cookie` | [`Cookie`] |
//! | `CookieJar` | [`CookieJar`] (indexed by domain, bounded by [`Limits`]) |
//! | `CookiePolicy`, `DefaultCookiePolicy` | [`CookiePolicy`], [`DefaultCookiePolicy`] |
//! | `str2time`, `http2time`, `iso2time` | [`date`] |
//! | `_debug` output | `tracing` events at debug level, [`Reason`], [`CookieJar::explain`] |
//! | `FileCookieJar`, `LWPCookieJar`, `MozillaCookieJar` | [`store::CookieFile`], [`store::lwp`], [`store::mozilla`] |
//! | `MSIECookieJar` (its cookie files) | [`store::msie`] |
//! | `BSDDBCookieJar` | [`store::sqlite`] (cargo feature `sqlite`, on by default) |
//! | `MSIEDBCookieJar` (a browser's own database, unfinished in the seed) | [`store::firefox`] (read and write), [`store::chromium`] (read; cargo feature `chromium`) |
//! | the request's `unverifiable`, `origin_req_host` | [`RequestFacts`] in `http::Extensions` |
//!
//! With the `reqwest` feature, [`SharedJar`] is a `reqwest::cookie::CookieStore`
//! (see `reqwest_store`): a better jar for a plain reqwest client.

pub mod clock;
mod cookie;
pub mod date;
mod domain;
mod events;
mod index;
mod jar;
mod limits;
mod make;
pub mod parse;
mod policy;
mod reason;
mod request;
#[cfg(feature = "reqwest")]
pub mod reqwest_store;
pub mod store;
mod summary;
mod value;

/// The string type of [`Cookie`]'s name, domain and path (and of the
/// parser's [`SetCookie`](parse::SetCookie)): a `String` that keeps up to 24
/// bytes inline, so most cookies need no allocation for these and a lookup
/// reads them without following a pointer. It derefs to `str` and converts
/// from `&str` and `String` with `.into()`. (The value, often longer, is a
/// [`CookieValue`].)
///
/// ```
/// use clientcookie_jar::{CompactString, Cookie};
/// let mut cookie = Cookie::new("sid", "42", "example.com", "/");
/// cookie.name = CompactString::from("session");
/// assert_eq!(cookie.to_string(), "session=42");
/// ```
pub use compact_str::CompactString;
pub use cookie::{Cookie, CookieExtras, SameSite};
pub use domain::{domain_match, path_match};
pub use events::{ChangeKind, CookieEvent, CookieSink};
pub use jar::{CookieJar, CookieJarBuilder, Explanation, SetCookieOutcome, SharedJar, Stored};
pub use limits::Limits;
pub use policy::{CookiePolicy, DefaultCookiePolicy, DomainStrictness};
#[doc(hidden)]
pub use policy::{LookupRules, StoreRules};
pub use reason::Reason;
pub use request::{CookieRequest, RequestError, RequestFacts};
pub use value::CookieValue;
