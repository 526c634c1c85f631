//! From a parsed header to a candidate [`Cookie`]: defaults for domain, path
//! and expiry (RFC 6265 §5.3 steps 3-10, RFC 2965 §3.3.1), before the policy
//! decides whether it may be stored.

use compact_str::CompactString;

use crate::cookie::{Cookie, CookieExtras, Extras};
use crate::domain::{default_path, default_path_rfc2965, has_ascii_uppercase, is_public_suffix};
#[cfg(test)]
use crate::parse::SetCookie;
use crate::parse::{parse_parts, parse_usual, SetCookie2};
use crate::reason::Reason;
use crate::request::CookieRequest;

/// Expiry from Max-Age (which wins, RFC 6265 §5.3 step 3) or Expires. A
/// Max-Age of zero or less means "expire now": `i64::MIN`.
fn expiry(max_age: Option<i64>, expires: Option<i64>, now: i64) -> Option<i64> {
    match max_age {
        Some(age) if age <= 0 => Some(i64::MIN),
        Some(age) => Some(now.saturating_add(age)),
        None => expires,
    }
}

fn parse_version(text: &str) -> Result<u32, Reason> {
    text.trim()
        .trim_matches('"')
        .parse::<u32>()
        .map_err(|_| Reason::InvalidVersion)
}

/// `Port` attribute: a list is kept (without whitespace); a bare `Port` means
/// "only the port of this request" (RFC 2965 §3.3.1).
fn port(attr: Option<Option<String>>, request: &CookieRequest) -> (Option<String>, bool) {
    match attr {
        None => (None, false),
        Some(None) => (Some(request.port().to_string()), false),
        Some(Some(list)) => (
            Some(list.chars().filter(|c| !c.is_whitespace()).collect()),
            true,
        ),
    }
}

struct Domain {
    domain: CompactString,
    specified: bool,
    initial_dot: bool,
    host_only: bool,
}

fn domain(attr: Option<&str>, request: &CookieRequest) -> Domain {
    let d = domain_unchecked(attr, request);
    if d.specified && d.domain == request.host() && is_public_suffix(&d.domain) {
        // RFC 6265 §5.3 step 5: a public suffix naming the request host itself
        // gives a host-only cookie.
        return host_only(request);
    }
    d
}

fn host_only(request: &CookieRequest) -> Domain {
    Domain {
        domain: request.host_compact().clone(),
        specified: false,
        initial_dot: false,
        host_only: true,
    }
}

/// [`domain`] without RFC 6265 §5.3 step 5's public-suffix test of a
/// `Domain` equal to the request host: the jar settles that with
/// [`settle_host_suffix`], after its index has said whether it already
/// knows the host to be registrable (then the list is not asked).
#[inline]
fn domain_unchecked(attr: Option<&str>, request: &CookieRequest) -> Domain {
    let Some(attr) = attr else {
        return host_only(request);
    };
    let (initial_dot, bare) = match attr.strip_prefix('.') {
        Some(bare) => (true, bare),
        None => (false, attr),
    };
    if bare.is_empty() {
        // RFC 6265 §5.2.3: a Domain of just "." leaves an empty cookie-domain.
        return host_only(request);
    }
    // Servers write the domain in lower case: copy it as it is, and
    // lower-case only when it has a capital.
    let mut domain = CompactString::from(bare);
    if has_ascii_uppercase(bare.as_bytes()) {
        domain.make_ascii_lowercase();
    }
    Domain {
        domain,
        specified: true,
        initial_dot,
        host_only: false,
    }
}

/// RFC 6265 §5.3 step 5 for a cookie from [`from_header_unsettled`]: a
/// `Domain` naming the request host itself that is a public suffix makes a
/// host-only cookie. `registrable` is the caller's knowledge that the
/// cookie's domain is no public suffix; returns whether the domain is now
/// known to be registrable (the policy need not ask the list again).
#[inline]
pub(crate) fn settle_host_suffix(
    cookie: &mut Cookie,
    request: &CookieRequest,
    registrable: bool,
) -> bool {
    if registrable || cookie.host_only || cookie.domain != request.host() {
        return registrable;
    }
    if is_public_suffix(&cookie.domain) {
        cookie.domain_specified = false;
        cookie.domain_initial_dot = false;
        cookie.host_only = true;
        return false;
    }
    true
}

/// A cookie from one `Set-Cookie` header value: [`parse_set_cookie`]
/// followed by [`from_set_cookie`], but built from slices of the header, so
/// each piece is copied once and ignored attributes are never allocated.
/// RFC 2109 cookies (`Version=1`) stay Netscape cookies when
/// `rfc2109_as_netscape`.
///
/// [`parse_set_cookie`]: crate::parse::parse_set_cookie
pub(crate) fn from_header(
    header: &[u8],
    request: &CookieRequest,
    now: i64,
    rfc2109_as_netscape: bool,
) -> Result<Cookie, Reason> {
    let (mut cookie, _) = from_header_unsettled(header, request, now, rfc2109_as_netscape)?;
    settle_host_suffix(&mut cookie, request, false);
    Ok(cookie)
}

/// [`from_header`] without the public-suffix test of a `Domain` equal to
/// the request host: call [`settle_host_suffix`] before using the cookie.
/// Also returns the length of its name and value together, for the jar's
/// size limit (the slices' lengths are at hand; a `CompactString`'s length
/// is decoded from its last byte).
///
/// The usual header ([`parse_usual`]) is read straight into the cookie;
/// any other takes [`from_header_general`], the reference.
#[inline]
pub(crate) fn from_header_unsettled(
    header: &[u8],
    request: &CookieRequest,
    now: i64,
    rfc2109_as_netscape: bool,
) -> Result<(Cookie, usize), Reason> {
    let Some(usual) = parse_usual(header) else {
        return from_header_general(header, request, now, rfc2109_as_netscape);
    };
    let size = usual.name.len() + usual.value.len();
    // First: a long value is copied by a call, and what is built before it
    // would be saved across that call.
    let value = usual.value.into();
    let d = domain_unchecked(usual.domain, request);
    let (path, path_specified) = match usual.path {
        // Most cookies are for the whole site: a constant, not a copy.
        Some("/") => (CompactString::const_new("/"), true),
        Some(p) if p.starts_with('/') => (CompactString::from(p), true),
        _ => (CompactString::from(default_path(request.path())), false),
    };
    let cookie = Cookie {
        version: None,
        name: CompactString::from(usual.name),
        value,
        port_specified: false,
        domain: d.domain,
        domain_specified: d.specified,
        domain_initial_dot: d.initial_dot,
        host_only: d.host_only,
        path,
        path_specified,
        secure: usual.secure,
        expires: expiry(usual.max_age, usual.expires, now),
        discard: false,
        extras: Extras::default(),
        http_only: usual.http_only,
        same_site: usual.same_site,
        creation_time: now,
        last_access_time: now,
        seq: crate::cookie::Seq(0),
    };
    // Every debug build (the tests, the fuzz target) builds each cookie
    // the general way too.
    debug_assert_eq!(
        Ok((&cookie, size)),
        from_header_general(header, request, now, rfc2109_as_netscape)
            .as_ref()
            .map(|(c, s)| (c, *s)),
        "{header:?}"
    );
    Ok((cookie, size))
}

/// [`from_header_unsettled`] for any header: [`parse_parts`], then the
/// cookie from its parts.
#[inline(never)]
pub(crate) fn from_header_general(
    header: &[u8],
    request: &CookieRequest,
    now: i64,
    rfc2109_as_netscape: bool,
) -> Result<(Cookie, usize), Reason> {
    let sc = parse_parts(header)?;
    let size = sc.name.len() + sc.value.len();
    let version = match sc.version {
        Some(v) if !rfc2109_as_netscape => match parse_version(v)? {
            0 => None,
            n => Some(n),
        },
        _ => None,
    };
    let rfc2965 = version.is_some();
    // First: a long value is copied by a call, and what is built before it
    // would be saved across that call.
    let value = crate::CookieValue::from(sc.value);
    let d = domain_unchecked(sc.domain, request);
    let (path, path_specified) = match sc.path {
        // Most cookies are for the whole site: a constant, not a copy.
        Some("/") => (CompactString::const_new("/"), true),
        Some(p) if p.starts_with('/') => (CompactString::from(p), true),
        _ if rfc2965 => (
            CompactString::from(default_path_rfc2965(request.path())),
            false,
        ),
        _ => (CompactString::from(default_path(request.path())), false),
    };
    // Almost no cookie has a Port: decide that without a call.
    let (port, port_specified) = match sc.port {
        None => (None, false),
        Some(p) => port(Some(p.map(str::to_owned)), request),
    };
    let cookie = Cookie {
        version,
        name: CompactString::from(sc.name),
        value,
        port_specified,
        domain: d.domain,
        domain_specified: d.specified,
        domain_initial_dot: d.initial_dot,
        host_only: d.host_only,
        path,
        path_specified,
        secure: sc.secure,
        expires: expiry(sc.max_age, sc.expires, now),
        discard: sc.discard,
        // Almost no cookie has any of these: decided without building them.
        extras: if port.is_none()
            && sc.comment.is_none()
            && sc.comment_url.is_none()
            && sc.other.is_empty()
        {
            Extras::default()
        } else {
            Extras::new(CookieExtras {
                port,
                comment: sc.comment.map(str::to_owned),
                comment_url: sc.comment_url.map(str::to_owned),
                rest: sc
                    .other
                    .into_iter()
                    .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)))
                    .collect(),
            })
        },
        http_only: sc.http_only,
        same_site: sc.same_site,
        creation_time: now,
        last_access_time: now,
        seq: crate::cookie::Seq(0),
    };
    Ok((cookie, size))
}

/// A cookie from a parsed `Set-Cookie` header: the reference
/// [`from_header`] is tested against.
#[cfg(test)]
pub(crate) fn from_set_cookie(
    sc: SetCookie,
    request: &CookieRequest,
    now: i64,
    rfc2109_as_netscape: bool,
) -> Result<Cookie, Reason> {
    let version = match sc.version.as_deref() {
        Some(v) if !rfc2109_as_netscape => match parse_version(v)? {
            0 => None,
            n => Some(n),
        },
        _ => None,
    };
    let rfc2965 = version.is_some();
    let d = domain(sc.domain.as_deref(), request);
    let (path, path_specified) = match sc.path {
        Some(p) if p.starts_with('/') => (p, true),
        _ if rfc2965 => (
            CompactString::from(default_path_rfc2965(request.path())),
            false,
        ),
        _ => (CompactString::from(default_path(request.path())), false),
    };
    let (port, port_specified) = port(sc.port, request);
    Ok(Cookie {
        version,
        name: sc.name,
        value: sc.value.into(),
        port_specified,
        domain: d.domain,
        domain_specified: d.specified,
        domain_initial_dot: d.initial_dot,
        host_only: d.host_only,
        path,
        path_specified,
        secure: sc.secure,
        expires: expiry(sc.max_age, sc.expires, now),
        discard: sc.discard,
        extras: Extras::new(CookieExtras {
            port,
            comment: sc.comment,
            comment_url: sc.comment_url,
            rest: sc.other,
        }),
        http_only: sc.http_only,
        same_site: sc.same_site,
        creation_time: now,
        last_access_time: now,
        seq: crate::cookie::Seq(0),
    })
}

/// A cookie from one entry of a `Set-Cookie2` header (RFC 2965 §3.3.1).
pub(crate) fn from_set_cookie2(
    sc: SetCookie2,
    request: &CookieRequest,
    now: i64,
) -> Result<Cookie, Reason> {
    // The seed refuses a Set-Cookie2 cookie without a Version.
    let version = parse_version(sc.version.as_deref().ok_or(Reason::InvalidVersion)?)?;
    let d = domain(sc.domain.as_deref(), request);
    let (path, path_specified) = match sc.path {
        Some(p) if !p.is_empty() => (CompactString::from(p), true),
        _ => (
            CompactString::from(default_path_rfc2965(request.path())),
            false,
        ),
    };
    let (port, port_specified) = port(sc.port, request);
    Ok(Cookie {
        version: Some(version.max(1)),
        name: sc.name.into(),
        value: sc.value.into(),
        port_specified,
        domain: d.domain,
        domain_specified: d.specified,
        domain_initial_dot: d.initial_dot,
        host_only: d.host_only,
        path,
        path_specified,
        secure: sc.secure,
        expires: expiry(sc.max_age, None, now),
        discard: sc.discard,
        extras: Extras::new(CookieExtras {
            port,
            comment: sc.comment,
            comment_url: sc.comment_url,
            rest: sc.other,
        }),
        http_only: false,
        same_site: None,
        creation_time: now,
        last_access_time: now,
        seq: crate::cookie::Seq(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_set_cookie;
    use proptest::prelude::*;

    /// What `from_header` replaced: parse into owned strings, then build.
    fn reference(
        header: &[u8],
        request: &CookieRequest,
        now: i64,
        as_netscape: bool,
    ) -> Result<Cookie, Reason> {
        parse_set_cookie(header)
            .map_err(Reason::from)
            .and_then(|sc| from_set_cookie(sc, request, now, as_netscape))
    }

    const URLS: [&str; 6] = [
        "http://example.com/a/b",
        "https://www.Example.co.uk/",
        "http://localhost/x/",
        "https://co.uk/p",
        "http://127.0.0.1/",
        "http://a.b.example.com",
    ];

    fn attribute() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "Domain",
            "domain",
            "Path",
            "path",
            "Max-Age",
            "Expires",
            "Secure",
            "HttpOnly",
            "SameSite",
            "Version",
            "Comment",
            "CommentURL",
            "Port",
            "Discard",
            "Priority",
            "",
            "x",
        ]);
        let value = prop_oneof![
            Just(None),
            prop::sample::select(vec![
                ".Example.COM",
                "example.com",
                "co.uk",
                "www.example.co.uk",
                ".",
                "",
                "/a",
                "/",
                "rel",
                "1",
                "\"1\"",
                "0",
                "-5",
                "80,8080",
                "Wed, 09 Jun 2021 10:18:14 GMT",
                "lax",
                "None",
            ])
            .prop_map(|v| Some(v.to_owned())),
            "[a-zA-Z0-9./ ,\"-]{0,12}".prop_map(Some),
        ];
        (name, value, " {0,2}").prop_map(|(n, v, pad)| match v {
            Some(v) => format!("{pad}{n}={v}"),
            None => format!("{pad}{n}"),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn from_header_builds_what_parse_then_from_set_cookie_built(
            pair in "[a-zA-Z_ ]{0,5}=?[a-zA-Z0-9\"= ]{0,30}",
            attributes in prop::collection::vec(attribute(), 0..6),
            url in prop::sample::select(URLS.to_vec()),
            as_netscape in any::<bool>(),
        ) {
            let mut header = pair;
            for a in attributes {
                header.push(';');
                header.push_str(&a);
            }
            let request = CookieRequest::parse(url).unwrap();
            let now = 1_300_000_000;
            prop_assert_eq!(
                from_header(header.as_bytes(), &request, now, as_netscape),
                reference(header.as_bytes(), &request, now, as_netscape)
            );
        }

        #[test]
        fn settling_with_the_index_knowledge_agrees_with_the_reference(
            pair in "[a-z]{1,4}=[a-z0-9]{0,30}",
            domain in prop::sample::select(vec![
                "", "; Domain=co.uk", "; Domain=CO.uk", "; Domain=.co.uk", "; Domain=localhost",
                "; Domain=example.com", "; Domain=Example.COM", "; Domain=www.example.co.uk",
                "; Domain=127.0.0.1", "; Domain=b.example.com", "; Domain=.",
            ]),
            url in prop::sample::select(URLS.to_vec()),
        ) {
            // The jar settles with what its index knows: true only for a
            // domain the public suffix list found registrable.
            let header = format!("{pair}{domain}");
            let request = CookieRequest::parse(url).unwrap();
            let reference = reference(header.as_bytes(), &request, 5, true);
            for knows_registrable in [false, true] {
                let settled = match from_header_unsettled(header.as_bytes(), &request, 5, true) {
                    Ok((mut c, size)) => {
                        // The size the jar's limit is checked against.
                        prop_assert_eq!(size, c.name.len() + c.value.len());
                        let registrable = knows_registrable && !is_public_suffix(&c.domain);
                        let known = settle_host_suffix(&mut c, &request, registrable);
                        // What the policy is told: never "registrable" for a suffix.
                        prop_assert!(!(known && is_public_suffix(&c.domain)));
                        Ok(c)
                    }
                    Err(e) => Err(e),
                };
                prop_assert_eq!(&settled, &reference);
            }
        }

        #[test]
        fn the_usual_header_read_straight_is_the_cookie_built_from_its_parts(
            header in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..80),
                "[a-zA-Z_ ]{0,8}=[a-zA-Z0-9=\" ]{0,40}(; ?(?i)(path|domain|expires|max-age|secure|httponly|samesite|version|port|x)(=(/|/a/b|rel|\\.?(example\\.com|co\\.uk|localhost|Example\\.COM)|-?[0-9]{1,3}|lax|Sat, 14 Oct 2045 18:27:26 GMT|1))?){0,6}"
                    .prop_map(String::into_bytes),
            ],
            url in prop::sample::select(URLS.to_vec()),
            as_netscape in any::<bool>(),
        ) {
            let request = CookieRequest::parse(url).unwrap();
            prop_assert_eq!(
                from_header_unsettled(&header, &request, 1_300_000_000, as_netscape),
                from_header_general(&header, &request, 1_300_000_000, as_netscape)
            );
        }

        #[test]
        fn from_header_agrees_with_the_reference_on_any_bytes(
            header in prop::collection::vec(any::<u8>(), 0..60),
            url in prop::sample::select(URLS.to_vec()),
        ) {
            let request = CookieRequest::parse(url).unwrap();
            prop_assert_eq!(
                from_header(&header, &request, 7, true),
                reference(&header, &request, 7, true)
            );
        }
    }
}
