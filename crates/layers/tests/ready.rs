//! Both layers report the inner service's readiness as it is.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use bytes::Bytes;
use clientcookie_layers::cookie::CookieLayer;
use clientcookie_layers::jar::CookieJar;
use clientcookie_layers::redirect::RedirectLayer;
use http::{Request, Response};
use http_body_util::Full;
use tower::{Service, ServiceBuilder};

/// Not ready on the first poll, ready after; counts calls.
#[derive(Clone, Default)]
struct SlowToStart {
    polled: bool,
}

impl<B> Service<Request<B>> for SlowToStart {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Full<Bytes>>, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if self.polled {
            Poll::Ready(Ok(()))
        } else {
            self.polled = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn call(&mut self, _request: Request<B>) -> Self::Future {
        assert!(self.polled, "called before it said it was ready");
        ready(Ok(Response::new(Full::new(Bytes::new()))))
    }
}

#[tokio::test]
async fn poll_ready_is_forwarded_through_both_layers() {
    let mut service = ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(CookieLayer::new(CookieJar::new().into_shared()))
        .service(SlowToStart::default());
    let waker = futures_task_noop();
    let mut cx = Context::from_waker(&waker);
    assert!(Service::<Request<Full<Bytes>>>::poll_ready(&mut service, &mut cx).is_pending());
    assert!(Service::<Request<Full<Bytes>>>::poll_ready(&mut service, &mut cx).is_ready());
    let request = Request::get("http://example.com/")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = service.call(request).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
}

fn futures_task_noop() -> std::task::Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    std::task::Waker::from(std::sync::Arc::new(Noop))
}
