//! How large a jar may grow, so that a hostile server cannot grow it without
//! bound.

/// Size limits of a [`CookieJar`](crate::CookieJar).
///
/// When a registrable domain holds more than `max_cookies_per_site` cookies,
/// or the jar more than `max_cookies`, the jar evicts expired cookies first,
/// then the least recently used ones (RFC 6265 §5.3 "the user agent SHOULD
/// evict"), down to five sixths of the limit, as Chromium does (180 → 150),
/// so that eviction runs rarely and costs little per cookie.
///
/// The default total, 10,000, is three times Chromium's per-profile 3,300: a
/// client that crawls needs more than a browser tab. A crawler that keeps
/// 100,000 sessions raises it:
///
/// ```
/// use clientcookie_jar::{CookieJar, Limits};
///
/// let jar = CookieJar::builder()
///     .limits(Limits { max_cookies: 1_000_000, ..Limits::default() })
///     .build();
/// assert_eq!(jar.limits().max_cookies, 1_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest `name` + `value`, in bytes (RFC 6265bis §5.6: 4096).
    pub max_cookie_size: usize,
    /// Most cookies for one registrable domain and all its subdomains
    /// (Chromium: 180).
    pub max_cookies_per_site: usize,
    /// Most cookies in the jar.
    pub max_cookies: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_cookie_size: 4096,
            max_cookies_per_site: 180,
            max_cookies: 10_000,
        }
    }
}

impl Limits {
    /// How many cookies eviction keeps when `limit` is exceeded.
    pub(crate) fn keep_after_eviction(limit: usize) -> usize {
        limit - limit / 6
    }
}
