//! Host and domain arithmetic: domain-match, path-match, default-path, public
//! suffixes, RFC 2965's reach. Hosts here are already lower case.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A cheap test before the address parsers (which cost more than the rest
/// of storing a cookie): an IPv4 address is digits and dots, an IPv6 one
/// has a colon (bracketed or not).
fn may_be_ip(host: &str) -> bool {
    // An address ends with a digit, a hex digit, `:` or `]`: most names
    // (`.com`, `.org`, `.net`) are told apart by their last byte alone.
    if matches!(host.as_bytes().last(), Some(b'g'..=b'z' | b'G'..=b'Z')) {
        return false;
    }
    may_be_ip_scan(host)
}

/// [`may_be_ip`] without the last-byte test.
fn may_be_ip_scan(host: &str) -> bool {
    host.bytes().all(|b| b.is_ascii_digit() || b == b'.') || host.contains(':')
}

/// Whether `host` is an IPv4 address or a bracketed (or bare) IPv6 address.
pub(crate) fn is_ip(host: &str) -> bool {
    if !may_be_ip(host) {
        return false;
    }
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
    match psl::suffix(domain.as_bytes()) {
        Some(suffix) => suffix.as_bytes().len() == domain.len(),
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
    match psl::domain(domain.as_bytes()) {
        Some(d) => (&domain[domain.len() - d.as_bytes().len()..], true),
        None => (domain, false),
    }
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
