//! How to write a layer that rewrites response bodies, as the seed's
//! `CommentCleanProcessor` did for "bad HTML": strip `<!-- ... -->`
//! comments from `text/html` responses, streaming, without ever holding
//! more than a few bytes back.
//!
//! `cargo run -p clientcookie-layers --example comment_clean`
//!
//! The three pieces every tower layer has (tower-http's shape):
//!
//! - `CommentCleanLayer`: the configuration (none here), `impl Layer`;
//! - `CommentClean<S>`: the service, forwarding `poll_ready` and wrapping
//!   the inner service's future;
//! - `ResponseFuture<F>`: waits for the inner response and swaps its body
//!   for a `CleanBody` when it is HTML.
//!
//! The body does the work. Its frames are cut wherever the network cut
//! them, so a comment may start in one frame and end three frames later,
//! and even `<!--` may be split (`<!` here, `--` there). `Stripper` is a
//! small state machine that carries what it has seen from one frame to the
//! next: the bytes of a possible `<!--` it cannot judge yet are held back,
//! everything else is written out at once.
//!
//! A body rewriter changes the length, so the response's `Content-Length`
//! must go (HTTP/1 then sends the body chunked, if it is sent on).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use clientcookie_testsite::TestSite;
use http::{header, Request, Response};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pin_project_lite::pin_project;
use tower::{BoxError, Layer, Service, ServiceBuilder, ServiceExt};

/// Strips HTML comments from `text/html` response bodies.
#[derive(Debug, Clone, Copy, Default)]
struct CommentCleanLayer;

impl<S> Layer<S> for CommentCleanLayer {
    type Service = CommentClean<S>;

    fn layer(&self, inner: S) -> CommentClean<S> {
        CommentClean { inner }
    }
}

/// The service `CommentCleanLayer` makes.
#[derive(Debug, Clone)]
struct CommentClean<S> {
    inner: S,
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for CommentClean<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
    ResB: Body,
{
    type Response = Response<CleanBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        // Ready when the inner service is: this layer adds no capacity limit.
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        ResponseFuture {
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// Waits for the inner response, then wraps its body.
    struct ResponseFuture<F> {
        #[pin]
        inner: F,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
{
    type Output = Result<Response<CleanBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut response = ready!(self.project().inner.poll(cx))?;
        let html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/html"));
        if html {
            // The length is about to change.
            response.headers_mut().remove(header::CONTENT_LENGTH);
        }
        Poll::Ready(Ok(response.map(|body| CleanBody {
            inner: body,
            stripper: html.then(Stripper::default),
        })))
    }
}

pin_project! {
    /// The inner body, with comments stripped when `stripper` is set.
    struct CleanBody<B> {
        #[pin]
        inner: B,
        stripper: Option<Stripper>,
    }
}

impl<B: Body> Body for CleanBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let mut this = self.project();
        loop {
            let Some(stripper) = this.stripper.as_mut() else {
                // Not HTML: hand the frames on as they are.
                return this.inner.as_mut().poll_frame(cx).map(|frame| {
                    frame.map(|r| r.map(|f| f.map_data(|mut d| d.copy_to_bytes(d.remaining()))))
                });
            };
            match ready!(this.inner.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(mut data) => {
                        let mut out = Vec::with_capacity(data.remaining());
                        while data.has_remaining() {
                            let chunk = data.chunk();
                            stripper.feed(chunk, &mut out);
                            let n = chunk.len();
                            data.advance(n);
                        }
                        // A frame that was all comment gives nothing: read on
                        // rather than hand on an empty frame.
                        if !out.is_empty() {
                            return Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))));
                        }
                    }
                    Err(frame) => {
                        let trailers = frame.into_trailers().unwrap_or_default();
                        return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
                    }
                },
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => {
                    // The end: what was held back as a possible `<!--` was text.
                    let held = stripper.finish();
                    *this.stripper = None;
                    if held.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(held)))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream() && self.stripper.as_ref().is_none_or(Stripper::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        match &self.stripper {
            None => self.inner.size_hint(),
            // At most what is left, plus what is held back.
            Some(stripper) => {
                let mut hint = SizeHint::new();
                if let Some(upper) = self.inner.size_hint().upper() {
                    hint.set_upper(upper + stripper.held as u64);
                }
                hint
            }
        }
    }
}

const OPEN: &[u8; 4] = b"<!--";

/// Where the stripper is, carried from one frame to the next.
#[derive(Debug, Default)]
struct Stripper {
    in_comment: bool,
    /// In text: how many bytes of `<!--` were seen and held back.
    held: usize,
    /// In a comment: how many `-` were seen just before (at most 2).
    dashes: usize,
}

impl Stripper {
    /// Writes to `out` the text of `input` that is not in a comment.
    fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while let Some((&b, rest)) = input.split_first() {
            if self.in_comment {
                // Look for `-->`; `<!-->` and `<!--->` are empty comments in
                // HTML, which starting with two dashes already seen gives.
                match b {
                    b'-' => self.dashes = (self.dashes + 1).min(2),
                    b'>' if self.dashes == 2 => self.in_comment = false,
                    _ => self.dashes = 0,
                }
                input = rest;
            } else if self.held == 0 {
                // Copy the run of text up to the next `<` in one go.
                let run = input.iter().position(|&c| c == b'<').unwrap_or(input.len());
                out.extend_from_slice(&input[..run]);
                input = &input[run..];
                if let Some((_, rest)) = input.split_first() {
                    self.held = 1;
                    input = rest;
                }
            } else if b == OPEN[self.held] {
                self.held += 1;
                input = rest;
                if self.held == OPEN.len() {
                    self.held = 0;
                    self.in_comment = true;
                    self.dashes = 2;
                }
            } else {
                // Not a comment after all: the held bytes were text. Look
                // at `b` again from the text state (it may be a new `<`).
                out.extend_from_slice(&OPEN[..self.held]);
                self.held = 0;
            }
        }
    }

    /// At the end of the body: the bytes held back (text), if any. A
    /// comment still open runs to the end, as in HTML.
    fn finish(&mut self) -> Vec<u8> {
        let held = OPEN[..self.held].to_vec();
        self.held = 0;
        held
    }

    fn is_empty(&self) -> bool {
        self.held == 0
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let site = TestSite::start().await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut service = ServiceBuilder::new()
        .layer(CommentCleanLayer)
        .service(client);

    let page = "<html><head><!-- generator: 1998 --><title>Old page</title></head>\n\
                <body><p>Hello<!-- a comment\nover two lines --> world<!---->!</p>\n\
                <p>a < b, <!x> is no comment</p></body></html>\n";
    // The site sends the page in pieces of 5 bytes, so comments (and their
    // `<!--` and `-->`) arrive cut across frames.
    let mut query = String::new();
    for b in page.bytes() {
        query.push_str(&format!("%{b:02X}"));
    }
    let url = site.url(&format!(
        "/bytes?chunk=5&delay_ms=1&ct=text%2Fhtml&body={query}"
    ));
    let response = service
        .ready()
        .await?
        .call(Request::get(url).body(Full::new(Bytes::new()))?)
        .await?;
    let cleaned = response.into_body().collect().await?.to_bytes();
    println!("sent:\n{page}");
    println!("received:\n{}", String::from_utf8_lossy(&cleaned));

    let expected = "<html><head><title>Old page</title></head>\n\
                    <body><p>Hello world!</p>\n\
                    <p>a < b, <!x> is no comment</p></body></html>\n";
    assert_eq!(cleaned, expected, "comments stripped, nothing else changed");
    Ok(())
}
