//! The refresh layer, alone and inside a redirect layer, around a real
//! HTTP/1 client, against the test site's `/refresh` on 127.0.0.1.

mod common;

use std::cell::Cell;
use std::time::Duration;

use bytes::Bytes;
use clientcookie_layers::extensions::HopBudget;
use clientcookie_layers::jar::RequestFacts;
use clientcookie_layers::redirect::{FinalUrl, RedirectError, RedirectHistory, RedirectLayer};
use clientcookie_layers::refresh::RefreshLayer;
use clientcookie_testsite::TestSite;
use common::{enc, get, json, send};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use tower::util::Either;
use tower::{BoxError, Layer, Service, ServiceBuilder};

thread_local! {
    // Which form `stack` builds for the test running on this thread.
    static FOLLOW_REFRESH: Cell<bool> = const { Cell::new(false) };
}

/// The redirect layer around the refresh layer, or, in the `combined`
/// tests, the redirect layer following refreshes itself
/// (`RedirectLayer::follow_refresh`): every test below runs with both and
/// must see the same.
fn stack(
    site: &TestSite,
    redirect: RedirectLayer,
    refresh: RefreshLayer,
) -> impl Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError> + Clone {
    let client = common::client(site.addr());
    if FOLLOW_REFRESH.with(Cell::get) {
        Either::Right(redirect.follow_refresh(refresh).layer(client))
    } else {
        Either::Left(
            ServiceBuilder::new()
                .layer(redirect)
                .layer(refresh)
                .service(client),
        )
    }
}

/// Each test twice: `nested::NAME` with a refresh layer inside the
/// redirect layer, `combined::NAME` with the redirect layer following
/// refreshes itself.
macro_rules! with_both_forms {
    ($(async fn $name:ident() $body:block)*) => {
        mod nested {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    FOLLOW_REFRESH.with(|f| f.set(false));
                    $body
                }
            )*
        }
        mod combined {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    FOLLOW_REFRESH.with(|f| f.set(true));
                    $body
                }
            )*
        }
    };
}

fn default_stack(
    site: &TestSite,
) -> impl Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError> + Clone {
    stack(site, RedirectLayer::new(), RefreshLayer::new())
}

fn refresh_url(site: &TestSite, delay: &str, to: Option<&str>) -> String {
    match to {
        Some(to) => site.url(&format!("/refresh?delay={delay}&to={}", enc(to))),
        None => site.url(&format!("/refresh?delay={delay}")),
    }
}

fn paths(site: &TestSite) -> Vec<String> {
    site.requests()
        .iter()
        .map(|r| r.path_and_query.split('?').next().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn the_refresh_layer_works_alone() {
    let site = TestSite::start().await.unwrap();
    let mut service = ServiceBuilder::new()
        .layer(RefreshLayer::new())
        .service(common::client(site.addr()));
    let response = send(&mut service, get(&refresh_url(&site, "1.5", Some("/echo"))))
        .await
        .unwrap();
    assert_eq!(
        response
            .extensions()
            .get::<FinalUrl>()
            .unwrap()
            .url()
            .path(),
        "/echo"
    );
    assert_eq!(json(response).await["path"], "/echo");
}

#[tokio::test]
async fn a_refreshed_request_is_unverifiable_with_the_first_host_as_origin() {
    let site = TestSite::start().await.unwrap();
    // A stand-in inner layer would be needed to see RequestFacts; the
    // test site cannot, so look at what the layer hands the inner service.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = common::client(site.addr());
    let spy = tower::service_fn(move |request: Request<Full<Bytes>>| {
        log.lock()
            .unwrap()
            .push(request.extensions().get::<RequestFacts>().cloned());
        let mut client = client.clone();
        async move { send(&mut client, request).await }
    });
    let mut service = ServiceBuilder::new()
        .layer(RefreshLayer::new())
        .service(spy);
    let to = site.url_for_host("b.example", "/echo");
    let url = site.url_for_host("a.example", &format!("/refresh?delay=0&to={}", enc(&to)));
    send(&mut service, get(&url)).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].is_none());
    let facts = seen[1].clone().unwrap();
    assert!(facts.unverifiable);
    assert_eq!(facts.origin_host.as_deref(), Some("a.example"));
}

with_both_forms! {
    async fn an_immediate_refresh_is_followed_with_a_get() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        let url = refresh_url(&site, "0", Some("/echo"));
        let response = send(&mut service, common::request("POST", &url, "a=1"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let final_url = response.extensions().get::<FinalUrl>().unwrap().url().clone();
        assert_eq!(final_url.path(), "/echo");
        let history = response
            .extensions()
            .get::<RedirectHistory>()
            .unwrap()
            .clone();
        assert_eq!(history.0.len(), 1);
        assert_eq!(history.0[0].url.as_str(), url);
        assert_eq!(history.0[0].status, StatusCode::OK);
        let echo = json(response).await;
        assert_eq!(echo["method"], "GET");
        assert_eq!(echo["body"], "");
        assert!(echo["headers"]["content-length"].is_null());
    }

    async fn a_refresh_without_url_reloads_the_same_page_once() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        let url = refresh_url(&site, "0", None);
        let response = send(&mut service, get(&url)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().contains_key("refresh"));
        assert_eq!(paths(&site), ["/refresh", "/refresh"]);
        let history = response.extensions().get::<RedirectHistory>().unwrap();
        assert_eq!(history.0.len(), 1);
    }

    async fn a_delay_above_max_delay_is_not_followed() {
        let site = TestSite::start().await.unwrap();
        let mut service = stack(
            &site,
            RedirectLayer::new(),
            RefreshLayer::new().max_delay(Duration::from_secs(5)),
        );
        let response = send(&mut service, get(&refresh_url(&site, "6", Some("/echo"))))
            .await
            .unwrap();
        assert!(response.headers().contains_key("refresh"));
        assert_eq!(paths(&site), ["/refresh"]);

        // At the limit it is.
        site.clear_log();
        let response = send(&mut service, get(&refresh_url(&site, "5", Some("/echo"))))
            .await
            .unwrap();
        assert_eq!(json(response).await["path"], "/echo");
    }

    async fn the_default_max_delay_is_thirty_seconds() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        send(&mut service, get(&refresh_url(&site, "31", Some("/echo"))))
            .await
            .unwrap();
        send(&mut service, get(&refresh_url(&site, "30", Some("/echo"))))
            .await
            .unwrap();
        assert_eq!(paths(&site), ["/refresh", "/refresh", "/echo"]);
    }

    async fn honor_time_waits_the_delay_on_tokio_time() {
        let site = TestSite::start().await.unwrap();
        let mut service = stack(
            &site,
            RedirectLayer::new(),
            RefreshLayer::new().honor_time(true),
        );
        let url = refresh_url(&site, "20", Some("/echo"));
        let request = send(&mut service, get(&url));
        tokio::pin!(request);
        // Let the first request complete, then stop the clock.
        tokio::select! {
            biased;
            _ = &mut request => panic!("followed before the delay"),
            _ = async {
                while site.requests().is_empty() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            } => {}
        }
        tokio::time::pause();
        let start = tokio::time::Instant::now();
        let response = request.await.unwrap();
        assert!(
            start.elapsed() >= Duration::from_secs(19),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(json(response).await["path"], "/echo");
    }

    async fn without_honor_time_a_delayed_refresh_is_followed_at_once() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        let started = std::time::Instant::now();
        let response = send(&mut service, get(&refresh_url(&site, "20", Some("/echo"))))
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(json(response).await["path"], "/echo");
    }

    async fn a_refresh_to_another_scheme_is_ignored() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        for to in [
            "ftp://127.0.0.1/file",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            site.clear_log();
            let response = send(&mut service, get(&refresh_url(&site, "0", Some(to))))
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{to}");
            assert_eq!(paths(&site), ["/refresh"], "{to}");
        }
    }

    async fn refreshes_and_redirects_share_one_hop_budget() {
        let site = TestSite::start().await.unwrap();
        let mut service = stack(
            &site,
            RedirectLayer::new().max_redirects(1),
            RefreshLayer::new(),
        );
        // The refresh uses the only hop; the redirect after it finds none.
        let url = refresh_url(&site, "0", Some("/redirect/302?to=/echo"));
        let error = send(&mut service, get(&url)).await.unwrap_err();
        match error.downcast_ref::<RedirectError>() {
            Some(RedirectError::TooManyRedirects { history }) => {
                let statuses: Vec<u16> = history.0.iter().map(|h| h.status.as_u16()).collect();
                assert_eq!(statuses, [200, 302]);
            }
            other => panic!("not TooManyRedirects: {other:?} {error}"),
        }
    }

    async fn a_redirect_after_a_refresh_is_resolved_against_the_refreshed_url_and_recorded_in_order() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        // A relative Location on /redirect/302 must resolve against it, not
        // against /refresh.
        let to = format!("/redirect/302?to={}", enc("302?to=/echo"));
        let url = refresh_url(&site, "0", Some(&to));
        let response = send(&mut service, get(&url)).await.unwrap();
        let history = response
            .extensions()
            .get::<RedirectHistory>()
            .unwrap()
            .clone();
        let hops: Vec<(String, u16)> = history
            .0
            .iter()
            .map(|h| (h.url.path().to_owned(), h.status.as_u16()))
            .collect();
        let expected = [
            ("/refresh", 200),
            ("/redirect/302", 302),
            ("/redirect/302", 302),
        ];
        let expected: Vec<(String, u16)> = expected.iter().map(|(p, s)| (p.to_string(), *s)).collect();
        assert_eq!(hops, expected);
        assert_eq!(json(response).await["path"], "/echo");
    }

    async fn a_used_up_budget_returns_the_refreshing_page() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        let mut request = get(&refresh_url(&site, "0", Some("/echo")));
        request.extensions_mut().insert(HopBudget::new(0));
        let response = send(&mut service, request).await.unwrap();
        assert!(response.headers().contains_key("refresh"));
        assert_eq!(paths(&site), ["/refresh"]);
    }

    async fn a_chain_of_refreshes_is_bounded_by_the_budget() {
        let site = TestSite::start().await.unwrap();
        // Each page refreshes to a new URL that refreshes again, six times.
        let mut to = "/echo".to_owned();
        for i in 0..6 {
            to = format!("/refresh?delay=0&n={i}&to={}", enc(&to));
        }
        let url = site.url(&to);

        // Before any redirect the refresh layer's own budget bounds it.
        let mut service = stack(
            &site,
            RedirectLayer::new().max_redirects(3),
            RefreshLayer::new().max_redirects(3),
        );
        let response = send(&mut service, get(&url)).await.unwrap();
        assert!(response.headers().contains_key("refresh"));
        assert_eq!(paths(&site).len(), 4);

        let mut service = stack(
            &site,
            RedirectLayer::new().max_redirects(3),
            RefreshLayer::new(),
        );
        let response = send(&mut service, get(&url)).await.unwrap();
        let before = paths(&site).len();
        if FOLLOW_REFRESH.with(Cell::get) {
            // One layer, one budget from the first request on.
            assert!(response.headers().contains_key("refresh"));
            assert_eq!(before, 4 + 4);
        } else {
            // The redirect layer outside puts no budget into the first
            // request: a refresh layer allowing more follows the whole chain.
            assert_eq!(json(response).await["path"], "/echo");
            assert_eq!(before, 4 + 7);
        }

        // A budget the caller brings bounds both from the first request on.
        let mut request = get(&url);
        request.extensions_mut().insert(HopBudget::new(3));
        let response = send(&mut service, request).await.unwrap();
        assert!(response.headers().contains_key("refresh"));
        assert_eq!(paths(&site).len(), before + 4);
    }

    async fn a_page_reached_by_a_redirect_reloads_itself_once() {
        let site = TestSite::start().await.unwrap();
        let mut service = default_stack(&site);
        let url = site.url(&format!("/redirect/302?to={}", enc("/refresh?delay=0")));
        let response = send(&mut service, get(&url)).await.unwrap();
        assert!(response.headers().contains_key("refresh"));
        assert_eq!(paths(&site), ["/redirect/302", "/refresh", "/refresh"]);
        let history = response.extensions().get::<RedirectHistory>().unwrap();
        let statuses: Vec<u16> = history.0.iter().map(|h| h.status.as_u16()).collect();
        assert_eq!(statuses, [302, 200]);
        assert_eq!(
            response.extensions().get::<FinalUrl>().unwrap().url().path(),
            "/refresh"
        );
    }
}
