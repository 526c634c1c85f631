//! The shared cookie-jar workload (`shared/bench/WORKLOAD.md`) on our jar and
//! on two peers, in one run: `cookie_store` 0.22 and `reqwest::cookie::Jar`.
//!
//! ```sh
//! cargo bench -p clientcookie-jar --bench workload
//! CLIENTCOOKIE_BENCH_SIZES=small cargo bench -p clientcookie-jar --bench workload
//! ```
//!
//! Groups: `ingest/<size>/<impl>` builds a jar from all `SET` lines (one
//! element = one cookie); `lookup/<size>/<impl>` produces the `Cookie` header
//! for a fixed sample of `GET`s (one element = one GET, so criterion's
//! throughput is GETs per second). The peers look at every cookie in the jar
//! for each lookup, so their sample is smaller on the larger corpora;
//! `ours@<n>` measures our jar on exactly the peers' sample as well.
//!
//! The corpora come from `<workspace>/bench-data/` (or
//! `CLIENTCOOKIE_BENCH_DATA`); a missing one is generated with
//! `python3 <shared>/bench/gen_workload.py`, where `<shared>` is the
//! `shared` directory next to the workspace (or one level further up, as for
//! a worktree), or `CLIENTCOOKIE_BENCH_SHARED`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clientcookie_jar::{CookieJar, CookieRequest, Limits};
use cookie_store::CookieStore;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use reqwest::cookie::{CookieStore as _, Jar as ReqwestJar};
use reqwest::header::HeaderValue;
use url::Url;

/// One corpus, with every URL parsed for each implementation.
struct Corpus {
    size: String,
    sets: Vec<Set>,
    gets: Vec<Get>,
}

struct Set {
    request: CookieRequest,
    url: Url,
    value: String,
    header: HeaderValue,
}

struct Get {
    request: CookieRequest,
    url: Url,
}

fn workspace_root() -> PathBuf {
    // crates/jar -> workspace root
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/jar has a workspace root two levels up")
        .to_path_buf()
}

fn generator() -> PathBuf {
    let relative = Path::new("bench").join("gen_workload.py");
    if let Some(dir) = std::env::var_os("CLIENTCOOKIE_BENCH_SHARED") {
        return PathBuf::from(dir).join(relative);
    }
    let root = workspace_root();
    let candidates: Vec<PathBuf> = root
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("shared").join(&relative))
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "workload bench: the corpus generator is missing; looked for {} \
                 (set CLIENTCOOKIE_BENCH_SHARED to the shared directory)",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        })
}

fn data_dir() -> PathBuf {
    std::env::var_os("CLIENTCOOKIE_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("bench-data"))
}

/// `<data>/<size>.corpus`, generated first when missing.
fn corpus_path(size: &str) -> PathBuf {
    let dir = data_dir();
    let path = dir.join(format!("{size}.corpus"));
    if path.is_file() {
        return path;
    }
    let script = generator();
    eprintln!(
        "workload bench: generating {} with {}",
        path.display(),
        script.display()
    );
    let status = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .args(["--sizes", size, "--no-expected"])
        .status()
        .unwrap_or_else(|e| {
            panic!("workload bench: cannot run python3 (needed to generate the corpus): {e}")
        });
    assert!(
        status.success(),
        "workload bench: {} {} failed: {status}",
        script.display(),
        dir.display()
    );
    assert!(
        path.is_file(),
        "workload bench: {} did not produce {}",
        script.display(),
        path.display()
    );
    path
}

fn load(size: &str) -> Corpus {
    let path = corpus_path(size);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("workload bench: {}: {e}", path.display()));
    let mut sets = Vec::new();
    let mut gets = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("SET ") {
            let (url, value) = rest.split_once('\t').expect("SET line has a TAB");
            sets.push(Set {
                request: CookieRequest::parse(url).expect("SET URL parses"),
                url: Url::parse(url).expect("SET URL parses"),
                value: value.to_owned(),
                header: HeaderValue::from_str(value).expect("Set-Cookie value is a header"),
            });
        } else if let Some(url) = line.strip_prefix("GET ") {
            gets.push(Get {
                request: CookieRequest::parse(url).expect("GET URL parses"),
                url: Url::parse(url).expect("GET URL parses"),
            });
        }
    }
    Corpus {
        size: size.to_owned(),
        sets,
        gets,
    }
}

// ----- the three implementations ----------------------------------------------

fn ours_ingest(corpus: &Corpus) -> CookieJar {
    let mut jar = CookieJar::builder()
        .limits(Limits {
            max_cookies: corpus.sets.len().max(Limits::default().max_cookies),
            ..Limits::default()
        })
        .build();
    for set in &corpus.sets {
        let _ = black_box(jar.set_cookie_from_header(&set.request, set.value.as_bytes()));
    }
    jar
}

fn ours_lookup(jar: &mut CookieJar, get: &Get) -> Option<String> {
    jar.cookie_header(&get.request)
}

fn cookie_store_ingest(corpus: &Corpus) -> CookieStore {
    let mut store = CookieStore::default();
    for set in &corpus.sets {
        let _ = black_box(store.parse(&set.value, &set.url));
    }
    store
}

fn cookie_store_lookup(store: &CookieStore, get: &Get) -> Option<String> {
    let mut header = String::new();
    for (name, value) in store.get_request_values(&get.url) {
        if !header.is_empty() {
            header.push_str("; ");
        }
        header.push_str(name);
        header.push('=');
        header.push_str(value);
    }
    (!header.is_empty()).then_some(header)
}

fn reqwest_ingest(corpus: &Corpus) -> ReqwestJar {
    let jar = ReqwestJar::default();
    for set in &corpus.sets {
        jar.set_cookies(&mut std::iter::once(&set.header), &set.url);
    }
    jar
}

fn reqwest_lookup(jar: &ReqwestJar, get: &Get) -> Option<HeaderValue> {
    jar.cookies(&get.url)
}

// ----- set-up -------------------------------------------------------------------

/// `n` GETs spread evenly over the corpus (every `len / n`-th).
fn sample(gets: &[Get], n: usize) -> Vec<&Get> {
    let n = n.min(gets.len()).max(1);
    (0..n).map(|i| &gets[i * gets.len() / n]).collect()
}

/// How many GETs the peers answer per iteration: they scan the whole jar.
fn peer_sample_len(size: &str) -> usize {
    match size {
        "small" => 500,
        "medium" => 100,
        _ => 20,
    }
}

fn sorted_pairs(header: Option<&str>) -> Vec<String> {
    let mut pairs: Vec<String> = header
        .unwrap_or("")
        .split("; ")
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    pairs.sort_unstable();
    pairs
}

/// The three jars must send the same pairs on the sample, or the comparison
/// means nothing.
fn check_agreement(
    size: &str,
    ours: &mut CookieJar,
    store: &CookieStore,
    reqwest: &ReqwestJar,
    gets: &[&Get],
) {
    for get in gets {
        let a = sorted_pairs(ours_lookup(ours, get).as_deref());
        let b = sorted_pairs(cookie_store_lookup(store, get).as_deref());
        let c = reqwest_lookup(reqwest, get);
        let c = sorted_pairs(c.as_ref().map(|h| h.to_str().expect("ASCII header")));
        assert!(
            a == b && b == c,
            "workload bench ({size}): jars disagree for {}: ours {a:?}, cookie_store {b:?}, reqwest {c:?}",
            get.url
        );
    }
}

fn sizes() -> Vec<String> {
    std::env::var("CLIENTCOOKIE_BENCH_SIZES")
        .unwrap_or_else(|_| "small,medium,large".to_owned())
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn bench_size(c: &mut Criterion, corpus: &Corpus) {
    let size = corpus.size.as_str();
    let large = corpus.sets.len() >= 50_000;

    // Ingest: build a whole jar per iteration; dropping it is not timed.
    let mut group = c.benchmark_group(format!("ingest/{size}"));
    group.throughput(Throughput::Elements(corpus.sets.len() as u64));
    group.warm_up_time(Duration::from_secs(1));
    if corpus.sets.len() >= 5_000 {
        // One iteration takes tens to hundreds of milliseconds.
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if large { 8 } else { 4 }));
    } else {
        group.sample_size(30);
        group.measurement_time(Duration::from_secs(3));
    }
    group.bench_function("ours", |b| b.iter_with_large_drop(|| ours_ingest(corpus)));
    group.bench_function("cookie_store", |b| {
        b.iter_with_large_drop(|| cookie_store_ingest(corpus))
    });
    group.bench_function("reqwest", |b| {
        b.iter_with_large_drop(|| reqwest_ingest(corpus))
    });
    group.finish();

    // Lookup: one jar per implementation, built once.
    let mut ours = ours_ingest(corpus);
    let store = cookie_store_ingest(corpus);
    let reqwest = reqwest_ingest(corpus);
    let ours_sample = sample(&corpus.gets, 1_000);
    let peer_sample = sample(&corpus.gets, peer_sample_len(size));
    check_agreement(size, &mut ours, &store, &reqwest, &ours_sample[..]);

    let mut group = c.benchmark_group(format!("lookup/{size}"));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);

    group.throughput(Throughput::Elements(ours_sample.len() as u64));
    group.bench_function("ours", |b| {
        b.iter(|| {
            for get in &ours_sample {
                black_box(ours_lookup(&mut ours, get));
            }
        })
    });

    group.throughput(Throughput::Elements(peer_sample.len() as u64));
    group.bench_function(format!("ours@{}", peer_sample.len()), |b| {
        b.iter(|| {
            for get in &peer_sample {
                black_box(ours_lookup(&mut ours, get));
            }
        })
    });
    if corpus.sets.len() >= 5_000 {
        // A peer iteration takes tens to hundreds of milliseconds.
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
    }
    group.bench_function("cookie_store", |b| {
        b.iter(|| {
            for get in &peer_sample {
                black_box(cookie_store_lookup(&store, get));
            }
        })
    });
    group.bench_function("reqwest", |b| {
        b.iter(|| {
            for get in &peer_sample {
                black_box(reqwest_lookup(&reqwest, get));
            }
        })
    });
    group.finish();
}

fn workload(c: &mut Criterion) {
    for size in sizes() {
        let corpus = load(&size);
        bench_size(c, &corpus);
    }
}

criterion_group!(benches, workload);
criterion_main!(benches);
