//! Each layer alone (the redirect layer with the cookie layer inside it, as
//! cookies across hops need both) around reqwest as the inner service,
//! against the test site on 127.0.0.1. The same layers around a hyper-util
//! client are tested in `crates/layers/tests`; the full stack over both
//! backends in `tests/stack.rs`.

use std::collections::BTreeMap;
use std::io::SeekFrom;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use clientcookie::backend::{reqwest_client_builder, ReqwestService};
use clientcookie::jar::{CookieJar, DefaultCookiePolicy, SharedJar};
use clientcookie::layers::cookie::{CookieLayer, SessionJar};
use clientcookie::layers::debug::TraceBodyLayer;
use clientcookie::layers::http_equiv::{HeadScan, HttpEquivLayer};
use clientcookie::layers::redirect::{FinalUrl, RedirectHistory, RedirectLayer};
use clientcookie::layers::referer::{RefererLayer, Referrer, ReferrerPolicy};
use clientcookie::layers::refresh::RefreshLayer;
use clientcookie::layers::robots::{RobotsDenied, RobotsLayer};
use clientcookie::layers::seekable::SeekableBodyLayer;
use clientcookie_testsite::{TestSite, BIG_PATTERN};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;
use url::Url;

/// The virtual hosts the tests use, all resolved to the test site.
const HOSTS: [&str; 3] = ["a.example", "b.example", "shop.example"];

/// reqwest as the inner service, its own redirects, cookies and referer
/// off, with every test host resolved to `site`.
fn reqwest(site: &TestSite) -> ReqwestService {
    let mut builder = reqwest_client_builder().no_proxy();
    for host in HOSTS {
        builder = builder.resolve(host, site.addr());
    }
    ReqwestService::new(builder.build().expect("a reqwest client"))
}

/// A request with a small buffered body.
fn request(method: &str, url: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a valid request")
}

fn get(url: &str) -> Request<Full<Bytes>> {
    request("GET", url, "")
}

async fn send<S, B>(service: &mut S, request: Request<B>) -> Result<S::Response, S::Error>
where
    S: Service<Request<B>>,
{
    service.ready().await?.call(request).await
}

async fn bytes<B>(response: Response<B>) -> Bytes
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    response
        .into_body()
        .collect()
        .await
        .expect("the whole body")
        .to_bytes()
}

/// The body of the test site's `/echo` as JSON.
async fn json<B>(response: Response<B>) -> serde_json::Value
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let body = bytes(response).await;
    serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)))
}

/// Percent-encodes a URL for use in a query string.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The paths (with queries) the test site was asked for, in order.
fn paths(site: &TestSite) -> Vec<String> {
    site.requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .collect()
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

/// The first `len` bytes of every generated body of the test site.
fn pattern(len: usize) -> Vec<u8> {
    BIG_PATTERN.iter().copied().cycle().take(len).collect()
}

#[tokio::test]
async fn the_bare_adapter_follows_no_redirect_and_keeps_no_cookie() {
    // What makes the tests below mean something: without a layer, reqwest
    // as configured here does neither itself.
    let site = TestSite::start().await.unwrap();
    let mut service = reqwest(&site);
    let url = site.url_for_host("a.example", "/redirect/302?to=/echo&set=a=1");
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let echo = json(
        send(&mut service, get(&site.url_for_host("a.example", "/echo")))
            .await
            .unwrap(),
    )
    .await;
    assert!(echo["headers"].get("cookie").is_none(), "{echo}");
    assert_eq!(paths(&site), ["/redirect/302?to=/echo&set=a=1", "/echo"]);
}

// --- CookieLayer -----------------------------------------------------------

#[tokio::test]
async fn cookie_layer_sends_a_stored_cookie_to_its_host_only() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .service(reqwest(&site));

    // A cookie on a redirect that is not followed is kept all the same.
    let url = site.url_for_host("a.example", "/redirect/302?to=/echo&set=r=1");
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    send(
        &mut service,
        get(&site.url_for_host("a.example", "/set-cookie?sid=42")),
    )
    .await
    .unwrap();
    assert_eq!(cookie_names(&jar), ["r", "sid"]);

    let echo = json(
        send(&mut service, get(&site.url_for_host("a.example", "/echo")))
            .await
            .unwrap(),
    )
    .await;
    let mut sent: Vec<&str> = echo["headers"]["cookie"][0]
        .as_str()
        .unwrap()
        .split("; ")
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, ["r=1", "sid=42"]);

    let echo = json(
        send(&mut service, get(&site.url_for_host("b.example", "/echo")))
            .await
            .unwrap(),
    )
    .await;
    assert!(echo["headers"].get("cookie").is_none(), "{echo}");
    let log = site.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].header("cookie"), None);
    assert_eq!(log[3].host, "b.example");
    assert_eq!(log[3].header("cookie"), None);
}

#[tokio::test]
async fn cookie_layer_uses_a_session_jar_from_the_request_instead_of_its_own() {
    let site = TestSite::start().await.unwrap();
    let own = CookieJar::new().into_shared();
    let alice = CookieJar::new().into_shared();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(own.clone()))
        .service(reqwest(&site));

    let mut set = get(&site.url_for_host("a.example", "/set-cookie?who=alice"));
    set.extensions_mut().insert(SessionJar(alice.clone()));
    send(&mut service, set).await.unwrap();
    assert_eq!(cookie_names(&alice), ["who"]);
    assert!(own.lock().unwrap().is_empty());

    let mut as_alice = get(&site.url_for_host("a.example", "/echo"));
    as_alice.extensions_mut().insert(SessionJar(alice));
    let echo = json(send(&mut service, as_alice).await.unwrap()).await;
    assert_eq!(echo["headers"]["cookie"][0], "who=alice");

    let echo = json(
        send(&mut service, get(&site.url_for_host("a.example", "/echo")))
            .await
            .unwrap(),
    )
    .await;
    assert!(echo["headers"].get("cookie").is_none(), "{echo}");
}

// --- RedirectLayer (with CookieLayer inside) ------------------------------

fn redirect_stack(
    site: &TestSite,
    jar: SharedJar,
) -> impl Service<Request<Full<Bytes>>, Response = Response<reqwest::Body>, Error = BoxError> + Clone
{
    ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(CookieLayer::new(jar))
        .service(reqwest(site))
}

#[tokio::test]
async fn redirect_layer_keeps_cookies_set_on_every_hop_and_records_the_history() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    let mut service = redirect_stack(&site, jar.clone());

    let url = site.url_for_host("a.example", "/redirect-chain/3");
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let history = response
        .extensions()
        .get::<RedirectHistory>()
        .unwrap()
        .clone();
    let hops: Vec<&str> = history.0.iter().map(|h| h.url.path()).collect();
    assert_eq!(
        hops,
        [
            "/redirect-chain/3",
            "/redirect-chain/2",
            "/redirect-chain/1"
        ]
    );
    assert!(history.0.iter().all(|h| h.status.is_redirection()));
    let last = response
        .extensions()
        .get::<FinalUrl>()
        .unwrap()
        .url()
        .clone();
    assert_eq!(last.path(), "/redirect-chain/0");

    let echo = json(response).await;
    let mut sent: Vec<&str> = echo["headers"]["cookie"][0]
        .as_str()
        .unwrap()
        .split("; ")
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, ["hop1=1", "hop2=1", "hop3=1"]);
    let log = site.requests();
    assert_eq!(log.len(), 4, "reqwest followed nothing itself");
    assert_eq!(log[0].header("cookie"), None);
    assert_eq!(log[1].header("cookie"), Some("hop3=1"));
    assert_eq!(cookie_names(&jar), ["hop1", "hop2", "hop3"]);
}

#[tokio::test]
async fn redirect_layer_judges_a_third_party_cookie_set_during_a_redirect_unverifiable() {
    let site = TestSite::start().await.unwrap();
    let policy = DefaultCookiePolicy {
        strict_ns_unverifiable: true,
        ..DefaultCookiePolicy::default()
    };
    let jar = CookieJar::with_policy(policy).into_shared();
    let mut service = redirect_stack(&site, jar.clone());

    let target = site.url_for_host("b.example", "/set-cookie?tp=1");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(site.requests()[1].host, "b.example");
    assert!(cookie_names(&jar).is_empty(), "refused as unverifiable");

    // b.example chosen directly is a verifiable request: accepted.
    send(&mut service, get(&target)).await.unwrap();
    assert_eq!(cookie_names(&jar), ["tp"]);
}

#[tokio::test]
async fn redirect_layer_drops_authorization_across_origins_and_rewrites_post_on_303() {
    let site = TestSite::start().await.unwrap();
    let mut service = redirect_stack(&site, CookieJar::new().into_shared());

    let target = site.url_for_host("b.example", "/echo");
    let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
    let mut with_auth = get(&url);
    with_auth
        .headers_mut()
        .insert("authorization", "Basic dXNlcjpwYXNz".parse().unwrap());
    let response = send(&mut service, with_auth).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let log = site.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].header("authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(log[1].host, "b.example");
    assert_eq!(log[1].header("authorization"), None);

    // 307 keeps the method and replays the body; 303 turns it into a GET.
    let url = site.url_for_host("a.example", "/redirect/307?to=/echo");
    let echo = json(
        send(&mut service, request("POST", &url, "x=1"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"], "x=1");
    let url = site.url_for_host("a.example", "/redirect/303?to=/echo");
    let echo = json(
        send(&mut service, request("POST", &url, "x=1"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["body"], "");
    let log = site.requests();
    assert_eq!(log[2].method, "POST");
    assert_eq!(log[2].body, b"x=1");
    assert_eq!(log[3].body, b"x=1", "the body was sent again");
}

// --- RefererLayer ----------------------------------------------------------

async fn referer_received<S>(service: &mut S, request: Request<Full<Bytes>>) -> Option<String>
where
    S: Service<Request<Full<Bytes>>, Response = Response<reqwest::Body>>,
    S::Error: std::fmt::Debug,
{
    let echo = json(send(service, request).await.unwrap()).await;
    echo["headers"]["referer"][0].as_str().map(str::to_owned)
}

fn from(referrer: &str, mut request: Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    request
        .extensions_mut()
        .insert(Referrer(Url::parse(referrer).unwrap()));
    request
}

#[tokio::test]
async fn referer_layer_sends_the_referrer_extension_as_its_policy_allows() {
    let site = TestSite::start().await.unwrap();
    let mut service = ServiceBuilder::new()
        .layer(RefererLayer::new())
        .service(reqwest(&site));
    let port = site.addr().port();
    let page = format!("http://user:pw@a.example:{port}/page?x=1#top");
    let a = site.url_for_host("a.example", "/echo");
    let b = site.url_for_host("b.example", "/echo");

    // Same origin: the whole URL, without userinfo and fragment.
    let got = referer_received(&mut service, from(&page, get(&a))).await;
    assert_eq!(
        got.as_deref(),
        Some(&*format!("http://a.example:{port}/page?x=1"))
    );
    // Another origin: the origin only (strict-origin-when-cross-origin).
    let got = referer_received(&mut service, from(&page, get(&b))).await;
    assert_eq!(got.as_deref(), Some(&*format!("http://a.example:{port}/")));
    // From https to http: never, whatever the policy.
    let mut unsafe_url = ServiceBuilder::new()
        .layer(RefererLayer::new().policy(ReferrerPolicy::UnsafeUrl))
        .service(reqwest(&site));
    let got = referer_received(&mut unsafe_url, from(&page, get(&b))).await;
    assert_eq!(
        got.as_deref(),
        Some(&*format!("http://a.example:{port}/page?x=1"))
    );
    let secure = "https://a.example/secret";
    assert_eq!(
        referer_received(&mut unsafe_url, from(secure, get(&a))).await,
        None
    );
    // No referrer, no chain mode: no Referer.
    assert_eq!(referer_received(&mut service, get(&a)).await, None);
    assert_eq!(site.requests().len(), 5);
}

#[tokio::test]
async fn referer_layer_in_chain_mode_sends_the_last_page() {
    let site = TestSite::start().await.unwrap();
    let mut service = ServiceBuilder::new()
        .layer(RefererLayer::new().chain())
        .service(reqwest(&site));

    let first = site.url("/echo/first");
    assert_eq!(referer_received(&mut service, get(&first)).await, None);
    let got = referer_received(&mut service, get(&site.url("/echo/second"))).await;
    assert_eq!(got, Some(first));

    // The last page's Referrer-Policy header applies to the next request.
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
}

// --- RefreshLayer ----------------------------------------------------------

#[tokio::test]
async fn refresh_layer_alone_follows_a_short_refresh_and_not_a_long_one() {
    let site = TestSite::start().await.unwrap();
    let mut service = ServiceBuilder::new()
        .layer(RefreshLayer::new().max_delay(Duration::from_secs(5)))
        .service(reqwest(&site));

    let url = site.url_for_host("a.example", "/refresh?delay=1&to=/echo/refreshed");
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .extensions()
            .get::<FinalUrl>()
            .unwrap()
            .url()
            .path(),
        "/echo/refreshed"
    );
    let history = response
        .extensions()
        .get::<RedirectHistory>()
        .unwrap()
        .clone();
    assert_eq!(history.0.len(), 1);
    assert_eq!(history.0[0].url.as_str(), url);
    assert_eq!(json(response).await["path"], "/echo/refreshed");

    let url = site.url_for_host("a.example", "/refresh?delay=10&to=/echo/never");
    let response = send(&mut service, get(&url)).await.unwrap();
    assert!(response.headers().contains_key("refresh"));
    assert_eq!(
        paths(&site),
        [
            "/refresh?delay=1&to=/echo/refreshed",
            "/echo/refreshed",
            "/refresh?delay=10&to=/echo/never",
        ]
    );
}

// --- RobotsLayer -----------------------------------------------------------

fn denied(error: &BoxError) -> &RobotsDenied {
    error
        .downcast_ref::<RobotsDenied>()
        .unwrap_or_else(|| panic!("expected RobotsDenied, got {error:?}"))
}

#[tokio::test]
async fn robots_layer_never_requests_a_disallowed_url_and_fetches_robots_txt_once() {
    let site = TestSite::start().await.unwrap();
    site.set_robots(
        "a.example",
        200,
        "User-agent: FooBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n",
    );
    let mut service = ServiceBuilder::new()
        .layer(RobotsLayer::new())
        .service(reqwest(&site));

    let url = site.url_for_host("a.example", "/private/plans?x=1");
    let error = send(&mut service, get(&url)).await.unwrap_err();
    let refused = denied(&error);
    assert_eq!(refused.url(), url.as_str());
    assert!(!refused.is_unreachable());
    assert_eq!(refused.user_agent(), "*");

    let response = send(&mut service, get(&site.url_for_host("a.example", "/echo")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The request's User-Agent picks its group.
    let mut as_foo = get(&site.url_for_host("a.example", "/echo/foo"));
    as_foo
        .headers_mut()
        .insert("user-agent", "FooBot/2.1".parse().unwrap());
    let error = send(&mut service, as_foo).await.unwrap_err();
    assert_eq!(denied(&error).user_agent(), "FooBot");

    assert_eq!(
        paths(&site),
        ["/robots.txt", "/echo"],
        "robots.txt once, nothing disallowed"
    );
}

#[tokio::test]
async fn robots_layer_disallows_everything_when_robots_txt_fails_with_5xx() {
    let site = TestSite::start().await.unwrap();
    site.set_robots("b.example", 503, "");
    let mut service = ServiceBuilder::new()
        .layer(RobotsLayer::new())
        .service(reqwest(&site));
    let error = send(&mut service, get(&site.url_for_host("b.example", "/echo")))
        .await
        .unwrap_err();
    assert!(denied(&error).is_unreachable());
    assert_eq!(paths(&site), ["/robots.txt"]);
}

// --- HttpEquivLayer --------------------------------------------------------

#[tokio::test]
async fn http_equiv_layer_lifts_head_meta_tags_and_passes_the_body_unchanged() {
    let site = TestSite::start().await.unwrap();
    let url = site.url_for_host("a.example", "/equiv");
    let bare = bytes(send(&mut reqwest(&site), get(&url)).await.unwrap()).await;

    let mut service = ServiceBuilder::new()
        .layer(HttpEquivLayer::new())
        .service(reqwest(&site));
    let response = send(&mut service, get(&url)).await.unwrap();
    let headers = response.headers().clone();
    assert_eq!(headers["x-test"], "yes");
    assert_eq!(headers["set-cookie"], "meta=1; Path=/");
    assert_eq!(headers["content-language"], "en");
    assert!(headers.get("x-in-body").is_none(), "not from the body");
    assert!(response.extensions().get::<HeadScan>().is_some());
    assert_eq!(bytes(response).await, bare, "the same bytes as without it");

    // Set-Cookie lifting switched off: the other tags still are.
    let mut service = ServiceBuilder::new()
        .layer(HttpEquivLayer::new().lift_set_cookie(false))
        .service(reqwest(&site));
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(response.headers()["x-test"], "yes");
    assert!(response.headers().get("set-cookie").is_none());
}

// --- SeekableBodyLayer -----------------------------------------------------

#[tokio::test]
async fn seekable_body_layer_rereads_and_seeks_a_body_fetched_once() {
    let site = TestSite::start().await.unwrap();
    let len = 200_000;
    let mut service = ServiceBuilder::new()
        .layer(SeekableBodyLayer::new().memory_limit(50_000))
        .service(reqwest(&site));
    let response = send(&mut service, get(&site.url(&format!("/big?bytes={len}"))))
        .await
        .unwrap();
    let mut body = response.into_body();

    // Seek forward: only as far as needed is read.
    assert_eq!(body.seek(SeekFrom::Start(1_000)).await.unwrap(), 1_000);
    let mut some = vec![0; 100];
    body.read_exact(&mut some).await.unwrap();
    assert_eq!(some, pattern(1_100)[1_000..]);
    assert!(body.buffered_len() < len as u64);

    // The rest, then all of it again from the start.
    let mut rest = Vec::new();
    body.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, pattern(len)[1_100..]);
    assert!(body.is_complete());
    assert!(body.is_spilled(), "past the memory limit it lives on disk");
    body.rewind();
    let again = (&mut body).collect().await.unwrap().to_bytes();
    assert_eq!(again.to_vec(), pattern(len));

    assert_eq!(site.requests().len(), 1);
    assert_eq!(
        site.body_bytes_sent(),
        len as u64,
        "the body came over once"
    );
}

// --- TraceBodyLayer (debug) ------------------------------------------------

/// Every event a subscriber saw, each as its fields in text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<BTreeMap<String, String>>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

impl Capture {
    fn events(&self, message: &str) -> Vec<BTreeMap<String, String>> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|e| e.get("message").map(String::as_str) == Some(message))
            .cloned()
            .collect()
    }
}

#[tokio::test]
async fn trace_body_layer_logs_every_chunk_and_passes_the_body_unchanged() {
    let capture = Capture::default();
    // This thread only: the current-thread runtime runs the client here.
    let subscriber = tracing_subscriber::registry().with(
        capture
            .clone()
            .with_filter(tracing_subscriber::filter::LevelFilter::TRACE),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    let site = TestSite::start().await.unwrap();
    let mut service = ServiceBuilder::new()
        .layer(TraceBodyLayer::new().max_text(64))
        .service(reqwest(&site));

    let len = 50_000;
    let url = site.url(&format!("/big?bytes={len}"));
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(bytes(response).await.to_vec(), pattern(len));

    let heads = capture.events("response");
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0]["uri"], url);
    assert_eq!(heads[0]["status"], "200");
    let chunks = capture.events("response body chunk");
    assert!(!chunks.is_empty());
    let mut offset = 0;
    for chunk in &chunks {
        assert_eq!(chunk["offset"], offset.to_string());
        offset += chunk["len"].parse::<usize>().unwrap();
    }
    assert_eq!(offset, len, "the chunks add up to the body");
    let end = capture.events("response body end");
    assert_eq!(end.len(), 1);
    assert_eq!(end[0]["bytes"], len.to_string());
}
