//! Lookup summaries: on a large jar, a compact copy of what a lookup reads
//! from one bucket's cookies, in one allocation, kept in a small cache of
//! the index ([`SummaryCache`]).
//!
//! Why: on a jar larger than the processor's cache, a lookup waited for
//! four dependent cache misses per domain level (the hash table's control
//! bytes, the bucket, its cookies, their heap values), ~24 misses per
//! request. A summary holds, for each cookie of the bucket, the fields the
//! default policy's decision reads (expiry, flags, path) in 16-byte
//! records, then the header order keys and last-access time, then the texts
//! as they go into the Cookie header. A lookup reads the Bloom filter and
//! the cache's occupancy bits (both small enough to stay cached), one line
//! of the summary cache per level, and the summaries' lines, each step's
//! loads requested together: two dependent misses per level.
//!
//! When to build: the general path counts, in two bits of the bucket, the
//! large-jar lookups of a bucket since its cookies last changed, and the
//! third builds the summary from the cookies it has just read. Building
//! costs about as much as a cold lookup; a bucket seen once or twice (a
//! crawler's visit, a cookie replaced between requests) would not repay it.
//! Every change of a bucket's cookies drops its summary (a bucket flag says
//! whether there may be one, so a store into a bucket no lookup visited
//! costs nothing), and last-access updates are written to both. Buckets
//! holding an RFC 2965/2109 cookie (version set: written with escapes and
//! `$` attributes) get none, and a lookup touching one takes the general
//! path, as do lookups for a policy without
//! [`LookupRules`](crate::LookupRules) and lookups while debug logging is
//! on (it names each refused cookie).
//!
//! Memory: the cache has a 64-byte set (three summaries) per two buckets,
//! allocated on the first large-jar lookup (1 MiB for the 28,491 buckets of
//! the 100,000-cookie benchmark jar); a summary takes 16 bytes, 48 per
//! cookie, and the domain, paths, names and values once more, and only
//! buckets looked up three times since they changed have one.
//!
//! Layout of a summary (native-endian integers, byte offsets):
//!
//! | offset | what |
//! |---|---|
//! | 0 | the domain's hash (u64) |
//! | 8 | cookie count `n` (u32), domain length (u32) |
//! | 16 | `n` decision records of 16 bytes: expiry (i64, `i64::MAX` for a session cookie), path offset (u32), path length (u16), flags (u8), unused (u8) |
//! | 16 + 16n | `n` order records of 32 bytes: creation time (i64), insertion number (u64), last-access time (i64), text offset (u32), text length (u32) |
//! | 16 + 48n | the domain, then each cookie's path and header text |

use crate::cookie::SameSite;
use crate::index::Cookies;

const HEAD: usize = 16;
const DECISION: usize = 16;
const ORDER: usize = 32;

/// Decision record flags.
pub(crate) const SECURE: u8 = 1;
pub(crate) const HOST_ONLY: u8 = 2;
pub(crate) const SAME_SITE_STRICT: u8 = 4;
pub(crate) const SAME_SITE_LAX: u8 = 8;

#[inline(always)]
fn read<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    if let Some(s) = b.get(at..at + N) {
        out.copy_from_slice(s);
    }
    out
}

#[inline(always)]
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(read(b, at))
}

#[inline(always)]
fn i64_at(b: &[u8], at: usize) -> i64 {
    i64::from_ne_bytes(read(b, at))
}

#[inline(always)]
fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_ne_bytes(read(b, at)) as usize
}

#[inline(always)]
fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_ne_bytes(read(b, at)))
}

/// The summary of a bucket of `domain` (hash `hash`) holding `entries`, or
/// `None` when one of them needs the general path (a version; sizes over
/// the record fields).
pub(crate) fn build(hash: u64, domain: &str, entries: Cookies<'_>) -> Option<Box<[u8]>> {
    let n = entries.len();
    let mut text_bytes = domain.len();
    for e in entries.iter() {
        let c = &e.cookie;
        if c.version.is_some() || c.path.len() > usize::from(u16::MAX) {
            return None;
        }
        text_bytes += c.path.len() + c.pair_len();
    }
    let total = HEAD + n * (DECISION + ORDER) + text_bytes;
    let count = u32::try_from(n).ok()?;
    let domain_len = u32::try_from(domain.len()).ok()?;
    u32::try_from(total).ok()?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&hash.to_ne_bytes());
    out.extend_from_slice(&count.to_ne_bytes());
    out.extend_from_slice(&domain_len.to_ne_bytes());
    // Offsets fit in u32: the total does.
    let mut at = HEAD + n * (DECISION + ORDER) + domain.len();
    let mut texts = Vec::with_capacity(n);
    for e in entries.iter() {
        let c = &e.cookie;
        let flags = if c.secure { SECURE } else { 0 }
            | if c.host_only { HOST_ONLY } else { 0 }
            | match c.same_site {
                Some(SameSite::Strict) => SAME_SITE_STRICT,
                Some(SameSite::Lax) => SAME_SITE_LAX,
                _ => 0,
            };
        out.extend_from_slice(&c.expires.unwrap_or(i64::MAX).to_ne_bytes());
        out.extend_from_slice(&(at as u32).to_ne_bytes());
        out.extend_from_slice(&(c.path.len() as u16).to_ne_bytes());
        out.extend_from_slice(&[flags, 0]);
        at += c.path.len();
        texts.push((at, c.pair_len()));
        at += c.pair_len();
    }
    for (e, &(text_at, text_len)) in entries.iter().zip(&texts) {
        let c = &e.cookie;
        out.extend_from_slice(&c.creation_time.to_ne_bytes());
        out.extend_from_slice(&e.seq().to_ne_bytes());
        out.extend_from_slice(&c.last_access_time.to_ne_bytes());
        out.extend_from_slice(&(text_at as u32).to_ne_bytes());
        out.extend_from_slice(&(text_len as u32).to_ne_bytes());
    }
    out.extend_from_slice(domain.as_bytes());
    for e in entries.iter() {
        let c = &e.cookie;
        out.extend_from_slice(c.path.as_bytes());
        if !c.name.is_empty() {
            out.extend_from_slice(c.name.as_bytes());
            out.push(b'=');
        }
        out.extend_from_slice(c.value.as_bytes());
    }
    debug_assert_eq!(out.len(), total);
    Some(out.into_boxed_slice())
}

/// The hash a summary was built for.
#[inline]
pub(crate) fn hash_of(s: &[u8]) -> u64 {
    u64_at(s, 0)
}

/// The number of cookies a summary holds.
#[inline]
pub(crate) fn count(s: &[u8]) -> usize {
    u32_at(s, 8)
}

/// The domain a summary was built for.
#[inline]
pub(crate) fn domain(s: &[u8]) -> &[u8] {
    let at = HEAD + count(s) * (DECISION + ORDER);
    s.get(at..at + u32_at(s, 12)).unwrap_or(&[])
}

/// Cookie `i`'s decision record: expiry, path, flags.
#[inline(always)]
pub(crate) fn decision(s: &[u8], i: usize) -> (i64, &[u8], u8) {
    let at = HEAD + i * DECISION;
    let expires = i64_at(s, at);
    let path_at = u32_at(s, at + 8);
    let path = s.get(path_at..path_at + u16_at(s, at + 12)).unwrap_or(&[]);
    let flags = s.get(at + 14).copied().unwrap_or(0);
    (expires, path, flags)
}

/// Cookie `i`'s header order keys (path length aside) and last-access time:
/// creation time, insertion number, last access.
#[inline(always)]
pub(crate) fn order(s: &[u8], i: usize) -> (i64, u64, i64) {
    let at = HEAD + count(s) * DECISION + i * ORDER;
    (i64_at(s, at), u64_at(s, at + 8), i64_at(s, at + 16))
}

/// Cookie `i`'s text in the Cookie header: `name=value`, or `value`.
#[inline(always)]
pub(crate) fn text(s: &[u8], i: usize) -> &[u8] {
    let at = HEAD + count(s) * DECISION + i * ORDER + 24;
    let text_at = u32_at(s, at);
    s.get(text_at..text_at + u32_at(s, at + 4)).unwrap_or(&[])
}

/// Record that cookie `i` was used at `now`.
#[inline]
pub(crate) fn set_last_access(s: &mut [u8], i: usize, now: i64) {
    if i < count(s) {
        let at = HEAD + count(s) * DECISION + i * ORDER + 16;
        if let Some(slot) = s.get_mut(at..at + 8) {
            slot.copy_from_slice(&now.to_ne_bytes());
        }
    }
}

/// Where a summary sits in the cache: set and way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SummaryRef {
    set: usize,
    way: usize,
}

const WAYS: usize = 3;

/// One cache line of the summary cache: three summaries and a 32-bit tag
/// of each one's hash, so a lookup finds its way without reading the
/// others' summaries.
#[derive(Default)]
#[repr(C, align(64))]
struct Set {
    ways: [Option<Box<[u8]>>; WAYS],
    tags: [u32; WAYS],
    /// The way to replace next.
    next: u32,
}

/// A set-associative cache of bucket summaries, indexed by the domain's
/// hash: a summary is a copy, so dropping it (on a change of its bucket, on
/// a conflict, when the cache grows) only costs building it again.
#[derive(Default)]
pub(crate) struct SummaryCache {
    sets: Vec<Set>,
    /// A bit per set: it may hold a summary. 2 KB for 16,384 sets, so it
    /// stays in the cache, and a lookup of buckets without summaries (a
    /// cold one, on a jar seldom asked twice for the same host) does not
    /// read their sets.
    occupied: Vec<u64>,
}

impl std::fmt::Debug for SummaryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryCache")
            .field("sets", &self.sets.len())
            .finish_non_exhaustive()
    }
}

#[inline(always)]
fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

impl SummaryCache {
    const MIN_SETS: usize = 64;

    #[inline(always)]
    fn set_of(&self, hash: u64) -> usize {
        // Bits 4.. of the hash (the tag is the top 32).
        (hash as usize >> 4) & (self.sets.len().wrapping_sub(1))
    }

    /// Make room for `buckets` summaries (two sets of three ways per four
    /// buckets); growing drops every summary.
    #[inline]
    pub(crate) fn reserve(&mut self, buckets: usize) {
        if buckets > self.sets.len() * 2 {
            self.grow(buckets);
        }
    }

    #[cold]
    fn grow(&mut self, buckets: usize) {
        let sets = buckets.div_ceil(2).next_power_of_two().max(Self::MIN_SETS);
        self.sets = std::iter::repeat_with(Set::default).take(sets).collect();
        self.occupied = vec![0; sets.div_ceil(64)];
    }

    /// Whether the set of `hash` may hold a summary.
    #[inline(always)]
    pub(crate) fn may_hold(&self, hash: u64) -> bool {
        self.is_occupied(self.set_of(hash))
    }

    /// Whether set `i` may hold a summary.
    #[inline(always)]
    fn is_occupied(&self, i: usize) -> bool {
        self.occupied
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Request the set line of `hash`, when it may hold a summary.
    #[inline(always)]
    pub(crate) fn prefetch_set(&self, hash: u64) {
        let i = self.set_of(hash);
        if self.is_occupied(i) {
            if let Some(set) = self.sets.get(i) {
                crate::jar::prefetch(std::ptr::from_ref(set).cast());
            }
        }
    }

    /// Where the summary of `hash` may be (its tag matches); its lines are
    /// requested. [`get`](Self::get) confirms it.
    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<SummaryRef> {
        let set_index = self.set_of(hash);
        if !self.is_occupied(set_index) {
            return None;
        }
        let set = self.sets.get(set_index)?;
        let t = tag(hash);
        let way = (0..WAYS).find(|&way| set.tags[way] == t && set.ways[way].is_some())?;
        if let Some(s) = set.ways[way].as_deref() {
            let p = s.as_ptr();
            for offset in (0..s.len()).step_by(64) {
                crate::jar::prefetch(p.wrapping_add(offset));
            }
            // The last line, when the summary starts mid-line.
            crate::jar::prefetch(p.wrapping_add(s.len().saturating_sub(1)));
        }
        Some(SummaryRef {
            set: set_index,
            way,
        })
    }

    /// The summary at `r`, when it is `domain`'s (hash `hash`).
    #[inline]
    pub(crate) fn get(&self, r: SummaryRef, hash: u64, domain: &str) -> Option<&[u8]> {
        let s = self.sets.get(r.set)?.ways.get(r.way)?.as_deref()?;
        (hash_of(s) == hash && self::domain(s) == domain.as_bytes()).then_some(s)
    }

    /// [`get`](Self::get), mutable.
    #[inline]
    pub(crate) fn get_mut(&mut self, r: SummaryRef, hash: u64, domain: &str) -> Option<&mut [u8]> {
        let s = self
            .sets
            .get_mut(r.set)?
            .ways
            .get_mut(r.way)?
            .as_deref_mut()?;
        (hash_of(s) == hash && self::domain(s) == domain.as_bytes()).then_some(s)
    }

    /// Keep `summary` (of hash `hash`), in a free way of its set or in
    /// place of the one installed longest ago.
    pub(crate) fn install(&mut self, hash: u64, summary: Box<[u8]>) -> Option<SummaryRef> {
        let set_index = self.set_of(hash);
        let set = self.sets.get_mut(set_index)?;
        let way = (0..WAYS)
            .find(|&w| set.ways[w].is_none())
            .unwrap_or(set.next as usize % WAYS);
        set.next = ((way + 1) % WAYS) as u32;
        set.ways[way] = Some(summary);
        set.tags[way] = tag(hash);
        if let Some(w) = self.occupied.get_mut(set_index / 64) {
            *w |= 1 << (set_index % 64);
        }
        Some(SummaryRef {
            set: set_index,
            way,
        })
    }

    /// Drop the summary of `hash`, if cached (and any other of the same
    /// tag in its set: a spare drop costs a rebuild, nothing more).
    #[inline]
    pub(crate) fn invalidate(&mut self, hash: u64) {
        let set_index = self.set_of(hash);
        if let Some(set) = self.sets.get_mut(set_index) {
            let t = tag(hash);
            for way in 0..WAYS {
                if set.tags[way] == t {
                    set.ways[way] = None;
                }
            }
            if set.ways.iter().all(Option::is_none) {
                if let Some(w) = self.occupied.get_mut(set_index / 64) {
                    *w &= !(1 << (set_index % 64));
                }
            }
        }
    }

    /// Every cached summary (for tests).
    #[cfg(test)]
    pub(crate) fn all(&self) -> impl Iterator<Item = &[u8]> {
        self.sets
            .iter()
            .flat_map(|s| s.ways.iter().filter_map(|w| w.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use proptest::prelude::*;

    use crate::clock::{Clock, FixedClock};
    use crate::index::LOOKUPS_BEFORE_SUMMARY;
    use crate::{
        Cookie, CookieJar, CookiePolicy, CookieRequest, DefaultCookiePolicy, DomainStrictness,
        Limits, Reason, RequestFacts,
    };

    #[test]
    fn a_summary_cache_set_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Set>(), 64);
    }

    const HOSTS: [&str; 6] = [
        "example.com",
        "a.example.com",
        "b.a.example.com",
        "example.org",
        "www.example.org",
        "127.0.0.1",
    ];
    const PATHS: [&str; 5] = ["/", "/a", "/a/", "/a/b", "/ab"];

    #[derive(Debug, Clone)]
    enum Op {
        /// A Set-Cookie header from `HOSTS[host]`: name, value, Path
        /// (0: none), Domain (the host's registrable domain), Secure,
        /// SameSite (0: none, Strict, Lax, None), Max-Age (0: none, 1:
        /// 0, else seconds).
        Set(u8, bool, u8, u8, u8, bool, bool, u8, u8),
        /// An RFC 2965 cookie, stored without the policy.
        SetVersion1(u8, u8),
        /// A lookup: host, https, path, origin (0: none, 1: example.com,
        /// 2: example.org), unverifiable, POST.
        Lookup(u8, bool, u8, u8, bool, bool),
        /// The clock moves on by this many seconds.
        Advance(u8),
        /// 0: clear a host's cookies; 1: a name's; 2: session cookies; 3:
        /// expired ones.
        Clear(u8, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (0u8..6, any::<bool>(), 0u8..4, 0u8..4, 0u8..5, any::<bool>(), any::<bool>(), 0u8..4, 0u8..8)
                .prop_map(|(h, s, n, v, p, d, sec, ss, ma)| Op::Set(h, s, n, v, p, d, sec, ss, ma)),
            1 => (0u8..6, 0u8..4).prop_map(|(h, n)| Op::SetVersion1(h, n)),
            8 => (0u8..6, any::<bool>(), 0u8..5, 0u8..3, any::<bool>(), any::<bool>())
                .prop_map(|(h, s, p, o, u, post)| Op::Lookup(h, s, p, o, u, post)),
            2 => (0u8..4).prop_map(Op::Advance),
            1 => (0u8..4, 0u8..6).prop_map(|(k, x)| Op::Clear(k, x)),
        ]
    }

    fn policy(which: u8) -> DefaultCookiePolicy {
        let mut policy = DefaultCookiePolicy::default();
        match which {
            1 => policy.strict_ns_domain = DomainStrictness::LIBERAL,
            2 => policy.strict_ns_unverifiable = true,
            3 => policy.netscape = false,
            4 => policy.blocked_domains = vec!["a.example.com".into()],
            5 => policy.rfc2965 = true,
            _ => {}
        }
        policy
    }

    fn site(host: &str) -> &str {
        if host.ends_with("example.com") {
            "example.com"
        } else if host.ends_with("example.org") {
            "example.org"
        } else {
            host
        }
    }

    /// Every cookie with what a lookup changes, in a fixed order.
    fn snapshot(jar: &CookieJar) -> Vec<(String, String, String, String, i64, i64)> {
        let mut all: Vec<_> = jar
            .iter()
            .map(|c| {
                (
                    c.domain.to_string(),
                    c.path.to_string(),
                    c.name.to_string(),
                    c.value.to_string(),
                    c.creation_time,
                    c.last_access_time,
                )
            })
            .collect();
        all.sort();
        all
    }

    fn jar(which: u8, clock: &Arc<FixedClock>, summaries: bool) -> CookieJar {
        let mut jar = CookieJar::builder()
            .policy(policy(which))
            .clock(clock.clone())
            .limits(Limits {
                max_cookies_per_site: 6,
                max_cookies: 14,
                ..Limits::default()
            })
            .build();
        jar.set_summaries_above(if summaries { 0 } else { usize::MAX });
        jar
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Stores, replacements, deletions, expiry, evictions and clears
        /// between lookups: a jar answering from summaries gives the
        /// headers, and leaves the last-access times, of one that never
        /// does; and every summary it keeps is its bucket's as of now.
        #[test]
        fn summaries_answer_as_the_cookies_do(
            which in 0u8..6,
            ops in prop::collection::vec(op(), 1..120),
        ) {
            let clock = Arc::new(FixedClock::new(1_300_000_000));
            let mut fast = jar(which, &clock, true);
            let mut slow = jar(which, &clock, false);
            for op in ops {
                match op {
                    Op::Set(h, https, n, v, p, d, secure, ss, ma) => {
                        let host = HOSTS[usize::from(h)];
                        let scheme = if https { "https" } else { "http" };
                        let request = CookieRequest::parse(&format!("{scheme}://{host}/a/b/c")).unwrap();
                        let mut header = format!("n{n}=v{v}");
                        if p > 0 {
                            header += &format!("; Path={}", PATHS[usize::from(p)]);
                        }
                        if d && host.parse::<std::net::IpAddr>().is_err() {
                            header += &format!("; Domain={}", site(host));
                        }
                        if secure {
                            header += "; Secure";
                        }
                        header += ["", "; SameSite=Strict", "; SameSite=Lax", "; SameSite=None"][usize::from(ss)];
                        match ma {
                            0 => {}
                            1 => header += "; Max-Age=0",
                            k => header += &format!("; Max-Age={}", k * 2),
                        }
                        let a = fast.set_cookie_from_header(&request, header.as_bytes());
                        let b = slow.set_cookie_from_header(&request, header.as_bytes());
                        prop_assert_eq!(a, b);
                    }
                    Op::SetVersion1(h, n) => {
                        let host = HOSTS[usize::from(h)];
                        let mut cookie = Cookie::new(format!("v{n}").as_str(), "x y", host, "/");
                        cookie.version = Some(1);
                        prop_assert_eq!(fast.set_cookie(cookie.clone()), slow.set_cookie(cookie));
                    }
                    Op::Lookup(h, https, p, o, unverifiable, post) => {
                        let host = HOSTS[usize::from(h)];
                        let scheme = if https { "https" } else { "http" };
                        let url = format!("{scheme}://{host}{}", PATHS[usize::from(p)]);
                        let method = if post { "POST" } else { "GET" };
                        let http = http::Request::builder().method(method).uri(url).body(()).unwrap();
                        let request = CookieRequest::from_request(&http).unwrap().with_facts(RequestFacts {
                            unverifiable,
                            origin_host: [None, Some("example.com"), Some("example.org")][usize::from(o)]
                                .map(str::to_owned),
                        });
                        prop_assert_eq!(
                            fast.header_and_versions(&request),
                            slow.header_and_versions(&request)
                        );
                    }
                    Op::Advance(k) => clock.set(clock.now() + i64::from(k)),
                    Op::Clear(k, x) => {
                        let (a, b) = match k {
                            0 => {
                                let host = HOSTS[usize::from(x)];
                                (fast.clear(Some(host), None, None), slow.clear(Some(host), None, None))
                            }
                            1 => {
                                let name = format!("n{}", x % 4);
                                (fast.clear(None, None, Some(&name)), slow.clear(None, None, Some(&name)))
                            }
                            2 => (fast.clear_session_cookies(), slow.clear_session_cookies()),
                            _ => (fast.clear_expired_cookies(), slow.clear_expired_cookies()),
                        };
                        prop_assert_eq!(a, b);
                    }
                }
                prop_assert_eq!(snapshot(&fast), snapshot(&slow));
                if let Err(e) = fast.index().summaries_agree() {
                    prop_assert!(false, "{}", e);
                }
            }
        }
    }

    fn stocked(policy: impl CookiePolicy + 'static) -> CookieJar {
        let mut jar = CookieJar::builder()
            .policy(policy)
            .clock(Arc::new(FixedClock::new(1_300_000_000)))
            .build();
        jar.set_summaries_above(0);
        jar.set_cookie(Cookie::new("a", "1", "example.com", "/"))
            .unwrap();
        jar.set_cookie(Cookie::new("b", "2", "example.com", "/x"))
            .unwrap();
        jar
    }

    #[test]
    fn a_large_jar_answers_from_a_summary() {
        let mut jar = stocked(DefaultCookiePolicy::default());
        let request = CookieRequest::parse("http://example.com/x/y").unwrap();
        // Built on the lookup after `LOOKUPS_BEFORE_SUMMARY`.
        for _ in 0..LOOKUPS_BEFORE_SUMMARY {
            assert_eq!(jar.cookie_header(&request).as_deref(), Some("b=2; a=1"));
            assert_eq!(jar.index().summaries_agree(), Ok(0));
        }
        assert_eq!(jar.cookie_header(&request).as_deref(), Some("b=2; a=1"));
        assert_eq!(jar.index().summaries_agree(), Ok(1));
        // A change drops it, and it is built again as before.
        jar.set_cookie(Cookie::new("c", "3", "example.com", "/"))
            .unwrap();
        assert_eq!(jar.index().summaries_agree(), Ok(0));
        for _ in 0..=LOOKUPS_BEFORE_SUMMARY {
            assert_eq!(
                jar.cookie_header(&request).as_deref(),
                Some("b=2; a=1; c=3")
            );
        }
        assert_eq!(jar.index().summaries_agree(), Ok(1));
    }

    #[test]
    fn a_bucket_with_an_rfc_2965_cookie_gets_no_summary() {
        let mut jar = stocked(DefaultCookiePolicy::rfc2965());
        let mut v1 = Cookie::new("c", "3 4", "example.com", "/");
        v1.version = Some(1);
        jar.set_cookie(v1).unwrap();
        let request = CookieRequest::parse("http://example.com/x/y").unwrap();
        for _ in 0..LOOKUPS_BEFORE_SUMMARY {
            jar.header_and_versions(&request);
        }
        let header = jar.header_and_versions(&request);
        assert_eq!(jar.index().summaries_agree(), Ok(0));
        jar.set_summaries_above(usize::MAX);
        assert_eq!(header, jar.header_and_versions(&request));
        assert!(header.is_some_and(|(h, _)| h.contains("$Path")));
    }

    /// The default policy, except that cookies named `b` never go.
    #[derive(Debug, Default)]
    struct NoB(DefaultCookiePolicy);

    impl CookiePolicy for NoB {
        fn set_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
            self.0.set_ok(cookie, request)
        }
        fn return_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
            if cookie.name == "b" {
                return Err(Reason::BlockedDomain);
            }
            self.0.return_ok(cookie, request)
        }
    }

    #[test]
    fn a_custom_policy_is_asked_for_each_cookie() {
        let mut jar = stocked(NoB::default());
        let request = CookieRequest::parse("http://example.com/x/y").unwrap();
        for _ in 0..=LOOKUPS_BEFORE_SUMMARY {
            assert_eq!(jar.cookie_header(&request).as_deref(), Some("a=1"));
        }
        assert_eq!(jar.index().summaries_agree(), Ok(0));
    }
}
