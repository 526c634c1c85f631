//! The referer layer inside a redirect layer, around a real HTTP/1 client,
//! against the test site's `/echo` on 127.0.0.1.

mod common;

use bytes::Bytes;
use clientcookie_layers::redirect::RedirectLayer;
use clientcookie_layers::referer::{RefererLayer, Referrer, ReferrerPolicy};
use clientcookie_testsite::TestSite;
use common::{enc, get, json, send};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use tower::{BoxError, Service, ServiceBuilder};
use url::Url;

fn stack(
    site: &TestSite,
    layer: RefererLayer,
) -> impl Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError> + Clone {
    ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(layer)
        .service(common::client(site.addr()))
}

fn from(url: &str, request: Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut request = request;
    request
        .extensions_mut()
        .insert(Referrer(Url::parse(url).unwrap()));
    request
}

/// The `Referer` the echo page received, if any.
async fn referer_received<S>(service: &mut S, request: Request<Full<Bytes>>) -> Option<String>
where
    S: Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError>,
{
    let echo = json(send(service, request).await.unwrap()).await;
    echo["headers"]["referer"][0].as_str().map(str::to_owned)
}

#[tokio::test]
async fn each_policy_sends_what_it_allows_to_the_same_and_another_origin() {
    use ReferrerPolicy::*;
    let site = TestSite::start().await.unwrap();
    let page = site.url_for_host("a.example", "/dir/page?q=1#frag");
    let page = page.replace("http://", "http://user:pw@");
    let full = site.url_for_host("a.example", "/dir/page?q=1");
    let origin = site.url_for_host("a.example", "/");
    let same = site.url_for_host("a.example", "/echo");
    let other = site.url_for_host("b.example", "/echo");
    let table = [
        (NoReferrer, None, None),
        (NoReferrerWhenDowngrade, Some(&full), Some(&full)),
        (Origin, Some(&origin), Some(&origin)),
        (OriginWhenCrossOrigin, Some(&full), Some(&origin)),
        (SameOrigin, Some(&full), None),
        (StrictOrigin, Some(&origin), Some(&origin)),
        (StrictOriginWhenCrossOrigin, Some(&full), Some(&origin)),
        (UnsafeUrl, Some(&full), Some(&full)),
    ];
    for (policy, to_same, to_other) in table {
        let mut service = stack(&site, RefererLayer::new().policy(policy));
        let got = referer_received(&mut service, from(&page, get(&same))).await;
        assert_eq!(got.as_ref(), to_same, "{policy}, same origin");
        let got = referer_received(&mut service, from(&page, get(&other))).await;
        assert_eq!(got.as_ref(), to_other, "{policy}, other origin");
    }
}

#[tokio::test]
async fn the_default_policy_is_strict_origin_when_cross_origin() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new());
    let page = site.url_for_host("a.example", "/page?x=1");
    let got = referer_received(
        &mut service,
        from(&page, get(&site.url_for_host("b.example", "/echo"))),
    )
    .await;
    assert_eq!(got, Some(site.url_for_host("a.example", "/")));
}

#[tokio::test]
async fn a_policy_in_the_request_replaces_the_layers() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new().policy(ReferrerPolicy::UnsafeUrl));
    let page = site.url("/page");
    let mut request = from(&page, get(&site.url("/echo")));
    request.extensions_mut().insert(ReferrerPolicy::NoReferrer);
    assert_eq!(referer_received(&mut service, request).await, None);
}

#[tokio::test]
async fn no_referer_from_an_https_page_to_an_http_url_under_any_policy() {
    let site = TestSite::start().await.unwrap();
    for policy in ReferrerPolicy::ALL {
        let mut service = stack(&site, RefererLayer::new().policy(policy));
        let request = from("https://127.0.0.1/secret?token=1", get(&site.url("/echo")));
        assert_eq!(
            referer_received(&mut service, request).await,
            None,
            "{policy}"
        );
    }
}

#[tokio::test]
async fn a_callers_referer_header_is_left_alone() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new().chain());
    let mut request = from(&site.url("/page"), get(&site.url("/echo")));
    request
        .headers_mut()
        .insert("referer", "http://mine.example/".parse().unwrap());
    let got = referer_received(&mut service, request).await;
    assert_eq!(got.as_deref(), Some("http://mine.example/"));
}

#[tokio::test]
async fn without_a_referrer_and_outside_chain_mode_no_referer_is_sent() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new());
    send(&mut service, get(&site.url("/html/referer-links")))
        .await
        .unwrap();
    assert_eq!(
        referer_received(&mut service, get(&site.url("/echo"))).await,
        None
    );
}

#[tokio::test]
async fn a_redirect_hop_carries_the_original_referrer_recomputed_for_its_target() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new());
    let page = site.url_for_host("a.example", "/page?x=1");
    let target = site.url_for_host("b.example", "/echo");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let got = referer_received(&mut service, from(&page, get(&url))).await;
    // The hop to b.example is cross-origin: the origin of the page only.
    assert_eq!(got, Some(site.url_for_host("a.example", "/")));
    // The first request, same origin, had the full URL.
    let log = site.requests();
    assert_eq!(log[0].header("referer"), Some(page.as_str()));
}

#[tokio::test]
async fn chain_mode_sends_the_last_page_as_referer() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new().chain());
    assert_eq!(
        referer_received(&mut service, get(&site.url("/echo?first"))).await,
        None
    );
    let page = site.url("/html/referer-links?a=1");
    send(&mut service, get(&page)).await.unwrap();
    let got = referer_received(&mut service, get(&site.url("/echo"))).await;
    assert_eq!(got, Some(page));
}

#[tokio::test]
async fn chain_mode_is_shared_by_clones_of_the_service() {
    let site = TestSite::start().await.unwrap();
    let service = stack(&site, RefererLayer::new().chain());
    let page = site.url("/html/referer-links");
    send(&mut service.clone(), get(&page)).await.unwrap();
    let got = referer_received(&mut service.clone(), get(&site.url("/echo"))).await;
    assert_eq!(got, Some(page));
}

#[tokio::test]
async fn chain_mode_remembers_where_a_redirect_chain_ended_not_the_redirects() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new().chain());
    let page = site.url("/html/referer-links");
    send(&mut service, get(&page)).await.unwrap();
    // Every hop of this chain is made from `page`.
    let got = referer_received(&mut service, get(&site.url("/redirect/302?to=/echo"))).await;
    assert_eq!(got.as_ref(), Some(&page));
    assert_eq!(site.requests()[1].header("referer"), Some(page.as_str()));
    // The next request is made from where the chain ended.
    let got = referer_received(&mut service, get(&site.url("/echo?next"))).await;
    assert_eq!(got, Some(site.url("/echo")));
}

#[tokio::test]
async fn chain_mode_honours_the_last_pages_referrer_policy_header() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new().chain());

    send(
        &mut service,
        get(&site.url("/html/referer-links?policy=no-referrer")),
    )
    .await
    .unwrap();
    assert_eq!(
        referer_received(&mut service, get(&site.url("/echo"))).await,
        None
    );

    send(
        &mut service,
        get(&site.url("/html/referer-links?policy=origin")),
    )
    .await
    .unwrap();
    let got = referer_received(&mut service, get(&site.url("/echo"))).await;
    assert_eq!(got, Some(site.url("/")));

    // The header applies to the next request only: /echo sent none.
    let got = referer_received(&mut service, get(&site.url("/echo?again"))).await;
    assert_eq!(got, Some(site.url("/echo")));
}

#[tokio::test]
async fn a_redirects_referrer_policy_header_applies_to_the_next_hop() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new());
    let page = site.url_for_host("a.example", "/page?x=1");

    // Same origin: the layer's policy would send the full URL; the redirect says none.
    let url = site.url_for_host("a.example", "/redirect/302?to=/echo&policy=no-referrer");
    let got = referer_received(&mut service, from(&page, get(&url))).await;
    assert_eq!(got, None);
    // The redirect itself was requested under the layer's policy.
    assert_eq!(site.requests()[0].header("referer"), Some(page.as_str()));

    // Cross origin: the layer's policy would send the origin; the redirect says all of it.
    let target = site.url_for_host("b.example", "/echo");
    let url = site.url_for_host(
        "a.example",
        &format!("/redirect/302?policy=unsafe-url&to={}", enc(&target)),
    );
    let got = referer_received(&mut service, from(&page, get(&url))).await;
    assert_eq!(got.as_ref(), Some(&page));
}

#[tokio::test]
async fn a_redirects_referrer_policy_lasts_until_a_later_redirect_sets_another() {
    let site = TestSite::start().await.unwrap();
    let mut service = stack(&site, RefererLayer::new());
    let page = site.url_for_host("a.example", "/page?x=1");

    // no-referrer, then a redirect without a policy: still none.
    let url = site.url_for_host(
        "a.example",
        &format!(
            "/redirect/302?policy=no-referrer&to={}",
            enc("/redirect/302?to=/echo")
        ),
    );
    assert_eq!(
        referer_received(&mut service, from(&page, get(&url))).await,
        None
    );
    assert_eq!(site.requests()[1].header("referer"), None);

    // no-referrer, then origin: the origin.
    let url = site.url_for_host(
        "a.example",
        &format!(
            "/redirect/302?policy=no-referrer&to={}",
            enc("/redirect/302?policy=origin&to=/echo")
        ),
    );
    let got = referer_received(&mut service, from(&page, get(&url))).await;
    assert_eq!(got, Some(site.url_for_host("a.example", "/")));

    // An unknown token is ignored: the request's own policy goes on.
    let url = site.url_for_host("a.example", "/redirect/302?policy=bogus&to=/echo");
    let got = referer_received(&mut service, from(&page, get(&url))).await;
    assert_eq!(got.as_ref(), Some(&page));
}
