//! A fixed number of requests through one client, for counting
//! instructions (`valgrind --tool=callgrind`) or sampling (`perf record`):
//! criterion's timings on a shared 2-core machine move by ±50% with the
//! load, an instruction count does not.
//!
//! ```sh
//! cargo bench -p clientcookie --bench stack_instructions --no-run   # prints the binary
//! valgrind --tool=callgrind target/release/deps/stack_instructions-HASH hyper-opener 3000
//! ```
//!
//! Arguments: `WHICH N [OFF]`, where `WHICH` is `hyper-bare`,
//! `hyper-bare-ua` (the bare client sending the opener's `User-Agent`),
//! `hyper-opener`, `reqwest-bare` or `reqwest-opener` (or
//! `hyper-opener-cookies` / `reqwest-opener-cookies`: the opener with two
//! cookies in its jar, sent with every request, as in the paired modes), `N` the number of
//! requests (one at a time, `GET /status/200`, the body read), and `OFF`
//! the opener's layers to switch off: any of `R` (redirects), `F`
//! (refresh), `E` (referer), `C` (cookies), `B` (robots), `Q`
//! (HTTP-EQUIV). Without arguments (as `cargo
//! bench` runs it) it sends 100 requests through the full hyper opener.
//! `paired-hyper N` and `paired-reqwest N` time instead: the bare client
//! and the default opener in alternating blocks of `N` requests (see
//! `paired_ratio`), for a ratio of requests per second on a shared machine.
//! The count includes the test site's work (same process) and start-up:
//! run with `N = 0` for the latter.

use bytes::Bytes;
use clientcookie::backend::{reqwest_client_builder, Resolver};
use clientcookie::Opener;
use clientcookie_testsite::TestSite;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

const HOST: &str = "bench.example";

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let which = args
        .first()
        .map_or("hyper-opener", String::as_str)
        .to_owned();
    let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100);
    let off = args.get(2).cloned().unwrap_or_default();
    let site = TestSite::start_in_background().expect("test site");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = format!("http://{HOST}:{}/status/200", site.addr().port());
    rt.block_on(async {
        match which.as_str() {
            "hyper-bare" | "hyper-bare-ua" => {
                // `hyper-bare-ua` sends the opener's default User-Agent too:
                // the same request bytes as the opener (with an empty jar),
                // so the difference to the opener is the stack's own work,
                // without the test site's work on one more header.
                let user_agent =
                    (which == "hyper-bare-ua").then_some(clientcookie::DEFAULT_USER_AGENT);
                let resolver = Resolver::new([(HOST.to_owned(), site.addr())]);
                let mut connector = HttpConnector::new_with_resolver(resolver);
                connector.set_nodelay(true);
                let client: Client<_, Empty<Bytes>> =
                    Client::builder(TokioExecutor::new()).build(connector);
                for _ in 0..n {
                    let response = match user_agent {
                        None => client.get(url.parse().expect("uri")).await,
                        Some(agent) => {
                            let mut request = http::Request::new(Empty::new());
                            *request.uri_mut() = url.parse().expect("uri");
                            request.headers_mut().insert(
                                http::header::USER_AGENT,
                                http::HeaderValue::from_static(agent),
                            );
                            client.request(request).await
                        }
                    }
                    .expect("response");
                    response.into_body().collect().await.expect("body");
                }
            }
            "reqwest-bare" => {
                let client = reqwest_client_builder()
                    .resolve(HOST, site.addr())
                    .no_proxy()
                    .build()
                    .expect("client");
                for _ in 0..n {
                    let response = client.get(&url).send().await.expect("response");
                    response.bytes().await.expect("body");
                }
            }
            paired if paired.starts_with("paired-") => {
                let backend = &paired["paired-".len()..];
                paired_ratio(backend, &site, &url, n.max(10)).await;
            }
            opener => {
                let builder = Opener::builder().resolve(HOST, site.addr()).no_proxy();
                let builder = if opener.starts_with("hyper") {
                    builder.hyper()
                } else {
                    builder.reqwest()
                };
                let opener = builder
                    .redirects(!off.contains('R'))
                    .refresh(!off.contains('F'))
                    .referer(!off.contains('E'))
                    .cookies(!off.contains('C'))
                    .robots(!off.contains('B'))
                    .http_equiv(!off.contains('Q'))
                    .build()
                    .expect("opener");
                if which.ends_with("-cookies") {
                    // As the paired modes do: two cookies sent with every request.
                    set_two_cookies(&opener, &site).await;
                }
                for _ in 0..n {
                    let response = opener.get(&url).await.expect("response");
                    response.bytes().await.expect("body");
                }
            }
        }
    });
}

/// Stores two cookies for the bench host in the opener's jar (one request).
async fn set_two_cookies(opener: &Opener, site: &TestSite) {
    let cookies = format!("http://{HOST}:{}/set-cookie?a=1&b=2", site.addr().port());
    opener
        .get(&cookies)
        .await
        .expect("cookies")
        .bytes()
        .await
        .expect("body");
}

/// `paired-hyper N` / `paired-reqwest N`: wall-clock requests per second of
/// the bare client and the default opener (two cookies in its jar, as in
/// the criterion bench), measured in alternating blocks of `N` requests
/// (40 blocks each, the order swapped every pair) so that the load of a
/// shared machine falls on both alike; prints the medians and the median
/// of the per-pair ratios opener / bare.
async fn paired_ratio(backend: &str, site: &TestSite, url: &str, n: usize) {
    use std::time::Instant;
    let hyper = backend == "hyper";
    let resolver = Resolver::new([(HOST.to_owned(), site.addr())]);
    let mut connector = HttpConnector::new_with_resolver(resolver);
    connector.set_nodelay(true);
    let hyper_client: Client<_, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build(connector);
    let reqwest_client = reqwest_client_builder()
        .resolve(HOST, site.addr())
        .no_proxy()
        .build()
        .expect("client");
    let builder = Opener::builder().resolve(HOST, site.addr()).no_proxy();
    let opener = if hyper {
        builder.hyper()
    } else {
        builder.reqwest()
    }
    .build()
    .expect("opener");
    set_two_cookies(&opener, site).await;
    let bare = |count: usize| {
        let (hyper_client, reqwest_client) = (&hyper_client, &reqwest_client);
        async move {
            let start = Instant::now();
            for _ in 0..count {
                if hyper {
                    let response = hyper_client
                        .get(url.parse().expect("uri"))
                        .await
                        .expect("response");
                    response.into_body().collect().await.expect("body");
                } else {
                    let response = reqwest_client.get(url).send().await.expect("response");
                    response.bytes().await.expect("body");
                }
            }
            start.elapsed().as_secs_f64() / count as f64
        }
    };
    let stacked = |count: usize| {
        let opener = &opener;
        async move {
            let start = Instant::now();
            for _ in 0..count {
                let response = opener.get(url).await.expect("response");
                response.bytes().await.expect("body");
            }
            start.elapsed().as_secs_f64() / count as f64
        }
    };
    // Warm up both (connections, caches).
    bare(n).await;
    stacked(n).await;
    let (mut bare_times, mut opener_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for block in 0..40 {
        let (b, o) = if block % 2 == 0 {
            let b = bare(n).await;
            (b, stacked(n).await)
        } else {
            let o = stacked(n).await;
            (bare(n).await, o)
        };
        bare_times.push(b);
        opener_times.push(o);
        ratios.push(b / o);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (b, o, r) = (
        median(&mut bare_times),
        median(&mut opener_times),
        median(&mut ratios),
    );
    println!(
        "{backend}: bare {:.1} K/s, opener {:.1} K/s, opener/bare {:.2} (median of the per-pair ratios {:.2})",
        1e-3 / b,
        1e-3 / o,
        b / o,
        r
    );
}
