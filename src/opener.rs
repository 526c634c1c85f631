//! [`Opener`] and its builder: the seed's `build_opener()`.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use clientcookie_jar::{CookieJar, CookiePolicy, SharedJar};
use clientcookie_layers::cookie::CookieLayer;
use clientcookie_layers::http_equiv::HttpEquivLayer;
use clientcookie_layers::redirect::{FinalUrl, RedirectLayer, ReplayBody, DEFAULT_MAX_REDIRECTS};
use clientcookie_layers::referer::{RefererLayer, ReferrerPolicy};
use clientcookie_layers::refresh::{RefreshLayer, DEFAULT_MAX_DELAY};
use clientcookie_layers::robots::RobotsLayer;
use clientcookie_layers::seekable::SeekableBodyLayer;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, FROM, USER_AGENT};
use http::{Request, Response as HttpResponse};
use http_body_util::BodyExt;
use tower::util::{BoxCloneSyncService, Either};
use tower::{Layer, Service, ServiceExt};
use url::Url;

use crate::error::{Error, Kind};
use crate::stack::{self, Backend as StackBackend, CustomService, Stack};
use crate::{Body, BoxError, Response, ResponseBody};

/// What the layers wrap when the client is the caller's: requests as the
/// redirect layer hands them on.
type Inner = CustomService;

/// The `User-Agent` an opener sends unless told otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("clientcookie/", env!("CARGO_PKG_VERSION"));

/// An HTTP client that behaves like a careful browser: the default stack of
/// layers (see the [crate docs](crate)) around reqwest or hyper-util. The
/// seed's `OpenerDirector`, as `build_opener()` made it.
///
/// Cheap to clone: clones share the stack, the jar and the connection pool.
///
/// ```no_run
/// use clientcookie::Opener;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clientcookie::Error> {
/// let opener = Opener::builder().from("me@example.com").build()?;
/// let response = opener.post_form("http://example.com/login", [("user", "ada"), ("password", "secret")]).await?;
/// println!("{} cookies after the login", opener.jar().unwrap().lock().unwrap().len());
/// let page = opener.get("http://example.com/account").await?.text().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Opener {
    inner: Arc<Shared>,
}

struct Shared {
    service: Stack,
    seekable: Option<SeekableBodyLayer>,
    headers: HeaderMap,
    jar: Option<SharedJar>,
    timeout: Option<Duration>,
}

impl fmt::Debug for Opener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opener")
            .field("headers", &self.inner.headers)
            .field("jar", &self.inner.jar.is_some())
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Opener {
    /// A builder with the default stack switched on (see [`OpenerBuilder`]).
    pub fn builder() -> OpenerBuilder {
        OpenerBuilder::new()
    }

    /// An opener with every default: `Opener::builder().build()`.
    ///
    /// ```
    /// let opener = clientcookie::Opener::new().unwrap();
    /// assert!(opener.jar().is_some());
    /// ```
    pub fn new() -> Result<Opener, Error> {
        OpenerBuilder::new().build()
    }

    /// The jar the cookie layer uses (`None` when cookies are switched off).
    pub fn jar(&self) -> Option<&SharedJar> {
        self.inner.jar.as_ref()
    }

    /// The headers added to every request that does not have them.
    pub fn default_headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// Sends `request` through the stack. The default headers are added
    /// where the request has none of that name; its extensions (a
    /// [`Referrer`](clientcookie_layers::referer::Referrer), a
    /// [`SessionJar`](clientcookie_layers::cookie::SessionJar),
    /// [`RequestFacts`](clientcookie_jar::RequestFacts)) reach the layers.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let opener = clientcookie::Opener::new()?;
    /// let request = http::Request::put("http://example.com/item/1")
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"name":"x"}"#)?;
    /// let response = opener.request(request).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn request<B: Into<Body>>(&self, request: Request<B>) -> Result<Response, Error> {
        self.send_with(request.map(Into::into), true).await
    }

    /// [`request`](Self::request) without the seekable body: for
    /// [`retrieve`](Self::retrieve), which reads the body once, to the end,
    /// and would only copy it to a temporary file on the way.
    pub(crate) async fn send<B: Into<Body>>(&self, request: Request<B>) -> Result<Response, Error> {
        self.send_with(request.map(Into::into), false).await
    }

    /// [`request`](Self::request) (`seekable`) or [`send`](Self::send): one
    /// async function that [`get`](Self::get) awaits directly, as each level
    /// of nested futures moves the response once more on its way out.
    async fn send_with(
        &self,
        mut request: Request<Body>,
        seekable: bool,
    ) -> Result<Response, Error> {
        if request.uri().scheme().is_none() || request.uri().authority().is_none() {
            let error = crate::backend::InvalidUri {
                uri: request.uri().to_string(),
                reason: "not an absolute URL",
            };
            return Err(Error::builder(error));
        }
        // Cheap (shared bytes); parsed into a URL only when no layer or
        // backend says where the response came from, or for an error.
        let uri = request.uri().clone();
        let url_of = |uri: &http::Uri| Url::parse(&uri.to_string()).ok();
        // One value per name (the builder replaces); one lookup per default.
        // With redirects on, the redirect layer adds them (`stack::call`).
        if !stack::adds_default_headers(&self.inner.service) {
            let headers = request.headers_mut();
            for (name, value) in &self.inner.headers {
                if let http::header::Entry::Vacant(entry) = headers.entry(name) {
                    entry.insert(value.clone());
                }
            }
        }
        // Pinned here and lent to the timeout: moved into it, the stack's
        // future (over a kilobyte) would take space twice in this one.
        let mut call = std::pin::pin!(stack::call(&self.inner.service, request));
        let result = match self.inner.timeout {
            Some(limit) => match tokio::time::timeout(limit, call.as_mut()).await {
                Ok(result) => result,
                Err(_) => {
                    let timed_out = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no response within {limit:?}"),
                    );
                    let error = Error::new(Kind::Network, Some(timed_out.into()));
                    return Err(error.with_url(url_of(&uri)));
                }
            },
            None => call.await,
        };
        match result {
            Ok(response) => {
                // The body wrapped where the response is taken apart anyway
                // (mapping the whole `Result` first was one more copy).
                let response = response.map(ResponseBody::from_stack);
                let mut response = Response::new(response, || FinalUrl::from_uri(uri))?;
                if seekable {
                    if let Some(layer) = &self.inner.seekable {
                        response.make_seekable(layer);
                    }
                }
                Ok(response)
            }
            Err(error) => Err(Error::from_stack(error).with_url(url_of(&uri))),
        }
    }

    /// `GET url` (the seed's `opener.open(url)`).
    pub async fn get(&self, url: impl AsRef<str>) -> Result<Response, Error> {
        // What `Request::get(url).body(..)` makes, without the builder's
        // moves of the whole head.
        let uri: http::Uri = url
            .as_ref()
            .parse()
            .map_err(|e: http::uri::InvalidUri| Error::builder(http::Error::from(e)))?;
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = uri;
        self.send_with(request, true).await
    }

    /// `POST url` with `data` as an `application/x-www-form-urlencoded`
    /// body (the seed's `opener.open(url, data)`).
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), clientcookie::Error> {
    /// let opener = clientcookie::Opener::new()?;
    /// opener.post_form("http://example.com/search", [("q", "cookies & cream")]).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn post_form<K, V>(
        &self,
        url: impl AsRef<str>,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Response, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(data)
            .finish();
        let request = Request::post(url.as_ref())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body(Body::from(body))
            .map_err(Error::builder)?;
        self.send_with(request, true).await
    }
}

/// The opener as a tower service, to put more layers around it (a rate
/// limit, a concurrency limit, a retry policy) or hand it to code that
/// takes any `Service`. Always ready; each call is
/// [`Opener::request`].
///
/// ```no_run
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let opener = clientcookie::Opener::new()?;
/// let service = ServiceBuilder::new()
///     .map_request(|mut request: http::Request<clientcookie::Body>| {
///         request.headers_mut().insert("x-trace", http::HeaderValue::from_static("1"));
///         request
///     })
///     .service(opener);
/// let request = http::Request::get("http://example.com/").body(clientcookie::Body::empty())?;
/// let response = service.oneshot(request).await?;
/// # Ok(())
/// # }
/// ```
impl Service<Request<Body>> for Opener {
    type Response = Response;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // Each call clones the stack, which is ready when called.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let opener = self.clone();
        Box::pin(async move { opener.request(request).await })
    }
}

/// Which HTTP client is inside.
enum Backend {
    #[cfg(feature = "reqwest")]
    Reqwest(Option<Box<reqwest::ClientBuilder>>),
    #[cfg(feature = "hyper")]
    Hyper,
    Custom(Inner),
    #[cfg(not(any(feature = "hyper", feature = "reqwest")))]
    None,
}

type Configure = Box<dyn FnOnce(&mut CookieJar) + Send>;

/// Builds an [`Opener`]: which processors (layers) are on, and how they
/// and the HTTP client are set up. The seed's `build_opener()`.
///
/// Defaults, outermost layer first:
///
/// | layer | default | switch |
/// |---|---|---|
/// | redirects | on, at most 10 | [`redirects`](Self::redirects), [`max_redirects`](Self::max_redirects) |
/// | Refresh | on, delays up to 30 s, without waiting | [`refresh`](Self::refresh), [`refresh_max_delay`](Self::refresh_max_delay), [`honor_time`](Self::honor_time) |
/// | robots.txt | on, as in the seed | [`robots`](Self::robots), [`robots_layer`](Self::robots_layer) |
/// | Referer | on, `strict-origin-when-cross-origin` | [`referer`](Self::referer), [`referrer_policy`](Self::referrer_policy) |
/// | cookies | on, a new jar with the default policy | [`cookies`](Self::cookies), [`jar`](Self::jar), [`policy`](Self::policy) |
/// | HTTP-EQUIV | on, `Set-Cookie` lifted too, as in the seed | [`http_equiv`](Self::http_equiv), [`http_equiv_layer`](Self::http_equiv_layer) |
/// | seekable body | off (unlike the seed) | [`seekable`](Self::seekable) |
///
/// Default headers: `User-Agent: clientcookie/VERSION`
/// ([`user_agent`](Self::user_agent), [`from`](Self::from),
/// [`default_header`](Self::default_header)). The HTTP client: reqwest
/// (feature `reqwest`, on by default), or hyper-util ([`hyper`](Self::hyper),
/// feature `hyper`).
///
/// ```
/// use std::time::Duration;
/// use clientcookie::jar::{CookieJar, DefaultCookiePolicy};
///
/// let jar = CookieJar::new().into_shared();
/// let opener = clientcookie::Opener::builder()
///     .jar(jar.clone())
///     .policy(DefaultCookiePolicy {
///         blocked_domains: vec!["ads.example".into()],
///         ..DefaultCookiePolicy::default()
///     })
///     .max_redirects(5)
///     .refresh_max_delay(Duration::from_secs(5))
///     .user_agent("my-crawler/1.0")
///     .from("crawler@example.com")
///     .resolve("shop.example", "127.0.0.1:8080".parse().unwrap())
///     .build()
///     .unwrap();
/// assert!(opener.jar().unwrap().ptr_eq(&jar));
/// ```
#[must_use]
pub struct OpenerBuilder {
    backend: Backend,
    jar: Option<SharedJar>,
    configure_jar: Vec<Configure>,
    cookies: bool,
    redirects: bool,
    max_redirects: usize,
    refresh: bool,
    refresh_max_delay: Duration,
    honor_time: bool,
    referer: bool,
    referrer_policy: ReferrerPolicy,
    robots: Option<RobotsLayer>,
    http_equiv: Option<HttpEquivLayer>,
    seekable: bool,
    seekable_layer: SeekableBodyLayer,
    headers: HeaderMap,
    resolve: Vec<(String, SocketAddr)>,
    no_proxy: bool,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    error: Option<Error>,
}

impl fmt::Debug for OpenerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.backend {
            #[cfg(feature = "reqwest")]
            Backend::Reqwest(_) => "reqwest",
            #[cfg(feature = "hyper")]
            Backend::Hyper => "hyper",
            Backend::Custom(_) => "custom",
            #[cfg(not(any(feature = "hyper", feature = "reqwest")))]
            Backend::None => "none",
        };
        f.debug_struct("OpenerBuilder")
            .field("backend", &backend)
            .field("cookies", &self.cookies)
            .field("redirects", &self.redirects)
            .field("max_redirects", &self.max_redirects)
            .field("refresh", &self.refresh)
            .field("refresh_max_delay", &self.refresh_max_delay)
            .field("honor_time", &self.honor_time)
            .field("referer", &self.referer)
            .field("referrer_policy", &self.referrer_policy)
            .field("robots", &self.robots.is_some())
            .field("http_equiv", &self.http_equiv)
            .field("seekable", &self.seekable)
            .field("headers", &self.headers)
            .field("resolve", &self.resolve)
            .finish_non_exhaustive()
    }
}

impl Default for OpenerBuilder {
    fn default() -> Self {
        OpenerBuilder::new()
    }
}

impl OpenerBuilder {
    /// Every default switched on; see the [type docs](Self).
    pub fn new() -> OpenerBuilder {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
        #[allow(unreachable_code)]
        let backend = {
            #[cfg(feature = "reqwest")]
            {
                Backend::Reqwest(None)
            }
            #[cfg(all(feature = "hyper", not(feature = "reqwest")))]
            {
                Backend::Hyper
            }
            #[cfg(not(any(feature = "hyper", feature = "reqwest")))]
            {
                Backend::None
            }
        };
        OpenerBuilder {
            backend,
            jar: None,
            configure_jar: Vec::new(),
            cookies: true,
            redirects: true,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            refresh: true,
            refresh_max_delay: DEFAULT_MAX_DELAY,
            honor_time: false,
            referer: true,
            referrer_policy: ReferrerPolicy::default(),
            robots: Some(RobotsLayer::new()),
            http_equiv: Some(HttpEquivLayer::new()),
            seekable: false,
            seekable_layer: SeekableBodyLayer::new(),
            headers,
            resolve: Vec::new(),
            no_proxy: false,
            timeout: None,
            connect_timeout: None,
            error: None,
        }
    }

    /// Use reqwest (the default with feature `reqwest`): rustls with the
    /// ring provider, reqwest's own redirects, cookies and referer off.
    #[cfg(feature = "reqwest")]
    pub fn reqwest(mut self) -> OpenerBuilder {
        self.backend = Backend::Reqwest(None);
        self
    }

    /// Use reqwest, built from `builder` (for root certificates, client
    /// certificates, proxies, pool settings…). The opener switches its
    /// redirects and referer off; do not give it a cookie store, or cookies
    /// would be handled twice. [`resolve`](Self::resolve),
    /// [`no_proxy`](Self::no_proxy) and
    /// [`connect_timeout`](Self::connect_timeout) are applied on top.
    ///
    /// ```
    /// let builder = reqwest::Client::builder().pool_max_idle_per_host(4);
    /// let opener = clientcookie::Opener::builder().reqwest_builder(builder).build().unwrap();
    /// ```
    #[cfg(feature = "reqwest")]
    pub fn reqwest_builder(mut self, builder: reqwest::ClientBuilder) -> OpenerBuilder {
        self.backend = Backend::Reqwest(Some(Box::new(builder)));
        self
    }

    /// Use a hyper-util client with hyper-util's `HttpConnector` (feature
    /// `hyper`). It speaks `http` only; an `https` URL fails with an error
    /// for which [`Error::is_builder`] is true. For TLS, give it a connector
    /// that speaks it with [`hyper_connector`](Self::hyper_connector). It
    /// ignores the proxy environment variables.
    #[cfg(feature = "hyper")]
    pub fn hyper(mut self) -> OpenerBuilder {
        self.backend = Backend::Hyper;
        self
    }

    /// Use a hyper-util client over `connector` (hyper-rustls'
    /// `HttpsConnector`, a proxy tunnel, a Unix socket…), taken to speak
    /// `http` and `https`. [`resolve`](Self::resolve) and
    /// [`connect_timeout`](Self::connect_timeout) do not reach a connector
    /// made elsewhere: set them on it.
    ///
    /// ```
    /// use hyper_util::client::legacy::connect::HttpConnector;
    /// let opener = clientcookie::Opener::builder().hyper_connector(HttpConnector::new()).build().unwrap();
    /// ```
    #[cfg(feature = "hyper")]
    pub fn hyper_connector<C>(mut self, connector: C) -> OpenerBuilder
    where
        C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
    {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        self.backend = Backend::Custom(box_inner(crate::backend::HyperService::with_https(client)));
        self
    }

    /// Use `service` as the HTTP client: anything that takes the requests
    /// the layers hand on and answers with an `http::Response`. The
    /// backend-specific settings ([`resolve`](Self::resolve),
    /// [`no_proxy`](Self::no_proxy), [`connect_timeout`](Self::connect_timeout))
    /// do not apply to it.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use clientcookie::{Body, ReplayBody};
    ///
    /// let service = tower::service_fn(|_: http::Request<ReplayBody<Body>>| async {
    ///     Ok::<_, Infallible>(http::Response::new(http_body_util::Full::new(bytes::Bytes::from_static(b"hi"))))
    /// });
    /// let opener = clientcookie::Opener::builder().service(service).build().unwrap();
    /// ```
    pub fn service<S, ResB>(mut self, service: S) -> OpenerBuilder
    where
        S: Service<Request<ReplayBody<Body>>, Response = HttpResponse<ResB>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        ResB: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResB::Error: Into<BoxError>,
    {
        self.backend = Backend::Custom(box_inner(service));
        self
    }

    /// Store and send cookies (on by default).
    pub fn cookies(mut self, on: bool) -> OpenerBuilder {
        self.cookies = on;
        self
    }

    /// Use `jar` (shared with whoever else holds a clone) instead of a new
    /// one.
    pub fn jar(mut self, jar: SharedJar) -> OpenerBuilder {
        self.jar = Some(jar);
        self
    }

    /// Give the jar `policy` (the seed's `CookieJar(policy)`); with
    /// [`jar`](Self::jar), that jar's policy is replaced when the opener is
    /// built.
    pub fn policy(mut self, policy: impl CookiePolicy + 'static) -> OpenerBuilder {
        self.configure_jar
            .push(Box::new(move |jar: &mut CookieJar| jar.set_policy(policy)));
        self
    }

    /// Follow redirects (on by default).
    pub fn redirects(mut self, on: bool) -> OpenerBuilder {
        self.redirects = on;
        self
    }

    /// Follow at most `max` redirects and refreshes in one chain (10 by
    /// default); `0` follows none: a 3xx is returned as it is.
    pub fn max_redirects(mut self, max: usize) -> OpenerBuilder {
        self.max_redirects = max;
        self
    }

    /// Follow `Refresh` headers (and, with the HTTP-EQUIV layer, meta
    /// refreshes) as redirects (on by default).
    pub fn refresh(mut self, on: bool) -> OpenerBuilder {
        self.refresh = on;
        self
    }

    /// Follow a refresh only when its delay is at most `max` (30 s by
    /// default).
    pub fn refresh_max_delay(mut self, max: Duration) -> OpenerBuilder {
        self.refresh_max_delay = max;
        self
    }

    /// Wait a refresh's delay before following it (off by default: go at
    /// once, as the seed did).
    pub fn honor_time(mut self, on: bool) -> OpenerBuilder {
        self.honor_time = on;
        self
    }

    /// Set `Referer` from a [`Referrer`](clientcookie_layers::referer::Referrer)
    /// request extension (on by default). Without one nothing is sent: the
    /// opener makes no requests "from" a page unless told which.
    pub fn referer(mut self, on: bool) -> OpenerBuilder {
        self.referer = on;
        self
    }

    /// The Referrer-Policy for requests that carry none
    /// (`strict-origin-when-cross-origin` by default).
    pub fn referrer_policy(mut self, policy: ReferrerPolicy) -> OpenerBuilder {
        self.referrer_policy = policy;
        self
    }

    /// Obey robots.txt (on by default, as the seed's `build_opener` had
    /// `HTTPRobotRulesProcessor`): the first request to an origin fetches
    /// its `/robots.txt` once (cached for 24 hours), and a disallowed URL
    /// fails with an error for which [`Error::is_robots_denied`] is true,
    /// without being requested. The rules of the product token of the
    /// request's `User-Agent` apply (`clientcookie` by default); see
    /// [`robots_layer`](Self::robots_layer) for the settings.
    pub fn robots(mut self, on: bool) -> OpenerBuilder {
        self.robots = if on {
            self.robots.or_else(|| Some(RobotsLayer::new()))
        } else {
            None
        };
        self
    }

    /// Obey robots.txt with `layer`'s settings (user-agent token, cache
    /// time, limits); clones of one layer share their cache, so two openers
    /// given clones fetch each robots.txt once between them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use clientcookie::layers::robots::RobotsLayer;
    ///
    /// let robots = RobotsLayer::new().user_agent("ExampleBot").ttl(Duration::from_secs(3600));
    /// let opener = clientcookie::Opener::builder().robots_layer(robots).build().unwrap();
    /// ```
    pub fn robots_layer(mut self, layer: RobotsLayer) -> OpenerBuilder {
        self.robots = Some(layer);
        self
    }

    /// Lift `<meta http-equiv>` tags from the `<head>` of HTML responses
    /// into response headers (on by default, as in the seed), before the
    /// cookie and refresh layers look: `<meta http-equiv="Set-Cookie">`
    /// sets a cookie and `<meta http-equiv="Refresh">` is followed like a
    /// `Refresh` header. The body is handed on unchanged. See
    /// [`http_equiv_layer`](Self::http_equiv_layer) for the settings
    /// (switching off the lifting of `Set-Cookie`, which browsers no
    /// longer do; the head's size cap).
    pub fn http_equiv(mut self, on: bool) -> OpenerBuilder {
        self.http_equiv = if on {
            self.http_equiv.or_else(|| Some(HttpEquivLayer::new()))
        } else {
            None
        };
        self
    }

    /// Lift `<meta http-equiv>` tags with `layer`'s settings.
    ///
    /// ```
    /// use clientcookie::layers::http_equiv::HttpEquivLayer;
    ///
    /// // Browsers no longer take cookies from meta tags.
    /// let opener = clientcookie::Opener::builder()
    ///     .http_equiv_layer(HttpEquivLayer::new().lift_set_cookie(false))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn http_equiv_layer(mut self, layer: HttpEquivLayer) -> OpenerBuilder {
        self.http_equiv = Some(layer);
        self
    }

    /// Give every response a body that can be rewound and read again (the
    /// seed's `SeekableProcessor`; [`Response::seekable_mut`]): read lazily,
    /// kept in memory up to [`seekable_memory_limit`](Self::seekable_memory_limit),
    /// then in a temporary file.
    ///
    /// **Off by default**, unlike the seed: a body read through it is
    /// copied as it is read (memory, then disk), which a client that
    /// streams large bodies once does not want. [`retrieve`](Opener::retrieve)
    /// never uses it. The body is made seekable as it leaves the stack, so
    /// what the HTTP-EQUIV layer hands on is what can be re-read.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), clientcookie::Error> {
    /// let opener = clientcookie::Opener::builder().seekable(true).build()?;
    /// let mut response = opener.get("http://example.com/").await?;
    /// let first = response.chunk().await?;
    /// response.seekable_mut().unwrap().rewind();
    /// let whole = response.bytes().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn seekable(mut self, on: bool) -> OpenerBuilder {
        self.seekable = on;
        self
    }

    /// Bytes of a seekable body kept in memory before it moves to a
    /// temporary file (8 MiB by default).
    pub fn seekable_memory_limit(mut self, bytes: usize) -> OpenerBuilder {
        self.seekable_layer = self.seekable_layer.memory_limit(bytes);
        self
    }

    /// The `User-Agent` header (default `clientcookie/VERSION`).
    pub fn user_agent(self, value: &str) -> OpenerBuilder {
        self.header_str(USER_AGENT, value)
    }

    /// The `From` header: the e-mail address of the person responsible for
    /// the requests (RFC 9110 §10.1.2; polite for crawlers). None by default.
    pub fn from(self, value: &str) -> OpenerBuilder {
        self.header_str(FROM, value)
    }

    /// Add `name: value` to every request that has no `name` header (the
    /// seed's `addheaders`); replaces an earlier default of that name.
    ///
    /// ```
    /// use http::header::{ACCEPT_LANGUAGE, HeaderValue};
    /// let opener = clientcookie::Opener::builder()
    ///     .default_header(ACCEPT_LANGUAGE, HeaderValue::from_static("en"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(opener.default_headers()["accept-language"], "en");
    /// ```
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> OpenerBuilder {
        self.headers.insert(name, value);
        self
    }

    /// Send no default headers at all (not even `User-Agent`).
    pub fn no_default_headers(mut self) -> OpenerBuilder {
        self.headers.clear();
        self
    }

    fn header_str(mut self, name: HeaderName, value: &str) -> OpenerBuilder {
        match HeaderValue::from_str(value) {
            Ok(value) => {
                self.headers.insert(name, value);
            }
            Err(error) => {
                self.error.get_or_insert(Error::builder(error));
            }
        }
        self
    }

    /// Connect to `addr` for `host` instead of asking DNS, as reqwest's
    /// `resolve` and curl's `--resolve` do. The URL's port wins when it
    /// names one; otherwise `addr`'s port is used when it is not 0. The
    /// `Host` header, cookies and everything else still use `host`.
    pub fn resolve(mut self, host: &str, addr: SocketAddr) -> OpenerBuilder {
        self.resolve.push((host.to_ascii_lowercase(), addr));
        self
    }

    /// Ignore the proxy environment variables (reqwest backend; the hyper
    /// backend never reads them).
    pub fn no_proxy(mut self) -> OpenerBuilder {
        self.no_proxy = true;
        self
    }

    /// Give up on a request (the whole redirect chain, up to the response
    /// head) after `limit`; the error is a network error for which
    /// [`Error::is_timeout`] is true. No limit by default.
    pub fn timeout(mut self, limit: Duration) -> OpenerBuilder {
        self.timeout = Some(limit);
        self
    }

    /// Give up connecting after `limit` (reqwest and the hyper backend's own
    /// connector).
    pub fn connect_timeout(mut self, limit: Duration) -> OpenerBuilder {
        self.connect_timeout = Some(limit);
        self
    }

    /// The opener, or the first configuration error.
    pub fn build(self) -> Result<Opener, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let service: StackBackend = match self.backend {
            #[cfg(feature = "reqwest")]
            Backend::Reqwest(builder) => {
                let mut builder = match builder {
                    Some(builder) => {
                        // Installs the ring provider if there is none.
                        let _ = crate::backend::reqwest_client_builder();
                        (*builder)
                            .redirect(reqwest::redirect::Policy::none())
                            .referer(false)
                    }
                    None => crate::backend::reqwest_client_builder(),
                };
                for (host, addr) in &self.resolve {
                    builder = builder.resolve(host, *addr);
                }
                if self.no_proxy {
                    builder = builder.no_proxy();
                }
                if let Some(limit) = self.connect_timeout {
                    builder = builder.connect_timeout(limit);
                }
                let client = builder.build().map_err(Error::builder)?;
                // Redirects are off in this client (above): the URL it reports
                // is the request's, which `send_with` keeps.
                StackBackend::Reqwest(crate::backend::ReqwestService::without_final_url(client))
            }
            #[cfg(feature = "hyper")]
            Backend::Hyper => {
                let resolver = crate::backend::Resolver::new(self.resolve.iter().cloned());
                let mut connector =
                    hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(resolver);
                connector.set_connect_timeout(self.connect_timeout);
                connector.set_nodelay(true);
                let client = hyper_util::client::legacy::Client::builder(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .build(connector);
                StackBackend::Hyper(Arc::new(crate::backend::HyperService::new(client)))
            }
            Backend::Custom(service) => StackBackend::Custom(service),
            #[cfg(not(any(feature = "hyper", feature = "reqwest")))]
            Backend::None => {
                return Err(Error::builder(crate::error::NoBackend));
            }
        };

        let jar = if self.cookies {
            let jar = self.jar.unwrap_or_default();
            {
                let mut locked = jar.lock().unwrap_or_else(PoisonError::into_inner);
                for configure in self.configure_jar {
                    configure(&mut locked);
                }
            }
            Some(jar)
        } else {
            None
        };
        // Switched-off layers are `Either::Right(inner)`, not boxes: the
        // stack is one concrete type around the client (see `stack`), so a
        // request costs no boxed future and no allocation for the
        // per-layer service clones (see BENCHMARKS.md).
        let service: stack::Equiv = match self.http_equiv {
            Some(layer) => Either::Left(layer.layer(service)),
            None => Either::Right(stack::unscanned(service)),
        };
        let service: stack::Cookies = match jar.clone() {
            // Nothing inside the cookie layer follows hops: the mark for
            // such a follower would never be read.
            Some(jar) => Either::Left(
                CookieLayer::new(jar)
                    .mark_header_from_jar(false)
                    .layer(service),
            ),
            None => Either::Right(service),
        };
        let service: stack::Referers = if self.referer {
            let layer = RefererLayer::new().policy(self.referrer_policy);
            Either::Left(layer.layer(service))
        } else {
            Either::Right(service)
        };
        let service: stack::Robotss = match self.robots {
            Some(layer) => Either::Left(layer.layer(service)),
            None => Either::Right(service),
        };
        // A refresh budget of 0 follows no refresh either.
        let refresh = self.refresh.then(|| {
            RefreshLayer::new()
                .max_delay(self.refresh_max_delay)
                .honor_time(self.honor_time)
                .max_redirects(self.max_redirects)
        });
        let service: Stack = if self.redirects && self.max_redirects > 0 {
            // The redirect layer follows refreshes itself, as the refresh
            // layer inside it would, with one copy of the request head.
            // `Response::new` makes the final URL of a response to the first
            // request from the URI it keeps: the layer need not insert one.
            let mut layer = RedirectLayer::new()
                .max_redirects(self.max_redirects)
                .final_url_always(false);
            if let Some(refresh) = refresh {
                layer = layer.follow_refresh(refresh);
            }
            // The redirect layer adds the default headers: it copies the
            // first request's head for later hops before they are in.
            Either::Left(layer.layer(service).default_headers(self.headers.clone()))
        } else {
            let service: stack::Refreshes = match refresh {
                Some(layer) => Either::Left(layer.layer(service)),
                None => Either::Right(service),
            };
            Either::Right(stack::no_redirects(service))
        };
        let seekable = self.seekable.then_some(self.seekable_layer);
        Ok(Opener {
            inner: Arc::new(Shared {
                service,
                seekable,
                headers: self.headers,
                jar,
                timeout: self.timeout,
            }),
        })
    }
}

/// Box an HTTP client service as the innermost service of the stack.
fn box_inner<S, ResB>(service: S) -> Inner
where
    S: Service<Request<ReplayBody<Body>>, Response = HttpResponse<ResB>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    ResB: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    BoxCloneSyncService::new(
        service
            .map_response(|response: HttpResponse<ResB>| {
                response.map(|body| body.map_err(Into::into).boxed_unsync())
            })
            .map_err(Into::into),
    )
}
