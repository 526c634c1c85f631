//! `SharedJar` as a plain reqwest client's cookie store (no layers),
//! against the test site on 127.0.0.1.

use std::sync::Arc;

use clientcookie::jar::{CookieJar, DefaultCookiePolicy, SharedJar};
use clientcookie_testsite::TestSite;

#[tokio::test]
async fn a_plain_reqwest_client_keeps_its_cookies_in_our_jar_under_our_policy() {
    let site = TestSite::start().await.unwrap();
    let policy = DefaultCookiePolicy {
        blocked_domains: vec!["ads.example".into()],
        ..DefaultCookiePolicy::default()
    };
    let jar = SharedJar::new(CookieJar::with_policy(policy));
    clientcookie::backend::install_crypto_provider();
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::new(jar.clone()))
        .resolve("shop.example", site.addr())
        .resolve("ads.example", site.addr())
        .no_proxy()
        .build()
        .unwrap();

    // reqwest follows the chain and hands every hop's Set-Cookie to the jar.
    let url = site.url_for_host("shop.example", "/redirect-chain/2");
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let log = site.requests();
    assert_eq!(log[1].header("cookie"), Some("hop2=1"));
    let mut last: Vec<&str> = log[2].header("cookie").unwrap().split("; ").collect();
    last.sort_unstable();
    assert_eq!(last, ["hop1=1", "hop2=1"]);

    // The policy applies: the blocked domain sets nothing.
    let url = site.url_for_host("ads.example", "/set-cookie?tracker=1");
    client.get(&url).send().await.unwrap();
    let jar = jar.lock().unwrap();
    let mut names: Vec<&str> = jar.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["hop1", "hop2"]);
}
