//! A hyper-util client as the inner service.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::client::legacy::connect::Connect;
use hyper_util::client::legacy::{Client, ResponseFuture};
use pin_project_lite::pin_project;
use tower::Service;

use super::{merge_extensions, InvalidUri};
use crate::BoxError;

/// A hyper-util legacy `Client` as a `Service<http::Request<B>>` that adds
/// the request's extensions to the response; see the [module docs](super).
///
/// hyper-util follows no redirects, so the response comes from the
/// request's URI, which the caller has: no
/// [`FinalUrl`](clientcookie_layers::redirect::FinalUrl) is added (parsing
/// every URI into a `Url` for it was a measurable part of the stack's cost).
/// A [`RedirectLayer`](clientcookie_layers::redirect::RedirectLayer)
/// outside puts the final URL of a chain on the response itself.
///
/// ```
/// use clientcookie::backend::HyperService;
/// use hyper_util::client::legacy::Client;
/// use hyper_util::rt::TokioExecutor;
///
/// let client = Client::builder(TokioExecutor::new()).build_http::<clientcookie::Body>();
/// let service = HyperService::new(client);
/// ```
#[derive(Debug)]
pub struct HyperService<C, B> {
    client: Client<C, B>,
    https: bool,
}

impl<C: Clone, B> Clone for HyperService<C, B> {
    fn clone(&self) -> Self {
        HyperService {
            client: self.client.clone(),
            https: self.https,
        }
    }
}

impl<C, B> HyperService<C, B> {
    /// Wraps `client`, which is taken to speak `http` only (hyper-util's
    /// `HttpConnector`): an `https` URL is refused with [`InvalidUri`]
    /// before the connector sees it.
    pub fn new(client: Client<C, B>) -> HyperService<C, B> {
        HyperService {
            client,
            https: false,
        }
    }

    /// Wraps `client`, whose connector speaks `https` too (hyper-rustls'
    /// `HttpsConnector`, for one).
    pub fn with_https(client: Client<C, B>) -> HyperService<C, B> {
        HyperService {
            client,
            https: true,
        }
    }

    /// The client.
    pub fn client(&self) -> &Client<C, B> {
        &self.client
    }
}

impl<C, B> Service<Request<B>> for HyperService<C, B>
where
    C: Connect + Clone + Send + Sync + 'static,
    B: http_body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Incoming>;
    type Error = BoxError;
    type Future = HyperFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Service::<Request<B>>::poll_ready(&mut self.client, cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> HyperFuture {
        self.send(request)
    }
}

impl<C, B> HyperService<C, B>
where
    C: Connect + Clone + Send + Sync + 'static,
    B: http_body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    /// `call` through a shared reference: hyper-util's client is always
    /// ready and sends through `&self`, so the opener shares one service
    /// instead of cloning it for every request.
    pub(crate) fn send(&self, request: Request<B>) -> HyperFuture {
        let uri = request.uri();
        // `host()` is `None` exactly when there is no authority (and would
        // split the authority to say so).
        let reason = match (uri.scheme_str(), uri.authority()) {
            (None, _) | (_, None) => Some("not an absolute URL"),
            (Some("http"), _) => None,
            (Some("https"), _) if self.https => None,
            (Some("https"), _) => {
                Some("the hyper backend's connector speaks http only; give it an https connector")
            }
            (Some(_), _) => Some("scheme not supported"),
        };
        if let Some(reason) = reason {
            let error = InvalidUri {
                uri: uri.to_string(),
                reason,
            };
            return HyperFuture {
                state: State::Failed {
                    error: Some(error.into()),
                },
            };
        }
        // Moved, not cloned (a clone costs an allocation per value): the
        // layers' values mean nothing to hyper-util.
        let mut request = request;
        let extensions = std::mem::take(request.extensions_mut());
        HyperFuture {
            state: State::Pending {
                future: self.client.request(request),
                extensions: Some(extensions),
            },
        }
    }
}

pin_project! {
    /// The response future of [`HyperService`].
    pub struct HyperFuture {
        #[pin]
        state: State,
    }
}

pin_project! {
    #[project = StateProj]
    enum State {
        Pending { #[pin] future: ResponseFuture, extensions: Option<http::Extensions> },
        Failed { error: Option<BoxError> },
    }
}

impl Future for HyperFuture {
    type Output = Result<Response<Incoming>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Pending { future, extensions } => {
                let mut response = std::task::ready!(future.poll(cx))?;
                if let Some(extensions) = extensions.take() {
                    merge_extensions(extensions, response.extensions_mut());
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

/// A DNS resolver for hyper-util's `HttpConnector` that answers the host
/// names given to [`OpenerBuilder::resolve`](crate::OpenerBuilder::resolve)
/// with their addresses and asks the system (`getaddrinfo`) for the rest.
///
/// The port of an override is used when the URL names none (as in reqwest).
///
/// ```
/// use clientcookie::backend::Resolver;
/// use hyper_util::client::legacy::connect::HttpConnector;
///
/// let resolver = Resolver::new([("shop.example".to_owned(), "127.0.0.1:8080".parse().unwrap())]);
/// let connector = HttpConnector::new_with_resolver(resolver);
/// ```
#[derive(Debug, Clone)]
pub struct Resolver {
    overrides: Arc<HashMap<String, Vec<SocketAddr>>>,
    system: GaiResolver,
}

impl Resolver {
    /// A resolver answering each `(host, addr)` pair itself (host names
    /// compared case-insensitively; a host given twice has both addresses).
    pub fn new(overrides: impl IntoIterator<Item = (String, SocketAddr)>) -> Resolver {
        let mut map: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        for (host, addr) in overrides {
            map.entry(host.to_ascii_lowercase()).or_default().push(addr);
        }
        Resolver {
            overrides: Arc::new(map),
            system: GaiResolver::new(),
        }
    }
}

type Addrs = std::vec::IntoIter<SocketAddr>;
type ResolveFuture = Pin<Box<dyn Future<Output = Result<Addrs, std::io::Error>> + Send>>;

impl Service<Name> for Resolver {
    type Response = Addrs;
    type Error = std::io::Error;
    type Future = ResolveFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        self.system.poll_ready(cx)
    }

    fn call(&mut self, name: Name) -> ResolveFuture {
        if let Some(addrs) = self.overrides.get(&name.as_str().to_ascii_lowercase()) {
            let addrs = addrs.clone().into_iter();
            return Box::pin(std::future::ready(Ok(addrs)));
        }
        let lookup = self.system.call(name);
        Box::pin(async move { Ok(lookup.await?.collect::<Vec<_>>().into_iter()) })
    }
}
