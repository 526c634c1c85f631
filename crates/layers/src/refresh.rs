//! Following `Refresh` as the seed's `HTTPRefreshProcessor` did: a page
//! that says "go to this URL in N seconds" is, for a client without a
//! screen, a redirect.
//!
//! [`RefreshLayer`] reads the `Refresh` response header (an
//! `HttpEquivLayer` inside lifts `<meta http-equiv="refresh">` into that
//! header, so pages that refresh from their markup are covered too) with
//! [`parse_refresh`], and follows it with a `GET` when:
//!
//! - **the delay is at most [`max_delay`](RefreshLayer::max_delay)** (30 s
//!   by default): a page that refreshes every five minutes is a page to
//!   show, not a redirect; with [`honor_time`](RefreshLayer::honor_time)
//!   the layer waits the delay first (`tokio::time::sleep`), otherwise it
//!   goes at once, as the seed did by default;
//! - **the target is `http` or `https`** (resolved against the page's URL;
//!   no URL means the page itself);
//! - **the hop budget allows it.** A refresh uses one hop of the
//!   [`HopBudget`] in the request's extensions (the caller's, or the one a
//!   [`RedirectLayer`](crate::redirect::RedirectLayer) outside puts into
//!   every hop after its first redirect), so refreshes and redirects
//!   together stay within one limit (tower-http #404). With no budget in
//!   the request (the first request of a chain, unless the caller brought
//!   one) the layer makes one of
//!   [`max_redirects`](RefreshLayer::max_redirects) (10 by default); a
//!   `RedirectLayer` outside takes the refreshes followed then out of its
//!   own budget when it makes it. For exactly one limit from the first
//!   request on, use [`RedirectLayer::follow_refresh`](crate::redirect::RedirectLayer::follow_refresh)
//!   or give both layers the same `max_redirects`;
//! - **it is not a second reload.** A refresh to a URL this chain has
//!   already fetched (a page that reloads itself, with or without a delay)
//!   is followed once: one reload may bring a different page (a server
//!   that was "preparing your download"), the second would only loop.
//!
//! When a refresh is not followed, for any of these reasons, the page that
//! asked for it is the response, unchanged: a refresh is the page's
//! suggestion, not an error. The reason is logged at debug level.
//!
//! A followed refresh is sent like a redirect hop: `GET`, no body, no
//! `Content-*` headers, `Authorization`, `Proxy-Authorization`, `Cookie`
//! and `Cookie2` dropped when the origin changes, and [`RequestFacts`]
//! saying it is unverifiable with the first request's host as origin
//! request-host. The response carries the refreshes followed in
//! [`RedirectHistory`] (the refreshing page's URL and its status, usually
//! `200`) and [`FinalUrl`]; a redirect layer outside merges them into its
//! own history, in order.
//!
//! The body of a refreshing page is read (up to 64 KiB) and dropped before
//! the next request, so an HTTP/1 connection can go back to the pool.
//!
//! With a redirect layer outside, `RedirectLayer::follow_refresh(layer)`
//! does what this layer directly inside it would, for less work per
//! request (one copy of the request head, no second service and future):
//! see [`RedirectLayer::follow_refresh`](crate::redirect::RedirectLayer::follow_refresh).
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//! use std::time::Duration;
//!
//! use clientcookie_layers::redirect::{FinalUrl, RedirectHistory};
//! use clientcookie_layers::refresh::RefreshLayer;
//! use http::{Request, Response};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Infallible> {
//! // A stand-in for an HTTP client: /wait refreshes to /ready.
//! let client = service_fn(|request: Request<String>| async move {
//!     let response = match request.uri().path() {
//!         "/wait" => Response::builder().header("refresh", "0; url=/ready").body("wait".to_owned()),
//!         _ => Response::builder().body("ready".to_owned()),
//!     };
//!     Ok::<_, Infallible>(response.unwrap())
//! });
//!
//! let mut service = ServiceBuilder::new()
//!     // .layer(RedirectLayer::new()) goes outside: their hops share one budget
//!     .layer(RefreshLayer::new().max_delay(Duration::from_secs(10)))
//!     .service(client);
//!
//! let request = Request::get("http://example.com/wait").body(String::new()).unwrap();
//! let response = service.ready().await?.call(request).await?;
//! assert_eq!(*response.body(), "ready");
//! assert_eq!(response.extensions().get::<FinalUrl>().unwrap().url().path(), "/ready");
//! assert_eq!(response.extensions().get::<RedirectHistory>().unwrap().0.len(), 1);
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Buf;
use clientcookie_jar::RequestFacts;
use http::{request, Method, Request, Response, Uri};
use http_body::Body;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use url::Url;

use crate::extensions::{HopBudget, RequestUrl};
use crate::redirect::future::{later_hop_facts, prepare_next_hop, start_chain};
use crate::redirect::{FinalUrl, Hop, RedirectHistory, DEFAULT_MAX_REDIRECTS};

/// The `Refresh` header (a name made once, not parsed from text per lookup).
pub(crate) const REFRESH: http::HeaderName = http::HeaderName::from_static("refresh");

/// Whether `headers` has a `Refresh` field: asked of every response. For
/// the few fields of a usual response one look at each name is cheaper
/// than hashing `refresh` (a name `http` does not know).
pub(crate) fn has_refresh(headers: &http::HeaderMap) -> bool {
    if headers.len() <= 8 {
        headers.keys().any(|name| name.as_str() == "refresh")
    } else {
        headers.contains_key(REFRESH)
    }
}

/// Refreshes of at most this delay are followed by default (30 s).
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(30);

/// What a `Refresh` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresh {
    /// How long to wait before going.
    pub delay: Duration,
    /// Where to go, as written (relative or absolute, quotes removed);
    /// `None` means the same page.
    pub url: Option<String>,
}

/// Parses a `Refresh` header value (or `<meta http-equiv=refresh>`
/// content) leniently, as browsers do (HTML "shared declarative refresh
/// steps"), and as the seed did, also accepting fractional delays.
///
/// `5`, `5; url=/next`, `5;URL='/next'`, `0.5, /next`, `5 /next` and `.5`
/// all parse; a value that does not start with a number (after spaces),
/// or whose number runs into other text (`5x`), is garbage: `None`.
///
/// ```
/// use std::time::Duration;
/// use clientcookie_layers::refresh::{parse_refresh, Refresh};
///
/// assert_eq!(
///     parse_refresh(b"2.5; URL='/next?a=1'"),
///     Some(Refresh { delay: Duration::from_millis(2500), url: Some("/next?a=1".into()) })
/// );
/// assert_eq!(parse_refresh(b"10"), Some(Refresh { delay: Duration::from_secs(10), url: None }));
/// assert_eq!(parse_refresh(b"soon"), None);
/// ```
pub fn parse_refresh(value: &[u8]) -> Option<Refresh> {
    let text = String::from_utf8_lossy(value);
    let s = text.trim_start_matches(is_space);
    // The delay: digits, then an optional fraction.
    let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let (int, rest) = s.split_at(int_len);
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(after) => {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            after.split_at(n)
        }
        None => ("", rest),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let delay = delay(int, frac);
    // What follows the number: nothing, or a separator.
    let Some(first) = rest.chars().next() else {
        return Some(Refresh { delay, url: None });
    };
    if !(first == ';' || first == ',' || is_space(first)) {
        return None;
    }
    let mut rest = rest.trim_start_matches(is_space);
    if let Some(after) = rest.strip_prefix([';', ',']) {
        rest = after.trim_start_matches(is_space);
    }
    // An optional `url=`.
    if rest.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("url")) {
        let after = rest[3..].trim_start_matches(is_space);
        if let Some(after) = after.strip_prefix('=') {
            rest = after.trim_start_matches(is_space);
        }
    }
    // Optional quotes: up to the matching one, or the end.
    let url = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &rest[1..];
            inner.find(quote).map_or(inner, |end| &inner[..end])
        }
        _ => rest,
    };
    let url = url.trim_matches(is_space);
    Some(Refresh {
        delay,
        url: (!url.is_empty()).then(|| url.to_owned()),
    })
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Seconds and fraction digits as a `Duration`; absurdly large delays
/// saturate (they exceed any `max_delay` anyway).
fn delay(int: &str, frac: &str) -> Duration {
    let secs = if int.is_empty() {
        0
    } else {
        int.parse::<u64>().unwrap_or(u64::MAX)
    };
    let mut nanos = 0u32;
    let mut scale = 100_000_000u32;
    for digit in frac.bytes().take(9) {
        nanos += u32::from(digit - b'0') * scale;
        scale /= 10;
    }
    Duration::new(secs, nanos)
}

/// Follows qualifying `Refresh` headers; see the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct RefreshLayer {
    max_delay: Duration,
    honor_time: bool,
    max_redirects: usize,
}

impl Default for RefreshLayer {
    fn default() -> Self {
        RefreshLayer::new()
    }
}

impl RefreshLayer {
    /// Follow refreshes of at most [`DEFAULT_MAX_DELAY`], at once, within a
    /// budget of [`DEFAULT_MAX_REDIRECTS`] when the request brings none.
    pub fn new() -> RefreshLayer {
        RefreshLayer {
            max_delay: DEFAULT_MAX_DELAY,
            honor_time: false,
            max_redirects: DEFAULT_MAX_REDIRECTS,
        }
    }

    /// Follow refreshes whose delay is at most `max`; `Duration::ZERO`
    /// follows only immediate ones.
    ///
    /// ```
    /// use std::time::Duration;
    /// let layer = clientcookie_layers::refresh::RefreshLayer::new().max_delay(Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn max_delay(mut self, max: Duration) -> RefreshLayer {
        self.max_delay = max;
        self
    }

    /// Wait the refresh's delay before following it (the seed's
    /// `honor_time`). Off by default.
    ///
    /// ```
    /// let layer = clientcookie_layers::refresh::RefreshLayer::new().honor_time(true);
    /// ```
    #[must_use]
    pub fn honor_time(mut self, honor: bool) -> RefreshLayer {
        self.honor_time = honor;
        self
    }

    /// The budget made for a request that brings no [`HopBudget`].
    ///
    /// ```
    /// let layer = clientcookie_layers::refresh::RefreshLayer::new().max_redirects(3);
    /// ```
    #[must_use]
    pub fn max_redirects(mut self, max: usize) -> RefreshLayer {
        self.max_redirects = max;
        self
    }
}

impl RefreshLayer {
    pub(crate) fn honor_time_is_on(&self) -> bool {
        self.honor_time
    }
}

impl<S> Layer<S> for RefreshLayer {
    type Service = RefreshService<S>;

    fn layer(&self, inner: S) -> RefreshService<S> {
        RefreshService {
            inner,
            config: *self,
        }
    }
}

/// The service [`RefreshLayer`] makes. Follow-up requests get
/// `B::default()` as their (empty) body.
#[derive(Debug, Clone)]
pub struct RefreshService<S> {
    inner: S,
    config: RefreshLayer,
}

impl<S> RefreshService<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> RefreshService<S> {
        RefreshLayer::new().layer(inner)
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

impl<S, B, ResB> Service<Request<B>> for RefreshService<S>
where
    S: Service<Request<B>, Response = Response<ResB>> + Clone,
    B: Default,
    ResB: Body,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let budget = start_chain(&mut parts, self.config.max_redirects);
        // The service that said it was ready takes this request; the clone
        // stays behind for the next one.
        let clone = self.inner.clone();
        let mut service = std::mem::replace(&mut self.inner, clone);
        let future = service.call(Request::from_parts(parts.clone(), body));
        ResponseFuture {
            state: State::Calling { future },
            chain: Chain {
                service,
                config: self.config,
                template: parts,
                state: RefreshState::new(self.config),
                first: None,
                moved: None,
                history: Vec::new(),
                budget,
                facts: None,
            },
        }
    }
}

pin_project! {
    /// The response future of [`RefreshService`].
    pub struct ResponseFuture<S, B, ResB>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S::Future, Request<B>, ResB>,
        chain: Chain<S>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, R, ResB> {
        Calling { #[pin] future: F },
        // Reading the refreshing page's body, then waiting or sending.
        Draining { #[pin] body: ResB, drained: usize, delay: Duration, request: Option<R> },
        Sleeping { #[pin] sleep: tokio::time::Sleep, request: Option<R> },
        Sending { request: Option<R> },
        Done,
    }
}

struct Chain<S> {
    service: S,
    config: RefreshLayer,
    // The first request's head, as the refreshes so far have changed it.
    template: request::Parts,
    // The first request's URL (`None` inside when its URI is no URL),
    // parsed at the first Refresh, before the template changes.
    first: Option<Option<Url>>,
    // The URL of the request in flight when it is not the first one's.
    moved: Option<Url>,
    // What the Refreshes of this chain decided so far.
    state: RefreshState,
    history: Vec<Hop>,
    budget: HopBudget,
    // The facts of every later hop, made at the first Refresh followed.
    facts: Option<RequestFacts>,
}

impl<S, B, ResB> Future for ResponseFuture<S, B, ResB>
where
    S: Service<Request<B>, Response = Response<ResB>>,
    B: Default,
    ResB: Body,
{
    type Output = Result<Response<ResB>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Calling { future } => {
                    let response = match ready!(future.poll(cx)) {
                        Ok(response) => response,
                        Err(error) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(error));
                        }
                    };
                    match this.chain.next_hop(&response) {
                        None => {
                            this.state.set(State::Done);
                            return Poll::Ready(Ok(this.chain.finish(response)));
                        }
                        Some((delay, request)) => {
                            this.state.set(State::Draining {
                                body: response.into_body(),
                                drained: 0,
                                delay,
                                request: Some(request),
                            });
                        }
                    }
                }
                StateProj::Draining {
                    mut body,
                    drained,
                    delay,
                    request,
                } => {
                    while *drained <= DRAIN_LIMIT {
                        match ready!(body.as_mut().poll_frame(cx)) {
                            Some(Ok(frame)) => {
                                *drained += frame.data_ref().map_or(0, |d| d.remaining());
                            }
                            Some(Err(_)) | None => break,
                        }
                    }
                    let (delay, request) = (*delay, request.take());
                    if this.chain.config.honor_time && !delay.is_zero() {
                        let sleep = tokio::time::sleep(delay);
                        this.state.set(State::Sleeping { sleep, request });
                    } else {
                        this.state.set(State::Sending { request });
                    }
                }
                StateProj::Sleeping { sleep, request } => {
                    ready!(sleep.poll(cx));
                    let request = request.take();
                    this.state.set(State::Sending { request });
                }
                StateProj::Sending { request } => {
                    if let Err(error) = ready!(this.chain.service.poll_ready(cx)) {
                        this.state.set(State::Done);
                        return Poll::Ready(Err(error));
                    }
                    let Some(request) = request.take() else {
                        panic!("refresh ResponseFuture polled after completion");
                    };
                    let future = this.chain.service.call(request);
                    this.state.set(State::Calling { future });
                }
                StateProj::Done => panic!("refresh ResponseFuture polled after completion"),
            }
        }
    }
}

/// How much of a refreshing page's body is read (and dropped) so the
/// connection can be reused; past this the body is just dropped.
const DRAIN_LIMIT: usize = 64 * 1024;

/// What a chain's Refreshes decided so far: the URLs fetched and those
/// reloaded once. Shared by [`RefreshService`] and a
/// [`RedirectLayer`](crate::redirect::RedirectLayer) that follows
/// refreshes itself ([`follow_refresh`](crate::redirect::RedirectLayer::follow_refresh)).
#[derive(Debug)]
pub(crate) struct RefreshState {
    pub(crate) config: RefreshLayer,
    // The URLs fetched so far; filled at the first Refresh followed (with
    // the first request's too), so a response without one costs nothing.
    seen: Vec<Url>,
    reloaded: Vec<Url>,
    started: bool,
}

impl RefreshState {
    pub(crate) fn new(config: RefreshLayer) -> RefreshState {
        RefreshState {
            config,
            seen: Vec::new(),
            reloaded: Vec::new(),
            started: false,
        }
    }

    /// Whether the `Refresh` in `headers` (of the response to `current`,
    /// in a chain of refreshes that began at `first`) is followed: its
    /// delay, the URL and its URI. Uses a hop of `budget` when it is.
    pub(crate) fn decide(
        &mut self,
        headers: &http::HeaderMap,
        current: &Url,
        first: Option<&Url>,
        budget: &HopBudget,
    ) -> Option<(Duration, Url, Uri)> {
        let value = headers.get(REFRESH)?;
        let Some(refresh) = parse_refresh(value.as_bytes()) else {
            tracing::debug!(?value, "unparsable Refresh: ignored");
            return None;
        };
        if refresh.delay > self.config.max_delay {
            tracing::debug!(
                delay = ?refresh.delay, max_delay = ?self.config.max_delay,
                "Refresh delay above max_delay: not followed"
            );
            return None;
        }
        let mut next = match &refresh.url {
            Some(url) => match current.join(url) {
                Ok(next) => next,
                Err(_) => {
                    tracing::debug!(%url, %current, "Refresh URL is no URL: not followed");
                    return None;
                }
            },
            None => current.clone(),
        };
        if !matches!(next.scheme(), "http" | "https") {
            tracing::debug!(%next, "Refresh to a scheme other than http(s): not followed");
            return None;
        }
        next.set_fragment(None);
        let uri: Uri = next.as_str().parse().ok()?;
        if !self.started {
            // The first Refresh: remember where the chain began.
            self.started = true;
            if let Some(first) = first {
                self.seen.push(first.clone());
            }
        }
        if self.seen.contains(&next) {
            if self.reloaded.contains(&next) {
                tracing::debug!(%next, "second Refresh to a URL already fetched: not followed");
                return None;
            }
            self.reloaded.push(next.clone());
        }
        if !budget.try_take() {
            tracing::debug!(%next, "hop budget used up: Refresh not followed");
            return None;
        }
        tracing::debug!(from = %current, to = %next, delay = ?refresh.delay, "following Refresh");
        self.seen.push(next.clone());
        Some((refresh.delay, next, uri))
    }
}

/// Turn `template` (the head of the request that was answered with a
/// Refresh) into the head of the refresh hop to `next`: a `GET` without
/// body, with `facts`.
pub(crate) fn refresh_hop(
    template: &mut request::Parts,
    current: &Url,
    next: &Url,
    uri: Uri,
    facts: &RequestFacts,
) {
    prepare_next_hop(template, current, next, false);
    template.method = Method::GET;
    RequestUrl::set(&mut template.extensions, uri.clone(), next.clone());
    template.uri = uri;
    template.extensions.insert(facts.clone());
}

impl<S> Chain<S> {
    /// The delay and request of the refresh to follow, if any.
    fn next_hop<B: Default, ResB>(
        &mut self,
        response: &Response<ResB>,
    ) -> Option<(Duration, Request<B>)> {
        if !has_refresh(response.headers()) {
            return None;
        }
        let template = &self.template;
        let first = self
            .first
            .get_or_insert_with(|| crate::extensions::url_of(&template.uri, &template.extensions))
            .as_ref();
        let current = self.moved.as_ref().or(first)?;
        let (delay, next, uri) =
            self.state
                .decide(response.headers(), current, first, &self.budget)?;
        let current = current.clone();
        let facts = self
            .facts
            .get_or_insert_with(|| later_hop_facts(&self.template));
        self.history.push(Hop {
            url: current.clone(),
            status: response.status(),
        });
        refresh_hop(&mut self.template, &current, &next, uri, facts);
        self.moved = Some(next);
        Some((
            delay,
            Request::from_parts(self.template.clone(), B::default()),
        ))
    }

    /// The final response; when refreshes were followed, with the history
    /// and final URL in its extensions.
    fn finish<ResB>(&mut self, mut response: Response<ResB>) -> Response<ResB> {
        if self.history.is_empty() {
            return response;
        }
        let extensions = response.extensions_mut();
        let mut history = std::mem::take(&mut self.history);
        // A layer inside that followed things too (another refresh layer,
        // a redirect layer): its hops come after ours.
        if let Some(inner) = extensions.remove::<RedirectHistory>() {
            history.extend(inner.0);
        }
        extensions.insert(RedirectHistory(history));
        if extensions.get::<FinalUrl>().is_none() {
            if let Some(url) = self.moved.take() {
                extensions.insert(FinalUrl::new(url));
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(s: &str) -> Option<(Duration, Option<String>)> {
        parse_refresh(s.as_bytes()).map(|r| (r.delay, r.url))
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_delay_alone_means_the_same_page() {
        assert_eq!(parsed("5"), Some((secs(5), None)));
        assert_eq!(parsed("  0  "), Some((secs(0), None)));
        assert_eq!(parsed("3;"), Some((secs(3), None)));
        assert_eq!(parsed("3; url="), Some((secs(3), None)));
    }

    #[test]
    fn the_url_may_follow_url_equals_in_any_case_and_spacing() {
        for s in [
            "5; url=/next",
            "5;url=/next",
            "5 ; URL = /next",
            "5, Url=/next",
            "5 /next",
            "5;/next",
        ] {
            assert_eq!(parsed(s), Some((secs(5), Some("/next".into()))), "{s}");
        }
    }

    #[test]
    fn quotes_around_the_url_are_removed() {
        assert_eq!(
            parsed("1; url='/a b'"),
            Some((secs(1), Some("/a b".into())))
        );
        assert_eq!(
            parsed("1; url=\"/a\"junk"),
            Some((secs(1), Some("/a".into())))
        );
        assert_eq!(
            parsed("1; url='/unterminated"),
            Some((secs(1), Some("/unterminated".into())))
        );
    }

    #[test]
    fn fractional_delays_are_kept() {
        assert_eq!(parsed("0.5"), Some((Duration::from_millis(500), None)));
        assert_eq!(
            parsed(".25;url=x"),
            Some((Duration::from_millis(250), Some("x".into())))
        );
        assert_eq!(parsed("2."), Some((secs(2), None)));
    }

    #[test]
    fn garbage_is_ignored() {
        for s in [
            "",
            "   ",
            "soon",
            "-1; url=/x",
            "5x",
            "url=/x",
            ";5",
            "\u{1F600}",
            ".",
        ] {
            assert_eq!(parsed(s), None, "{s:?}");
        }
    }

    #[test]
    fn huge_delays_saturate() {
        let r = parse_refresh(b"99999999999999999999999999; url=/x").unwrap();
        assert_eq!(r.delay, secs(u64::MAX));
    }

    #[test]
    fn bytes_that_are_not_utf8_do_not_break_parsing() {
        let r = parse_refresh(b"1; url=/caf\xe9").unwrap();
        assert_eq!(r.delay, secs(1));
        assert!(r.url.unwrap().starts_with("/caf"));
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_refresh(&bytes);
        }

        #[test]
        fn written_delay_and_url_round_trip(
            delay in 0u64..100_000,
            url in "[a-zA-Z0-9/._?=&-]{1,30}",
            sep in prop_oneof![Just(";"), Just(","), Just("; url="), Just(";URL= ")],
        ) {
            // `url` itself must not look like `url=` after a bare separator.
            prop_assume!(!url.to_ascii_lowercase().starts_with("url"));
            let value = format!("{delay}{sep}{url}");
            let r = parse_refresh(value.as_bytes()).unwrap();
            prop_assert_eq!(r.delay, secs(delay));
            prop_assert_eq!(r.url.as_deref(), Some(url.as_str()));
        }

        #[test]
        fn a_value_not_starting_with_a_number_is_garbage(s in "[a-zA-Z;,=/-][ -~]{0,20}") {
            prop_assert_eq!(parse_refresh(s.as_bytes()), None);
        }
    }
}
