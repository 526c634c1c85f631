//! Which cookies to accept and which to return: the [`CookiePolicy`] trait and
//! [`DefaultCookiePolicy`] with every switch ClientCookie had, plus the ones
//! RFC 6265bis and today's browsers added.
//!
//! Netscape cookies (`Set-Cookie`) follow RFC 6265(bis): the written-down
//! behaviour of browsers. RFC 2965 cookies (`Set-Cookie2`) follow RFC 2965 and
//! are off by default, as in the seed.

use crate::cookie::{Cookie, SameSite};
use crate::domain::{
    eq_same_len, is_public_suffix, is_strict_subdomain, is_third_party, path_match,
    rfc2965_domain_match, site_of, user_domain_match,
};
use crate::reason::Reason;
use crate::request::CookieRequest;

/// Decides which cookies a jar accepts and returns.
///
/// `domain_return_ok` and `path_return_ok` are quick pre-filters the jar
/// calls per stored domain and per path before the full `return_ok`.
///
/// ```
/// use clientcookie_jar::{Cookie, CookiePolicy, CookieRequest, DefaultCookiePolicy, Reason};
///
/// /// Accepts what the default policy accepts, except cookies named "tracker".
/// #[derive(Debug, Default)]
/// struct NoTrackers(DefaultCookiePolicy);
///
/// impl CookiePolicy for NoTrackers {
///     fn set_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
///         if cookie.name == "tracker" {
///             return Err(Reason::BlockedDomain);
///         }
///         self.0.set_ok(cookie, request)
///     }
///     fn return_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
///         self.0.return_ok(cookie, request)
///     }
/// }
///
/// let request = CookieRequest::parse("https://example.com/").unwrap();
/// let cookie = clientcookie_jar::Cookie::new("tracker", "1", "example.com", "/");
/// assert!(NoTrackers::default().set_ok(&cookie, &request).is_err());
/// ```
pub trait CookiePolicy: Send + Sync + std::fmt::Debug {
    /// May `cookie`, received in the response to `request`, be stored?
    fn set_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason>;

    /// The jar's one question before storing: [`set_ok`](Self::set_ok),
    /// and then whether the request counts as secure
    /// ([`is_secure`](Self::is_secure)), which the jar needs for a cookie
    /// that is not `Secure` itself (RFC 6265bis §5.7 step 16); for a
    /// `Secure` one it may answer `true` without asking.
    ///
    /// `registrable`: the jar knows the cookie's domain is no public suffix
    /// (it holds cookies for that domain and asked the public suffix list
    /// when it first did). A policy that consults the list may skip that
    /// lookup; the answers must be those of `set_ok` and `is_secure`, which
    /// is what the default does.
    #[doc(hidden)]
    fn set_ok_for_store(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
    ) -> Result<bool, Reason> {
        let _ = registrable;
        self.set_ok(cookie, request)?;
        Ok(cookie.secure || self.is_secure(request))
    }

    /// May `cookie` be sent with `request`? The jar itself never sends an
    /// expired cookie (it owns the clock), so this need not check expiry.
    fn return_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason>;

    /// Quick check: may any cookie stored under `domain` go to `request`?
    fn domain_return_ok(&self, _domain: &str, _request: &CookieRequest) -> bool {
        true
    }

    /// Quick check: may any cookie with `path` go to `request`?
    fn path_return_ok(&self, path: &str, request: &CookieRequest) -> bool {
        path_match(request.path(), path)
    }

    /// Whether to send `Cookie2: $Version="1"` (RFC 2965 §3.3.5).
    fn advertise_cookie2(&self) -> bool {
        false
    }

    /// Whether `Set-Cookie` headers are read at all.
    fn accepts_netscape(&self) -> bool {
        true
    }

    /// Whether `Set-Cookie2` headers are read at all.
    fn accepts_rfc2965(&self) -> bool {
        false
    }

    /// Whether an RFC 2109 cookie (a `Set-Cookie` with `Version=1`) is
    /// treated as a Netscape cookie.
    fn rfc2109_as_netscape(&self) -> bool {
        !self.accepts_rfc2965()
    }

    /// Whether the request counts as secure for `Secure` cookies.
    fn is_secure(&self, request: &CookieRequest) -> bool {
        request.is_secure()
    }

    /// The policy's [`return_ok`](Self::return_ok) and
    /// [`path_return_ok`](Self::path_return_ok) for the usual (Netscape,
    /// no version) cookies and `request`, as a few facts a large jar's
    /// lookup applies to compact summaries of its cookies instead of
    /// reading each cookie; `None` (the default) when the policy's answers
    /// are not described by [`LookupRules`], and the jar asks the methods
    /// above for each cookie. [`domain_return_ok`](Self::domain_return_ok)
    /// is asked per domain either way.
    #[doc(hidden)]
    fn lookup_rules(&self, _request: &CookieRequest) -> Option<LookupRules> {
        None
    }

    /// Whether the jar may decide the usual cookie (Netscape, no `Port`,
    /// from a verifiable request) by the default policy's usual checks
    /// without asking [`set_ok_for_store`](Self::set_ok_for_store): asked
    /// once, when the jar gets the policy, not per cookie. `None` (the
    /// default): the jar asks the policy for every cookie. Only
    /// [`DefaultCookiePolicy`] can answer `Some` (a [`StoreRules`] is made
    /// only inside this crate), and only with its usual switches.
    #[doc(hidden)]
    fn store_rules(&self) -> Option<StoreRules> {
        None
    }
}

/// See [`CookiePolicy::store_rules`]: the policy's switches are those under
/// which the jar's usual store path decides the usual cookie as the policy would.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreRules {
    /// The policy's [`rfc2109_as_netscape`](CookiePolicy::rfc2109_as_netscape),
    /// asked for every `Set-Cookie` read.
    rfc2109_as_netscape: bool,
}

/// [`CookiePolicy::rfc2109_as_netscape`], from `rules` when the policy
/// gave them (its answer then, a call less per header read).
#[inline(always)]
pub(crate) fn rfc2109_as_netscape_by(policy: &dyn CookiePolicy, rules: Option<StoreRules>) -> bool {
    match rules {
        Some(rules) => rules.rfc2109_as_netscape,
        None => policy.rfc2109_as_netscape(),
    }
}

/// [`CookiePolicy::set_ok_for_store`] as the jar asks it, `rules` being the
/// policy's [`store_rules`](CookiePolicy::store_rules) (asked once): the
/// usual cookie the usual checks accept is decided by [`store_usual`],
/// without the policy's call and its switches; anything else (a refusal
/// included, for its reason) by the policy.
///
/// Out of line, and calling nothing but the policy last: inlined into the
/// jar's store path it made the parser's code around it save and reload
/// registers, and with a call before its end it saved six registers.
#[inline(never)]
pub(crate) fn set_ok_for_store_by(
    policy: &dyn CookiePolicy,
    rules: Option<StoreRules>,
    cookie: &Cookie,
    request: &CookieRequest,
    registrable: bool,
) -> Result<bool, Reason> {
    if rules.is_some() {
        if let Some(secure) = store_usual(cookie, request, registrable) {
            return Ok(secure);
        }
    }
    ask_policy(policy, cookie, request, registrable)
}

/// The policy's own [`set_ok_for_store`](CookiePolicy::set_ok_for_store),
/// for the cookies [`store_usual`] does not decide.
#[cold]
#[inline(never)]
fn ask_policy(
    policy: &dyn CookiePolicy,
    cookie: &Cookie,
    request: &CookieRequest,
    registrable: bool,
) -> Result<bool, Reason> {
    policy.set_ok_for_store(cookie, request, registrable)
}

/// The default policy's answer under its usual switches (see
/// [`DefaultCookiePolicy::store_rules`]) for a cookie it accepts by its
/// usual checks: `Some(secure)`, the request counting as secure or not;
/// `None` when the cookie is not usual or one of those checks may refuse
/// it, and the policy decides. The tests are combined without branches
/// where they are cheap (each fails rarely, but which one varies).
#[inline(always)]
pub(crate) fn store_usual(
    cookie: &Cookie,
    request: &CookieRequest,
    registrable: bool,
) -> Option<bool> {
    // `https`/`wss` or a loopback host: `secure_origin` with the default
    // protocols and `loopback_is_secure`.
    let secure = request.is_https_or_wss() | request.is_loopback();
    let name = cookie.name.as_bytes();
    // Netscape, no `Port`, a verifiable request (`set_ok_all`'s version,
    // verifiability and port checks pass); `Secure` only from a secure
    // origin, `SameSite=None` only with `Secure`, no name that may carry a
    // `__Secure-`/`__Host-` prefix (`check_secure_rules` passes).
    // Written as `&` of comparisons: `a | b` of two bools became a branch.
    let insecure_none = (cookie.same_site == Some(SameSite::None)) & !cookie.secure;
    let ok = cookie.version.is_none()
        & !cookie.port_specified
        & !request.is_unverifiable()
        & (secure | !cookie.secure)
        & !insecure_none
        & (name.get(..2) != Some(b"__"));
    if !ok {
        return None;
    }
    // RFC 6265 §5.3 steps 5 and 6 (`set_ok_domain`): nothing to check for
    // a host-only cookie; a `Domain` the host domain-matches that the jar
    // knows to be no public suffix.
    if cookie.host_only || (registrable && host_domain_match_light(request, &cookie.domain)) {
        Some(secure)
    } else {
        None
    }
}

/// [`host_domain_match`] without branches on the data for a domain of 8
/// to 32 bytes that is no longer than the host (the usual), by four
/// overlapping words; `false` may also mean "not decided" (another
/// length): its caller then asks the policy.
#[inline(always)]
fn host_domain_match_light(request: &CookieRequest, domain: &str) -> bool {
    let (host, domain) = (request.host().as_bytes(), domain.as_bytes());
    let (h, d) = (host.len(), domain.len());
    if !(8..=32).contains(&d) || d > h {
        // Not decided here (no call: it would make the usual path save
        // registers): the policy decides such a cookie.
        return false;
    }
    let tail = &host[h - d..];
    let word = |s: &[u8], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_le_bytes(w)
    };
    // Bytes 0..8, 8..16 (or the last 8), 16..24 (or the last 8), the last 8.
    let (i1, i2) = ((d - 8).min(8), (d - 8).min(16));
    let differ = (word(tail, 0) ^ word(domain, 0))
        | (word(tail, i1) ^ word(domain, i1))
        | (word(tail, i2) ^ word(domain, i2))
        | (word(tail, d - 8) ^ word(domain, d - 8));
    // The byte before the tail (the host's first when they are the same length).
    let dot = host[(h - d).saturating_sub(1)] == b'.';
    (differ == 0) & ((h == d) | (dot & !request.is_ip()))
}

/// See [`CookiePolicy::lookup_rules`]: for a request, a cookie without a
/// version that has not expired and is stored under a domain the request's
/// host domain-matches is returned exactly when it passes these rules and
/// its path path-matches the request's.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupRules {
    /// The request counts as secure: `Secure` cookies may go.
    pub(crate) secure: bool,
    /// Host-only cookies may also go to subdomains of their host
    /// (`DomainStrictness::LIBERAL`).
    pub(crate) host_only_to_subdomains: bool,
    /// `SameSite=Strict` cookies are refused.
    pub(crate) refuse_strict: bool,
    /// `SameSite=Lax` cookies are refused.
    pub(crate) refuse_lax: bool,
}

/// The seed's `strict_ns_domain` flags: how strictly the domain of Netscape
/// cookies is checked. Combine with `|`.
///
/// ```
/// use clientcookie_jar::DomainStrictness;
/// let strict = DomainStrictness::STRICT_NO_DOTS | DomainStrictness::STRICT_NON_DOMAIN;
/// assert_eq!(strict, DomainStrictness::STRICT);
/// assert!(strict.contains(DomainStrictness::STRICT_NO_DOTS));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DomainStrictness(u8);

impl DomainStrictness {
    /// No extra checks, and a cookie set without `Domain` is also returned to
    /// subdomains of the host that set it: the seed's default, the old
    /// Netscape/MSIE behaviour RFC 6265 §4.1.2.3 warns about.
    pub const LIBERAL: DomainStrictness = DomainStrictness(0);
    /// `DomainStrictNoDots`: when setting, the request host minus the domain
    /// may not contain a dot (`www.foo.bar.com` cannot set `.bar.com`).
    pub const STRICT_NO_DOTS: DomainStrictness = DomainStrictness(1);
    /// `DomainStrictNonDomain`: a cookie set without `Domain` is returned only
    /// to the host that set it. RFC 6265 §5.4 requires this; it is in the
    /// default here.
    pub const STRICT_NON_DOMAIN: DomainStrictness = DomainStrictness(2);
    /// `DomainRFC2965Match`: when setting, the request host must domain-match
    /// the domain in RFC 2965's sense (a strict subdomain).
    pub const RFC2965_MATCH: DomainStrictness = DomainStrictness(4);
    /// `DomainStrict` = `STRICT_NO_DOTS | STRICT_NON_DOMAIN`.
    pub const STRICT: DomainStrictness = DomainStrictness(3);

    /// Whether every flag of `other` is set in `self`.
    ///
    /// ```
    /// use clientcookie_jar::DomainStrictness;
    /// assert!(!DomainStrictness::LIBERAL.contains(DomainStrictness::STRICT_NON_DOMAIN));
    /// ```
    pub fn contains(self, other: DomainStrictness) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for DomainStrictness {
    type Output = DomainStrictness;
    fn bitor(self, other: DomainStrictness) -> DomainStrictness {
        DomainStrictness(self.0 | other.0)
    }
}

impl Default for DomainStrictness {
    /// RFC 6265: host-only cookies stay on their host.
    fn default() -> DomainStrictness {
        DomainStrictness::STRICT_NON_DOMAIN
    }
}

/// Build it with `DefaultCookiePolicy { switch: value, ..Default::default() }`.
///
/// ClientCookie's `DefaultCookiePolicy`, every switch included, with RFC
/// 6265bis rules for Netscape cookies.
///
/// Differences from the seed's defaults, each for RFC 6265: `strict_ns_domain`
/// defaults to [`DomainStrictness::STRICT_NON_DOMAIN`] (set it to `LIBERAL`
/// for the seed's answers); public suffixes are refused as cookie domains;
/// `__Secure-`/`__Host-` prefixes and `SameSite` are enforced; loopback hosts
/// count as secure.
///
/// ```
/// use clientcookie_jar::{CookieJar, DefaultCookiePolicy};
///
/// let mut policy = DefaultCookiePolicy::default();
/// policy.rfc2965 = true;
/// policy.blocked_domains = vec![".ads.example".into()];
/// let jar = CookieJar::with_policy(policy);
/// assert_eq!(jar.len(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct DefaultCookiePolicy {
    /// Accept and return Netscape (`Set-Cookie`) cookies. Default true.
    pub netscape: bool,
    /// Accept and return RFC 2965 (`Set-Cookie2`) cookies. Default false.
    pub rfc2965: bool,
    /// Treat RFC 2109 cookies (`Set-Cookie` with `Version=1`) as Netscape
    /// cookies. `None` (default): as Netscape exactly when `rfc2965` is off.
    pub rfc2109_as_netscape: Option<bool>,
    /// Never send `Cookie2`. Default false.
    pub hide_cookie2: bool,
    /// Refuse country-code second-level domains like `.co.uk` (the seed's
    /// heuristic; the public suffix list does this better). Default false.
    pub strict_domain: bool,
    /// Refuse third-party RFC 2965 cookies in unverifiable transactions.
    /// Default true, as RFC 2965 §3.3.6 says.
    pub strict_rfc2965_unverifiable: bool,
    /// Refuse third-party Netscape cookies in unverifiable transactions.
    /// Default false.
    pub strict_ns_unverifiable: bool,
    /// Domain strictness for Netscape cookies.
    pub strict_ns_domain: DomainStrictness,
    /// Refuse Netscape cookies whose name starts with `$`. Default false.
    pub strict_ns_set_initial_dollar: bool,
    /// Refuse Netscape cookies whose `Path` is not a prefix of the request
    /// path. Default false (browsers accept them).
    pub strict_ns_set_path: bool,
    /// Domains that may neither set nor receive cookies. An entry with a
    /// leading dot also covers every subdomain.
    pub blocked_domains: Vec<String>,
    /// When set, only these domains may set or receive cookies.
    pub allowed_domains: Option<Vec<String>>,
    /// Schemes over which `Secure` cookies travel. Default `https`, `wss`.
    pub secure_protocols: Vec<String>,
    /// Loopback hosts count as secure (RFC 6265bis). Default true.
    pub loopback_is_secure: bool,
    /// Refuse a `Domain` that is a public suffix (RFC 6265 §5.3 step 5).
    /// Default true.
    pub reject_public_suffixes: bool,
    /// Enforce the `__Secure-` and `__Host-` name prefixes. Default true.
    pub enforce_prefixes: bool,
    /// Enforce `SameSite` on cross-site requests and `SameSite=None`
    /// requiring `Secure`. Default true.
    pub enforce_same_site: bool,
}

impl Default for DefaultCookiePolicy {
    fn default() -> DefaultCookiePolicy {
        DefaultCookiePolicy {
            netscape: true,
            rfc2965: false,
            rfc2109_as_netscape: None,
            hide_cookie2: false,
            strict_domain: false,
            strict_rfc2965_unverifiable: true,
            strict_ns_unverifiable: false,
            strict_ns_domain: DomainStrictness::default(),
            strict_ns_set_initial_dollar: false,
            strict_ns_set_path: false,
            blocked_domains: Vec::new(),
            allowed_domains: None,
            secure_protocols: vec!["https".into(), "wss".into()],
            loopback_is_secure: true,
            reject_public_suffixes: true,
            enforce_prefixes: true,
            enforce_same_site: true,
        }
    }
}

impl DefaultCookiePolicy {
    /// The default policy with RFC 2965 switched on.
    ///
    /// ```
    /// use clientcookie_jar::DefaultCookiePolicy;
    /// assert!(DefaultCookiePolicy::rfc2965().rfc2965);
    /// ```
    pub fn rfc2965() -> DefaultCookiePolicy {
        DefaultCookiePolicy {
            rfc2965: true,
            ..DefaultCookiePolicy::default()
        }
    }

    /// Whether `domain` is on the block list.
    ///
    /// ```
    /// use clientcookie_jar::DefaultCookiePolicy;
    /// let mut policy = DefaultCookiePolicy::default();
    /// policy.blocked_domains = vec![".example.com".into()];
    /// assert!(policy.is_blocked("www.example.com"));
    /// assert!(!policy.is_blocked("example.org"));
    /// ```
    pub fn is_blocked(&self, domain: &str) -> bool {
        self.blocked_domains
            .iter()
            .any(|entry| user_domain_match(domain, entry))
    }

    /// Whether an allow list is set and `domain` is not on it.
    ///
    /// ```
    /// use clientcookie_jar::DefaultCookiePolicy;
    /// let mut policy = DefaultCookiePolicy::default();
    /// policy.allowed_domains = Some(vec!["example.com".into()]);
    /// assert!(!policy.is_not_allowed("example.com"));
    /// assert!(policy.is_not_allowed("www.example.com"));
    /// ```
    pub fn is_not_allowed(&self, domain: &str) -> bool {
        match &self.allowed_domains {
            None => false,
            Some(list) => !list.iter().any(|entry| user_domain_match(domain, entry)),
        }
    }

    fn check_version(&self, cookie: &Cookie) -> Result<(), Reason> {
        match cookie.version {
            Some(v) if v > 0 && !self.rfc2965 => Err(Reason::Rfc2965Disabled),
            None | Some(0) if !self.netscape => Err(Reason::NetscapeDisabled),
            _ => Ok(()),
        }
    }

    /// RFC 2965 §3.3.6, applied to both protocols as the seed does.
    fn check_verifiability(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
        if request.is_unverifiable() && is_third_party(request.host(), request.origin_host()) {
            let strict = if is_rfc2965(cookie) {
                self.strict_rfc2965_unverifiable
            } else {
                self.strict_ns_unverifiable
            };
            if strict {
                return Err(Reason::ThirdPartyUnverifiable);
            }
        }
        Ok(())
    }

    fn check_lists(&self, domain: &str) -> Result<(), Reason> {
        if self.is_blocked(domain) {
            return Err(Reason::BlockedDomain);
        }
        if self.is_not_allowed(domain) {
            return Err(Reason::NotAllowedDomain);
        }
        Ok(())
    }

    /// The domain checks of `set_ok`; `registrable` says the jar knows
    /// the cookie's domain is no public suffix (see
    /// [`CookiePolicy::set_ok_registrable`]).
    fn set_ok_domain(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
    ) -> Result<(), Reason> {
        self.check_lists(&cookie.domain)?;
        if cookie.host_only {
            return Ok(());
        }
        let domain = cookie.domain.as_str();
        let host = request.host();
        let rfc2965 = is_rfc2965(cookie);
        if self.strict_domain && is_country_code_sld(domain) {
            return Err(Reason::CountryCodeSecondLevel);
        }
        if rfc2965 {
            // RFC 2965 §3.3.2: domains are compared with a leading dot, and
            // the effective host (`.local` appended to dotless names) is used.
            let erhn = request.effective_host();
            if !domain.contains('.') && !erhn.ends_with(".local") {
                return Err(Reason::DomainNoEmbeddedDot);
            }
            if !rfc2965_domain_match(&erhn, &format!(".{domain}")) {
                return Err(Reason::DomainMismatch);
            }
        } else {
            // RFC 6265 §5.3 step 6.
            if !host_domain_match(request, domain) {
                return Err(Reason::DomainMismatch);
            }
            if self
                .strict_ns_domain
                .contains(DomainStrictness::RFC2965_MATCH)
                && !is_strict_subdomain(&request.effective_host(), domain)
            {
                return Err(Reason::DomainMismatch);
            }
        }
        if self.reject_public_suffixes && !registrable && is_public_suffix(domain) {
            return Err(Reason::PublicSuffix);
        }
        if (rfc2965
            || self
                .strict_ns_domain
                .contains(DomainStrictness::STRICT_NO_DOTS))
            && !request.is_ip()
            && host.len() > domain.len()
            && host[..host.len() - domain.len() - 1].contains('.')
        {
            return Err(Reason::HostPrefixHasDot);
        }
        Ok(())
    }

    fn check_port_list(cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
        let Some(list) = cookie.port() else {
            return Ok(());
        };
        let wanted = request.port();
        let mut found = false;
        for port in list.split(',') {
            match port.trim().parse::<u16>() {
                Ok(p) if p == wanted => found = true,
                Ok(_) => {}
                Err(_) => return Err(Reason::PortMismatch),
            }
        }
        if found {
            Ok(())
        } else {
            Err(Reason::PortMismatch)
        }
    }

    /// The `__Secure-` and `__Host-` name prefixes (RFC 6265bis §4.1.3), for
    /// a name starting with `__` (both prefixes do, in any case: the caller
    /// decides most names by their first two bytes, without a call).
    /// `secure`: the request counts as secure.
    #[cold]
    fn check_prefixes(cookie: &Cookie, secure: bool) -> Result<(), Reason> {
        let name = cookie.name.as_bytes();
        let starts = |prefix: &[u8]| {
            name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        if starts(b"__Secure-") && !(cookie.secure && secure) {
            return Err(Reason::SecurePrefix);
        }
        if starts(b"__Host-")
            && !(cookie.secure && secure && cookie.host_only && cookie.path == "/")
        {
            return Err(Reason::HostPrefix);
        }
        Ok(())
    }

    /// [`CookiePolicy::is_secure`], inlined into the store path. The usual
    /// list of secure protocols (`https`, `wss`) is answered from what the
    /// request decided when it was parsed; any other list is compared with
    /// the scheme.
    #[inline(always)]
    fn secure_origin(&self, request: &CookieRequest) -> bool {
        let by_scheme = match self.secure_protocols.as_slice() {
            [a, b] if a == "https" && b == "wss" => request.is_https_or_wss(),
            _ => self.secure_by_list(request),
        };
        by_scheme || (self.loopback_is_secure && request.is_loopback())
    }

    /// Whether the request's scheme is on a list of secure protocols other
    /// than the default (out of line: its loop kept the store path from
    /// deciding the usual cookie without saving registers).
    #[cold]
    #[inline(never)]
    fn secure_by_list(&self, request: &CookieRequest) -> bool {
        let scheme = request.scheme();
        self.secure_protocols
            .iter()
            .any(|p| p.eq_ignore_ascii_case(scheme))
    }

    /// RFC 6265bis §5.2: a request is cross-site when the site (registrable
    /// domain) of the host the user started from differs from its own.
    // Always: in another codegen unit than `return_ok` it was not inlined.
    #[inline(always)]
    fn is_cross_site(request: &CookieRequest) -> bool {
        match request.facts().origin_host.as_deref() {
            Some(origin) => site_of(origin) != site_of(request.host()),
            None => false,
        }
    }
}

/// [`domain_match`](crate::domain_match) of the request's host, with the "is the host an IP
/// address" answer the request already holds (asked for every cookie stored
/// and every candidate returned, it used to re-parse the host each time).
#[inline]
pub(crate) fn host_domain_match(request: &CookieRequest, domain: &str) -> bool {
    let (host, domain) = (request.host().as_bytes(), domain.as_bytes());
    if host.len() == domain.len() {
        return eq_same_len(host, domain);
    }
    // A strict subdomain: the dot before the domain first (it tells most
    // others apart), then the domain's bytes.
    host.len() > domain.len()
        && host[host.len() - domain.len() - 1] == b'.'
        && !request.is_ip()
        && eq_same_len(&host[host.len() - domain.len()..], domain)
}

/// An RFC 2965 (or RFC 2109) cookie: version 1 or later. Such cookies are
/// judged by that RFC's rules and written with `$` attributes.
pub(crate) fn is_rfc2965(cookie: &Cookie) -> bool {
    matches!(cookie.version, Some(v) if v > 0)
}

/// The seed's `strict_domain` heuristic: `.co.uk`, `.ac.jp` and the like.
fn is_country_code_sld(domain: &str) -> bool {
    let mut labels = domain.rsplit('.');
    let (Some(tld), Some(sld), None) = (labels.next(), labels.next(), labels.next()) else {
        return false;
    };
    tld.len() == 2
        && matches!(
            sld,
            "co" | "ac"
                | "com"
                | "edu"
                | "org"
                | "net"
                | "gov"
                | "mil"
                | "int"
                | "aero"
                | "biz"
                | "cat"
                | "coop"
                | "info"
                | "jobs"
                | "mobi"
                | "museum"
                | "name"
                | "pro"
                | "travel"
                | "eu"
        )
}

impl DefaultCookiePolicy {
    /// `set_ok`, told whether the cookie's domain is known to be no
    /// public suffix and whether the request counts as secure.
    #[inline(always)]
    fn set_ok_with(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
        secure: bool,
    ) -> Result<(), Reason> {
        if self.is_usual(cookie, request) {
            self.set_ok_usual(cookie, request, registrable, secure)
        } else {
            self.set_ok_all(cookie, request, registrable, secure)
        }
    }

    /// Whether `set_ok_usual` decides `cookie`: a Netscape cookie without a
    /// `Port`, from a verifiable request, under a policy whose rarely used
    /// switches are off. Nearly every cookie a client stores.
    #[inline(always)]
    fn is_usual(&self, cookie: &Cookie, request: &CookieRequest) -> bool {
        cookie.version.is_none()
            && !cookie.port_specified
            && !request.is_unverifiable()
            && self.usual_switches()
    }

    /// Whether the switches that refuse more Netscape cookies than the
    /// usual checks do are off (and Netscape cookies on): `$` names, paths,
    /// country-code domains, RFC 2965 matching, dots in the host's prefix,
    /// block or allow lists. Shared by [`is_usual`](Self::is_usual) and
    /// `store_rules`, which both hand such cookies to a short path.
    #[inline(always)]
    fn usual_switches(&self) -> bool {
        self.netscape
            && !self.strict_ns_set_initial_dollar
            && !self.strict_ns_set_path
            && !self.strict_domain
            && !self
                .strict_ns_domain
                .contains(DomainStrictness::RFC2965_MATCH)
            && !self
                .strict_ns_domain
                .contains(DomainStrictness::STRICT_NO_DOTS)
            && self.blocked_domains.is_empty()
            && self.allowed_domains.is_none()
    }

    /// [`set_ok_all`](Self::set_ok_all) for a cookie [`is_usual`](Self::is_usual)
    /// accepts: of its checks only these can fail, in the same order.
    #[inline(always)]
    fn set_ok_usual(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
        secure: bool,
    ) -> Result<(), Reason> {
        if !cookie.host_only {
            // RFC 6265 §5.3 steps 5 and 6.
            if !host_domain_match(request, &cookie.domain) {
                return Err(Reason::DomainMismatch);
            }
            if self.reject_public_suffixes && !registrable && is_public_suffix(&cookie.domain) {
                return Err(Reason::PublicSuffix);
            }
        }
        self.check_secure_rules(cookie, secure)
    }

    /// [`set_ok_all`](Self::set_ok_all) for the store path.
    #[inline(never)]
    fn set_ok_all_for_store(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
        secure: bool,
    ) -> Result<bool, Reason> {
        self.set_ok_all(cookie, request, registrable, secure)?;
        Ok(secure)
    }

    /// The rest of `set_ok_usual` for a domain cookie whose domain the jar
    /// does not know to be registrable: the public suffix list is asked.
    #[inline(never)]
    fn set_ok_usual_listed(&self, cookie: &Cookie, secure: bool) -> Result<bool, Reason> {
        if is_public_suffix(&cookie.domain) {
            return Err(Reason::PublicSuffix);
        }
        self.check_secure_rules(cookie, secure)?;
        Ok(secure)
    }

    /// Every check of `set_ok`, in order: the reference the usual path is
    /// tested against, and the path of RFC 2965 cookies, unverifiable
    /// requests and the strict switches.
    #[inline(never)]
    fn set_ok_all(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
        secure: bool,
    ) -> Result<(), Reason> {
        self.check_version(cookie)?;
        self.check_verifiability(cookie, request)?;
        let rfc2965 = is_rfc2965(cookie);
        if !rfc2965 && self.strict_ns_set_initial_dollar && cookie.name.starts_with('$') {
            return Err(Reason::NameStartsWithDollar);
        }
        if cookie.path_specified
            && (rfc2965 || self.strict_ns_set_path)
            && !path_match(request.path(), &cookie.path)
        {
            return Err(Reason::PathNotPrefix);
        }
        self.set_ok_domain(cookie, request, registrable)?;
        if cookie.port_specified {
            Self::check_port_list(cookie, request)?;
        }
        self.check_secure_rules(cookie, secure)
    }

    /// The last checks of `set_ok`: `Secure` from a secure origin,
    /// `SameSite=None` only with `Secure`, the name prefixes. `secure`: the
    /// request counts as secure.
    #[inline(always)]
    fn check_secure_rules(&self, cookie: &Cookie, secure: bool) -> Result<(), Reason> {
        // RFC 6265bis §5.7 step 8: only secure origins may set Secure cookies.
        if cookie.secure && !secure {
            return Err(Reason::NotSecure);
        }
        if self.enforce_same_site && cookie.same_site == Some(SameSite::None) && !cookie.secure {
            return Err(Reason::SameSiteNoneInsecure);
        }
        if self.enforce_prefixes && cookie.name.as_bytes().starts_with(b"__") {
            return Self::check_prefixes(cookie, secure);
        }
        Ok(())
    }
}

impl CookiePolicy for DefaultCookiePolicy {
    fn set_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
        self.set_ok_with(cookie, request, false, self.secure_origin(request))
    }

    /// Asks whether the request is secure once, for the policy's checks and
    /// the jar's.
    ///
    /// `set_ok_usual` written out with every call it may make last, so
    /// that the usual cookie is decided without saving a register.
    fn set_ok_for_store(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        registrable: bool,
    ) -> Result<bool, Reason> {
        let secure = self.secure_origin(request);
        if !self.is_usual(cookie, request) {
            return self.set_ok_all_for_store(cookie, request, registrable, secure);
        }
        if !cookie.host_only {
            // RFC 6265 §5.3 steps 5 and 6.
            if !host_domain_match(request, &cookie.domain) {
                return Err(Reason::DomainMismatch);
            }
            if self.reject_public_suffixes && !registrable {
                return self.set_ok_usual_listed(cookie, secure);
            }
        }
        self.check_secure_rules(cookie, secure)?;
        Ok(secure)
    }

    fn return_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
        self.check_version(cookie)?;
        self.check_verifiability(cookie, request)?;
        if cookie.secure && !self.is_secure(request) {
            return Err(Reason::NotSecure);
        }
        if is_rfc2965(cookie) {
            Self::check_port_list(cookie, request)?;
            let erhn = request.effective_host();
            let ok = if cookie.host_only {
                *erhn == cookie.domain || request.host() == cookie.domain
            } else {
                rfc2965_domain_match(&erhn, &format!(".{}", cookie.domain))
            };
            if !ok {
                return Err(Reason::DomainMismatch);
            }
        } else {
            let host = request.host();
            if cookie.host_only {
                let liberal = !self
                    .strict_ns_domain
                    .contains(DomainStrictness::STRICT_NON_DOMAIN);
                if host != cookie.domain && !(liberal && host_domain_match(request, &cookie.domain))
                {
                    return Err(Reason::HostOnly);
                }
            } else if !host_domain_match(request, &cookie.domain) {
                return Err(Reason::DomainMismatch);
            }
        }
        if !path_match(request.path(), &cookie.path) {
            return Err(Reason::PathMismatch);
        }
        if self.enforce_same_site && Self::is_cross_site(request) {
            match cookie.same_site {
                Some(SameSite::Strict) => return Err(Reason::CrossSite),
                Some(SameSite::Lax) if !is_safe_method(&request.method()) => {
                    return Err(Reason::CrossSite)
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn domain_return_ok(&self, domain: &str, _request: &CookieRequest) -> bool {
        self.check_lists(domain).is_ok()
    }

    /// `return_ok` for cookies without a version, as rules: the version
    /// check passes when `netscape` is on, the verifiability check when the
    /// request is verifiable, first-party or `strict_ns_unverifiable` is
    /// off; the other checks become the rules' fields.
    fn lookup_rules(&self, request: &CookieRequest) -> Option<LookupRules> {
        if !self.netscape
            || (self.strict_ns_unverifiable
                && request.facts().unverifiable
                && is_third_party(request.host(), request.origin_host()))
        {
            return None;
        }
        let cross_site = self.enforce_same_site && Self::is_cross_site(request);
        Some(LookupRules {
            secure: self.is_secure(request),
            host_only_to_subdomains: !self
                .strict_ns_domain
                .contains(DomainStrictness::STRICT_NON_DOMAIN),
            refuse_strict: cross_site,
            refuse_lax: cross_site && !is_safe_method(&request.method()),
        })
    }

    /// `Some` when the switches `store_usual` assumes are set: Netscape
    /// cookies on, no switch that refuses more of them (`$` names, paths,
    /// country-code domains, RFC 2965 matching, dots in the host's prefix,
    /// block or allow lists), and the default secure origins (`https`,
    /// `wss`, loopback). The switches `store_usual` only ever declines for
    /// (`reject_public_suffixes`, `enforce_prefixes`,
    /// `enforce_same_site`), and those of other cookies and requests, may
    /// be anything.
    fn store_rules(&self) -> Option<StoreRules> {
        let usual = self.usual_switches()
            && matches!(self.secure_protocols.as_slice(), [a, b] if a == "https" && b == "wss")
            && self.loopback_is_secure;
        usual.then(|| StoreRules {
            rfc2109_as_netscape: self.rfc2109_as_netscape(),
        })
    }

    fn advertise_cookie2(&self) -> bool {
        self.rfc2965 && !self.hide_cookie2
    }

    fn accepts_netscape(&self) -> bool {
        self.netscape
    }

    fn accepts_rfc2965(&self) -> bool {
        self.rfc2965
    }

    fn rfc2109_as_netscape(&self) -> bool {
        self.rfc2109_as_netscape.unwrap_or(!self.rfc2965)
    }

    fn is_secure(&self, request: &CookieRequest) -> bool {
        self.secure_origin(request)
    }
}

fn is_safe_method(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS | http::Method::TRACE
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const URLS: [&str; 7] = [
        "http://example.com/a/b",
        "https://www.example.co.uk/",
        "http://localhost/x/",
        "https://co.uk/p",
        "http://127.0.0.1/",
        "wss://a.b.example.com/",
        "HTTPS://Example.COM/",
    ];

    fn attribute() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "",
            "; Domain=example.com",
            "; Domain=.example.com",
            "; Domain=co.uk",
            "; Domain=b.example.com",
            "; Domain=other.org",
            "; Domain=127.0.0.1",
            "; Path=/a",
            "; Path=/z",
            "; Secure",
            "; SameSite=None",
            "; SameSite=Lax",
            "; Version=1",
            "; Port=80",
            "; Port",
        ])
    }

    /// The default policy half the time (the usual path), any mix of the
    /// switches the usual path leaves to the full checks otherwise.
    /// Any mix of every switch, each at its default half the time: the
    /// jar's inline path (`store_usual`, taken when `store_rules` says the
    /// switches are the usual ones) against the policy's own answer.
    fn any_policy() -> impl Strategy<Value = DefaultCookiePolicy> {
        (any::<[bool; 16]>(), any::<[bool; 16]>(), 0u8..8, 0usize..6).prop_map(
            |(on, flip, strictness, protocols)| {
                let d = DefaultCookiePolicy::default();
                // A switch is flipped from its default when both bits say so.
                let f = |i: usize, default: bool| default ^ (on[i] && flip[i]);
                DefaultCookiePolicy {
                    netscape: f(0, d.netscape),
                    rfc2965: f(1, d.rfc2965),
                    rfc2109_as_netscape: (on[2] && flip[2]).then_some(flip[3]),
                    strict_domain: f(4, d.strict_domain),
                    strict_rfc2965_unverifiable: f(5, d.strict_rfc2965_unverifiable),
                    strict_ns_unverifiable: f(6, d.strict_ns_unverifiable),
                    strict_ns_domain: if on[7] && flip[7] {
                        DomainStrictness(strictness)
                    } else {
                        d.strict_ns_domain
                    },
                    strict_ns_set_initial_dollar: f(8, d.strict_ns_set_initial_dollar),
                    strict_ns_set_path: f(9, d.strict_ns_set_path),
                    blocked_domains: if on[10] && flip[10] {
                        vec![".other.org".into()]
                    } else {
                        Vec::new()
                    },
                    allowed_domains: (on[11] && flip[11]).then(|| vec!["example.com".into()]),
                    secure_protocols: match protocols {
                        0 | 1 => d.secure_protocols.clone(),
                        2 => vec!["http".into()],
                        3 => Vec::new(),
                        4 => vec!["https".into()],
                        _ => vec!["wss".into(), "https".into()],
                    },
                    loopback_is_secure: f(12, d.loopback_is_secure),
                    reject_public_suffixes: f(13, d.reject_public_suffixes),
                    enforce_prefixes: f(14, d.enforce_prefixes),
                    enforce_same_site: f(15, d.enforce_same_site),
                    ..d
                }
            },
        )
    }

    /// A cookie with any mix of the fields the store checks read, made
    /// directly (not only what the parser makes: a host-only cookie under
    /// another name, any version, a `Port` without a list).
    fn any_cookie() -> impl Strategy<Value = Cookie> {
        (
            prop::sample::select(vec![
                "a",
                "_",
                "__",
                "__x",
                "__Secure-a",
                "__HOST-a",
                "$a",
                "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p",
            ]),
            prop::sample::select(vec![
                "example.com",
                "www.example.com",
                "b.example.com",
                "a.b.example.com",
                "xample.com",
                "co.uk",
                "www.example.co.uk",
                "example.co.uk",
                "localhost",
                "127.0.0.1",
                "0.0.1",
                "com",
                "other.org",
                "a.com",
                "",
                "a-very-long-name.of-a-host.under-a-long-domain.example.com",
                "github.io",
                "x.github.io",
                "blogspot.com",
                "0.0.0.1",
            ]),
            prop::sample::select(vec!["/", "/a", "/a/b", "/z"]),
            any::<[bool; 6]>(),
            prop::option::of(0u32..3),
            prop::option::of(prop::sample::select(vec![
                SameSite::Strict,
                SameSite::Lax,
                SameSite::None,
            ])),
        )
            .prop_map(|(name, domain, path, b, version, same_site)| {
                let mut cookie = Cookie::new(name, "v", domain, path);
                cookie.host_only = b[0];
                cookie.domain_specified = !b[0];
                cookie.secure = b[1];
                cookie.port_specified = b[2] && b[3];
                cookie.path_specified = b[4];
                cookie.version = version.filter(|_| b[5]);
                cookie.same_site = same_site;
                cookie
            })
    }

    fn policy() -> impl Strategy<Value = DefaultCookiePolicy> {
        let mixed =
            (any::<[bool; 10]>(), 0u8..8, 0usize..5).prop_map(|(b, strictness, protocols)| {
                DefaultCookiePolicy {
                    netscape: b[0] || b[1],
                    rfc2965: b[1],
                    strict_domain: b[2] && b[3],
                    strict_ns_set_initial_dollar: b[3],
                    strict_ns_set_path: b[4] && b[5],
                    strict_ns_domain: DomainStrictness(strictness),
                    strict_ns_unverifiable: b[5],
                    blocked_domains: if b[6] && b[7] {
                        vec![".example.com".into()]
                    } else {
                        Vec::new()
                    },
                    allowed_domains: (b[7] && b[8]).then(|| vec!["example.com".into()]),
                    secure_protocols: match protocols {
                        0 => vec!["https".into(), "wss".into()],
                        1 => vec!["http".into()],
                        2 => Vec::new(),
                        3 => vec!["HTTPS".into(), "wss".into()],
                        _ => vec!["wss".into(), "https".into()],
                    },
                    loopback_is_secure: b[9],
                    ..DefaultCookiePolicy::default()
                }
            });
        prop_oneof![Just(DefaultCookiePolicy::default()), mixed]
    }

    proptest! {
        #[test]
        fn the_word_domain_match_is_domain_match(
            host in prop::collection::vec(
                prop::sample::select(vec!["www", "a", "example", "com", "co", "uk", "1", "127", "0"]),
                1..5,
            ),
            domain_labels in 0usize..5,
            other in prop::sample::select(vec!["", "x", "ample.com", "b.example.com", "www.example.co.uk"]),
        ) {
            let host = host.join(".");
            let Ok(request) = CookieRequest::parse(&format!("http://{host}/")) else {
                return Ok(());
            };
            // A tail of the host's labels (a match or the host itself), or another name.
            let tail: Vec<&str> = host.rsplit('.').take(domain_labels).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            for domain in [tail.join("."), other.to_owned(), format!("x{}", tail.join("."))] {
                prop_assert_eq!(
                    host_domain_match(&request, &domain),
                    crate::domain_match(request.host(), &domain),
                    "{} {}", host, domain
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn the_word_domain_match_decides_as_domain_match(
            labels in prop::collection::vec("[a-z0-9]{1,9}", 1..6),
            take in 1usize..48,
            flip in prop::option::of((0usize..48, 1u8..128)),
            ip in any::<bool>(),
        ) {
            let host = if ip { "10.200.30.4".to_owned() } else { labels.join(".") };
            let Ok(request) = CookieRequest::parse(&format!("http://{host}/")) else {
                return Ok(());
            };
            // A tail of the host (a match, or a name that ends mid-label),
            // perhaps with one byte changed.
            let mut domain = host.as_bytes()[host.len() - take.min(host.len())..].to_vec();
            if let Some((at, bits)) = flip {
                if let Some(b) = domain.get_mut(at) {
                    *b ^= bits;
                }
            }
            let Ok(domain) = String::from_utf8(domain) else {
                return Ok(());
            };
            let light = host_domain_match_light(&request, &domain);
            // `true` only when it domain-matches; decided for 8 to 32 bytes.
            prop_assert!(!light || host_domain_match(&request, &domain), "{} {}", host, domain);
            if (8..=32).contains(&domain.len()) {
                prop_assert_eq!(light, host_domain_match(&request, &domain), "{} {}", host, domain);
            }
        }
    }

    const MORE_URLS: [&str; 8] = [
        "http://www.example.com/a/b",
        "https://a.b.example.com/a",
        "https://a-very-long-name.of-a-host.under-a-long-domain.example.com/",
        "http://localhost:8080/",
        "http://127.0.0.1/",
        "https://a.com/",
        "https://x.github.io/",
        "http://10.0.0.1/",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn the_jars_inline_store_path_decides_as_the_policy_does(
            policy in prop_oneof![Just(DefaultCookiePolicy::default()), any_policy()],
            mut cookie in any_cookie(),
            url in prop::sample::select([URLS.as_slice(), MORE_URLS.as_slice()].concat()),
            domain_from_host in 0u8..4,
            unverifiable in prop::bool::weighted(0.2),
            registrable in any::<bool>(),
        ) {
            let mut request = CookieRequest::parse(url).unwrap();
            if unverifiable {
                request = request.with_facts(crate::RequestFacts::unverifiable_from("other.org"));
            }
            // Half the time the request's host or its parent (the cookies
            // the usual path accepts), else a name from the list.
            match domain_from_host {
                0 => cookie.domain = request.host().into(),
                1 => cookie.domain = request.host().split_once('.').map_or("", |(_, d)| d).into(),
                _ => {}
            }
            // The jar says "registrable" only of a domain that is no public suffix.
            let registrable = registrable && !is_public_suffix(&cookie.domain);
            let rules = policy.store_rules();
            let reference = policy.set_ok_for_store(&cookie, &request, registrable);
            prop_assert_eq!(
                set_ok_for_store_by(&policy, rules, &cookie, &request, registrable),
                reference.clone()
            );
            // And the policy's own answer is `set_ok`'s, with `is_secure`.
            prop_assert_eq!(
                reference,
                policy.set_ok(&cookie, &request).map(|()| policy.is_secure(&request))
            );
            prop_assert_eq!(
                rfc2109_as_netscape_by(&policy, rules),
                policy.rfc2109_as_netscape()
            );
            // The default switches are the usual ones.
            prop_assert!(DefaultCookiePolicy::default().store_rules().is_some());
            prop_assert!(DefaultCookiePolicy::rfc2965().store_rules().is_some());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_usual_path_decides_as_every_check_does(
            name in prop::sample::select(vec!["a", "$a", "__Secure-a", "__host-a", "__x", "_"]),
            attributes in prop::collection::vec(attribute(), 0..4),
            url in prop::sample::select(URLS.to_vec()),
            unverifiable in prop::bool::weighted(0.2),
            registrable in any::<bool>(),
            policy in policy(),
        ) {
            let header = format!("{name}=v{}", attributes.concat());
            let mut request = CookieRequest::parse(url).unwrap();
            if unverifiable {
                request = request.with_facts(crate::RequestFacts::unverifiable_from("other.org"));
            }
            let Ok(cookie) = crate::make::from_header(header.as_bytes(), &request, 0, policy.rfc2109_as_netscape()) else {
                return Ok(());
            };
            // The jar says "registrable" only of a domain that is no public suffix.
            let registrable = registrable && !is_public_suffix(&cookie.domain);
            // The reference: the protocols compared one by one with the scheme.
            let secure = policy
                .secure_protocols
                .iter()
                .any(|p| p.eq_ignore_ascii_case(request.scheme()))
                || (policy.loopback_is_secure && request.is_loopback());
            prop_assert_eq!(policy.secure_origin(&request), secure);
            prop_assert_eq!(
                policy.set_ok_with(&cookie, &request, registrable, secure),
                policy.set_ok_all(&cookie, &request, registrable, secure)
            );
            prop_assert_eq!(
                policy.set_ok_for_store(&cookie, &request, registrable),
                policy.set_ok(&cookie, &request).map(|()| secure)
            );
        }
    }
}
