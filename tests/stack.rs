//! The full default stack of an Opener against the test site on 127.0.0.1,
//! with reqwest and with hyper-util as the inner service.

mod common;

use clientcookie_testsite::TestSite;
use common::{enc, json, opener, BACKENDS};
use http::StatusCode;

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
