//! The per-origin cache of robots.txt answers, with one fetch in flight per
//! origin (single flight).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::RobotsRules;

/// What a fetch of robots.txt decided for its origin.
#[derive(Debug)]
pub(crate) enum Policy {
    /// A robots.txt was read (2xx): its rules.
    Rules(RobotsRules),
    /// RFC 9309 §2.3.1.3: unavailable (4xx, too many redirects), so no
    /// restriction.
    AllowAll,
    /// RFC 9309 §2.3.1.4: unreachable (5xx, network error), so complete
    /// disallow until it is asked again.
    DisallowAll,
}

impl Policy {
    /// Whether this came from a robots.txt that was there (or known to be
    /// absent): a good answer to keep using while the site is unreachable.
    pub(crate) fn is_good(&self) -> bool {
        !matches!(self, Policy::DisallowAll)
    }
}

/// The answer for one origin, shared with every request that waits for it.
pub(crate) type Shared = Arc<Policy>;

enum Slot {
    Ready {
        policy: Shared,
        expires: Instant,
        used: u64,
    },
    Pending {
        id: u64,
        waiters: Vec<oneshot::Sender<Shared>>,
        /// The expired answer being refetched, if it was a good one.
        stale: Option<Shared>,
        used: u64,
    },
}

impl Slot {
    fn used(&self) -> u64 {
        match self {
            Slot::Ready { used, .. } | Slot::Pending { used, .. } => *used,
        }
    }
}

struct Inner {
    // foldhash, seeded per map (the jar's hasher too): SipHash's cost was
    // most of a cached lookup.
    // Keyed by bytes: a request's key is built on the stack from ASCII
    // parts, and asking for it as `str` would check its UTF-8 every time.
    map: HashMap<Box<[u8]>, Slot, foldhash::fast::RandomState>,
    /// Counts lookups: the "time" of last use, for eviction.
    clock: u64,
    next_id: u64,
}

/// Bounded map from origin (`scheme://host:port`) to its answer.
pub(crate) struct Cache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

/// What a request does next, after asking the cache.
pub(crate) enum Lookup {
    /// A fresh answer.
    Hit(Shared),
    /// Nobody is fetching: this request fetches, and tells the others.
    Lead(Flight),
    /// Another request is fetching: wait for its answer. An error means
    /// that request was dropped before it finished: ask again.
    Wait(oneshot::Receiver<Shared>),
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Cache {
        Cache {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                map: HashMap::default(),
                clock: 0,
                next_id: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; if something did, the map
        // is still consistent (every change is one insert or remove).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub(crate) fn lookup(self: &Arc<Self>, key: &[u8], now: Instant) -> Lookup {
        let mut inner = self.lock();
        inner.clock += 1;
        let clock = inner.clock;
        let id = inner.next_id;
        let stale = match inner.map.get_mut(key) {
            Some(Slot::Ready {
                policy,
                expires,
                used,
            }) => {
                if now < *expires {
                    *used = clock;
                    return Lookup::Hit(Arc::clone(policy));
                }
                Some(Arc::clone(policy)).filter(|p| p.is_good())
            }
            Some(Slot::Pending { waiters, used, .. }) => {
                *used = clock;
                let (tx, rx) = oneshot::channel();
                waiters.push(tx);
                return Lookup::Wait(rx);
            }
            None => {
                self.make_room(&mut inner, now);
                None
            }
        };
        inner.next_id += 1;
        let slot = Slot::Pending {
            id,
            waiters: Vec::new(),
            stale: stale.clone(),
            used: clock,
        };
        inner.map.insert(key.into(), slot);
        Lookup::Lead(Flight {
            cache: Arc::clone(self),
            key: key.into(),
            id,
            stale,
            done: false,
        })
    }

    /// Frees at least one place when the map is full: expired answers
    /// first, then the least recently used sixteenth of the answers (so a
    /// full cache scans once per many inserts), then, if every entry is a
    /// fetch in flight, the oldest of those (its waiters ask again).
    fn make_room(&self, inner: &mut Inner, now: Instant) {
        if inner.map.len() < self.capacity {
            return;
        }
        inner
            .map
            .retain(|_, slot| !matches!(slot, Slot::Ready { expires, .. } if *expires <= now));
        if inner.map.len() < self.capacity {
            return;
        }
        let mut ready: Vec<(u64, Box<[u8]>)> = inner
            .map
            .iter()
            .filter(|(_, slot)| matches!(slot, Slot::Ready { .. }))
            .map(|(key, slot)| (slot.used(), key.clone()))
            .collect();
        let evict = (self.capacity / 16).max(1).min(ready.len());
        if evict > 0 {
            if evict < ready.len() {
                ready.select_nth_unstable(evict - 1);
            }
            for (_, key) in ready.drain(..evict) {
                inner.map.remove(&key);
            }
            tracing::debug!(
                evicted = evict,
                "robots cache full: least recently used origins dropped"
            );
            return;
        }
        let oldest = inner
            .map
            .iter()
            .min_by_key(|(_, slot)| slot.used())
            .map(|(key, _)| key.clone());
        if let Some(key) = oldest {
            inner.map.remove(&key);
        }
    }

    fn complete(&self, key: &[u8], id: u64, policy: Shared, expires: Instant) {
        let waiters = {
            let mut inner = self.lock();
            inner.clock += 1;
            let used = inner.clock;
            let ready = Slot::Ready {
                policy: Arc::clone(&policy),
                expires,
                used,
            };
            match inner.map.get_mut(key) {
                Some(slot) if matches!(&*slot, Slot::Pending { id: i, .. } if *i == id) => {
                    match std::mem::replace(slot, ready) {
                        Slot::Pending { waiters, .. } => waiters,
                        Slot::Ready { .. } => Vec::new(),
                    }
                }
                // Evicted while fetching, or replaced: store the answer all
                // the same (it is the newest); nobody waits on this flight.
                Some(_) => Vec::new(),
                None => {
                    self.make_room(&mut inner, Instant::now());
                    inner.map.insert(key.into(), ready);
                    Vec::new()
                }
            }
        };
        for waiter in waiters {
            // A waiter that went away does not mind.
            let _ = waiter.send(Arc::clone(&policy));
        }
    }

    fn abandon(&self, key: &[u8], id: u64, now: Instant) {
        let waiters = {
            let mut inner = self.lock();
            match inner.map.get_mut(key) {
                Some(Slot::Pending { id: i, .. }) if *i == id => {
                    match inner.map.remove(key) {
                        Some(Slot::Pending {
                            waiters,
                            stale: Some(policy),
                            used,
                            ..
                        }) => {
                            // Keep the old answer, already expired, so the
                            // next request fetches again but can fall back.
                            let slot = Slot::Ready {
                                policy,
                                expires: now,
                                used,
                            };
                            inner.map.insert(key.into(), slot);
                            waiters
                        }
                        Some(Slot::Pending { waiters, .. }) => waiters,
                        _ => Vec::new(),
                    }
                }
                _ => Vec::new(),
            }
        };
        // Dropping the senders wakes the waiters, who ask again.
        drop(waiters);
    }
}

/// The right and duty to fetch one origin's robots.txt. Completing it
/// stores the answer and wakes the waiters; dropping it unfinished (the
/// request was cancelled) lets a waiter take over.
pub(crate) struct Flight {
    cache: Arc<Cache>,
    key: Box<[u8]>,
    id: u64,
    stale: Option<Shared>,
    done: bool,
}

impl Flight {
    /// The previous, expired answer, when it was a good one.
    pub(crate) fn stale(&self) -> Option<&Shared> {
        self.stale.as_ref()
    }

    pub(crate) fn complete(&mut self, policy: Shared, expires: Instant) {
        if !self.done {
            self.done = true;
            self.cache.complete(&self.key, self.id, policy, expires);
        }
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if !self.done {
            self.cache.abandon(&self.key, self.id, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rules() -> Shared {
        Arc::new(Policy::AllowAll)
    }

    #[test]
    fn the_first_lookup_leads_and_the_others_wait_for_its_answer() {
        let cache = Arc::new(Cache::new(8));
        let now = Instant::now();
        let Lookup::Lead(mut flight) = cache.lookup(b"http://a:80", now) else {
            panic!("first lookup must lead");
        };
        let Lookup::Wait(mut rx) = cache.lookup(b"http://a:80", now) else {
            panic!("second lookup must wait");
        };
        flight.complete(rules(), now + Duration::from_secs(60));
        assert!(matches!(*rx.try_recv().unwrap(), Policy::AllowAll));
        assert!(matches!(cache.lookup(b"http://a:80", now), Lookup::Hit(_)));
        // Expired: the next one leads again.
        assert!(matches!(
            cache.lookup(b"http://a:80", now + Duration::from_secs(61)),
            Lookup::Lead(_)
        ));
    }

    #[test]
    fn an_abandoned_flight_wakes_its_waiters_so_one_can_take_over() {
        let cache = Arc::new(Cache::new(8));
        let now = Instant::now();
        let Lookup::Lead(flight) = cache.lookup(b"k", now) else {
            panic!()
        };
        let Lookup::Wait(mut rx) = cache.lookup(b"k", now) else {
            panic!()
        };
        drop(flight);
        assert!(rx.try_recv().is_err());
        assert!(matches!(cache.lookup(b"k", now), Lookup::Lead(_)));
    }

    #[test]
    fn a_full_cache_drops_the_least_recently_used_origins() {
        let cache = Arc::new(Cache::new(4));
        let now = Instant::now();
        let later = now + Duration::from_secs(3600);
        for key in ["a", "b", "c", "d"] {
            let Lookup::Lead(mut flight) = cache.lookup(key.as_bytes(), now) else {
                panic!()
            };
            flight.complete(rules(), later);
        }
        // Touch a, c, d: b is the least recently used.
        for key in ["a", "c", "d"] {
            assert!(matches!(cache.lookup(key.as_bytes(), now), Lookup::Hit(_)));
        }
        let Lookup::Lead(mut flight) = cache.lookup(b"e", now) else {
            panic!()
        };
        flight.complete(rules(), later);
        assert_eq!(cache.len(), 4);
        assert!(matches!(cache.lookup(b"a", now), Lookup::Hit(_)));
        assert!(matches!(cache.lookup(b"b", now), Lookup::Lead(_)));
    }

    #[test]
    fn an_expired_good_answer_is_offered_to_the_refetch() {
        let cache = Arc::new(Cache::new(4));
        let now = Instant::now();
        let Lookup::Lead(mut flight) = cache.lookup(b"a", now) else {
            panic!()
        };
        flight.complete(rules(), now + Duration::from_secs(1));
        let Lookup::Lead(flight) = cache.lookup(b"a", now + Duration::from_secs(2)) else {
            panic!()
        };
        assert!(flight.stale().is_some());
    }
}
