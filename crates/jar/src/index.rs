//! The jar's storage: cookies grouped by domain in a hash table, so a lookup
//! visits one bucket per label of the request host (`a.b.example.com`,
//! `b.example.com`, `example.com`, `com`) instead of every domain, as
//! CPython's jar and cookie_store do. Each bucket names its registrable
//! domain ("site") by a number into a table of sites, which count their
//! cookies for the per-site limit: storing a cookie in a known domain is one
//! hash probe, and the public suffix list is asked only for a new domain.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::hash_table::{Entry as TableEntry, HashTable};

use compact_str::CompactString;
use smallvec::SmallVec;

use crate::cookie::{Cookie, Seq};
use crate::domain::{site_and_registrable, site_of};
use crate::summary::{self, SummaryCache, SummaryRef};

/// A stored cookie. Its insertion number, which breaks ties between equal
/// creation times in the Cookie header order (RFC 6265 §5.4 step 2), is in
/// the cookie (`Cookie::seq`), in the cache line the header order reads.
#[derive(Debug, Clone)]
#[repr(transparent)]
pub(crate) struct Entry {
    pub(crate) cookie: Cookie,
}

impl Entry {
    /// The insertion number.
    #[inline]
    pub(crate) fn seq(&self) -> u64 {
        self.cookie.seq.0
    }
}

/// The cookies of one domain, and the number of the site they count under.
///
/// One cache line: storing a cookie reads the bucket's domain (to confirm
/// the hash probe) and, in the same line, the tags of its first cookies,
/// so that a new cookie is told apart from those without reading them.
/// Each stored cookie spans three or four cache lines; on a jar larger than
/// the cache, reading the names of the bucket's cookies was the largest
/// single cost of storing one. The cookies past the first [`TAGGED`] are in
/// the bucket's [`Rest`], elsewhere: a bucket never moves its cookies as it
/// grows (a single `Vec` copied every cookie at each growth, on the large
/// workload 0.25 cookies per cookie stored and 1.4 cache misses).
#[derive(Debug)]
#[repr(align(64))]
struct Bucket {
    domain: CompactString,
    /// The first cookies, at most [`TAGGED`] (allocated for that many).
    entries: Vec<Entry>,
    site: SiteId,
    /// How many of the cookies are Secure (the "leave secure cookies
    /// alone" check skips a bucket without any unread), and in the top bit
    /// ([`REGISTRABLE`]) whether the domain is known not to be a public
    /// suffix. (A bucket cannot hold 2^27 cookies; the line has no room
    /// for another field.)
    secure: u32,
    /// `tag(name, path)` of `entries[i]`.
    tags: [u8; TAGGED],
}

/// The cookies of a bucket past its first [`TAGGED`], in
/// [`Index::rests`] under the bucket's hash: in chunks of 8, 16, 32...
/// cookies, each as large as all before it, so that no cookie moves as the
/// bucket grows. Apart from the bucket, so that the bucket table (every
/// domain, moved whenever the table grows) keeps one line per domain.
/// The domain and the first chunk's `Vec` share the first line: a lookup
/// of a bucket of up to 16 cookies reads no chunk list.
#[derive(Debug)]
#[repr(C, align(64))]
struct Rest {
    domain: CompactString,
    /// Never empty, nor is any chunk.
    chunks: SmallVec<[Vec<Entry>; 1]>,
    /// `tag(name, path)` of the first [`REST_TAGGED`] cookies.
    tags: [u8; REST_TAGGED],
}

/// How many of the cookies after the first [`TAGGED`] have a tag in their
/// [`Rest`]: what fills its line.
const REST_TAGGED: usize = 16;

/// How many cookies `chunks` hold.
#[inline]
fn chunks_len(chunks: &[Vec<Entry>]) -> usize {
    chunks.iter().map(Vec::len).sum()
}

impl Rest {
    /// The chunk with room for one more cookie, whose tag is `t` (tagged
    /// here).
    fn chunk_with_room(&mut self, t: u8) -> Option<&mut Vec<Entry>> {
        let len = chunks_len(&self.chunks);
        if let Some(slot) = self.tags.get_mut(len) {
            *slot = t;
        }
        if self.chunks.last().is_none_or(|c| c.len() == c.capacity()) {
            // As large as all chunks before it and the bucket's first
            // cookies: as few as a doubling `Vec` reallocates, but nothing
            // is copied.
            self.chunks.push(Vec::with_capacity(TAGGED + len));
        }
        self.chunks.last_mut()
    }
}

/// A bucket's cookies: its first [`TAGGED`], then the others. A position
/// counts through both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cookies<'a> {
    first: &'a [Entry],
    rest: &'a [Vec<Entry>],
}

impl<'a> Cookies<'a> {
    /// How many cookies.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.first.len() + self.rest.iter().map(Vec::len).sum::<usize>()
    }

    /// The cookie at position `pos`.
    #[inline]
    pub(crate) fn get(&self, pos: usize) -> Option<&'a Entry> {
        match pos.checked_sub(TAGGED) {
            None => self.first.get(pos),
            Some(i) => chunk_get(self.rest, i),
        }
    }

    /// The cookies in position order.
    #[inline]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a Entry> + Clone + 'a {
        self.first.iter().chain(self.rest.iter().flatten())
    }
}

/// The cookie at position `i` of `chunks`.
#[inline]
fn chunk_get(chunks: &[Vec<Entry>], mut i: usize) -> Option<&Entry> {
    for chunk in chunks {
        match chunk.get(i) {
            Some(e) => return Some(e),
            None => i -= chunk.len(),
        }
    }
    None
}

/// [`chunk_get`], for writing.
#[inline]
fn chunk_get_mut(chunks: &mut [Vec<Entry>], mut i: usize) -> Option<&mut Entry> {
    for chunk in chunks {
        if i < chunk.len() {
            return chunk.get_mut(i);
        }
        i -= chunk.len();
    }
    None
}

/// [`Bucket::secure`]'s flag: the public suffix list said, when the bucket
/// was made, that its domain is not a public suffix (it has a registrable
/// domain of its own or above it).
const REGISTRABLE: u32 = 1 << 31;

/// [`Bucket::secure`]'s flag: a lookup built a summary of the bucket
/// ([`crate::summary`]), which may still be in [`Index::summaries`]; a
/// change of the bucket's cookies drops it. Clear: a store need not look.
const SUMMARISED: u32 = 1 << 30;

/// [`Bucket::secure`]'s two bits counting the large-jar lookups that
/// visited the bucket since its cookies last changed, up to
/// [`BUILD_AFTER`]: the summary is built on the next one. Building costs
/// about as much as a cold lookup; a bucket looked up once or twice (a
/// crawler's visit, a cookie replaced between requests) does not repay it.
const LOOKED_UP: u32 = 3 << 28;
const ONE_LOOKUP: u32 = 1 << 28;
const BUILD_AFTER: u32 = BUILD_AFTER_LOOKUPS << 28;
const BUILD_AFTER_LOOKUPS: u32 = 2;
/// Tests: the lookups of a bucket before its summary is built.
#[cfg(test)]
pub(crate) const LOOKUPS_BEFORE_SUMMARY: usize = BUILD_AFTER_LOOKUPS as usize;

/// [`Bucket::secure`]'s count bits.
const SECURE_COUNT: u32 = !(REGISTRABLE | SUMMARISED | LOOKED_UP | HAS_REST);

/// [`Bucket::secure`]'s flag: the bucket has a [`Rest`] (more than
/// [`TAGGED`] cookies).
const HAS_REST: u32 = 1 << 27;

/// How many of a bucket's cookies have a tag in the bucket itself.
const TAGGED: usize = 8;

/// A cheap one-byte summary of a cookie's name and path (RFC 6265's
/// identity within a domain): equal cookies have equal tags; unequal ones
/// usually differ. A collision only costs reading the cookie.
#[inline]
fn tag(name: &str, path: &str) -> u8 {
    let n = name.as_bytes();
    let first = n.first().copied().unwrap_or(0);
    let last = n.last().copied().unwrap_or(0);
    let mid = n.get(n.len() / 2).copied().unwrap_or(0);
    (n.len() as u8)
        .wrapping_mul(31)
        .wrapping_add(first.rotate_left(3))
        .wrapping_add(last.rotate_left(5))
        .wrapping_add(mid)
        .wrapping_add((path.len() as u8).wrapping_mul(7))
}

impl Bucket {
    /// The position of the cookie named `name` with `path` and tag `t`,
    /// reading only the cookies whose tags match (and any beyond the tagged
    /// ones).
    #[inline]
    fn position(&self, rest: Option<&Rest>, name: &str, path: &str, t: u8) -> Option<usize> {
        let same = |e: &Entry| e.cookie.name == name && e.cookie.path == path;
        let first = &self.entries;
        if let Some(i) = (0..first.len().min(TAGGED))
            .filter(|&i| self.tags[i] == t)
            .find(|&i| first.get(i).is_some_and(same))
        {
            return Some(i);
        }
        let rest = rest?;
        let chunks = &rest.chunks;
        let tagged = chunks_len(chunks).min(REST_TAGGED);
        (0..tagged)
            .filter(|&i| rest.tags[i] == t)
            .find(|&i| chunk_get(chunks, i).is_some_and(same))
            .or_else(|| {
                chunks
                    .iter()
                    .flatten()
                    .skip(tagged)
                    .position(same)
                    .map(|i| i + tagged)
            })
            .map(|i| i + TAGGED)
    }

    /// The cookies, with those of `rest`, the bucket's [`Rest`] if any.
    #[inline]
    fn cookies<'a>(&'a self, rest: Option<&'a Rest>) -> Cookies<'a> {
        Cookies {
            first: &self.entries,
            rest: rest.map_or(&[][..], |r| r.chunks.as_slice()),
        }
    }

    /// Whether the bucket has a [`Rest`].
    #[inline]
    fn has_rest(&self) -> bool {
        self.secure & HAS_REST != 0
    }

    /// Tag the cookies and count the Secure ones again (after a removal
    /// moved one); `rest`: the bucket's [`Rest`] if any.
    fn retag(&mut self, rest: Option<&mut Rest>) {
        for (slot, e) in self.tags.iter_mut().zip(&self.entries) {
            *slot = tag(&e.cookie.name, &e.cookie.path);
        }
        let mut count = self.entries.iter().filter(|e| e.cookie.secure).count();
        if let Some(rest) = rest {
            for (slot, e) in rest.tags.iter_mut().zip(rest.chunks.iter().flatten()) {
                *slot = tag(&e.cookie.name, &e.cookie.path);
            }
            count += rest
                .chunks
                .iter()
                .flatten()
                .filter(|e| e.cookie.secure)
                .count();
        }
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.secure = count.min(SECURE_COUNT) | (self.secure & !SECURE_COUNT);
    }

    /// Note that the cookies are about to change: the lookup count starts
    /// again, and the answer says whether a summary may be cached, which
    /// the caller must drop.
    #[inline(always)]
    fn cookies_change(&mut self) -> bool {
        let summarised = self.secure & SUMMARISED != 0;
        self.secure &= !(SUMMARISED | LOOKED_UP);
        summarised
    }

    /// How many of the cookies are Secure.
    fn secure_count(&self) -> u32 {
        self.secure & SECURE_COUNT
    }

    /// Whether the public suffix list found the domain registrable.
    fn registrable(&self) -> bool {
        self.secure & REGISTRABLE != 0
    }
}

/// A site's position in [`Index::sites`].
pub(crate) type SiteId = u32;

#[derive(Debug, Default)]
struct Site {
    /// The registrable domain (empty while the slot is free).
    key: CompactString,
    /// The domain buckets under this site, so that per-site eviction and the
    /// "leave secure cookies alone" rule look at this site only.
    domains: Vec<CompactString>,
}

#[derive(Debug, Default)]
pub(crate) struct Index {
    // foldhash's seeded hasher: fast, and keys are partly chosen by servers,
    // so a fixed hash (FxHash) would invite collisions by design. A
    // `HashTable` rather than a `HashMap` so that one hash serves the
    // Bloom filter, the probe and, for a new domain, the insertion.
    hasher: RandomState,
    buckets: HashTable<Bucket>,
    /// Sites by number; a bucket holds its site's number, so counting a new
    /// cookie needs no second hash probe.
    sites: Vec<Site>,
    /// Cookies per site, by number: apart from `sites` so that the counts
    /// of ten thousand sites fit in 40 KB and stay in the cache (u32: as
    /// `usize`, 80 KB, the large workload missed on 0.36 of its stores).
    /// A site cannot hold 2^32 cookies: the jar would need 700 GB.
    site_counts: Vec<u32>,
    /// Site numbers by registrable domain, asked only when a domain is new.
    /// Under the index's hash of the key (a `HashTable`: the hash that
    /// found a new domain's site absent inserts it, without hashing again).
    site_ids: HashTable<(CompactString, SiteId)>,
    /// Numbers of emptied sites, for reuse.
    free_sites: Vec<SiteId>,
    /// Which domains may have a bucket: a lookup probes the host and every
    /// parent domain, and most of those (`com`, `img.example.com`) have none.
    /// On a large jar each such probe is a cache miss in the table; this
    /// small bit set answers "surely not" from the cache.
    present: DomainFilter,
    len: usize,
    next_seq: u64,
    /// Buckets added or removed so far: a [`Slot`] found before the last
    /// change is not trusted.
    changes: u64,
    /// Summaries of the buckets large-jar lookups visited.
    summaries: SummaryCache,
    /// Which (site, name) pairs may have a Secure cookie.
    secure_names: SecureNames,
    /// The cookies of the buckets of more than [`TAGGED`], past those.
    rests: HashTable<Rest>,
    /// Where the bucket table is, for [`Index::prefetch_domain`].
    table_at: TableAt,
}

/// Where the bucket table's memory was when a bucket was last added: the
/// address of its control bytes and its number of buckets less one (0, 0:
/// none yet). hashbrown (0.17) keeps bucket `i` just below the control
/// bytes (at `ctrl - (i + 1) * size_of::<Bucket>()`) and starts the probe
/// for `hash` at `hash & mask`, so the lines a probe reads can be asked for
/// before the probe. Only prefetches use it: an address out of date (the
/// table grew since, or hashbrown lays its table out otherwise) costs a
/// wasted hint, never a wrong answer. `index.rs`'s tests check that the
/// guess finds the bucket.
#[derive(Debug, Default, Clone, Copy)]
struct TableAt {
    ctrl: usize,
    mask: usize,
}

impl TableAt {
    /// Where a table of `buckets` buckets is, from the address `at` of its
    /// bucket `index`.
    fn new(buckets: usize, index: usize, at: usize) -> TableAt {
        TableAt {
            ctrl: at.wrapping_add((index + 1) * size_of::<Bucket>()),
            mask: buckets.wrapping_sub(1),
        }
    }

    /// The address of the first control byte and of the bucket a probe for
    /// `hash` reads first (`None` while nothing is known).
    #[inline]
    fn probe_lines(self, hash: u64) -> Option<(usize, usize)> {
        if self.ctrl == 0 {
            return None;
        }
        let pos = hash as usize & self.mask;
        Some((
            self.ctrl.wrapping_add(pos),
            self.ctrl
                .wrapping_sub((pos + 1).wrapping_mul(size_of::<Bucket>())),
        ))
    }
}

/// A one-hash Bloom filter over the (site, name) pairs of Secure cookies
/// stored, so that the "leave secure cookies alone" rule (RFC 6265bis
/// §5.7 step 16) skips, from one bit in the cache, the walk over a site's
/// domains and their cookies (on a large jar about 1.5 cache misses per
/// insecure store). Bits are not cleared when a cookie goes (a stale bit
/// costs that walk, nothing more); the set is rebuilt from the jar's
/// Secure cookies when pairs that came and went would grow it past
/// [`SecureNames::BITS_PER_COOKIE`] bits per cookie held.
#[derive(Debug, Default)]
struct SecureNames {
    bits: Vec<u64>,
    /// Bits set so far: the set doubles at one bit in sixteen.
    set: usize,
}

impl SecureNames {
    const MIN_WORDS: usize = 64;
    const BITS_PER_COOKIE: usize = 32;

    fn may_contain(&self, hash: u64) -> bool {
        let Some(bit) = self.bit(hash) else {
            return false;
        };
        self.bits
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Add `hash`. `false`: the set should grow past the bound for a jar
    /// of `cookies` cookies, and is to be rebuilt instead.
    fn insert(&mut self, hash: u64, cookies: usize) -> bool {
        if self.bits.is_empty() {
            self.bits = vec![0; Self::MIN_WORDS];
        }
        let Some(bit) = self.bit(hash) else {
            return true;
        };
        let Some(word) = self.bits.get_mut(bit / 64) else {
            return true;
        };
        if *word & (1 << (bit % 64)) == 0 {
            *word |= 1 << (bit % 64);
            self.set += 1;
            if self.set * 16 > self.bits.len() * 64 {
                let bound = (cookies * Self::BITS_PER_COOKIE).max(Self::MIN_WORDS * 64 * 2);
                if self.bits.len() * 64 * 2 > bound {
                    return false;
                }
                // Doubling by copying keeps every answer: a pair's bit in
                // the larger set is its old bit or that plus the old size,
                // and both are set. (Re-adding the pairs would read every
                // Secure cookie of the jar.)
                self.bits.extend_from_within(..);
            }
        }
        true
    }

    /// The bit of `hash`, `None` while the set is empty.
    fn bit(&self, hash: u64) -> Option<usize> {
        let len = self.bits.len() * 64;
        (len > 0).then(|| hash as usize & (len - 1))
    }
}

/// A one-hash Bloom filter over bucket domains. Bits are never cleared when
/// a bucket goes (a stale bit costs one probe, nothing more); the set is
/// rebuilt when it grows, at 16 bits per bucket, so false positives stay
/// under about 6 %.
#[derive(Debug, Default)]
struct DomainFilter {
    bits: Vec<u64>,
    /// The hashes inserted, to rebuild from: re-hashing every bucket's
    /// domain read the whole table (on a large jar, 0.26 cache misses per
    /// stored cookie); these are read in order, 8 bytes a bucket.
    hashes: Vec<u64>,
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
        Self::set(&mut self.bits, hash);
        self.hashes.push(hash);
    }

    fn set(bits: &mut [u64], hash: u64) {
        let bit = (hash >> 7) as usize & (bits.len() * 64 - 1);
        bits[bit / 64] |= 1 << (bit % 64);
    }

    /// Make room for `buckets` domains when the set grows, taking the
    /// hashes of the buckets from `keys` when more than half of those kept
    /// are of buckets gone (then the set is rebuilt too). Amortised O(1)
    /// per bucket.
    fn reserve(&mut self, buckets: usize, keys: impl FnOnce() -> Vec<u64>) {
        let words = (buckets * 16 / 64).next_power_of_two().max(Self::MIN_WORDS);
        // Buckets that come and go would grow `hashes` without bound, and
        // fill the bits: both are made again once half the hashes are stale.
        let stale = self.hashes.len() > 2 * buckets + Self::MIN_WORDS;
        if stale {
            self.hashes = keys();
        }
        if words > self.bits.len() || stale {
            self.bits = vec![0; words.max(self.bits.len())];
            for &hash in &self.hashes {
                Self::set(&mut self.bits, hash);
            }
        }
    }
}

/// A bucket's position in the table, valid while the table has made
/// `changes` changes ([`Index::upsert_hashed`] checks).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    index: usize,
    changes: u64,
}

/// See [`Index::domain_facts`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct DomainFacts {
    /// The index's hash of the domain.
    pub(crate) hash: u64,
    /// Where the domain's bucket is in the table, when it has one.
    pub(crate) slot: Option<Slot>,
    /// The site of the domain's bucket, when it has one.
    pub(crate) site: Option<SiteId>,
    /// The domain is known not to be a public suffix (its bucket says so,
    /// or, for a new domain, [`Index::domain_facts_for_store`] asked).
    pub(crate) registrable: bool,
    /// For a domain without a bucket, what [`Index::domain_facts_for_store`]
    /// learned of it for the new bucket.
    pub(crate) new: Option<NewDomain>,
}

/// The public suffix list's answer for a domain without a bucket, asked
/// once for the policy, the secure-cookie rule and the new bucket (each
/// asked it again before: ~180 instructions a time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewDomain {
    /// Where the site's key (the registrable domain) starts in the domain.
    key_start: usize,
    /// The index's hash of the key.
    key_hash: u64,
    /// The list found a registrable domain.
    registrable: bool,
    /// The site, when a bucket of its registrable domain has made it.
    site: Option<SiteId>,
    /// The index's `changes` then: the domain had no bucket.
    changes: u64,
}

pub(crate) enum Upsert {
    /// A new cookie; when its site now holds more than the limit given to
    /// `upsert`, the site, for eviction.
    Added {
        site_over_limit: Option<SiteId>,
    },
    Replaced,
}

impl Index {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// How many domains have a bucket.
    #[inline]
    pub(crate) fn domains(&self) -> usize {
        self.buckets.len()
    }

    #[inline]
    pub(crate) fn hash(&self, domain: &str) -> u64 {
        self.hasher.hash_one(domain)
    }

    /// Ask for the cache lines that finding the bucket of the domain whose
    /// hash is `hash` will read (the table's control bytes and the bucket
    /// most likely to be the one), without waiting for them: on a jar
    /// larger than the cache each is a miss, and the second depends on the
    /// first.
    #[inline]
    pub(crate) fn prefetch_domain(&self, hash: u64) {
        if let Some((ctrl, bucket)) = self.table_at.probe_lines(hash) {
            crate::jar::prefetch(std::ptr::without_provenance(ctrl));
            crate::jar::prefetch(std::ptr::without_provenance(bucket));
        }
    }

    /// Ask, with intent to write, for the lines a new cookie of the
    /// bucket at `slot` ([`DomainFacts::slot`]) will be written to, when
    /// among its first [`TAGGED`]: the checks before the store then
    /// overlap those misses.
    #[inline(never)]
    pub(crate) fn prefetch_slot(&self, slot: Option<Slot>) {
        let Some(bucket) = slot.and_then(|s| self.buckets.get_bucket(s.index)) else {
            return;
        };
        let len = bucket.entries.len();
        if len < bucket.entries.capacity() {
            let at = bucket.entries.as_ptr().wrapping_add(len).cast::<u8>();
            for offset in [0, 64, 128, size_of::<Entry>() - 1] {
                crate::jar::prefetch_write(at.wrapping_add(offset));
            }
        }
    }

    fn find(&self, hash: u64, domain: &str) -> Option<&Bucket> {
        self.buckets.find(hash, |b| b.domain == domain)
    }

    /// The [`Rest`] of bucket `b` (hash `hash`), when it has one.
    #[inline]
    fn rest_of<'a>(rests: &'a HashTable<Rest>, b: &Bucket, hash: u64) -> Option<&'a Rest> {
        if !b.has_rest() {
            return None;
        }
        rests.find(hash, |r| r.domain == b.domain)
    }

    /// [`rest_of`](Self::rest_of), for writing.
    #[inline]
    fn rest_of_mut<'a>(
        rests: &'a mut HashTable<Rest>,
        b: &Bucket,
        hash: u64,
    ) -> Option<&'a mut Rest> {
        if !b.has_rest() {
            return None;
        }
        rests.find_mut(hash, |r| r.domain == b.domain)
    }

    /// The cookies of bucket `b`, whose hash is `hash`.
    #[inline]
    fn cookies_of<'a>(&'a self, b: &'a Bucket, hash: u64) -> Cookies<'a> {
        b.cookies(Self::rest_of(&self.rests, b, hash))
    }

    pub(crate) fn bucket(&self, domain: &str) -> Option<Cookies<'_>> {
        let hash = self.hash(domain);
        if !self.present.may_contain(hash) {
            return None;
        }
        self.find(hash, domain).map(|b| self.cookies_of(b, hash))
    }

    /// The cookies of `domain` when at least one of them is Secure.
    pub(crate) fn bucket_with_secure(&self, domain: &str) -> Option<Cookies<'_>> {
        let hash = self.hash(domain);
        self.find(hash, domain)
            .filter(|b| b.secure_count() > 0)
            .map(|b| self.cookies_of(b, hash))
    }

    /// Set the last-access time of the cookies at `positions` of `domain`'s
    /// bucket (and in its summary, when it has one).
    pub(crate) fn touch(&mut self, domain: &str, positions: impl Iterator<Item = usize>, now: i64) {
        let hash = self.hash(domain);
        let Some(bucket) = self.buckets.find_mut(hash, |b| b.domain == domain) else {
            return;
        };
        let mut rest = Self::rest_of_mut(&mut self.rests, bucket, hash);
        let mut summary = if bucket.secure & SUMMARISED != 0 {
            self.summaries
                .find(hash)
                .and_then(|r| self.summaries.get_mut(r, hash, domain))
        } else {
            None
        };
        for pos in positions {
            let entry = match pos.checked_sub(TAGGED) {
                None => bucket.entries.get_mut(pos),
                Some(i) => rest
                    .as_deref_mut()
                    .and_then(|r| chunk_get_mut(&mut r.chunks, i)),
            };
            if let Some(entry) = entry {
                entry.cookie.last_access_time = now;
                if let Some(s) = summary.as_deref_mut() {
                    summary::set_last_access(s, pos, now);
                }
            }
        }
    }

    /// Tests: every cached summary is its bucket's, as it would be built
    /// now, and the bucket is marked; how many there are.
    #[cfg(test)]
    pub(crate) fn summaries_agree(&self) -> Result<usize, String> {
        let mut n = 0;
        for s in self.summaries.all() {
            let domain = std::str::from_utf8(summary::domain(s)).map_err(|e| e.to_string())?;
            let hash = summary::hash_of(s);
            let bucket = self
                .find(hash, domain)
                .ok_or_else(|| format!("a summary of {domain}, which has no bucket"))?;
            if bucket.secure & SUMMARISED == 0 {
                return Err(format!("{domain}'s bucket is not marked"));
            }
            let fresh = summary::build(hash, domain, self.cookies_of(bucket, hash))
                .ok_or_else(|| format!("a summary of {domain}, which cannot have one"))?;
            if *fresh != *s {
                return Err(format!("the summary of {domain} is stale"));
            }
            n += 1;
        }
        Ok(n)
    }

    /// Whether `domain` (hash `hash`) may have a bucket.
    #[inline]
    pub(crate) fn may_contain(&self, hash: u64) -> bool {
        self.present.may_contain(hash)
    }

    /// Whether the summary cache may hold `hash`'s summary (a bit in the
    /// cache, no miss).
    #[inline]
    pub(crate) fn may_have_summary(&self, hash: u64) -> bool {
        self.summaries.may_hold(hash)
    }

    /// Request the summary cache's line for `hash`.
    #[inline]
    pub(crate) fn prefetch_summary_set(&self, hash: u64) {
        self.summaries.prefetch_set(hash);
    }

    /// Where `hash`'s summary may be (its lines are requested).
    #[inline]
    pub(crate) fn find_summary(&self, hash: u64) -> Option<SummaryRef> {
        self.summaries.find(hash)
    }

    /// The summary at `r` when it is `domain`'s (hash `hash`).
    #[inline]
    pub(crate) fn summary(&self, r: SummaryRef, hash: u64, domain: &str) -> Option<&[u8]> {
        self.summaries.get(r, hash, domain)
    }

    /// The cookies of `domain`, whose hash is `hash` and which the Bloom
    /// filter lets through.
    #[inline]
    pub(crate) fn bucket_hashed(&self, domain: &str, hash: u64) -> Option<Cookies<'_>> {
        self.find(hash, domain).map(|b| self.cookies_of(b, hash))
    }

    /// Count a large-jar lookup of `domain`'s bucket (hash `hash`), which
    /// it has just read; the lookup after [`BUILD_AFTER_LOOKUPS`] since the
    /// bucket changed builds its summary, if `may_build` agrees then, and
    /// so does one that finds it gone (pushed out of its cache set).
    pub(crate) fn count_lookup(
        &mut self,
        domain: &str,
        hash: u64,
        may_build: impl FnOnce() -> bool,
    ) {
        let buckets = self.buckets.len();
        let Some(bucket) = self.buckets.find_mut(hash, |b| b.domain == domain) else {
            return;
        };
        if bucket.secure & LOOKED_UP < BUILD_AFTER {
            bucket.secure += ONE_LOOKUP;
            return;
        }
        if bucket.secure & SUMMARISED != 0
            && self
                .summaries
                .find(hash)
                .and_then(|r| self.summaries.get(r, hash, domain))
                .is_some()
        {
            return;
        }
        if !may_build() {
            return;
        }
        self.summaries.reserve(buckets);
        let rest = Self::rest_of(&self.rests, bucket, hash);
        if let Some(built) = summary::build(hash, domain, bucket.cookies(rest)) {
            if self.summaries.install(hash, built).is_some() {
                bucket.secure |= SUMMARISED;
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        let rests = self.rests.iter().flat_map(|r| r.chunks.iter().flatten());
        self.buckets.iter().flat_map(|b| &b.entries).chain(rests)
    }

    /// Every entry, in [`iter`](Self::iter)'s order, to `f`: plain loops,
    /// for the walks over the whole jar that saving a file makes (the
    /// nested iterator cost ~28 instructions per cookie there).
    pub(crate) fn for_each<'a>(&'a self, mut f: impl FnMut(&'a Entry)) {
        for bucket in self.buckets.iter() {
            bucket.entries.iter().for_each(&mut f);
        }
        for rest in self.rests.iter() {
            for chunk in &rest.chunks {
                chunk.iter().for_each(&mut f);
            }
        }
    }

    /// The registrable domain of site `id`.
    pub(crate) fn site_key(&self, id: SiteId) -> &str {
        self.sites.get(id as usize).map_or("", |s| s.key.as_str())
    }

    /// The site `key`, whose hash is `hash`, if it has one.
    #[inline]
    fn find_site(&self, key: &str, hash: u64) -> Option<SiteId> {
        self.site_ids
            .find(hash, |(k, _)| k == key)
            .map(|&(_, id)| id)
    }

    /// The number of the site `key`, made when new.
    fn site_id(&mut self, key: &str) -> SiteId {
        let hash = self.hash(key);
        match self.find_site(key, hash) {
            Some(id) => id,
            None => self.new_site(key, hash),
        }
    }

    /// The number of a new site `key` (hash `hash`), which has none.
    fn new_site(&mut self, key: &str, hash: u64) -> SiteId {
        debug_assert!(self.find_site(key, hash).is_none());
        let key = CompactString::from(key);
        let mut site = Site {
            key: key.clone(),
            // Its first domain comes at once: allocated here, the push
            // takes no growth path (−5 instructions per stored cookie on
            // the large workload, a new site per ten cookies).
            domains: Vec::with_capacity(4),
        };
        let reused = self.free_sites.pop().filter(|&id| {
            match (
                self.sites.get_mut(id as usize),
                self.site_counts.get_mut(id as usize),
            ) {
                (Some(slot), Some(count)) => {
                    *slot = std::mem::take(&mut site);
                    *count = 0;
                    true
                }
                _ => false,
            }
        });
        let id = match reused {
            Some(id) => id,
            None => {
                self.sites.push(site);
                self.site_counts.push(0);
                // More than 4 billion sites would need more memory than
                // any limit allows; saturate rather than wrap.
                SiteId::try_from(self.sites.len() - 1).unwrap_or(SiteId::MAX)
            }
        };
        let hasher = &self.hasher;
        self.site_ids
            .insert_unique(hash, (key, id), |(k, _)| hasher.hash_one(k.as_str()));
        id
    }

    /// What the index knows of `domain` before a cookie for it is stored:
    /// one hash and one probe, whose results the policy, the "leave secure
    /// cookies alone" rule and [`upsert_hashed`](Self::upsert_hashed) then
    /// share. No Bloom filter first: most stores go to a domain that has a
    /// bucket, and on a large jar the filter's word was a cache miss of its
    /// own (0.3 per stored cookie) before the probe's.
    #[inline]
    pub(crate) fn domain_facts(&self, domain: &str) -> DomainFacts {
        let hash = self.hash(domain);
        let slot = self.buckets.find_bucket_index(hash, |b| b.domain == domain);
        let bucket = slot.and_then(|i| self.buckets.get_bucket(i));
        DomainFacts {
            hash,
            slot: slot.map(|index| Slot {
                index,
                changes: self.changes,
            }),
            site: bucket.map(|b| b.site),
            registrable: bucket.is_some_and(Bucket::registrable),
            new: None,
        }
    }

    /// [`domain_facts`](Self::domain_facts), and for a domain without a
    /// bucket the public suffix list's answer and its site, if any: then
    /// `registrable` and `site` are the list's, and `new` carries them to
    /// [`upsert_hashed`](Self::upsert_hashed).
    #[inline]
    pub(crate) fn domain_facts_for_store(&self, domain: &str) -> DomainFacts {
        let mut facts = self.domain_facts(domain);
        if facts.slot.is_some() {
            if self.len > crate::jar::PREFETCH_ABOVE {
                self.prefetch_slot(facts.slot);
            }
        } else {
            let (key, registrable) = site_and_registrable(domain);
            let key_hash = self.hash(key);
            let site = self.find_site(key, key_hash);
            facts.site = site;
            facts.registrable = registrable;
            facts.new = Some(NewDomain {
                key_start: domain.len() - key.len(),
                key_hash,
                registrable,
                site,
                changes: self.changes,
            });
        }
        facts
    }

    /// The site of `domain`, which has no bucket, if a bucket of its
    /// registrable domain has made one (the public suffix list is asked).
    pub(crate) fn site_of_new_domain(&self, domain: &str) -> Option<SiteId> {
        let key = site_of(domain);
        self.find_site(key, self.hash(key))
    }

    /// The hash of a Secure cookie's (site, name) pair.
    #[inline]
    fn secure_name_hash(hasher: &RandomState, site: SiteId, name: &str) -> u64 {
        hasher.hash_one((site, name))
    }

    /// Whether site `site` may hold a Secure cookie named `name` (when not,
    /// surely not).
    #[inline]
    pub(crate) fn site_may_have_secure(&self, site: SiteId, name: &str) -> bool {
        self.secure_names
            .may_contain(Self::secure_name_hash(&self.hasher, site, name))
    }

    /// Note a Secure `cookie` of site `site` in the Secure-name filter;
    /// `false`: the filter is to be rebuilt ([`rebuild_secure_names`]),
    /// once the cookie is in its bucket.
    ///
    /// [`rebuild_secure_names`]: Self::rebuild_secure_names
    #[inline]
    fn note_secure(
        names: &mut SecureNames,
        hasher: &RandomState,
        len: usize,
        site: SiteId,
        cookie: &Cookie,
    ) -> bool {
        !cookie.secure || names.insert(Self::secure_name_hash(hasher, site, &cookie.name), len + 1)
    }

    /// The Secure-name filter made again from the Secure cookies held
    /// (amortised: it happens after at least as many new pairs as there
    /// are cookies).
    #[cold]
    fn rebuild_secure_names(&mut self) {
        let mut names = SecureNames::default();
        for bucket in self.buckets.iter() {
            let hash = self.hash(&bucket.domain);
            for e in self
                .cookies_of(bucket, hash)
                .iter()
                .filter(|e| e.cookie.secure)
            {
                let hash = Self::secure_name_hash(&self.hasher, bucket.site, &e.cookie.name);
                // Sized for the pairs held, which are at most the cookies.
                names.insert(hash, usize::MAX);
            }
        }
        self.secure_names = names;
    }

    /// The bucket keys of site `id`.
    pub(crate) fn site_domains_of(&self, id: SiteId) -> &[CompactString] {
        self.sites
            .get(id as usize)
            .map_or(&[][..], |s| s.domains.as_slice())
    }

    /// [`upsert_hashed`](Self::upsert_hashed), hashing the domain here.
    #[cfg(test)]
    pub(crate) fn upsert(&mut self, cookie: Cookie, site_limit: usize) -> Upsert {
        let hash = self.hash(&cookie.domain);
        self.upsert_hashed(cookie, hash, None, None, site_limit)
    }

    /// Store `cookie`, replacing the one with the same name, domain and path;
    /// a replacement keeps the old creation time and order (RFC 6265 §5.3
    /// step 11.3). `hash` is [`hash`](Self::hash) of `cookie.domain`, and
    /// `slot` where its bucket may be, as [`DomainFacts`] has them: a slot
    /// whose bucket is not the cookie's domain (the table changed since)
    /// costs a probe, nothing more. `new`: [`DomainFacts::new`], used while
    /// the table has not changed since.
    #[inline(always)]
    pub(crate) fn upsert_hashed(
        &mut self,
        mut cookie: Cookie,
        hash: u64,
        slot: Option<Slot>,
        new: Option<NewDomain>,
        site_limit: usize,
    ) -> Upsert {
        debug_assert_eq!(hash, self.hash(&cookie.domain));
        cookie.seq = Seq(self.next_seq);
        let t = tag(&cookie.name, &cookie.path);
        // The slot is good while the table has not changed since it was
        // found (a bucket added or removed may move the others).
        let at_slot = slot.filter(|s| s.changes == self.changes).map(|s| s.index);
        debug_assert!(at_slot.is_none_or(|i| self
            .buckets
            .get_bucket(i)
            .is_some_and(|b| b.domain == cookie.domain)));
        let new = new.filter(|n| n.changes == self.changes);
        debug_assert!(
            new.is_none()
                || self
                    .buckets
                    .find(hash, |b| b.domain == cookie.domain)
                    .is_none()
        );
        let bucket = match at_slot {
            Some(i) => self.buckets.get_bucket_mut(i),
            // Known to have no bucket.
            None if new.is_some() => None,
            None => self.buckets.find_mut(hash, |b| b.domain == cookie.domain),
        };
        let noted;
        let site = match bucket {
            Some(bucket) => {
                if bucket.cookies_change() {
                    self.summaries.invalidate(hash);
                }
                // One probe of the rests serves the search and the store.
                let mut rest = Self::rest_of_mut(&mut self.rests, bucket, hash);
                let found = bucket.position(rest.as_deref(), &cookie.name, &cookie.path, t);
                let Bucket {
                    entries,
                    secure,
                    site,
                    ..
                } = &mut *bucket;
                let found = found.and_then(|i| match i.checked_sub(TAGGED) {
                    None => entries.get_mut(i),
                    Some(j) => rest
                        .as_deref_mut()
                        .and_then(|r| chunk_get_mut(&mut r.chunks, j)),
                });
                if let Some(entry) = found {
                    cookie.creation_time = entry.cookie.creation_time;
                    cookie.seq = entry.cookie.seq;
                    if entry.cookie.secure != cookie.secure {
                        // The count is at least one (the old cookie), so
                        // neither step reaches the flag bit.
                        if cookie.secure {
                            *secure += 1;
                        } else if *secure & SECURE_COUNT > 0 {
                            *secure -= 1;
                        }
                    }
                    let noted = Self::note_secure(
                        &mut self.secure_names,
                        &self.hasher,
                        self.len,
                        *site,
                        &cookie,
                    );
                    entry.cookie = cookie;
                    if !noted {
                        self.rebuild_secure_names();
                    }
                    return Upsert::Replaced;
                }
                noted = Self::note_secure(
                    &mut self.secure_names,
                    &self.hasher,
                    self.len,
                    bucket.site,
                    &cookie,
                );
                // One `push` of the cookie, into the first `Vec` or a chunk
                // chosen before it moves: moved into a call or through a
                // branch, it was copied once more (~29 instructions).
                bucket.secure += u32::from(cookie.secure);
                let to = if bucket.entries.len() < TAGGED {
                    if let Some(slot) = bucket.tags.get_mut(bucket.entries.len()) {
                        *slot = t;
                    }
                    &mut bucket.entries
                } else {
                    let rest = match rest {
                        Some(rest) => rest,
                        None => {
                            bucket.secure |= HAS_REST;
                            let rest = Rest {
                                domain: cookie.domain.clone(),
                                chunks: SmallVec::new(),
                                tags: [0; REST_TAGGED],
                            };
                            let hasher = &self.hasher;
                            self.rests
                                .insert_unique(hash, rest, |r| hasher.hash_one(r.domain.as_str()))
                                .into_mut()
                        }
                    };
                    match rest.chunk_with_room(t) {
                        Some(chunk) => chunk,
                        // Not reached: a chunk with room was just found or made.
                        None => &mut bucket.entries,
                    }
                };
                to.push(Entry { cookie });
                bucket.site
            }
            None => {
                let (key_start, registrable, known_site) = match new {
                    Some(n) => (n.key_start, n.registrable, n.site),
                    None => {
                        let (key, registrable) = site_and_registrable(&cookie.domain);
                        (cookie.domain.len() - key.len(), registrable, None)
                    }
                };
                let key = cookie.domain.get(key_start..).unwrap_or(&cookie.domain);
                debug_assert_eq!((key, registrable), site_and_registrable(&cookie.domain));
                debug_assert!(
                    known_site.is_none_or(|s| self.find_site(key, self.hash(key)) == Some(s))
                );
                let site = match (known_site, new) {
                    (Some(site), _) => site,
                    // `new` (still valid: no site came or went since) found
                    // none: made with its hash, without asking again.
                    (None, Some(n)) => self.new_site(key, n.key_hash),
                    (None, None) => self.site_id(key),
                };
                noted = Self::note_secure(
                    &mut self.secure_names,
                    &self.hasher,
                    self.len,
                    site,
                    &cookie,
                );
                if let Some(s) = self.sites.get_mut(site as usize) {
                    s.domains.push(cookie.domain.clone());
                }
                let hasher = &self.hasher;
                let buckets = &self.buckets;
                self.present.reserve(buckets.len() + 1, || {
                    buckets
                        .iter()
                        .map(|b| hasher.hash_one(b.domain.as_str()))
                        .collect()
                });
                self.present.insert(hash);
                // Room for eight, as many as the bucket has tags; more go
                // to its `Rest`. (Growing a `Vec` copies every cookie, and
                // on a jar larger than the cache that is about five misses
                // per cookie copied.)
                let mut tags = [0; TAGGED];
                tags[0] = t;
                let mut bucket = Bucket {
                    domain: cookie.domain.clone(),
                    entries: Vec::with_capacity(TAGGED),
                    site,
                    secure: u32::from(cookie.secure) | if registrable { REGISTRABLE } else { 0 },
                    tags,
                };
                bucket.entries.push(Entry { cookie });
                let hasher = &self.hasher;
                let added = self
                    .buckets
                    .insert_unique(hash, bucket, |b| hasher.hash_one(b.domain.as_str()));
                let index = added.bucket_index();
                let at = std::ptr::from_ref(&*added.into_mut()).addr();
                self.table_at = TableAt::new(self.buckets.num_buckets(), index, at);
                self.changes += 1;
                site
            }
        };
        let count = match self.site_counts.get_mut(site as usize) {
            Some(count) => {
                *count += 1;
                *count
            }
            None => 0,
        };
        self.next_seq += 1;
        self.len += 1;
        if !noted {
            self.rebuild_secure_names();
        }
        Upsert::Added {
            site_over_limit: (count as usize > site_limit).then_some(site),
        }
    }

    /// Remove the cookies at `slots` (any order, no duplicates) and return
    /// them.
    pub(crate) fn remove_slots(&mut self, mut slots: Vec<(CompactString, usize)>) -> Vec<Cookie> {
        // Highest position first, so swap_remove does not move a slot still
        // to be removed.
        slots.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut removed = Vec::with_capacity(slots.len());
        for (domain, pos) in slots {
            let hash = self.hash(&domain);
            let TableEntry::Occupied(mut bucket) = self.buckets.entry(
                hash,
                |b| b.domain == domain,
                |b| self.hasher.hash_one(b.domain.as_str()),
            ) else {
                continue;
            };
            let Some(entry) = Self::swap_remove(bucket.get_mut(), &mut self.rests, hash, pos)
            else {
                continue;
            };
            if bucket.get_mut().cookies_change() {
                self.summaries.invalidate(hash);
            }
            let now_empty = bucket.get().entries.is_empty();
            let site_id = bucket.get().site;
            if now_empty {
                bucket.remove();
                self.changes += 1;
            }
            if let (Some(site), Some(count)) = (
                self.sites.get_mut(site_id as usize),
                self.site_counts.get_mut(site_id as usize),
            ) {
                *count -= 1;
                if now_empty {
                    site.domains.retain(|d| **d != *domain);
                }
                if *count == 0 {
                    let key = std::mem::take(&mut site.key);
                    site.domains = Vec::new();
                    let hash = self.hasher.hash_one(key.as_str());
                    if let Ok(found) = self.site_ids.find_entry(hash, |(k, _)| *k == key) {
                        found.remove();
                    }
                    self.free_sites.push(site_id);
                }
            }
            self.len -= 1;
            removed.push(entry.cookie);
        }
        removed
    }

    /// Remove the cookie at `pos` of bucket `b` (hash `hash`), putting the
    /// last one in its place, and retag; `None` if there is none there.
    fn swap_remove(
        b: &mut Bucket,
        rests: &mut HashTable<Rest>,
        hash: u64,
        pos: usize,
    ) -> Option<Entry> {
        if !b.has_rest() {
            if pos >= b.entries.len() {
                return None;
            }
            let entry = b.entries.swap_remove(pos);
            b.retag(None);
            return Some(entry);
        }
        let Ok(mut found) = rests.find_entry(hash, |r| r.domain == b.domain) else {
            return None;
        };
        let rest = found.get_mut();
        let rest_len = chunks_len(&rest.chunks);
        if pos >= TAGGED + rest_len {
            return None;
        }
        let chunk = rest.chunks.last_mut()?;
        let last = chunk.pop()?;
        if chunk.is_empty() {
            rest.chunks.pop();
        }
        let removed = if pos + 1 == TAGGED + rest_len {
            last
        } else {
            let slot = match pos.checked_sub(TAGGED) {
                None => b.entries.get_mut(pos),
                Some(i) => chunk_get_mut(&mut rest.chunks, i),
            }?;
            std::mem::replace(slot, last)
        };
        if rest.chunks.is_empty() {
            found.remove();
            b.secure &= !HAS_REST;
            b.retag(None);
        } else {
            b.retag(Some(rest));
        }
        Some(removed)
    }

    /// The cookie with this domain, path and name.
    pub(crate) fn get(&self, domain: &str, path: &str, name: &str) -> Option<&Cookie> {
        let hash = self.hash(domain);
        self.cookies_of(self.find(hash, domain)?, hash)
            .iter()
            .map(|e| &e.cookie)
            .find(|c| c.path == path && c.name == name)
    }

    /// Remove the cookie with the same name, domain and path as `cookie`.
    pub(crate) fn remove_same_identity(&mut self, cookie: &Cookie) -> Vec<Cookie> {
        let hash = self.hash(&cookie.domain);
        let Some(bucket) = self.find(hash, &cookie.domain) else {
            return Vec::new();
        };
        let slots = self
            .cookies_of(bucket, hash)
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
            .flat_map(|bucket| {
                let hash = self.hash(&bucket.domain);
                self.cookies_of(bucket, hash)
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| doomed(&e.cookie))
                    .map(|(i, _)| (bucket.domain.clone(), i))
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
            let hash = self.hash(domain);
            if let Some(bucket) = self.find(hash, domain) {
                for (i, e) in self.cookies_of(bucket, hash).iter().enumerate() {
                    let live = !e.cookie.is_expired(now);
                    candidates.push((live, e.cookie.last_access_time, e.seq(), domain, i));
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

    /// Evict from site `site` (as `upsert` reports it) until `keep`
    /// cookies remain there.
    pub(crate) fn evict_site(&mut self, site: SiteId, keep: usize, now: i64) -> Vec<Cookie> {
        let site_domains = self
            .sites
            .get(site as usize)
            .map_or_else(Vec::new, |s| s.domains.clone());
        self.evict_from(&site_domains, keep, now)
    }

    /// Evict from the whole jar until `keep` cookies remain.
    pub(crate) fn evict_global(&mut self, keep: usize, now: i64) -> Vec<Cookie> {
        let keys: Vec<CompactString> = self.buckets.iter().map(|b| b.domain.clone()).collect();
        self.evict_from(&keys, keep, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Store(u8, u8, u8, u8),
        RemoveName(u8),
        Evict(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            // Up to 32 cookies a domain: buckets with chunks past the first.
            6 => (0u8..4, 0u8..8, 0u8..4, any::<u8>()).prop_map(|(d, n, p, v)| Op::Store(d, n, p, v)),
            1 => (0u8..8).prop_map(Op::RemoveName),
            1 => (0u8..6).prop_map(Op::Evict),
        ]
    }

    /// Many domains and Secure cookies, most of them removed, then as many
    /// again: the filters grow and rebuild, and still hold every bucket
    /// and every Secure name.
    #[test]
    fn the_filters_keep_every_domain_and_secure_name_as_they_grow() {
        let mut index = Index::default();
        let store = |index: &mut Index, round: usize| {
            for i in 0..3000 {
                let domain = format!("d{i}-r{round}.com");
                let mut cookie = Cookie::new(format!("n{}", i % 7).as_str(), "v", &domain, "/");
                cookie.secure = i % 3 == 0;
                index.upsert(cookie, usize::MAX);
            }
        };
        store(&mut index, 0);
        index.remove_where(|c| !c.domain.starts_with("d1"));
        store(&mut index, 1);
        for b in index.buckets.iter() {
            assert!(index.may_contain(index.hash(&b.domain)), "{}", b.domain);
            for e in index
                .cookies_of(b, index.hash(&b.domain))
                .iter()
                .filter(|e| e.cookie.secure)
            {
                assert!(index.site_may_have_secure(b.site, &e.cookie.name));
            }
        }
        // Few false positives: names no Secure cookie had.
        let sites: Vec<SiteId> = index.buckets.iter().map(|b| b.site).collect();
        let false_positives = sites
            .iter()
            .filter(|&&site| index.site_may_have_secure(site, "never"))
            .count();
        assert!(
            false_positives * 5 < sites.len(),
            "{false_positives} of {}",
            sites.len()
        );
    }

    /// A jar that keeps few cookies but sees many Secure names and
    /// domains come and go keeps both filters bounded, and right.
    #[test]
    fn the_filters_stay_bounded_when_cookies_come_and_go() {
        let mut index = Index::default();
        for round in 0..200 {
            for i in 0..50 {
                let domain = format!("d{i}-r{round}.example.org");
                let mut cookie = Cookie::new(format!("n{round}-{i}").as_str(), "v", &domain, "/");
                cookie.secure = true;
                index.upsert(cookie, usize::MAX);
            }
            index.remove_where(|c| !c.domain.starts_with("d0-"));
        }
        assert!(index.secure_names.bits.len() * 64 <= 4 * SecureNames::MIN_WORDS * 64);
        // 10,000 domains came; the last store saw at most 50 more buckets
        // than are left.
        let last = index.buckets.len() + 50;
        assert!(index.present.hashes.len() <= 2 * last + DomainFilter::MIN_WORDS + 1);
        for b in index.buckets.iter() {
            assert!(index.may_contain(index.hash(&b.domain)));
            for e in index.cookies_of(b, index.hash(&b.domain)).iter() {
                assert!(index.site_may_have_secure(b.site, &e.cookie.name));
            }
        }
    }

    /// The prefetch's guess of where a domain's bucket is ([`TableAt`])
    /// names the line a probe reads first: the bucket itself for most
    /// domains (hashbrown places an element at its hash's position unless
    /// that is taken), and always the table's control bytes. A hashbrown
    /// that lays its table out otherwise fails here, not in the jar's
    /// answers. The prefetches themselves run on every bucket, on an index
    /// never stored to, and on an address gone stale.
    #[test]
    fn the_prefetch_guess_finds_the_bucket() {
        let mut index = Index::default();
        // Nothing known yet: no address to ask for.
        assert!(index.table_at.probe_lines(index.hash("a.com")).is_none());
        index.prefetch_domain(index.hash("a.com"));
        index.prefetch_slot(None);
        for i in 0..5000 {
            index.upsert(Cookie::new("n", "v", format!("d{i}.com"), "/"), usize::MAX);
        }
        let at = index.table_at;
        assert_eq!(at.mask + 1, index.buckets.num_buckets());
        let (mut hits, mut near) = (0, 0);
        for b in index.buckets.iter() {
            let hash = index.hash(&b.domain);
            let (ctrl, line) = at.probe_lines(hash).expect("a table is known");
            let pos = hash as usize & at.mask;
            assert_eq!(ctrl, at.ctrl + pos);
            let addr = std::ptr::from_ref(b).addr();
            hits += usize::from(addr == line);
            // In the probe's first group (unless it wrapped around or went
            // on to a second): at the guess or a few buckets after it.
            near += usize::from(addr <= line && line - addr < 16 * size_of::<Bucket>());
            index.prefetch_domain(hash);
            let facts = index.domain_facts(&b.domain);
            index.prefetch_slot(facts.slot);
        }
        let len = index.buckets.len();
        assert!(hits * 2 > len, "{hits} of {len}");
        assert!(near * 10 > len * 9, "{near} of {len}");
        // Gone stale (every bucket removed): a wasted hint, nothing more.
        index.remove_where(|_| true);
        index.prefetch_domain(index.hash("d1.com"));
    }

    /// A bucket of many cookies (its first eight, then chunks) finds,
    /// replaces and removes each, wherever it is.
    #[test]
    fn a_large_bucket_keeps_every_cookie_through_removals() {
        let mut index = Index::default();
        let mut names: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        for name in &names {
            index.upsert(
                Cookie::new(name.as_str(), "1", "example.com", "/"),
                usize::MAX,
            );
        }
        for name in &names {
            let replaced = index.upsert(
                Cookie::new(name.as_str(), "2", "example.com", "/"),
                usize::MAX,
            );
            assert!(matches!(replaced, Upsert::Replaced), "{name}");
        }
        // Remove from the first eight, the chunks and the end, in turns.
        for k in [0, 95, 8, 40, 3, 60, 7, 90] {
            let name = names.remove(k);
            assert_eq!(index.remove_where(|c| c.name == name).len(), 1);
            assert_eq!(index.len(), names.len());
            for name in &names {
                let found = index
                    .get("example.com", "/", name)
                    .map(|c| c.value.to_string());
                assert_eq!(found.as_deref(), Some("2"), "{name}");
            }
            let bucket = index.bucket("example.com").map(|b| b.len());
            assert_eq!(bucket, Some(names.len()));
        }
        assert_eq!(index.rests.len(), 1);
        for b in index.buckets.iter() {
            let hash = index.hash(&b.domain);
            let rest = Index::rest_of(&index.rests, b, hash).expect("a rest");
            assert!(!rest.chunks.is_empty() && rest.chunks.iter().all(|c| !c.is_empty()));
            for (t, e) in b
                .tags
                .iter()
                .chain(&rest.tags)
                .zip(b.cookies(Some(rest)).iter())
            {
                assert_eq!(*t, tag(&e.cookie.name, &e.cookie.path));
            }
        }
        index.remove_where(|_| true);
        assert_eq!(index.len(), 0);
        assert!(index.bucket("example.com").is_none());
    }

    #[test]
    fn a_bucket_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Bucket>(), 64);
        assert_eq!(std::mem::align_of::<Bucket>(), 64);
        assert_eq!(std::mem::size_of::<Rest>(), 128);
        assert!(std::mem::offset_of!(Rest, tags) <= 64);
    }

    const DOMAINS: [&str; 4] = ["a.example.com", "example.com", "b.example.org", "127.0.0.1"];

    proptest! {
        /// Stores, removals and evictions leave the index holding exactly
        /// what a plain list of (domain, name, path, value) would, and a
        /// store finds the cookie it replaces.
        #[test]
        fn the_index_agrees_with_a_plain_list(ops in prop::collection::vec(op(), 0..200)) {
            let mut index = Index::default();
            let mut model: Vec<(String, String, String, String)> = Vec::new();
            for op in ops {
                match op {
                    Op::Store(d, n, p, v) => {
                        let (d, n, p, v) = (
                            DOMAINS[usize::from(d)].to_owned(),
                            format!("n{n}"),
                            format!("/{p}"),
                            v.to_string(),
                        );
                        let mut cookie = Cookie::new(n.as_str(), v.as_str(), d.as_str(), p.as_str());
                        cookie.secure = v.len() % 2 == 0;
                        let replaced = matches!(index.upsert(cookie, usize::MAX), Upsert::Replaced);
                        match model.iter_mut().find(|m| m.0 == d && m.1 == n && m.2 == p) {
                            Some(m) => {
                                prop_assert!(replaced);
                                m.3 = v;
                            }
                            None => {
                                prop_assert!(!replaced);
                                model.push((d, n, p, v));
                            }
                        }
                    }
                    Op::RemoveName(n) => {
                        let name = format!("n{n}");
                        let removed = index.remove_where(|c| c.name == name);
                        let before = model.len();
                        model.retain(|m| m.1 != name);
                        prop_assert_eq!(removed.len(), before - model.len());
                    }
                    Op::Evict(keep) => {
                        let keep = usize::from(keep);
                        let before = model.len();
                        let removed = index.evict_global(keep, 0);
                        for c in &removed {
                            model.retain(|m| !(m.0 == c.domain && m.1 == c.name && m.2 == c.path));
                        }
                        prop_assert_eq!(index.len(), before.min(keep));
                    }
                }
                prop_assert_eq!(index.len(), model.len());
                prop_assert_eq!(index.iter().count(), model.len());
                // `for_each` walks the entries `iter` yields, in its order.
                let mut walked = Vec::new();
                index.for_each(|e| walked.push(e as *const Entry));
                let iterated: Vec<_> = index.iter().map(|e| e as *const Entry).collect();
                prop_assert_eq!(walked, iterated);
                let with_rest = index.buckets.iter().filter(|b| b.has_rest()).count();
                prop_assert_eq!(index.rests.len(), with_rest);
                for b in index.buckets.iter() {
                    let hash = index.hash(&b.domain);
                    let cookies = index.cookies_of(b, hash);
                    // The filters answer "surely not" only when so.
                    prop_assert!(index.may_contain(hash));
                    for e in cookies.iter().filter(|e| e.cookie.secure) {
                        prop_assert!(index.site_may_have_secure(b.site, &e.cookie.name));
                    }
                    let secure = cookies.iter().filter(|e| e.cookie.secure).count();
                    prop_assert_eq!(b.secure_count() as usize, secure);
                    // The flag says "not a public suffix" only when the
                    // list agrees.
                    if b.registrable() {
                        prop_assert!(!crate::domain::is_public_suffix(&b.domain));
                    }
                    for (t, e) in b.tags.iter().zip(&b.entries) {
                        prop_assert_eq!(*t, tag(&e.cookie.name, &e.cookie.path));
                    }
                    prop_assert!(b.entries.len() <= TAGGED);
                    if let Some(rest) = Index::rest_of(&index.rests, b, hash) {
                        prop_assert_eq!(b.entries.len(), TAGGED);
                        prop_assert!(!rest.chunks.is_empty());
                        prop_assert!(rest.chunks.iter().all(|c| !c.is_empty()));
                        for (t, e) in rest.tags.iter().zip(rest.chunks.iter().flatten()) {
                            prop_assert_eq!(*t, tag(&e.cookie.name, &e.cookie.path));
                        }
                    } else {
                        prop_assert!(!b.has_rest());
                    }
                }
                for (d, n, p, v) in &model {
                    let found = index.get(d, p, n).map(|c| c.value.to_string());
                    prop_assert_eq!(found.as_deref(), Some(v.as_str()));
                }
            }
        }
    }
}
