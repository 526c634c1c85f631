//! `clientcookie::get` (the seed's urlopen) and `install_opener`, against
//! the test site on 127.0.0.1.
//!
//! One test in this file on purpose: the installed opener is global to the
//! process, and the tests of one file run in parallel.

mod common;

use clientcookie_testsite::TestSite;
use common::{builder, Backend};

#[tokio::test]
async fn get_uses_a_default_opener_until_another_is_installed() {
    let site = TestSite::start().await.unwrap();

    // Built on first use: the default stack, User-Agent clientcookie/VERSION.
    let response = clientcookie::get(site.url("/set-cookie?first=1"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let default = clientcookie::opener().unwrap();
    assert_eq!(default.jar().unwrap().lock().unwrap().len(), 1);
    let echo = common::json(clientcookie::get(site.url("/echo")).await.unwrap()).await;
    assert_eq!(echo["headers"]["cookie"][0], "first=1");
    assert_eq!(
        echo["headers"]["user-agent"][0],
        clientcookie::DEFAULT_USER_AGENT
    );

    // Installing another replaces it, and hands back the old one.
    let mine = builder(&site, Backend::Hyper)
        .user_agent("installed/1")
        .build()
        .unwrap();
    let old = clientcookie::install_opener(mine.clone()).unwrap();
    assert!(old.jar().unwrap().ptr_eq(default.jar().unwrap()));
    let echo = common::json(
        clientcookie::get(site.url_for_host("a.example", "/echo"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(echo["headers"]["user-agent"][0], "installed/1");
    assert_eq!(echo["headers"]["cookie"], serde_json::Value::Null);
    assert!(clientcookie::opener()
        .unwrap()
        .jar()
        .unwrap()
        .ptr_eq(mine.jar().unwrap()));

    // retrieve() goes through the installed opener too.
    let dir = std::env::temp_dir().join(format!("clientcookie-install-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("echo.json");
    let saved = clientcookie::retrieve(site.url_for_host("b.example", "/echo"), &path, |_| {})
        .await
        .unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written["headers"]["user-agent"][0], "installed/1");
    assert_eq!(saved.bytes, std::fs::metadata(&path).unwrap().len());
    std::fs::remove_dir_all(&dir).unwrap();
}
