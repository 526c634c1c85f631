//! The request and response bodies of an [`Opener`](crate::Opener).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::combinators::{BoxBody, UnsyncBoxBody};
use http_body_util::BodyExt;

use clientcookie_layers::seekable::{SeekableBody, SeekableBodyLayer};

use crate::stack::StackBody;
use crate::BoxError;

/// A request body: bytes held in memory, or any [`http_body::Body`] streamed.
///
/// Bodies in memory (from `Bytes`, `Vec<u8>`, `String`, `&'static str`)
/// have an exact size, so the redirect layer can keep them and send them
/// again on a `307`/`308` (up to its replay cap); a streamed body is sent
/// once.
///
/// ```
/// use clientcookie::Body;
/// use http_body::Body as _;
///
/// assert_eq!(Body::from("a=1").size_hint().exact(), Some(3));
/// assert!(Body::empty().is_end_stream());
/// let streamed = Body::wrap(http_body_util::Full::new(bytes::Bytes::from_static(b"xyz")));
/// assert_eq!(streamed.size_hint().exact(), Some(3));
/// ```
pub struct Body {
    kind: Kind,
}

// 16 bytes, with a niche: a request of the opener's stack
// (`Request<ReplayBody<Body>>`) is then 256 bytes, the largest move glibc's
// `memcpy` makes without its loop, and the HTTP client moves it often.
// The price is one allocation for a request with a body of bytes.
enum Kind {
    Empty,
    Boxed(BoxBody<Bytes, BoxError>),
}

impl Body {
    /// No body.
    pub fn empty() -> Body {
        Body { kind: Kind::Empty }
    }

    /// Stream `body` (sent once; not replayed on a `307`/`308` unless its
    /// size hint says it fits the redirect layer's replay cap).
    pub fn wrap<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        Body {
            kind: Kind::Boxed(body.map_err(Into::into).boxed()),
        }
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.debug_struct("Body").field("len", &0).finish(),
            Kind::Boxed(body) => match http_body::Body::size_hint(body).exact() {
                Some(len) => f.debug_struct("Body").field("len", &len).finish(),
                None => f.write_str("Body(streaming)"),
            },
        }
    }
}

impl From<Bytes> for Body {
    fn from(data: Bytes) -> Body {
        Body {
            kind: if data.is_empty() {
                Kind::Empty
            } else {
                Kind::Boxed(
                    http_body_util::Full::new(data)
                        .map_err(|never| match never {})
                        .boxed(),
                )
            },
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(data: Vec<u8>) -> Body {
        Body::from(Bytes::from(data))
    }
}

impl From<String> for Body {
    fn from(data: String) -> Body {
        Body::from(Bytes::from(data))
    }
}

impl From<&'static str> for Body {
    fn from(data: &'static str) -> Body {
        Body::from(Bytes::from_static(data.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(data: &'static [u8]) -> Body {
        Body::from(Bytes::from_static(data))
    }
}

impl From<()> for Body {
    fn from((): ()) -> Body {
        Body::empty()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Boxed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Boxed(body) => body.size_hint(),
        }
    }
}

/// The boxed body inside a [`ResponseBody`]: what the stack's layers
/// answered with.
pub type BoxedBody = UnsyncBoxBody<Bytes, BoxError>;

/// A seekable response body (the opener's
/// [`seekable`](crate::OpenerBuilder::seekable) processor).
pub type SeekableResponseBody = SeekableBody<BoxedBody>;

/// A response body as it arrives from the network, after the layers of the
/// stack: read it with [`Response::bytes`](crate::Response::bytes),
/// [`Response::chunk`](crate::Response::chunk), or as any
/// [`http_body::Body`]. With the opener's
/// [`seekable`](crate::OpenerBuilder::seekable) processor on, it can also be
/// rewound and read again ([`seekable_mut`](Self::seekable_mut)).
///
/// ```
/// use clientcookie::ResponseBody;
/// use http_body_util::BodyExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clientcookie::BoxError> {
/// let body = ResponseBody::new(http_body_util::Full::new(bytes::Bytes::from_static(b"hello")));
/// assert_eq!(body.collect().await?.to_bytes(), "hello");
/// # Ok(())
/// # }
/// ```
pub struct ResponseBody {
    kind: ResponseKind,
}

enum ResponseKind {
    Plain(BoxedBody),
    // What the opener's stack answered with, unboxed.
    Stack(StackBody),
    Seekable(Box<SeekableResponseBody>),
}

impl ResponseBody {
    /// Box `body` as a response body.
    pub fn new<B>(body: B) -> ResponseBody
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ResponseBody {
            kind: ResponseKind::Plain(body.map_err(Into::into).boxed_unsync()),
        }
    }

    /// The stack's body as it is (no box).
    pub(crate) fn from_stack(body: StackBody) -> ResponseBody {
        ResponseBody {
            kind: ResponseKind::Stack(body),
        }
    }

    /// An empty body.
    pub fn empty() -> ResponseBody {
        ResponseBody::new(http_body_util::Empty::new())
    }

    /// Make the body seekable with `layer`'s limits (nothing is read now).
    /// A body that is seekable already stays as it is.
    pub(crate) fn into_seekable(self, layer: &SeekableBodyLayer) -> ResponseBody {
        match self.kind {
            ResponseKind::Plain(body) => ResponseBody {
                kind: ResponseKind::Seekable(Box::new(layer.wrap_body(body))),
            },
            ResponseKind::Stack(body) => ResponseBody {
                kind: ResponseKind::Seekable(Box::new(layer.wrap_body(body.boxed_unsync()))),
            },
            seekable => ResponseBody { kind: seekable },
        }
    }

    /// The seekable body, when the opener's
    /// [`seekable`](crate::OpenerBuilder::seekable) processor is on: rewind
    /// it, seek, read it again through `http_body::Body` or tokio's
    /// `AsyncRead` + `AsyncSeek`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), clientcookie::BoxError> {
    /// let body = clientcookie::ResponseBody::new(http_body_util::Full::new(bytes::Bytes::from_static(b"x")));
    /// let mut body = body;
    /// assert!(body.seekable_mut().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn seekable_mut(&mut self) -> Option<&mut SeekableResponseBody> {
        match &mut self.kind {
            ResponseKind::Seekable(body) => Some(body),
            ResponseKind::Plain(_) | ResponseKind::Stack(_) => None,
        }
    }
}

impl Default for ResponseBody {
    fn default() -> ResponseBody {
        ResponseBody::empty()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ResponseKind::Plain(body) => f
                .debug_struct("ResponseBody")
                .field("size_hint", &http_body::Body::size_hint(body))
                .finish(),
            ResponseKind::Stack(body) => f
                .debug_struct("ResponseBody")
                .field("size_hint", &http_body::Body::size_hint(body))
                .finish(),
            ResponseKind::Seekable(body) => f.debug_tuple("ResponseBody").field(body).finish(),
        }
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.kind {
            ResponseKind::Plain(body) => Pin::new(body).poll_frame(cx),
            ResponseKind::Stack(body) => Pin::new(body).poll_frame(cx),
            ResponseKind::Seekable(body) => {
                Pin::new(&mut **body).poll_frame(cx).map_err(Into::into)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            ResponseKind::Plain(body) => body.is_end_stream(),
            ResponseKind::Stack(body) => body.is_end_stream(),
            ResponseKind::Seekable(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            ResponseKind::Plain(body) => body.size_hint(),
            ResponseKind::Stack(body) => body.size_hint(),
            ResponseKind::Seekable(body) => body.size_hint(),
        }
    }
}
