//! Setting `Referer` as browsers do, per Referrer-Policy, as the seed's
//! `HTTPRefererProcessor` did without one.
//!
//! [`RefererLayer`] adds a `Referer` header to each request made from a
//! page. Where the page comes from:
//!
//! - **A [`Referrer`] request extension**: the URL of the page the request
//!   was made from (the page a link was on). This is the normal way.
//! - **Chain mode** ([`RefererLayer::chain`]): with no [`Referrer`] in the
//!   request, the URL of the last page this layer saw a response for, as the
//!   seed did. *Caveat*: like the seed's processor, the layer and all its
//!   clones share one "last page", across **every** request made through
//!   them. That is only right for a single linear browsing session (one
//!   user clicking links, one request at a time); concurrent or unrelated
//!   requests get each other's pages as referrer. For anything else, put a
//!   [`Referrer`] in each request. Responses that are redirects (3xx with
//!   `Location`) are not remembered: the page is where the chain ends.
//!
//! How much of the page's URL is sent is decided by a [`ReferrerPolicy`]
//! (W3C Referrer Policy §3, Fetch §"determine request's referrer"):
//! the layer's own ([`strict-origin-when-cross-origin`] by default, as in
//! browsers), replaced by a [`ReferrerPolicy`] in the request's extensions
//! (the policy of the page the link was on), or in chain mode by the last
//! page's `Referrer-Policy` response header.
//!
//! Always, whatever the policy:
//!
//! - **Never from https to http.** No `Referer` is sent to an `http` URL
//!   when the referrer is an `https` page, not even under `unsafe-url` or
//!   `origin` (where the specification would send one): this crate does
//!   not leak secure URLs to the clear.
//! - **Stripped.** The fragment, user name and password never go out
//!   (Referrer Policy §8.4 "strip url for use as a referrer").
//! - **http and https only.** A referrer or target of any other scheme
//!   gets no `Referer`.
//! - **The caller's header wins.** A request that already has a `Referer`
//!   header is left alone.
//!
//! With a [`RedirectLayer`](crate::redirect::RedirectLayer) outside, each
//! hop passes through this layer with the first request's extensions, so a
//! redirect hop's `Referer` is the original referrer, recomputed under the
//! policy for the hop's own target, as browsers do. A redirect response's
//! own `Referrer-Policy` header replaces the policy for the hops after it
//! (Fetch §4.4 "HTTP-redirect fetch", step 14): the redirect layer puts it
//! into the next hop's extensions as a [`ReferrerPolicy`], where it takes
//! precedence over the caller's and the layer's.
//!
//! "Secure" here means the `https` scheme; the specification's other
//! potentially trustworthy origins (`http://localhost`) are treated as
//! plain `http`.
//!
//! [`strict-origin-when-cross-origin`]: ReferrerPolicy::StrictOriginWhenCrossOrigin
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use clientcookie_layers::referer::{RefererLayer, Referrer, ReferrerPolicy};
//! use http::{Request, Response};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//! use url::Url;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Infallible> {
//! // A stand-in for an HTTP client that answers with the Referer it got.
//! let client = service_fn(|request: Request<()>| async move {
//!     let referer = request.headers().get("referer").map(|v| v.to_str().unwrap().to_owned());
//!     Ok::<_, Infallible>(Response::new(referer.unwrap_or_default()))
//! });
//!
//! let mut service = ServiceBuilder::new()
//!     .layer(RefererLayer::new().policy(ReferrerPolicy::StrictOriginWhenCrossOrigin))
//!     .service(client);
//!
//! let page = Url::parse("https://www.example.com/a/page?q=1#top").unwrap();
//! let mut request = Request::get("https://www.example.com/next").body(()).unwrap();
//! request.extensions_mut().insert(Referrer(page.clone()));
//! let response = service.ready().await?.call(request).await?;
//! assert_eq!(response.body(), "https://www.example.com/a/page?q=1");
//!
//! // Cross-origin: the origin only.
//! let mut request = Request::get("https://cdn.example.net/x").body(()).unwrap();
//! request.extensions_mut().insert(Referrer(page.clone()));
//! let response = service.ready().await?.call(request).await?;
//! assert_eq!(response.body(), "https://www.example.com/");
//!
//! // Down to http: nothing.
//! let mut request = Request::get("http://www.example.com/").body(()).unwrap();
//! request.extensions_mut().insert(Referrer(page));
//! let response = service.ready().await?.call(request).await?;
//! assert_eq!(response.body(), "");
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::header::{self, HeaderName, HeaderValue};
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use url::Url;

use crate::extensions::RequestUrl;

/// The `Referrer-Policy` response header.
pub const REFERRER_POLICY: HeaderName = HeaderName::from_static("referrer-policy");

/// The page a request is made from. Put it in the request's extensions;
/// the layer turns it into a `Referer` header per the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer(pub Url);

/// How much of the referrer's URL a request may carry (W3C Referrer Policy
/// §3). In a request's extensions it replaces the layer's policy for that
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReferrerPolicy {
    /// `no-referrer`: never a `Referer`.
    NoReferrer,
    /// `no-referrer-when-downgrade`: the full URL, except from https to http.
    NoReferrerWhenDowngrade,
    /// `origin`: the origin only (`https://host/`).
    Origin,
    /// `origin-when-cross-origin`: the full URL to the same origin, the
    /// origin elsewhere.
    OriginWhenCrossOrigin,
    /// `same-origin`: the full URL to the same origin, nothing elsewhere.
    SameOrigin,
    /// `strict-origin`: the origin, except from https to http.
    StrictOrigin,
    /// `strict-origin-when-cross-origin`, the default of browsers and of
    /// this layer: the full URL to the same origin, the origin elsewhere,
    /// nothing from https to http.
    #[default]
    StrictOriginWhenCrossOrigin,
    /// `unsafe-url`: the full URL everywhere (still never from https to
    /// http here: see the [module docs](self)).
    UnsafeUrl,
}

/// A `Referrer-Policy` token this crate does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown referrer policy {0:?}")]
pub struct UnknownReferrerPolicy(pub String);

impl ReferrerPolicy {
    /// Every policy, in the specification's order.
    pub const ALL: [ReferrerPolicy; 8] = [
        ReferrerPolicy::NoReferrer,
        ReferrerPolicy::NoReferrerWhenDowngrade,
        ReferrerPolicy::SameOrigin,
        ReferrerPolicy::Origin,
        ReferrerPolicy::StrictOrigin,
        ReferrerPolicy::OriginWhenCrossOrigin,
        ReferrerPolicy::StrictOriginWhenCrossOrigin,
        ReferrerPolicy::UnsafeUrl,
    ];

    /// The token, as in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferrerPolicy::NoReferrer => "no-referrer",
            ReferrerPolicy::NoReferrerWhenDowngrade => "no-referrer-when-downgrade",
            ReferrerPolicy::Origin => "origin",
            ReferrerPolicy::OriginWhenCrossOrigin => "origin-when-cross-origin",
            ReferrerPolicy::SameOrigin => "same-origin",
            ReferrerPolicy::StrictOrigin => "strict-origin",
            ReferrerPolicy::StrictOriginWhenCrossOrigin => "strict-origin-when-cross-origin",
            ReferrerPolicy::UnsafeUrl => "unsafe-url",
        }
    }

    /// The policy a `Referrer-Policy` header value sets: of its
    /// comma-separated tokens, the last one known wins, unknown ones are
    /// ignored (Referrer Policy §8.1, so that new policies can be sent with
    /// a fallback). `None` when no token is known.
    ///
    /// ```
    /// use clientcookie_layers::referer::ReferrerPolicy;
    ///
    /// let policy = ReferrerPolicy::from_header(b"no-referrer, strict-origin, future-policy");
    /// assert_eq!(policy, Some(ReferrerPolicy::StrictOrigin));
    /// assert_eq!(ReferrerPolicy::from_header(b"nonsense"), None);
    /// ```
    pub fn from_header(value: &[u8]) -> Option<ReferrerPolicy> {
        let text = std::str::from_utf8(value).ok()?;
        text.split(',').rev().find_map(|t| t.parse().ok())
    }
}

impl FromStr for ReferrerPolicy {
    type Err = UnknownReferrerPolicy;

    /// One token, ASCII case-insensitive, surrounding spaces ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let token = s.trim();
        ReferrerPolicy::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(token))
            .ok_or_else(|| UnknownReferrerPolicy(token.to_owned()))
    }
}

impl std::fmt::Display for ReferrerPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `Referer` a request to `target` made from `referrer` carries under
/// `policy`, or `None` for no header. Pure: the layer's whole decision.
///
/// ```
/// use clientcookie_layers::referer::{referer_for, ReferrerPolicy};
/// use url::Url;
///
/// let page = Url::parse("https://user:pw@example.com/a?b#c").unwrap();
/// let same = Url::parse("https://example.com/next").unwrap();
/// let other = Url::parse("https://other.example/").unwrap();
/// let clear = Url::parse("http://example.com/").unwrap();
/// let policy = ReferrerPolicy::StrictOriginWhenCrossOrigin;
/// assert_eq!(referer_for(&page, &same, policy).unwrap().as_str(), "https://example.com/a?b");
/// assert_eq!(referer_for(&page, &other, policy).unwrap().as_str(), "https://example.com/");
/// assert_eq!(referer_for(&page, &clear, ReferrerPolicy::UnsafeUrl), None);
/// ```
pub fn referer_for(referrer: &Url, target: &Url, policy: ReferrerPolicy) -> Option<Url> {
    if !is_http(referrer) || !is_http(target) {
        return None;
    }
    let downgrade = referrer.scheme() == "https" && target.scheme() == "http";
    if downgrade {
        return None;
    }
    let same_origin = referrer.origin() == target.origin();
    let mut full = referrer.clone();
    // Referrer Policy §8.4: strip url for use as a referrer.
    let _ = full.set_username("");
    let _ = full.set_password(None);
    full.set_fragment(None);
    let mut origin = full.clone();
    origin.set_path("/");
    origin.set_query(None);
    match policy {
        ReferrerPolicy::NoReferrer => None,
        ReferrerPolicy::UnsafeUrl | ReferrerPolicy::NoReferrerWhenDowngrade => Some(full),
        ReferrerPolicy::Origin | ReferrerPolicy::StrictOrigin => Some(origin),
        ReferrerPolicy::SameOrigin => same_origin.then_some(full),
        ReferrerPolicy::OriginWhenCrossOrigin | ReferrerPolicy::StrictOriginWhenCrossOrigin => {
            Some(if same_origin { full } else { origin })
        }
    }
}

/// The policy a response's `Referrer-Policy` header fields set, all of them
/// read as one comma-separated list (the last known token wins).
pub(crate) fn policy_of(headers: &http::HeaderMap) -> Option<ReferrerPolicy> {
    headers
        .get_all(REFERRER_POLICY)
        .iter()
        .rev()
        .find_map(|v| ReferrerPolicy::from_header(v.as_bytes()))
}

fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// The last page seen in chain mode, and its `Referrer-Policy`.
#[derive(Debug, Default)]
struct LastPage {
    url: Option<Url>,
    policy: Option<ReferrerPolicy>,
}

/// Sets `Referer`; see the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct RefererLayer {
    policy: ReferrerPolicy,
    // `Some` in chain mode: shared by every clone.
    chain: Option<Arc<Mutex<LastPage>>>,
}

impl RefererLayer {
    /// `strict-origin-when-cross-origin`, referrer from the [`Referrer`]
    /// extension only.
    pub fn new() -> RefererLayer {
        RefererLayer::default()
    }

    /// Use `policy` for requests that carry none of their own.
    ///
    /// ```
    /// use clientcookie_layers::referer::{RefererLayer, ReferrerPolicy};
    /// let layer = RefererLayer::new().policy(ReferrerPolicy::SameOrigin);
    /// ```
    #[must_use]
    pub fn policy(mut self, policy: ReferrerPolicy) -> RefererLayer {
        self.policy = policy;
        self
    }

    /// Chain mode: a request without a [`Referrer`] gets the last page this
    /// layer (or any clone of it) saw a response for, under that page's
    /// `Referrer-Policy` if it sent one. Only right for one linear browsing
    /// session: see the [module docs](self).
    ///
    /// ```
    /// let layer = clientcookie_layers::referer::RefererLayer::new().chain();
    /// ```
    #[must_use]
    pub fn chain(mut self) -> RefererLayer {
        self.chain = Some(Arc::default());
        self
    }
}

impl<S> Layer<S> for RefererLayer {
    type Service = Referer<S>;

    fn layer(&self, inner: S) -> Referer<S> {
        Referer {
            inner,
            config: self.clone(),
        }
    }
}

/// The service [`RefererLayer`] makes.
#[derive(Debug, Clone)]
pub struct Referer<S> {
    inner: S,
    config: RefererLayer,
}

impl<S> Referer<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> Referer<S> {
        RefererLayer::new().layer(inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

fn lock(page: &Mutex<LastPage>) -> std::sync::MutexGuard<'_, LastPage> {
    // A panic elsewhere while holding this lock left plain data behind.
    page.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<S, B, ResB> Service<Request<B>> for Referer<S>
where
    S: Service<Request<B>, Response = Response<ResB>>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The target URL is needed only when there is a referrer to send or
        // a page to remember: a clone less per request otherwise.
        let needed =
            self.config.chain.is_some() || request.extensions().get::<Referrer>().is_some();
        let target = if needed {
            RequestUrl::of_request(&mut request)
        } else {
            None
        };
        if let Some(target) = &target {
            if !request.headers().contains_key(header::REFERER) {
                self.set_referer(&mut request, target);
            }
        }
        let record = match (&self.config.chain, target) {
            (Some(page), Some(url)) => Some(Box::new((page.clone(), url))),
            _ => None,
        };
        ResponseFuture {
            inner: self.inner.call(request),
            record,
        }
    }
}

impl<S> Referer<S> {
    fn set_referer<B>(&self, request: &mut Request<B>, target: &Url) {
        let explicit = request.extensions().get::<Referrer>().map(|r| r.0.clone());
        let (referrer, page_policy) = match (explicit, &self.config.chain) {
            (Some(url), _) => (url, None),
            (None, Some(page)) => {
                let page = lock(page);
                match &page.url {
                    Some(url) => (url.clone(), page.policy),
                    None => return,
                }
            }
            (None, None) => return,
        };
        let policy = request
            .extensions()
            .get::<ReferrerPolicy>()
            .copied()
            .or(page_policy)
            .unwrap_or(self.config.policy);
        let Some(referer) = referer_for(&referrer, target, policy) else {
            tracing::trace!(%referrer, %target, %policy, "no Referer");
            return;
        };
        match HeaderValue::from_str(referer.as_str()) {
            Ok(value) => {
                tracing::trace!(%referer, %target, %policy, "Referer set");
                request.headers_mut().insert(header::REFERER, value);
            }
            Err(_) => tracing::debug!(%referer, "Referer not a header value: not sent"),
        }
    }
}

pin_project! {
    /// The response future of [`Referer`]; in chain mode it remembers the
    /// page the response came from.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        // Boxed: only chain mode has one, and a `Url` inline would make
        // every future around this one larger.
        record: Option<Box<(Arc<Mutex<LastPage>>, Url)>>,
    }
}

impl<F, ResB, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResB>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The inner poll is looked at and returned as it is: taken out of it
        // and wrapped again, the response was copied twice.
        let poll = this.inner.poll(cx);
        let Poll::Ready(result) = &poll else {
            return poll;
        };
        if let (Ok(response), Some(record)) = (result, this.record.take()) {
            let (page, url) = *record;
            let redirect = response.status().is_redirection()
                && response.headers().contains_key(header::LOCATION);
            if !redirect {
                let policy = policy_of(response.headers());
                let mut page = lock(&page);
                page.url = Some(url);
                page.policy = policy;
            }
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn referer(from: &str, to: &str, policy: ReferrerPolicy) -> Option<String> {
        referer_for(&url(from), &url(to), policy).map(String::from)
    }

    const PAGE: &str = "https://u:p@a.example/dir/page?q=1#frag";
    const FULL: &str = "https://a.example/dir/page?q=1";
    const ORIGIN: &str = "https://a.example/";

    #[test]
    fn each_policy_same_origin_cross_origin_and_downgrade() {
        use ReferrerPolicy::*;
        let same = "https://a.example/other";
        let cross = "https://b.example/";
        let down = "http://a.example/";
        let table: [(ReferrerPolicy, Option<&str>, Option<&str>); 8] = [
            (NoReferrer, None, None),
            (NoReferrerWhenDowngrade, Some(FULL), Some(FULL)),
            (Origin, Some(ORIGIN), Some(ORIGIN)),
            (OriginWhenCrossOrigin, Some(FULL), Some(ORIGIN)),
            (SameOrigin, Some(FULL), None),
            (StrictOrigin, Some(ORIGIN), Some(ORIGIN)),
            (StrictOriginWhenCrossOrigin, Some(FULL), Some(ORIGIN)),
            (UnsafeUrl, Some(FULL), Some(FULL)),
        ];
        for (policy, to_same, to_cross) in table {
            assert_eq!(
                referer(PAGE, same, policy).as_deref(),
                to_same,
                "{policy} same"
            );
            assert_eq!(
                referer(PAGE, cross, policy).as_deref(),
                to_cross,
                "{policy} cross"
            );
            assert_eq!(referer(PAGE, down, policy), None, "{policy} downgrade");
        }
    }

    #[test]
    fn http_to_https_is_an_upgrade_and_cross_origin() {
        let from = "http://a.example/p?x#f";
        let to = "https://a.example/";
        let p = ReferrerPolicy::StrictOriginWhenCrossOrigin;
        assert_eq!(referer(from, to, p).as_deref(), Some("http://a.example/"));
        let p = ReferrerPolicy::NoReferrerWhenDowngrade;
        assert_eq!(
            referer(from, to, p).as_deref(),
            Some("http://a.example/p?x")
        );
    }

    #[test]
    fn a_different_port_is_another_origin() {
        let p = ReferrerPolicy::SameOrigin;
        assert_eq!(
            referer("http://a.example/p", "http://a.example:8080/", p),
            None
        );
    }

    #[test]
    fn other_schemes_get_no_referer() {
        let p = ReferrerPolicy::UnsafeUrl;
        assert_eq!(referer("file:///etc/passwd", "http://a.example/", p), None);
        assert_eq!(referer("http://a.example/", "ftp://a.example/", p), None);
        assert_eq!(referer("data:text/plain,hi", "https://a.example/", p), None);
    }

    #[test]
    fn policy_tokens_parse_case_insensitively_and_the_last_known_wins() {
        for policy in ReferrerPolicy::ALL {
            assert_eq!(policy.as_str().parse::<ReferrerPolicy>(), Ok(policy));
            let upper = policy.as_str().to_ascii_uppercase();
            assert_eq!(upper.parse::<ReferrerPolicy>(), Ok(policy));
        }
        assert_eq!(
            ReferrerPolicy::from_header(b"unsafe-url,  origin , x-new"),
            Some(ReferrerPolicy::Origin)
        );
        assert_eq!(ReferrerPolicy::from_header(b""), None);
        assert_eq!(ReferrerPolicy::from_header(b"\xff"), None);
        assert!("bogus".parse::<ReferrerPolicy>().is_err());
    }
}
