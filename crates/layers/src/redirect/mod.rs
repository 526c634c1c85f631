//! Following redirects as the seed's `HTTPRedirectHandler` did, with what
//! users of reqwest and tower-http keep asking for on top: the history of
//! hops, one hop budget shared with meta refresh, replayed 307/308 bodies.
//!
//! [`RedirectLayer`] follows `301`, `302`, `303`, `307` and `308` responses
//! whose `Location` (resolved against the current URL) is an `http` or
//! `https` URL:
//!
//! - **Unverifiable hops.** Every request after the first carries
//!   [`RequestFacts`] saying it is unverifiable (RFC 2965 §3.3.6: the user
//!   did not choose that URL) and naming the first request's host as the
//!   origin request-host, so a [`CookieLayer`](crate::cookie::CookieLayer)
//!   inside judges cookies set along the way as the seed did: a cross-site
//!   redirect target is a third party.
//! - **Methods.** A `POST` answered with `301` or `302`, and anything but
//!   `HEAD` answered with `303`, becomes a `GET` without body and without
//!   `Content-*` headers, as browsers do (Fetch §4.4). `307` and `308` keep
//!   the method and the body.
//! - **Bodies.** A request body whose size hint says it is at most
//!   [`max_replay_body`](RedirectLayer::max_replay_body) bytes (1 MiB by
//!   default) is read into memory before the first hop, so it can be sent
//!   again. A larger body, or one of unknown size, is streamed to the first
//!   hop and cannot be sent again: when such a request meets a redirect that
//!   needs the body (`307`, `308`, or `301`/`302` of a method other than
//!   `POST`), the 3xx response itself is returned, with a debug log, rather
//!   than sending an empty body in its place.
//! - **Credentials.** `Authorization`, `Proxy-Authorization`, `Cookie` and
//!   `Cookie2` are dropped for good as soon as a hop changes origin (scheme,
//!   host or port). A `Cookie` header added by a cookie layer *outside* this
//!   one (marked with [`CookieHeaderFromJar`]) is dropped on every hop after
//!   the first, since it was computed for another URL; a cookie layer
//!   *inside* this one, the intended order, computes each hop's cookies
//!   itself. A `Cookie` header the caller set by hand is kept on same-origin
//!   hops.
//! - **Limits.** A chain may follow at most
//!   [`max_redirects`](RedirectLayer::max_redirects) redirects (10 by
//!   default) before [`RedirectError::TooManyRedirects`]; the count is a
//!   [`HopBudget`] in the request's extensions, shared with other layers that
//!   follow things (refresh). The caller's budget, when the request brings
//!   one, is used from the start; otherwise the layer makes one at the first
//!   hop it follows and puts it into every later hop's request (not into the
//!   first request: most requests are no redirect, and the budget cost an
//!   allocation and an extension on each). A `RefreshLayer` *inside* this
//!   one therefore counts the refreshes it follows before the first
//!   redirect against a budget of its own, and those hops are then taken
//!   out of this layer's budget when it makes it. Asking for the same
//!   method and URL twice in one chain is [`RedirectError::Loop`].
//! - **What happened.** When at least one hop was followed, the final
//!   response carries [`RedirectHistory`] (each redirect followed: its URL
//!   and status) in its extensions; when none was, it carries no
//!   `RedirectHistory` at all (read a missing one as empty). The final
//!   response carries [`FinalUrl`] too (unless
//!   [`final_url_always`](RedirectLayer::final_url_always) is off and no hop
//!   was followed). When a layer inside follows things too (the `refresh`
//!   feature's `RefreshLayer`) and leaves its own `RedirectHistory` and
//!   `FinalUrl` on a response, its hops are merged into this history in
//!   order, and a relative `Location` is resolved against the URL it ended
//!   at.
//!
//! **Refresh in the same layer.** With the `refresh` feature,
//! [`RedirectLayer::follow_refresh`] makes this layer follow qualifying
//! `Refresh` headers itself, deciding exactly as a
//! [`RefreshLayer`](crate::refresh::RefreshLayer) directly inside it would:
//! one copy of the request head per request instead of two (the stack of
//! `clientcookie`'s `Opener` does this).
//!
//! The body of each intermediate 3xx response is read (up to 64 KiB) and
//! dropped before the next hop, so an HTTP/1 connection can go back to the
//! pool.
//!
//! # Logging
//!
//! What the seed's `HTTPRedirectDebugProcessor` printed, as `tracing`
//! events at `DEBUG`: `following redirect` for every hop followed (fields
//! `hop`, `status`, `from`, `to`, `method`, `method_changed`,
//! `origin_changed`, `body_replayed`), `redirect chain ended` (`hops`,
//! `status`, `url`) when a chain of at least one redirect ends, `redirect
//! refused` (`error`) for a loop, too many redirects or a bad `Location`,
//! and a message saying why for each 3xx not followed. The `debug`
//! feature's `TraceBodyLayer` logs the bodies.
//!
//! # Errors
//!
//! The service's error type is [`BoxError`], as in tower's own `Timeout`,
//! `Buffer` and `RateLimit` and in tower-http's `Timeout`: stacks of layers
//! compose without a nest of generic error enums, and users find what went
//! wrong by downcasting. The inner service's error is boxed as it is (so
//! `err.downcast_ref::<hyper_util::client::legacy::Error>()` works as it did
//! without this layer); the layer's own failures are a [`RedirectError`].
//!
//! # Why not tower-http's `FollowRedirect`
//!
//! It drops the intermediate responses (no history), silently returns the
//! 3xx when it cannot clone a streaming body, knows nothing of
//! unverifiable transactions, and has no budget a refresh layer can share.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use clientcookie_layers::jar::RequestFacts;
//! use clientcookie_layers::redirect::{FinalUrl, RedirectHistory, RedirectLayer, ReplayBody};
//! use http::{Request, Response, StatusCode};
//! use http_body_util::Full;
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! // A stand-in for an HTTP client: /old redirects to /new on another host.
//! let client = service_fn(|request: Request<ReplayBody<Full<Bytes>>>| async move {
//!     let response = match request.uri().path() {
//!         "/old" => Response::builder()
//!             .status(StatusCode::FOUND)
//!             .header("location", "http://cdn.example.net/new")
//!             .body(String::new()),
//!         _ => {
//!             let facts = request.extensions().get::<RequestFacts>().cloned().unwrap_or_default();
//!             Response::builder().body(format!("unverifiable: {}", facts.unverifiable))
//!         }
//!     };
//!     Ok::<_, Infallible>(response.unwrap())
//! });
//!
//! let mut service = ServiceBuilder::new()
//!     .layer(RedirectLayer::new().max_redirects(5))
//!     // .layer(CookieLayer::new(jar)) goes here: inside, so it sees every hop
//!     .service(client);
//!
//! let request = Request::get("http://www.example.com/old").body(Full::new(Bytes::new()))?;
//! let response = service.ready().await?.call(request).await?;
//! assert_eq!(response.body(), "unverifiable: true");
//! assert_eq!(response.extensions().get::<FinalUrl>().unwrap().url().as_str(), "http://cdn.example.net/new");
//! let history = response.extensions().get::<RedirectHistory>().unwrap();
//! assert_eq!(history.0[0].status, StatusCode::FOUND);
//! # Ok(())
//! # }
//! ```

mod body;
pub(crate) mod future;

use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Body;
use tower_layer::Layer;
use tower_service::Service;
use url::Url;

pub use body::ReplayBody;
pub use future::ResponseFuture;

#[cfg(doc)]
use crate::extensions::{CookieHeaderFromJar, HopBudget};
#[cfg(doc)]
use clientcookie_jar::RequestFacts;

/// The error type of [`Redirect`]: the inner service's error, boxed as it
/// is, or a [`RedirectError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Redirects followed by default.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;

/// Largest request body kept for replay by default (1 MiB).
pub const DEFAULT_MAX_REPLAY_BODY: usize = 1024 * 1024;

/// One redirect followed: the URL that answered with it and the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The URL requested.
    pub url: Url,
    /// The 3xx status it answered with.
    pub status: StatusCode,
}

/// The redirects followed to get a response, first first. In the final
/// response's extensions when at least one hop was followed; a response to
/// the first request carries none (an empty one on every response cost an
/// allocation and an extension each), so read a missing one as empty.
///
/// ```
/// use clientcookie_layers::redirect::RedirectHistory;
///
/// let response = http::Response::new(());
/// let hops = response
///     .extensions()
///     .get::<RedirectHistory>()
///     .map_or(0, |history| history.0.len());
/// assert_eq!(hops, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedirectHistory(pub Vec<Hop>);

/// The URL the final response came from. In the final response's extensions.
///
/// When no hop was followed this is the request's own URI, and it is parsed
/// into a [`Url`] only when [`url`](Self::url) is first asked for: most
/// responses are read without anyone asking, and the parse was the largest
/// single cost of the stack per request. A URI is kept unparsed only when
/// it is certain to parse (a plain `http`/`https` URI with an ASCII
/// domain); any other is parsed at once, as before, so a `FinalUrl` always
/// has a URL.
///
/// ```
/// use clientcookie_layers::redirect::FinalUrl;
///
/// let url = url::Url::parse("http://example.com/a").unwrap();
/// let made = FinalUrl::new(url.clone());
/// let lazy = FinalUrl::from_uri("http://example.com/a".parse().unwrap()).unwrap();
/// assert_eq!(lazy.url(), &url);
/// assert_eq!(made, lazy);
/// assert_eq!(lazy.into_url(), url);
/// assert!(FinalUrl::from_uri("/no/host".parse().unwrap()).is_none());
/// ```
#[derive(Clone)]
pub struct FinalUrl(FinalRepr);

#[derive(Clone)]
enum FinalRepr {
    Url(Url),
    // A URI `surely_a_url` accepted, parsed on first use. Boxed: the URL
    // is rarely asked for, and a `Url` inline would double the size of
    // every response that carries one (moved many times on its way out).
    Uri(http::Uri, std::sync::OnceLock<Box<Url>>),
}

impl FinalUrl {
    /// The final URL `url`.
    pub fn new(url: Url) -> FinalUrl {
        FinalUrl(FinalRepr::Url(url))
    }

    /// The final URL of a response that came from `uri`, parsed only when
    /// [`url`](Self::url) is asked for when that cannot fail; `None` when
    /// `uri` is no URL (a relative URI, a host the URL parser refuses).
    pub fn from_uri(uri: http::Uri) -> Option<FinalUrl> {
        if crate::extensions::surely_a_url(&uri) {
            return Some(FinalUrl(FinalRepr::Uri(uri, std::sync::OnceLock::new())));
        }
        crate::extensions::parse_uri(&uri).map(FinalUrl::new)
    }

    /// The URL (parsed now if it was not yet).
    pub fn url(&self) -> &Url {
        match &self.0 {
            FinalRepr::Url(url) => url,
            FinalRepr::Uri(uri, url) => url.get_or_init(|| Box::new(parse_sure(uri))),
        }
    }

    /// The URL, owned.
    pub fn into_url(self) -> Url {
        match self.0 {
            FinalRepr::Url(url) => url,
            FinalRepr::Uri(uri, url) => url
                .into_inner()
                .map_or_else(|| parse_sure(&uri), |url| *url),
        }
    }
}

/// The URL of a URI that `surely_a_url` accepted.
fn parse_sure(uri: &http::Uri) -> Url {
    match crate::extensions::parse_uri(uri) {
        Some(url) => url,
        // Unreachable: `surely_a_url` admits only what the parser cannot
        // refuse (a property test holds it to that). Were it wrong, the
        // URL would still name the request's scheme and host.
        None => {
            tracing::error!(%uri, "a URI thought certain to parse did not");
            let fallback = format!(
                "{}://{}/",
                uri.scheme_str().unwrap_or("http"),
                uri.host().unwrap_or("invalid")
            );
            Url::parse(&fallback)
                .unwrap_or_else(|_| Url::parse("http://invalid/").expect("a valid URL"))
        }
    }
}

impl From<Url> for FinalUrl {
    fn from(url: Url) -> FinalUrl {
        FinalUrl::new(url)
    }
}

impl PartialEq for FinalUrl {
    fn eq(&self, other: &FinalUrl) -> bool {
        self.url() == other.url()
    }
}

impl Eq for FinalUrl {}

impl std::fmt::Debug for FinalUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FinalUrl").field(self.url()).finish()
    }
}

/// Why the redirect layer gave up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedirectError {
    /// The chain used up its [`HopBudget`]; `history` holds every redirect
    /// received, the one refused last.
    #[error("too many redirects ({} received)", history.0.len())]
    TooManyRedirects {
        /// The redirects received.
        history: RedirectHistory,
    },
    /// The chain asked for the same method and URL a second time.
    #[error("redirect loop: {url} was requested twice")]
    Loop {
        /// The URL asked for again.
        url: Url,
    },
    /// A `Location` that is not a URL, even relative to the current one.
    #[error("invalid Location {location:?} in a redirect from {url}")]
    InvalidLocation {
        /// The URL that redirected.
        url: Url,
        /// The `Location` value (lossy UTF-8).
        location: String,
    },
    /// A redirect to something other than `http` or `https`.
    #[error("redirect to unsupported scheme: {location}")]
    UnsupportedScheme {
        /// Where the redirect pointed.
        location: Url,
    },
    /// Reading the request body for replay failed.
    #[error("could not read the request body")]
    Body(#[source] BoxError),
}

/// Follows redirects; see the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct RedirectLayer {
    max_redirects: usize,
    max_replay_body: usize,
    final_url_always: bool,
    #[cfg(feature = "refresh")]
    pub(crate) refresh: Option<crate::refresh::RefreshLayer>,
}

impl Default for RedirectLayer {
    fn default() -> Self {
        RedirectLayer::new()
    }
}

impl RedirectLayer {
    /// At most [`DEFAULT_MAX_REDIRECTS`] redirects, bodies up to
    /// [`DEFAULT_MAX_REPLAY_BODY`] replayed.
    pub fn new() -> RedirectLayer {
        RedirectLayer {
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_replay_body: DEFAULT_MAX_REPLAY_BODY,
            final_url_always: true,
            #[cfg(feature = "refresh")]
            refresh: None,
        }
    }

    /// Follow at most `max` redirects in one chain. A [`HopBudget`] already
    /// in the request's extensions takes precedence.
    ///
    /// ```
    /// let layer = clientcookie_layers::redirect::RedirectLayer::new().max_redirects(3);
    /// ```
    #[must_use]
    pub fn max_redirects(mut self, max: usize) -> RedirectLayer {
        self.max_redirects = max;
        self
    }

    /// Keep request bodies of at most `bytes` bytes (by size hint) so they
    /// can be sent again on `307`/`308`; `0` keeps none.
    ///
    /// ```
    /// let layer = clientcookie_layers::redirect::RedirectLayer::new().max_replay_body(64 * 1024);
    /// ```
    #[must_use]
    pub fn max_replay_body(mut self, bytes: usize) -> RedirectLayer {
        self.max_replay_body = bytes;
        self
    }

    /// Whether a response for which no hop was followed gets a
    /// [`FinalUrl`] too (the default: `true`). Its final URL is then the
    /// request's own URI, which a caller that keeps that URI (as
    /// `clientcookie`'s `Opener` does) can turn into a `FinalUrl` itself
    /// when the response has none: with `false` such a response carries
    /// only a `FinalUrl` that something inside put there (a client that
    /// knows where its response came from), and the layer saves inserting
    /// one into nearly every response. A response after a hop always
    /// carries one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    /// use bytes::Bytes;
    /// use clientcookie_layers::redirect::{FinalUrl, RedirectLayer, ReplayBody};
    /// use http::{Request, Response};
    /// use http_body_util::Empty;
    /// use tower::Layer;
    ///
    /// let client = tower::service_fn(|_: Request<ReplayBody<Empty<Bytes>>>| async move {
    ///     Ok::<_, std::convert::Infallible>(Response::new(String::new()))
    /// });
    /// let redirect = RedirectLayer::new().final_url_always(false).layer(client);
    /// let uri: http::Uri = "http://example.com/".parse()?;
    /// let request = Request::get(uri.clone()).body(Empty::<Bytes>::new())?;
    /// let response = redirect.send(request).await?;
    /// let url = match response.extensions().get::<FinalUrl>() {
    ///     Some(url) => url.clone(),
    ///     None => FinalUrl::from_uri(uri).expect("an http URL"),
    /// };
    /// assert_eq!(url.url().as_str(), "http://example.com/");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn final_url_always(mut self, always: bool) -> RedirectLayer {
        self.final_url_always = always;
        self
    }

    /// Follow qualifying `Refresh` headers too, with `refresh`'s settings,
    /// exactly as a [`RefreshLayer`](crate::refresh::RefreshLayer) directly
    /// inside this layer would (`ServiceBuilder::new().layer(redirect).layer(refresh)`):
    /// the same decisions, hop budget, history, final URL and requests,
    /// for less work per request. The two layers each keep a copy of
    /// the request's head for the hops they may follow, and the refresh
    /// layer adds a service clone and a future of its own; this one keeps
    /// one copy, and copies it again only when a Refresh is followed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use clientcookie_layers::redirect::RedirectLayer;
    /// use clientcookie_layers::refresh::RefreshLayer;
    ///
    /// let layer = RedirectLayer::new()
    ///     .follow_refresh(RefreshLayer::new().max_delay(Duration::from_secs(5)));
    /// ```
    #[cfg(feature = "refresh")]
    #[must_use]
    pub fn follow_refresh(mut self, refresh: crate::refresh::RefreshLayer) -> RedirectLayer {
        self.refresh = Some(refresh);
        self
    }
}

impl<S> Layer<S> for RedirectLayer {
    type Service = Redirect<S>;

    fn layer(&self, inner: S) -> Redirect<S> {
        Redirect {
            inner,
            config: *self,
            defaults: None,
        }
    }
}

/// The service [`RedirectLayer`] makes. Its inner service gets
/// `Request<ReplayBody<B>>` for the caller's `Request<B>`.
#[derive(Debug, Clone)]
pub struct Redirect<S> {
    inner: S,
    config: RedirectLayer,
    // `Redirect::default_headers`.
    defaults: Option<std::sync::Arc<http::HeaderMap>>,
}

impl<S> Redirect<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> Redirect<S> {
        RedirectLayer::new().layer(inner)
    }

    /// Adds `headers` to every request of a chain that has none of that
    /// name, exactly as if the caller had put them into the first request
    /// (one value per name: the first): the inner service sees them on the
    /// first request and on every hop, and a hop that changes origin drops
    /// the credentials among them as it drops the caller's (see the
    /// [module docs](self)). The difference is the cost: the first
    /// request's head, which the layer copies for later hops, is copied
    /// without them, and they are copied into that head only when a hop is
    /// followed. The `Opener` of the `clientcookie` crate sends its
    /// `User-Agent` so.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    /// use bytes::Bytes;
    /// use clientcookie_layers::redirect::{Redirect, ReplayBody};
    /// use http::header::{HeaderMap, HeaderValue, USER_AGENT};
    /// use http::{Request, Response};
    /// use http_body_util::Empty;
    ///
    /// let client = tower::service_fn(|request: Request<ReplayBody<Empty<Bytes>>>| async move {
    ///     let agent = request.headers()[USER_AGENT].to_str().unwrap().to_owned();
    ///     Ok::<_, std::convert::Infallible>(Response::new(agent))
    /// });
    /// let mut defaults = HeaderMap::new();
    /// defaults.insert(USER_AGENT, HeaderValue::from_static("my-crawler/1.0"));
    /// let redirect = Redirect::new(client).default_headers(defaults);
    ///
    /// let plain = Request::get("http://example.com/").body(Empty::<Bytes>::new())?;
    /// assert_eq!(redirect.send(plain).await?.body(), "my-crawler/1.0");
    /// let own = Request::get("http://example.com/")
    ///     .header(USER_AGENT, "mine")
    ///     .body(Empty::<Bytes>::new())?;
    /// assert_eq!(redirect.send(own).await?.body(), "mine");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn default_headers(mut self, headers: http::HeaderMap) -> Redirect<S> {
        self.defaults = (!headers.is_empty()).then(|| std::sync::Arc::new(headers));
        self
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

    /// Sends `request` through a clone of the wrapped service, which the
    /// returned future asks for readiness itself before the first hop:
    /// `call` without `&mut self` and without `poll_ready` first. For a
    /// caller that shares one `Redirect` (an opener behind `&self`) and would
    /// otherwise clone the whole service to call it once with tower's
    /// `oneshot`, which clones the wrapped service a second time inside
    /// `call` (the clone that stays in the layer).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    /// use clientcookie_layers::redirect::{Redirect, ReplayBody};
    /// use http::{Request, Response};
    /// use http_body_util::Empty;
    /// use bytes::Bytes;
    ///
    /// let client = tower::service_fn(|request: Request<ReplayBody<Empty<Bytes>>>| async move {
    ///     Ok::<_, std::convert::Infallible>(Response::new(request.uri().to_string()))
    /// });
    /// let redirect = Redirect::new(client);
    /// let request = Request::get("http://example.com/").body(Empty::<Bytes>::new())?;
    /// let response = redirect.send(request).await?;
    /// assert_eq!(response.body(), "http://example.com/");
    /// # Ok(())
    /// # }
    /// ```
    pub fn send<B, ResB>(&self, request: Request<B>) -> ResponseFuture<S, B, ResB>
    where
        S: Service<Request<ReplayBody<B>>, Response = Response<ResB>> + Clone,
        B: Body<Data = Bytes>,
    {
        ResponseFuture::unready(
            self.inner.clone(),
            request,
            self.config,
            self.defaults.clone(),
        )
    }
}

impl<S, B, ResB> Service<Request<B>> for Redirect<S>
where
    S: Service<Request<ReplayBody<B>>, Response = Response<ResB>> + Clone,
    S::Error: Into<BoxError>,
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
    ResB: Body,
{
    type Response = Response<ResB>;
    type Error = BoxError;
    type Future = ResponseFuture<S, B, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service that said it was ready goes with this request (it is
        // called on the first hop); the clone stays for the next request and
        // reports its own readiness.
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(ready, request, self.config, self.defaults.clone())
    }
}
