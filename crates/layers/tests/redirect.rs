//! The redirect layer with a cookie layer inside it, around a real HTTP/1
//! client, against the test site on 127.0.0.1.

mod common;

use bytes::Bytes;
use clientcookie_layers::cookie::CookieLayer;
use clientcookie_layers::extensions::HopBudget;
use clientcookie_layers::jar::{CookieJar, DefaultCookiePolicy, SharedJar};
use clientcookie_layers::redirect::{FinalUrl, RedirectError, RedirectHistory, RedirectLayer};
use clientcookie_testsite::TestSite;
use common::{enc, get, json, request, send};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use tower::{BoxError, Service, ServiceBuilder};

fn stack(
    site: &TestSite,
    layer: RedirectLayer,
    jar: SharedJar,
) -> impl Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError> + Clone {
    ServiceBuilder::new()
        .layer(layer)
        .layer(CookieLayer::new(jar))
        .service(common::client(site.addr()))
}

fn default_stack(
    site: &TestSite,
) -> impl Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError> + Clone {
    stack(site, RedirectLayer::new(), CookieJar::new().into_shared())
}

fn redirect_error(error: &BoxError) -> &RedirectError {
    error
        .downcast_ref::<RedirectError>()
        .unwrap_or_else(|| panic!("not a RedirectError: {error:?}"))
}

fn cookie_names(jar: &SharedJar) -> Vec<String> {
    let mut names: Vec<String> = jar
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn cookies_set_on_every_redirect_hop_are_kept_and_sent_on_the_next() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    let mut service = stack(&site, RedirectLayer::new(), jar.clone());

    let response = send(&mut service, get(&site.url("/redirect-chain/3")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let echo = json(response).await;
    let cookie = echo["headers"]["cookie"][0].as_str().unwrap();
    let mut sent: Vec<&str> = cookie.split("; ").collect();
    sent.sort();
    assert_eq!(sent, ["hop1=1", "hop2=1", "hop3=1"]);

    let log = site.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].header("cookie"), None);
    assert_eq!(log[1].header("cookie"), Some("hop3=1"));
    assert_eq!(cookie_names(&jar), ["hop1", "hop2", "hop3"]);
}

#[tokio::test]
async fn a_cookie_set_on_a_302_is_sent_on_the_next_hop() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let url = site.url("/redirect/302?to=/echo&set=a=1");
    let echo = json(send(&mut service, get(&url)).await.unwrap()).await;
    assert_eq!(echo["headers"]["cookie"][0], "a=1");
}

#[tokio::test]
async fn a_third_party_cookie_set_during_a_redirect_is_refused_as_unverifiable() {
    let site = TestSite::start().await.unwrap();
    let policy = DefaultCookiePolicy {
        strict_ns_unverifiable: true,
        ..Default::default()
    };
    let jar = CookieJar::with_policy(policy).into_shared();
    let mut service = stack(&site, RedirectLayer::new(), jar.clone());

    // a.example sends the browser to b.example, which sets a cookie: the
    // user never chose b.example, so that is a third-party cookie.
    let target = site.url_for_host("b.example", "/set-cookie?tp=1");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(site.requests()[1].host, "b.example");
    assert!(cookie_names(&jar).is_empty());

    // The same redirect within a.example sets its cookie.
    let target = site.url_for_host("a.example", "/set-cookie?fp=1");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    send(&mut service, get(&url)).await.unwrap();
    assert_eq!(cookie_names(&jar), ["fp"]);

    // And b.example visited directly (a verifiable request) sets it too.
    let direct = site.url_for_host("b.example", "/set-cookie?tp=1");
    send(&mut service, get(&direct)).await.unwrap();
    assert_eq!(cookie_names(&jar), ["fp", "tp"]);
}

#[tokio::test]
async fn authorization_and_cookie_never_reach_another_origin_after_a_redirect() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let target = site.url_for_host("b.example", "/echo");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let mut request = get(&url);
    request
        .headers_mut()
        .insert("authorization", "Basic dXNlcjpwYXNz".parse().unwrap());
    request
        .headers_mut()
        .insert("proxy-authorization", "Basic cHJveHk=".parse().unwrap());
    request
        .headers_mut()
        .insert("cookie", "mine=1".parse().unwrap());
    let response = send(&mut service, request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let log = site.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].host, "a.example");
    assert_eq!(log[0].header("authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(log[1].host, "b.example");
    assert_eq!(log[1].header("authorization"), None);
    assert_eq!(log[1].header("proxy-authorization"), None);
    assert_eq!(log[1].header("cookie"), None);
}

#[tokio::test]
async fn authorization_and_an_explicit_cookie_are_kept_on_a_same_origin_redirect() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let url = site.url_for_host("a.example", "/redirect/302?to=/echo");
    let mut request = get(&url);
    request
        .headers_mut()
        .insert("authorization", "Bearer t".parse().unwrap());
    request
        .headers_mut()
        .insert("cookie", "mine=1".parse().unwrap());
    let echo = json(send(&mut service, request).await.unwrap()).await;
    assert_eq!(echo["headers"]["authorization"][0], "Bearer t");
    assert_eq!(echo["headers"]["cookie"][0], "mine=1");
}

#[tokio::test]
async fn a_jar_cookie_from_a_cookie_layer_outside_is_not_carried_to_the_next_hop() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    // The wrong order: cookies computed once, for the first URL only.
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .layer(RedirectLayer::new())
        .service(common::client(site.addr()));

    send(
        &mut service,
        get(&site.url_for_host("a.example", "/set-cookie?only_a=1")),
    )
    .await
    .unwrap();
    let target = site.url_for_host("a.example", "/echo");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let echo = json(send(&mut service, get(&url)).await.unwrap()).await;
    assert_eq!(site.requests()[1].header("cookie"), Some("only_a=1"));
    assert!(echo["headers"].get("cookie").is_none());
}

#[tokio::test]
async fn an_unmarked_jar_cookie_looks_like_the_callers_to_a_redirect_layer_inside() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    // What `mark_header_from_jar(false)` gives up: in the wrong order the
    // jar's header can no longer be told from one the caller set, so it is
    // kept on a same-origin hop (the right order never needs the mark).
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()).mark_header_from_jar(false))
        .layer(RedirectLayer::new())
        .service(common::client(site.addr()));

    send(
        &mut service,
        get(&site.url_for_host("a.example", "/set-cookie?only_a=1")),
    )
    .await
    .unwrap();
    let target = site.url_for_host("a.example", "/echo");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let echo = json(send(&mut service, get(&url)).await.unwrap()).await;
    assert_eq!(site.requests()[1].header("cookie"), Some("only_a=1"));
    assert_eq!(echo["headers"]["cookie"][0], "only_a=1");
}

#[tokio::test]
async fn a_post_answered_with_303_becomes_a_get_without_body() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let mut request = request("POST", &site.url("/redirect/303?to=/echo"), "user=a&x=1");
    request.headers_mut().insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let echo = json(send(&mut service, request).await.unwrap()).await;
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["body"], "");
    assert!(echo["headers"].get("content-type").is_none());
    assert!(echo["headers"].get("content-length").is_none());
    assert_eq!(site.requests()[0].body, b"user=a&x=1");
}

#[tokio::test]
async fn a_post_answered_with_302_becomes_a_get() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let request = request("POST", &site.url("/redirect/302?to=/echo"), "x=1");
    let echo = json(send(&mut service, request).await.unwrap()).await;
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["body"], "");
}

#[tokio::test]
async fn a_post_answered_with_307_is_sent_again_with_its_body() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let mut request = request("POST", &site.url("/redirect/307?to=/echo"), "user=a&x=1");
    request
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let echo = json(send(&mut service, request).await.unwrap()).await;
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"], "user=a&x=1");
    assert_eq!(echo["headers"]["content-type"][0], "text/plain");
}

#[tokio::test]
async fn a_put_answered_with_308_is_sent_again_with_its_body() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let request = request("PUT", &site.url("/redirect/308?to=/echo"), "data");
    let echo = json(send(&mut service, request).await.unwrap()).await;
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["body"], "data");
}

#[tokio::test]
async fn a_body_over_the_replay_cap_gets_the_307_back() {
    let site = TestSite::start().await.unwrap();
    let layer = RedirectLayer::new().max_replay_body(4);
    let mut service = stack(&site, layer, CookieJar::new().into_shared());

    let post = request(
        "POST",
        &site.url("/redirect/307?to=/echo"),
        "more than four",
    );
    let response = send(&mut service, post).await.unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    // Nothing followed: no history at all.
    assert!(response.extensions().get::<RedirectHistory>().is_none());
    assert_eq!(site.requests().len(), 1);
    assert_eq!(site.requests()[0].body, b"more than four");

    // A 303 needs no body: followed.
    let post = request(
        "POST",
        &site.url("/redirect/303?to=/echo"),
        "more than four",
    );
    let echo = json(send(&mut service, post).await.unwrap()).await;
    assert_eq!(echo["method"], "GET");
}

#[tokio::test]
async fn too_many_redirects_is_an_error_with_the_history() {
    let site = TestSite::start().await.unwrap();
    let layer = RedirectLayer::new().max_redirects(3);
    let mut service = stack(&site, layer, CookieJar::new().into_shared());

    let response = send(&mut service, get(&site.url("/redirect-chain/3")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let error = send(&mut service, get(&site.url("/redirect-chain/5")))
        .await
        .unwrap_err();
    match redirect_error(&error) {
        RedirectError::TooManyRedirects { history } => {
            assert_eq!(history.0.len(), 4);
            assert_eq!(history.0[3].url.path(), "/redirect-chain/2");
        }
        other => panic!("expected TooManyRedirects, got {other:?}"),
    }
}

#[tokio::test]
async fn a_hop_budget_in_the_request_is_shared_across_the_chain() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let budget = HopBudget::new(1);
    let mut request = get(&site.url("/redirect-chain/2"));
    request.extensions_mut().insert(budget.clone());
    let error = send(&mut service, request).await.unwrap_err();
    assert!(matches!(
        redirect_error(&error),
        RedirectError::TooManyRedirects { .. }
    ));
    assert_eq!(budget.remaining(), 0);
}

#[tokio::test]
async fn a_redirect_loop_is_an_error() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let error = send(&mut service, get(&site.url("/redirect-loop")))
        .await
        .unwrap_err();
    match redirect_error(&error) {
        RedirectError::Loop { url } => assert_eq!(url.path(), "/redirect-loop"),
        other => panic!("expected Loop, got {other:?}"),
    }
    assert_eq!(site.requests().len(), 1);
}

#[tokio::test]
async fn a_redirect_to_another_scheme_is_an_error() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let url = site.url(&format!(
        "/redirect/302?to={}",
        enc("ftp://files.example/x")
    ));
    let error = send(&mut service, get(&url)).await.unwrap_err();
    match redirect_error(&error) {
        RedirectError::UnsupportedScheme { location } => assert_eq!(location.scheme(), "ftp"),
        other => panic!("expected UnsupportedScheme, got {other:?}"),
    }
}

#[tokio::test]
async fn a_location_that_is_no_url_is_an_error() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let url = site.url(&format!("/redirect/302?to={}", enc("http://[oops/")));
    let error = send(&mut service, get(&url)).await.unwrap_err();
    assert!(matches!(
        redirect_error(&error),
        RedirectError::InvalidLocation { .. }
    ));
}

#[tokio::test]
async fn the_final_response_carries_the_history_and_the_final_url() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let url = site.url("/redirect-chain/2?status=301");
    let response = send(&mut service, get(&url)).await.unwrap();
    let history = response.extensions().get::<RedirectHistory>().unwrap();
    let hops: Vec<(&str, StatusCode)> = history
        .0
        .iter()
        .map(|hop| (hop.url.path(), hop.status))
        .collect();
    assert_eq!(
        hops,
        [
            ("/redirect-chain/2", StatusCode::MOVED_PERMANENTLY),
            ("/redirect-chain/1", StatusCode::MOVED_PERMANENTLY)
        ]
    );
    let final_url = response.extensions().get::<FinalUrl>().unwrap().url();
    assert_eq!(final_url.path(), "/redirect-chain/0");
    assert_eq!(final_url.query(), Some("status=301"));

    // Without a redirect: no history, the request's own URL.
    let response = send(&mut service, get(&site.url("/echo"))).await.unwrap();
    assert!(response.extensions().get::<RedirectHistory>().is_none());
    assert_eq!(
        response
            .extensions()
            .get::<FinalUrl>()
            .unwrap()
            .url()
            .as_str(),
        site.url("/echo")
    );
}

#[tokio::test]
async fn a_303_answer_to_head_stays_head() {
    let site = TestSite::start().await.unwrap();
    let mut service = default_stack(&site);

    let response = send(
        &mut service,
        request("HEAD", &site.url("/redirect/303?to=/echo"), ""),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(site.requests()[1].method, "HEAD");
}

#[tokio::test]
async fn without_final_url_always_only_a_redirected_response_carries_a_final_url() {
    let site = TestSite::start().await.unwrap();
    let layer = RedirectLayer::new().final_url_always(false);
    let mut service = stack(&site, layer, CookieJar::new().into_shared());

    // No hop followed: the caller has the URL; the layer adds nothing.
    let response = send(&mut service, get(&site.url("/echo"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.extensions().get::<FinalUrl>().is_none());
    assert!(response.extensions().get::<RedirectHistory>().is_none());

    // A hop followed: the URL it ended at, as with the default.
    let url = site.url("/redirect-chain/1?status=302");
    let response = send(&mut service, get(&url)).await.unwrap();
    let final_url = response.extensions().get::<FinalUrl>().unwrap().url();
    assert_eq!(final_url.path(), "/redirect-chain/0");
    let history = response.extensions().get::<RedirectHistory>().unwrap();
    assert_eq!(history.0.len(), 1);
}

#[tokio::test]
async fn default_headers_reach_every_hop_and_credentials_among_them_stay_at_their_origin() {
    use clientcookie_layers::redirect::Redirect;
    use http::header::{HeaderMap, HeaderValue, AUTHORIZATION, USER_AGENT};

    let site = TestSite::start().await.unwrap();
    let mut defaults = HeaderMap::new();
    defaults.insert(USER_AGENT, HeaderValue::from_static("defaults/1"));
    defaults.insert(
        AUTHORIZATION,
        HeaderValue::from_static("Basic ZGVmOmF1bHQ="),
    );
    let redirect = Redirect::new(
        ServiceBuilder::new()
            .layer(CookieLayer::new(CookieJar::new().into_shared()))
            .service(common::client(site.addr())),
    )
    .default_headers(defaults);

    // Same origin, then another origin.
    let target = site.url_for_host("b.example", "/echo");
    let middle = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let url = site.url_for_host("a.example", &format!("/redirect/301?to={}", enc(&middle)));
    let response = redirect.send(get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let log = site.requests();
    assert_eq!(log.len(), 3);
    for entry in &log {
        assert_eq!(
            entry.header("user-agent"),
            Some("defaults/1"),
            "{}",
            entry.path_and_query
        );
    }
    assert_eq!(log[0].header("authorization"), Some("Basic ZGVmOmF1bHQ="));
    assert_eq!(log[1].header("authorization"), Some("Basic ZGVmOmF1bHQ="));
    assert_eq!(log[2].host, "b.example");
    assert_eq!(log[2].header("authorization"), None);

    // A request's own value wins, on every hop.
    let mut request = get(&url);
    request
        .headers_mut()
        .insert(USER_AGENT, HeaderValue::from_static("mine"));
    redirect.send(request).await.unwrap();
    let log = site.requests();
    assert_eq!(log.len(), 6);
    for entry in &log[3..] {
        assert_eq!(
            entry.header("user-agent"),
            Some("mine"),
            "{}",
            entry.path_and_query
        );
    }
}
