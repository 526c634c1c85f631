//! [`Response`]: what an [`Opener`](crate::Opener) returns.

use bytes::{Bytes, BytesMut};
use clientcookie_layers::redirect::{FinalUrl, Hop, RedirectHistory};
use http::{Extensions, HeaderMap, StatusCode, Version};
use http_body_util::BodyExt;
use url::Url;

use crate::error::{Error, Kind};
use clientcookie_layers::seekable::SeekableBodyLayer;

use crate::{ResponseBody, SeekableResponseBody};

/// The final response of a request through an [`Opener`](crate::Opener)
/// (after redirects and refreshes), with its body still to be read.
///
/// Read the body whole with [`bytes`](Self::bytes) or [`text`](Self::text)
/// (both unbounded: [`bytes_limited`](Self::bytes_limited) caps it), piece
/// by piece with [`chunk`](Self::chunk), or take it as an
/// [`http_body::Body`] with [`into_body`](Self::into_body).
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clientcookie::Error> {
/// let mut response = clientcookie::get("http://example.com/").await?;
/// println!("{} from {} after {} redirects", response.status(), response.url(), response.history().len());
/// while let Some(chunk) = response.chunk().await? {
///     println!("{} bytes", chunk.len());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Response {
    inner: http::Response<ResponseBody>,
    // Parsed only when asked for, when that cannot fail (see `FinalUrl`).
    url: FinalUrl,
}

impl Response {
    /// `response`, from the URL the stack left in [`FinalUrl`] or else the
    /// URL `requested` gives.
    pub(crate) fn new(
        mut inner: http::Response<ResponseBody>,
        requested: impl FnOnce() -> Option<FinalUrl>,
    ) -> Result<Response, Error> {
        // Taken out (and put back by `into_http`) rather than cloned.
        let url = match inner.extensions_mut().remove::<FinalUrl>() {
            Some(url) => url,
            None => match requested() {
                Some(url) => url,
                None => {
                    let error = crate::backend::InvalidUri {
                        uri: String::new(),
                        reason: "the request's URI is not a URL",
                    };
                    return Err(Error::builder(error));
                }
            },
        };
        Ok(Response { inner, url })
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.inner.version()
    }

    /// The headers (with those `<meta http-equiv>` added, when that layer is
    /// on).
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The URL the response came from: the last hop of the redirects and
    /// refreshes followed (the seed's `response.geturl()`).
    pub fn url(&self) -> &Url {
        self.url.url()
    }

    /// The redirects and refreshes followed to get here, first first (empty
    /// when there were none).
    pub fn history(&self) -> &[Hop] {
        self.inner
            .extensions()
            .get::<RedirectHistory>()
            .map_or(&[][..], |h| &h.0[..])
    }

    /// What the layers and the backend left in the response's extensions
    /// ([`RedirectHistory`], the request's own extensions; the final URL is
    /// [`url`](Self::url), and back in [`FinalUrl`] after
    /// [`into_http`](Self::into_http)).
    pub fn extensions(&self) -> &Extensions {
        self.inner.extensions()
    }

    /// The body's length when it is known (`Content-Length`).
    pub fn content_length(&self) -> Option<u64> {
        http_body::Body::size_hint(self.inner.body())
            .exact()
            .or_else(|| {
                self.inner
                    .headers()
                    .get(http::header::CONTENT_LENGTH)?
                    .to_str()
                    .ok()?
                    .trim()
                    .parse()
                    .ok()
            })
    }

    /// The next piece of the body; `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            match self.inner.body_mut().frame().await {
                None => return Ok(None),
                Some(Err(error)) => return Err(self.body_error(error)),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Ok(Some(data));
                        }
                    }
                }
            }
        }
    }

    /// The whole body. Unbounded: a body of any size is read into memory;
    /// see [`bytes_limited`](Self::bytes_limited).
    pub async fn bytes(self) -> Result<Bytes, Error> {
        let url = self.url;
        self.inner
            .into_body()
            .collect()
            .await
            .map(|c| c.to_bytes())
            .map_err(|e| Error::from_stack(e).with_url(Some(url.into_url())))
    }

    /// The whole body, or an error for which
    /// [`Error::is_too_large`] is true as soon as it passes `max` bytes.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), clientcookie::Error> {
    /// let page = clientcookie::get("http://example.com/").await?.bytes_limited(1 << 20).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bytes_limited(mut self, max: usize) -> Result<Bytes, Error> {
        let mut out = BytesMut::new();
        while let Some(chunk) = self.chunk().await? {
            if out.len() + chunk.len() > max {
                return Err(Error::new(Kind::TooLarge, None).with_url(Some(self.url.into_url())));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }

    /// The whole body as text: UTF-8, with invalid sequences replaced by
    /// U+FFFD (no other charset is decoded). Unbounded, as
    /// [`bytes`](Self::bytes).
    pub async fn text(self) -> Result<String, Error> {
        let bytes = self.bytes().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The seekable body, when the opener's
    /// [`seekable`](crate::OpenerBuilder::seekable) processor is on: rewind
    /// it and read again, seek, or read it with tokio's `AsyncRead`.
    pub fn seekable_mut(&mut self) -> Option<&mut SeekableResponseBody> {
        self.inner.body_mut().seekable_mut()
    }

    pub(crate) fn make_seekable(&mut self, layer: &SeekableBodyLayer) {
        let body = std::mem::take(self.inner.body_mut());
        *self.inner.body_mut() = body.into_seekable(layer);
    }

    /// The body, as an [`http_body::Body`].
    pub fn into_body(self) -> ResponseBody {
        self.inner.into_body()
    }

    /// The body, mutably.
    pub fn body_mut(&mut self) -> &mut ResponseBody {
        self.inner.body_mut()
    }

    /// The `http::Response` inside, with the URL in its [`FinalUrl`]
    /// extension.
    pub fn into_http(self) -> http::Response<ResponseBody> {
        let mut inner = self.inner;
        inner.extensions_mut().insert(self.url);
        inner
    }

    fn body_error(&self, error: crate::BoxError) -> Error {
        Error::from_stack(error).with_url(Some(self.url.url().clone()))
    }
}
