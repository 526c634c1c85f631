//! The robots layer's response future: the request itself, and for the
//! request that fetches an origin's robots.txt, that fetch first.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Buf;
use http::{header, Request, Response, StatusCode, Uri};
use http_body::Body;
use pin_project_lite::pin_project;
use tokio::sync::oneshot;
use tokio::time::{Instant, Sleep};
use tower_service::Service;
use url::Url;

use super::cache::{Cache, Flight, Lookup, Policy, Shared};
use super::{agent_for, BoxError, Config, RobotsDenied, RobotsRules};

/// How much of a redirect's body is read (and dropped) so the connection
/// can be reused; past this the body is just dropped.
const DRAIN_LIMIT: usize = 64 * 1024;

pin_project! {
    /// The response future of [`Robots`](super::Robots).
    pub struct ResponseFuture<S, B, ResB>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S::Future, ResB>,
        // Everything a request that waits or fetches needs; `None` on the
        // fast path (answer cached, request sent at once).
        ctx: Option<Box<Ctx<S, B>>>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, ResB> {
        // The request itself is in flight.
        Calling { #[pin] future: F },
        Denied { error: Option<RobotsDenied> },
        // Another request is fetching this origin's robots.txt.
        Waiting { rx: oneshot::Receiver<Shared> },
        // Waiting for the service to be ready, then asking for robots.txt.
        FetchReady,
        Fetching { #[pin] future: F },
        Reading { #[pin] body: ResB },
        // Reading a redirect's body, then fetching its target.
        Draining { #[pin] body: ResB, drained: usize },
        // Allowed: waiting for the service to be ready, then sending.
        SendReady,
        Done,
    }
}

struct Ctx<S, B> {
    service: S,
    request: Option<Request<B>>,
    key: Box<str>,
    agent: Box<str>,
    config: Arc<Config>,
    cache: Arc<Cache>,
    fetch: Option<Fetch>,
}

/// The fetch this request leads.
struct Fetch {
    flight: Flight,
    /// The robots.txt URL asked for now (after redirects, another origin's).
    url: Url,
    redirects: usize,
    body: Vec<u8>,
    deadline: Pin<Box<Sleep>>,
}

/// How a fetch ended, in RFC 9309 §2.3.1's terms.
enum Outcome {
    Parsed(RobotsRules),
    Unavailable(&'static str),
    Unreachable(Cow<'static, str>),
}

/// What to do after a step of the state machine.
enum Step<ResB> {
    Send,
    Deny(RobotsDenied),
    Wait(oneshot::Receiver<Shared>),
    Fetch,
    Read(ResB),
    Drain(ResB),
}

impl<F, ResB> State<F, ResB> {
    fn from_step(step: Step<ResB>) -> Self {
        match step {
            Step::Send => State::SendReady,
            Step::Deny(error) => State::Denied { error: Some(error) },
            Step::Wait(rx) => State::Waiting { rx },
            Step::Fetch => State::FetchReady,
            Step::Read(body) => State::Reading { body },
            Step::Drain(body) => State::Draining { body, drained: 0 },
        }
    }
}

impl<S, B, ResB> ResponseFuture<S, B, ResB>
where
    S: Service<Request<B>, Response = Response<ResB>>,
{
    /// Sends `request` at once through `ready` (the layer's own service,
    /// which said it was ready), without looking at robots.txt: called here,
    /// within the layer's `call`, it need not be cloned for the future.
    pub(super) fn unchecked(ready: &mut S, request: Request<B>) -> Self {
        ResponseFuture {
            state: State::Calling {
                future: ready.call(request),
            },
            ctx: None,
        }
    }
}

/// Starts a checked request: `inner` is the layer's service, which said it
/// was ready. A request robots.txt already allows is sent through it at
/// once; any other takes it along (tower's clone-and-replace: the clone
/// stays in the layer, and is cloned again for a request that must wait).
pub(super) fn start<S, B, ResB>(
    inner: &mut S,
    request: Request<B>,
    key: &super::OriginKey,
    config: &Arc<Config>,
    cache: &Arc<Cache>,
) -> ResponseFuture<S, B, ResB>
where
    S: Service<Request<B>, Response = Response<ResB>> + Clone,
    B: Default,
{
    let lookup = cache.lookup(key.as_bytes(), Instant::now());
    if let Lookup::Hit(policy) = &lookup {
        // The agent is looked for only when the answer depends on it.
        let verdict = match &**policy {
            Policy::AllowAll => None,
            _ => judge(policy, &agent_for(config, &request), request.uri()),
        };
        return match verdict {
            None => ResponseFuture::unchecked(inner, request),
            Some(error) => ResponseFuture {
                state: State::Denied { error: Some(error) },
                ctx: None,
            },
        };
    }
    let clone = inner.clone();
    let ready = std::mem::replace(inner, clone);
    let idle = &*inner;
    let mut ctx = Box::new(Ctx {
        service: ready.clone(),
        request: None,
        key: key.as_str().into(),
        agent: agent_for(config, &request).into(),
        config: Arc::clone(config),
        cache: Arc::clone(cache),
        fetch: None,
    });
    let state = match lookup {
        Lookup::Hit(_) => unreachable_hit(),
        Lookup::Wait(rx) => {
            // Waiting must not hold what readiness reserved (a concurrency
            // permit, a buffer slot): the fetching request may need it.
            drop(ready);
            ctx.service = idle.clone();
            ctx.request = Some(request);
            State::Waiting { rx }
        }
        Lookup::Lead(flight) => {
            ctx.request = Some(request);
            match ctx.lead(flight) {
                Step::Fetch => {
                    // The ready service asks for robots.txt right away.
                    let fetch_request = ctx.robots_request();
                    ctx.service = ready;
                    match fetch_request {
                        Some(r) => State::Fetching {
                            future: ctx.service.call(r),
                        },
                        None => State::from_step(
                            ctx.conclude(Outcome::Unavailable("robots.txt URL is not a valid URI")),
                        ),
                    }
                }
                other => State::from_step(other),
            }
        }
    };
    ResponseFuture {
        state,
        ctx: Some(ctx),
    }
}

#[inline(never)]
#[cold]
fn unreachable_hit<T>() -> T {
    // `start` returns early on a hit.
    unreachable!("a cache hit is answered before a context is made")
}

/// `None` when `policy` lets `agent` fetch `uri`; else why not.
fn judge(policy: &Policy, agent: &str, uri: &Uri) -> Option<RobotsDenied> {
    let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let path = if path.is_empty() { "/" } else { path };
    let unreachable = match policy {
        Policy::AllowAll => return None,
        Policy::Rules(rules) if rules.is_allowed(agent, path) => return None,
        Policy::Rules(_) => false,
        Policy::DisallowAll => true,
    };
    tracing::debug!(%uri, agent, unreachable, "refused by robots.txt");
    Some(RobotsDenied {
        url: uri.clone(),
        user_agent: agent.into(),
        unreachable,
    })
}

fn far(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl)
        .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 24 * 60 * 60))
}

impl<S, B> Ctx<S, B>
where
    B: Default,
{
    /// Becomes the fetcher for this origin.
    fn lead<ResB>(&mut self, flight: Flight) -> Step<ResB> {
        let url = match Url::parse(&format!("{}/robots.txt", self.key)) {
            Ok(url) => url,
            Err(error) => {
                tracing::debug!(key = %self.key, %error, "no robots.txt URL for this origin");
                // Nothing to fetch: not the site's fault, so no restriction.
                let mut flight = flight;
                let policy = Arc::new(Policy::AllowAll);
                flight.complete(Arc::clone(&policy), far(Instant::now(), self.config.ttl));
                return self.decide(&policy);
            }
        };
        tracing::debug!(%url, "fetching robots.txt");
        self.fetch = Some(Fetch {
            flight,
            url,
            redirects: 0,
            body: Vec::new(),
            deadline: Box::pin(tokio::time::sleep(self.config.fetch_timeout)),
        });
        Step::Fetch
    }

    /// The request for the robots.txt now wanted: `GET`, with the
    /// original request's `User-Agent`, `From` and extensions.
    fn robots_request(&self) -> Option<Request<B>> {
        let fetch = self.fetch.as_ref()?;
        let uri: Uri = fetch.url.as_str().parse().ok()?;
        let mut request = Request::new(B::default());
        *request.uri_mut() = uri;
        if let Some(original) = &self.request {
            for name in [header::USER_AGENT, header::FROM] {
                if let Some(value) = original.headers().get(&name) {
                    request.headers_mut().insert(name, value.clone());
                }
            }
            *request.extensions_mut() = original.extensions().clone();
        }
        Some(request)
    }

    /// Whether the fetch ran out of time (registering for the wake-up if
    /// not).
    fn timed_out(&mut self, cx: &mut Context<'_>) -> bool {
        self.fetch
            .as_mut()
            .is_some_and(|fetch| fetch.deadline.as_mut().poll(cx).is_ready())
    }

    /// What the robots.txt response says to do next.
    fn on_response<ResB>(&mut self, response: Response<ResB>) -> Step<ResB> {
        let status = response.status();
        let Some(fetch) = self.fetch.as_mut() else {
            return self.conclude(Outcome::Unavailable("no fetch in progress"));
        };
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            let next = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| fetch.url.join(location.trim()).ok())
                .filter(|next| matches!(next.scheme(), "http" | "https"));
            let Some(mut next) = next else {
                return self.conclude(Outcome::Unavailable("redirect without a usable Location"));
            };
            if fetch.redirects >= self.config.max_redirects {
                return self.conclude(Outcome::Unavailable("too many redirects"));
            }
            next.set_fragment(None);
            tracing::debug!(%status, from = %fetch.url, to = %next, "robots.txt redirects");
            fetch.redirects += 1;
            fetch.url = next;
            return Step::Drain(response.into_body());
        }
        if status.is_success() {
            return Step::Read(response.into_body());
        }
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status.as_u16() >= 600
        {
            return self.conclude(Outcome::Unreachable(Cow::Owned(format!("status {status}"))));
        }
        self.conclude(Outcome::Unavailable("4xx or other status"))
    }

    /// Appends a chunk of the robots.txt body; `true` when the cap is
    /// reached and the rest is not needed.
    fn take_data(&mut self, data: &mut impl Buf) -> bool {
        let max = self.config.max_body;
        match self.fetch.as_mut() {
            Some(fetch) => append(&mut fetch.body, data, max),
            None => true,
        }
    }

    /// Parses what was read; `truncated` when the body went on past the cap.
    fn parsed(&mut self, truncated: bool) -> Outcome {
        let Some(fetch) = self.fetch.as_mut() else {
            return Outcome::Unavailable("no fetch in progress");
        };
        let mut bytes = &fetch.body[..];
        if truncated {
            // A line cut by the cap could read as a shorter, wider rule
            // (`Disallow: /private-stuff` cut to `Disallow: /p`): drop it.
            let end = bytes
                .iter()
                .rposition(|&b| b == b'\n' || b == b'\r')
                .map_or(0, |i| i + 1);
            bytes = &bytes[..end];
        }
        let text = String::from_utf8_lossy(bytes);
        let rules = RobotsRules::parse(&text);
        tracing::debug!(
            url = %fetch.url, bytes = bytes.len(), truncated, rules = rules.rule_count(),
            "robots.txt parsed"
        );
        Outcome::Parsed(rules)
    }

    /// Stores the fetch's answer for the origin (waking the waiters) and
    /// judges this request by it.
    fn conclude<ResB>(&mut self, outcome: Outcome) -> Step<ResB> {
        let Some(mut fetch) = self.fetch.take() else {
            return self.decide(&Arc::new(Policy::AllowAll));
        };
        let now = Instant::now();
        let (policy, expires) = match outcome {
            Outcome::Parsed(rules) => (Arc::new(Policy::Rules(rules)), far(now, self.config.ttl)),
            Outcome::Unavailable(why) => {
                tracing::debug!(url = %fetch.url, why, "robots.txt unavailable: everything allowed");
                (Arc::new(Policy::AllowAll), far(now, self.config.ttl))
            }
            Outcome::Unreachable(why) => {
                let retry = far(now, self.config.retry_after);
                match fetch.flight.stale() {
                    Some(stale) => {
                        tracing::debug!(url = %fetch.url, %why, "robots.txt unreachable: the previous answer stays in force");
                        (Arc::clone(stale), retry)
                    }
                    None => {
                        tracing::debug!(url = %fetch.url, %why, "robots.txt unreachable: everything disallowed");
                        (Arc::new(Policy::DisallowAll), retry)
                    }
                }
            }
        };
        fetch.flight.complete(Arc::clone(&policy), expires);
        self.decide(&policy)
    }

    fn decide<ResB>(&mut self, policy: &Policy) -> Step<ResB> {
        let Some(request) = &self.request else {
            return Step::Send;
        };
        match judge(policy, &self.agent, request.uri()) {
            None => Step::Send,
            Some(error) => Step::Deny(error),
        }
    }

    /// After the request this one waited for went away: ask the cache again.
    fn lookup_again<ResB>(&mut self) -> Step<ResB> {
        match self.cache.lookup(self.key.as_bytes(), Instant::now()) {
            Lookup::Hit(policy) => self.decide(&policy),
            Lookup::Wait(rx) => Step::Wait(rx),
            Lookup::Lead(flight) => self.lead(flight),
        }
    }
}

impl<S, B, ResB> Future for ResponseFuture<S, B, ResB>
where
    S: Service<Request<B>, Response = Response<ResB>>,
    S::Error: Into<BoxError>,
    B: Default,
    ResB: Body,
{
    type Output = Result<Response<ResB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let step = match this.state.as_mut().project() {
                StateProj::Calling { future } => {
                    // The inner poll returned as it is (its error made a
                    // `BoxError`): taken out and wrapped again, the
                    // response was copied twice. Polled again after its
                    // answer, the inner future says what it does then.
                    return future.poll(cx).map_err(Into::into);
                }
                StateProj::Denied { error } => {
                    let error = error.take();
                    this.state.set(State::Done);
                    return match error {
                        Some(error) => Poll::Ready(Err(error.into())),
                        None => panic!("robots ResponseFuture polled after completion"),
                    };
                }
                StateProj::Done => panic!("robots ResponseFuture polled after completion"),
                StateProj::Waiting { rx } => {
                    let result = ready!(Pin::new(rx).poll(cx));
                    let ctx = context(this.ctx);
                    match result {
                        Ok(policy) => ctx.decide(&policy),
                        Err(_) => ctx.lookup_again(),
                    }
                }
                StateProj::FetchReady => {
                    let ctx = context(this.ctx);
                    if ctx.timed_out(cx) {
                        ctx.conclude(Outcome::Unreachable("timed out".into()))
                    } else {
                        match ready!(ctx.service.poll_ready(cx)) {
                            Err(error) => {
                                let error: BoxError = error.into();
                                ctx.conclude(Outcome::Unreachable(Cow::Owned(error.to_string())))
                            }
                            Ok(()) => match ctx.robots_request() {
                                Some(request) => {
                                    let future = ctx.service.call(request);
                                    this.state.set(State::Fetching { future });
                                    continue;
                                }
                                None => ctx.conclude(Outcome::Unavailable(
                                    "robots.txt URL is not a valid URI",
                                )),
                            },
                        }
                    }
                }
                StateProj::Fetching { future } => {
                    let ctx = context(this.ctx);
                    if ctx.timed_out(cx) {
                        ctx.conclude(Outcome::Unreachable("timed out".into()))
                    } else {
                        match ready!(future.poll(cx)) {
                            Ok(response) => ctx.on_response(response),
                            Err(error) => {
                                let error: BoxError = error.into();
                                ctx.conclude(Outcome::Unreachable(Cow::Owned(error.to_string())))
                            }
                        }
                    }
                }
                StateProj::Reading { mut body } => {
                    let ctx = context(this.ctx);
                    if ctx.timed_out(cx) {
                        ctx.conclude(Outcome::Unreachable("timed out".into()))
                    } else {
                        let outcome = loop {
                            match ready!(body.as_mut().poll_frame(cx)) {
                                Some(Ok(frame)) => {
                                    if let Ok(mut data) = frame.into_data() {
                                        if ctx.take_data(&mut data) {
                                            break ctx.parsed(true);
                                        }
                                    }
                                }
                                Some(Err(_)) => {
                                    break Outcome::Unreachable("error reading the body".into())
                                }
                                None => break ctx.parsed(false),
                            }
                        };
                        ctx.conclude(outcome)
                    }
                }
                StateProj::Draining { mut body, drained } => {
                    let ctx = context(this.ctx);
                    if ctx.timed_out(cx) {
                        ctx.conclude(Outcome::Unreachable("timed out".into()))
                    } else {
                        while *drained <= DRAIN_LIMIT {
                            match ready!(body.as_mut().poll_frame(cx)) {
                                Some(Ok(frame)) => {
                                    *drained += frame.data_ref().map_or(0, Buf::remaining);
                                }
                                Some(Err(_)) | None => break,
                            }
                        }
                        Step::Fetch
                    }
                }
                StateProj::SendReady => {
                    let ctx = context(this.ctx);
                    if let Err(error) = ready!(ctx.service.poll_ready(cx)) {
                        this.state.set(State::Done);
                        return Poll::Ready(Err(error.into()));
                    }
                    let Some(request) = ctx.request.take() else {
                        panic!("robots ResponseFuture polled after completion");
                    };
                    let future = ctx.service.call(request);
                    this.state.set(State::Calling { future });
                    continue;
                }
            };
            this.state.set(State::from_step(step));
        }
    }
}

/// The context of a future that waits or fetches; every state but
/// `Calling` and `Denied` has one.
fn context<S, B>(ctx: &mut Option<Box<Ctx<S, B>>>) -> &mut Ctx<S, B> {
    match ctx {
        Some(ctx) => ctx,
        None => panic!("robots ResponseFuture: a waiting or fetching state without its context"),
    }
}

/// Appends `data` to `body` up to `max` bytes in all; `true` when `max`
/// is reached.
fn append(body: &mut Vec<u8>, data: &mut impl Buf, max: usize) -> bool {
    while data.has_remaining() && body.len() < max {
        let chunk = data.chunk();
        let n = chunk.len().min(max - body.len());
        body.extend_from_slice(&chunk[..n]);
        data.advance(n);
    }
    body.len() >= max
}
