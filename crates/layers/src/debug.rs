//! Seeing what comes back: the seed's `HTTPResponseDebugProcessor`, as
//! `tracing` events.
//!
//! [`TraceBodyLayer`] logs each response as it arrives and each chunk of its
//! body as the body is read, at `TRACE` level under the target
//! `clientcookie_layers::debug`, and passes the body on unchanged: nothing
//! is buffered or consumed, the reader reads what it would have read
//! without the layer. Events:
//!
//! | message | fields |
//! |---|---|
//! | `response` | `uri`, `status`, `headers` |
//! | `response body chunk` | `uri`, `offset`, `len`, `text` (lossy UTF-8, at most [`max_text`](TraceBodyLayer::max_text) bytes), `truncated` |
//! | `response trailers` | `uri`, `trailers` |
//! | `response body end` | `uri`, `bytes` |
//! | `response body error` (`DEBUG`) | `uri`, `offset`, `error` |
//!
//! When `TRACE` is off for the target, the layer costs a check per chunk and
//! formats nothing.
//!
//! The seed's other debug processor, `HTTPRedirectDebugProcessor`, has no
//! layer of its own here: the redirect layer (`redirect` feature) logs every
//! hop it follows at `DEBUG` (`following redirect`: `hop`, `status`,
//! `from`, `to`, `method`, `method_changed`, `origin_changed`) and why it
//! stops, and the refresh layer (`refresh` feature) each `Refresh` it
//! follows.
//!
//! Put it where the bytes should be seen: innermost shows each hop's
//! response as the server sent it (redirect bodies included), outermost
//! only the final response.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use clientcookie_layers::debug::TraceBodyLayer;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! // Show trace events on stderr (in a program: once, at start).
//! let _guard = tracing::subscriber::set_default(
//!     tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_test_writer().finish(),
//! );
//!
//! // A stand-in for an HTTP client.
//! let client = service_fn(|_request: Request<()>| async {
//!     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"<p>hello</p>"))))
//! });
//! let mut service = ServiceBuilder::new()
//!     .layer(TraceBodyLayer::new().max_text(80))
//!     .service(client);
//!
//! let response = service.ready().await?.call(Request::new(())).await?;
//! // Logs `response body chunk ... text="<p>hello</p>"` as it is read:
//! let body = response.into_body().collect().await?.to_bytes();
//! assert_eq!(body, "<p>hello</p>");
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Buf;
use http::{Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

/// Bytes of each chunk shown by default.
pub const DEFAULT_MAX_TEXT: usize = 512;

/// Logs responses and their bodies at trace level; see the
/// [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct TraceBodyLayer {
    max_text: usize,
}

impl Default for TraceBodyLayer {
    fn default() -> Self {
        TraceBodyLayer::new()
    }
}

impl TraceBodyLayer {
    /// Shows the first [`DEFAULT_MAX_TEXT`] bytes of each chunk.
    pub fn new() -> TraceBodyLayer {
        TraceBodyLayer {
            max_text: DEFAULT_MAX_TEXT,
        }
    }

    /// Show at most `bytes` bytes of each chunk (cut back to a character
    /// boundary); `0` logs only the chunks' sizes.
    ///
    /// ```
    /// let layer = clientcookie_layers::debug::TraceBodyLayer::new().max_text(4096);
    /// ```
    #[must_use]
    pub fn max_text(mut self, bytes: usize) -> TraceBodyLayer {
        self.max_text = bytes;
        self
    }
}

impl<S> Layer<S> for TraceBodyLayer {
    type Service = TraceBodyService<S>;

    fn layer(&self, inner: S) -> TraceBodyService<S> {
        TraceBodyService {
            inner,
            config: *self,
        }
    }
}

/// The service [`TraceBodyLayer`] makes: responses come back with a
/// [`TraceBody`].
#[derive(Debug, Clone)]
pub struct TraceBodyService<S> {
    inner: S,
    config: TraceBodyLayer,
}

impl<S> TraceBodyService<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> TraceBodyService<S> {
        TraceBodyLayer::new().layer(inner)
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

impl<S, B, ResB> Service<Request<B>> for TraceBodyService<S>
where
    S: Service<Request<B>, Response = Response<ResB>>,
{
    type Response = Response<TraceBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ResponseFuture {
            uri: Some(request.uri().clone()),
            inner: self.inner.call(request),
            config: self.config,
        }
    }
}

pin_project! {
    /// The response future of [`TraceBodyService`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        uri: Option<Uri>,
        config: TraceBodyLayer,
    }
}

impl<F, ResB, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResB>, E>>,
{
    type Output = Result<Response<TraceBody<ResB>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let uri = this.uri.take().unwrap_or_default();
        tracing::trace!(
            %uri,
            status = response.status().as_u16(),
            headers = ?response.headers(),
            "response"
        );
        let max_text = this.config.max_text;
        Poll::Ready(Ok(response.map(|inner| TraceBody {
            inner,
            uri,
            offset: 0,
            max_text,
            ended: false,
        })))
    }
}

pin_project! {
    /// A response body that logs each chunk as it passes and yields it
    /// unchanged; see the [module docs](self).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::debug::TraceBody;
    /// use http_body_util::{BodyExt, Full};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let body = TraceBody::new(Full::new(Bytes::from_static(b"data")), "http://example.com/".parse().unwrap());
    /// assert_eq!(body.collect().await.unwrap().to_bytes(), "data");
    /// # }
    /// ```
    pub struct TraceBody<B> {
        #[pin]
        inner: B,
        uri: Uri,
        offset: u64,
        max_text: usize,
        ended: bool,
    }
}

impl<B> TraceBody<B> {
    /// Wraps a body that did not come through the layer; `uri` names it in
    /// the events. Shows [`DEFAULT_MAX_TEXT`] bytes of each chunk.
    pub fn new(inner: B, uri: Uri) -> TraceBody<B> {
        TraceBody {
            inner,
            uri,
            offset: 0,
            max_text: DEFAULT_MAX_TEXT,
            ended: false,
        }
    }

    /// The wrapped body.
    pub fn get_ref(&self) -> &B {
        &self.inner
    }

    /// The wrapped body, mutably: with a
    /// `SeekableBody` inside (the `seekable` feature),
    /// `body.get_mut().rewind()` rewinds it (the events' `offset` goes on
    /// counting the bytes that passed).
    pub fn get_mut(&mut self) -> &mut B {
        &mut self.inner
    }

    /// The wrapped body, unwrapped.
    pub fn into_inner(self) -> B {
        self.inner
    }
}

impl<B> std::fmt::Debug for TraceBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceBody")
            .field("uri", &self.uri)
            .field("offset", &self.offset)
            .finish()
    }
}

impl<B> Body for TraceBody<B>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        let polled = ready!(this.inner.poll_frame(cx));
        let uri = &*this.uri;
        match &polled {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    let len = data.remaining();
                    if tracing::enabled!(tracing::Level::TRACE) {
                        let (text, truncated) = shown(data.chunk(), len, *this.max_text);
                        tracing::trace!(
                            %uri,
                            offset = *this.offset,
                            len,
                            text = ?text,
                            truncated,
                            "response body chunk"
                        );
                    }
                    *this.offset += len as u64;
                } else if let Some(trailers) = frame.trailers_ref() {
                    tracing::trace!(%uri, trailers = ?trailers, "response trailers");
                }
            }
            Some(Err(error)) => {
                tracing::debug!(%uri, offset = *this.offset, %error, "response body error");
            }
            None => {
                if !*this.ended {
                    *this.ended = true;
                    tracing::trace!(%uri, bytes = *this.offset, "response body end");
                }
            }
        }
        Poll::Ready(polled)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The first `max` bytes of `chunk` (of a chunk of `len` bytes in all) as
/// lossy UTF-8, and whether that is less than the whole chunk. A cut inside
/// a character is moved back before it rather than shown as `U+FFFD`.
fn shown(chunk: &[u8], len: usize, max: usize) -> (Cow<'_, str>, bool) {
    let mut cut = &chunk[..chunk.len().min(max)];
    if cut.len() < chunk.len() {
        cut = &cut[..char_boundary_before(cut)];
    }
    (String::from_utf8_lossy(cut), cut.len() < len)
}

/// `bytes.len()`, or the start of an incomplete UTF-8 sequence at its end.
fn char_boundary_before(bytes: &[u8]) -> usize {
    let end = bytes.len();
    for start in (end.saturating_sub(3)..end).rev() {
        let byte = bytes[start];
        if byte & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back
        }
        let needed = match byte {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if end - start < needed { start } else { end };
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_chunks_are_shown_whole() {
        assert_eq!(shown(b"hello", 5, 512), (Cow::from("hello"), false));
        assert_eq!(shown(b"", 0, 512), (Cow::from(""), false));
    }

    #[test]
    fn long_chunks_are_cut_at_max_bytes() {
        assert_eq!(shown(b"hello world", 11, 5), (Cow::from("hello"), true));
        assert_eq!(shown(b"hello", 5, 0), (Cow::from(""), true));
    }

    #[test]
    fn a_cut_inside_a_character_moves_back_before_it() {
        let text = "aé€😀".as_bytes(); // 1 + 2 + 3 + 4 bytes
        assert_eq!(shown(text, 10, 2).0, "a");
        assert_eq!(shown(text, 10, 3).0, "aé");
        assert_eq!(shown(text, 10, 5).0, "aé");
        assert_eq!(shown(text, 10, 6).0, "aé€");
        assert_eq!(shown(text, 10, 9).0, "aé€");
        assert_eq!(shown(text, 10, 10).0, "aé€😀");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_lossily() {
        assert_eq!(shown(b"a\xffb", 3, 512).0, "a\u{fffd}b");
        // A cut after a stray continuation byte is not moved.
        assert_eq!(shown(b"\x80\x80\x80\x80x", 5, 4).0, "\u{fffd}".repeat(4));
    }

    #[test]
    fn a_chunk_in_several_slices_is_truncated_to_its_first() {
        assert_eq!(shown(b"abc", 6, 512), (Cow::from("abc"), true));
    }
}
