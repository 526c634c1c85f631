//! Change events: the jar reports each change to an optional sink. Stores
//! that write through (SQLite, a replicated store) are built on this.

use crate::cookie::Cookie;

/// What happened to a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeKind {
    /// A new cookie was stored.
    Added,
    /// A cookie replaced one with the same name, domain and path.
    Replaced,
    /// A cookie was removed: by `clear`, or by a server sending it with an
    /// expiry date in the past.
    Removed,
    /// An expired cookie was dropped by `clear_expired_cookies`.
    Expired,
    /// A cookie was evicted to keep the jar within its limits.
    Evicted,
}

/// One change, as reported to a [`CookieSink`].
#[derive(Debug, Clone, Copy)]
pub struct CookieEvent<'a> {
    /// What happened.
    pub kind: ChangeKind,
    /// The cookie as it is now (added, replaced) or was (removed).
    pub cookie: &'a Cookie,
}

/// Receives the jar's changes, one call per change, while the jar's lock is
/// held: do little here (queue the change, write one row).
///
/// Closures are sinks:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use clientcookie_jar::{ChangeKind, Cookie, CookieEvent, CookieJar};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let mut jar = CookieJar::new();
/// jar.set_sink(move |event: CookieEvent<'_>| {
///     log.lock().unwrap().push((event.kind, event.cookie.name.to_string()))
/// });
/// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
/// assert_eq!(seen.lock().unwrap()[0], (ChangeKind::Added, "a".to_string()));
/// ```
pub trait CookieSink: Send {
    /// Called once per change.
    fn cookie_changed(&mut self, event: CookieEvent<'_>);
}

impl<F> CookieSink for F
where
    F: FnMut(CookieEvent<'_>) + Send,
{
    fn cookie_changed(&mut self, event: CookieEvent<'_>) {
        self(event)
    }
}
