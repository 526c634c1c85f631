//! The Opener: the seed's `build_opener()`, around reqwest (default) or
//! hyper-util (`--hyper`), against the built-in test site.
//!
//! `cargo run --example opener` or
//! `cargo run --example opener --features hyper -- --hyper`
//!
//! It logs in with a form post, follows a redirect chain that sets a cookie
//! on every hop, and shows what the opener sent and kept.

use std::time::Duration;

use clientcookie::jar::{CookieJar, DefaultCookiePolicy};
use clientcookie::Opener;
use clientcookie_testsite::TestSite;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let site = TestSite::start().await?;
    let url = |path: &str| site.url_for_host("shop.example", path);

    let jar = CookieJar::new().into_shared();
    let builder = Opener::builder()
        .jar(jar.clone())
        .policy(DefaultCookiePolicy {
            strict_ns_unverifiable: true,
            ..DefaultCookiePolicy::default()
        })
        .max_redirects(5)
        .refresh_max_delay(Duration::from_secs(2))
        .user_agent("opener-example/1.0")
        .from("example@shop.example")
        // The test site serves every host name on 127.0.0.1.
        .resolve("shop.example", site.addr());
    let hyper = std::env::args().any(|a| a == "--hyper");
    let builder = if hyper { with_hyper(builder)? } else { builder };
    let opener = builder.build()?;
    println!(
        "Opener around {} against {}",
        if hyper { "hyper-util" } else { "reqwest" },
        site.addr()
    );

    let response = opener
        .post_form(url("/login"), [("user", "ada"), ("password", "secret")])
        .await?;
    println!(
        "POST /login -> {} at {} after {:?}",
        response.status(),
        response.url(),
        response
            .history()
            .iter()
            .map(|hop| hop.status.as_u16())
            .collect::<Vec<_>>()
    );
    println!("  body: {}", response.text().await?.trim());

    let response = opener.get(url("/redirect-chain/3")).await?;
    println!(
        "GET /redirect-chain/3 -> {} after {} redirects",
        response.status(),
        response.history().len()
    );
    let echo: serde_json::Value = serde_json::from_str(&response.text().await?)?;
    println!(
        "  the last hop sent Cookie: {}",
        echo["headers"]["cookie"][0]
    );
    println!("  and User-Agent: {}", echo["headers"]["user-agent"][0]);

    let jar = jar
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut names: Vec<&str> = jar.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    println!("The jar holds: {}", names.join(", "));
    Ok(())
}

#[cfg(feature = "hyper")]
fn with_hyper(
    builder: clientcookie::OpenerBuilder,
) -> Result<clientcookie::OpenerBuilder, Box<dyn std::error::Error + Send + Sync>> {
    Ok(builder.hyper())
}

#[cfg(not(feature = "hyper"))]
fn with_hyper(
    _: clientcookie::OpenerBuilder,
) -> Result<clientcookie::OpenerBuilder, Box<dyn std::error::Error + Send + Sync>> {
    Err(
        "--hyper needs the `hyper` feature: cargo run --example opener --features hyper -- --hyper"
            .into(),
    )
}
