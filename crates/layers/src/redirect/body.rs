//! The request body the redirect layer hands to the inner service.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// A request body that is either buffered (and so can be sent again on
    /// a 307/308 hop) or the caller's body streamed through as it is.
    ///
    /// The redirect layer reads a body up front when its size hint says it
    /// fits under the replay cap ([`RedirectLayer::max_replay_body`]); larger
    /// bodies, and bodies of unknown size, are streamed and cannot be
    /// replayed.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::redirect::ReplayBody;
    /// use http_body::Body;
    ///
    /// let body: ReplayBody<http_body_util::Empty<Bytes>> = ReplayBody::full(Bytes::from_static(b"a=1"));
    /// assert_eq!(body.size_hint().exact(), Some(3));
    /// ```
    ///
    /// [`RedirectLayer::max_replay_body`]: super::RedirectLayer::max_replay_body
    pub struct ReplayBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<B> {
        // Empty once sent (or from the start): no `Option`, so that a
        // wrapped body with a niche of its own keeps the whole at its size.
        Full { data: Bytes },
        Streaming { #[pin] body: B },
    }
}

impl<B> ReplayBody<B> {
    /// A buffered body (no frames at all when `data` is empty).
    pub fn full(data: Bytes) -> ReplayBody<B> {
        ReplayBody {
            kind: Kind::Full { data },
        }
    }

    /// An empty body.
    pub fn empty() -> ReplayBody<B> {
        ReplayBody::full(Bytes::new())
    }

    /// The caller's body, streamed through.
    pub fn streaming(body: B) -> ReplayBody<B> {
        ReplayBody {
            kind: Kind::Streaming { body },
        }
    }
}

/// An empty body: what a layer inside the redirect layer that makes its
/// own requests (refresh) sends.
impl<B> Default for ReplayBody<B> {
    fn default() -> Self {
        ReplayBody::empty()
    }
}

impl<B> std::fmt::Debug for ReplayBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Full { data } => f
                .debug_struct("ReplayBody::Full")
                .field("len", &data.len())
                .finish(),
            Kind::Streaming { .. } => f.write_str("ReplayBody::Streaming"),
        }
    }
}

impl<B> Body for ReplayBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Full { data } if data.is_empty() => Poll::Ready(None),
            KindProj::Full { data } => Poll::Ready(Some(Ok(Frame::data(std::mem::take(data))))),
            KindProj::Streaming { body } => body.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full { data } => data.is_empty(),
            Kind::Streaming { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full { data } => SizeHint::with_exact(data.len() as u64),
            Kind::Streaming { body } => body.size_hint(),
        }
    }
}
