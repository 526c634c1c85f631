//! The jar's storage: cookies grouped by domain in a hash map, so a lookup
//! visits one bucket per label of the request host (`a.b.example.com`,
//! `b.example.com`, `example.com`, `com`) instead of every domain, as
//! CPython's jar and cookie_store do. A second map counts cookies per
//! registrable domain, for the per-site limit.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::cookie::Cookie;
use crate::domain::site_of;

/// A stored cookie and its insertion number, which breaks ties between equal
/// creation times in the Cookie header order (RFC 6265 §5.4 step 2).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) cookie: Cookie,
    pub(crate) seq: u64,
}

#[derive(Debug, Default)]
struct Site {
    count: usize,
    /// The domain buckets under this site, so that per-site eviction and the
    /// "leave secure cookies alone" rule look at this site only.
    domains: Vec<Box<str>>,
}

/// Where one cookie lives: bucket key and position.
pub(crate) type Slot<'a> = (&'a str, usize);

#[derive(Debug, Default)]
pub(crate) struct Index {
    // foldhash's seeded hasher: fast, and keys are partly chosen by servers,
    // so a fixed hash (FxHash) would invite collisions by design.
    buckets: HashMap<Box<str>, Vec<Entry>, RandomState>,
    sites: HashMap<Box<str>, Site, RandomState>,
    len: usize,
    next_seq: u64,
}

pub(crate) enum Upsert {
    Added,
    Replaced,
}

impl Index {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn bucket(&self, domain: &str) -> Option<&[Entry]> {
        self.buckets.get(domain).map(Vec::as_slice)
    }

    pub(crate) fn bucket_mut(&mut self, domain: &str) -> Option<&mut Vec<Entry>> {
        self.buckets.get_mut(domain)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.buckets.values().flatten()
    }

    /// Number of cookies stored under the registrable domain of `domain`.
    pub(crate) fn site_count(&self, domain: &str) -> usize {
        self.sites.get(site_of(domain)).map_or(0, |s| s.count)
    }

    /// Bucket keys under the registrable domain of `domain`.
    pub(crate) fn site_domains(&self, domain: &str) -> &[Box<str>] {
        self.sites
            .get(site_of(domain))
            .map_or(&[][..], |s| s.domains.as_slice())
    }

    /// Store `cookie`, replacing the one with the same name, domain and path;
    /// a replacement keeps the old creation time and order (RFC 6265 §5.3
    /// step 11.3).
    pub(crate) fn upsert(&mut self, mut cookie: Cookie) -> Upsert {
        if let Some(bucket) = self.buckets.get_mut(cookie.domain.as_str()) {
            if let Some(entry) = bucket
                .iter_mut()
                .find(|e| e.cookie.name == cookie.name && e.cookie.path == cookie.path)
            {
                cookie.creation_time = entry.cookie.creation_time;
                entry.cookie = cookie;
                return Upsert::Replaced;
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let site_key = site_of(&cookie.domain);
        let site = match self.sites.get_mut(site_key) {
            Some(site) => site,
            None => self.sites.entry(site_key.into()).or_default(),
        };
        site.count += 1;
        match self.buckets.get_mut(cookie.domain.as_str()) {
            Some(bucket) => bucket.push(Entry { cookie, seq }),
            None => {
                let key: Box<str> = cookie.domain.as_str().into();
                site.domains.push(key.clone());
                self.buckets.insert(key, vec![Entry { cookie, seq }]);
            }
        }
        self.len += 1;
        Upsert::Added
    }

    /// Remove the cookies at `slots` (any order, no duplicates) and return
    /// them.
    pub(crate) fn remove_slots(&mut self, mut slots: Vec<(Box<str>, usize)>) -> Vec<Cookie> {
        // Highest position first, so swap_remove does not move a slot still
        // to be removed.
        slots.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut removed = Vec::with_capacity(slots.len());
        for (domain, pos) in slots {
            let Some(bucket) = self.buckets.get_mut(&*domain) else {
                continue;
            };
            if pos >= bucket.len() {
                continue;
            }
            let entry = bucket.swap_remove(pos);
            let now_empty = bucket.is_empty();
            if now_empty {
                self.buckets.remove(&*domain);
            }
            let site_key = site_of(&domain);
            if let Some(site) = self.sites.get_mut(site_key) {
                site.count -= 1;
                if now_empty {
                    site.domains.retain(|d| **d != *domain);
                }
                if site.count == 0 {
                    self.sites.remove(site_key);
                }
            }
            self.len -= 1;
            removed.push(entry.cookie);
        }
        removed
    }

    /// The cookie with this domain, path and name.
    pub(crate) fn get(&self, domain: &str, path: &str, name: &str) -> Option<&Cookie> {
        self.buckets
            .get(domain)?
            .iter()
            .map(|e| &e.cookie)
            .find(|c| c.path == path && c.name == name)
    }

    /// Remove the cookie with the same name, domain and path as `cookie`.
    pub(crate) fn remove_same_identity(&mut self, cookie: &Cookie) -> Vec<Cookie> {
        let Some(bucket) = self.buckets.get(cookie.domain.as_str()) else {
            return Vec::new();
        };
        let slots = bucket
            .iter()
            .enumerate()
            .filter(|(_, e)| e.cookie.name == cookie.name && e.cookie.path == cookie.path)
            .map(|(i, _)| (Box::<str>::from(cookie.domain.as_str()), i))
            .collect();
        self.remove_slots(slots)
    }

    /// Remove every cookie for which `doomed` says so.
    pub(crate) fn remove_where(&mut self, mut doomed: impl FnMut(&Cookie) -> bool) -> Vec<Cookie> {
        let slots: Vec<(Box<str>, usize)> = self
            .buckets
            .iter()
            .flat_map(|(domain, bucket)| {
                bucket
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| doomed(&e.cookie))
                    .map(move |(i, _)| (domain.clone(), i))
                    .collect::<Vec<_>>()
            })
            .collect();
        self.remove_slots(slots)
    }

    /// Eviction order: expired first, then least recently used, then oldest.
    fn eviction_candidates<'a>(
        &'a self,
        domains: impl Iterator<Item = &'a str>,
        now: i64,
    ) -> Vec<(bool, i64, u64, Slot<'a>)> {
        let mut candidates = Vec::new();
        for domain in domains {
            if let Some(bucket) = self.buckets.get(domain) {
                for (i, e) in bucket.iter().enumerate() {
                    let live = !e.cookie.is_expired(now);
                    candidates.push((live, e.cookie.last_access_time, e.seq, (domain, i)));
                }
            }
        }
        candidates.sort_unstable_by_key(|&(live, used, seq, _)| (live, used, seq));
        candidates
    }

    /// Evict from the site of `domain` until `keep` cookies remain there.
    pub(crate) fn evict_site(&mut self, domain: &str, keep: usize, now: i64) -> Vec<Cookie> {
        let site_domains: Vec<Box<str>> = self.site_domains(domain).to_vec();
        let candidates = self.eviction_candidates(site_domains.iter().map(|d| &**d), now);
        let excess = candidates.len().saturating_sub(keep);
        let slots = candidates[..excess]
            .iter()
            .map(|(_, _, _, (d, i))| (Box::<str>::from(*d), *i))
            .collect();
        self.remove_slots(slots)
    }

    /// Evict from the whole jar until `keep` cookies remain.
    pub(crate) fn evict_global(&mut self, keep: usize, now: i64) -> Vec<Cookie> {
        let keys: Vec<&str> = self.buckets.keys().map(|k| &**k).collect();
        let candidates = self.eviction_candidates(keys.into_iter(), now);
        let excess = candidates.len().saturating_sub(keep);
        let slots = candidates[..excess]
            .iter()
            .map(|(_, _, _, (d, i))| (Box::<str>::from(*d), *i))
            .collect();
        self.remove_slots(slots)
    }
}
