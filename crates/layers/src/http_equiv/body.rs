//! The response body the HTTP-EQUIV layer hands on: what it read while
//! scanning the head, replayed, then the rest of the inner body.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// The body of a response from [`HttpEquivService`](super::HttpEquivService):
    /// exactly the bytes of the inner body, in order.
    ///
    /// For a response whose head was scanned, the chunks read during the
    /// scan come first (as they were read, not copied), then the inner body
    /// is streamed from where the scan stopped; an error the inner body
    /// gave during the scan comes after those chunks, where it happened.
    /// Other responses are streamed through as they are.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::http_equiv::HttpEquivBody;
    /// use http_body_util::{BodyExt, Full};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let body = HttpEquivBody::new(Full::new(Bytes::from_static(b"<p>hello")));
    /// assert_eq!(body.collect().await.unwrap().to_bytes(), "<p>hello");
    /// # }
    /// ```
    pub struct HttpEquivBody<B>
    where
        B: Body,
    {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<B>
    where
        B: Body,
    {
        Plain { #[pin] body: B },
        Replay {
            prefix: VecDeque<Frame<Bytes>>,
            error: Option<B::Error>,
            body: Pin<Box<B>>,
            // The inner body has ended (or failed) during the scan.
            finished: bool,
        },
    }
}

impl<B: Body> HttpEquivBody<B> {
    /// `body`, streamed through unchanged.
    pub fn new(body: B) -> HttpEquivBody<B> {
        HttpEquivBody {
            kind: Kind::Plain { body },
        }
    }

    /// `prefix` first, then `error` if the scan met one, then the rest of
    /// `body` unless `finished`.
    pub(crate) fn replay(
        prefix: VecDeque<Frame<Bytes>>,
        error: Option<B::Error>,
        body: Pin<Box<B>>,
        finished: bool,
    ) -> HttpEquivBody<B> {
        HttpEquivBody {
            kind: Kind::Replay {
                prefix,
                error,
                body,
                finished,
            },
        }
    }
}

impl<B> fmt::Debug for HttpEquivBody<B>
where
    B: Body,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Plain { .. } => f.debug_struct("HttpEquivBody").finish_non_exhaustive(),
            Kind::Replay { prefix, .. } => f
                .debug_struct("HttpEquivBody")
                .field("replayed_frames", &prefix.len())
                .finish_non_exhaustive(),
        }
    }
}

fn into_bytes<D: Buf>(frame: Frame<D>) -> Frame<Bytes> {
    // `copy_to_bytes` of the whole of a `Bytes` is a move, not a copy.
    frame.map_data(|mut data| data.copy_to_bytes(data.remaining()))
}

impl<B> Body for HttpEquivBody<B>
where
    B: Body,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match self.project().kind.project() {
            KindProj::Plain { body } => body
                .poll_frame(cx)
                .map(|frame| frame.map(|result| result.map(into_bytes))),
            KindProj::Replay {
                prefix,
                error,
                body,
                finished,
            } => {
                if let Some(frame) = prefix.pop_front() {
                    return Poll::Ready(Some(Ok(frame)));
                }
                if let Some(error) = error.take() {
                    return Poll::Ready(Some(Err(error)));
                }
                if *finished {
                    return Poll::Ready(None);
                }
                body.as_mut()
                    .poll_frame(cx)
                    .map(|frame| frame.map(|result| result.map(into_bytes)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Plain { body } => body.is_end_stream(),
            Kind::Replay {
                prefix,
                error,
                body,
                finished,
            } => prefix.is_empty() && error.is_none() && (*finished || body.is_end_stream()),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Plain { body } => body.size_hint(),
            Kind::Replay {
                prefix,
                body,
                finished,
                ..
            } => {
                let buffered: u64 = prefix
                    .iter()
                    .filter_map(Frame::data_ref)
                    .map(|data| data.len() as u64)
                    .sum();
                if *finished {
                    return SizeHint::with_exact(buffered);
                }
                let rest = body.size_hint();
                let mut hint = SizeHint::new();
                hint.set_lower(rest.lower().saturating_add(buffered));
                if let Some(upper) = rest.upper() {
                    hint.set_upper(upper.saturating_add(buffered));
                }
                hint
            }
        }
    }
}
