//! The reqwest backend takes its proxy from the environment, as reqwest
//! does (the seed's ProxyHandler read `http_proxy` the same way).
//!
//! One test in this file on purpose: it changes the process's environment,
//! and the tests of one file run in parallel.

use clientcookie::Opener;
use clientcookie_testsite::TestSite;

#[tokio::test]
async fn plain_http_goes_through_the_proxy_named_by_http_proxy_unless_no_proxy_is_set() {
    let site = TestSite::start().await.unwrap();
    // The test site plays the proxy: it answers absolute-form requests and
    // logs the Host they were for. `.invalid` names never resolve, so a
    // response proves the request went through the proxy.
    for name in [
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTP_PROXY", format!("http://{}", site.addr()));
    std::env::set_var("http_proxy", format!("http://{}", site.addr()));

    let opener = Opener::builder().robots(false).build().unwrap();
    let response = opener
        .get("http://proxied.invalid/echo?via=proxy")
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let logged = site.requests();
    let last = logged.last().expect("the proxy saw the request");
    assert_eq!(last.host, "proxied.invalid");
    assert_eq!(last.path_and_query, "/echo?via=proxy");

    // `no_proxy()` ignores the variables: the name does not resolve.
    let direct = Opener::builder().robots(false).no_proxy().build().unwrap();
    let error = direct.get("http://proxied.invalid/echo").await.unwrap_err();
    assert!(error.is_network(), "{error:?}");
    assert_eq!(site.requests().len(), logged.len());
}
