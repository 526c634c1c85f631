//! A tour of clientcookie against the built-in test site.
//!
//! `cargo run --example tour`
//!
//! It starts the test site on 127.0.0.1 and walks through what the library
//! does, with one [`Opener`] (the seed's `build_opener()`: redirects,
//! Refresh, robots.txt, Referer, cookies, `<meta http-equiv>` and re-readable
//! bodies, around reqwest):
//!
//! 1. logging in with a form post (the 303 sets a session cookie);
//! 2. a redirect chain that sets a cookie on every hop;
//! 3. a `Refresh` header followed like a redirect;
//! 4. `<meta http-equiv>` tags lifted into headers, a meta cookie stored;
//! 5. a URL that robots.txt disallows, refused before it is requested;
//! 6. the `Referer` sent per Referrer-Policy;
//! 7. a body read, rewound and read again;
//! 8. which cookies go where, and why not;
//! 9. the jar saved as cookies.txt and loaded back.
//!
//! Every host name (`shop.example`, `other.example`) is resolved to the test
//! site, which tells them apart by the `Host` header.

use clientcookie::jar::store::{self, Format, LoadOptions, SaveOptions};
use clientcookie::jar::{CookieJar, SharedJar};
use clientcookie::layers::referer::Referrer;
use clientcookie::{Opener, Response};
use clientcookie_testsite::TestSite;
use tokio::io::AsyncReadExt;

type TourError = Box<dyn std::error::Error + Send + Sync>;

/// One line for a response: its status, where it ended up, and how.
fn show(label: &str, response: &Response) {
    for hop in response.history() {
        println!("    {} {} ->", hop.status.as_u16(), hop.url);
    }
    println!("  {label} -> {} at {}", response.status(), response.url());
}

fn print_jar(jar: &SharedJar) {
    let jar = jar.lock().expect("jar lock");
    let mut cookies: Vec<String> = jar
        .iter()
        .map(|c| format!("{c} (for {})", c.domain))
        .collect();
    cookies.sort();
    println!("  the jar holds: {}", cookies.join(", "));
}

/// The `Cookie` and `Referer` headers the test site's /echo saw.
fn echoed(body: &str, header: &str) -> String {
    let echo: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    match &echo["headers"][header][0] {
        serde_json::Value::String(value) => value.clone(),
        _ => "(none)".to_owned(),
    }
}

#[tokio::main]
async fn main() -> Result<(), TourError> {
    let site = TestSite::start().await?;
    let url = |path: &str| site.url_for_host("shop.example", path);
    println!(
        "Test site on {} (virtual hosts shop.example, other.example)\n",
        site.addr()
    );
    site.set_robots("shop.example", 200, "User-agent: *\nDisallow: /private/\n");

    let jar = CookieJar::new().into_shared();
    let opener = Opener::builder()
        .jar(jar.clone())
        .robots(true)
        .seekable(true)
        .resolve("shop.example", site.addr())
        .resolve("other.example", site.addr())
        .build()?;

    println!("1. Without a session the account page is refused; a form post logs in:");
    let response = opener.get(url("/account")).await?;
    show("GET /account", &response);
    let response = opener
        .post_form(url("/login"), [("user", "ada"), ("password", "secret")])
        .await?;
    show("POST /login", &response);
    let page = response.text().await?;
    println!(
        "  the page says: {}",
        page.trim().lines().next().unwrap_or("")
    );
    print_jar(&jar);

    println!("\n2. A redirect chain that sets a cookie on every hop; each is sent on the next:");
    let response = opener.get(url("/redirect-chain/3")).await?;
    show("GET /redirect-chain/3", &response);
    let body = response.text().await?;
    println!("  the last hop carried Cookie: {}", echoed(&body, "cookie"));

    println!("\n3. A Refresh header (0 s, at most 30 s is followed) works like a redirect:");
    let response = opener.get(url("/refresh?delay=0&to=/echo")).await?;
    show("GET /refresh", &response);

    println!("\n4. <meta http-equiv> in the head become headers; the meta cookie is stored:");
    let response = opener.get(url("/equiv")).await?;
    show("GET /equiv", &response);
    for name in ["x-test", "content-language", "x-in-body"] {
        let value = response
            .headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        println!(
            "  {name}: {}",
            value.unwrap_or_else(|| "(not lifted: it is in the body)".to_owned())
        );
    }
    print_jar(&jar);

    println!("\n5. robots.txt disallows /private/: the request is refused, never sent:");
    match opener.get(url("/private/plans")).await {
        Err(error) if error.is_robots_denied() => println!("  refused: {error}"),
        Err(error) => return Err(error.into()),
        Ok(response) => return Err(format!("not refused: {}", response.status()).into()),
    }
    let sent = site
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/private"))
        .count();
    println!("  requests for /private/ the site saw: {sent}");

    println!("\n6. Referer per Referrer-Policy (strict-origin-when-cross-origin by default):");
    let from = url::Url::parse(&url("/html/referer-links?secret=1"))?;
    for (label, target) in [
        ("same origin", url("/echo")),
        (
            "another origin",
            site.url_for_host("other.example", "/echo"),
        ),
    ] {
        let request = http::Request::get(target)
            .extension(Referrer(from.clone()))
            .body(clientcookie::Body::empty())?;
        let body = opener.request(request).await?.text().await?;
        println!("  to {label}: Referer: {}", echoed(&body, "referer"));
    }

    println!("\n7. A 10 MB body read, rewound and read again; only what is read is fetched:");
    let before = site.body_bytes_sent();
    let mut response = opener.get(url("/big?bytes=10000000")).await?;
    let body = response
        .seekable_mut()
        .ok_or("the seekable processor is on")?;
    let mut first = [0u8; 16];
    body.read_exact(&mut first).await?;
    body.rewind();
    let mut again = [0u8; 16];
    body.read_exact(&mut again).await?;
    println!(
        "  first 16 bytes {:?}, after a rewind the same: {}",
        String::from_utf8_lossy(&first),
        first == again
    );
    drop(response);
    println!(
        "  the site sent {} KiB of the 10 MB so far",
        (site.body_bytes_sent() - before) / 1024
    );

    println!("\n8. Which cookies would go to http://shop.example/account, and why not the others?");
    {
        let jar = jar.lock().expect("jar lock");
        for e in jar.explain(&url("/account"))? {
            match e.verdict {
                Ok(()) => println!("  {}: sent", e.cookie),
                Err(reason) => println!("  {}: not sent: {reason}", e.cookie),
            }
        }
        println!("  and to http://other.example/ :");
        for e in jar.explain("http://other.example/")? {
            if let Err(reason) = e.verdict {
                println!("  {}: not sent: {reason}", e.cookie);
            }
        }
    }

    println!("\n9. Save the jar as cookies.txt (curl's and Python's format) and load it back:");
    let path = std::env::temp_dir().join(format!("clientcookie-tour-{}.txt", std::process::id()));
    let keep_session = SaveOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let saved = store::save(
        &jar.lock().expect("jar lock"),
        &path,
        Format::Mozilla,
        keep_session,
    )?;
    println!("  saved {saved} cookies to {}", path.display());
    let mut reloaded = CookieJar::new();
    let loaded = store::load(
        &mut reloaded,
        &path,
        Format::Mozilla,
        LoadOptions {
            ignore_discard: true,
            ignore_expires: false,
        },
    )?;
    println!("  loaded {loaded} cookies; the session cookie goes out again:");
    println!(
        "  Cookie: {}",
        reloaded
            .cookie_header_for(&url("/account"))
            .unwrap_or_default()
    );
    std::fs::remove_file(&path)?;

    println!("\nTour complete.");
    Ok(())
}
