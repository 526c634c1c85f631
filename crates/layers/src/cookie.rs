//! Cookies for requests from a jar, and cookies from responses into it: the
//! seed's `HTTPCookieProcessor`.
//!
//! [`CookieLayer`] wraps a service with a [`SharedJar`]. For each request it
//! asks the jar for the `Cookie` header (and `Cookie2` in RFC 2965 mode),
//! taking the [`RequestFacts`](clientcookie_jar::RequestFacts) found in the
//! request's extensions into account (the redirect layer puts them there for
//! every hop after the first); when the response arrives it stores the
//! `Set-Cookie` / `Set-Cookie2` headers, judged against the request as it was
//! sent. The jar's lock is held for the lookup and for the store, never while
//! the inner service runs.
//!
//! A `Cookie` header the caller set is left alone (the jar adds none then).
//! A [`SessionJar`] in a request's extensions is used instead of the layer's
//! jar: one client, many sessions.
//!
//! Put it *inside* the redirect layer, so every hop is given the cookies of
//! its own URL and the cookies each hop sets are stored before the next one.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use clientcookie_layers::cookie::CookieLayer;
//! use clientcookie_layers::jar::CookieJar;
//! use http::{Request, Response};
//! use tower::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let jar = CookieJar::new().into_shared();
//!
//! // A stand-in for an HTTP client: it answers /login with a cookie and
//! // echoes the Cookie header it was sent elsewhere.
//! let client = service_fn(|request: Request<String>| async move {
//!     let response = if request.uri().path() == "/login" {
//!         Response::builder().header("set-cookie", "sid=42; Path=/").body(String::new())
//!     } else {
//!         let cookie = request.headers().get("cookie").map(|v| v.to_str().unwrap().to_owned());
//!         Response::builder().body(cookie.unwrap_or_default())
//!     };
//!     Ok::<_, Infallible>(response.unwrap())
//! });
//!
//! let mut service = ServiceBuilder::new().layer(CookieLayer::new(jar.clone())).service(client);
//!
//! let login = Request::get("http://example.com/login").body(String::new()).unwrap();
//! service.ready().await.unwrap().call(login).await.unwrap();
//! assert_eq!(jar.lock().unwrap().len(), 1);
//!
//! let next = Request::get("http://example.com/account").body(String::new()).unwrap();
//! let response = service.ready().await.unwrap().call(next).await.unwrap();
//! assert_eq!(response.body(), "sid=42");
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::{MutexGuard, PoisonError};
use std::task::{Context, Poll};

use clientcookie_jar::{CookieJar, CookieRequest, SharedJar};
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::extensions::CookieHeaderFromJar;

/// A jar for one request, put into its extensions: the cookie layer uses it
/// instead of its own, so one client can serve many sessions.
///
/// ```
/// use clientcookie_layers::cookie::SessionJar;
/// use clientcookie_layers::jar::CookieJar;
///
/// let alice = CookieJar::new().into_shared();
/// let mut request = http::Request::get("http://example.com/").body(()).unwrap();
/// request.extensions_mut().insert(SessionJar(alice));
/// ```
#[derive(Debug, Clone)]
pub struct SessionJar(pub SharedJar);

/// Applies a cookie jar to requests and responses; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct CookieLayer {
    jar: SharedJar,
    mark: bool,
}

impl CookieLayer {
    /// A layer using `jar` for requests that carry no [`SessionJar`].
    pub fn new(jar: SharedJar) -> CookieLayer {
        CookieLayer { jar, mark: true }
    }

    /// Whether a request the jar added `Cookie` to is marked with
    /// [`CookieHeaderFromJar`] (the default: `true`). Only a redirect or
    /// refresh layer *inside* this one reads the mark: it drops the jar's
    /// header on the hops it follows (the header was made for another URL)
    /// where it keeps a `Cookie` the caller set. A follower *outside* this
    /// layer, the intended order, copies each hop's request before this
    /// layer sees it, so it never meets the mark. With `false` the mark (an
    /// extension: up to three allocations on each request with cookies) is
    /// left out; turn it off only when no follower is inside this layer, as
    /// `clientcookie`'s `Opener` does.
    ///
    /// ```
    /// use clientcookie_layers::cookie::CookieLayer;
    /// use clientcookie_layers::jar::CookieJar;
    ///
    /// let layer = CookieLayer::new(CookieJar::new().into_shared()).mark_header_from_jar(false);
    /// ```
    #[must_use]
    pub fn mark_header_from_jar(mut self, mark: bool) -> CookieLayer {
        self.mark = mark;
        self
    }
}

impl<S> Layer<S> for CookieLayer {
    type Service = CookieService<S>;

    fn layer(&self, inner: S) -> CookieService<S> {
        CookieService {
            inner,
            jar: self.jar.clone(),
            mark: self.mark,
        }
    }
}

/// The service [`CookieLayer`] makes.
#[derive(Debug, Clone)]
pub struct CookieService<S> {
    inner: S,
    jar: SharedJar,
    // `CookieLayer::mark_header_from_jar`.
    mark: bool,
}

impl<S> CookieService<S> {
    /// Wraps `inner` with `jar`.
    pub fn new(inner: S, jar: SharedJar) -> CookieService<S> {
        CookieService {
            inner,
            jar,
            mark: true,
        }
    }

    /// The jar used for requests without a [`SessionJar`].
    pub fn jar(&self) -> &SharedJar {
        &self.jar
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// Whether `headers` has a `Set-Cookie` or `Set-Cookie2` field: one look
/// at each name, cheaper than two hash lookups for the few fields of a
/// response.
fn sets_cookies(headers: &http::HeaderMap) -> bool {
    headers
        .keys()
        .any(|name| name == http::header::SET_COOKIE || name.as_str() == "set-cookie2")
}

/// A poisoned lock means another thread panicked while it held the jar; the
/// jar's operations leave it consistent between calls, so carry on with it.
fn lock(jar: &SharedJar) -> MutexGuard<'_, CookieJar> {
    jar.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for CookieService<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqB>) -> Self::Future {
        // Worked on in place: taking the request apart and putting it
        // together again would move its head (over 200 bytes) twice.
        let jar = match request.extensions().get::<SessionJar>() {
            Some(session) => session.0.clone(),
            None => self.jar.clone(),
        };
        let store = match CookieRequest::from_request(&request) {
            Ok(view) => {
                // The jar adds nothing to a request that has a `Cookie` of
                // its own, and adds `Cookie` first when it adds anything:
                // so a `Cookie` is the jar's when the header count grew.
                let headers = request.headers_mut();
                let before = headers.len();
                lock(&jar).add_cookie_header_to(&view, headers);
                if self.mark
                    && headers.len() != before
                    && headers.contains_key(http::header::COOKIE)
                {
                    request.extensions_mut().insert(CookieHeaderFromJar);
                }
                Some((jar, view))
            }
            Err(error) => {
                tracing::debug!(%error, uri = %request.uri(), "no cookies for this request");
                None
            }
        };
        ResponseFuture {
            inner: self.inner.call(request),
            store,
        }
    }
}

pin_project! {
    /// The response future of [`CookieService`]: the inner future, then the
    /// response's cookies into the jar.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        store: Option<(SharedJar, CookieRequest)>,
    }
}

impl<F, ResB, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResB>, E>>,
{
    type Output = Result<Response<ResB>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The inner poll is looked at and returned as it is: taken out of it
        // and wrapped again, the response was copied twice.
        let poll = this.inner.poll(cx);
        if let Poll::Ready(Ok(response)) = &poll {
            if let Some((jar, request)) = this.store.take() {
                // Most responses set no cookie: then the jar (its lock, its
                // clock) is not asked at all.
                if sets_cookies(response.headers()) {
                    lock(&jar).extract_from_headers(&request, response.headers());
                }
            }
        }
        poll
    }
}
