//! The response future: the inner call, then the head of the body.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Buf;
use http::{response, Response};
use http_body::{Body, Frame};
use pin_project_lite::pin_project;

use super::{HeadEnd, HeadScanner, HttpEquivBody, HttpEquivLayer, Wanted};

pin_project! {
    /// The response future of [`HttpEquivService`](super::HttpEquivService):
    /// the inner service's future, then, for an HTML response, the reading
    /// of the body's head.
    pub struct ResponseFuture<F, B>
    where
        B: Body,
    {
        #[pin]
        inner: F,
        state: State<B>,
    }
}

enum State<B: Body> {
    Calling {
        wanted: Wanted,
        config: HttpEquivLayer,
    },
    Scanning(Box<Scan<B>>),
    Done,
}

struct Scan<B: Body> {
    parts: response::Parts,
    body: Pin<Box<B>>,
    scanner: HeadScanner,
    trailers: Option<Frame<bytes::Bytes>>,
    error: Option<B::Error>,
    finished: bool,
}

impl<F, B: Body> ResponseFuture<F, B> {
    pub(super) fn new(inner: F, wanted: Wanted, config: HttpEquivLayer) -> Self {
        ResponseFuture {
            inner,
            state: State::Calling { wanted, config },
        }
    }
}

impl<F, B: Body> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Calling { .. } => "calling",
            State::Scanning(_) => "reading the head",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
{
    type Output = Result<Response<HttpEquivBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state {
                State::Calling { wanted, config } => {
                    let response = ready!(this.inner.as_mut().poll(cx))?;
                    if !wanted.scan(response.status(), response.headers()) {
                        *this.state = State::Done;
                        return Poll::Ready(Ok(response.map(HttpEquivBody::new)));
                    }
                    let scanner = HeadScanner::new(
                        response
                            .headers()
                            .get(http::header::CONTENT_TYPE)
                            .map(|v| v.as_bytes()),
                        config,
                    );
                    let (parts, body) = response.into_parts();
                    *this.state = State::Scanning(Box::new(Scan {
                        parts,
                        body: Box::pin(body),
                        scanner,
                        trailers: None,
                        error: None,
                        finished: false,
                    }));
                }
                State::Scanning(scan) => {
                    ready!(scan.read_head(cx));
                    let State::Scanning(scan) = std::mem::replace(this.state, State::Done) else {
                        unreachable!("the state was just matched")
                    };
                    return Poll::Ready(Ok(scan.into_response()));
                }
                State::Done => panic!("ResponseFuture polled after completion"),
            }
        }
    }
}

impl<B: Body> Scan<B> {
    /// Reads frames into the scanner until the head is done or the body
    /// ends; never further.
    fn read_head(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        while !self.scanner.is_done() {
            match ready!(self.body.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(mut data) => self.scanner.push(data.copy_to_bytes(data.remaining())),
                    Err(frame) => {
                        // Trailers come last: the body is over.
                        if let Ok(trailers) = frame.into_trailers() {
                            self.trailers = Some(Frame::trailers(trailers));
                        }
                        self.scanner.finish(HeadEnd::EndOfBody);
                    }
                },
                Some(Err(error)) => {
                    tracing::debug!("the body failed inside the head");
                    self.error = Some(error);
                    self.finished = true;
                    self.scanner.finish(HeadEnd::BodyError);
                }
                None => {
                    self.finished = true;
                    self.scanner.finish(HeadEnd::EndOfBody);
                }
            }
        }
        Poll::Ready(())
    }

    fn into_response(self) -> Response<HttpEquivBody<B>> {
        let Scan {
            mut parts,
            body,
            scanner,
            trailers,
            error,
            finished,
        } = self;
        let (chunks, headers, report) = scanner.into_parts();
        tracing::debug!(
            lifted = headers.len(),
            skipped = report.skipped.len(),
            end = ?report.end,
            bytes = report.bytes_scanned,
            "read the head for meta http-equiv"
        );
        for (name, value) in headers {
            parts.headers.append(name, value);
        }
        parts.extensions.insert(report);
        let mut prefix: VecDeque<Frame<bytes::Bytes>> =
            chunks.into_iter().map(Frame::data).collect();
        prefix.extend(trailers);
        Response::from_parts(parts, HttpEquivBody::replay(prefix, error, body, finished))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    use bytes::Bytes;
    use http::Response;
    use http_body::{Body, Frame};

    use crate::http_equiv::{HeadEnd, HeadScan, HttpEquivBody, HttpEquivLayer, Wanted};

    use super::ResponseFuture;

    #[derive(Debug, PartialEq)]
    struct Broken;

    /// Gives its chunks, then fails.
    struct FailingBody(VecDeque<Bytes>);

    impl Body for FailingBody {
        type Data = Bytes;
        type Error = Broken;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Broken>>> {
            Poll::Ready(Some(match self.0.pop_front() {
                Some(chunk) => Ok(Frame::data(chunk)),
                None => Err(Broken),
            }))
        }
    }

    struct Noop;

    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }

    fn noop() -> Waker {
        Waker::from(std::sync::Arc::new(Noop))
    }

    fn poll_now<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut Context::from_waker(&noop())) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the future was not ready"),
        }
    }

    #[test]
    fn an_error_inside_the_head_comes_after_the_bytes_before_it() {
        let chunks = VecDeque::from([
            Bytes::from_static(b"<head><meta http-equiv=X-A content=1>"),
            Bytes::from_static(b"<title>cut"),
        ]);
        let mut response = Response::new(FailingBody(chunks));
        response
            .headers_mut()
            .insert("content-type", "text/html".parse().unwrap());
        let wanted = Wanted {
            head_request: false,
            html_url: false,
        };
        let future = ResponseFuture::new(
            std::future::ready(Ok::<_, Infallible>(response)),
            wanted,
            HttpEquivLayer::new(),
        );
        let response = poll_now(future).unwrap();
        assert_eq!(response.headers()["x-a"], "1");
        assert_eq!(
            response.extensions().get::<HeadScan>().unwrap().end,
            HeadEnd::BodyError
        );
        let mut body: Pin<Box<HttpEquivBody<FailingBody>>> = Box::pin(response.into_body());
        let mut frames = Vec::new();
        let waker = noop();
        let mut cx = Context::from_waker(&waker);
        while let Poll::Ready(Some(frame)) = body.as_mut().poll_frame(&mut cx) {
            frames.push(frame.map(|f| f.into_data().unwrap()));
        }
        assert_eq!(
            frames,
            [
                Ok(Bytes::from_static(b"<head><meta http-equiv=X-A content=1>")),
                Ok(Bytes::from_static(b"<title>cut")),
                Err(Broken),
            ]
        );
        assert!(body.is_end_stream());
    }

    #[test]
    fn the_future_and_the_body_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<
            ResponseFuture<
                std::future::Ready<Result<Response<http_body_util::Full<Bytes>>, Infallible>>,
                http_body_util::Full<Bytes>,
            >,
        >();
        send_sync::<HttpEquivBody<http_body_util::Full<Bytes>>>();
    }
}
