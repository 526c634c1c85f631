//! Refusing the URLs a site's robots.txt disallows, as the seed's
//! `HTTPRobotRulesProcessor` did, by RFC 9309 (the Robots Exclusion
//! Protocol).
//!
//! [`RobotsLayer`] looks up the robots.txt of each request's origin
//! (scheme, host and port) before the request goes out, and fails a
//! disallowed request with a [`RobotsDenied`] error (the seed's
//! `RobotExclusionError`): a refused request never reaches the network.
//!
//! - **One fetch per origin.** The first request to an origin fetches
//!   `/robots.txt` through the inner service (so the cookie, referer and any
//!   other layers inside apply to it too; it carries the request's
//!   `User-Agent`, `From` and extensions). Requests to the same origin that
//!   arrive meanwhile wait for that one fetch (single flight) instead of
//!   fetching again. If the fetching request is dropped, a waiting one takes
//!   over.
//! - **Parsed once.** The file is parsed with the `robotstxt` crate (a port
//!   of Google's parser) into [`RobotsRules`], compiled for matching; a
//!   check costs a binary search, not a parse (`DefaultMatcher` parses the
//!   whole file again for each URL).
//! - **Cached.** Answers are kept per origin for
//!   [`ttl`](RobotsLayer::ttl) (24 hours by default, RFC 9309 §2.4), in a
//!   cache of at most [`max_origins`](RobotsLayer::max_origins) origins
//!   (1,024 by default) that drops the least recently used. Services made by
//!   clones of one layer share its cache.
//! - **RFC 9309 §2.3.1, status by status.**
//!   - `2xx`: the first [`max_body`](RobotsLayer::max_body) bytes (500 KiB,
//!     the minimum §2.5 allows) are parsed; a line cut by that limit is
//!     dropped rather than read as a shorter rule.
//!   - `301`, `302`, `303`, `307`, `308`: followed by this layer itself (it
//!     sits inside the redirect layer), up to
//!     [`max_redirects`](RobotsLayer::max_redirects) (5) and across hosts;
//!     the rules found apply to the original origin. More redirects, or a
//!     redirect without a usable `Location`, make robots.txt *unavailable*.
//!   - `4xx` and other `3xx`: *unavailable*, so everything is allowed.
//!   - `5xx`, `429 Too Many Requests`, a network error, or no answer within
//!     [`fetch_timeout`](RobotsLayer::fetch_timeout) (30 s): *unreachable*,
//!     so everything is disallowed, for
//!     [`retry_after`](RobotsLayer::retry_after) (10 minutes by default;
//!     the RFC leaves the time open) after which it is fetched again. When
//!     a refetch of an expired robots.txt finds the site unreachable, the
//!     previous rules stay in force for that time instead, as §2.4 allows.
//!     (`429` is a 4xx, but treating "slow down" as "crawl everything"
//!     would be perverse; Google treats it as a server error too.)
//! - **Whose rules.** The product token (the letters, `-` and `_` before
//!   the first other character: `FooBot/1.2` -> `FooBot`) of the token set
//!   with [`user_agent`](RobotsLayer::user_agent), else of the request's
//!   `User-Agent` header; with neither, the `*` group's rules apply.
//! - `/robots.txt` itself is always allowed (§2.2.2), and requests that are
//!   not `http` or `https` URLs pass through unchecked.
//!
//! Put it inside the [`RedirectLayer`](crate::redirect::RedirectLayer), so
//! every hop of a redirect chain is checked against its own origin's
//! robots.txt.
//!
//! # Errors
//!
//! The service's error type is [`BoxError`], as for the redirect layer: the
//! inner service's error boxed as it is, or a [`RobotsDenied`] that callers
//! find with `downcast_ref`.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use clientcookie_layers::robots::{RobotsDenied, RobotsLayer};
//! use http::{Request, Response, StatusCode};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! // A stand-in for an HTTP client and the site behind it.
//! let client = service_fn(|request: Request<String>| async move {
//!     let response = match request.uri().path() {
//!         "/robots.txt" => Response::new("User-agent: *\nDisallow: /private/\n".to_owned()),
//!         path => Response::new(format!("the page at {path}")),
//!     };
//!     Ok::<_, Infallible>(response)
//! });
//!
//! let mut service = ServiceBuilder::new()
//!     // .layer(RedirectLayer::new()) goes outside: every hop is checked
//!     .layer(RobotsLayer::new().user_agent("ExampleBot"))
//!     .service(client);
//!
//! let allowed = Request::get("http://example.com/public").body(String::new())?;
//! let response = service.ready().await?.call(allowed).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let refused = Request::get("http://example.com/private/plans").body(String::new())?;
//! let error = service.ready().await?.call(refused).await.unwrap_err();
//! let denied = error.downcast_ref::<RobotsDenied>().expect("a robots.txt refusal");
//! assert_eq!(denied.url(), "http://example.com/private/plans");
//! assert_eq!(denied.user_agent(), "ExampleBot");
//! # Ok(())
//! # }
//! ```

mod cache;
mod future;
mod rules;

use std::borrow::Cow;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{header, Request, Response, Uri};
use http_body::Body;
use tower_layer::Layer;
use tower_service::Service;

pub use future::ResponseFuture;
pub use rules::{product_token, RobotsRules};

use cache::Cache;

/// The error type of [`Robots`]: the inner service's error, boxed as it is,
/// or a [`RobotsDenied`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long an answer is kept by default: 24 hours (RFC 9309 §2.4).
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long an unreachable robots.txt disallows everything before it is
/// fetched again, by default: 10 minutes.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

/// How many origins the cache holds by default.
pub const DEFAULT_MAX_ORIGINS: usize = 1024;

/// How much of a robots.txt is parsed by default: 500 KiB (RFC 9309 §2.5).
pub const DEFAULT_MAX_BODY: usize = 500 * 1024;

/// Redirects followed to find a robots.txt by default (RFC 9309 §2.3.1.2).
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

/// How long fetching a robots.txt may take by default, redirects and body
/// included.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A request refused because of robots.txt. It never reached the network.
///
/// ```
/// # use clientcookie_layers::robots::{RobotsDenied, RobotsLayer};
/// fn explain(error: &tower::BoxError) -> Option<String> {
///     let denied = error.downcast_ref::<RobotsDenied>()?;
///     Some(if denied.is_unreachable() {
///         format!("{}: the site's robots.txt could not be read", denied.url())
///     } else {
///         format!("{}: robots.txt disallows it for {}", denied.url(), denied.user_agent())
///     })
/// }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.message())]
pub struct RobotsDenied {
    url: Uri,
    user_agent: Box<str>,
    unreachable: bool,
}

impl RobotsDenied {
    /// The URL that was refused.
    pub fn url(&self) -> &Uri {
        &self.url
    }

    /// The product token whose rules refused it (`*` for the `*` group).
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// `true` when the site's robots.txt could not be fetched (a server
    /// error, a network error, a timeout) and everything is disallowed
    /// until it is tried again; `false` when its rules disallow the URL.
    pub fn is_unreachable(&self) -> bool {
        self.unreachable
    }

    fn message(&self) -> String {
        if self.unreachable {
            format!(
                "robots.txt of {} is unreachable: {} refused",
                origin_of(&self.url),
                self.url
            )
        } else {
            format!("robots.txt disallows {} for {}", self.url, self.user_agent)
        }
    }
}

fn origin_of(url: &Uri) -> String {
    match (url.scheme_str(), url.authority()) {
        (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
        _ => url.to_string(),
    }
}

/// Settings shared by the services of one layer.
#[derive(Debug, Clone)]
struct Config {
    user_agent: Option<Box<str>>,
    ttl: Duration,
    retry_after: Duration,
    max_body: usize,
    max_redirects: usize,
    fetch_timeout: Duration,
}

/// Refuses what robots.txt disallows; see the [module docs](self).
///
/// Cloning it is cheap and the clones share one cache.
#[derive(Debug, Clone)]
pub struct RobotsLayer {
    config: Arc<Config>,
    cache: Arc<Cache>,
}

impl Default for RobotsLayer {
    fn default() -> Self {
        RobotsLayer::new()
    }
}

impl RobotsLayer {
    /// The defaults: the product token of each request's `User-Agent`,
    /// [`DEFAULT_TTL`], [`DEFAULT_RETRY_AFTER`], [`DEFAULT_MAX_ORIGINS`],
    /// [`DEFAULT_MAX_BODY`], [`DEFAULT_MAX_REDIRECTS`],
    /// [`DEFAULT_FETCH_TIMEOUT`].
    pub fn new() -> RobotsLayer {
        RobotsLayer {
            config: Arc::new(Config {
                user_agent: None,
                ttl: DEFAULT_TTL,
                retry_after: DEFAULT_RETRY_AFTER,
                max_body: DEFAULT_MAX_BODY,
                max_redirects: DEFAULT_MAX_REDIRECTS,
                fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            }),
            cache: Arc::new(Cache::new(DEFAULT_MAX_ORIGINS)),
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Config)) -> RobotsLayer {
        change(Arc::make_mut(&mut self.config));
        self
    }

    /// Obey the groups for this crawler, whatever the requests' `User-Agent`
    /// says. Only its product token counts (`MyBot/2.0` -> `MyBot`).
    ///
    /// ```
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().user_agent("MyBot/2.0");
    /// ```
    #[must_use]
    pub fn user_agent(self, user_agent: &str) -> RobotsLayer {
        let token: Box<str> = product_token(user_agent).into();
        self.with(|c| c.user_agent = Some(token))
    }

    /// Keep a fetched robots.txt (or its absence) this long.
    ///
    /// ```
    /// use std::time::Duration;
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().ttl(Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn ttl(self, ttl: Duration) -> RobotsLayer {
        self.with(|c| c.ttl = ttl)
    }

    /// Disallow everything this long after finding robots.txt unreachable,
    /// then fetch it again.
    ///
    /// ```
    /// use std::time::Duration;
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().retry_after(Duration::from_secs(60));
    /// ```
    #[must_use]
    pub fn retry_after(self, retry_after: Duration) -> RobotsLayer {
        self.with(|c| c.retry_after = retry_after)
    }

    /// Keep the answers of at most `origins` origins (at least one). This
    /// starts a new, empty cache for this layer and its later clones.
    ///
    /// ```
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().max_origins(100_000);
    /// ```
    #[must_use]
    pub fn max_origins(mut self, origins: usize) -> RobotsLayer {
        self.cache = Arc::new(Cache::new(origins));
        self
    }

    /// Parse at most this many bytes of a robots.txt (RFC 9309 §2.5 asks
    /// for at least 500 KiB, the default).
    ///
    /// ```
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().max_body(1024 * 1024);
    /// ```
    #[must_use]
    pub fn max_body(self, bytes: usize) -> RobotsLayer {
        self.with(|c| c.max_body = bytes)
    }

    /// Follow at most this many redirects to find a robots.txt (RFC 9309
    /// §2.3.1.2 asks for at least five, the default).
    ///
    /// ```
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().max_redirects(10);
    /// ```
    #[must_use]
    pub fn max_redirects(self, redirects: usize) -> RobotsLayer {
        self.with(|c| c.max_redirects = redirects)
    }

    /// Give up fetching a robots.txt after this long (redirects and body
    /// included): the site is then unreachable.
    ///
    /// ```
    /// use std::time::Duration;
    /// let layer = clientcookie_layers::robots::RobotsLayer::new().fetch_timeout(Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn fetch_timeout(self, timeout: Duration) -> RobotsLayer {
        self.with(|c| c.fetch_timeout = timeout)
    }

    /// How many origins the cache holds an answer (or a fetch in flight)
    /// for.
    ///
    /// ```
    /// assert_eq!(clientcookie_layers::robots::RobotsLayer::new().cached_origins(), 0);
    /// ```
    pub fn cached_origins(&self) -> usize {
        self.cache.len()
    }
}

impl<S> Layer<S> for RobotsLayer {
    type Service = Robots<S>;

    fn layer(&self, inner: S) -> Robots<S> {
        Robots {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`RobotsLayer`] makes. The robots.txt requests it sends
/// through the inner service have `B::default()` (empty) as their body; the
/// fetch timeout needs tokio's timer, so it runs on a tokio runtime with
/// time enabled.
#[derive(Debug, Clone)]
pub struct Robots<S> {
    inner: S,
    layer: RobotsLayer,
}

impl<S> Robots<S> {
    /// Wraps `inner` with the default settings and a cache of its own.
    pub fn new(inner: S) -> Robots<S> {
        RobotsLayer::new().layer(inner)
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

impl<S, B, ResB> Service<Request<B>> for Robots<S>
where
    S: Service<Request<B>, Response = Response<ResB>> + Clone,
    S::Error: Into<BoxError>,
    B: Default,
    ResB: Body,
{
    type Response = Response<ResB>;
    type Error = BoxError;
    type Future = ResponseFuture<S, B, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // A request sent at once goes through the layer's service, which
        // said it was ready; `start` clones it only for a request that must
        // wait for robots.txt.
        let Some(key) = origin_key(request.uri()) else {
            return ResponseFuture::unchecked(&mut self.inner, request);
        };
        if request.uri().path() == "/robots.txt" {
            return ResponseFuture::unchecked(&mut self.inner, request);
        }
        future::start(
            &mut self.inner,
            request,
            &key,
            &self.layer.config,
            &self.layer.cache,
        )
    }
}

/// `scheme://host:port`, lowercase, with the port always written: the
/// cache key. `None` for what is not an `http` or `https` URL.
fn origin_key(uri: &Uri) -> Option<OriginKey> {
    let scheme = uri.scheme_str()?;
    let default_port = if scheme.eq_ignore_ascii_case("http") {
        80
    } else if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        return None;
    };
    let authority = uri.authority()?;
    if let Some(key) = plain_origin_key(default_port, authority.as_str()) {
        return Some(key);
    }
    let host = Some(authority.host()).filter(|h| !h.is_empty())?;
    let port = authority.port_u16().unwrap_or(default_port);
    let mut key = OriginKey::new();
    key.push(scheme);
    key.push("://");
    key.push(host);
    key.push(":");
    key.push(itoa_u16(port, &mut [0; 5]));
    key.make_ascii_lowercase();
    Some(key)
}

/// [`origin_key`] for the authority nearly every request has (a lowercase
/// ASCII host of letters, digits, dots and hyphens, and a decimal port or
/// none), in one pass: the general path asks `http` for the host and the
/// port separately, and the port's parse alone cost more than this whole
/// function. `None` for any other authority, which takes that path.
fn plain_origin_key(default_port: u16, authority: &str) -> Option<OriginKey> {
    // The scheme, lowercase, as the general path writes it.
    let scheme = if default_port == 80 { "http" } else { "https" };
    let bytes = authority.as_bytes();
    let (host, port) = match bytes.iter().position(|b| *b == b':') {
        Some(colon) => (&bytes[..colon], Some(&bytes[colon + 1..])),
        None => (bytes, None),
    };
    let plain = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-';
    if host.is_empty() || !host.iter().all(plain) {
        return None;
    }
    // The port as the general path writes it: as written, unless it has
    // a leading zero (then its value written again).
    let mut buf = [0; 5];
    let port: &[u8] = match port {
        None if default_port == 80 => b"80",
        None => b"443",
        Some(written)
            if (1..=5).contains(&written.len()) && written.iter().all(u8::is_ascii_digit) =>
        {
            let value = written
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
            let value = u16::try_from(value).ok()?;
            if written[0] == b'0' {
                itoa_u16(value, &mut buf).as_bytes()
            } else {
                written
            }
        }
        Some(_) => return None,
    };
    let parts = [scheme.as_bytes(), b"://", host, b":", port];
    if parts.iter().map(|p| p.len()).sum::<usize>() > OriginKey::INLINE {
        return None;
    }
    let mut key = OriginKey::new();
    for part in parts {
        key.inline[key.len..key.len + part.len()].copy_from_slice(part);
        key.len += part.len();
    }
    Some(key)
}

/// An origin key built on the stack when it is short (nearly always), so
/// that checking a request against a cached answer allocates nothing.
struct OriginKey {
    inline: [u8; OriginKey::INLINE],
    len: usize,
    // Used instead of `inline` once the key does not fit.
    heap: Option<String>,
}

impl OriginKey {
    const INLINE: usize = 128;

    fn new() -> OriginKey {
        OriginKey {
            inline: [0; OriginKey::INLINE],
            len: 0,
            heap: None,
        }
    }

    fn push(&mut self, s: &str) {
        if let Some(heap) = &mut self.heap {
            heap.push_str(s);
        } else if self.len + s.len() <= OriginKey::INLINE {
            self.inline[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut heap = String::with_capacity(self.len + s.len() + 16);
            heap.push_str(self.inline_str());
            heap.push_str(s);
            self.heap = Some(heap);
        }
    }

    fn make_ascii_lowercase(&mut self) {
        match &mut self.heap {
            Some(heap) => heap.make_ascii_lowercase(),
            None => self.inline[..self.len].make_ascii_lowercase(),
        }
    }

    fn inline_str(&self) -> &str {
        // Only whole `&str`s are copied in, and ASCII lowercasing keeps
        // UTF-8 valid.
        std::str::from_utf8(&self.inline[..self.len]).unwrap_or_default()
    }

    fn as_str(&self) -> &str {
        match &self.heap {
            Some(heap) => heap,
            None => self.inline_str(),
        }
    }

    /// The key's bytes, without the UTF-8 check `as_str` makes: what the
    /// cache is asked with on every request.
    fn as_bytes(&self) -> &[u8] {
        match &self.heap {
            Some(heap) => heap.as_bytes(),
            None => &self.inline[..self.len],
        }
    }
}

fn itoa_u16(mut n: u16, buf: &mut [u8; 5]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// The product token whose rules apply: the configured one, else the
/// request's `User-Agent`'s, else `*`.
fn agent_for<'a, B>(config: &'a Config, request: &'a Request<B>) -> Cow<'a, str> {
    if let Some(agent) = &config.user_agent {
        return Cow::Borrowed(agent);
    }
    let token = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| product_token(v.trim_start()))
        .filter(|t| !t.is_empty())
        .unwrap_or("*");
    Cow::Borrowed(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_keys_write_the_port_and_ignore_case() {
        let key = |s: &str| origin_key(&s.parse().unwrap()).map(|k| k.as_str().to_owned());
        assert_eq!(
            key("http://Example.COM/a").as_deref(),
            Some("http://example.com:80")
        );
        assert_eq!(
            key("https://a.example:8443/").as_deref(),
            Some("https://a.example:8443")
        );
        assert_eq!(
            key("HTTPS://a.example/").as_deref(),
            Some("https://a.example:443")
        );
        assert_eq!(key("ftp://a.example/"), None);
        // Longer than the key's inline buffer: kept whole, on the heap.
        let long = format!("{}.example", "Ab".repeat(100));
        assert_eq!(
            key(&format!("http://{long}/x")),
            Some(format!("http://{}:80", long.to_ascii_lowercase()))
        );
        assert_eq!(key("/relative"), None);
        // The one-pass path and the general one agree.
        assert_eq!(
            key("http://a-b.example:8080/x").as_deref(),
            Some("http://a-b.example:8080")
        );
        assert_eq!(
            key("http://a.example:080/").as_deref(),
            Some("http://a.example:80")
        );
        assert_eq!(
            key("https://u@A.example:70000/").as_deref(),
            Some("https://a.example:443")
        );
        for authority in [
            "a.example",
            "a.example:81",
            "a.example:080",
            "a.example:",
            "a:99999",
            "[::1]:8080",
            "U@Host:1",
            "h_1.example",
        ] {
            for scheme in ["http", "https"] {
                let uri: Uri = format!("{scheme}://{authority}/").parse().unwrap();
                let default_port = if scheme == "http" { 80 } else { 443 };
                let fast = plain_origin_key(default_port, uri.authority().unwrap().as_str());
                if let Some(fast) = fast {
                    assert_eq!(
                        Some(fast.as_str()),
                        origin_key(&uri).as_ref().map(OriginKey::as_str)
                    );
                    let general = {
                        let host = uri.host().unwrap();
                        let port = uri.port_u16().unwrap_or(default_port);
                        format!("{scheme}://{host}:{port}").to_ascii_lowercase()
                    };
                    assert_eq!(fast.as_str(), general, "{authority}");
                }
            }
        }
    }

    #[test]
    fn the_agent_is_the_configured_token_or_the_user_agents_or_star() {
        let config = RobotsLayer::new().config;
        let request = |ua: Option<&str>| {
            let mut r = Request::get("http://a/").body(()).unwrap();
            if let Some(ua) = ua {
                r.headers_mut()
                    .insert(header::USER_AGENT, ua.parse().unwrap());
            }
            r
        };
        let r = request(Some("FooBot/1.0 (+http://foo)"));
        assert_eq!(agent_for(&config, &r), "FooBot");
        let r = request(None);
        assert_eq!(agent_for(&config, &r), "*");
        let r = request(Some("1.0"));
        assert_eq!(agent_for(&config, &r), "*");
        let configured = RobotsLayer::new().user_agent("Mine/3").config;
        let r = request(Some("FooBot/1.0"));
        assert_eq!(agent_for(&configured, &r), "Mine");
    }
}
