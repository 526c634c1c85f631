//! Host and domain arithmetic: domain-match, path-match, default-path, public
//! suffixes, RFC 2965's reach. Hosts here are already lower case.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A cheap test before the address parsers (which cost more than the rest
/// of storing a cookie): an IPv4 address is digits and dots, an IPv6 one
/// has a colon (bracketed or not).
#[inline]
fn may_be_ip(host: &str) -> bool {
    // An address ends with a digit, a hex digit, `:` or `]`: most names
    // (`.com`, `.org`, `.net`) are told apart by their last byte alone.
    // It starts with a digit, a hex digit, `:` or `[`: that tells apart
    // most of the others (`www.example.de`), without a scan.
    match (host.as_bytes().first(), host.as_bytes().last()) {
        (_, Some(b'g'..=b'z' | b'G'..=b'Z')) | (Some(b'g'..=b'z' | b'G'..=b'Z'), _) => false,
        _ => may_be_ip_scan(host),
    }
}

/// [`may_be_ip`] without the last-byte test.
fn may_be_ip_scan(host: &str) -> bool {
    host.bytes().all(|b| b.is_ascii_digit() || b == b'.') || host.contains(':')
}

/// Whether `host` is an IPv4 address or a bracketed (or bare) IPv6 address.
#[inline]
pub(crate) fn is_ip(host: &str) -> bool {
    may_be_ip(host) && parses_as_ip(host)
}

/// [`is_ip`] by the address parsers.
#[inline(never)]
fn parses_as_ip(host: &str) -> bool {
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    inner.parse::<Ipv4Addr>().is_ok() || inner.parse::<Ipv6Addr>().is_ok()
}

/// RFC 6265bis treats loopback as a secure context ("potentially trustworthy").
pub(crate) fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if !may_be_ip(host) {
        return false;
    }
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match inner.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// RFC 6265 §5.1.3 domain-match: `host` equals `domain`, or ends with
/// `.domain` and is not an IP address.
///
/// ```
/// use clientcookie_jar::domain_match;
/// assert!(domain_match("www.example.com", "example.com"));
/// assert!(!domain_match("wwwexample.com", "example.com"));
/// assert!(!domain_match("1.2.3.4", "2.3.4"));
/// ```
pub fn domain_match(host: &str, domain: &str) -> bool {
    host == domain || (is_strict_subdomain(host, domain) && !is_ip(host))
}

/// `host` ends with `.domain`.
#[inline]
pub(crate) fn is_strict_subdomain(host: &str, domain: &str) -> bool {
    host.len() > domain.len()
        && host.ends_with(domain)
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
}

/// `a == b` for slices of the same length, a word at a time: the domain
/// of every cookie stored is compared with the request's host, and
/// `bcmp`'s call and setup cost more than the comparison of a short name.
#[inline]
pub(crate) fn eq_same_len(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    debug_assert_eq!(n, b.len());
    if b.len() != n {
        return false;
    }
    if n >= 8 {
        // Any length by words: a long name costs a few more turns of the
        // loop, not a `bcmp` call (whose registers its callers then save).
        let word = |s: &[u8], i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&s[i..i + 8]);
            u64::from_le_bytes(w)
        };
        let mut i = 0;
        while i + 8 < n {
            if word(a, i) != word(b, i) {
                return false;
            }
            i += 8;
        }
        // The last eight bytes, overlapping what was compared.
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        let word = |s: &[u8], i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&s[i..i + 4]);
            u32::from_le_bytes(w)
        };
        word(a, 0) == word(b, 0) && word(a, n - 4) == word(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// Whether `bytes` holds an ASCII capital letter (`A`-`Z`), tested eight
/// bytes at a time: a `Domain` attribute is checked for one on every
/// cookie that has one, and a byte-by-byte scan cost more than copying it.
#[inline]
pub(crate) fn has_ascii_uppercase(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    // The high bit of each byte of the result: the byte is ASCII, at least
    // `A` and not past `Z`. Seven-bit bytes plus at most 0x3f never carry
    // into the next byte.
    let capitals = |word: u64| {
        let low = word & (0x7f * ONES);
        let from_a = low + u64::from(0x80 - b'A') * ONES;
        let past_z = low + u64::from(0x80 - b'Z' - 1) * ONES;
        from_a & !past_z & !word & (0x80 * ONES)
    };
    let word_at = |i: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(word)
    };
    let len = bytes.len();
    if len < 8 {
        return bytes.iter().any(u8::is_ascii_uppercase);
    }
    let mut i = 0;
    while i + 8 < len {
        if capitals(word_at(i)) != 0 {
            return true;
        }
        i += 8;
    }
    // The last eight bytes, overlapping what was tested: no byte loop.
    capitals(word_at(len - 8)) != 0
}

/// RFC 6265 §5.1.4 path-match.
///
/// ```
/// use clientcookie_jar::path_match;
/// assert!(path_match("/a/b", "/a"));
/// assert!(path_match("/a/", "/a/"));
/// assert!(!path_match("/ab", "/a"));
/// ```
pub fn path_match(request_path: &str, cookie_path: &str) -> bool {
    if request_path == cookie_path {
        return true;
    }
    request_path.starts_with(cookie_path)
        && (cookie_path.ends_with('/')
            || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/'))
}

/// RFC 6265 §5.1.4 default-path: the request path up to, not including, its
/// last `/`; `/` when that leaves nothing.
pub(crate) fn default_path(request_path: &str) -> &str {
    if !request_path.starts_with('/') {
        return "/";
    }
    // A byte loop from the end: request paths are short, and `rfind`'s
    // word-at-a-time search cost more to set up than this loop takes.
    match request_path.bytes().rposition(|b| b == b'/') {
        Some(0) | None => "/",
        Some(i) => &request_path[..i],
    }
}

/// RFC 2965's default path keeps the last `/` (as the seed does).
pub(crate) fn default_path_rfc2965(request_path: &str) -> &str {
    match request_path.rfind('/') {
        Some(i) if request_path.starts_with('/') => &request_path[..=i],
        _ => "/",
    }
}

/// Whether `domain` is a public suffix (`com`, `co.uk`, `github.io`), by the
/// public suffix list compiled into the `psl` crate. Names the list does not
/// know fall under its `*` rule, so a bare unknown TLD is a suffix too.
pub(crate) fn is_public_suffix(domain: &str) -> bool {
    match suffix_len(domain.as_bytes()) {
        Some(len) => len == domain.len(),
        None => false,
    }
}

/// The registrable domain (eTLD+1) that per-site limits are counted under;
/// the host itself for IP addresses and names without one.
pub(crate) fn site_of(domain: &str) -> &str {
    site_and_registrable(domain).0
}

/// [`site_of`], and whether the list found a registrable domain for it:
/// then `domain` is no public suffix ([`is_public_suffix`] is false), which
/// the index remembers so that the policy need not ask again.
pub(crate) fn site_and_registrable(domain: &str) -> (&str, bool) {
    if is_ip(domain) {
        return (domain, false);
    }
    match registrable_len(domain.as_bytes()) {
        Some(len) => (&domain[domain.len() - len..], true),
        None => (domain, false),
    }
}

/// The dots of a name of at most 64 bytes, as a mask (bit `i`: byte `i`
/// is a `.`), eight bytes at a time. `psl`'s own label splitting
/// (`rsplit` on a byte closure) read the name a byte at a time, once per
/// label the list looked at: it was a third of each lookup.
#[inline]
pub(crate) fn dot_mask(bytes: &[u8]) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    // The high bit of each byte that is a dot, gathered into eight bits.
    let dots = |word: u64| {
        let x = word ^ (u64::from(b'.') * ONES);
        // Zero bytes of `x`: no false positives (the low seven bits plus
        // 0x7f carry into the high bit exactly when they are not all zero).
        let zero = !(((x & (0x7f * ONES)) + 0x7f * ONES) | x) & (0x80 * ONES);
        // The eight high bits, byte `k`'s into bit `k`.
        (zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
    };
    let word_at = |i: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(word)
    };
    let len = bytes.len();
    debug_assert!(len <= 64);
    if len < 8 {
        let mut mask = 0;
        for (i, &b) in bytes.iter().enumerate() {
            mask |= u64::from(b == b'.') << i;
        }
        return mask;
    }
    let mut mask = 0;
    let mut i = 0;
    while i + 8 < len {
        mask |= dots(word_at(i)) << i;
        i += 8;
    }
    // The last eight bytes, overlapping what was read.
    mask | dots(word_at(len - 8)) << (len - 8)
}

/// The labels of a name from the right, as `name.rsplit(|b| *b == b'.')`
/// yields them, read from a [`dot_mask`].
struct Labels<'a> {
    name: &'a [u8],
    dots: u64,
    // One past the end of the next label; `None` once the first was given.
    end: Option<usize>,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let end = self.end?;
        let before = self.dots & low_bits(end);
        if before == 0 {
            self.end = None;
            Some(&self.name[..end])
        } else {
            let dot = 63 - before.leading_zeros() as usize;
            self.end = Some(dot);
            Some(&self.name[dot + 1..end])
        }
    }
}

/// The longest name the mask answers for; longer ones ask `psl` itself.
const MASK_NAME_MAX: usize = 64;

/// `psl::suffix(name)`'s length: the public suffix of `name`, a trailing
/// dot included, as `psl_types::List::suffix` computes it.
#[inline]
fn suffix_len(name: &[u8]) -> Option<usize> {
    if name.len() > MASK_NAME_MAX {
        return psl::suffix(name).map(|s| s.as_bytes().len());
    }
    suffix_len_masked(name, dot_mask(name))
}

/// [`suffix_len`] with the name's [`dot_mask`].
#[inline(always)]
fn suffix_len_masked(name: &[u8], dots: u64) -> Option<usize> {
    use psl::Psl;
    let fqdn = name.last() == Some(&b'.');
    let mut labels = Labels {
        name,
        dots,
        end: Some(name.len()),
    };
    if fqdn {
        labels.next();
    }
    let mut len = psl::List.find(labels).len;
    if fqdn {
        len += 1;
    }
    (len != 0).then_some(len)
}

/// `psl::domain(name)`'s length: the registrable domain of `name`, as
/// `psl_types::List::domain` computes it.
#[inline]
fn registrable_len(name: &[u8]) -> Option<usize> {
    if name.len() > MASK_NAME_MAX {
        return psl::domain(name).map(|d| d.as_bytes().len());
    }
    let dots = dot_mask(name);
    let suffix = suffix_len_masked(name, dots)?;
    if name.len() < suffix + 2 {
        return None;
    }
    // The label before the suffix's dot: back to the dot before it, if any.
    let offset = name.len() - (1 + suffix);
    let before = dots & low_bits(offset);
    let root_start = if before == 0 {
        0
    } else {
        64 - before.leading_zeros() as usize
    };
    Some(offset - root_start + 1 + suffix)
}

/// A mask of the `n` lowest bits, `n` at most 64.
#[inline(always)]
fn low_bits(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - n as u32).unwrap_or(0)
}

/// RFC 2965 §1 reach of a host: `.B` when the host is `A.B`, `A` has no
/// dot and `B` has one (or is `local`); otherwise the host itself.
pub(crate) fn reach(host: &str) -> String {
    if let Some(i) = host.find('.') {
        let b = &host[i + 1..];
        if !is_ip(host) && !host.ends_with('.') && (b.contains('.') || b == "local") {
            return format!(".{b}");
        }
    }
    host.to_owned()
}

/// RFC 2965 §1 domain-match, for domains written with a leading dot:
/// `x.y.com` matches `.y.com` but not `y.com`.
pub(crate) fn rfc2965_domain_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if is_ip(a) || a.is_empty() || a.starts_with('.') || a.ends_with('.') {
        return false;
    }
    match b.strip_prefix('.') {
        Some(rest) if !rest.is_empty() && !rest.starts_with('.') => {
            a.len() > b.len() && a.ends_with(b)
        }
        _ => false,
    }
}

/// RFC 2965 §3.3.6: an unverifiable transaction is third-party when its host
/// does not domain-match the reach of the origin request-host.
pub(crate) fn is_third_party(host: &str, origin_host: &str) -> bool {
    !rfc2965_domain_match(host, &reach(origin_host))
}

/// The seed's `user_domain_match` for block and allow lists: an entry with a
/// leading dot matches the domain and everything under it, one without
/// matches that exact name.
pub(crate) fn user_domain_match(domain: &str, entry: &str) -> bool {
    let entry_lower;
    let entry = if entry.bytes().any(|b| b.is_ascii_uppercase()) {
        entry_lower = entry.to_ascii_lowercase();
        entry_lower.as_str()
    } else {
        entry
    };
    match entry.strip_prefix('.') {
        Some(bare) => domain == bare || is_strict_subdomain(domain, bare),
        None => domain == entry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_cuts_at_the_last_slash() {
        assert_eq!(default_path("/cookie-parser"), "/");
        assert_eq!(default_path("/a/b/login"), "/a/b");
        assert_eq!(default_path(""), "/");
        assert_eq!(default_path_rfc2965("/a/b/login"), "/a/b/");
    }

    #[test]
    fn public_suffixes_are_recognised() {
        assert!(is_public_suffix("com"));
        assert!(is_public_suffix("co.uk"));
        assert!(!is_public_suffix("example.co.uk"));
        assert_eq!(site_of("www.example.co.uk"), "example.co.uk");
        assert_eq!(site_of("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn reach_follows_rfc_2965() {
        assert_eq!(reach("www.acme.com"), ".acme.com");
        assert_eq!(reach("acme.com"), "acme.com");
        assert_eq!(reach("acme.local"), ".local");
    }

    #[test]
    fn rfc2965_domain_match_needs_the_dot() {
        assert!(rfc2965_domain_match("x.y.com", ".y.com"));
        assert!(!rfc2965_domain_match("y.com", ".y.com"));
        assert!(!rfc2965_domain_match("x.y.com", "y.com"));
    }

    #[test]
    fn loopback_is_recognised() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("a.localhost"));
        assert!(!is_loopback("example.com"));
    }

    proptest::proptest! {
        #[test]
        fn a_registrable_site_means_the_domain_is_no_public_suffix(
            labels in proptest::collection::vec(
                proptest::sample::select(vec![
                    "com", "co", "uk", "github", "io", "example", "www", "a", "1", "127",
                    "jp", "kawasaki", "city", "ck", "blogspot", "appspot", "localhost", "",
                ]),
                1..5,
            ),
        ) {
            let domain = labels.join(".");
            let (site, registrable) = site_and_registrable(&domain);
            proptest::prop_assert_eq!(site, site_of(&domain));
            if registrable {
                proptest::prop_assert!(!is_public_suffix(&domain), "{}", domain);
            }
        }
    }

    /// Labels of real public suffix rules: ICANN and private ones, the
    /// wildcards `*.ck`, `*.kawasaki.jp`, `*.sch.uk`, `*.on-acorn.io` and
    /// their exceptions `!www.ck`, `!city.kawasaki.jp`, deep private rules
    /// (`s3.dualstack.us-east-1.amazonaws.com`), the corpus's shapes
    /// (`www.site1.co.uk`), and what is no label at all (empty, digits).
    const PSL_LABELS: [&str; 40] = [
        "com",
        "co",
        "uk",
        "github",
        "io",
        "example",
        "www",
        "a",
        "1",
        "127",
        "jp",
        "kawasaki",
        "city",
        "ck",
        "blogspot",
        "appspot",
        "localhost",
        "",
        "sch",
        "on-acorn",
        "amazonaws",
        "s3",
        "dualstack",
        "us-east-1",
        "de",
        "fr",
        "gouv",
        "net",
        "org",
        "au",
        "site12",
        "edu",
        "herokuapp",
        "bd",
        "nom",
        "br",
        "xn--p1ai",
        "org-",
        "zz",
        "wwwsite-with-a-longer-label",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn the_public_suffix_answers_are_the_psl_crates(
            labels in proptest::collection::vec(proptest::sample::select(PSL_LABELS.to_vec()), 1..7),
            trailing_dot in proptest::prelude::any::<bool>(),
        ) {
            let mut domain = labels.join(".");
            if trailing_dot {
                domain.push('.');
            }
            let name = domain.as_bytes();
            proptest::prop_assert_eq!(
                suffix_len(name),
                psl::suffix(name).map(|s| s.as_bytes().len()),
                "{}", domain
            );
            proptest::prop_assert_eq!(
                registrable_len(name),
                psl::domain(name).map(|d| d.as_bytes().len()),
                "{}", domain
            );
            let reference = if is_ip(&domain) {
                (domain.as_str(), false)
            } else {
                match psl::domain(name) {
                    Some(d) => (&domain[domain.len() - d.as_bytes().len()..], true),
                    None => (domain.as_str(), false),
                }
            };
            proptest::prop_assert_eq!(site_and_registrable(&domain), reference);
            proptest::prop_assert_eq!(
                is_public_suffix(&domain),
                psl::suffix(name).is_some_and(|s| s.as_bytes().len() == domain.len())
            );
        }

        #[test]
        fn the_label_splitting_is_rsplits(name in "[a.]{0,64}|[a-z0-9.-]{0,70}") {
            let bytes = name.as_bytes();
            if bytes.len() <= MASK_NAME_MAX {
                let mask = dot_mask(bytes);
                let reference = bytes
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (i, &b)| m | u64::from(b == b'.') << i);
                proptest::prop_assert_eq!(mask, reference, "{}", name);
                let labels = Labels { name: bytes, dots: mask, end: Some(bytes.len()) };
                proptest::prop_assert!(labels.eq(bytes.rsplit(|b| *b == b'.')), "{}", name);
            }
            proptest::prop_assert_eq!(
                suffix_len(bytes),
                psl::suffix(bytes).map(|s| s.as_bytes().len()),
                "{}", name
            );
            proptest::prop_assert_eq!(
                registrable_len(bytes),
                psl::domain(bytes).map(|d| d.as_bytes().len()),
                "{}", name
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_word_comparison_is_slice_equality(
            a in proptest::collection::vec(0u8..3, 0..45),
            flip in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let mut b = a.clone();
            proptest::prop_assert!(eq_same_len(&a, &b));
            if !b.is_empty() {
                let i = flip.index(b.len());
                b[i] ^= 1 << (i % 8);
                proptest::prop_assert_eq!(eq_same_len(&a, &b), a == b);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_word_test_for_capitals_agrees_with_the_byte_test(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            text in "[a-zA-Z0-9.@\\[\\]`{é-]{0,30}",
        ) {
            for bytes in [&bytes[..], text.as_bytes()] {
                proptest::prop_assert_eq!(
                    has_ascii_uppercase(bytes),
                    bytes.iter().any(u8::is_ascii_uppercase),
                    "{:?}", bytes
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_last_byte_test_never_changes_whether_a_host_is_an_address(
            host in "[0-9a-zA-Z.:\\[\\]-]{0,12}|[0-9.]{1,15}|\\[?[0-9a-fA-F:.]{2,20}\\]?",
        ) {
            // The address parsers are the reference: the last-byte test
            // only skips them for hosts they would refuse.
            let inner = host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(&host);
            let parses = inner.parse::<std::net::IpAddr>().is_ok();
            proptest::prop_assert_eq!(is_ip(&host), parses);
            let loopback = inner.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
                || host == "localhost"
                || host.ends_with(".localhost");
            proptest::prop_assert_eq!(is_loopback(&host), loopback);
        }
    }
}
