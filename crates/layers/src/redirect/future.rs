//! The redirect layer's response future: a small state machine over hops.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use clientcookie_jar::RequestFacts;
use http::header::{self, HeaderMap, HeaderName};
use http::{request, Method, Request, Response, Uri};
use http_body::Body;
use pin_project_lite::pin_project;
use tower_service::Service;
use url::Url;

use super::{BoxError, FinalUrl, Hop, RedirectError, RedirectHistory, RedirectLayer, ReplayBody};
use crate::extensions::{CookieHeaderFromJar, HopBudget, RequestUrl};

/// How much of an intermediate 3xx response's body is read (and dropped)
/// so the connection can be reused; past this the body is just dropped.
const DRAIN_LIMIT: usize = 64 * 1024;

const COOKIE2: HeaderName = HeaderName::from_static("cookie2");

pin_project! {
    /// The response future of [`Redirect`](super::Redirect).
    pub struct ResponseFuture<S, B, ResB>
    where
        S: Service<Request<ReplayBody<B>>>,
    {
        #[pin]
        state: State<S::Future, B, ResB, Request<ReplayBody<B>>>,
        chain: Chain<S>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B, ResB, R> {
        // Reading the first request's body so it can be replayed; `head` is
        // that request's.
        Collecting { #[pin] body: B, chunks: Vec<Bytes>, len: usize, limit: usize, head: Option<request::Parts> },
        // Waiting for the service to be ready, then sending `request`.
        Sending { request: Option<R> },
        Calling { #[pin] future: F },
        // Reading an intermediate response's body, then sending `request`
        // (after `wait`, for a Refresh followed with `honor_time`).
        Draining { #[pin] body: ResB, drained: usize, request: Option<R>, wait: Option<Duration> },
        // Waiting a Refresh's delay, then sending `request`.
        Sleeping { sleep: Pin<Box<dyn Future<Output = ()> + Send + Sync>>, request: Option<R> },
        Done,
    }
}

/// What the future keeps between hops.
struct Chain<S> {
    service: S,
    // The service has reported ready and not been called since.
    service_ready: bool,
    // The next hop's request, body aside: the first request's head as the
    // redirects so far have changed it. Its extensions are the caller's;
    // the budget is added at the first hop followed.
    template: request::Parts,
    // The body to send again, when it was kept.
    body: Option<Bytes>,
    // The first request's URL (`None` inside when its URI is no URL),
    // parsed at the first need: most responses are no redirect, and their
    // final URL is the URI, parsed only if someone asks (`FinalUrl`). Read
    // from the template's URI, so it is parsed before the first redirect
    // changes that.
    first: Option<Option<Url>>,
    // The URL of the request in flight when it is not the first one's.
    moved: Option<Url>,
    history: Vec<Hop>,
    // The hops followed so far, for loop detection; filled at the first
    // redirect (with the first request too), so a response that is no
    // redirect costs nothing here.
    seen: Vec<(Method, Url)>,
    // The chain's hop budget: the caller's (already in the request), or
    // made at the first hop followed, so a response that is no redirect
    // costs no allocation and no extension here.
    budget: Option<HopBudget>,
    max_hops: usize,
    // `RedirectLayer::final_url_always`.
    final_url_always: bool,
    // `Redirect::default_headers`, until the first hop followed adds them
    // to the template.
    defaults: Option<Arc<HeaderMap>>,
    // The facts of every later hop, made at the first redirect or Refresh
    // followed.
    facts: Option<RequestFacts>,
    // A redirect has been followed.
    redirected: bool,
    // Following Refreshes too (`RedirectLayer::follow_refresh`).
    #[cfg(feature = "refresh")]
    refresh: Option<RefreshFollow>,
}

/// The Refreshes followed since the last redirect, as a `RefreshLayer`
/// inside would see them: that layer is called afresh for each redirect
/// hop, so this starts again at each.
#[cfg(feature = "refresh")]
struct RefreshFollow {
    state: crate::refresh::RefreshState,
    // The head of the next refresh hop: the redirect template of this hop,
    // copied at the first Refresh followed, as the refresh layer's own.
    template: Option<request::Parts>,
    // The URL this run of refreshes began at, when it is not the first
    // request's.
    start: Option<Url>,
}

enum Next<R> {
    Return,
    Follow(R),
}

impl<S, B, ResB> ResponseFuture<S, B, ResB>
where
    S: Service<Request<ReplayBody<B>>, Response = Response<ResB>>,
    B: Body<Data = Bytes>,
{
    pub(super) fn new(
        service: S,
        request: Request<B>,
        config: RedirectLayer,
        defaults: Option<Arc<HeaderMap>>,
    ) -> Self {
        Self::start(service, true, request, config, defaults)
    }

    /// [`new`](Self::new) for a service not yet asked for readiness: the
    /// first hop asks it, as every later hop does.
    pub(super) fn unready(
        service: S,
        request: Request<B>,
        config: RedirectLayer,
        defaults: Option<Arc<HeaderMap>>,
    ) -> Self {
        Self::start(service, false, request, config, defaults)
    }

    fn start(
        service: S,
        service_ready: bool,
        request: Request<B>,
        config: RedirectLayer,
        defaults: Option<Arc<HeaderMap>>,
    ) -> Self {
        let (mut parts, body) = request.into_parts();
        // The head for later hops, copied before the default headers go in
        // (usually it then has no header at all, and the copy allocates
        // nothing); they are added to it at the first hop followed.
        let template = parts.clone();
        if let Some(defaults) = &defaults {
            add_defaults(&mut parts.headers, defaults);
        }
        let budget = parts.extensions.get::<HopBudget>().cloned();
        let hint = body.size_hint();
        let (state, kept) = if body.is_end_stream() {
            let request = Request::from_parts(parts, ReplayBody::empty());
            (
                State::Sending {
                    request: Some(request),
                },
                Some(Bytes::new()),
            )
        } else if hint
            .upper()
            .is_some_and(|upper| upper <= config.max_replay_body as u64)
        {
            let state = State::Collecting {
                body,
                chunks: Vec::new(),
                len: 0,
                limit: config.max_replay_body,
                head: Some(parts),
            };
            (state, None)
        } else {
            tracing::debug!(
                uri = %parts.uri,
                "request body too large or of unknown size: streamed, cannot be replayed"
            );
            let request = Request::from_parts(parts, ReplayBody::streaming(body));
            (
                State::Sending {
                    request: Some(request),
                },
                None,
            )
        };
        ResponseFuture {
            state,
            chain: Chain {
                service,
                service_ready,
                template,
                body: kept,
                first: None,
                moved: None,
                history: Vec::new(),
                seen: Vec::new(),
                budget,
                max_hops: config.max_redirects,
                final_url_always: config.final_url_always,
                defaults,
                facts: None,
                redirected: false,
                #[cfg(feature = "refresh")]
                refresh: config.refresh.map(|config| RefreshFollow {
                    state: crate::refresh::RefreshState::new(config),
                    template: None,
                    start: None,
                }),
            },
        }
    }
}

impl<S, B, ResB> Future for ResponseFuture<S, B, ResB>
where
    S: Service<Request<ReplayBody<B>>, Response = Response<ResB>>,
    S::Error: Into<BoxError>,
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
    ResB: Body,
{
    type Output = Result<Response<ResB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Collecting {
                    mut body,
                    chunks,
                    len,
                    limit,
                    head,
                } => {
                    let error: Option<BoxError> = loop {
                        match ready!(body.as_mut().poll_frame(cx)) {
                            Some(Ok(frame)) => {
                                if let Ok(data) = frame.into_data() {
                                    *len += data.len();
                                    chunks.push(data);
                                }
                                if *len > *limit {
                                    break Some(Box::new(BodyExceededHint(*limit)));
                                }
                            }
                            Some(Err(error)) => break Some(error.into()),
                            None => break None,
                        }
                    };
                    if let Some(error) = error {
                        this.state.set(State::Done);
                        return Poll::Ready(Err(RedirectError::Body(error).into()));
                    }
                    let bytes = concat(std::mem::take(chunks), *len);
                    this.chain.body = Some(bytes.clone());
                    let Some(head) = head.take() else {
                        panic!("redirect ResponseFuture polled after completion");
                    };
                    let request = Request::from_parts(head, ReplayBody::full(bytes));
                    this.state.set(State::Sending {
                        request: Some(request),
                    });
                }
                StateProj::Sending { request } => {
                    if !this.chain.service_ready {
                        if let Err(error) = ready!(this.chain.service.poll_ready(cx)) {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(error.into()));
                        }
                    }
                    this.chain.service_ready = false;
                    let Some(request) = request.take() else {
                        panic!("redirect ResponseFuture polled after completion");
                    };
                    let future = this.chain.service.call(request);
                    this.state.set(State::Calling { future });
                }
                StateProj::Calling { future } => {
                    // Bound once, mutable, and finished in place: each
                    // rebinding of the response was a copy of it.
                    let mut response = match ready!(future.poll(cx)) {
                        Ok(response) => response,
                        Err(error) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(error.into()));
                        }
                    };
                    #[cfg(feature = "refresh")]
                    if let Some((wait, request)) = this.chain.refresh_hop(&response) {
                        this.state.set(State::Draining {
                            body: response.into_body(),
                            drained: 0,
                            request: Some(request),
                            wait,
                        });
                        continue;
                    }
                    this.chain.absorb(&response);
                    match this.chain.next_hop(&response) {
                        Ok(Next::Return) => {
                            this.chain.finish(&mut response);
                            this.state.set(State::Done);
                            return Poll::Ready(Ok(response));
                        }
                        Ok(Next::Follow(request)) => {
                            let body = response.into_body();
                            this.state.set(State::Draining {
                                body,
                                drained: 0,
                                request: Some(request),
                                wait: None,
                            });
                        }
                        Err(error) => {
                            tracing::debug!(%error, "redirect refused");
                            this.state.set(State::Done);
                            return Poll::Ready(Err(error.into()));
                        }
                    }
                }
                StateProj::Draining {
                    mut body,
                    drained,
                    request,
                    wait,
                } => {
                    while *drained <= DRAIN_LIMIT {
                        match ready!(body.as_mut().poll_frame(cx)) {
                            Some(Ok(frame)) => {
                                *drained += frame.data_ref().map_or(0, |d| d.remaining());
                            }
                            Some(Err(_)) | None => break,
                        }
                    }
                    let request = request.take();
                    match wait.take() {
                        #[cfg(feature = "refresh")]
                        Some(delay) => {
                            let sleep = Box::pin(tokio::time::sleep(delay));
                            this.state.set(State::Sleeping { sleep, request });
                        }
                        _ => this.state.set(State::Sending { request }),
                    }
                }
                StateProj::Sleeping { sleep, request } => {
                    ready!(sleep.as_mut().poll(cx));
                    let request = request.take();
                    this.state.set(State::Sending { request });
                }
                StateProj::Done => panic!("redirect ResponseFuture polled after completion"),
            }
        }
    }
}

/// Adds each of `defaults` that `headers` has no value of (the first
/// value of each name).
fn add_defaults(headers: &mut HeaderMap, defaults: &HeaderMap) {
    for (name, value) in defaults {
        if let header::Entry::Vacant(entry) = headers.entry(name) {
            entry.insert(value.clone());
        }
    }
}

/// A body that said it was small and was not.
#[derive(Debug)]
struct BodyExceededHint(usize);

impl std::fmt::Display for BodyExceededHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "request body larger than its size hint promised (over {} bytes)",
            self.0
        )
    }
}

impl std::error::Error for BodyExceededHint {}

fn concat(mut chunks: Vec<Bytes>, len: usize) -> Bytes {
    if chunks.len() == 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut buf = bytes::BytesMut::with_capacity(len);
    for chunk in chunks {
        buf.extend_from_slice(&chunk);
    }
    buf.freeze()
}

/// Scheme, host and port: what must stay the same for credentials to follow.
fn origin(url: &Url) -> (&str, Option<url::Host<&str>>, Option<u16>) {
    (url.scheme(), url.host(), url.port_or_known_default())
}

/// The chain's budget in `slot`, made now if there is none yet: `max_hops`
/// less the `done` hops a follower inside took before (see
/// `Chain::budget`).
fn chain_budget(slot: &mut Option<HopBudget>, max_hops: usize, done: usize) -> &HopBudget {
    slot.get_or_insert_with(|| HopBudget::new(max_hops.saturating_sub(done)))
}

/// What the standalone refresh layer takes from the first request of a
/// chain: the request's own hop budget, or a new one of `max_hops`, put
/// into the request so layers further in share it. (The redirect layer
/// makes its budget only at the first hop it follows: see `Chain::budget`.)
pub(crate) fn start_chain(parts: &mut request::Parts, max_hops: usize) -> HopBudget {
    match parts.extensions.get::<HopBudget>() {
        Some(budget) => budget.clone(),
        None => {
            let budget = HopBudget::new(max_hops);
            parts.extensions.insert(budget.clone());
            budget
        }
    }
}

/// The facts of every hop after the first of a chain that began with
/// `first` (the first request's head, not yet changed for a later hop):
/// unverifiable, with the first request's host as origin request-host,
/// unless the caller said that request was itself made on behalf of
/// another page. Made only when a hop is followed.
pub(crate) fn later_hop_facts(first: &request::Parts) -> RequestFacts {
    let origin_host = first
        .extensions
        .get::<RequestFacts>()
        .and_then(|f| f.origin_host.as_deref())
        .or_else(|| first.uri.host())
        .unwrap_or_default();
    RequestFacts::unverifiable_from(origin_host)
}

/// Make the head of the previous hop fit for the next one: without a body
/// (unless it is replayed), without credentials when the origin changes, and
/// without a Cookie header a jar made for the previous URL (the cookie layer
/// inside asks its jar again). Shared by redirects and followed Refreshes.
pub(crate) fn prepare_next_hop(
    template: &mut request::Parts,
    current: &Url,
    next: &Url,
    keep_body: bool,
) {
    if !keep_body {
        drop_content_headers(&mut template.headers);
    }
    if origin(current) != origin(next) {
        for name in [
            header::AUTHORIZATION,
            header::PROXY_AUTHORIZATION,
            header::COOKIE,
            COOKIE2,
            header::HOST,
        ] {
            template.headers.remove(name);
        }
    }
    if template
        .extensions
        .remove::<CookieHeaderFromJar>()
        .is_some()
    {
        template.headers.remove(header::COOKIE);
        template.headers.remove(COOKIE2);
    }
}

fn drop_content_headers(headers: &mut http::HeaderMap) {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("content-"))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
    headers.remove(header::TRANSFER_ENCODING);
}

impl<S> Chain<S> {
    /// Takes in what a layer inside that follows things too (refresh) did
    /// to produce `response`: its hops, in order, and the URL
    /// it ended at, which a relative `Location` is resolved against.
    fn absorb<ResB>(&mut self, response: &Response<ResB>) {
        let extensions = response.extensions();
        if let Some(inner) = extensions.get::<RedirectHistory>() {
            self.history.extend(inner.0.iter().cloned());
        }
        // Only a redirect needs it now; `finish` keeps the response's own.
        if response.status().is_redirection() {
            if let Some(url) = extensions.get::<FinalUrl>() {
                self.moved = Some(url.url().clone());
            }
        }
    }

    /// Whether to follow `response`, and the request that does.
    fn next_hop<B, ResB>(
        &mut self,
        response: &Response<ResB>,
    ) -> Result<Next<Request<ReplayBody<B>>>, RedirectError> {
        let status = response.status();
        if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            return Ok(Next::Return);
        }
        let Some(location) = response.headers().get(header::LOCATION) else {
            tracing::debug!(%status, "redirect without Location: not followed");
            return Ok(Next::Return);
        };
        let Some(current) = self.current().cloned() else {
            tracing::debug!(uri = %self.template.uri, "request URI is not a URL: redirect not followed");
            return Ok(Next::Return);
        };
        let invalid = || RedirectError::InvalidLocation {
            url: current.clone(),
            location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
        };
        let text = location.to_str().map_err(|_| invalid())?;
        let mut next = current.join(text.trim()).map_err(|_| invalid())?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(RedirectError::UnsupportedScheme { location: next });
        }
        // http::Uri has no fragment; a fragment never goes to the server anyway.
        next.set_fragment(None);
        let uri: Uri = next.as_str().parse().map_err(|_| invalid())?;

        // Fetch §4.4 HTTP-redirect fetch, step 12: what browsers do.
        let method = &self.template.method;
        let (method, keep_body) = match status.as_u16() {
            303 if *method == Method::HEAD => (Method::HEAD, false),
            303 => (Method::GET, false),
            301 | 302 if *method == Method::POST => (Method::GET, false),
            _ => (method.clone(), true),
        };
        if keep_body && self.body.is_none() {
            tracing::debug!(
                %status, url = %current, location = %next,
                "the request body was streamed and cannot be sent again: returning the redirect"
            );
            return Ok(Next::Return);
        }

        if !self.redirected {
            // The first redirect: the template is still the first request.
            self.redirected = true;
            self.add_defaults_to_template();
            if self.facts.is_none() {
                self.facts = Some(later_hop_facts(&self.template));
            }
            // Read before the template changes below.
            if let Some(first) = self.first().cloned() {
                self.seen.push((self.template.method.clone(), first));
            }
            let budget = self.budget().clone();
            self.template.extensions.insert(budget);
        }
        self.history.push(Hop {
            url: current.clone(),
            status,
        });
        if self.seen.iter().any(|(m, u)| *m == method && *u == next) {
            return Err(RedirectError::Loop { url: next });
        }
        if !self.budget().try_take() {
            return Err(RedirectError::TooManyRedirects {
                history: RedirectHistory(std::mem::take(&mut self.history)),
            });
        }
        self.seen.push((method.clone(), next.clone()));
        let origin_changed = origin(&current) != origin(&next);
        tracing::debug!(
            hop = self.history.len(),
            %status,
            from = %current,
            to = %next,
            %method,
            method_changed = method != self.template.method,
            origin_changed,
            body_replayed = keep_body,
            "following redirect"
        );

        if !keep_body {
            self.body = Some(Bytes::new());
        }
        let template = &mut self.template;
        prepare_next_hop(template, &current, &next, keep_body);
        template.method = method;
        RequestUrl::set(&mut template.extensions, uri.clone(), next.clone());
        template.uri = uri;
        if let Some(facts) = &self.facts {
            template.extensions.insert(facts.clone());
        }
        // Fetch §4.4 HTTP-redirect fetch, step 14: a redirect's own
        // Referrer-Policy replaces the request's for the rest of the chain.
        #[cfg(feature = "referer")]
        if let Some(policy) = crate::referer::policy_of(response.headers()) {
            tracing::trace!(%policy, "the redirect sets the referrer policy of the next hop");
            template.extensions.insert(policy);
        }
        #[cfg(feature = "refresh")]
        if let Some(follow) = &mut self.refresh {
            // The refresh layer inside would be called afresh for this hop.
            follow.state = crate::refresh::RefreshState::new(follow.state.config);
            follow.template = None;
            follow.start = Some(next.clone());
        }
        self.moved = Some(next);

        let body = match &self.body {
            Some(bytes) => ReplayBody::full(bytes.clone()),
            None => ReplayBody::empty(),
        };
        Ok(Next::Follow(Request::from_parts(template.clone(), body)))
    }

    /// The final response, with what the chain learnt in its extensions.
    fn finish<ResB>(&mut self, response: &mut Response<ResB>) {
        let status = response.status();
        let extensions = response.extensions_mut();
        // A final URL from inside (a layer that followed things, a client
        // that knows where the response came from) is the one `absorb`
        // would have taken: kept as it is. Without `final_url_always`, a
        // response to the first request gets none from this layer.
        let wanted = self.final_url_always || self.moved.is_some();
        if wanted && extensions.get::<FinalUrl>().is_none() {
            let url = match (self.moved.take(), self.first.take()) {
                (Some(url), _) | (None, Some(Some(url))) => Some(FinalUrl::new(url)),
                (None, Some(None)) => None,
                // Nothing followed, nothing parsed: the first request's
                // URI, which the template still is.
                (None, None) => FinalUrl::from_uri(std::mem::take(&mut self.template.uri)),
            };
            if let Some(url) = url {
                extensions.insert(url);
            }
        }
        if !self.history.is_empty() {
            tracing::debug!(
                hops = self.history.len(),
                %status,
                url = %extensions.get::<FinalUrl>().map_or("", |u| u.url().as_str()),
                "redirect chain ended"
            );
        }
        // No history when nothing was followed: an empty one would cost an
        // allocation and an extension on nearly every response.
        if !self.history.is_empty() {
            extensions.insert(RedirectHistory(std::mem::take(&mut self.history)));
        }
    }

    /// Puts the default headers into the template (once): it then is the
    /// first request's head as it was sent.
    fn add_defaults_to_template(&mut self) {
        if let Some(defaults) = self.defaults.take() {
            add_defaults(&mut self.template.headers, &defaults);
        }
    }

    /// The chain's hop budget, made now if the caller brought none. Hops a
    /// follower inside took before this one made its budget (a
    /// `RefreshLayer` inside, which then used a budget of its own) are
    /// taken out of it, so a chain still follows `max_hops` at most.
    fn budget(&mut self) -> &HopBudget {
        chain_budget(&mut self.budget, self.max_hops, self.history.len())
    }

    /// The delay to wait (`None`: go at once) and the request of the
    /// Refresh to follow, if any.
    #[cfg(feature = "refresh")]
    fn refresh_hop<B, ResB>(
        &mut self,
        response: &Response<ResB>,
    ) -> Option<(Option<Duration>, Request<ReplayBody<B>>)> {
        self.refresh.as_ref()?;
        if !crate::refresh::has_refresh(response.headers()) {
            return None;
        }
        // Before the template changes (it does not here, but a redirect
        // after this one would).
        self.first();
        // The refresh hop is made from the template: with the defaults, as
        // the first request was sent (only a response with `Refresh` gets
        // here).
        self.add_defaults_to_template();
        let follow = self.refresh.as_mut()?;
        let first = self.first.as_ref().and_then(Option::as_ref);
        let current = self.moved.as_ref().or(first)?;
        let start = follow.start.as_ref().or(first);
        // (`Chain::budget`, with `self.refresh` borrowed above.)
        let budget = chain_budget(&mut self.budget, self.max_hops, self.history.len());
        let (delay, next, uri) = follow
            .state
            .decide(response.headers(), current, start, budget)?;
        let current = current.clone();
        let facts = self
            .facts
            .get_or_insert_with(|| later_hop_facts(&self.template));
        self.history.push(Hop {
            url: current.clone(),
            status: response.status(),
        });
        let template = follow.template.get_or_insert_with(|| {
            let mut template = self.template.clone();
            template.extensions.insert(budget.clone());
            template
        });
        crate::refresh::refresh_hop(template, &current, &next, uri, facts);
        let request = Request::from_parts(template.clone(), ReplayBody::empty());
        let config = follow.state.config;
        self.moved = Some(next);
        let wait = (config.honor_time_is_on() && !delay.is_zero()).then_some(delay);
        Some((wait, request))
    }

    /// The URL of the request in flight, if it is one.
    fn current(&mut self) -> Option<&Url> {
        if self.moved.is_some() {
            return self.moved.as_ref();
        }
        self.first()
    }

    /// The first request's URL, parsed now if it was not yet. Valid only
    /// while the template is still the first request's head: the first
    /// redirect reads it before changing the template.
    fn first(&mut self) -> Option<&Url> {
        let template = &self.template;
        self.first
            .get_or_insert_with(|| crate::extensions::url_of(&template.uri, &template.extensions))
            .as_ref()
    }
}
