//! # clientcookie-jar
//!
//! The cookie jar of clientcookie: what ClientCookie's `CookieJar`,
//! `DefaultCookiePolicy` and `str2time` did, done as browsers do Netscape
//! cookies today (RFC 6265bis) and as RFC 2965 says for `Set-Cookie2` when
//! that is switched on (it is off by default, as in the seed).
//!
//! No async, no tower: this crate works on [`http`] types and plain values.
//!

pub mod date;
pub mod parse;
