//! The opener's stack as one concrete type: no boxed service and no boxed
//! future between the caller and the HTTP client for the built-in
//! backends (see BENCHMARKS.md, "branch h-stackperf2").
//!
//! Each layer of the stack clones the service inside it for every request
//! (tower's clone-and-replace idiom, so that later hops have a service of
//! their own); with the client behind an `Arc` and every layer's settings
//! behind `Arc`s or `Copy`, such a clone is a few reference counts, not an
//! allocation.

use std::future::Future;
use std::pin::Pin;
#[cfg(feature = "hyper")]
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use clientcookie_layers::cookie::CookieService;
use clientcookie_layers::http_equiv::{HttpEquivBody, HttpEquivService};
use clientcookie_layers::redirect::{Redirect, ReplayBody};
use clientcookie_layers::referer::Referer;
use clientcookie_layers::refresh::RefreshService;
use clientcookie_layers::robots::Robots;
use http::Response;
use http_body::{Frame, SizeHint};
use tower::util::{BoxCloneSyncService, Either, MapRequest, MapResponse};
use tower::Service;

use crate::{Body, BoxError, BoxedBody};

/// What the layers hand to the HTTP client.
pub(crate) type ClientRequest = http::Request<ReplayBody<Body>>;

/// A client given to [`OpenerBuilder::service`](crate::OpenerBuilder::service)
/// (or a hyper-util client over a connector of the caller's), boxed.
pub(crate) type CustomService = BoxCloneSyncService<ClientRequest, Response<BoxedBody>, BoxError>;

/// The hyper-util client the opener builds itself.
#[cfg(feature = "hyper")]
pub(crate) type OwnHyper = crate::backend::HyperService<
    hyper_util::client::legacy::connect::HttpConnector<crate::backend::Resolver>,
    ReplayBody<Body>,
>;

/// The HTTP client at the bottom of the stack.
#[derive(Clone)]
pub(crate) enum Backend {
    #[cfg(feature = "hyper")]
    Hyper(Arc<OwnHyper>),
    #[cfg(feature = "reqwest")]
    Reqwest(crate::backend::ReqwestService),
    Custom(CustomService),
}

impl Service<ClientRequest> for Backend {
    type Response = Response<BackendBody>;
    type Error = BoxError;
    type Future = BackendFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            // Both clients are always ready (their `poll_ready` returns
            // `Ready(Ok(()))` unconditionally) and send through `&self`.
            #[cfg(feature = "hyper")]
            Backend::Hyper(_) => Poll::Ready(Ok(())),
            #[cfg(feature = "reqwest")]
            Backend::Reqwest(_) => Poll::Ready(Ok(())),
            Backend::Custom(service) => service.poll_ready(cx),
        }
    }

    fn call(&mut self, request: ClientRequest) -> BackendFuture {
        match self {
            #[cfg(feature = "hyper")]
            Backend::Hyper(client) => BackendFuture::Hyper(client.send(request)),
            #[cfg(feature = "reqwest")]
            Backend::Reqwest(client) => BackendFuture::Reqwest(client.send(request)),
            Backend::Custom(service) => BackendFuture::Custom(service.call(request)),
        }
    }
}

/// The response future of [`Backend`].
pub(crate) enum BackendFuture {
    #[cfg(feature = "hyper")]
    Hyper(crate::backend::HyperFuture),
    #[cfg(feature = "reqwest")]
    Reqwest(crate::backend::ReqwestFuture),
    Custom(<CustomService as Service<ClientRequest>>::Future),
}

impl Future for BackendFuture {
    type Output = Result<Response<BackendBody>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every variant is `Unpin` (the clients box their own futures).
        match self.get_mut() {
            #[cfg(feature = "hyper")]
            BackendFuture::Hyper(future) => Pin::new(future)
                .poll(cx)
                .map_ok(|response| response.map(BackendBody::Hyper)),
            #[cfg(feature = "reqwest")]
            BackendFuture::Reqwest(future) => Pin::new(future)
                .poll(cx)
                .map_ok(|response| response.map(BackendBody::Reqwest))
                .map_err(Into::into),
            BackendFuture::Custom(future) => Pin::new(future)
                .poll(cx)
                .map_ok(|response| response.map(BackendBody::Custom)),
        }
    }
}

/// The response body of [`Backend`]: the client's own, unboxed.
pub(crate) enum BackendBody {
    #[cfg(feature = "hyper")]
    Hyper(hyper::body::Incoming),
    #[cfg(feature = "reqwest")]
    Reqwest(reqwest::Body),
    Custom(BoxedBody),
}

impl http_body::Body for BackendBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            #[cfg(feature = "hyper")]
            BackendBody::Hyper(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            #[cfg(feature = "reqwest")]
            BackendBody::Reqwest(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            BackendBody::Custom(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            #[cfg(feature = "hyper")]
            BackendBody::Hyper(body) => body.is_end_stream(),
            #[cfg(feature = "reqwest")]
            BackendBody::Reqwest(body) => body.is_end_stream(),
            BackendBody::Custom(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            #[cfg(feature = "hyper")]
            BackendBody::Hyper(body) => body.size_hint(),
            #[cfg(feature = "reqwest")]
            BackendBody::Reqwest(body) => body.size_hint(),
            BackendBody::Custom(body) => body.size_hint(),
        }
    }
}

/// The body the stack answers with (the HTTP-EQUIV layer's, or the
/// client's passed through the same type when that layer is off).
pub(crate) type StackBody = HttpEquivBody<BackendBody>;

type Unscanned = fn(Response<BackendBody>) -> Response<StackBody>;
/// The HTTP-EQUIV layer, or in its place the same body type without a scan.
pub(crate) type Equiv = Either<HttpEquivService<Backend>, MapResponse<Backend, Unscanned>>;
/// Each switchable layer is `Either::Left(layer)` or `Either::Right(inner)`.
pub(crate) type Cookies = Either<CookieService<Equiv>, Equiv>;
pub(crate) type Referers = Either<Referer<Cookies>, Cookies>;
pub(crate) type Robotss = Either<Robots<Referers>, Referers>;
pub(crate) type Refreshes = Either<RefreshService<Robotss>, Robotss>;
type ToReplay = fn(http::Request<Body>) -> ClientRequest;
/// The whole stack.
/// With redirects on, the redirect layer follows refreshes itself
/// (`RedirectLayer::follow_refresh`: one copy of the request head for both).
pub(crate) type Stack = Either<Redirect<Robotss>, MapRequest<Refreshes, ToReplay>>;

/// The HTTP-EQUIV arm that does not scan.
pub(crate) fn unscanned(backend: Backend) -> MapResponse<Backend, Unscanned> {
    MapResponse::new(backend, |response| response.map(HttpEquivBody::new))
}

/// The redirect arm that does not follow.
pub(crate) fn no_redirects(inner: Refreshes) -> MapRequest<Refreshes, ToReplay> {
    MapRequest::new(inner, |request| request.map(ReplayBody::streaming))
}

pin_project_lite::pin_project! {
    /// The future of one request through the opener's shared [`Stack`].
    #[project = StackCallProj]
    pub(crate) enum StackCall {
        // The redirect layer sends through one clone of what it wraps and
        // asks it for readiness itself: no clone of the whole stack as
        // `oneshot` would make, and no second clone inside `call`.
        Redirect { #[pin] future: clientcookie_layers::redirect::ResponseFuture<Robotss, Body, StackBody> },
        Other { #[pin] future: tower::util::Oneshot<Stack, http::Request<Body>> },
    }
}

/// Whether `stack` adds the opener's default headers itself: the redirect
/// layer does (`Redirect::default_headers`), after copying the first
/// request's head for later hops.
pub(crate) fn adds_default_headers(stack: &Stack) -> bool {
    matches!(stack, Either::Left(_))
}

/// Sends `request` through `stack`, which stays shared.
pub(crate) fn call(stack: &Stack, request: http::Request<Body>) -> StackCall {
    match stack {
        Either::Left(redirect) => StackCall::Redirect {
            future: redirect.send(request),
        },
        other => StackCall::Other {
            future: tower::ServiceExt::oneshot(other.clone(), request),
        },
    }
}

impl Future for StackCall {
    type Output = Result<Response<StackBody>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            StackCallProj::Redirect { future } => future.poll(cx),
            StackCallProj::Other { future } => future.poll(cx),
        }
    }
}
