//! A tour of clientcookie against the built-in test site.
//!
//! `cargo run --example tour`
//!
//! It starts the test site on 127.0.0.1, logs in with a form post, keeps the
//! session cookie in the jar, shows a cookie the policy refuses and why, and
//! asks the jar which cookies it would send where. The tower layers
//! (redirects, Refresh, meta http-equiv, robots.txt, Referer, re-readable
//! bodies) join this tour as they land.

use clientcookie::jar::{CookieJar, CookieRequest};
use clientcookie_testsite::{raw, TestSite};

/// One request through the jar: Cookie header out, Set-Cookie headers in.
async fn fetch(
    site: &TestSite,
    jar: &mut CookieJar,
    method: &str,
    path: &str,
    body: &[u8],
) -> std::io::Result<raw::RawResponse> {
    let url = site.url_for_host("shop.example", path);
    let request = CookieRequest::parse(&url).expect("test site URLs are valid");
    let mut headers = http::HeaderMap::new();
    jar.add_cookie_header_to(&request, &mut headers);
    let cookie = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut sent: Vec<(&str, &str)> = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(c) = &cookie {
        sent.push(("Cookie", c));
    }
    println!("> {method} {url}");
    if let Some(c) = &cookie {
        println!(">   Cookie: {c}");
    }
    let response = raw::request(site.addr(), method, "shop.example", path, &sent, body).await?;
    println!("< {}", response.status);

    let mut received = http::HeaderMap::new();
    for (name, value) in &response.headers {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            received.append(n, v);
        }
    }
    for outcome in jar.extract_from_headers_explained(&request, &received) {
        match outcome.result {
            Ok(stored) => println!("<   Set-Cookie: {}  -> {stored:?}", outcome.header),
            Err(reason) => println!("<   Set-Cookie: {}  -> refused: {reason}", outcome.header),
        }
    }
    Ok(response)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let site = TestSite::start().await?;
    println!("Test site listening on {}\n", site.url("/"));
    let mut jar = CookieJar::new();

    println!("1. Without a session the account page is refused:");
    let denied = fetch(&site, &mut jar, "GET", "/account", b"").await?;
    assert_eq!(denied.status, 403);

    println!("\n2. Log in with a form post; the server answers 303 with a session cookie:");
    let login = fetch(
        &site,
        &mut jar,
        "POST",
        "/login",
        b"user=ada&password=secret",
    )
    .await?;
    assert_eq!(login.status, 303);

    println!("\n3. The jar sends the session back, and we are in:");
    let account = fetch(&site, &mut jar, "GET", "/account", b"").await?;
    println!("    body: {}", account.text().trim());
    assert_eq!(account.status, 200);

    println!("\n4. A server tries to set a cookie for a whole public suffix (a supercookie):");
    fetch(
        &site,
        &mut jar,
        "GET",
        "/set-cookie-raw?h=track%3D1%3B%20Domain%3Dexample",
        b"",
    )
    .await?;

    println!("\n5. Why would (or wouldn't) each cookie go to http://other.example/ ?");
    for e in jar.explain("http://other.example/").expect("valid URL") {
        match e.verdict {
            Ok(()) => println!("    {}: sent", e.cookie),
            Err(reason) => println!("    {}: not sent: {reason}", e.cookie),
        }
    }

    println!("\nThe jar holds {} cookie(s). Tour complete.", jar.len());
    Ok(())
}
