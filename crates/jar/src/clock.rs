//! Where the jar gets "now" from. Injectable, so that tests (and the
//! http-state suite, whose dates were written in 2009) are deterministic.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in whole seconds since the Unix epoch.
///
/// ```
/// use clientcookie_jar::clock::{Clock, SystemClock};
/// assert!(SystemClock.now() > 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Seconds since the Unix epoch, UTC.
    fn now(&self) -> i64;
}

/// The system's wall clock.
///
/// ```
/// use clientcookie_jar::clock::{Clock, SystemClock};
/// let now = SystemClock.now();
/// assert!(now > 0);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        now_system()
    }
}

pub(crate) fn now_system() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        // A clock set before 1970: treat it as the epoch rather than fail.
        Err(_) => 0,
    }
}

/// A clock that stands still until told to move.
///
/// ```
/// use clientcookie_jar::clock::{Clock, FixedClock};
/// let clock = FixedClock::new(1_325_376_000); // 2012-01-01T00:00:00Z
/// clock.advance(60);
/// assert_eq!(clock.now(), 1_325_376_060);
/// ```
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock showing `now`.
    pub fn new(now: i64) -> FixedClock {
        FixedClock(AtomicI64::new(now))
    }

    /// Set the time.
    ///
    /// ```
    /// use clientcookie_jar::clock::{Clock, FixedClock};
    /// let clock = FixedClock::new(0);
    /// clock.set(10);
    /// assert_eq!(clock.now(), 10);
    /// ```
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::Relaxed);
    }

    /// Move the time forward by `seconds`.
    ///
    /// ```
    /// use clientcookie_jar::clock::{Clock, FixedClock};
    /// let clock = FixedClock::new(0);
    /// clock.advance(5);
    /// assert_eq!(clock.now(), 5);
    /// ```
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::Relaxed);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}
