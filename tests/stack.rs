//! The full default stack of an Opener against the test site on 127.0.0.1,
//! with reqwest and with hyper-util as the inner service.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clientcookie::jar::{
    Cookie, CookiePolicy, CookieRequest, DefaultCookiePolicy, Reason, RequestFacts,
};
use clientcookie::layers::redirect::FinalUrl;
use clientcookie::layers::referer::Referrer;
use clientcookie_testsite::TestSite;
use common::{builder, enc, json, opener, Backend, BACKENDS};
use http::StatusCode;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

#[tokio::test]
async fn cookies_set_on_every_redirect_hop_are_kept_and_sent_on_the_next() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let url = site.url_for_host("a.example", "/redirect-chain/3");
        let response = opener.get(&url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
        assert_eq!(response.history().len(), 3, "{backend:?}");
        assert_eq!(response.url().path(), "/redirect-chain/0", "{backend:?}");
        let echo = json(response).await;
        let mut sent: Vec<&str> = echo["headers"]["cookie"][0]
            .as_str()
            .unwrap()
            .split("; ")
            .collect();
        sent.sort_unstable();
        assert_eq!(sent, ["hop1=1", "hop2=1", "hop3=1"], "{backend:?}");

        let log = site.requests();
        assert_eq!(log.len(), 4, "{backend:?}");
        assert_eq!(log[0].header("cookie"), None, "{backend:?}");
        assert_eq!(log[1].header("cookie"), Some("hop3=1"), "{backend:?}");
        let sent2: Vec<&str> = log[2].header("cookie").unwrap().split("; ").collect();
        assert_eq!(sent2.len(), 2, "{backend:?}");
        assert_eq!(
            log[0].header("user-agent"),
            Some(clientcookie::DEFAULT_USER_AGENT),
            "{backend:?}"
        );
        assert_eq!(
            opener.jar().unwrap().lock().unwrap().len(),
            3,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn authorization_never_reaches_another_origin_after_a_redirect() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let target = site.url_for_host("b.example", "/echo");
        let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));
        let request = http::Request::get(&url)
            .header("authorization", "Basic dXNlcjpwYXNz")
            .body(())
            .unwrap();
        let response = opener.request(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
        assert_eq!(response.url().host_str(), Some("b.example"), "{backend:?}");
        let log = site.requests();
        assert_eq!(log.len(), 2, "{backend:?}");
        assert_eq!(
            log[0].header("authorization"),
            Some("Basic dXNlcjpwYXNz"),
            "{backend:?}"
        );
        assert_eq!(log[1].host, "b.example", "{backend:?}");
        assert_eq!(log[1].header("authorization"), None, "{backend:?}");
    }
}

/// A policy that asks the default policy and records every decision it
/// made on a cookie offered by a response: the real reasons, as the jar in
/// the stack got them.
#[derive(Debug, Clone)]
struct Recording {
    policy: DefaultCookiePolicy,
    seen: Arc<Mutex<Vec<Decision>>>,
}

#[derive(Debug, Clone)]
struct Decision {
    name: String,
    host: String,
    unverifiable: bool,
    origin_host: Option<String>,
    verdict: Result<(), Reason>,
}

impl Recording {
    fn new(policy: DefaultCookiePolicy) -> Recording {
        Recording {
            policy,
            seen: Arc::default(),
        }
    }

    fn decision(&self, name: &str) -> Decision {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .find(|d| d.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no decision on {name}: {seen:?}"))
    }
}

impl CookiePolicy for Recording {
    fn set_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
        let verdict = self.policy.set_ok(cookie, request);
        self.seen.lock().unwrap().push(Decision {
            name: cookie.name.to_string(),
            host: request.host().to_owned(),
            unverifiable: request.facts().unverifiable,
            origin_host: request.facts().origin_host.clone(),
            verdict: verdict.clone(),
        });
        verdict
    }

    fn return_ok(&self, cookie: &Cookie, request: &CookieRequest) -> Result<(), Reason> {
        self.policy.return_ok(cookie, request)
    }
}

#[tokio::test]
async fn a_third_party_cookie_set_during_a_redirect_is_judged_unverifiable() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        // a.example sends the client on to b.example, which sets a cookie:
        // the user never chose b.example.
        let target = site.url_for_host("b.example", "/set-cookie?tp=1");
        let url = site.url_for_host("a.example", &format!("/redirect/302?to={}", enc(&target)));

        // The default policy (strict_ns_unverifiable off, as in the seed)
        // is told the request was unverifiable, from a.example, and lets a
        // Netscape cookie through.
        let recording = Recording::new(DefaultCookiePolicy::default());
        let opener = builder(&site, backend)
            .policy(recording.clone())
            .build()
            .unwrap();
        let response = opener.get(&url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
        let decision = recording.decision("tp");
        assert_eq!(decision.host, "b.example", "{backend:?}");
        assert!(decision.unverifiable, "{backend:?}");
        assert_eq!(
            decision.origin_host.as_deref(),
            Some("a.example"),
            "{backend:?}"
        );
        assert_eq!(decision.verdict, Ok(()), "{backend:?}");

        // With strict_ns_unverifiable it is refused, and that is the reason.
        let recording = Recording::new(DefaultCookiePolicy {
            strict_ns_unverifiable: true,
            ..DefaultCookiePolicy::default()
        });
        let opener = builder(&site, backend)
            .policy(recording.clone())
            .build()
            .unwrap();
        opener.get(&url).await.unwrap();
        assert_eq!(
            recording.decision("tp").verdict,
            Err(Reason::ThirdPartyUnverifiable),
            "{backend:?}"
        );
        assert!(
            opener.jar().unwrap().lock().unwrap().is_empty(),
            "{backend:?}"
        );

        // b.example visited directly is a verifiable request: accepted.
        let recording = Recording::new(DefaultCookiePolicy {
            strict_ns_unverifiable: true,
            ..DefaultCookiePolicy::default()
        });
        let opener = builder(&site, backend)
            .policy(recording.clone())
            .build()
            .unwrap();
        opener.get(&target).await.unwrap();
        let decision = recording.decision("tp");
        assert!(!decision.unverifiable, "{backend:?}");
        assert_eq!(decision.verdict, Ok(()), "{backend:?}");
    }
}

#[tokio::test]
async fn a_form_login_sets_a_session_cookie_that_opens_the_account_page() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let account = site.url_for_host("shop.example", "/account");
        let refused = opener.get(&account).await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{backend:?}");

        let login = site.url_for_host("shop.example", "/login");
        let response = opener
            .post_form(&login, [("user", "ada"), ("password", "secret")])
            .await
            .unwrap();
        // 303 to /account, followed with a GET that carries the session.
        assert_eq!(
            response.history()[0].status,
            StatusCode::SEE_OTHER,
            "{backend:?}"
        );
        assert_eq!(response.url().path(), "/account", "{backend:?}");
        assert_eq!(
            response.text().await.unwrap(),
            "welcome ada\n",
            "{backend:?}"
        );
        let log = site.requests();
        assert_eq!(log[1].method, "POST", "{backend:?}");
        assert_eq!(log[1].body, b"user=ada&password=secret", "{backend:?}");
        assert_eq!(
            log[1].header("content-type"),
            Some("application/x-www-form-urlencoded"),
            "{backend:?}"
        );
        assert_eq!(log[2].method, "GET", "{backend:?}");
    }
}

#[tokio::test]
async fn a_refresh_header_is_followed_through_the_stack() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let url = site.url_for_host("a.example", "/refresh?delay=1&to=/echo/refreshed");
        let response = opener.get(&url).await.unwrap();
        assert_eq!(response.url().path(), "/echo/refreshed", "{backend:?}");
        assert_eq!(response.history().len(), 1, "{backend:?}");

        // Too long a delay: the page itself is the answer.
        let url = site.url_for_host("a.example", "/refresh?delay=60&to=/echo");
        let response = opener.get(&url).await.unwrap();
        assert_eq!(response.url().path(), "/refresh", "{backend:?}");

        // Switched off: not followed.
        let opener = builder(&site, backend).refresh(false).build().unwrap();
        let url = site.url_for_host("a.example", "/refresh?delay=0&to=/echo");
        let response = opener.get(&url).await.unwrap();
        assert_eq!(response.url().path(), "/refresh", "{backend:?}");
    }
}

#[tokio::test]
async fn a_referrer_extension_becomes_a_referer_header() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let page = url::Url::parse(&site.url_for_host("a.example", "/html/referer-links?x=1#top"))
            .unwrap();
        let mut request = http::Request::get(site.url_for_host("a.example", "/echo"))
            .body(())
            .unwrap();
        request.extensions_mut().insert(Referrer(page.clone()));
        let echo = json(opener.request(request).await.unwrap()).await;
        let expected = site.url_for_host("a.example", "/html/referer-links?x=1");
        assert_eq!(
            echo["headers"]["referer"][0],
            expected.as_str(),
            "{backend:?}"
        );

        // Cross-origin: the origin only (strict-origin-when-cross-origin).
        let mut request = http::Request::get(site.url_for_host("b.example", "/echo"))
            .body(())
            .unwrap();
        request.extensions_mut().insert(Referrer(page));
        let echo = json(opener.request(request).await.unwrap()).await;
        let origin = site.url_for_host("a.example", "/");
        assert_eq!(
            echo["headers"]["referer"][0],
            origin.as_str(),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn default_headers_are_sent_unless_the_request_has_its_own() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = builder(&site, backend)
            .user_agent("tester/1")
            .from("me@example.com")
            .default_header(
                http::header::ACCEPT_LANGUAGE,
                http::HeaderValue::from_static("en"),
            )
            .build()
            .unwrap();
        let url = site.url_for_host("a.example", "/echo");
        let echo = json(opener.get(&url).await.unwrap()).await;
        assert_eq!(echo["headers"]["user-agent"][0], "tester/1", "{backend:?}");
        assert_eq!(echo["headers"]["from"][0], "me@example.com", "{backend:?}");
        assert_eq!(echo["headers"]["accept-language"][0], "en", "{backend:?}");

        let request = http::Request::get(&url)
            .header("user-agent", "mine")
            .body(())
            .unwrap();
        let echo = json(opener.request(request).await.unwrap()).await;
        assert_eq!(
            echo["headers"]["user-agent"],
            serde_json::json!(["mine"]),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn switched_off_processors_do_nothing() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = builder(&site, backend)
            .cookies(false)
            .max_redirects(0)
            .build()
            .unwrap();
        assert!(opener.jar().is_none());
        let url = site.url_for_host("a.example", "/redirect/302?to=/echo&set=a=1");
        let response = opener.get(&url).await.unwrap();
        // The redirect is the answer, its cookie is not kept.
        assert_eq!(response.status(), StatusCode::FOUND, "{backend:?}");
        assert!(response.history().is_empty(), "{backend:?}");
        let response = opener
            .get(site.url_for_host("a.example", "/echo"))
            .await
            .unwrap();
        assert_eq!(
            json(response).await["headers"]["cookie"],
            serde_json::Value::Null
        );
        assert_eq!(site.requests().len(), 2, "{backend:?}");
    }
}

#[tokio::test]
async fn a_redirect_loop_and_too_many_redirects_are_told_apart() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = builder(&site, backend).max_redirects(2).build().unwrap();

        let error = opener
            .get(site.url_for_host("a.example", "/redirect-loop"))
            .await
            .unwrap_err();
        assert!(error.is_redirect_loop(), "{backend:?}: {error:?}");
        assert!(
            error.is_redirect() && !error.is_too_many_redirects(),
            "{backend:?}"
        );

        let error = opener
            .get(site.url_for_host("a.example", "/redirect-chain/3"))
            .await
            .unwrap_err();
        assert!(error.is_too_many_redirects(), "{backend:?}: {error:?}");
        assert!(
            !error.is_redirect_loop() && !error.is_network(),
            "{backend:?}"
        );
        assert_eq!(
            error.url().map(|u| u.path()),
            Some("/redirect-chain/3"),
            "{backend:?}"
        );
        // The chain is down the source chain, and the message says what.
        assert!(error.to_string().contains("too many redirects"), "{error}");
        assert!(std::error::Error::source(&error).is_some());
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let error = opener
            .get(format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_err();
        assert!(error.is_network(), "{backend:?}: {error:?}");
        assert!(!error.is_builder() && !error.is_redirect(), "{backend:?}");
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections (the kernel does) but never reads or answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = builder(&site, backend)
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let error = opener.get(format!("http://{addr}/")).await.unwrap_err();
        assert!(
            error.is_timeout() && error.is_network(),
            "{backend:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_request_that_is_not_an_absolute_url_is_a_builder_error() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        for url in ["/relative", "not a url", "a.example/echo"] {
            let error = opener.get(url).await.unwrap_err();
            assert!(error.is_builder(), "{backend:?} {url}: {error:?}");
        }
        assert!(site.requests().is_empty());
    }
}

#[tokio::test]
async fn the_hyper_backend_refuses_https_with_a_builder_error() {
    let site = TestSite::start().await.unwrap();
    let opener = opener(&site, Backend::Hyper);
    let error = opener
        .get(format!("https://a.example:{}/", site.addr().port()))
        .await
        .unwrap_err();
    assert!(error.is_builder(), "{error:?}");
    assert!(site.requests().is_empty());
}

#[tokio::test]
async fn resolve_connects_a_host_name_to_the_given_address() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        // No port in the URL: the port of the address given is used.
        let opener = builder(&site, backend)
            .resolve("no-port.invalid", site.addr())
            .build()
            .unwrap();
        let response = opener.get("http://no-port.invalid/echo").await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
        assert_eq!(response.url().as_str(), "http://no-port.invalid/echo");
        let echo = json(response).await;
        assert_eq!(echo["headers"]["host"][0], "no-port.invalid", "{backend:?}");
        assert_eq!(site.requests()[0].host, "no-port.invalid", "{backend:?}");

        // Host names compare without case.
        let response = opener.get("http://NO-PORT.invalid/echo").await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
    }
}

#[tokio::test]
async fn the_body_can_be_streamed_piece_by_piece() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let url = site.url_for_host("a.example", "/big?bytes=200000");
        let mut response = opener.get(&url).await.unwrap();
        assert_eq!(response.content_length(), Some(200_000), "{backend:?}");
        let mut total = 0;
        let mut pieces = 0;
        while let Some(chunk) = response.chunk().await.unwrap() {
            total += chunk.len();
            pieces += 1;
        }
        assert_eq!(total, 200_000, "{backend:?}");
        assert!(pieces > 1, "{backend:?}");

        let body = opener.get(&url).await.unwrap().bytes().await.unwrap();
        assert_eq!(body.len(), 200_000);
        assert!(body.starts_with(&clientcookie_testsite::BIG_PATTERN[..16]));
        let error = opener
            .get(&url)
            .await
            .unwrap()
            .bytes_limited(100_000)
            .await
            .unwrap_err();
        assert!(error.is_too_large(), "{backend:?}: {error:?}");
    }
}

#[tokio::test]
async fn the_response_carries_the_request_context() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let url = site.url_for_host("a.example", "/redirect/302?to=/echo");
        let response = opener.get(&url).await.unwrap();
        // The last hop's facts, put there by the redirect layer, come back.
        let facts = response.extensions().get::<RequestFacts>().unwrap();
        assert!(facts.unverifiable, "{backend:?}");
        assert_eq!(
            facts.origin_host.as_deref(),
            Some("a.example"),
            "{backend:?}"
        );
        let response = response.into_http();
        let final_url = response.extensions().get::<FinalUrl>().unwrap().url();
        assert_eq!(final_url.path(), "/echo", "{backend:?}");
    }
}

#[tokio::test]
async fn a_seekable_body_can_be_rewound_and_read_again() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let url = site.url_for_host("a.example", "/big?bytes=100000");

        // Off by default: the body streams once.
        let mut response = opener(&site, backend).get(&url).await.unwrap();
        assert!(response.seekable_mut().is_none(), "{backend:?}");

        let opener = builder(&site, backend)
            .seekable(true)
            .seekable_memory_limit(10_000)
            .build()
            .unwrap();
        let mut response = opener.get(&url).await.unwrap();
        let first = response.chunk().await.unwrap().unwrap();
        assert!(!first.is_empty());
        let body = response.seekable_mut().unwrap();
        body.rewind();
        let whole = response.bytes().await.unwrap();
        assert_eq!(whole.len(), 100_000, "{backend:?}");
        assert_eq!(&whole[..first.len()], &first[..], "{backend:?}");

        // Seek into the middle with tokio's AsyncSeek, read with AsyncRead;
        // past the memory limit the body lives in a temporary file.
        let mut response = opener.get(&url).await.unwrap();
        let body = response.seekable_mut().unwrap();
        body.seek(std::io::SeekFrom::Start(50_000)).await.unwrap();
        let mut rest = Vec::new();
        body.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest.len(), 50_000, "{backend:?}");
        assert!(body.is_spilled(), "{backend:?}");
        let expected: Vec<u8> = clientcookie_testsite::BIG_PATTERN
            .iter()
            .copied()
            .cycle()
            .skip(50_000)
            .take(50_000)
            .collect();
        assert!(rest == expected, "{backend:?}");
    }
}

#[tokio::test]
async fn a_robots_disallowed_url_is_never_requested() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        site.set_robots("a.example", 200, "User-agent: *\nDisallow: /private\n");
        // The default opener obeys robots.txt, as the seed's build_opener did.
        let opener = common::builder(&site, backend)
            .robots(true)
            .build()
            .unwrap();

        let error = opener
            .get(site.url_for_host("a.example", "/private/plans"))
            .await
            .unwrap_err();
        assert!(error.is_robots_denied(), "{backend:?}: {error:?}");
        assert!(!error.is_network(), "{backend:?}");
        let denied = error.robots_denied().unwrap();
        assert_eq!(denied.user_agent(), "clientcookie", "{backend:?}");

        // A redirect into the disallowed part is refused at that hop.
        let error = opener
            .get(site.url_for_host("a.example", "/redirect/302?to=/private/x"))
            .await
            .unwrap_err();
        assert!(error.is_robots_denied(), "{backend:?}: {error:?}");

        let response = opener
            .get(site.url_for_host("a.example", "/echo"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");

        let paths: Vec<String> = site
            .requests()
            .into_iter()
            .map(|r| r.path_and_query)
            .collect();
        assert_eq!(
            paths,
            ["/robots.txt", "/redirect/302?to=/private/x", "/echo"],
            "{backend:?}: robots.txt fetched once, /private never"
        );
        assert_eq!(
            site.requests()[0].header("user-agent"),
            Some(clientcookie::DEFAULT_USER_AGENT)
        );
    }
}

#[tokio::test]
async fn robots_is_on_by_default_and_can_be_switched_off() {
    let site = TestSite::start().await.unwrap();
    site.set_robots("a.example", 200, "User-agent: *\nDisallow: /\n");
    let url = site.url_for_host("a.example", "/echo");
    let default = clientcookie::Opener::builder()
        .resolve("a.example", site.addr())
        .no_proxy()
        .build()
        .unwrap();
    assert!(default.get(&url).await.unwrap_err().is_robots_denied());
    let off = common::builder(&site, Backend::Reqwest).build().unwrap();
    assert_eq!(off.get(&url).await.unwrap().status(), StatusCode::OK);
    let paths: Vec<String> = site
        .requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .collect();
    assert_eq!(paths, ["/robots.txt", "/echo"]);
}

#[tokio::test]
async fn the_opener_is_a_tower_service_for_more_layers() {
    use tower::{Service, ServiceExt};

    let site = TestSite::start().await.unwrap();
    let opener = opener(&site, Backend::Hyper);
    let mut service = tower::ServiceBuilder::new()
        .map_request(|mut request: http::Request<clientcookie::Body>| {
            request
                .headers_mut()
                .insert("x-added", http::HeaderValue::from_static("1"));
            request
        })
        .service(opener);
    let request = http::Request::get(site.url_for_host("a.example", "/redirect/302?to=/echo"))
        .body(clientcookie::Body::empty())
        .unwrap();
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.url().path(), "/echo");
    let echo = json(response).await;
    assert_eq!(echo["headers"]["x-added"][0], "1");
}

#[tokio::test]
async fn a_meta_set_cookie_and_a_meta_refresh_work_through_the_stack() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);

        // /equiv: three meta tags in the head, one in the body.
        let response = opener
            .get(site.url_for_host("a.example", "/equiv"))
            .await
            .unwrap();
        assert_eq!(response.headers()["x-test"], "yes", "{backend:?}");
        assert!(response.headers().get("x-in-body").is_none(), "{backend:?}");
        let body = response.text().await.unwrap();
        assert!(
            body.starts_with("<!DOCTYPE html>"),
            "{backend:?}: the body is unchanged"
        );
        // The lifted Set-Cookie reached the jar and goes out next time.
        let echo = json(
            opener
                .get(site.url_for_host("a.example", "/echo"))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(echo["headers"]["cookie"][0], "meta=1", "{backend:?}");

        // A meta refresh is followed like a Refresh header.
        let url = site.url_for_host("a.example", "/meta-refresh?delay=0&to=/echo/after-meta");
        let response = opener.get(&url).await.unwrap();
        assert_eq!(response.url().path(), "/echo/after-meta", "{backend:?}");
        assert_eq!(response.history().len(), 1, "{backend:?}");
        assert_eq!(
            response.history()[0].url.path(),
            "/meta-refresh",
            "{backend:?}"
        );

        // Switched off: neither.
        let off = builder(&site, backend).http_equiv(false).build().unwrap();
        let response = off.get(&url).await.unwrap();
        assert_eq!(response.url().path(), "/meta-refresh", "{backend:?}");
        off.get(site.url_for_host("b.example", "/equiv"))
            .await
            .unwrap();
        assert!(off.jar().unwrap().lock().unwrap().is_empty(), "{backend:?}");
    }
}
