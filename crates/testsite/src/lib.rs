//! The clientcookie test site: a real HTTP/1.1 server (hyper) on `127.0.0.1`, started
//! in-process by tests, examples and benchmarks, with the scenarios a cookie-handling,
//! redirect-following, robots-respecting client needs.
//!
//! It binds only the loopback interface, on a free port. Any `Host` header is accepted, so one
//! server plays many sites: ask for `http://a.example:PORT/` and have the client connect to
//! `127.0.0.1` ([`TestSite::url_for_host`]). The host, lowercased and without its port, is
//! what the request log records, what `/echo` reports and what `/robots.txt` is chosen by.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use clientcookie_testsite::{raw, TestSite};
//!
//! let site = TestSite::start().await?;
//! let resp = raw::get(site.addr(), "a.example", "/set-cookie?sid=42").await?;
//! assert_eq!(resp.header("set-cookie"), Some("sid=42; Path=/"));
//!
//! let resp = raw::request(site.addr(), "GET", "a.example", "/echo", &[("Cookie", "sid=42")], b"").await?;
//! assert_eq!(resp.json().expect("JSON")["headers"]["cookie"][0], "sid=42");
//!
//! let log = site.requests();
//! assert_eq!(log.len(), 2);
//! assert_eq!(log[1].host, "a.example");
//! assert_eq!(log[1].header("cookie"), Some("sid=42"));
//! # Ok(())
//! # }
//! ```
//!
//! # Endpoints
//!
//! Methods are not checked except where shown: `ANY` and `GET` routes answer every method.
//! Bad parameters (a number that is not one, a status that is not a status, a header value
//! with a line break) get `400`; nothing a client sends makes the server panic.
//!
//! | Route | Response |
//! |---|---|
//! | `GET /set-cookie?<name>=<value>&...` | 200, one `Set-Cookie: name=value; Path=/` per pair, in order |
//! | `GET /set-cookie-raw?h=<value>&h=...[&to=<url>]` | 200, each `h` (percent-decoded, bytes kept as they are) sent verbatim as a `Set-Cookie` header; with `to`, a 302 to `to` instead of the 200 (a browser collects cookies of several hosts in one visit) |
//! | `GET /set-cookie2-raw?h=<value>&h=...` | the same with `Set-Cookie2` |
//! | `ANY /echo`, `ANY /echo/...` | 200 `application/json`: `{"method", "host", "path", "query", "headers": {name: [values]}, "body"}`; header names lowercased, body as lossy UTF-8 |
//! | `ANY /redirect/<status>?to=<url>&set=<name>=<value>&policy=<p>` | any 3xx status (301, 302, 303, 307, 308, and 300, 304, 305 for edge cases), `Location: to` (none without `to`), one `Set-Cookie: name=value; Path=/` per `set`, `Referrer-Policy: p` when `policy` is given (sent as given) |
//! | `ANY /redirect-chain/<n>[?status=<3xx>]` | `n > 0`: a redirect (302 unless `status`) to `/redirect-chain/<n-1>` (query kept), setting `hop<n>=1; Path=/`; `n = 0`: the `/echo` JSON |
//! | `ANY /redirect-loop` | 302 to itself |
//! | `GET /refresh?delay=<secs>&to=<url>` | 200 with `Refresh: <delay>; url=<to>` (`Refresh: <delay>` without `to`; `delay` defaults to 0 and is sent as given) |
//! | `GET /meta-refresh?delay=&to=` | `text/html`, the same value in `<meta http-equiv="Refresh" content="...">` in the head |
//! | `GET /equiv` | `text/html` whose head holds `X-Test: yes`, `Set-Cookie: meta=1; Path=/` and `Content-Language: en` as `<meta http-equiv>` tags, and whose body holds an `X-In-Body: no` tag that is not in the head |
//! | `GET /equiv-custom?head=<html>&body_kb=N&pad_kb=P` | `text/html`: `<html><head>{pad}{head}</head><body>` then `N` KiB of generated body, streamed; `pad` is a comment of exactly `P` KiB (at most 4096; none by default) |
//! | `GET /bytes[/...]?body=<bytes>&ct=<type>&chunk=N&delay_ms=M` | 200 with `body` (percent-decoded, bytes kept as they are) as the body, `ct` as `Content-Type` (no `Content-Type` without `ct`), sent in pieces of `N` bytes (default: one piece) `M` ms apart (default 0) |
//! | `GET /robots.txt` | what [`TestSite::set_robots`] (or [`TestSite::set_robots_redirect`]) configured for the request's host, with its status, after the [`TestSite::set_robots_delay`] of that host; `404` when nothing is configured |
//! | `GET /big?bytes=N` | `N` bytes (default 100,000,000) of generated content ([`BIG_PATTERN`] repeated), `application/octet-stream`, streamed in 16 KiB chunks made on demand, counted in [`TestSite::body_bytes_sent`] |
//! | `GET /big-html?bytes=N` | `text/html`: a head with `<meta http-equiv>` tags (`X-Test: big`, `Set-Cookie: bighead=1; Path=/`), then `N` bytes (default 1,000,000) of generated body, streamed and counted |
//! | `GET /slow?chunks=N&delay_ms=M&chunk_bytes=B` | `N` chunks (default 10) of `B` bytes (default 1024, at most 16384) with `M` ms (default 100) between them, counted |
//! | `GET /trailers?bytes=N` | `N` bytes (default 1024) of generated content, chunked (no `Content-Length`, a `Trailer` header naming them), then the trailers `X-Body-Bytes: N` and `X-Trailer: end` (sent only when the request has `TE: trailers`, as hyper requires), counted |
//! | `GET /truncated?bytes=N&promised=M` | `Content-Length: M` (default `2N`; must be more than `N`) but only `N` bytes (default 1024) of generated content, then the connection is closed: a body that fails in the middle |
//! | `GET /login` | an HTML login form (`user`, `password`) |
//! | `POST /login` | form body `user=...&password=secret`: 303 to `/account` with `Set-Cookie: session=<token>; Path=/; HttpOnly`; a wrong password or no user: 401 |
//! | `GET /logout` | 303 to `/login`, expiring the `session` cookie |
//! | `GET /account` | 200 `welcome <user>` with a valid `session` cookie, else 403 |
//! | `GET /status/<code>` | that status (200..=999) with a short body (none for 204 and 304) |
//! | `GET /html/referer-links[?policy=<p>]` | a small page of same-site links, with `Referrer-Policy: p` when asked |
//! | anything else | 404 |
//!
//! Every response but `/trailers` carries `Content-Length`; connections are kept alive (but
//! for `/truncated`'s). Request bodies larger
//! than 16 MiB are answered with 413.
//!
//! # Running it by hand
//!
//! `cargo run -p clientcookie-testsite -- [--port N]` prints the base URL and serves until
//! killed.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod body;
mod query;
pub mod raw;
mod routes;

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{request, Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use body::SiteBody;
pub use body::BIG_PATTERN;

/// How many requests the log keeps (the oldest are dropped first).
pub const LOG_CAPACITY: usize = 100_000;

/// Largest request body the site reads; larger ones get 413.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// One request as the site received it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use clientcookie_testsite::{raw, TestSite};
///
/// let site = TestSite::start().await?;
/// raw::request(site.addr(), "POST", "WWW.Site.Test", "/echo?x=1", &[("Referer", "http://a.example/")], b"data").await?;
/// let req = &site.requests()[0];
/// assert_eq!(req.method, "POST");
/// assert_eq!(req.host, "www.site.test");
/// assert_eq!(req.path_and_query, "/echo?x=1");
/// assert_eq!(req.header("referer"), Some("http://a.example/"));
/// assert_eq!(req.body, b"data");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The `Host` header without its port, lowercased (empty when the request had none).
    pub host: String,
    /// The request target's path and query, e.g. `/echo?x=1`.
    pub path_and_query: String,
    /// Header fields in the order received; names lowercased, values as lossy UTF-8.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
}

impl LoggedRequest {
    /// The first value of header `name` (case-insensitive).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # use clientcookie_testsite::{raw, TestSite};
    /// # let site = TestSite::start().await?;
    /// raw::request(site.addr(), "GET", "a.example", "/", &[("Cookie", "a=1")], b"").await?;
    /// assert_eq!(site.requests()[0].header("Cookie"), Some("a=1"));
    /// assert_eq!(site.requests()[0].header("Referer"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }

    /// Every value of header `name` (case-insensitive), in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # use clientcookie_testsite::{raw, TestSite};
    /// # let site = TestSite::start().await?;
    /// raw::request(site.addr(), "GET", "a.example", "/", &[("Cookie", "a=1"), ("Cookie", "b=2")], b"").await?;
    /// assert_eq!(site.requests()[0].header_all("cookie"), ["a=1", "b=2"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// What the handlers share.
pub(crate) struct State {
    /// Each entry packed into one buffer ([`PackedRequest`]): one allocation per request
    /// however many headers it has, so the log costs little in the benchmarks that count
    /// instructions; [`TestSite::requests`] unpacks.
    log: Mutex<VecDeque<PackedRequest>>,
    pub(crate) robots: Mutex<HashMap<String, RobotsFile>>,
    /// How long `/robots.txt` waits before answering, per host.
    robots_delay: Mutex<HashMap<String, Duration>>,
    pub(crate) body_bytes_sent: Arc<AtomicU64>,
    pub(crate) sessions: Mutex<HashMap<String, String>>,
    pub(crate) next_session: AtomicU64,
    /// Mixed into session tokens so they are not guessable from the serial alone.
    pub(crate) secret: u64,
}

impl State {
    fn new() -> Self {
        State {
            log: Mutex::new(VecDeque::new()),
            robots: Mutex::new(HashMap::new()),
            robots_delay: Mutex::new(HashMap::new()),
            body_bytes_sent: Arc::new(AtomicU64::new(0)),
            sessions: Mutex::new(HashMap::new()),
            next_session: AtomicU64::new(1),
            secret: std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish(),
        }
    }

    fn record(&self, entry: PackedRequest) {
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= LOG_CAPACITY {
                log.pop_front();
            }
            log.push_back(entry);
        }
    }
}

/// A [`LoggedRequest`] packed into one buffer: method, host, path and query, the header
/// count, each header's name and raw value, and the body, each (but the count) preceded by its
/// length as a little-endian `u32`.
struct PackedRequest(Box<[u8]>);

impl PackedRequest {
    fn new(parts: &request::Parts, host: &str, body: &[u8]) -> Self {
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
        let headers = &parts.headers;
        let len = 4 * 5
            + parts.method.as_str().len()
            + host.len()
            + path_and_query.len()
            + headers
                .iter()
                .map(|(n, v)| 8 + n.as_str().len() + v.len())
                .sum::<usize>()
            + body.len();
        let mut buf = Vec::with_capacity(len);
        let mut put = |bytes: &[u8]| {
            buf.extend_from_slice(&len_u32(bytes.len()).to_le_bytes());
            buf.extend_from_slice(bytes);
        };
        put(parts.method.as_str().as_bytes());
        put(host.as_bytes());
        put(path_and_query.as_bytes());
        buf.extend_from_slice(&len_u32(headers.len()).to_le_bytes());
        for (name, value) in headers {
            buf.extend_from_slice(&len_u32(name.as_str().len()).to_le_bytes());
            buf.extend_from_slice(name.as_str().as_bytes());
            buf.extend_from_slice(&len_u32(value.len()).to_le_bytes());
            buf.extend_from_slice(value.as_bytes());
        }
        buf.extend_from_slice(&len_u32(body.len()).to_le_bytes());
        buf.extend_from_slice(body);
        PackedRequest(buf.into_boxed_slice())
    }

    fn unpack(&self) -> LoggedRequest {
        let mut rest: &[u8] = &self.0;
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let method = text(take_field(&mut rest));
        let host = text(take_field(&mut rest));
        let path_and_query = text(take_field(&mut rest));
        let count = take_u32(&mut rest);
        let headers = (0..count)
            .map(|_| {
                let name = text(take_field(&mut rest));
                (name, text(take_field(&mut rest)))
            })
            .collect();
        let body = take_field(&mut rest).to_vec();
        LoggedRequest {
            method,
            host,
            path_and_query,
            headers,
            body,
        }
    }
}

/// The next little-endian `u32` of a packed entry.
fn take_u32(rest: &mut &[u8]) -> usize {
    let (len, tail) = rest.split_at(4);
    *rest = tail;
    u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize
}

/// The next length-prefixed field of a packed entry.
fn take_field<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let len = take_u32(rest);
    let (field, tail) = rest.split_at(len);
    *rest = tail;
    field
}

/// A length as the packed log stores it; every field is far below 4 GiB (the body is capped at
/// 16 MiB, hyper caps the head).
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// What `/robots.txt` answers on one host.
#[derive(Debug, Clone)]
pub(crate) struct RobotsFile {
    pub(crate) status: StatusCode,
    pub(crate) body: String,
    pub(crate) location: Option<String>,
}

/// A running test site. Dropping it shuts the server down and closes its connections.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use clientcookie_testsite::TestSite;
///
/// let site = TestSite::start().await?;
/// let addr = site.addr();
/// assert!(addr.ip().is_loopback());
/// drop(site);
/// tokio::task::yield_now().await;
/// # Ok(())
/// # }
/// ```
pub struct TestSite {
    addr: SocketAddr,
    state: Arc<State>,
    /// Dropping the sender tells the accept loop to stop.
    _shutdown: watch::Sender<()>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TestSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSite")
            .field("addr", &self.addr)
            .finish()
    }
}

impl TestSite {
    /// Starts the site on a free port of `127.0.0.1`, on the current tokio runtime.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let site = clientcookie_testsite::TestSite::start().await?;
    /// assert_ne!(site.addr().port(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start() -> io::Result<TestSite> {
        Self::start_on_port(0).await
    }

    /// Starts the site on `127.0.0.1:port` (`0` for any free port), on the current tokio
    /// runtime.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let site = clientcookie_testsite::TestSite::start_on_port(0).await?;
    /// assert!(site.url("/").starts_with("http://127.0.0.1:"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start_on_port(port: u16) -> io::Result<TestSite> {
        let listener = listen(port)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new());
        let (tx, rx) = watch::channel(());
        let task = tokio::spawn(serve(listener, Arc::clone(&state), rx));
        tracing::debug!(%addr, "test site started");
        Ok(TestSite {
            addr,
            state,
            _shutdown: tx,
            task: Some(task),
        })
    }

    /// Starts the site on a thread of its own with its own tokio runtime, for callers that are
    /// not async (blocking clients, benchmark harnesses, tests of a binary).
    ///
    /// ```
    /// let site = clientcookie_testsite::TestSite::start_in_background()?;
    /// assert!(site.addr().ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_in_background() -> io::Result<TestSite> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("testsite")
            .build()?;
        let listener = runtime.block_on(async { listen(0) })?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new());
        let (tx, rx) = watch::channel(());
        let thread_state = Arc::clone(&state);
        std::thread::Builder::new()
            .name("testsite".to_owned())
            .spawn(move || {
                runtime.block_on(serve(listener, thread_state, rx));
            })?;
        Ok(TestSite {
            addr,
            state,
            _shutdown: tx,
            task: None,
        })
    }

    /// The address the site listens on (always `127.0.0.1`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let site = clientcookie_testsite::TestSite::start().await?;
    /// assert_eq!(site.addr().ip(), std::net::Ipv4Addr::LOCALHOST);
    /// # Ok(())
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}` (a `/` is put before a path that lacks one).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let site = clientcookie_testsite::TestSite::start().await?;
    /// let port = site.addr().port();
    /// assert_eq!(site.url("/echo"), format!("http://127.0.0.1:{port}/echo"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn url(&self, path: &str) -> String {
        self.url_for_host("127.0.0.1", path)
    }

    /// `http://{host}:PORT{path}`: a URL naming a virtual host. The client must connect to
    /// [`addr`](Self::addr) itself (resolve `host` to `127.0.0.1`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let site = clientcookie_testsite::TestSite::start().await?;
    /// let port = site.addr().port();
    /// assert_eq!(site.url_for_host("a.example", "/"), format!("http://a.example:{port}/"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn url_for_host(&self, host: &str, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://{host}:{}{slash}{path}", self.addr.port())
    }

    /// The request log, oldest first (at most [`LOG_CAPACITY`] entries).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use clientcookie_testsite::{raw, TestSite};
    ///
    /// let site = TestSite::start().await?;
    /// raw::get(site.addr(), "a.example", "/robots.txt").await?;
    /// raw::get(site.addr(), "b.example", "/echo").await?;
    /// let seen: Vec<_> = site.requests().into_iter().map(|r| (r.host, r.path_and_query)).collect();
    /// assert_eq!(seen, [("a.example".to_owned(), "/robots.txt".to_owned()),
    ///                   ("b.example".to_owned(), "/echo".to_owned())]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<LoggedRequest> {
        match self.state.log.lock() {
            Ok(log) => log.iter().map(PackedRequest::unpack).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Empties the request log.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # use clientcookie_testsite::{raw, TestSite};
    /// let site = TestSite::start().await?;
    /// raw::get(site.addr(), "a.example", "/").await?;
    /// site.clear_log();
    /// assert!(site.requests().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear_log(&self) {
        if let Ok(mut log) = self.state.log.lock() {
            log.clear();
        }
    }

    /// Makes `GET /robots.txt` on `host` answer `status` with `body` (`text/plain`). The host
    /// is matched without its port and case-insensitively; setting it again replaces it.
    ///
    /// # Panics
    ///
    /// If `status` is not a final HTTP status (200..=999): that is a mistake in the test.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use clientcookie_testsite::{raw, TestSite};
    ///
    /// let site = TestSite::start().await?;
    /// site.set_robots("a.example", 200, "User-agent: *\nDisallow: /private\n");
    /// site.set_robots("b.example", 503, "down");
    /// assert_eq!(raw::get(site.addr(), "a.example", "/robots.txt").await?.text(),
    ///            "User-agent: *\nDisallow: /private\n");
    /// assert_eq!(raw::get(site.addr(), "b.example", "/robots.txt").await?.status, 503);
    /// assert_eq!(raw::get(site.addr(), "c.example", "/robots.txt").await?.status, 404);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_robots(&self, host: &str, status: u16, body: &str) {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|s| !s.is_informational())
            .unwrap_or_else(|| panic!("set_robots: {status} is not a final HTTP status"));
        self.put_robots(
            host,
            RobotsFile {
                status,
                body: body.to_owned(),
                location: None,
            },
        );
    }

    /// Makes `GET /robots.txt` on `host` answer the redirect `status` (a 3xx) with
    /// `Location: location`. Setting robots for the host again replaces it.
    ///
    /// # Panics
    ///
    /// If `status` is not a 3xx status or `location` is not a valid header value: mistakes
    /// in the test.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use clientcookie_testsite::{raw, TestSite};
    ///
    /// let site = TestSite::start().await?;
    /// site.set_robots_redirect("a.example", 301, "http://b.example/robots.txt");
    /// let resp = raw::get(site.addr(), "a.example", "/robots.txt").await?;
    /// assert_eq!(resp.status, 301);
    /// assert_eq!(resp.header("location"), Some("http://b.example/robots.txt"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_robots_redirect(&self, host: &str, status: u16, location: &str) {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(StatusCode::is_redirection)
            .unwrap_or_else(|| panic!("set_robots_redirect: {status} is not a 3xx status"));
        assert!(
            http::HeaderValue::from_str(location).is_ok(),
            "set_robots_redirect: {location:?} is not a header value"
        );
        self.put_robots(
            host,
            RobotsFile {
                status,
                body: format!("moved to {location}\n"),
                location: Some(location.to_owned()),
            },
        );
    }

    fn put_robots(&self, host: &str, file: RobotsFile) {
        if let Ok(mut robots) = self.state.robots.lock() {
            robots.insert(normalize_host(host), file);
        }
    }

    /// Makes `GET /robots.txt` on `host` wait `delay` before it answers (the request is
    /// logged when it arrives). `Duration::ZERO` removes the delay.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::{Duration, Instant};
    /// use clientcookie_testsite::{raw, TestSite};
    ///
    /// let site = TestSite::start().await?;
    /// site.set_robots_delay("slow.example", Duration::from_millis(50));
    /// let start = Instant::now();
    /// raw::get(site.addr(), "slow.example", "/robots.txt").await?;
    /// assert!(start.elapsed() >= Duration::from_millis(50));
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_robots_delay(&self, host: &str, delay: Duration) {
        if let Ok(mut delays) = self.state.robots_delay.lock() {
            if delay.is_zero() {
                delays.remove(&normalize_host(host));
            } else {
                delays.insert(normalize_host(host), delay);
            }
        }
    }

    /// Total body bytes that hyper has pulled out of the generated bodies (`/big`,
    /// `/big-html`, `/equiv-custom`, `/slow`, `/trailers`, `/truncated`) so far. A chunk is
    /// counted when it is polled, so a client that stops reading leaves this well short of the
    /// body's length (what the socket buffers hold is counted too).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use clientcookie_testsite::{raw, TestSite};
    ///
    /// let site = TestSite::start().await?;
    /// let resp = raw::get(site.addr(), "a.example", "/big?bytes=5000").await?;
    /// assert_eq!(resp.body.len(), 5000);
    /// assert_eq!(site.body_bytes_sent(), 5000);
    /// # Ok(())
    /// # }
    /// ```
    pub fn body_bytes_sent(&self) -> u64 {
        self.state.body_bytes_sent.load(Ordering::Relaxed)
    }
}

impl Drop for TestSite {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Kernel send buffer of each connection. Fixed rather than autotuned (which grows to
/// megabytes on loopback), so a client that stops reading stops the generated bodies within
/// a few hundred KiB; loopback throughput stays in the GB/s.
const SEND_BUFFER: u32 = 64 * 1024;

/// hyper's own write buffer limit, for the same reason (its default is about 400 KiB).
const HYPER_BUFFER: usize = 64 * 1024;

/// A listener on `127.0.0.1:port` whose accepted sockets inherit [`SEND_BUFFER`]. Must be
/// called within a tokio runtime.
fn listen(port: u16) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.set_send_buffer_size(SEND_BUFFER)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    socket.listen(1024)
}

/// Accepts connections until the shutdown sender is dropped; the connections live in a
/// `JoinSet`, so they end with the loop.
async fn serve(listener: TcpListener, state: Arc<State>, mut shutdown: watch::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&state)));
                }
                Err(error) => {
                    // Usually out of file descriptors: wait instead of spinning.
                    tracing::warn!(%error, "test site accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    tracing::debug!("test site stopped");
}

async fn serve_connection(stream: TcpStream, state: Arc<State>) {
    // Small responses on kept-alive connections must not wait for delayed ACKs.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| handle(Arc::clone(&state), req));
    let result = http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .max_buf_size(HYPER_BUFFER)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(error) = result {
        tracing::debug!(%error, "test site connection ended with an error");
    }
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<SiteBody>, Infallible> {
    let (parts, body) = req.into_parts();
    let host = host_of(&parts);
    let (body, too_large) = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => (collected.to_bytes(), false),
        Err(error) => (
            bytes::Bytes::new(),
            error.downcast_ref::<LengthLimitError>().is_some(),
        ),
    };
    state.record(PackedRequest::new(&parts, &host, &body));
    if parts.uri.path() == "/robots.txt" {
        let delay = state
            .robots_delay
            .lock()
            .ok()
            .and_then(|d| d.get(&host).copied());
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
    if too_large {
        let mut resp = Response::new(SiteBody::full("request body too large\n"));
        *resp.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return Ok(resp);
    }
    Ok(routes::route(&state, &parts, &host, &body))
}

/// The request's host: the `Host` header (or the target's authority), without its port,
/// lowercased.
fn host_of(parts: &request::Parts) -> String {
    let raw = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    normalize_host(raw)
}

/// `A.Example:8080` -> `a.example`, `[::1]:80` -> `[::1]`.
fn normalize_host(raw: &str) -> String {
    let raw = raw.trim();
    let host = match raw.rfind(']') {
        Some(close) => &raw[..=close],
        None => match raw.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => raw,
        },
    };
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::normalize_host;

    #[test]
    fn hosts_lose_their_port_and_case() {
        assert_eq!(normalize_host("A.Example:8080"), "a.example");
        assert_eq!(normalize_host("a.example"), "a.example");
        assert_eq!(normalize_host("[::1]:80"), "[::1]");
        assert_eq!(normalize_host(""), "");
    }
}
