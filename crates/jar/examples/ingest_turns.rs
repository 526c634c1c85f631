//! Times ingest of a workload corpus (`shared/bench/WORKLOAD.md`) on our jar
//! and on `cookie_store` 0.22 in turns, in one process: a quicker second
//! opinion next to the criterion bench (`benches/workload.rs`), whose
//! `ingest` group it mirrors (a whole jar per iteration from every SET line,
//! jars kept alive in batches and dropped untimed, as criterion's
//! `iter_with_large_drop` does).
//!
//! ```sh
//! cargo build --release -p clientcookie-jar --example ingest_turns
//! # CORPUS, ROUNDS (turns of each jar), BATCH (jars built per timed turn)
//! target/release/examples/ingest_turns bench-data/small.corpus 200 10
//! target/release/examples/ingest_turns bench-data/large.corpus 10 2
//! ```
//!
//! Prints ns per cookie for each jar (fastest turn, 10th percentile and
//! median) and the ratio cookie_store / ours of each. On a shared machine
//! the fastest turns say most about the code.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use clientcookie_jar::{CookieJar, CookieRequest, Limits};
use cookie_store::CookieStore;
use url::Url;

struct Set {
    request: CookieRequest,
    url: Url,
    value: String,
}

fn ours(sets: &[Set]) -> CookieJar {
    let mut jar = CookieJar::builder()
        .limits(Limits {
            max_cookies: sets.len().max(Limits::default().max_cookies),
            ..Limits::default()
        })
        .build();
    for set in sets {
        let _ = black_box(jar.set_cookie_from_header(&set.request, set.value.as_bytes()));
    }
    jar
}

fn cookie_store(sets: &[Set]) -> CookieStore {
    let mut store = CookieStore::default();
    for set in sets {
        let _ = black_box(store.parse(&set.value, &set.url));
    }
    store
}

/// ns per cookie of building `batch` jars with `build`, kept alive until
/// the clock has stopped.
fn turn<J>(sets: &[Set], batch: usize, build: fn(&[Set]) -> J) -> f64 {
    let mut jars = Vec::with_capacity(batch);
    let start = Instant::now();
    for _ in 0..batch {
        jars.push(build(sets));
    }
    let ns = start.elapsed().as_nanos() as f64;
    drop(black_box(jars));
    ns / (batch * sets.len().max(1)) as f64
}

/// Fastest, 10th percentile and median of `times` (sorted here).
fn stats(times: &mut [f64]) -> [f64; 3] {
    times.sort_by(f64::total_cmp);
    [times[0], times[times.len() / 10], times[times.len() / 2]]
}

fn run() -> Result<(), String> {
    let usage = "usage: ingest_turns CORPUS ROUNDS BATCH";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, rounds, batch] = args.as_slice() else {
        return Err(usage.into());
    };
    let rounds: usize = rounds.parse().map_err(|_| usage)?;
    let batch: usize = batch.parse().map_err(|_| usage)?;
    if rounds == 0 || batch == 0 {
        return Err(usage.into());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut sets = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("SET ") {
            let (url, value) = rest.split_once('\t').ok_or("a SET line without a TAB")?;
            sets.push(Set {
                request: CookieRequest::parse(url).map_err(|e| format!("{url}: {e}"))?,
                url: Url::parse(url).map_err(|e| format!("{url}: {e}"))?,
                value: value.to_owned(),
            });
        }
    }
    // One untimed turn each: the corpus and the code are warm for both.
    turn(&sets, 1, ours);
    turn(&sets, 1, cookie_store);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        a.push(turn(&sets, batch, ours));
        b.push(turn(&sets, batch, cookie_store));
    }
    let (a, b) = (stats(&mut a), stats(&mut b));
    println!(
        "{path}: {} cookies, {rounds} turns of {batch} jars each",
        sets.len()
    );
    println!("ns per cookie   fastest      p10   median");
    println!("ours          {:9.1} {:8.1} {:8.1}", a[0], a[1], a[2]);
    println!("cookie_store  {:9.1} {:8.1} {:8.1}", b[0], b[1], b[2]);
    println!(
        "ratio         {:8.2}x {:7.2}x {:7.2}x",
        b[0] / a[0],
        b[1] / a[1],
        b[2] / a[2]
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ingest_turns: {e}");
            ExitCode::FAILURE
        }
    }
}
