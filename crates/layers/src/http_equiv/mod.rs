//! `<meta http-equiv>` tags as response headers: the seed's
//! `HTTPEquivProcessor`.
//!
//! A page can say in its markup what its server did not say in headers:
//! `<meta http-equiv="Refresh" content="0; url=/next">`,
//! `<meta http-equiv="Set-Cookie" content="id=1; Path=/">`. Browsers act on
//! those; [`HttpEquivLayer`] makes them real response headers, so that the
//! layers outside it (a `RefreshLayer`, a `CookieLayer`) act on them too,
//! without knowing they came from HTML.
//!
//! For a `text/html` response (or one with no `Content-Type` whose URL ends
//! in `.html` or `.htm`, as the seed guessed), the layer reads the body only
//! as far as the end of the document's head, before handing the response
//! on:
//!
//! - **The head only.** The bytes are decoded with `encoding_rs` (the
//!   encoding comes from a byte order mark, else the `Content-Type`'s
//!   `charset`, else a `<meta charset>` or `Content-Type` meta in the head,
//!   else windows-1252, as HTML says) and tokenized with html5ever's
//!   tokenizer, with `<title>`, `<script>` and `<style>` read as text. The
//!   scan follows HTML's "in head" and "after head" rules: it stops at
//!   `<body>`, at the first content that cannot be in a head (text, `<p>`,
//!   `<div>`, ...), or after [`max_head_bytes`](HttpEquivLayer::max_head_bytes)
//!   (1 MiB by default). A meta tag after that point is not a header, and
//!   neither is one inside a `<template>`.
//! - **Appended, in order.** Each `<meta http-equiv=NAME content=VALUE>` is
//!   appended as `NAME: VALUE` (the value trimmed of spaces; non-ASCII text
//!   as UTF-8), after the headers the server sent, so a server's own
//!   `Refresh` still comes first. At most
//!   [`max_headers`](HttpEquivLayer::max_headers) (64) are lifted.
//! - **Skipped, with a reason.** A name or value that is not a valid header
//!   (a line break in the value, spaces in the name), a tag without
//!   `content`, and the headers a page cannot know (`Content-Length`,
//!   `Content-Encoding`, `Transfer-Encoding`, `Connection` and the other
//!   framing and hop-by-hop headers; `Content-Type`, which decided that the
//!   body is HTML and how it was decoded) are not lifted. Each is logged at
//!   debug level with its [`SkipReason`] and listed in the [`HeadScan`]
//!   report in the response's extensions.
//! - **`Set-Cookie` too, by default.** The seed lifted `Set-Cookie` (and
//!   `Set-Cookie2`) like any other; browsers stopped honouring it in 2019.
//!   [`lift_set_cookie(false)`](HttpEquivLayer::lift_set_cookie) skips them.
//! - **The body is untouched.** The response's body is an
//!   [`HttpEquivBody`] that yields exactly the bytes of the inner body: the
//!   chunks read during the scan (kept as they were, not copied), then the
//!   rest, streamed. The layer reads from the inner body only until the
//!   head is done, so its memory is that of the head (at most the limit
//!   plus one chunk), never that of the body.
//!
//! A compressed body (`Content-Encoding` other than `identity`) is not
//! scanned: put a decompression layer *inside* this one. Neither are the
//! bodies of `HEAD` requests and of `1xx`, `204` and `304` responses.
//!
//! # Where it goes
//!
//! Responses travel from the inside out, so this layer goes *inside* the
//! layers that should see the lifted headers: inside `CookieLayer` (meta
//! `Set-Cookie`) and `RefreshLayer` (meta `Refresh`), as in the default
//! stack of the [crate docs](crate).
//!
//! # Errors
//!
//! The layer adds no errors of its own: the service's error is the inner
//! service's, and the body's error is the inner body's. An error the inner
//! body gives while the head is being read ends the scan (with the headers
//! found so far) and is handed on by the body after the bytes that came
//! before it, as it would have been without this layer.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use clientcookie_layers::http_equiv::{HeadEnd, HeadScan, HttpEquivLayer};
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! const PAGE: &str = "<!DOCTYPE html><html><head><title>Moved</title>\
//!     <meta http-equiv='Refresh' content='0; url=/next'>\
//!     <meta http-equiv='Set-Cookie' content='seen=1; Path=/'>\
//!     </head><body><meta http-equiv='X-In-Body' content='not a header'></body></html>";
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! // A stand-in for an HTTP client.
//! let client = service_fn(|_request: Request<Full<Bytes>>| async {
//!     let response = Response::builder()
//!         .header("content-type", "text/html; charset=utf-8")
//!         .body(Full::new(Bytes::from_static(PAGE.as_bytes())))
//!         .unwrap();
//!     Ok::<_, Infallible>(response)
//! });
//!
//! let mut service = ServiceBuilder::new()
//!     // .layer(RefreshLayer::new()) and .layer(CookieLayer::new(jar)) go
//!     // here, outside: they see the lifted headers.
//!     .layer(HttpEquivLayer::new())
//!     .service(client);
//!
//! let request = Request::get("http://example.com/old").body(Full::new(Bytes::new()))?;
//! let response = service.ready().await?.call(request).await?;
//! assert_eq!(response.headers()["refresh"], "0; url=/next");
//! assert_eq!(response.headers()["set-cookie"], "seen=1; Path=/");
//! assert!(response.headers().get("x-in-body").is_none());
//! assert_eq!(response.extensions().get::<HeadScan>().unwrap().end, HeadEnd::Body);
//!
//! // The body is the page, byte for byte.
//! let body = response.into_body().collect().await?.to_bytes();
//! assert_eq!(body, PAGE);
//! # Ok(())
//! # }
//! ```

mod body;
mod future;
mod scanner;

use std::task::{Context, Poll};

use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use tower_layer::Layer;
use tower_service::Service;

pub use self::body::HttpEquivBody;
pub use self::future::ResponseFuture;
pub use self::scanner::HeadScanner;

/// The head is read up to this many bytes by default (1 MiB).
pub const DEFAULT_MAX_HEAD_BYTES: usize = 1024 * 1024;

/// At most this many headers are lifted from one page by default.
pub const DEFAULT_MAX_HEADERS: usize = 64;

/// Lifts `<meta http-equiv>` tags from the head of HTML responses into
/// their headers; see the [module docs](self).
///
/// ```
/// use clientcookie_layers::http_equiv::HttpEquivLayer;
///
/// // As the seed did: every meta tag, Set-Cookie included.
/// let seed_like = HttpEquivLayer::new();
/// // As browsers do today: no cookies from markup.
/// let browser_like = HttpEquivLayer::new().lift_set_cookie(false);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpEquivLayer {
    max_head_bytes: usize,
    max_headers: usize,
    lift_set_cookie: bool,
}

impl Default for HttpEquivLayer {
    fn default() -> Self {
        HttpEquivLayer::new()
    }
}

impl HttpEquivLayer {
    /// Read heads up to [`DEFAULT_MAX_HEAD_BYTES`], lift up to
    /// [`DEFAULT_MAX_HEADERS`], `Set-Cookie` included.
    ///
    /// ```
    /// let layer = clientcookie_layers::http_equiv::HttpEquivLayer::new();
    /// ```
    pub fn new() -> HttpEquivLayer {
        HttpEquivLayer {
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
            max_headers: DEFAULT_MAX_HEADERS,
            lift_set_cookie: true,
        }
    }

    /// Whether `<meta http-equiv="Set-Cookie">` (and `Set-Cookie2`) become
    /// headers: `true` by default, as in the seed; browsers no longer do it.
    ///
    /// ```
    /// let layer = clientcookie_layers::http_equiv::HttpEquivLayer::new().lift_set_cookie(false);
    /// ```
    #[must_use]
    pub fn lift_set_cookie(mut self, lift: bool) -> HttpEquivLayer {
        self.lift_set_cookie = lift;
        self
    }

    /// Read at most `max` bytes of a body looking for the end of its head;
    /// the meta tags found by then are lifted, later ones are not.
    ///
    /// ```
    /// let layer = clientcookie_layers::http_equiv::HttpEquivLayer::new().max_head_bytes(64 * 1024);
    /// ```
    #[must_use]
    pub fn max_head_bytes(mut self, max: usize) -> HttpEquivLayer {
        self.max_head_bytes = max;
        self
    }

    /// Lift at most `max` headers from one page; later tags are skipped
    /// with [`SkipReason::TooMany`].
    ///
    /// ```
    /// let layer = clientcookie_layers::http_equiv::HttpEquivLayer::new().max_headers(8);
    /// ```
    #[must_use]
    pub fn max_headers(mut self, max: usize) -> HttpEquivLayer {
        self.max_headers = max;
        self
    }

    fn limits(&self) -> scanner::Limits {
        scanner::Limits {
            max_head_bytes: self.max_head_bytes,
            max_headers: self.max_headers,
            lift_set_cookie: self.lift_set_cookie,
        }
    }
}

impl<S> Layer<S> for HttpEquivLayer {
    type Service = HttpEquivService<S>;

    fn layer(&self, inner: S) -> HttpEquivService<S> {
        HttpEquivService {
            inner,
            config: *self,
        }
    }
}

/// The service [`HttpEquivLayer`] makes.
///
/// ```
/// use clientcookie_layers::http_equiv::HttpEquivService;
///
/// let client = tower::service_fn(|_: http::Request<()>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
/// });
/// let service = HttpEquivService::new(client);
/// ```
#[derive(Debug, Clone)]
pub struct HttpEquivService<S> {
    inner: S,
    config: HttpEquivLayer,
}

impl<S> HttpEquivService<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> HttpEquivService<S> {
        HttpEquivLayer::new().layer(inner)
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

impl<S, ReqB, ResB> Service<Request<ReqB>> for HttpEquivService<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
    ResB: Body,
{
    type Response = Response<HttpEquivBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        let scan = Wanted {
            head_request: request.method() == Method::HEAD,
            html_url: {
                let path = request.uri().path().as_bytes();
                let ends_with = |suffix: &[u8]| {
                    path.len() >= suffix.len()
                        && path[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
                };
                ends_with(b".html") || ends_with(b".htm")
            },
        };
        ResponseFuture::new(self.inner.call(request), scan, self.config)
    }
}

/// What the request says about whether its response is to be scanned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted {
    head_request: bool,
    html_url: bool,
}

impl Wanted {
    /// Whether a response with `status` and `headers` has a head to scan.
    pub(crate) fn scan(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        if self.head_request
            || status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED
        {
            return false;
        }
        let encoded =
            |v: &HeaderValue| !v.as_bytes().trim_ascii().eq_ignore_ascii_case(b"identity");
        // For the few fields of a usual response, one look at each name
        // instead of two hash look-ups; the same answers (every encoding,
        // the first type).
        let (encoded, content_type) = if headers.len() <= 8 {
            let mut any_encoded = false;
            let mut content_type = None;
            for (name, value) in headers {
                if name == header::CONTENT_ENCODING {
                    any_encoded |= encoded(value);
                } else if name == header::CONTENT_TYPE && content_type.is_none() {
                    content_type = Some(value);
                }
            }
            (any_encoded, content_type)
        } else {
            (
                headers
                    .get_all(header::CONTENT_ENCODING)
                    .iter()
                    .any(encoded),
                headers.get(header::CONTENT_TYPE),
            )
        };
        if encoded {
            tracing::debug!("compressed body: meta http-equiv tags not read");
            return false;
        }
        match content_type {
            Some(value) => is_html(value.as_bytes()),
            None => self.html_url,
        }
    }
}

/// Whether a `Content-Type` value's essence is `text/html`.
fn is_html(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default();
    essence.trim_ascii().eq_ignore_ascii_case(b"text/html")
}

/// Why the scan of a head stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeadEnd {
    /// A `<body>` tag.
    Body,
    /// Content that cannot be in a head: text, or an element of the body
    /// (`<p>`, `<div>`, `<frameset>`, `</body>`, ...).
    NotHead,
    /// The body was read up to [`HttpEquivLayer::max_head_bytes`] without
    /// the head ending.
    Limit,
    /// The body ended inside the head.
    EndOfBody,
    /// The inner body gave an error inside the head (the body hands it on).
    BodyError,
}

/// Why a `<meta http-equiv>` tag did not become a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// `http-equiv` is not a valid header name.
    #[error("not a valid header name")]
    InvalidName,
    /// `content` is not a valid header value (a control character, such as
    /// a line break).
    #[error("not a valid header value")]
    InvalidValue,
    /// The tag has no `content` attribute.
    #[error("no content attribute")]
    NoContent,
    /// A header a page cannot know: framing, hop-by-hop, `Content-Type`.
    #[error("a header only the server can set")]
    Protected,
    /// A `Set-Cookie` or `Set-Cookie2` tag, with
    /// [`HttpEquivLayer::lift_set_cookie`] off.
    #[error("cookies from meta tags are switched off")]
    SetCookieOff,
    /// [`HttpEquivLayer::max_headers`] headers were lifted already.
    #[error("too many meta http-equiv tags")]
    TooMany,
}

/// A `<meta http-equiv>` tag that did not become a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedMeta {
    /// The tag's `http-equiv`, as written (trimmed; at most 128 bytes).
    pub name: String,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// What the scan of a response's head found; the layer puts it into the
/// extensions of every response whose head it read.
///
/// ```
/// use bytes::Bytes;
/// use clientcookie_layers::http_equiv::{HeadEnd, HeadScanner, HttpEquivLayer, SkipReason};
///
/// let layer = HttpEquivLayer::new().lift_set_cookie(false);
/// let mut scanner = HeadScanner::new(Some(b"text/html"), &layer);
/// scanner.push(Bytes::from_static(b"<meta http-equiv=Set-Cookie content=a=1><p>hello"));
/// let (_, headers, report) = scanner.into_parts();
/// assert!(headers.is_empty());
/// assert_eq!(report.end, HeadEnd::NotHead);
/// assert_eq!(report.skipped[0].reason, SkipReason::SetCookieOff);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadScan {
    /// Why the scan stopped.
    pub end: HeadEnd,
    /// The encoding the head was read in (its WHATWG name, e.g. `UTF-8`).
    pub encoding: &'static str,
    /// The headers lifted, in document order.
    pub lifted: Vec<HeaderName>,
    /// The tags skipped, in document order (at most 64 are listed).
    pub skipped: Vec<SkippedMeta>,
    /// How many bytes of the body were read as the head.
    pub bytes_scanned: usize,
}

#[cfg(test)]
mod wanted_tests {
    use super::*;

    /// `fields` as a response's headers, with `padding` more unrelated
    /// fields first (over 8 fields takes the hash look-ups).
    fn headers(fields: &[(&str, &str)], padding: usize) -> HeaderMap {
        let mut map = HeaderMap::new();
        for i in 0..padding {
            map.append(
                HeaderName::from_bytes(format!("x-pad-{i}").as_bytes()).unwrap(),
                HeaderValue::from_static("1"),
            );
        }
        for (name, value) in fields {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn small_and_large_responses_are_judged_alike() {
        let wanted = Wanted {
            head_request: false,
            html_url: true,
        };
        let cases: [(&[(&str, &str)], bool); 7] = [
            (&[("content-type", "text/html; charset=utf-8")], true),
            (&[("content-type", "text/plain")], false),
            (&[], true),
            (
                &[
                    ("content-type", "text/html"),
                    ("content-type", "text/plain"),
                ],
                true,
            ),
            (
                &[("content-type", "text/html"), ("content-encoding", "gzip")],
                false,
            ),
            (
                &[
                    ("content-encoding", " Identity "),
                    ("content-type", "text/html"),
                ],
                true,
            ),
            (
                &[
                    ("content-encoding", "identity"),
                    ("content-encoding", "br"),
                    ("content-type", "text/html"),
                ],
                false,
            ),
        ];
        for (fields, expected) in cases {
            for padding in [0, 12] {
                let map = headers(fields, padding);
                assert_eq!(
                    wanted.scan(StatusCode::OK, &map),
                    expected,
                    "{fields:?} with {padding} more fields"
                );
            }
        }
    }
}
