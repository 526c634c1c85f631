//! # clientcookie
//!
//! A Rust HTTP client that behaves like a careful browser: a cookie jar that
//! decides correctly which cookies to accept and return (RFC 6265bis, and
//! RFC 2965 when asked), plus small tower layers for redirects, Referer,
//! Refresh, `<meta http-equiv>`, robots.txt and re-readable bodies, put
//! together around reqwest or hyper-util by an [`Opener`].
//!
//! ## Fetch a page
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), clientcookie::Error> {
//! // The seed's urlopen(): a default opener, built on first use.
//! let page = clientcookie::get("http://example.com/").await?.text().await?;
//!
//! // The seed's build_opener(): the same stack, configured.
//! let opener = clientcookie::Opener::builder()
//!     .user_agent("my-crawler/1.0 (+http://example.com/bot)")
//!     .from("crawler@example.com")
//!     .max_redirects(5)
//!     .build()?;
//! opener.post_form("http://example.com/login", [("user", "ada"), ("password", "secret")]).await?;
//! let response = opener.get("http://example.com/account").await?;
//! println!("{} {} via {} redirects", response.status(), response.url(), response.history().len());
//!
//! // The seed's urlretrieve(): stream a body to a file.
//! opener.retrieve("http://example.com/data.csv", "data.csv", |_progress| {}).await?;
//! # Ok(())
//! # }
//! ```
//!
//! ## The stack
//!
//! An [`Opener`] sends each request through these layers, outermost first;
//! each can be switched off on the [`OpenerBuilder`]:
//!
//! ```text
//! default headers     User-Agent: clientcookie/VERSION, From, your own (the seed's addheaders)
//! RedirectLayer       follows 3xx; hops after the first are unverifiable; history; loop and hop limits
//! RefreshLayer        follows a Refresh of at most 30 s as a redirect, from the same hop budget
//! RobotsLayer         robots.txt fetched once per origin; a disallowed URL is never requested
//! RefererLayer        Referer per Referrer-Policy from a Referrer extension; never https -> http
//! CookieLayer         jar -> Cookie, Set-Cookie -> jar, judged per hop
//! HttpEquivLayer      <meta http-equiv> of an HTML head -> response headers (Set-Cookie, Refresh…)
//! inner service       reqwest (rustls; its redirects, cookies, referer off) or hyper-util
//! seekable body       off by default: a body that can be rewound (OpenerBuilder::seekable)
//! ```
//!
//! ## Proxies and TLS
//!
//! With reqwest (the default backend), `HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY` and `NO_PROXY` are read from the environment as reqwest
//! always does ([`OpenerBuilder::no_proxy`] turns that off), and TLS is
//! rustls with the *ring* provider, certificates checked by the platform
//! verifier. The hyper backend connects directly (no proxy variables) and
//! speaks `http` unless given an https connector
//! ([`OpenerBuilder::hyper_connector`]). Details in [`backend`].
//!
//! ## Errors
//!
//! One opaque [`Error`] with predicates: [`Error::is_network`],
//! [`Error::is_redirect_loop`], [`Error::is_too_many_redirects`],
//! [`Error::is_robots_denied`], [`Error::is_builder`], [`Error::is_io`];
//! the cause is down its `source()` chain.
//!
//! ## The jar alone
//!
//! The jar lives in [`jar`] and needs no HTTP client at all:
//!
//! ```
//! use clientcookie::jar::CookieJar;
//!
//! let mut jar = CookieJar::new();
//! let request = http::Request::get("https://example.com/").body(()).unwrap();
//! let response = http::Response::builder()
//!     .header("set-cookie", "sid=42; Path=/")
//!     .body(())
//!     .unwrap();
//! jar.extract_cookies(&request, &response);
//! assert_eq!(jar.cookie_header_for("https://example.com/").as_deref(), Some("sid=42"));
//! ```
//!
//! With the `reqwest` feature, [`jar::SharedJar`] is a
//! `reqwest::cookie::CookieStore`: a plain reqwest client can use it through
//! `ClientBuilder::cookie_provider` (see `examples/reqwest_jar.rs`).
//!
//! ## Where the seed's names went
//!
//! | seed | here |
//! |---|---|
//! | `urlopen(url)` | [`get`] |
//! | `install_opener(opener)` | [`install_opener`] |
//! | `urlretrieve(url, filename, reporthook)` | [`retrieve`], [`Opener::retrieve`] |
//! | `build_opener(*handlers)` | [`Opener::builder`] |
//! | `OpenerDirector.open(url, data)` | [`Opener::get`], [`Opener::post_form`], [`Opener::request`] |
//! | `response.geturl()`, `.info()`, `.read()` | [`Response::url`], [`Response::headers`], [`Response::bytes`] |
//!
//! ## Cargo features
//!
//! - `reqwest` (default): the reqwest backend, rustls with the ring crypto
//!   provider (see [`backend`] for why not aws-lc-rs), and the
//!   `CookieStore` impl.
//! - `http2`: HTTP/2 for the reqwest backend.
//! - `hyper`: the hyper-util backend ([`OpenerBuilder::hyper`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
mod body;
mod error;
mod opener;
mod response;
mod retrieve;
mod stack;

use std::path::Path;
use std::sync::{PoisonError, RwLock};

pub use body::{Body, BoxedBody, ResponseBody, SeekableResponseBody};
pub use clientcookie_jar as jar;
pub use clientcookie_layers as layers;
pub use clientcookie_layers::redirect::ReplayBody;
pub use error::Error;
pub use opener::{Opener, OpenerBuilder, DEFAULT_USER_AGENT};
pub use response::Response;
pub use retrieve::{Progress, Retrieved};

/// A boxed error, as the layers use it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The opener [`get`] and [`retrieve`] use; `None` until first used or
/// installed.
static INSTALLED: RwLock<Option<Opener>> = RwLock::new(None);

/// Make `opener` the one [`get`] and [`retrieve`] use (the seed's
/// `install_opener`); returns the one it replaces.
///
/// ```
/// let opener = clientcookie::Opener::builder().user_agent("tool/2").build().unwrap();
/// clientcookie::install_opener(opener);
/// assert_eq!(clientcookie::opener().unwrap().default_headers()["user-agent"], "tool/2");
/// ```
pub fn install_opener(opener: Opener) -> Option<Opener> {
    let mut installed = INSTALLED.write().unwrap_or_else(PoisonError::into_inner);
    installed.replace(opener)
}

/// The opener [`get`] and [`retrieve`] use: the installed one, or a default
/// one ([`Opener::new`]) built now and installed.
///
/// A note on runtimes: an opener's connection pool belongs to the tokio
/// runtime it was first used on. A program with one runtime need not care;
/// one that starts several (a test per `#[tokio::test]`) should give each
/// its own [`Opener`] rather than share the installed one.
pub fn opener() -> Result<Opener, Error> {
    if let Some(opener) = INSTALLED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return Ok(opener.clone());
    }
    let mut installed = INSTALLED.write().unwrap_or_else(PoisonError::into_inner);
    match installed.as_ref() {
        Some(opener) => Ok(opener.clone()),
        None => {
            let opener = Opener::new()?;
            *installed = Some(opener.clone());
            Ok(opener)
        }
    }
}

/// `GET url` through the installed opener (the seed's `urlopen`); see
/// [`opener`] and [`install_opener`].
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clientcookie::Error> {
/// let body = clientcookie::get("http://example.com/").await?.bytes().await?;
/// # Ok(())
/// # }
/// ```
pub async fn get(url: impl AsRef<str>) -> Result<Response, Error> {
    opener()?.get(url).await
}

/// Write the body at `url` to `path` through the installed opener (the
/// seed's `urlretrieve`); see [`Opener::retrieve`].
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clientcookie::Error> {
/// let saved = clientcookie::retrieve("http://example.com/a.pdf", "a.pdf", |_| {}).await?;
/// assert_eq!(saved.bytes, std::fs::metadata("a.pdf").unwrap().len());
/// # Ok(())
/// # }
/// ```
pub async fn retrieve(
    url: impl AsRef<str>,
    path: impl AsRef<Path>,
    progress: impl FnMut(Progress),
) -> Result<Retrieved, Error> {
    opener()?.retrieve(url, path, progress).await
}
