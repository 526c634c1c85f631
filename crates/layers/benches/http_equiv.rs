//! The HTTP-EQUIV layer over a 50 MB HTML body whose head holds meta tags,
//! against reading the same body bare: the layer must cost at most 10 %.
//!
//! `cargo bench -p clientcookie-layers --bench http_equiv`
//!
//! - `loopback/*`: `GET /big-html?bytes=50000000` from the test site on
//!   127.0.0.1 with a hyper-util client, the whole body read frame by frame;
//!   then 41 pairs (bare, layered) timed back to back, whose median ratio
//!   is printed: on a shared machine the load drifts between criterion's
//!   two runs, not within a pair;
//! - `in_memory/*`: the same kind of page as 16 KiB chunks already in
//!   memory, so only the layer's own work is timed (no socket).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clientcookie_layers::http_equiv::HttpEquivLayer;
use clientcookie_testsite::TestSite;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use http::{Request, Response};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{Service, ServiceBuilder, ServiceExt};

const BODY_BYTES: u64 = 50_000_000;

/// Back-to-back pairs timed for the loopback ratio.
const PAIRS: usize = 41;

/// Reads `body` to its end, counting the data bytes.
async fn drain<B>(mut body: B) -> u64
where
    B: Body + Unpin,
    B::Error: std::fmt::Debug,
{
    let mut total = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("a frame").into_data() {
            total += bytes::Buf::remaining(&data) as u64;
        }
    }
    total
}

/// A body of chunks already in memory.
struct Chunks(VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

/// The page of the in-memory runs: a head with meta tags, then 50 MB.
fn page() -> Vec<Bytes> {
    let head = Bytes::from_static(
        b"<!DOCTYPE html>\n<html><head>\n<title>Big</title>\n\
          <meta http-equiv=\"X-Test\" content=\"big\">\n\
          <meta http-equiv=\"Set-Cookie\" content=\"bighead=1; Path=/\">\n\
          <meta http-equiv=\"Refresh\" content=\"30; url=/next\">\n\
          </head>\n<body>\n<pre>\n",
    );
    let chunk = Bytes::from(
        clientcookie_testsite::BIG_PATTERN
            .iter()
            .copied()
            .cycle()
            .take(16 * 1024)
            .collect::<Vec<u8>>(),
    );
    let mut chunks = vec![head];
    chunks.extend(std::iter::repeat_n(
        chunk,
        (BODY_BYTES as usize).div_ceil(16 * 1024),
    ));
    chunks
}

fn html_response(chunks: &[Bytes]) -> Response<Chunks> {
    let mut response = Response::new(Chunks(chunks.iter().cloned().collect()));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let site = TestSite::start_in_background().expect("the test site");
    let url = site.url(&format!("/big-html?bytes={BODY_BYTES}"));
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let layered = ServiceBuilder::new()
        .layer(HttpEquivLayer::new())
        .service(client.clone());

    let mut group = c.benchmark_group("http_equiv_50mb");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes(BODY_BYTES));

    // One whole read of the page, bare or through the layer.
    let bare_once = || {
        let mut client = client.clone();
        let url = url.clone();
        runtime.block_on(async move {
            let request = Request::get(url).body(Full::new(Bytes::new())).unwrap();
            let response = client.ready().await.unwrap().call(request).await.unwrap();
            assert!(drain(response.into_body()).await > BODY_BYTES);
        })
    };
    let layered_once = || {
        let mut service = layered.clone();
        let url = url.clone();
        runtime.block_on(async move {
            let request = Request::get(url).body(Full::new(Bytes::new())).unwrap();
            let response = service.ready().await.unwrap().call(request).await.unwrap();
            assert_eq!(response.headers()["x-test"], "big");
            assert!(drain(response.into_body()).await > BODY_BYTES);
        })
    };
    group.bench_function(BenchmarkId::new("loopback", "bare"), |b| b.iter(bare_once));
    group.bench_function(BenchmarkId::new("loopback", "http_equiv"), |b| {
        b.iter(layered_once)
    });

    // Criterion times the two one after the other, seconds apart; on a
    // shared machine the load drifts in between. Pairs timed back to back
    // (in alternating order, so neither always comes first) keep the drift
    // out of their ratio.
    let mut pairs = Vec::new();
    for i in 0..PAIRS {
        let time = |f: &dyn Fn()| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        };
        let (bare, layered) = if i % 2 == 0 {
            let bare = time(&bare_once);
            (bare, time(&layered_once))
        } else {
            let layered = time(&layered_once);
            (time(&bare_once), layered)
        };
        pairs.push((bare, layered));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "http_equiv_50mb/loopback paired x{PAIRS}: bare median {:.1} ms, http_equiv median {:.1} ms, \
         median of ratios {:.3}",
        median(pairs.iter().map(|p| p.0 * 1e3).collect()),
        median(pairs.iter().map(|p| p.1 * 1e3).collect()),
        median(pairs.iter().map(|p| p.1 / p.0).collect()),
    );

    let chunks = page();
    group.bench_function(BenchmarkId::new("in_memory", "bare"), |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = html_response(&chunks);
                assert!(drain(response.into_body()).await > BODY_BYTES);
            })
        })
    });
    group.bench_function(BenchmarkId::new("in_memory", "http_equiv"), |b| {
        b.iter(|| {
            runtime.block_on(async {
                let inner = tower::service_fn(|_: Request<()>| async {
                    Ok::<_, Infallible>(html_response(&chunks))
                });
                let mut service = ServiceBuilder::new()
                    .layer(HttpEquivLayer::new())
                    .service(inner);
                let response = service
                    .ready()
                    .await
                    .unwrap()
                    .call(Request::new(()))
                    .await
                    .unwrap();
                assert_eq!(response.headers()["refresh"], "30; url=/next");
                assert!(drain(response.into_body()).await > BODY_BYTES);
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
