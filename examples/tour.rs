//! A tour of clientcookie against the built-in test site.
//!
//! `cargo run --example tour`
//!
//! It starts the test site on 127.0.0.1 and sends requests through the
//! default stack as far as it exists today — RedirectLayer around
//! CookieLayer around a hyper-util client — to log in with a form post,
//! follow a redirect chain that sets a cookie on every hop, ask the jar why a
//! cookie is or is not sent, and save the jar to a cookies.txt file that
//! curl and Python can read, then load it back. Refresh, meta http-equiv,
//! robots.txt, Referer and re-readable bodies join the tour as their layers
//! land.

use std::net::SocketAddr;

use bytes::Bytes;
use clientcookie::jar::store::{self, Format, LoadOptions, SaveOptions};
use clientcookie::jar::{CookieJar, SharedJar};
use clientcookie::layers::cookie::CookieLayer;
use clientcookie::layers::redirect::{RedirectHistory, RedirectLayer};
use clientcookie_testsite::TestSite;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::{dns::Name, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

/// A hyper-util client that connects every host name to the test site, so
/// `http://shop.example:PORT/` reaches it with `Host: shop.example`.
fn client<B>(
    site: SocketAddr,
) -> impl Service<Request<B>, Response = Response<Incoming>, Error = hyper_util::client::legacy::Error>
       + Clone
where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<BoxError>,
{
    let resolver = tower::service_fn(move |_name: Name| async move {
        Ok::<_, std::io::Error>(std::iter::once(site))
    });
    Client::builder(TokioExecutor::new()).build(HttpConnector::new_with_resolver(resolver))
}

/// The default stack as far as it exists: redirects outside, cookies inside
/// (so cookies are applied on every hop).
fn stack(
    site: SocketAddr,
    jar: SharedJar,
) -> impl Service<Request<Full<Bytes>>, Response = Response<Incoming>, Error = BoxError> + Clone {
    ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(CookieLayer::new(jar))
        .service(client(site))
}

async fn show<B>(label: &str, response: Response<B>) -> Result<String, BoxError>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let status = response.status();
    if let Some(RedirectHistory(hops)) = response.extensions().get::<RedirectHistory>() {
        for hop in hops {
            println!("    redirected by {} {}", hop.status.as_u16(), hop.url);
        }
    }
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(Into::into)?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    println!(
        "  {label} -> {status}: {}",
        text.trim().chars().take(100).collect::<String>()
    );
    Ok(text)
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

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let site = TestSite::start().await?;
    let url = |path: &str| site.url_for_host("shop.example", path);
    println!("Test site on {} (virtual host shop.example)\n", site.addr());

    let jar = CookieJar::new().into_shared();
    let mut http = stack(site.addr(), jar.clone());
    let get = |u: String| Request::get(u).body(Full::new(Bytes::new()));

    println!("1. Without a session the account page is refused:");
    let response = http.ready().await?.call(get(url("/account"))?).await?;
    show("GET /account", response).await?;

    println!("\n2. Log in with a form post; the 303 sets a session cookie and is followed:");
    let login = Request::post(url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(b"user=ada&password=secret")))?;
    let response = http.ready().await?.call(login).await?;
    show("POST /login", response).await?;
    print_jar(&jar);

    println!("\n3. A redirect chain that sets a cookie on every hop; each is sent on the next:");
    let response = http
        .ready()
        .await?
        .call(get(url("/redirect-chain/3"))?)
        .await?;
    let echo = show("GET /redirect-chain/3", response).await?;
    let echo: serde_json::Value = serde_json::from_str(&echo)?;
    println!(
        "  the last hop carried Cookie: {}",
        echo["headers"]["cookie"][0]
    );

    println!("\n4. Which cookies would go to http://shop.example/account, and why not the others?");
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

    println!("\n5. Save the jar as cookies.txt (curl's and Python's format) and load it back:");
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
