//! reqwest as the inner service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use clientcookie_layers::extensions::RequestUrl;
use clientcookie_layers::redirect::FinalUrl;
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower::Service;

use super::merge_extensions;
use crate::BoxError;

type Pending = <reqwest::Client as Service<reqwest::Request>>::Future;

/// A `reqwest::ClientBuilder` fit to be the inner service of the layers:
/// reqwest's own redirects off (`redirect::Policy::none()`), no referer, no
/// cookie store (none is configured unless asked for), and rustls with the
/// *ring* provider installed as the process default if the process has none
/// (see the [module docs](super)).
///
/// ```
/// let client = clientcookie::backend::reqwest_client_builder().build().unwrap();
/// let service = clientcookie::backend::ReqwestService::new(client);
/// ```
pub fn reqwest_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
}

/// Install rustls' *ring* crypto provider as the process default, unless a
/// provider is installed already. reqwest, as this crate asks for it
/// (`rustls-no-provider`), panics when it builds a client and finds no
/// provider: call this before building a `reqwest::Client` of your own
/// ([`reqwest_client_builder`] and the [`Opener`](crate::Opener) call it).
///
/// ```
/// clientcookie::backend::install_crypto_provider();
/// let client = reqwest::Client::builder().build().unwrap();
/// ```
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one in between: fine as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A `reqwest::Client` as a `Service<http::Request<B>>`; see the
/// [module docs](super).
///
/// ```no_run
/// use clientcookie::backend::{reqwest_client_builder, ReqwestService};
/// use clientcookie::layers::redirect::FinalUrl;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let service = ReqwestService::new(reqwest_client_builder().build()?);
/// let request = http::Request::get("http://example.com/").body(clientcookie::Body::empty())?;
/// let response = service.oneshot(request).await?;
/// println!("{}", response.extensions().get::<FinalUrl>().unwrap().url());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestService {
    client: reqwest::Client,
    // Whether each response gets the URL reqwest reports as its
    // `FinalUrl`. The `Opener` does without: its client follows no
    // redirect, so that URL is the request's, which it keeps anyway.
    final_url: bool,
}

impl ReqwestService {
    /// Wraps `client`. It should not follow redirects, store cookies or set
    /// `Referer` itself: build it from [`reqwest_client_builder`].
    pub fn new(client: reqwest::Client) -> ReqwestService {
        ReqwestService {
            client,
            final_url: true,
        }
    }

    /// For a client that follows no redirect, inside a caller that knows
    /// each request's URL: responses get no `FinalUrl` (a copy of that URL
    /// and an extension less per response).
    pub(crate) fn without_final_url(client: reqwest::Client) -> ReqwestService {
        ReqwestService {
            client,
            final_url: false,
        }
    }

    /// The client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl<B> Service<Request<B>> for ReqwestService
where
    B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<reqwest::Body>;
    type Error = reqwest::Error;
    type Future = ReqwestFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), reqwest::Error>> {
        Service::<reqwest::Request>::poll_ready(&mut self.client, cx)
    }

    fn call(&mut self, request: Request<B>) -> ReqwestFuture {
        self.send(request)
    }
}

impl ReqwestService {
    /// `call` through a shared reference (reqwest's client is always ready
    /// and sends through `&self`).
    pub(crate) fn send<B>(&self, request: Request<B>) -> ReqwestFuture
    where
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        let (mut parts, body) = request.into_parts();
        // The URL the layers parsed already, when they did: reqwest would
        // format the URI and parse it again.
        // Else parsed here without formatting the URI first (as
        // `reqwest::Request::try_from` does), which then has only errors
        // left to report.
        let url = match RequestUrl::cached(&parts.uri, &parts.extensions) {
            Some(url) => Some(url.clone()),
            None => RequestUrl::parse(&parts.uri),
        };
        // Moved, not cloned (a clone costs an allocation per value): reqwest
        // reads only its own, private values from a request's extensions,
        // which an `http::Request` cannot carry.
        let extensions = std::mem::take(&mut parts.extensions);
        // An empty body stays no body: no `Content-Length: 0` on a GET.
        let body = if body.is_end_stream() {
            reqwest::Body::default()
        } else {
            reqwest::Body::wrap(body)
        };
        let request = match url {
            // What `reqwest::Request::try_from` makes, without the parse.
            Some(url) => {
                let mut request = reqwest::Request::new(parts.method, url);
                *request.headers_mut() = parts.headers;
                *request.version_mut() = parts.version;
                *request.body_mut() = Some(body);
                Ok(request)
            }
            None => reqwest::Request::try_from(Request::from_parts(parts, body)),
        };
        let state = match request {
            Ok(request) => State::Pending {
                pending: (&self.client).call(request),
                extensions: Some(extensions),
                final_url: self.final_url,
            },
            Err(error) => State::Failed { error: Some(error) },
        };
        ReqwestFuture { state }
    }
}

pin_project! {
    /// The response future of [`ReqwestService`].
    pub struct ReqwestFuture {
        #[pin]
        state: State,
    }
}

pin_project! {
    #[project = StateProj]
    enum State {
        Pending { #[pin] pending: Pending, extensions: Option<http::Extensions>, final_url: bool },
        Failed { error: Option<reqwest::Error> },
    }
}

impl Future for ReqwestFuture {
    type Output = Result<Response<reqwest::Body>, reqwest::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Pending {
                pending,
                extensions,
                final_url,
            } => {
                let response = std::task::ready!(pending.poll(cx))?;
                let url = final_url.then(|| response.url().clone());
                let mut response: Response<reqwest::Body> = response.into();
                if let Some(extensions) = extensions.take() {
                    merge_extensions(extensions, response.extensions_mut());
                }
                if let Some(url) = url {
                    response.extensions_mut().insert(FinalUrl::new(url));
                }
                Poll::Ready(Ok(response))
            }
            StateProj::Failed { error } => match error.take() {
                Some(error) => Poll::Ready(Err(error)),
                None => Poll::Pending,
            },
        }
    }
}
