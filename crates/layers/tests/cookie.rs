//! The cookie layer alone, around a real HTTP/1 client and around stand-ins.

mod common;

use std::convert::Infallible;

use bytes::Bytes;
use clientcookie_layers::cookie::{CookieLayer, SessionJar};
use clientcookie_layers::jar::{Cookie, CookieJar, RequestFacts, SharedJar};
use clientcookie_testsite::TestSite;
use common::{get, json, send};
use http::{Request, Response};
use http_body_util::Full;
use tower::{service_fn, ServiceBuilder};

#[tokio::test]
async fn a_cookie_set_by_a_response_is_sent_with_the_next_request() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .service(common::client(site.addr()));

    send(
        &mut service,
        get(&site.url_for_host("a.example", "/set-cookie?sid=42&lang=en")),
    )
    .await
    .unwrap();
    assert_eq!(jar.lock().unwrap().len(), 2);

    let echo = json(
        send(&mut service, get(&site.url_for_host("a.example", "/echo")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(echo["headers"]["cookie"][0], "sid=42; lang=en");

    // Not to another host.
    let echo = json(
        send(&mut service, get(&site.url_for_host("b.example", "/echo")))
            .await
            .unwrap(),
    )
    .await;
    assert!(echo["headers"].get("cookie").is_none());
}

#[tokio::test]
async fn a_cookie_header_set_by_the_caller_is_left_alone() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    jar.lock()
        .unwrap()
        .set_cookie(Cookie::new("jar", "1", "a.example", "/"))
        .unwrap();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar))
        .service(common::client(site.addr()));

    let mut request = get(&site.url_for_host("a.example", "/echo"));
    request
        .headers_mut()
        .insert("cookie", "mine=1".parse().unwrap());
    let echo = json(send(&mut service, request).await.unwrap()).await;
    assert_eq!(echo["headers"]["cookie"], serde_json::json!(["mine=1"]));
}

#[tokio::test]
async fn a_session_jar_in_the_request_is_used_instead_of_the_layers_jar() {
    let site = TestSite::start().await.unwrap();
    let shared = CookieJar::new().into_shared();
    let alice = CookieJar::new().into_shared();
    let bob = CookieJar::new().into_shared();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(shared.clone()))
        .service(common::client(site.addr()));

    let as_session = |jar: &SharedJar, path: &str| {
        let mut request = get(&site.url_for_host("a.example", path));
        request.extensions_mut().insert(SessionJar(jar.clone()));
        request
    };
    send(&mut service, as_session(&alice, "/set-cookie?who=alice"))
        .await
        .unwrap();
    send(&mut service, as_session(&bob, "/set-cookie?who=bob"))
        .await
        .unwrap();
    assert!(shared.lock().unwrap().is_empty());

    let echo = json(
        send(&mut service, as_session(&alice, "/echo"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(echo["headers"]["cookie"][0], "who=alice");
    let echo = json(send(&mut service, as_session(&bob, "/echo")).await.unwrap()).await;
    assert_eq!(echo["headers"]["cookie"][0], "who=bob");
}

#[tokio::test]
async fn the_jar_is_not_locked_while_the_inner_service_runs() {
    let jar = CookieJar::new().into_shared();
    let seen_by_inner = jar.clone();
    let inner = service_fn(move |_request: Request<Full<Bytes>>| {
        let jar = seen_by_inner.clone();
        async move {
            // Would fail if the layer held the lock across the call.
            assert!(jar.try_lock().is_ok());
            tokio::task::yield_now().await;
            assert!(jar.try_lock().is_ok());
            Ok::<_, Infallible>(
                Response::builder()
                    .header("set-cookie", "a=1; Path=/")
                    .body(())
                    .unwrap(),
            )
        }
    });
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .service(inner);
    send(&mut service, get("http://example.com/"))
        .await
        .unwrap();
    assert_eq!(jar.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn cookies_are_judged_with_the_request_facts_in_the_extensions() {
    let policy = clientcookie_layers::jar::DefaultCookiePolicy {
        strict_ns_unverifiable: true,
        ..Default::default()
    };
    let jar = CookieJar::with_policy(policy).into_shared();
    let inner = service_fn(|_request: Request<Full<Bytes>>| async {
        Ok::<_, Infallible>(
            Response::builder()
                .header("set-cookie", "tracker=1; Path=/")
                .body(())
                .unwrap(),
        )
    });
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .service(inner);

    let mut third_party = get("http://ads.example.net/pixel");
    third_party
        .extensions_mut()
        .insert(RequestFacts::unverifiable_from("www.example.com"));
    send(&mut service, third_party).await.unwrap();
    assert!(jar.lock().unwrap().is_empty());

    send(&mut service, get("http://ads.example.net/pixel"))
        .await
        .unwrap();
    assert_eq!(jar.lock().unwrap().len(), 1);
}
