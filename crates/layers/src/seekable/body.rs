//! The seekable body itself.

use std::io::{self, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};

use super::store::Store;
use super::{BoxError, SeekableBodyLayer, SeekableError};

/// Largest data frame a [`SeekableBody`] yields from what it has buffered
/// (frames read from the network are passed on as they came).
const FRAME: usize = 64 * 1024;

/// Where the inner body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// More may come.
    Open,
    /// It ended; every byte is in the store.
    Ended,
    /// It failed (or passed the size limit); the error was returned once, to
    /// the read that met it.
    Failed { too_large: Option<u64> },
}

pin_project! {
    /// A response body that can be read, rewound and read again, and seeked
    /// anywhere; see the [module docs](super).
    ///
    /// It reads from the inner body only as far as it is read or seeked
    /// (a seek from the end reads to the end), keeps what it read in memory up
    /// to a limit and in a temporary file past it, and reads from the current
    /// position through either interface:
    ///
    /// - [`http_body::Body`]: data frames from the position to the end, then
    ///   the inner body's trailers (again on each pass that reaches the end);
    /// - tokio's [`AsyncRead`] and [`AsyncSeek`] (trailers: see
    ///   [`trailers`](Self::trailers)).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::seekable::SeekableBody;
    /// use http_body_util::{BodyExt, Full};
    /// use tokio::io::{AsyncReadExt, AsyncSeekExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut body = SeekableBody::new(Full::new(Bytes::from_static(b"hello, world")));
    ///
    /// let mut start = [0u8; 5];
    /// body.read_exact(&mut start).await?;
    /// assert_eq!(&start, b"hello");
    ///
    /// body.seek(std::io::SeekFrom::End(-5)).await?;
    /// let mut end = String::new();
    /// body.read_to_string(&mut end).await?;
    /// assert_eq!(end, "world");
    ///
    /// body.rewind();
    /// let all = (&mut body).collect().await.expect("buffered").to_bytes();
    /// assert_eq!(all, "hello, world");
    /// # Ok(())
    /// # }
    /// ```
    pub struct SeekableBody<B> {
        #[pin]
        inner: B,
        store: Store,
        pos: u64,
        source: Source,
        trailers: Option<HeaderMap>,
        // The trailers were yielded since the last seek.
        trailers_sent: bool,
        // A `SeekFrom::End` waiting for `poll_complete` to read to the end.
        seek_from_end: Option<i64>,
        max_len: Option<u64>,
    }
}

impl<B> std::fmt::Debug for SeekableBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeekableBody")
            .field("position", &self.pos)
            .field("store", &self.store)
            .field("source", &self.source)
            .finish()
    }
}

impl<B> SeekableBody<B> {
    /// Wraps `inner` with the default limits: 8 MiB in memory
    /// ([`DEFAULT_MEMORY_LIMIT`](super::DEFAULT_MEMORY_LIMIT)), then a
    /// temporary file in the system's temporary directory, no total limit.
    ///
    /// ```
    /// let body = clientcookie_layers::seekable::SeekableBody::new(String::from("text"));
    /// assert_eq!(body.position(), 0);
    /// ```
    pub fn new(inner: B) -> SeekableBody<B> {
        SeekableBodyLayer::new().wrap_body(inner)
    }

    pub(super) fn with_limits(
        inner: B,
        memory_limit: usize,
        max_len: Option<u64>,
        temp_dir: Option<Arc<Path>>,
    ) -> SeekableBody<B> {
        SeekableBody {
            inner,
            store: Store::new(memory_limit, temp_dir),
            pos: 0,
            source: Source::Open,
            trailers: None,
            trailers_sent: false,
            seek_from_end: None,
            max_len,
        }
    }

    /// Goes back to the start, to read everything again. Never reads from
    /// the network, so there is nothing to wait for (tokio's
    /// `AsyncSeekExt::rewind`, which this shadows, does the same and must be
    /// awaited).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::seekable::SeekableBody;
    /// use http_body_util::{BodyExt, Full};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut body = SeekableBody::new(Full::new(Bytes::from_static(b"twice")));
    /// let first = (&mut body).collect().await.unwrap().to_bytes();
    /// body.rewind();
    /// let second = (&mut body).collect().await.unwrap().to_bytes();
    /// assert_eq!(first, second);
    /// # }
    /// ```
    pub fn rewind(&mut self) {
        self.seek_to(0);
    }

    /// Moves to byte `position` from the start. Never reads from the
    /// network: a position past what has been read so far is reached by the
    /// next read, which reads the bytes in between (and finds the end if
    /// the body is shorter, as a file read past its end does).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::seekable::SeekableBody;
    /// use tokio::io::AsyncReadExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut body = SeekableBody::new(http_body_util::Full::new(Bytes::from_static(b"0123456789")));
    /// body.seek_to(7);
    /// let mut rest = Vec::new();
    /// body.read_to_end(&mut rest).await?;
    /// assert_eq!(rest, b"789");
    /// # Ok(())
    /// # }
    /// ```
    pub fn seek_to(&mut self, position: u64) {
        self.pos = position;
        self.trailers_sent = false;
        self.seek_from_end = None;
    }

    /// The current position, in bytes from the start.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// How many bytes have been read from the inner body so far.
    pub fn buffered_len(&self) -> u64 {
        self.store.len()
    }

    /// How many of those are held in memory (the rest is in the temporary
    /// file).
    pub fn buffered_in_memory(&self) -> usize {
        self.store.in_memory()
    }

    /// Whether the body has passed its memory limit and moved to a temporary
    /// file.
    pub fn is_spilled(&self) -> bool {
        self.store.is_spilled()
    }

    /// Whether the inner body has ended, so that every byte is buffered and
    /// [`buffered_len`](Self::buffered_len) is the whole length.
    pub fn is_complete(&self) -> bool {
        self.source == Source::Ended
    }

    /// The inner body's trailers, once it has ended with some.
    pub fn trailers(&self) -> Option<&HeaderMap> {
        self.trailers.as_ref()
    }

    /// The error for a read that needs bytes the body can no longer read.
    fn failed(source: Source, buffered: u64) -> SeekableError {
        match source {
            Source::Failed {
                too_large: Some(limit),
            } => SeekableError::TooLarge { limit },
            _ => SeekableError::Incomplete { buffered },
        }
    }
}

impl<B> SeekableBody<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    /// Reads one frame of the inner body into the store: `Some(data)` for
    /// data (also stored), `None` when the frame was trailers or the body
    /// ended. Call only while the source is open.
    fn poll_pull(
        mut inner: Pin<&mut B>,
        cx: &mut Context<'_>,
        store: &mut Store,
        source: &mut Source,
        trailers: &mut Option<HeaderMap>,
        max_len: Option<u64>,
    ) -> Poll<Result<Option<Bytes>, SeekableError>> {
        loop {
            let frame = match ready!(inner.as_mut().poll_frame(cx)) {
                None => {
                    *source = Source::Ended;
                    return Poll::Ready(Ok(None));
                }
                Some(Err(error)) => {
                    *source = Source::Failed { too_large: None };
                    return Poll::Ready(Err(SeekableError::Body(error.into())));
                }
                Some(Ok(frame)) => frame,
            };
            let mut data = match frame.into_data() {
                Ok(data) => data,
                Err(frame) => {
                    if let Ok(more) = frame.into_trailers() {
                        match trailers {
                            Some(held) => held.extend(more),
                            None => *trailers = Some(more),
                        }
                        return Poll::Ready(Ok(None));
                    }
                    // A frame of a kind this crate does not know: skipped.
                    continue;
                }
            };
            if !data.has_remaining() {
                continue;
            }
            let data = data.copy_to_bytes(data.remaining());
            if let Some(limit) = max_len {
                if store.len().saturating_add(data.len() as u64) > limit {
                    *source = Source::Failed {
                        too_large: Some(limit),
                    };
                    return Poll::Ready(Err(SeekableError::TooLarge { limit }));
                }
            }
            if let Err(error) = store.append(&data) {
                *source = Source::Failed { too_large: None };
                return Poll::Ready(Err(SeekableError::TempFile(error)));
            }
            return Poll::Ready(Ok(Some(data)));
        }
    }

    /// Reads the inner body to its end (for a seek from the end).
    fn poll_to_end(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), SeekableError>> {
        let this = self.project();
        let mut inner = this.inner;
        loop {
            match *this.source {
                Source::Ended => return Poll::Ready(Ok(())),
                Source::Failed { .. } => {
                    return Poll::Ready(Err(Self::failed(*this.source, this.store.len())))
                }
                Source::Open => {}
            }
            ready!(Self::poll_pull(
                inner.as_mut(),
                cx,
                this.store,
                this.source,
                this.trailers,
                *this.max_len,
            ))?;
        }
    }
}

impl<B> Body for SeekableBody<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = SeekableError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, SeekableError>>> {
        let this = self.project();
        let mut inner = this.inner;
        loop {
            let len = this.store.len();
            if *this.pos < len {
                let n = (len - *this.pos).min(FRAME as u64) as usize;
                let mut buf = vec![0u8; n];
                let read = match this.store.read_at(*this.pos, &mut buf) {
                    Ok(read) => read,
                    Err(error) => return Poll::Ready(Some(Err(SeekableError::TempFile(error)))),
                };
                buf.truncate(read);
                *this.pos += read as u64;
                return Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))));
            }
            match *this.source {
                Source::Ended => {
                    if !*this.trailers_sent {
                        *this.trailers_sent = true;
                        if let Some(trailers) = this.trailers.as_ref() {
                            return Poll::Ready(Some(Ok(Frame::trailers(trailers.clone()))));
                        }
                    }
                    return Poll::Ready(None);
                }
                Source::Failed { .. } => {
                    return Poll::Ready(Some(Err(Self::failed(*this.source, len))));
                }
                Source::Open => {}
            }
            let pulled = ready!(Self::poll_pull(
                inner.as_mut(),
                cx,
                this.store,
                this.source,
                this.trailers,
                *this.max_len,
            ));
            match pulled {
                // Straight from the network: passed on without a copy.
                Ok(Some(data)) if *this.pos == len => {
                    *this.pos += data.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                // Stored on the way to a position further on, or trailers,
                // or the end: the loop sorts it out.
                Ok(_) => {}
                Err(error) => return Poll::Ready(Some(Err(error))),
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.source == Source::Ended
            && self.pos >= self.store.len()
            && (self.trailers_sent || self.trailers.is_none())
    }

    fn size_hint(&self) -> SizeHint {
        let ahead = self.store.len().saturating_sub(self.pos);
        if self.source != Source::Open {
            return SizeHint::with_exact(ahead);
        }
        // The bytes between the end of the buffer and a position past it
        // are read but not yielded.
        let skipped = self.pos.saturating_sub(self.store.len());
        let inner = self.inner.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(ahead.saturating_add(inner.lower().saturating_sub(skipped)));
        if let Some(upper) = inner.upper() {
            hint.set_upper(ahead.saturating_add(upper.saturating_sub(skipped)));
        }
        hint
    }
}

impl<B> AsyncRead for SeekableBody<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let this = self.project();
        let mut inner = this.inner;
        loop {
            let len = this.store.len();
            if *this.pos < len {
                let want = (len - *this.pos).min(buf.remaining() as u64) as usize;
                let read = this
                    .store
                    .read_at(*this.pos, buf.initialize_unfilled_to(want))
                    .map_err(|error| SeekableError::TempFile(error).into_io())?;
                buf.advance(read);
                *this.pos += read as u64;
                return Poll::Ready(Ok(()));
            }
            match *this.source {
                Source::Ended => return Poll::Ready(Ok(())),
                Source::Failed { .. } => {
                    return Poll::Ready(Err(Self::failed(*this.source, len).into_io()))
                }
                Source::Open => {}
            }
            let pulled = ready!(Self::poll_pull(
                inner.as_mut(),
                cx,
                this.store,
                this.source,
                this.trailers,
                *this.max_len,
            ))
            .map_err(SeekableError::into_io)?;
            if let Some(data) = pulled {
                if *this.pos == len {
                    // Straight from the chunk, not back out of the store.
                    let n = data.len().min(buf.remaining());
                    buf.put_slice(&data[..n]);
                    *this.pos += n as u64;
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

impl<B> AsyncSeek for SeekableBody<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    /// `Start` and `Current` move at once, without reading (a position past
    /// the end is allowed, as in files: reads there find the end); `End`
    /// reads the body to its end in [`poll_complete`](Self::poll_complete).
    /// A position before the start is an `InvalidInput` error.
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.project();
        let before_start = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a position before the start of the body",
            )
        };
        *this.seek_from_end = None;
        let target = match position {
            SeekFrom::Start(n) => n,
            SeekFrom::Current(delta) => this
                .pos
                .checked_add_signed(delta)
                .ok_or_else(before_start)?,
            SeekFrom::End(delta) => {
                *this.seek_from_end = Some(delta);
                return Ok(());
            }
        };
        *this.pos = target;
        *this.trailers_sent = false;
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        if let Some(delta) = self.seek_from_end {
            let reached = ready!(self.as_mut().poll_to_end(cx));
            let this = self.as_mut().project();
            *this.seek_from_end = None;
            reached.map_err(SeekableError::into_io)?;
            let target = this.store.len().checked_add_signed(delta).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "seek to a position before the start of the body",
                )
            })?;
            *this.pos = target;
            *this.trailers_sent = false;
        }
        Poll::Ready(Ok(self.pos))
    }
}
