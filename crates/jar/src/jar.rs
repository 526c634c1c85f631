//! [`CookieJar`]: stores the cookies a policy accepts, returns the ones a
//! request should carry, and stays within its [`Limits`].

use std::fmt::Write as _;
use std::sync::{Arc, LockResult, Mutex, MutexGuard};

use http::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};

use crate::clock::{Clock, SystemClock};
use crate::cookie::Cookie;
use crate::domain::{domain_match, path_match};
use crate::events::{ChangeKind, CookieEvent, CookieSink};
use crate::index::{Cookies, DomainFacts, Index, SiteId, Slot, Upsert};
use crate::limits::Limits;
use crate::make;
use crate::parse::parse_set_cookie2;
use crate::policy::{
    host_domain_match, is_rfc2965, rfc2109_as_netscape_by, set_ok_for_store_by, CookiePolicy,
    DefaultCookiePolicy, LookupRules, StoreRules,
};
use crate::reason::Reason;
use crate::request::CookieRequest;
use crate::summary::{self, SummaryRef};
use crate::CompactString;
use smallvec::SmallVec;

/// A jar shared between tasks and layers: a cheap `Clone` handle to one
/// [`CookieJar`] behind a mutex. Lock it only for one lookup or one store,
/// never across an `.await`.
///
/// ```
/// use clientcookie_jar::{CookieJar, SharedJar};
/// let jar = SharedJar::new(CookieJar::new());
/// let same = jar.clone();
/// let request = clientcookie_jar::CookieRequest::parse("https://example.com/").unwrap();
/// same.lock().unwrap().set_cookie_from_header(&request, b"sid=1").unwrap();
/// assert_eq!(jar.lock().unwrap().len(), 1);
/// ```
///
/// # Why a newtype and not `Arc<Mutex<CookieJar>>`
///
/// It used to be that type alias. A plain reqwest user should be able to
/// hand this jar to `reqwest::ClientBuilder::cookie_provider`, which wants a
/// type implementing `reqwest::cookie::CookieStore`; Rust's orphan rule
/// forbids implementing a foreign trait for `Arc<Mutex<_>>`, a foreign type.
/// A type of our own may implement it (behind this crate's `reqwest`
/// feature). The newtype dereferences to the [`Mutex`], so `jar.lock()`,
/// `jar.try_lock()` and `jar.is_poisoned()` read as they did with the alias.
#[derive(Clone, Default)]
pub struct SharedJar(Arc<Mutex<CookieJar>>);

impl SharedJar {
    /// Share `jar`.
    ///
    /// ```
    /// let jar = clientcookie_jar::SharedJar::new(clientcookie_jar::CookieJar::new());
    /// assert!(jar.lock().unwrap().is_empty());
    /// ```
    pub fn new(jar: CookieJar) -> SharedJar {
        SharedJar(Arc::new(Mutex::new(jar)))
    }

    /// Lock the jar (as [`Mutex::lock`]); an error only when another thread
    /// panicked while holding it. The jar's operations leave it consistent
    /// between calls, so `unwrap_or_else(PoisonError::into_inner)` is a
    /// sound way to carry on.
    ///
    /// ```
    /// use std::sync::PoisonError;
    /// let jar = clientcookie_jar::SharedJar::default();
    /// let guard = jar.lock().unwrap_or_else(PoisonError::into_inner);
    /// assert_eq!(guard.len(), 0);
    /// ```
    pub fn lock(&self) -> LockResult<MutexGuard<'_, CookieJar>> {
        self.0.lock()
    }

    /// Whether `self` and `other` are handles to the same jar.
    ///
    /// ```
    /// let jar = clientcookie_jar::SharedJar::default();
    /// assert!(jar.ptr_eq(&jar.clone()));
    /// assert!(!jar.ptr_eq(&clientcookie_jar::SharedJar::default()));
    /// ```
    pub fn ptr_eq(&self, other: &SharedJar) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for SharedJar {
    type Target = Mutex<CookieJar>;

    fn deref(&self) -> &Mutex<CookieJar> {
        &self.0
    }
}

impl From<CookieJar> for SharedJar {
    fn from(jar: CookieJar) -> SharedJar {
        SharedJar::new(jar)
    }
}

impl std::fmt::Debug for SharedJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Do not block on the lock just to print.
        match self.0.try_lock() {
            Ok(jar) => f.debug_tuple("SharedJar").field(&*jar).finish(),
            Err(_) => f.write_str("SharedJar(<locked>)"),
        }
    }
}

const COOKIE2: &str = "cookie2";
const SET_COOKIE2: &str = "set-cookie2";

/// What storing a cookie did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stored {
    /// A new cookie.
    Added,
    /// It replaced a cookie with the same name, domain and path.
    Replaced,
    /// Its expiry was in the past: the server asked to delete the cookie, and
    /// any cookie with the same name, domain and path is gone.
    Deleted,
}

/// The jar's decision on one cookie of a response.
///
/// ```
/// use clientcookie_jar::{CookieJar, CookieRequest, Reason};
/// let mut jar = CookieJar::new();
/// let request = CookieRequest::parse("https://www.example.com/").unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.append("set-cookie", "a=1; Domain=com".parse().unwrap());
/// let outcomes = jar.extract_from_headers_explained(&request, &headers);
/// assert_eq!(outcomes[0].result, Err(Reason::PublicSuffix));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookieOutcome {
    /// The header the cookie came from (lossy UTF-8).
    pub header: String,
    /// The cookie, when the header could be parsed.
    pub cookie: Option<Cookie>,
    /// What the jar did, or why it refused.
    pub result: Result<Stored, Reason>,
}

/// A stored cookie and whether it would be sent to a given request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The cookie.
    pub cookie: Cookie,
    /// `Ok` when it would be sent, else why not.
    pub verdict: Result<(), Reason>,
}

/// Builds a [`CookieJar`] with a policy, a clock, limits and a change sink.
///
/// ```
/// use std::sync::Arc;
/// use clientcookie_jar::{clock::FixedClock, CookieJar, DefaultCookiePolicy, Limits};
///
/// let jar = CookieJar::builder()
///     .policy(DefaultCookiePolicy::rfc2965())
///     .clock(Arc::new(FixedClock::new(1_325_376_000)))
///     .limits(Limits { max_cookies: 50_000, ..Limits::default() })
///     .build();
/// assert!(jar.is_empty());
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct CookieJarBuilder {
    policy: Option<Box<dyn CookiePolicy>>,
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
}

impl CookieJarBuilder {
    /// The policy (default: [`DefaultCookiePolicy::default`]).
    pub fn policy(mut self, policy: impl CookiePolicy + 'static) -> CookieJarBuilder {
        self.policy = Some(Box::new(policy));
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> CookieJarBuilder {
        self.clock = Some(clock);
        self
    }

    /// The limits (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> CookieJarBuilder {
        self.limits = limits;
        self
    }

    /// The jar.
    pub fn build(self) -> CookieJar {
        let policy = self
            .policy
            .unwrap_or_else(|| Box::new(DefaultCookiePolicy::default()));
        CookieJar {
            store_rules: policy.store_rules(),
            policy,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            limits: self.limits,
            index: Index::default(),
            sink: None,
            summaries_above: PREFETCH_ABOVE,
        }
    }
}

/// ClientCookie's `CookieJar`: accepts cookies from responses as its policy
/// allows and adds the right `Cookie` header to requests.
///
/// ```
/// use clientcookie_jar::CookieJar;
///
/// let mut jar = CookieJar::new();
/// let request = http::Request::get("http://example.com/a/login").body(()).unwrap();
/// let response = http::Response::builder()
///     .header("set-cookie", "sid=1; Path=/a")
///     .header("set-cookie", "lang=en")
///     .body(())
///     .unwrap();
/// jar.extract_cookies(&request, &response);
///
/// let mut next = http::Request::get("http://example.com/a/page").body(()).unwrap();
/// jar.add_cookie_header(&mut next);
/// // Longer paths first (RFC 6265 §5.4).
/// assert_eq!(next.headers()["cookie"], "sid=1; lang=en");
/// ```
pub struct CookieJar {
    policy: Box<dyn CookiePolicy>,
    /// The policy's `store_rules`, asked when the policy is set: the usual
    /// cookie is then decided without a call to the policy.
    store_rules: Option<StoreRules>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    index: Index,
    sink: Option<Box<dyn CookieSink>>,
    /// Jars of more cookies than this answer `cookie_header` from bucket
    /// summaries when they can ([`PREFETCH_ABOVE`]; tests change it).
    summaries_above: usize,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieJar")
            .field("len", &self.index.len())
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for CookieJar {
    fn default() -> CookieJar {
        CookieJar::new()
    }
}

impl CookieJar {
    /// An empty jar with the default policy, the system clock and default
    /// limits.
    ///
    /// ```
    /// assert!(clientcookie_jar::CookieJar::new().is_empty());
    /// ```
    pub fn new() -> CookieJar {
        CookieJar::builder().build()
    }

    /// An empty jar with `policy`.
    ///
    /// ```
    /// use clientcookie_jar::{CookieJar, DefaultCookiePolicy};
    /// let jar = CookieJar::with_policy(DefaultCookiePolicy::rfc2965());
    /// assert!(jar.is_empty());
    /// ```
    pub fn with_policy(policy: impl CookiePolicy + 'static) -> CookieJar {
        CookieJar::builder().policy(policy).build()
    }

    /// A builder for policy, clock and limits.
    ///
    /// ```
    /// let jar = clientcookie_jar::CookieJar::builder().build();
    /// assert!(jar.is_empty());
    /// ```
    pub fn builder() -> CookieJarBuilder {
        CookieJarBuilder::default()
    }

    /// Wrap the jar for sharing between layers and tasks.
    ///
    /// ```
    /// let shared = clientcookie_jar::CookieJar::new().into_shared();
    /// let other = shared.clone();
    /// assert!(other.lock().unwrap().is_empty());
    /// ```
    pub fn into_shared(self) -> SharedJar {
        SharedJar::new(self)
    }

    /// Replace the policy (the seed's `set_policy`).
    ///
    /// ```
    /// use clientcookie_jar::{CookieJar, DefaultCookiePolicy};
    /// let mut jar = CookieJar::new();
    /// jar.set_policy(DefaultCookiePolicy::rfc2965());
    /// ```
    pub fn set_policy(&mut self, policy: impl CookiePolicy + 'static) {
        self.policy = Box::new(policy);
        self.store_rules = self.policy.store_rules();
    }

    /// The policy in use.
    ///
    /// ```
    /// let jar = clientcookie_jar::CookieJar::new();
    /// assert!(jar.policy().accepts_netscape());
    /// ```
    pub fn policy(&self) -> &dyn CookiePolicy {
        &*self.policy
    }

    /// The limits in force.
    ///
    /// ```
    /// assert_eq!(clientcookie_jar::CookieJar::new().limits().max_cookies_per_site, 180);
    /// ```
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Report every change to `sink` (replacing any earlier sink).
    ///
    /// See [`CookieSink`] for an example.
    pub fn set_sink(&mut self, sink: impl CookieSink + 'static) {
        self.sink = Some(Box::new(sink));
    }

    /// Number of cookies held (expired ones not yet cleared included).
    ///
    /// ```
    /// assert_eq!(clientcookie_jar::CookieJar::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the jar holds no cookie.
    ///
    /// ```
    /// assert!(clientcookie_jar::CookieJar::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    /// Every cookie, in no particular order.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// assert_eq!(jar.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &Cookie> {
        self.index.iter().map(|e| &e.cookie)
    }

    /// Every cookie in the order it was first stored (the cookie files
    /// write this order: stable from run to run, and the order the cookies'
    /// text lies in memory, which makes writing them twice as fast).
    pub(crate) fn cookies_in_stored_order(&self) -> Vec<&Cookie> {
        let mut pairs = Vec::with_capacity(self.index.len());
        self.index.for_each(|e| pairs.push((e.seq(), &e.cookie)));
        crate::store::in_stored_order(pairs.into_iter())
    }

    /// The jar's clock: seconds since the Unix epoch (what expiry is
    /// judged by, and what the [`store`](crate::store) functions filter with).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use clientcookie_jar::{clock::FixedClock, CookieJar};
    /// let jar = CookieJar::builder().clock(Arc::new(FixedClock::new(1_000))).build();
    /// assert_eq!(jar.now(), 1_000);
    /// ```
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    fn emit(&mut self, kind: ChangeKind, cookie: &Cookie) {
        if let Some(sink) = self.sink.as_mut() {
            sink.cookie_changed(CookieEvent { kind, cookie });
        }
    }

    // ----- storing ---------------------------------------------------------

    /// Store the cookies of `response`, received for `request` (whose
    /// extensions may carry [`RequestFacts`](crate::RequestFacts)).
    /// Cookies the policy refuses are skipped; the reasons are logged with
    /// `tracing` at debug level.
    ///
    /// ```
    /// use clientcookie_jar::CookieJar;
    /// let mut jar = CookieJar::new();
    /// let request = http::Request::get("https://example.com/").body(()).unwrap();
    /// let response = http::Response::builder().header("set-cookie", "a=1").body(()).unwrap();
    /// jar.extract_cookies(&request, &response);
    /// assert_eq!(jar.len(), 1);
    /// ```
    pub fn extract_cookies<B1, B2>(
        &mut self,
        request: &http::Request<B1>,
        response: &http::Response<B2>,
    ) {
        match CookieRequest::from_request(request) {
            Ok(view) => self.extract_from_headers(&view, response.headers()),
            Err(error) => tracing::debug!(%error, "cookies of a response ignored"),
        }
    }

    /// [`extract_cookies`](Self::extract_cookies) on request and response parts.
    ///
    /// ```
    /// use clientcookie_jar::CookieJar;
    /// let mut jar = CookieJar::new();
    /// let (request, _) = http::Request::get("https://example.com/").body(()).unwrap().into_parts();
    /// let (response, _) = http::Response::builder().header("set-cookie", "a=1").body(()).unwrap().into_parts();
    /// jar.extract_cookies_from_parts(&request, &response);
    /// assert_eq!(jar.len(), 1);
    /// ```
    pub fn extract_cookies_from_parts(
        &mut self,
        request: &http::request::Parts,
        response: &http::response::Parts,
    ) {
        match CookieRequest::from_parts(request) {
            Ok(view) => self.extract_from_headers(&view, &response.headers),
            Err(error) => tracing::debug!(%error, "cookies of a response ignored"),
        }
    }

    /// Store the `Set-Cookie` (and, with RFC 2965 on, `Set-Cookie2`) headers
    /// in `headers`, received for `request`.
    ///
    /// ```
    /// use clientcookie_jar::{CookieJar, CookieRequest};
    /// let mut jar = CookieJar::new();
    /// let mut headers = http::HeaderMap::new();
    /// headers.append("set-cookie", "a=1".parse().unwrap());
    /// jar.extract_from_headers(&CookieRequest::parse("http://example.com/").unwrap(), &headers);
    /// assert_eq!(jar.len(), 1);
    /// ```
    pub fn extract_from_headers(&mut self, request: &CookieRequest, headers: &HeaderMap) {
        self.extract(request, headers, None);
    }

    /// Like [`extract_from_headers`](Self::extract_from_headers), and says
    /// what became of each cookie (for `-v` output and "why" questions).
    ///
    /// ```
    /// use clientcookie_jar::{CookieJar, CookieRequest, Stored};
    /// let mut jar = CookieJar::new();
    /// let mut headers = http::HeaderMap::new();
    /// headers.append("set-cookie", "a=1".parse().unwrap());
    /// let request = CookieRequest::parse("http://example.com/").unwrap();
    /// let outcomes = jar.extract_from_headers_explained(&request, &headers);
    /// assert_eq!(outcomes[0].result, Ok(Stored::Added));
    /// ```
    pub fn extract_from_headers_explained(
        &mut self,
        request: &CookieRequest,
        headers: &HeaderMap,
    ) -> Vec<SetCookieOutcome> {
        let mut outcomes = Vec::new();
        self.extract(
            request,
            headers,
            Some(&mut |outcome| outcomes.push(outcome)),
        );
        outcomes
    }

    fn extract<'r>(
        &mut self,
        request: &CookieRequest,
        headers: &HeaderMap,
        mut report: Option<&mut (dyn FnMut(SetCookieOutcome) + 'r)>,
    ) {
        let now = self.now();
        let rfc2965 = self.policy.accepts_rfc2965();
        // RFC 2965 §9.1: when both headers name the same cookie, the
        // Set-Cookie2 one wins; remember which ones it set.
        let mut from_cookie2: Vec<(CompactString, CompactString, CompactString)> = Vec::new();
        if rfc2965 {
            for value in headers.get_all(SET_COOKIE2) {
                match parse_set_cookie2(value.as_bytes()) {
                    Ok(cookies) => {
                        for sc in cookies {
                            let result = make::from_set_cookie2(sc, request, now);
                            if let Ok(c) = &result {
                                from_cookie2.push((
                                    c.domain.clone(),
                                    c.path.clone(),
                                    c.name.clone(),
                                ));
                            }
                            self.decide(request, value, result, now, report.as_deref_mut());
                        }
                    }
                    Err(e) => {
                        self.decide(request, value, Err(e.into()), now, report.as_deref_mut())
                    }
                }
            }
        }
        if !self.policy.accepts_netscape() {
            return;
        }
        let as_netscape = self.policy.rfc2109_as_netscape();
        for value in headers.get_all(SET_COOKIE) {
            let result = make::from_header(value.as_bytes(), request, now, as_netscape);
            if let Ok(c) = &result {
                if from_cookie2
                    .iter()
                    .any(|(d, p, n)| *d == c.domain && *p == c.path && *n == c.name)
                {
                    continue;
                }
            }
            self.decide(request, value, result, now, report.as_deref_mut());
        }
    }

    /// Store one candidate, log the decision, and report it when asked. The
    /// cookie is copied only for a report: this is every response's path.
    fn decide<'r>(
        &mut self,
        request: &CookieRequest,
        header: &HeaderValue,
        candidate: Result<Cookie, Reason>,
        now: i64,
        report: Option<&mut (dyn FnMut(SetCookieOutcome) + 'r)>,
    ) {
        let reported = match (&report, &candidate) {
            (Some(_), Ok(cookie)) => Some(cookie.clone()),
            _ => None,
        };
        let label = tracing::enabled!(tracing::Level::DEBUG).then(|| match &candidate {
            Ok(c) => format!("{c} (domain {}, path {})", c.domain, c.path),
            Err(_) => String::from_utf8_lossy(header.as_bytes()).into_owned(),
        });
        let result = candidate.and_then(|cookie| self.store_checked(cookie, request, now));
        if let Some(cookie) = label {
            match &result {
                Ok(stored) => tracing::debug!(%cookie, ?stored, "cookie accepted"),
                Err(reason) => {
                    tracing::debug!(%cookie, host = %request.host(), %reason, "cookie refused")
                }
            }
        }
        if let Some(report) = report {
            report(SetCookieOutcome {
                header: String::from_utf8_lossy(header.as_bytes()).into_owned(),
                cookie: reported,
                result,
            });
        }
    }

    /// Parse one `Set-Cookie` header value received for `request` and store
    /// the cookie if the policy allows.
    ///
    /// ```
    /// use clientcookie_jar::{CookieJar, CookieRequest, Reason, Stored};
    /// let mut jar = CookieJar::new();
    /// let request = CookieRequest::parse("http://example.com/").unwrap();
    /// assert_eq!(jar.set_cookie_from_header(&request, b"a=1"), Ok(Stored::Added));
    /// assert_eq!(jar.set_cookie_from_header(&request, b"b=2; Secure"), Err(Reason::NotSecure));
    /// ```
    pub fn set_cookie_from_header(
        &mut self,
        request: &CookieRequest,
        value: &[u8],
    ) -> Result<Stored, Reason> {
        let now = self.now();
        let as_netscape = rfc2109_as_netscape_by(&*self.policy, self.store_rules);
        if self.index.domains() > PREFETCH_TABLE_ABOVE {
            self.prefetch_store(request.host());
        }
        // The cookie is used where `make` built it, inside the `Result`:
        // taking it out first was one more copy of all its bytes.
        let mut built = make::from_header_unsettled(value, request, now, as_netscape);
        let (cookie, size) = match &mut built {
            Ok((cookie, size)) => (cookie, *size),
            Err(reason) => return Err(reason.clone()),
        };
        // One hash and probe of the domain serve the public-suffix test of
        // a `Domain` equal to the host (skipped for a domain the index knows
        // to be registrable), the policy, the secure-cookie rule and the store.
        let facts = self.index.domain_facts_for_store(&cookie.domain);
        let registrable = make::settle_host_suffix(cookie, request, facts.registrable);
        // The checks read the cookie where `make` built it; it moves once,
        // into the index (each move of a by-value argument was a copy).
        self.check_store(cookie, request, facts, registrable)?;
        if let Some(done) = self.store_without_index(cookie, size, now) {
            return done;
        }
        let key = self.sink_key(cookie);
        // Always `Ok` here (an error returned above).
        let cookie = match built {
            Ok((cookie, _)) => cookie,
            Err(reason) => return Err(reason),
        };
        let upsert = self.index.upsert_hashed(
            cookie,
            facts.hash,
            facts.slot,
            facts.new,
            self.limits.max_cookies_per_site,
        );
        self.after_upsert(upsert, key, now)
    }

    /// On a jar larger than the cache, ask for the bucket-table lines of
    /// the domains a cookie from `host` most likely goes to: the host (a
    /// host-only cookie, or `Domain` naming the host) and its parent
    /// (`Domain=example.com` from `www.example.com`), so that the misses
    /// overlap the parsing of the header instead of following it. Out of
    /// line: inlined, it changed how the parser around it was compiled
    /// (+170 instructions per cookie).
    #[inline(never)]
    fn prefetch_store(&self, host: &str) {
        self.index.prefetch_domain(self.index.hash(host));
        // The parent when it has a dot of its own (`example.com`, not `com`);
        // found from the host's dot mask (a byte loop cost ~75 instructions).
        if host.len() <= 64 {
            let dots = crate::domain::dot_mask(host.as_bytes());
            if dots & dots.wrapping_sub(1) != 0 {
                let first = dots.trailing_zeros() as usize;
                if let Some(parent) = host.get(first + 1..) {
                    self.index.prefetch_domain(self.index.hash(parent));
                }
            }
        }
    }

    /// Store `cookie` if the policy allows it for `request` (the seed's
    /// `set_cookie_if_ok`).
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar, CookieRequest, Stored};
    /// let mut jar = CookieJar::new();
    /// let request = CookieRequest::parse("http://example.com/").unwrap();
    /// let cookie = Cookie::new("a", "1", "example.com", "/");
    /// assert_eq!(jar.set_cookie_if_ok(cookie, &request), Ok(Stored::Added));
    /// ```
    pub fn set_cookie_if_ok(
        &mut self,
        cookie: Cookie,
        request: &CookieRequest,
    ) -> Result<Stored, Reason> {
        let now = self.now();
        self.store_checked(cookie, request, now)
    }

    // Inlined with `store_hashed` and `Index::upsert_hashed`: each call took
    // the cookie (a few hundred bytes) by value, and each move was a copy.
    #[inline(always)]
    fn store_checked(
        &mut self,
        mut cookie: Cookie,
        request: &CookieRequest,
        now: i64,
    ) -> Result<Stored, Reason> {
        cookie.last_access_time = now;
        // One hash and probe of the domain serve the policy (a domain the
        // index knows to be registrable skips the public suffix list), the
        // secure-cookie rule (its site) and the store (the hash).
        let facts = self.index.domain_facts(&cookie.domain);
        self.check_store(&cookie, request, facts, facts.registrable)?;
        self.store_hashed(cookie, now, facts.hash, facts.slot)
    }

    /// Whether `cookie` may be stored for `request`: the policy, then the
    /// secure-cookie rule. `facts` are the index's about the cookie's
    /// domain; `registrable`: the domain is known to be no public suffix.
    #[inline(always)]
    fn check_store(
        &self,
        cookie: &Cookie,
        request: &CookieRequest,
        facts: DomainFacts,
        registrable: bool,
    ) -> Result<(), Reason> {
        // One call answers the policy and whether the origin is secure.
        let secure_origin = set_ok_for_store_by(
            &*self.policy,
            self.store_rules,
            cookie,
            request,
            registrable,
        )?;
        if !cookie.secure && !secure_origin && self.shadows_secure(cookie, facts) {
            return Err(Reason::WouldOverwriteSecure);
        }
        Ok(())
    }

    /// RFC 6265bis §5.7 step 16 ("leave secure cookies alone"): an insecure
    /// origin may not set a cookie that would overwrite or shadow a Secure
    /// one of the same name on a related domain and path.
    fn shadows_secure(&self, cookie: &Cookie, facts: DomainFacts) -> bool {
        let site = match facts.site {
            Some(site) => site,
            // The list was asked for a new domain: its site has no bucket.
            None if facts.new.is_some() => return false,
            None => match self.index.site_of_new_domain(&cookie.domain) {
                Some(site) => site,
                None => return false,
            },
        };
        // Most sites never had a Secure cookie of this name: one bit says so.
        self.index.site_may_have_secure(site, &cookie.name) && self.shadows_secure_in(cookie, site)
    }

    /// [`shadows_secure`](Self::shadows_secure) by walking site `site`'s
    /// domains and their Secure cookies (the reference for the filter).
    fn shadows_secure_in(&self, cookie: &Cookie, site: SiteId) -> bool {
        self.index.site_domains_of(site).iter().any(|d| {
            (domain_match(d, &cookie.domain) || domain_match(&cookie.domain, d))
                && self.index.bucket_with_secure(d).is_some_and(|bucket| {
                    bucket.iter().any(|e| {
                        e.cookie.secure
                            && e.cookie.name == cookie.name
                            && path_match(&cookie.path, &e.cookie.path)
                    })
                })
        })
    }

    /// Store `cookie` without asking the policy (the seed's `set_cookie`);
    /// the limits still apply.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar, Stored};
    /// let mut jar = CookieJar::new();
    /// assert_eq!(jar.set_cookie(Cookie::new("a", "1", "example.com", "/")), Ok(Stored::Added));
    /// assert_eq!(jar.set_cookie(Cookie::new("a", "2", "example.com", "/")), Ok(Stored::Replaced));
    /// ```
    pub fn set_cookie(&mut self, cookie: Cookie) -> Result<Stored, Reason> {
        let now = self.now();
        self.store(cookie, now)
    }

    /// [`set_cookie`](Self::set_cookie) at `now` (a file's cookies are
    /// stored at one instant, without reading the clock for each).
    #[inline(always)]
    pub(crate) fn store(&mut self, mut cookie: Cookie, now: i64) -> Result<Stored, Reason> {
        cookie.last_access_time = now;
        let hash = self.index.hash(&cookie.domain);
        self.store_hashed(cookie, now, hash, None)
    }

    /// [`store`](Self::store) with the index's hash of `cookie.domain` and
    /// where its bucket may be ([`DomainFacts`]), for a cookie whose
    /// last-access time is already `now`.
    #[inline(always)]
    fn store_hashed(
        &mut self,
        cookie: Cookie,
        now: i64,
        hash: u64,
        slot: Option<Slot>,
    ) -> Result<Stored, Reason> {
        let size = cookie.name.len() + cookie.value.len();
        if let Some(done) = self.store_without_index(&cookie, size, now) {
            return done;
        }
        let key = self.sink_key(&cookie);
        let upsert =
            self.index
                .upsert_hashed(cookie, hash, slot, None, self.limits.max_cookies_per_site);
        self.after_upsert(upsert, key, now)
    }

    /// The outcomes of storing `cookie` that do not put it into the index:
    /// too large, or expired (which deletes its namesake, RFC 6265 §5.3
    /// steps 11-12). `None`: it goes into the index.
    ///
    /// [`store_hashed`](Self::store_hashed) is split in three so that
    /// `set_cookie_from_header` can move the cookie straight from where it
    /// was built into the index: a by-value argument is a copy of the
    /// cookie's 192 bytes. `size`: the length of the cookie's name and
    /// value together.
    #[inline(always)]
    fn store_without_index(
        &mut self,
        cookie: &Cookie,
        size: usize,
        now: i64,
    ) -> Option<Result<Stored, Reason>> {
        if size > self.limits.max_cookie_size {
            return Some(Err(Reason::TooLarge));
        }
        if cookie.is_expired(now) {
            let removed = self.index.remove_same_identity(cookie);
            for old in &removed {
                self.emit(ChangeKind::Removed, old);
            }
            return Some(Ok(Stored::Deleted));
        }
        None
    }

    /// Only a sink needs the cookie's key back after it moves into the index.
    #[inline(always)]
    fn sink_key(&self, cookie: &Cookie) -> Option<(CompactString, CompactString, CompactString)> {
        self.sink.is_some().then(|| {
            (
                cookie.domain.clone(),
                cookie.path.clone(),
                cookie.name.clone(),
            )
        })
    }

    /// After the index took a cookie: tell the sink, enforce the limits.
    #[inline(always)]
    fn after_upsert(
        &mut self,
        upsert: Upsert,
        key: Option<(CompactString, CompactString, CompactString)>,
        now: i64,
    ) -> Result<Stored, Reason> {
        let (stored, site_over_limit) = match upsert {
            Upsert::Replaced => (Stored::Replaced, None),
            Upsert::Added { site_over_limit } => (Stored::Added, site_over_limit),
        };
        if let Some((d, p, n)) = key {
            if let Some(c) = self.index.get(&d, &p, &n).cloned() {
                let kind = match stored {
                    Stored::Replaced => ChangeKind::Replaced,
                    _ => ChangeKind::Added,
                };
                self.emit(kind, &c);
            }
        }
        // Decided here, before a call: nearly every store is under both limits.
        if stored == Stored::Added
            && (site_over_limit.is_some() || self.index.len() > self.limits.max_cookies)
        {
            self.enforce_limits(site_over_limit, now);
        }
        Ok(stored)
    }

    /// Evict when a site (named by `site_over_limit`) or the whole jar holds
    /// more than its limit.
    fn enforce_limits(&mut self, site_over_limit: Option<SiteId>, now: i64) {
        if let Some(site) = site_over_limit {
            let keep = Limits::keep_after_eviction(self.limits.max_cookies_per_site);
            // Eviction may empty the site (a limit under 2), so name it first.
            let name = CompactString::from(self.index.site_key(site));
            let evicted = self.index.evict_site(site, keep, now);
            tracing::debug!(
                site = %name,
                count = evicted.len(),
                "per-site cookie limit: evicted"
            );
            self.emit_all(ChangeKind::Evicted, &evicted);
        }
        let total = self.limits.max_cookies;
        if self.index.len() > total {
            let evicted = self
                .index
                .evict_global(Limits::keep_after_eviction(total), now);
            tracing::debug!(count = evicted.len(), "cookie limit: evicted");
            self.emit_all(ChangeKind::Evicted, &evicted);
        }
    }

    fn emit_all(&mut self, kind: ChangeKind, cookies: &[Cookie]) {
        for cookie in cookies {
            self.emit(kind, cookie);
        }
    }

    // ----- clearing ----------------------------------------------------------

    /// The seed's `clear`: with no domain, every cookie; with a domain, its
    /// cookies; with a path too, those with that path; with a name too, that
    /// one cookie. A leading dot on `domain` is ignored. Returns how many
    /// cookies were removed.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// jar.set_cookie(Cookie::new("b", "1", "example.com", "/x"));
    /// assert_eq!(jar.clear(Some("example.com"), Some("/x"), None), 1);
    /// assert_eq!(jar.clear(None, None, None), 1);
    /// ```
    pub fn clear(&mut self, domain: Option<&str>, path: Option<&str>, name: Option<&str>) -> usize {
        let domain = domain.map(|d| d.trim_start_matches('.').to_ascii_lowercase());
        let removed = self.index.remove_where(|c| {
            domain.as_deref().is_none_or(|d| c.domain == d)
                && path.is_none_or(|p| c.path == p)
                && name.is_none_or(|n| c.name == n)
        });
        self.emit_all(ChangeKind::Removed, &removed);
        removed.len()
    }

    /// Remove session cookies (no expiry, or `Discard`): what a browser does
    /// when it closes. Returns how many were removed.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// assert_eq!(jar.clear_session_cookies(), 1);
    /// ```
    pub fn clear_session_cookies(&mut self) -> usize {
        let removed = self.index.remove_where(Cookie::is_session);
        self.emit_all(ChangeKind::Removed, &removed);
        removed.len()
    }

    /// Remove expired cookies. Returns how many were removed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use clientcookie_jar::{clock::FixedClock, Cookie, CookieJar};
    /// let clock = Arc::new(FixedClock::new(1_000));
    /// let mut jar = CookieJar::builder().clock(clock.clone()).build();
    /// let mut cookie = Cookie::new("a", "1", "example.com", "/");
    /// cookie.expires = Some(2_000);
    /// jar.set_cookie(cookie);
    /// clock.set(3_000);
    /// assert_eq!(jar.clear_expired_cookies(), 1);
    /// ```
    pub fn clear_expired_cookies(&mut self) -> usize {
        let now = self.now();
        let removed = self.index.remove_where(|c| c.is_expired(now));
        self.emit_all(ChangeKind::Expired, &removed);
        removed.len()
    }

    // ----- returning ---------------------------------------------------------

    /// Positions of the cookies to send, in Cookie header order: longer paths
    /// first, then earlier creation (RFC 6265 §5.4 step 2).
    ///
    /// Visits the bucket of the request host and of each parent domain: the
    /// cost is the number of labels plus the cookies stored for those names,
    /// whatever the size of the jar.
    fn select<'j, 'r>(&'j self, request: &'r CookieRequest, now: i64) -> Selection<'j, 'r> {
        let mut selection = Selection::default();
        self.find_buckets(request, &mut selection);
        self.pick(request, now, &mut selection);
        selection
    }

    /// The buckets of the request host and its parent domains (one probe
    /// each: the Bloom filter first, the table only when it may hold the
    /// name), those the policy's block/allow lists let through.
    fn find_buckets<'j, 'r>(
        &'j self,
        request: &'r CookieRequest,
        selection: &mut Selection<'j, 'r>,
    ) {
        // First find every domain's bucket, then read the cookies: the
        // probes (and below, the first cache line of each cookie) are
        // independent loads the processor overlaps. On a jar too large for
        // the cache each is a miss, and waiting for them one after another
        // is most of a lookup's time.
        for domain in host_and_parents(request) {
            let Some(bucket) = self.index.bucket(domain) else {
                continue;
            };
            if self.domain_allowed(domain, request) {
                selection.buckets.push((domain, bucket));
            }
        }
    }

    /// The policy's block/allow-list check of one domain level, logged
    /// when it refuses.
    #[inline]
    fn domain_allowed(&self, domain: &str, request: &CookieRequest) -> bool {
        let ok = self.policy.domain_return_ok(domain, request);
        if !ok {
            tracing::debug!(
                domain,
                "no cookies returned for this domain (block/allow list)"
            );
        }
        ok
    }

    /// The cookies of `selection`'s buckets that go to `request`, in
    /// Cookie header order: longer paths first, then earlier creation
    /// (RFC 6265 §5.4 step 2).
    // Always: with the large-jar path a second caller, the compiler stopped
    // inlining it into the small-jar lookup (+124 instructions per request
    // of the stack benchmark).
    #[inline(always)]
    fn pick<'j>(&self, request: &CookieRequest, now: i64, selection: &mut Selection<'j, '_>) {
        // A small jar stays in the cache, where prefetching only costs
        // instructions.
        let large = self.index.len() > PREFETCH_ABOVE;
        if large {
            prefetch_candidates(&selection.buckets);
        }
        for (level, &(_, bucket)) in selection.buckets.iter().enumerate() {
            for (pos, e) in bucket.iter().enumerate() {
                let c = &e.cookie;
                let verdict = if c.is_expired(now) {
                    Err(Reason::Expired)
                } else if !self.policy.path_return_ok(&c.path, request) {
                    Err(Reason::PathMismatch)
                } else {
                    self.policy.return_ok(c, request)
                };
                match verdict {
                    Ok(()) => {
                        // The value is read when the header is written; a
                        // long one is on the heap, one more miss to start now.
                        if large {
                            prefetch(c.value.as_ptr());
                        }
                        // Marking a cookie used that was already used this
                        // second changes nothing: such a lookup writes nothing.
                        selection.stale |= c.last_access_time != now;
                        selection
                            .picks
                            .push((c.path.len(), c.creation_time, e.seq(), level, pos));
                    }
                    Err(reason) => tracing::debug!(
                        name = %c.name, domain = %c.domain, path = %c.path, %reason,
                        "cookie not returned"
                    ),
                }
            }
        }
        sort_in_header_order(&mut selection.picks);
    }

    /// The cookies `request` should carry, in header order. Marks them as
    /// used (for least-recently-used eviction).
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar, CookieRequest};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// let request = CookieRequest::parse("http://example.com/x").unwrap();
    /// assert_eq!(jar.cookies_for(&request)[0].name, "a");
    /// ```
    pub fn cookies_for(&mut self, request: &CookieRequest) -> Vec<Cookie> {
        let now = self.now();
        // `select` borrows the request, not the jar, so its slots can mark
        // the cookies as used afterwards without copying anything.
        let selection = self.select(request, now);
        let cookies = selection.cookies().cloned().collect();
        if selection.stale {
            let used = selection.into_used();
            self.touch(&used, now);
        }
        cookies
    }

    /// Mark the selected cookies as used: one bucket lookup per domain, not
    /// per cookie (on a large jar each lookup is a cache miss).
    fn touch(&mut self, used: &Used<'_>, now: i64) {
        for (level, domain) in used.domains.iter().enumerate() {
            let mut positions = used.picks.iter().filter(|p| p.0 == level).peekable();
            if positions.peek().is_none() {
                continue;
            }
            self.index
                .touch(domain, positions.map(|&(_, pos)| pos), now);
        }
    }

    /// The `Cookie` header value for `request`, or `None` when no cookie
    /// applies. RFC 2965 cookies get `$Version`, `$Path`, `$Domain` and
    /// `$Port` attributes as the seed writes them.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar, CookieRequest};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// jar.set_cookie(Cookie::new("b", "2", "example.com", "/x"));
    /// let request = CookieRequest::parse("http://example.com/x/y").unwrap();
    /// assert_eq!(jar.cookie_header(&request).as_deref(), Some("b=2; a=1"));
    /// ```
    pub fn cookie_header(&mut self, request: &CookieRequest) -> Option<String> {
        self.header_and_versions(request).map(|(h, _)| h)
    }

    /// The `Cookie` header for a URL (convenience for
    /// [`cookie_header`](Self::cookie_header)); `None` for a bad URL too.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// assert_eq!(jar.cookie_header_for("http://example.com/").as_deref(), Some("a=1"));
    /// ```
    pub fn cookie_header_for(&mut self, url: &str) -> Option<String> {
        let request = CookieRequest::parse(url).ok()?;
        self.cookie_header(&request)
    }

    /// Tests: answer from summaries in jars of more than `n` cookies
    /// (`usize::MAX`: never).
    #[cfg(test)]
    pub(crate) fn set_summaries_above(&mut self, n: usize) {
        self.summaries_above = n;
    }

    /// Tests: the index.
    #[cfg(test)]
    pub(crate) fn index(&self) -> &Index {
        &self.index
    }

    /// Header value, and whether any returned cookie is not version 1 (which
    /// makes an RFC 2965 client advertise itself with Cookie2).
    pub(crate) fn header_and_versions(
        &mut self,
        request: &CookieRequest,
    ) -> Option<(String, bool)> {
        // Most requests of a client go to hosts the jar holds nothing for
        // (or the jar is empty): answered from the buckets' Bloom filter,
        // before the clock is read.
        if self.index.len() == 0 {
            return None;
        }
        if self.index.len() > self.summaries_above {
            return self.header_large(request);
        }
        let mut selection = Selection::default();
        self.find_buckets(request, &mut selection);
        if selection.buckets.is_empty() {
            return None;
        }
        let now = self.now();
        self.pick(request, now, &mut selection);
        if selection.picks.is_empty() {
            return None;
        }
        let (header, any_not_v1) = write_header(&selection);
        if selection.stale {
            let used = selection.into_used();
            self.touch(&used, now);
        }
        Some((header, any_not_v1))
    }

    /// [`header_and_versions`](Self::header_and_versions) on a large jar:
    /// from the summaries of the buckets ([`crate::summary`]) when every
    /// level has one, else as on a small jar, after which the levels'
    /// lookups are counted and a bucket looked up often enough since it
    /// last changed gets its summary (built from the cookies just read).
    #[inline(never)]
    fn header_large(&mut self, request: &CookieRequest) -> Option<(String, bool)> {
        let mut levels: SmallVec<[(&str, u64); 8]> = SmallVec::new();
        for domain in host_and_parents(request) {
            let hash = self.index.hash(domain);
            if self.index.may_contain(hash) {
                levels.push((domain, hash));
            }
        }
        if levels.is_empty() {
            return None;
        }
        // Debug logging names each refused cookie: only the general path
        // does.
        let summaries = !tracing::enabled!(tracing::Level::DEBUG);
        if summaries
            && levels
                .iter()
                .all(|&(_, hash)| self.index.may_have_summary(hash))
        {
            if let Some(answer) = self.header_from_summaries(request, &levels) {
                return answer;
            }
        }
        let mut selection = Selection::default();
        for &(domain, hash) in &levels {
            let Some(bucket) = self.index.bucket_hashed(domain, hash) else {
                continue;
            };
            if self.domain_allowed(domain, request) {
                selection.buckets.push((domain, bucket));
            }
        }
        if selection.buckets.is_empty() {
            return None;
        }
        let now = self.now();
        self.pick(request, now, &mut selection);
        let answer = (!selection.picks.is_empty()).then(|| write_header(&selection));
        if selection.stale {
            let used = selection.into_used();
            self.touch(&used, now);
        } else {
            drop(selection);
        }
        if summaries {
            // Asked when first needed: most lookups build nothing.
            let mut rules: Option<Option<LookupRules>> = None;
            let policy = &*self.policy;
            for &(domain, hash) in &levels {
                let may_build = || {
                    rules
                        .get_or_insert_with(|| policy.lookup_rules(request))
                        .is_some()
                };
                self.index.count_lookup(domain, hash, may_build);
            }
        }
        answer
    }

    /// The answer from the summaries of `levels` (the request host and its
    /// parents that may have a bucket, with their hashes): `None` when the
    /// general path must answer (a level without a summary, a custom
    /// policy or an unusual request).
    ///
    /// The summaries' lines of every level are requested first, then read:
    /// a level costs two dependent misses (its cache set, its summary)
    /// instead of four (table, bucket, cookies, values).
    fn header_from_summaries(
        &mut self,
        request: &CookieRequest,
        levels: &[(&str, u64)],
    ) -> Option<Option<(String, bool)>> {
        for &(_, hash) in levels {
            self.index.prefetch_summary_set(hash);
        }
        let mut refs: SmallVec<[SummaryRef; 8]> = SmallVec::new();
        for &(_, hash) in levels {
            refs.push(self.index.find_summary(hash)?);
        }
        let rules = self.policy.lookup_rules(request)?;
        let mut found: SmallVec<[(&str, &[u8]); 4]> = SmallVec::new();
        for (&(domain, hash), &r) in levels.iter().zip(&refs) {
            let s = self.index.summary(r, hash, domain)?;
            if self.policy.domain_return_ok(domain, request) {
                found.push((domain, s));
            }
        }
        if found.is_empty() {
            return Some(None);
        }
        let now = self.now();
        let host = request.host();
        let path = request.path().as_bytes();
        let mut picks: SmallVec<[Pick; 8]> = SmallVec::new();
        let mut stale = false;
        for (level, &(domain, s)) in found.iter().enumerate() {
            let own_host = host == domain;
            let domain_ok = own_host || host_domain_match(request, domain);
            if !domain_ok {
                continue;
            }
            let host_only_ok = own_host || rules.host_only_to_subdomains;
            for i in 0..summary::count(s) {
                let (expires, cookie_path, flags) = summary::decision(s, i);
                if expires <= now
                    || (flags & summary::SECURE != 0 && !rules.secure)
                    || (flags & summary::HOST_ONLY != 0 && !host_only_ok)
                    || (flags & summary::SAME_SITE_STRICT != 0 && rules.refuse_strict)
                    || (flags & summary::SAME_SITE_LAX != 0 && rules.refuse_lax)
                    || !path_match_bytes(path, cookie_path)
                {
                    continue;
                }
                let (creation, seq, last_access) = summary::order(s, i);
                stale |= last_access != now;
                picks.push((cookie_path.len(), creation, seq, level, i));
            }
        }
        if picks.is_empty() {
            return Some(None);
        }
        sort_in_header_order(&mut picks);
        let text = |&(_, _, _, level, i): &Pick| summary::text(found[level].1, i);
        let len = picks.iter().map(|p| text(p).len() + 2).sum::<usize>() - 2;
        let mut header = Vec::with_capacity(len);
        for (k, p) in picks.iter().enumerate() {
            if k > 0 {
                header.extend_from_slice(b"; ");
            }
            header.extend_from_slice(text(p));
        }
        // The texts were copied from `str`s whole: valid UTF-8.
        let header = String::from_utf8(header).ok()?;
        if stale {
            let used = Used {
                domains: found.iter().map(|&(domain, _)| domain).collect(),
                picks: picks.iter().map(|p| (p.3, p.4)).collect(),
            };
            drop(found);
            self.touch(&used, now);
        }
        // Every summarised cookie has no version: not version 1.
        Some(Some((header, true)))
    }

    /// Add the `Cookie` header (and `Cookie2` in RFC 2965 mode, unless
    /// `hide_cookie2`) to `request`. A `Cookie` header already on the
    /// request is left alone: the caller set it on purpose.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// let mut request = http::Request::get("http://example.com/").body(()).unwrap();
    /// jar.add_cookie_header(&mut request);
    /// assert_eq!(request.headers()["cookie"], "a=1");
    /// ```
    pub fn add_cookie_header<B>(&mut self, request: &mut http::Request<B>) {
        match CookieRequest::from_request(request) {
            Ok(view) => self.add_cookie_header_to(&view, request.headers_mut()),
            Err(error) => tracing::debug!(%error, "no cookies added"),
        }
    }

    /// [`add_cookie_header`](Self::add_cookie_header) on request parts.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// let (mut parts, _) = http::Request::get("http://example.com/").body(()).unwrap().into_parts();
    /// jar.add_cookie_header_to_parts(&mut parts);
    /// assert_eq!(parts.headers["cookie"], "a=1");
    /// ```
    pub fn add_cookie_header_to_parts(&mut self, parts: &mut http::request::Parts) {
        match CookieRequest::from_parts(parts) {
            Ok(view) => self.add_cookie_header_to(&view, &mut parts.headers),
            Err(error) => tracing::debug!(%error, "no cookies added"),
        }
    }

    /// Add `Cookie` (and `Cookie2`) for `request` to `headers`.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar, CookieRequest};
    /// let mut jar = CookieJar::new();
    /// jar.set_cookie(Cookie::new("a", "1", "example.com", "/"));
    /// let mut headers = http::HeaderMap::new();
    /// jar.add_cookie_header_to(&CookieRequest::parse("http://example.com/").unwrap(), &mut headers);
    /// assert_eq!(headers["cookie"], "a=1");
    /// ```
    pub fn add_cookie_header_to(&mut self, request: &CookieRequest, headers: &mut HeaderMap) {
        // A request has few fields: comparing their names costs less than
        // hashing one.
        let has_cookie = if headers.keys_len() <= 8 {
            headers.keys().any(|name| name == COOKIE)
        } else {
            headers.contains_key(COOKIE)
        };
        if has_cookie {
            tracing::debug!(reason = %Reason::ExplicitCookieHeader, "no cookies added");
            return;
        }
        let Some((header, any_not_v1)) = self.header_and_versions(request) else {
            return;
        };
        // The `String` becomes the value's bytes: no copy.
        match HeaderValue::try_from(header) {
            Ok(value) => {
                headers.insert(COOKIE, value);
            }
            Err(_) => tracing::debug!("stored cookies do not form a valid header value"),
        }
        if self.policy.advertise_cookie2() && any_not_v1 && !headers.contains_key(COOKIE2) {
            headers.insert(COOKIE2, HeaderValue::from_static("$Version=\"1\""));
        }
    }

    /// Which cookies would be sent to `url`, and why not the others: every
    /// cookie in the jar with its verdict, the ones sent first in header
    /// order. It looks at the whole jar, so it costs O(jar); it is for
    /// answering questions, not for every request.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieJar, Reason};
    /// let mut jar = CookieJar::new();
    /// let mut secure = Cookie::new("s", "1", "example.com", "/");
    /// secure.secure = true;
    /// jar.set_cookie(secure);
    /// let why = jar.explain("http://example.com/").unwrap();
    /// assert_eq!(why[0].verdict, Err(Reason::NotSecure));
    /// ```
    pub fn explain(&self, url: &str) -> Result<Vec<Explanation>, crate::RequestError> {
        let request = CookieRequest::parse(url)?;
        Ok(self.explain_request(&request))
    }

    /// [`explain`](Self::explain) for a parsed request.
    ///
    /// ```
    /// use clientcookie_jar::{CookieJar, CookieRequest};
    /// let jar = CookieJar::new();
    /// assert!(jar.explain_request(&CookieRequest::parse("http://a.example/").unwrap()).is_empty());
    /// ```
    pub fn explain_request(&self, request: &CookieRequest) -> Vec<Explanation> {
        let now = self.now();
        let mut sent: Vec<Explanation> = self
            .select(request, now)
            .cookies()
            .map(|cookie| Explanation {
                cookie: cookie.clone(),
                verdict: Ok(()),
            })
            .collect();
        let host = request.host();
        for c in self.iter() {
            if sent
                .iter()
                .any(|s| s.verdict.is_ok() && s.cookie.same_identity(c))
            {
                continue;
            }
            let verdict = if c.is_expired(now) {
                Err(Reason::Expired)
            } else if !self.policy.domain_return_ok(&c.domain, request) {
                Err(Reason::BlockedDomain)
            } else if !domain_match(host, &c.domain) {
                Err(Reason::DomainMismatch)
            } else if !self.policy.path_return_ok(&c.path, request) {
                Err(Reason::PathMismatch)
            } else {
                self.policy.return_ok(c, request)
            };
            sent.push(Explanation {
                cookie: c.clone(),
                verdict: match verdict {
                    // A host's own matching cookie the policy accepts is sent
                    // above; anything else reaching here was not.
                    Ok(()) => Err(Reason::DomainMismatch),
                    other => other,
                },
            });
        }
        sent
    }
}

/// A chosen cookie: path length, creation time and sequence number (the
/// sort keys), then the bucket's level and the position in it.
type Pick = (usize, i64, u64, usize, usize);

/// Cookie header order (RFC 6265 §5.4 step 2): longer paths first, then
/// earlier creation, then earlier insertion.
#[inline(always)]
fn sort_in_header_order(picks: &mut [Pick]) {
    if picks.len() > 1 {
        picks.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    }
}

/// One domain level of a lookup: the domain and its bucket's cookies.
type Level<'j, 'r> = (&'r str, Cookies<'j>);

/// The cookies chosen for one request: the buckets visited (one per domain
/// level that has cookies) and the chosen cookies, in header order. Kept on
/// the stack for the few levels and cookies of nearly every request.
#[derive(Default)]
struct Selection<'j, 'r> {
    buckets: SmallVec<[Level<'j, 'r>; 4]>,
    picks: SmallVec<[Pick; 8]>,
    /// Whether a chosen cookie's last-access time is not yet the lookup's.
    stale: bool,
}

impl<'j, 'r> Selection<'j, 'r> {
    fn cookies(&self) -> impl Iterator<Item = &'j Cookie> + '_ {
        // Through slices: `SmallVec` is invariant in its items, a slice lets
        // the request's lifetime shorten to this borrow.
        let buckets: &[Level<'j, '_>] = &self.buckets;
        self.picks
            .iter()
            .filter_map(move |&(_, _, _, level, pos)| Some(&buckets.get(level)?.1.get(pos)?.cookie))
    }

    /// What [`CookieJar::touch`] needs, without the borrow of the jar.
    fn into_used(self) -> Used<'r> {
        Used {
            domains: self.buckets.iter().map(|&(domain, _)| domain).collect(),
            picks: self
                .picks
                .iter()
                .map(|&(_, _, _, level, pos)| (level, pos))
                .collect(),
        }
    }
}

struct Used<'r> {
    domains: SmallVec<[&'r str; 4]>,
    picks: SmallVec<[(usize, usize); 8]>,
}

/// Jars of more domains than this prefetch the bucket-table lines of a
/// cookie's likely domains before parsing it: the table is then 512 KB or
/// more (64 bytes a domain, at most seven eighths full), half a core's L2
/// cache on the machines measured. In a smaller table the probe mostly
/// hits a cache, and the prefetch's ~120 instructions (two hashes, the
/// host's dots) did not pay: at 2,048 the medium workload (2,420
/// domains) took 57 instructions per cookie more, for no time measured.
const PREFETCH_TABLE_ABOVE: usize = 4096;

/// Jars of more cookies than this prefetch what a lookup will read: about
/// 1 MB of cookies (192 bytes each, plus long values and buckets), a
/// core's L2 cache on the machines measured. Below it a lookup finds its
/// cookies in the cache anyway.
pub(crate) const PREFETCH_ABOVE: usize = 4096;

/// Ask for the cache lines of each candidate cookie that a lookup reads
/// (`Cookie`'s layout puts them in its first 160 bytes), all at once: on a
/// jar larger than the cache each is a miss, and the processor would
/// otherwise wait for them one cookie after another.
#[inline]
fn prefetch_candidates(buckets: &[Level<'_, '_>]) {
    #[cfg(target_arch = "x86_64")]
    for e in buckets.iter().flat_map(|(_, bucket)| bucket.iter()) {
        let start = std::ptr::from_ref(e).cast::<u8>();
        // Every line from the first byte to the 160th: three or four.
        for offset in [0, 64, 128, 159] {
            prefetch(start.wrapping_add(offset));
        }
    }
    // Elsewhere: touch each first line, which also lets the loads overlap.
    #[cfg(not(target_arch = "x86_64"))]
    std::hint::black_box(
        buckets
            .iter()
            .flat_map(|(_, bucket)| bucket.iter())
            .fold(0i64, |acc, e| acc ^ e.cookie.expires.unwrap_or(0)),
    );
}

/// Request the cache line at `p` without waiting for it (x86_64; elsewhere
/// nothing).
#[inline(always)]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it reads nothing and never faults,
    // whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// [`prefetch`] with intent to write (`prefetchw` where the target has it):
/// the line comes exclusive, so the store that follows need not ask again.
#[inline(always)]
pub(crate) fn prefetch_write(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: as `prefetch`: a hint that reads nothing and never faults.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0};
        _mm_prefetch::<_MM_HINT_ET0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The Cookie header of `selection`'s cookies, and whether any is not
/// version 1.
#[inline(always)]
fn write_header(selection: &Selection<'_, '_>) -> (String, bool) {
    // The exact length for the usual (Netscape) cookies: the `String`
    // then becomes the header value's bytes without a reallocation or
    // a second allocation (`Bytes` takes a full `Vec` as it is).
    let exact = selection.cookies().try_fold(0usize, |len, c| {
        (!is_rfc2965(c)).then_some(len + c.pair_len() + 2)
    });
    let capacity = exact.map_or(selection.picks.len() * 32, |len| len - 2);
    let mut header = String::with_capacity(capacity);
    let mut any_not_v1 = false;
    let mut version_written = false;
    for (i, c) in selection.cookies().enumerate() {
        any_not_v1 |= c.version != Some(1);
        if !version_written {
            version_written = true;
            if let Some(v) = c.version.filter(|v| *v > 0) {
                let _ = write!(header, "$Version={v}; ");
            }
        }
        if i > 0 {
            header.push_str("; ");
        }
        write_cookie(&mut header, c);
    }
    (header, any_not_v1)
}

/// [`path_match`] on bytes (a summary's path).
#[inline]
fn path_match_bytes(request_path: &[u8], cookie_path: &[u8]) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with(b"/") || request_path.get(cookie_path.len()) == Some(&b'/')))
}

/// The request host, then each parent domain (`a.b.c`, `b.c`, `c`); only the
/// host itself for IP addresses.
fn host_and_parents(request: &CookieRequest) -> impl Iterator<Item = &str> {
    let host = request.host();
    let is_ip = request.is_ip();
    std::iter::successors(Some(host), move |d| {
        if is_ip {
            return None;
        }
        d.find('.')
            .map(|i| &d[i + 1..])
            .filter(|rest| !rest.is_empty())
    })
}

/// One cookie in a Cookie header; RFC 2965 cookies with their `$` attributes
/// (RFC 2965 §3.3.4), values escaped as the seed does.
#[inline(always)]
fn write_cookie(out: &mut String, c: &Cookie) {
    let rfc2965 = is_rfc2965(c);
    if !c.name.is_empty() {
        out.push_str(&c.name);
        out.push('=');
    }
    if rfc2965
        && c.value
            .bytes()
            .any(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
    {
        for ch in c.value.chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
    } else {
        out.push_str(&c.value);
    }
    if !rfc2965 {
        return;
    }
    if c.path_specified {
        let _ = write!(out, "; $Path=\"{}\"", c.path);
    }
    if !c.host_only {
        let dot = if c.domain_initial_dot { "." } else { "" };
        let _ = write!(out, "; $Domain=\"{dot}{}\"", c.domain);
    }
    if let Some(port) = c.port() {
        if c.port_specified {
            let _ = write!(out, "; $Port=\"{port}\"");
        } else {
            out.push_str("; $Port");
        }
    }
}
