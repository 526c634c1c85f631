//! From a parsed header to a candidate [`Cookie`]: defaults for domain, path
//! and expiry (RFC 6265 §5.3 steps 3-10, RFC 2965 §3.3.1), before the policy
//! decides whether it may be stored.

use compact_str::CompactString;

use crate::cookie::Cookie;
use crate::domain::{default_path, default_path_rfc2965, is_public_suffix};
use crate::parse::{SetCookie, SetCookie2};
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

fn domain(attr: Option<CompactString>, request: &CookieRequest) -> Domain {
    let host_only = || Domain {
        domain: CompactString::from(request.host()),
        specified: false,
        initial_dot: false,
        host_only: true,
    };
    let Some(attr) = attr else {
        return host_only();
    };
    let initial_dot = attr.starts_with('.');
    // Reuse the parsed string: lowercasing in place saves an allocation on
    // every domain cookie.
    let mut bare = attr;
    if initial_dot {
        bare.remove(0);
    }
    bare.make_ascii_lowercase();
    if bare.is_empty() {
        // RFC 6265 §5.2.3: a Domain of just "." leaves an empty cookie-domain.
        return host_only();
    }
    if bare == request.host() && is_public_suffix(&bare) {
        // RFC 6265 §5.3 step 5: a public suffix naming the request host itself
        // gives a host-only cookie.
        return host_only();
    }
    Domain {
        domain: bare,
        specified: true,
        initial_dot,
        host_only: false,
    }
}

/// A cookie from a `Set-Cookie` header. RFC 2109 cookies (`Version=1`) stay
/// Netscape cookies when `rfc2109_as_netscape`.
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
    let d = domain(sc.domain, request);
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
        value: sc.value,
        port,
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
        comment: sc.comment,
        comment_url: sc.comment_url,
        rest: sc.other,
        http_only: sc.http_only,
        same_site: sc.same_site,
        creation_time: now,
        last_access_time: now,
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
    let d = domain(sc.domain.map(CompactString::from), request);
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
        port,
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
        comment: sc.comment,
        comment_url: sc.comment_url,
        rest: sc.other,
        http_only: false,
        same_site: None,
        creation_time: now,
        last_access_time: now,
    })
}
