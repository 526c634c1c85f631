//! This crate's jar in a plain reqwest client, without the layers:
//! `SharedJar` implements `reqwest::cookie::CookieStore`.
//!
//! `cargo run --example reqwest_jar`
//!
//! reqwest follows the redirects itself here and hands the jar every
//! `Set-Cookie` on the way; the jar applies its policy (here: no cookies
//! for `ads.example`) and can say why a cookie is or is not sent, which
//! reqwest's own jar cannot. What this route lacks next to the layers (no
//! unverifiable requests, no RFC 2965) is in the `reqwest_store` docs of
//! clientcookie-jar.

use std::sync::Arc;

use clientcookie::jar::{CookieJar, DefaultCookiePolicy, SharedJar};
use clientcookie_testsite::TestSite;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let site = TestSite::start().await?;
    let url = |host: &str, path: &str| site.url_for_host(host, path);

    let policy = DefaultCookiePolicy {
        blocked_domains: vec!["ads.example".into()],
        ..DefaultCookiePolicy::default()
    };
    let jar = SharedJar::new(CookieJar::with_policy(policy));

    // clientcookie asks reqwest for rustls without a crypto provider
    // (aws-lc-rs is a large C build); this installs ring's.
    clientcookie::backend::install_crypto_provider();
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::new(jar.clone()))
        .resolve("shop.example", site.addr())
        .resolve("ads.example", site.addr())
        .no_proxy()
        .build()?;

    println!("Test site on {}\n", site.addr());
    println!("1. A redirect chain (followed by reqwest) that sets a cookie on every hop:");
    let response = client
        .get(url("shop.example", "/redirect-chain/3"))
        .send()
        .await?;
    println!("   {} at {}", response.status(), response.url());
    let echo: serde_json::Value = serde_json::from_str(&response.text().await?)?;
    println!(
        "   the last hop carried Cookie: {}",
        echo["headers"]["cookie"][0]
    );

    println!("\n2. A blocked domain tries to set a cookie:");
    let response = client
        .get(url("ads.example", "/set-cookie?tracker=1"))
        .send()
        .await?;
    println!(
        "   {} (Set-Cookie: {:?})",
        response.status(),
        response.headers().get("set-cookie")
    );

    println!("\n3. What the jar holds, and why each cookie goes to shop.example or not:");
    let jar = jar
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    println!("   {} cookies", jar.len());
    for e in jar.explain(&url("shop.example", "/account"))? {
        match e.verdict {
            Ok(()) => println!("   {}: sent", e.cookie),
            Err(reason) => println!("   {}: not sent: {reason}", e.cookie),
        }
    }
    Ok(())
}
