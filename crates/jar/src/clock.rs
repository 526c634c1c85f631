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

/// The wall clock's whole seconds. On Linux, the coarse real-time clock:
/// it is the same clock read without the timestamp counter (updated every
/// tick, a few milliseconds), so it may see a new second up to one tick
/// late; no cookie decision depends on a few milliseconds. It also skips
/// `SystemTime`'s nanosecond arithmetic; together these were a twentieth
/// of storing a cookie.
#[cfg(target_os = "linux")]
pub(crate) fn now_system() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) } == 0;
    if ok {
        // A clock set before 1970: treat it as the epoch rather than fail.
        // (`time_t` is 32 bits on some Linux targets.)
        #[allow(clippy::useless_conversion)]
        let seconds = i64::from(ts.tv_sec);
        seconds.max(0)
    } else {
        now_std()
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn now_system() -> i64 {
    now_std()
}

/// The wall clock through `std`, in whole seconds.
fn now_std() -> i64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_agrees_with_std_to_the_second() {
        // The coarse clock may lag the fine one by a tick, so at a second's
        // edge it may still show the second before.
        let before = now_std();
        let now = now_system();
        let after = now_std();
        assert!(before - 1 <= now && now <= after, "{before} {now} {after}");
    }
}
