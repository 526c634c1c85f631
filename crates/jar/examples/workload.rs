//! Runs the shared cookie-jar benchmark workload (`shared/bench/WORKLOAD.md`)
//! on our jar and prints one JSON line.
//!
//! ```sh
//! python3 ../shared/bench/gen_workload.py bench-data
//! cargo run --release -p clientcookie-jar --example workload -- \
//!     bench-data/small.corpus [--dump FILE] [--policy rfc6265|python]
//! ```
//!
//! Every URL is parsed into a [`CookieRequest`] before the clock starts.
//! Ingest times all `SET` lines in file order; lookup times each `GET` on its
//! own, producing the full `Cookie` header string. `pairs` and `checksum`
//! (sum of the CRC-32 of each `name=value` pair, mod 2^64) are comparable
//! with `<size>.expected-rfc6265` (default policy) or `<size>.expected`
//! (`--policy python`); `--dump` writes `<GET index>\t<header>` per GET for
//! `shared/bench/compare.py`.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use clientcookie_jar::{CookieJar, CookieRequest, DefaultCookiePolicy, DomainStrictness, Limits};

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as `zlib.crc32`.
struct Crc32 {
    table: [u32; 256],
}

impl Crc32 {
    fn new() -> Crc32 {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        Crc32 { table }
    }

    fn checksum(&self, bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc = self.table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
        }
        !crc
    }
}

enum Policy {
    Rfc6265,
    Python,
}

struct Args {
    corpus: String,
    dump: Option<String>,
    policy: Policy,
}

fn usage() -> String {
    "usage: workload CORPUS [--dump FILE] [--policy rfc6265|python]".to_owned()
}

fn parse_args() -> Result<Args, String> {
    let mut corpus = None;
    let mut dump = None;
    let mut policy = Policy::Rfc6265;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dump" => dump = Some(args.next().ok_or_else(usage)?),
            "--policy" => {
                policy = match args.next().as_deref() {
                    Some("rfc6265") => Policy::Rfc6265,
                    Some("python") => Policy::Python,
                    _ => return Err(usage()),
                }
            }
            "-h" | "--help" => return Err(usage()),
            _ if corpus.is_none() && !arg.starts_with("--") => corpus = Some(arg),
            _ => return Err(usage()),
        }
    }
    Ok(Args {
        corpus: corpus.ok_or_else(usage)?,
        dump,
        policy,
    })
}

/// The corpus: SET requests with their header values, then GET requests.
struct Corpus {
    size: String,
    sets: Vec<(CookieRequest, Vec<u8>)>,
    gets: Vec<CookieRequest>,
}

fn load(path: &str) -> Result<Corpus, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut size = String::from("?");
    let mut sets = Vec::new();
    let mut gets = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = || format!("{path}:{}", n + 1);
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(s) = comment
                .split_whitespace()
                .find_map(|w| w.strip_prefix("size="))
            {
                size = s.to_owned();
            }
        } else if let Some(rest) = line.strip_prefix("SET ") {
            let (url, value) = rest
                .split_once('\t')
                .ok_or_else(|| format!("{}: SET line without TAB", at()))?;
            let request = CookieRequest::parse(url).map_err(|e| format!("{}: {url}: {e}", at()))?;
            sets.push((request, value.as_bytes().to_vec()));
        } else if let Some(url) = line.strip_prefix("GET ") {
            let request = CookieRequest::parse(url).map_err(|e| format!("{}: {url}: {e}", at()))?;
            gets.push(request);
        } else if !line.is_empty() {
            return Err(format!("{}: unknown line", at()));
        }
    }
    Ok(Corpus { size, sets, gets })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank.
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn run(args: &Args) -> Result<(), String> {
    let corpus = load(&args.corpus)?;
    let limits = Limits {
        max_cookies: corpus.sets.len().max(Limits::default().max_cookies),
        ..Limits::default()
    };
    let builder = CookieJar::builder().limits(limits);
    let (mut jar, policy_name) = match args.policy {
        Policy::Rfc6265 => (builder.build(), "rfc6265"),
        Policy::Python => (
            builder
                .policy(DefaultCookiePolicy {
                    strict_ns_domain: DomainStrictness::LIBERAL,
                    ..DefaultCookiePolicy::default()
                })
                .build(),
            "python",
        ),
    };

    // Ingest: every SET in file order.
    let mut refused = 0usize;
    let mut first_refusal = None;
    let start = Instant::now();
    for (i, (request, value)) in corpus.sets.iter().enumerate() {
        if let Err(reason) = jar.set_cookie_from_header(request, value) {
            refused += 1;
            first_refusal.get_or_insert((i, reason));
        }
    }
    let ingest = start.elapsed();
    if let Some((i, reason)) = first_refusal {
        eprintln!(
            "workload: {refused} cookies refused; first: SET #{i} {:?}: {reason}",
            String::from_utf8_lossy(&corpus.sets[i].1)
        );
    }

    // Lookup: each GET on its own.
    let mut times_us = Vec::with_capacity(corpus.gets.len());
    let mut headers: Vec<Option<String>> = Vec::with_capacity(corpus.gets.len());
    for request in &corpus.gets {
        let start = Instant::now();
        let header = jar.cookie_header(request);
        let elapsed = start.elapsed();
        times_us.push(elapsed.as_secs_f64() * 1e6);
        headers.push(header);
    }
    let lookup_total_us: f64 = times_us.iter().sum();
    times_us.sort_unstable_by(f64::total_cmp);

    let crc = Crc32::new();
    let mut pairs = 0u64;
    let mut checksum = 0u64;
    let mut gets_with_cookies = 0usize;
    for header in headers.iter().flatten() {
        gets_with_cookies += 1;
        for pair in header.split("; ") {
            pairs += 1;
            checksum = checksum.wrapping_add(u64::from(crc.checksum(pair.as_bytes())));
        }
    }

    if let Some(path) = &args.dump {
        let mut out = String::with_capacity(headers.len() * 64);
        for (i, header) in headers.iter().enumerate() {
            let _ = writeln!(out, "{i}\t{}", header.as_deref().unwrap_or(""));
        }
        std::fs::write(path, out).map_err(|e| format!("{path}: {e}"))?;
    }

    let n = corpus.sets.len().max(1) as f64;
    let g = corpus.gets.len().max(1) as f64;
    println!(
        concat!(
            "{{\"impl\":\"clientcookie-jar\",\"size\":\"{}\",\"policy\":\"{}\",",
            "\"cookies\":{},\"stored\":{},\"refused\":{},\"gets\":{},",
            "\"ingest_ms\":{:.3},\"ingest_us_per_cookie\":{:.3},",
            "\"lookup_us_median\":{:.3},\"lookup_us_p99\":{:.3},\"lookup_us_mean\":{:.3},",
            "\"pairs\":{},\"gets_with_cookies\":{},\"checksum\":\"{:016x}\"}}"
        ),
        corpus.size,
        policy_name,
        corpus.sets.len(),
        jar.len(),
        refused,
        corpus.gets.len(),
        ingest.as_secs_f64() * 1e3,
        ingest.as_secs_f64() * 1e6 / n,
        median(&times_us),
        percentile(&times_us, 0.99),
        lookup_total_us / g,
        pairs,
        gets_with_cookies,
        checksum,
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("workload: {message}");
            ExitCode::FAILURE
        }
    }
}
