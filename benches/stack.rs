//! The full default stack of an `Opener` against the bare inner client, on
//! loopback, small responses: requests per second (criterion's throughput,
//! one element = one request).
//!
//! ```sh
//! cargo bench -p clientcookie --bench stack
//! ```
//!
//! Groups: `stack/<backend>/<sequential|concurrent16>/<bare|opener>`.
//! `bare` is the client alone (reqwest with its redirects off; hyper-util's
//! legacy client), `opener` the same client inside the whole default stack
//! (default headers, redirects, refresh, referer, cookies with two cookies
//! in the jar for the host). `sequential` sends one request at a time;
//! `concurrent16` runs 16 at a time, each a task. Each request reads the
//! whole body (`status 200\n`). The client runs on a current-thread
//! runtime; the test site on its own runtime and threads.

use std::future::Future;
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clientcookie::backend::{reqwest_client_builder, Resolver};
use clientcookie::Opener;
use clientcookie_testsite::TestSite;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::runtime::Runtime;

const HOST: &str = "bench.example";
const CONCURRENCY: usize = 16;

#[derive(Clone)]
enum Bare {
    Reqwest(reqwest::Client),
    Hyper(Client<HttpConnector<Resolver>, Empty<Bytes>>),
}

impl Bare {
    async fn get(&self, url: &str) -> usize {
        match self {
            Bare::Reqwest(client) => {
                let response = client.get(url).send().await.expect("response");
                response.bytes().await.expect("body").len()
            }
            Bare::Hyper(client) => {
                let uri = url.parse().expect("uri");
                let response = client.get(uri).await.expect("response");
                let body = response.into_body().collect().await.expect("body");
                body.to_bytes().len()
            }
        }
    }
}

async fn via_opener(opener: &Opener, url: &str) -> usize {
    let response = opener.get(url).await.expect("response");
    response.bytes().await.expect("body").len()
}

fn bare_client(backend: &str, site: SocketAddr) -> Bare {
    match backend {
        "reqwest" => Bare::Reqwest(
            reqwest_client_builder()
                .resolve(HOST, site)
                .no_proxy()
                .build()
                .expect("client"),
        ),
        _ => {
            let resolver = Resolver::new([(HOST.to_owned(), site)]);
            let mut connector = HttpConnector::new_with_resolver(resolver);
            connector.set_nodelay(true);
            Bare::Hyper(Client::builder(TokioExecutor::new()).build(connector))
        }
    }
}

fn opener(backend: &str, site: SocketAddr) -> Opener {
    let builder = Opener::builder().resolve(HOST, site).no_proxy();
    let builder = match backend {
        "reqwest" => builder.reqwest(),
        _ => builder.hyper(),
    };
    builder.build().expect("opener")
}

/// Runs `iters` requests made by `one`, `concurrency` at a time, each a
/// task of its own (polled only when woken: the same scheduling for bare
/// and opener).
fn run<F, Fut>(rt: &Runtime, iters: u64, concurrency: usize, one: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = usize> + Send + 'static,
{
    rt.block_on(async {
        let start = Instant::now();
        let mut left = iters;
        let mut tasks = tokio::task::JoinSet::new();
        while left > 0 {
            let n = left.min(concurrency as u64) as usize;
            for _ in 0..n {
                tasks.spawn(one());
            }
            while let Some(len) = tasks.join_next().await {
                black_box(len.expect("task"));
            }
            left -= n as u64;
        }
        start.elapsed()
    })
}

fn stack(c: &mut Criterion) {
    let site = TestSite::start_in_background().expect("test site");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = format!("http://{HOST}:{}/status/200", site.addr().port());
    let cookies = format!("http://{HOST}:{}/set-cookie?a=1&b=2", site.addr().port());

    for backend in ["reqwest", "hyper"] {
        let bare = bare_client(backend, site.addr());
        let opener = opener(backend, site.addr());
        rt.block_on(async {
            via_opener(&opener, &cookies).await;
        });
        assert_eq!(opener.jar().expect("jar").lock().expect("jar").len(), 2);
        for (mode, concurrency) in [("sequential", 1), ("concurrent16", CONCURRENCY)] {
            let mut group = c.benchmark_group(format!("stack/{backend}/{mode}"));
            group.throughput(Throughput::Elements(1));
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(4));
            group.bench_function("bare", |b| {
                b.iter_custom(|iters| {
                    run(&rt, iters, concurrency, || {
                        let (bare, url) = (bare.clone(), url.clone());
                        async move { bare.get(&url).await }
                    })
                })
            });
            group.bench_function("opener", |b| {
                b.iter_custom(|iters| {
                    run(&rt, iters, concurrency, || {
                        let (opener, url) = (opener.clone(), url.clone());
                        async move { via_opener(&opener, &url).await }
                    })
                })
            });
            group.finish();
        }
    }
}

criterion_group!(benches, stack);
criterion_main!(benches);
