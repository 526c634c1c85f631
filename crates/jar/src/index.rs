//! The jar's storage: cookies grouped by domain in a hash map, so a lookup
//! visits one bucket per label of the request host (`a.b.example.com`,
//! `b.example.com`, `example.com`, `com`) instead of every domain, as
//! CPython's jar and cookie_store do. A second map counts cookies per
//! registrable domain, for the per-site limit.

use std::collections::HashMap;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use compact_str::CompactString;

use crate::cookie::Cookie;
use crate::domain::site_of;

/// A stored cookie and its insertion number, which breaks ties between equal
/// creation times in the Cookie header order (RFC 6265 §5.4 step 2).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) cookie: Cookie,
    pub(crate) seq: u64,
}

/// The cookies of one domain, and the registrable domain they count
/// under (kept here so storing a cookie asks the public suffix list only
/// when its domain is new).
#[derive(Debug)]
struct Bucket {
    site: CompactString,
    entries: Vec<Entry>,
}

#[derive(Debug, Default)]
struct Site {
    count: usize,
    /// The domain buckets under this site, so that per-site eviction and the
    /// "leave secure cookies alone" rule look at this site only.
    domains: Vec<CompactString>,
}

#[derive(Debug, Default)]
pub(crate) struct Index {
    // foldhash's seeded hasher: fast, and keys are partly chosen by servers,
    // so a fixed hash (FxHash) would invite collisions by design.
    buckets: HashMap<CompactString, Bucket, RandomState>,
    sites: HashMap<CompactString, Site, RandomState>,
    /// Which domains may have a bucket: a lookup probes the host and every
    /// parent domain, and most of those (`com`, `img.example.com`) have none.
    /// On a large jar each such probe is a cache miss in the table; this
    /// small bit set answers "surely not" from the cache.
    present: DomainFilter,
    len: usize,
    next_seq: u64,
}

/// A one-hash Bloom filter over bucket domains. Bits are never cleared when
/// a bucket goes (a stale bit costs one probe, nothing more); the set is
/// rebuilt when it grows, at 16 bits per bucket, so false positives stay
/// under about 6 %.
#[derive(Debug, Default)]
struct DomainFilter {
    bits: Vec<u64>,
}

impl DomainFilter {
    const MIN_WORDS: usize = 64;

    fn may_contain(&self, hash: u64) -> bool {
        if self.bits.is_empty() {
            return false;
        }
        let bit = (hash >> 7) as usize & (self.bits.len() * 64 - 1);
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }

    fn insert(&mut self, hash: u64) {
        let bit = (hash >> 7) as usize & (self.bits.len() * 64 - 1);
        self.bits[bit / 64] |= 1 << (bit % 64);
    }

    /// Make room for `buckets` domains, re-adding the hashes of `keys`
    /// when the set grows. Amortised O(1) per bucket.
    fn reserve(&mut self, buckets: usize, keys: impl FnOnce() -> Vec<u64>) {
        let words = (buckets * 16 / 64).next_power_of_two().max(Self::MIN_WORDS);
        if words > self.bits.len() {
            self.bits = vec![0; words];
            for hash in keys() {
                self.insert(hash);
            }
        }
    }
}

pub(crate) enum Upsert {
    /// A new cookie; when its site now holds more than the limit given to
    /// `upsert`, the site's key, for eviction.
    Added {
        site_over_limit: Option<CompactString>,
    },
    Replaced,
}

impl Index {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn bucket(&self, domain: &str) -> Option<&[Entry]> {
        if !self
            .present
            .may_contain(self.buckets.hasher().hash_one(domain))
        {
            return None;
        }
        self.buckets.get(domain).map(|b| b.entries.as_slice())
    }

    pub(crate) fn bucket_mut(&mut self, domain: &str) -> Option<&mut Vec<Entry>> {
        self.buckets.get_mut(domain).map(|b| &mut b.entries)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.buckets.values().flat_map(|b| &b.entries)
    }

    /// Bucket keys under the registrable domain of `domain`.
    pub(crate) fn site_domains(&self, domain: &str) -> &[CompactString] {
        self.sites
            .get(site_of(domain))
            .map_or(&[][..], |s| s.domains.as_slice())
    }

    /// Store `cookie`, replacing the one with the same name, domain and path;
    /// a replacement keeps the old creation time and order (RFC 6265 §5.3
    /// step 11.3).
    pub(crate) fn upsert(&mut self, mut cookie: Cookie, site_limit: usize) -> Upsert {
        let seq = self.next_seq;
        let (count, site_key) = match self.buckets.get_mut(cookie.domain.as_str()) {
            Some(bucket) => {
                if let Some(entry) = bucket
                    .entries
                    .iter_mut()
                    .find(|e| e.cookie.name == cookie.name && e.cookie.path == cookie.path)
                {
                    cookie.creation_time = entry.cookie.creation_time;
                    entry.cookie = cookie;
                    return Upsert::Replaced;
                }
                bucket.entries.push(Entry { cookie, seq });
                let site = match self.sites.get_mut(&*bucket.site) {
                    Some(site) => site,
                    // Every bucket's site is in `sites`; should that ever
                    // break, count afresh rather than panic.
                    None => self.sites.entry(bucket.site.clone()).or_default(),
                };
                site.count += 1;
                (site.count, &bucket.site)
            }
            None => {
                let key = cookie.domain.clone();
                let site_key: CompactString = site_of(&cookie.domain).into();
                let site = self.sites.entry(site_key.clone()).or_default();
                site.count += 1;
                site.domains.push(key.clone());
                let count = site.count;
                let hasher = self.buckets.hasher().clone();
                let buckets = &self.buckets;
                self.present.reserve(buckets.len() + 1, || {
                    buckets
                        .keys()
                        .map(|k| hasher.hash_one(k.as_str()))
                        .collect()
                });
                self.present.insert(hasher.hash_one(key.as_str()));
                let bucket = self.buckets.entry(key).or_insert(Bucket {
                    site: site_key,
                    entries: Vec::new(),
                });
                bucket.entries.push(Entry { cookie, seq });
                (count, &bucket.site)
            }
        };
        let site_over_limit = (count > site_limit).then(|| site_key.clone());
        self.next_seq += 1;
        self.len += 1;
        Upsert::Added { site_over_limit }
    }

    /// Remove the cookies at `slots` (any order, no duplicates) and return
    /// them.
    pub(crate) fn remove_slots(&mut self, mut slots: Vec<(CompactString, usize)>) -> Vec<Cookie> {
        // Highest position first, so swap_remove does not move a slot still
        // to be removed.
        slots.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut removed = Vec::with_capacity(slots.len());
        for (domain, pos) in slots {
            let Some(bucket) = self.buckets.get_mut(&*domain) else {
                continue;
            };
            if pos >= bucket.entries.len() {
                continue;
            }
            let entry = bucket.entries.swap_remove(pos);
            let now_empty = bucket.entries.is_empty();
            let site_key = bucket.site.clone();
            if now_empty {
                self.buckets.remove(&*domain);
            }
            if let Some(site) = self.sites.get_mut(&*site_key) {
                site.count -= 1;
                if now_empty {
                    site.domains.retain(|d| **d != *domain);
                }
                if site.count == 0 {
                    self.sites.remove(&*site_key);
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
            .entries
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
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.cookie.name == cookie.name && e.cookie.path == cookie.path)
            .map(|(i, _)| (CompactString::from(cookie.domain.as_str()), i))
            .collect();
        self.remove_slots(slots)
    }

    /// Remove every cookie for which `doomed` says so.
    pub(crate) fn remove_where(&mut self, mut doomed: impl FnMut(&Cookie) -> bool) -> Vec<Cookie> {
        let slots: Vec<(CompactString, usize)> = self
            .buckets
            .iter()
            .flat_map(|(domain, bucket)| {
                bucket
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| doomed(&e.cookie))
                    .map(move |(i, _)| (domain.clone(), i))
                    .collect::<Vec<_>>()
            })
            .collect();
        self.remove_slots(slots)
    }

    /// Evict from `domains` (bucket keys) until `keep` cookies remain there,
    /// in eviction order: expired first, then least recently used, then
    /// oldest.
    fn evict_from(&mut self, domains: &[CompactString], keep: usize, now: i64) -> Vec<Cookie> {
        let mut candidates = Vec::new();
        for domain in domains {
            if let Some(bucket) = self.buckets.get(domain) {
                for (i, e) in bucket.entries.iter().enumerate() {
                    let live = !e.cookie.is_expired(now);
                    candidates.push((live, e.cookie.last_access_time, e.seq, domain, i));
                }
            }
        }
        let excess = candidates.len().saturating_sub(keep);
        if excess == 0 {
            return Vec::new();
        }
        candidates.select_nth_unstable_by_key(excess - 1, |c| (c.0, c.1, c.2));
        let slots = candidates[..excess]
            .iter()
            .map(|&(_, _, _, d, i)| (d.clone(), i))
            .collect();
        self.remove_slots(slots)
    }

    /// Evict from the site `site` (a registrable domain, as `upsert`
    /// reports it) until `keep` cookies remain there.
    pub(crate) fn evict_site(&mut self, site: &str, keep: usize, now: i64) -> Vec<Cookie> {
        let site_domains = self
            .sites
            .get(site)
            .map_or_else(Vec::new, |s| s.domains.clone());
        self.evict_from(&site_domains, keep, now)
    }

    /// Evict from the whole jar until `keep` cookies remain.
    pub(crate) fn evict_global(&mut self, keep: usize, now: i64) -> Vec<Cookie> {
        let keys: Vec<CompactString> = self.buckets.keys().cloned().collect();
        self.evict_from(&keys, keep, now)
    }
}
