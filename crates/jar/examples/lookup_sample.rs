//! Answers the criterion bench's 1,000-GET lookup sample (every k-th GET of
//! a workload corpus, `shared/bench/WORKLOAD.md`) on a jar built from the
//! corpus's SET lines: a small, deterministic program for counting cache
//! misses per lookup with callgrind, and a second timing of the lookup
//! growth from one corpus to another that alternates the two jars.
//!
//! ```sh
//! # misses: run with ROUNDS = 1 and 3, subtract, divide by 2,000 lookups
//! valgrind --tool=callgrind --cache-sim=yes --D1=32768,8,64 --LL=1048576,16,64 \
//!     --toggle-collect='*lookup_sample*answer*' \
//!     target/release/examples/lookup_sample bench-data/large.corpus 3
//! # time: SMALL and LARGE alternately, ROUNDS times 5 passes each (after
//! # 2 untimed ones); prints the fastest, the 10th percentile and the
//! # median ns per GET
//! target/release/examples/lookup_sample --time bench-data/small.corpus bench-data/large.corpus 300
//! ```
//!
//! On a shared machine the fastest rounds say most about the code: the
//! median moves with whatever else runs.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use clientcookie_jar::{CookieJar, CookieRequest, Limits};

/// Answer `sample` `rounds` times; the total length of the headers.
#[inline(never)]
fn answer(jar: &mut CookieJar, sample: &[CookieRequest], rounds: usize) -> usize {
    let mut total = 0;
    for _ in 0..rounds {
        for request in sample {
            total += black_box(jar.cookie_header(request)).map_or(0, |h| h.len());
        }
    }
    total
}

/// The jar built from `path`'s SET lines and the 1,000-GET sample, as the
/// criterion bench takes them.
fn load(path: &str) -> Result<(CookieJar, Vec<CookieRequest>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut sets = Vec::new();
    let mut gets = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("SET ") {
            let (url, value) = rest.split_once('\t').ok_or("a SET line without a TAB")?;
            let request = CookieRequest::parse(url).map_err(|e| format!("{url}: {e}"))?;
            sets.push((request, value));
        } else if let Some(url) = line.strip_prefix("GET ") {
            gets.push(CookieRequest::parse(url).map_err(|e| format!("{url}: {e}"))?);
        }
    }
    let mut jar = CookieJar::builder()
        .limits(Limits {
            max_cookies: sets.len().max(Limits::default().max_cookies),
            ..Limits::default()
        })
        .build();
    for (request, value) in &sets {
        let _ = jar.set_cookie_from_header(request, value.as_bytes());
    }
    let n = gets.len().min(1_000);
    let sample = (0..n).map(|i| gets[i * gets.len() / n].clone()).collect();
    Ok((jar, sample))
}

/// ns per GET of 5 passes over the sample, after 2 untimed ones: the other
/// jar's pass has just pushed this one's lines out of the cache, and
/// criterion times a jar already warm.
fn time(jar: &mut CookieJar, sample: &[CookieRequest]) -> f64 {
    answer(jar, sample, 2);
    let start = Instant::now();
    answer(jar, sample, 5);
    start.elapsed().as_nanos() as f64 / (5 * sample.len().max(1)) as f64
}

fn run() -> Result<(), String> {
    let usage = "usage: lookup_sample CORPUS [ROUNDS] | --time SMALL LARGE ROUNDS";
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, small, large, rounds] if flag == "--time" => {
            let rounds: usize = rounds.parse().map_err(|_| usage)?;
            let (mut small_jar, small_sample) = load(small)?;
            let (mut large_jar, large_sample) = load(large)?;
            let (mut s, mut l) = (Vec::new(), Vec::new());
            for _ in 0..rounds.max(1) {
                s.push(time(&mut small_jar, &small_sample));
                l.push(time(&mut large_jar, &large_sample));
            }
            s.sort_by(f64::total_cmp);
            l.sort_by(f64::total_cmp);
            let at = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q) as usize];
            for (label, q) in [("fastest", 0.0), ("p10", 0.1), ("median", 0.5)] {
                let (a, b) = (at(&s, q), at(&l, q));
                print!("{label} {a:.1} → {b:.1} ns = {:.3}×  ", b / a);
            }
            println!();
            Ok(())
        }
        [corpus] | [corpus, _] => {
            let rounds = match args.get(1) {
                Some(r) => r.parse().map_err(|_| usage)?,
                None => 1,
            };
            let (mut jar, sample) = load(corpus)?;
            println!("{}", answer(&mut jar, &sample, rounds));
            Ok(())
        }
        _ => Err(usage.to_owned()),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
