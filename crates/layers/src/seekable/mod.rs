//! Response bodies that can be rewound and read again: the seed's
//! `SeekableProcessor` and `seek_wrapper`, on tower.
//!
//! [`SeekableBodyLayer`] turns each response's body into a [`SeekableBody`]:
//! read it, [`rewind`](SeekableBody::rewind) it, seek anywhere and read
//! again, through [`http_body::Body`] or tokio's
//! [`AsyncRead`](tokio::io::AsyncRead) + [`AsyncSeek`](tokio::io::AsyncSeek).
//!
//! - **Lazy.** Nothing is read from the network until it is read or seeked
//!   past: reading the first kilobyte of a 100 MB response reads about that
//!   much from the socket (plus what the kernel's buffers hold), and the
//!   server, held back by TCP flow control, stops sending. A seek from the
//!   end (`SeekFrom::End`) reads to the end first; `SeekFrom::Start` past
//!   what has been read moves at once and the next read fetches the bytes
//!   in between.
//! - **Memory, then disk.** What has been read is kept in memory up to
//!   [`memory_limit`](SeekableBodyLayer::memory_limit) bytes (8 MiB by
//!   default), then moved to a temporary file (the `tempfile` crate's
//!   [`tempfile()`](tempfile::tempfile): it has no name, so the operating
//!   system deletes it when the body is dropped, or when the process dies).
//!   Past the limit, memory holds at most 64 KiB (or the limit, if smaller)
//!   of bytes not yet written to the file.
//! - **Bounded, if asked.** [`max_len`](SeekableBodyLayer::max_len) caps the
//!   bytes kept in all (none by default: a body is only read as far as its
//!   reader goes, so the reader is in control); a longer body fails with
//!   [`SeekableError::TooLarge`] when a read reaches the cap.
//! - **Trailers and errors.** The inner body's trailers come after the data
//!   on each pass of the `Body` interface that reaches the end, and are kept
//!   in [`SeekableBody::trailers`]. An error of the inner body is returned
//!   as [`SeekableError::Body`] (with the inner error as its source) to the
//!   read that met it; the bytes before it can still be read, and later
//!   reads past them get [`SeekableError::Incomplete`]. Through `AsyncRead`
//!   the same errors arrive inside an [`std::io::Error`] (get them back with
//!   `get_ref()` and `downcast_ref::<SeekableError>()`).
//!
//! The response's body *is* the seekable body (the layer changes the body
//! type), so `response.into_body()` hands it over, and
//! `response.body_mut().rewind()` rewinds it in place.
//!
//! Put it innermost, next to the client, as in the
//! [default stack](crate): the layers outside (HTTP-EQUIV, redirects) read
//! only what they need, and the caller still gets the whole body from the
//! start.
//!
//! # Why blocking file calls
//!
//! The temporary file is read and written with ordinary blocking calls from
//! inside `poll`, not through `tokio::fs` (which sends every call to a
//! thread pool and back). They go to the page cache and take microseconds
//! per chunk; the body stays usable without a tokio runtime; and there is no
//! thread hop per chunk. Point [`temp_dir`](SeekableBodyLayer::temp_dir) at
//! a local directory if the system's temporary directory is on slow
//! storage.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use clientcookie_layers::seekable::{SeekableBody, SeekableBodyLayer};
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use tokio::io::{AsyncReadExt, AsyncSeekExt};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! // A stand-in for an HTTP client.
//! let client = service_fn(|_request: Request<()>| async {
//!     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"<html>a page</html>"))))
//! });
//!
//! let mut service = ServiceBuilder::new()
//!     .layer(SeekableBodyLayer::new().memory_limit(1024 * 1024))
//!     .service(client);
//!
//! let response = service.ready().await?.call(Request::new(())).await?;
//! let mut body: SeekableBody<_> = response.into_body();
//!
//! // Sniff the start, as a content-type guesser would...
//! let mut start = [0u8; 6];
//! body.read_exact(&mut start).await?;
//! assert_eq!(&start, b"<html>");
//!
//! // ...then rewind and hand the whole body on.
//! body.rewind();
//! assert_eq!((&mut body).collect().await?.to_bytes(), "<html>a page</html>");
//!
//! // Seek anywhere.
//! body.seek(std::io::SeekFrom::End(-7)).await?;
//! let mut tail = String::new();
//! body.read_to_string(&mut tail).await?;
//! assert_eq!(tail, "</html>");
//! # Ok(())
//! # }
//! ```

mod body;
mod store;

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

pub use body::SeekableBody;

/// An inner body's error, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Bytes a seekable body keeps in memory by default before it moves to a
/// temporary file (8 MiB).
pub const DEFAULT_MEMORY_LIMIT: usize = 8 * 1024 * 1024;

/// Why a [`SeekableBody`] could not be read further.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeekableError {
    /// The inner body (the network) failed; its error is the source. The
    /// bytes read before it can still be read.
    #[error("reading the response body failed")]
    Body(#[source] BoxError),
    /// An earlier error ended the body (it was returned to the read that
    /// met it); only the first `buffered` bytes can be read.
    #[error(
        "the response body ended with an error after {buffered} bytes; only those can be read"
    )]
    Incomplete {
        /// Bytes read before the error.
        buffered: u64,
    },
    /// Creating, writing or reading the temporary file failed.
    #[error("the seekable body's temporary file failed")]
    TempFile(#[source] io::Error),
    /// The body is longer than [`SeekableBodyLayer::max_len`].
    #[error("the response body is longer than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
}

impl SeekableError {
    /// As an [`io::Error`] for `AsyncRead`/`AsyncSeek`: the kind of a
    /// temporary file's error, `Other` for the rest; `self` is inside.
    fn into_io(self) -> io::Error {
        let kind = match &self {
            SeekableError::TempFile(error) => error.kind(),
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, self)
    }
}

/// Makes response bodies seekable; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct SeekableBodyLayer {
    memory_limit: usize,
    max_len: Option<u64>,
    temp_dir: Option<Arc<Path>>,
}

impl Default for SeekableBodyLayer {
    fn default() -> Self {
        SeekableBodyLayer::new()
    }
}

impl SeekableBodyLayer {
    /// [`DEFAULT_MEMORY_LIMIT`] in memory, then a temporary file in the
    /// system's temporary directory; no limit on the total.
    pub fn new() -> SeekableBodyLayer {
        SeekableBodyLayer {
            memory_limit: DEFAULT_MEMORY_LIMIT,
            max_len: None,
            temp_dir: None,
        }
    }

    /// Keep at most `bytes` in memory; a body that grows past it moves to a
    /// temporary file. `0` puts every body on disk; `usize::MAX` never does.
    ///
    /// ```
    /// let layer = clientcookie_layers::seekable::SeekableBodyLayer::new().memory_limit(64 * 1024);
    /// ```
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> SeekableBodyLayer {
        self.memory_limit = bytes;
        self
    }

    /// Keep at most `bytes` of a body in all (memory and file); a read that
    /// needs more fails with [`SeekableError::TooLarge`]. `None` (the
    /// default) sets no limit.
    ///
    /// ```
    /// let layer = clientcookie_layers::seekable::SeekableBodyLayer::new().max_len(Some(1 << 30));
    /// ```
    #[must_use]
    pub fn max_len(mut self, bytes: Option<u64>) -> SeekableBodyLayer {
        self.max_len = bytes;
        self
    }

    /// Make temporary files in `dir` instead of the system's temporary
    /// directory.
    ///
    /// ```
    /// let layer = clientcookie_layers::seekable::SeekableBodyLayer::new().temp_dir(std::env::temp_dir());
    /// ```
    #[must_use]
    pub fn temp_dir(mut self, dir: impl Into<PathBuf>) -> SeekableBodyLayer {
        self.temp_dir = Some(Arc::from(dir.into()));
        self
    }

    /// Wraps a body with this layer's limits, for a body that did not come
    /// through the layer.
    ///
    /// ```
    /// use clientcookie_layers::seekable::SeekableBodyLayer;
    ///
    /// let body = SeekableBodyLayer::new().memory_limit(0).wrap_body(String::from("on disk"));
    /// assert!(!body.is_spilled()); // nothing has been read yet
    /// ```
    pub fn wrap_body<B>(&self, body: B) -> SeekableBody<B> {
        SeekableBody::with_limits(body, self.memory_limit, self.max_len, self.temp_dir.clone())
    }
}

impl<S> Layer<S> for SeekableBodyLayer {
    type Service = SeekableBodyService<S>;

    fn layer(&self, inner: S) -> SeekableBodyService<S> {
        SeekableBodyService {
            inner,
            config: self.clone(),
        }
    }
}

/// The service [`SeekableBodyLayer`] makes: responses come back with a
/// [`SeekableBody`].
#[derive(Debug, Clone)]
pub struct SeekableBodyService<S> {
    inner: S,
    config: SeekableBodyLayer,
}

impl<S> SeekableBodyService<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> SeekableBodyService<S> {
        SeekableBodyLayer::new().layer(inner)
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

impl<S, B, ResB> Service<Request<B>> for SeekableBodyService<S>
where
    S: Service<Request<B>, Response = Response<ResB>>,
{
    type Response = Response<SeekableBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ResponseFuture {
            inner: self.inner.call(request),
            config: Some(self.config.clone()),
        }
    }
}

pin_project! {
    /// The response future of [`SeekableBodyService`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        config: Option<SeekableBodyLayer>,
    }
}

impl<F, ResB, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResB>, E>>,
{
    type Output = Result<Response<SeekableBody<ResB>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let config = this.config.take().unwrap_or_default();
        Poll::Ready(Ok(response.map(|body| config.wrap_body(body))))
    }
}
