//! Loading and saving large cookie files: 100,000 cookies in a
//! `cookies.txt` and in an LWP file.
//!
//! ```sh
//! cargo bench -p clientcookie-jar --bench files
//! CLIENTCOOKIE_BENCH_FILE_COOKIES=10000 cargo bench -p clientcookie-jar --bench files
//! ```
//!
//! Groups, each for `mozilla` and `lwp` (one element = one cookie):
//!
//! - `files/parse/<format>`: the reader alone, on the file's bytes in memory
//!   (dropping the cookies is timed too);
//! - `files/load/<format>`: `store::load` from the file into a fresh jar
//!   (limits raised so that every cookie is kept): open, read, parse, store;
//! - `files/save/<format>`: `store::save` of that jar: write, `fsync`,
//!   rename;
//! - `files/write/<format>`: `store::write_to` into a `Vec`: the save
//!   without the file.
//!
//! `benches/files_vs_python.py` compares the same operations with Python's
//! `MozillaCookieJar` and `LWPCookieJar`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use clientcookie_jar::store::{self, Format, LoadOptions, SaveOptions};
use clientcookie_jar::{Cookie, CookieJar, Limits};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ALL: SaveOptions = SaveOptions {
    ignore_discard: true,
    ignore_expires: false,
};
const KEEP_ALL: LoadOptions = LoadOptions {
    ignore_discard: true,
    ignore_expires: false,
};

fn fresh_jar() -> CookieJar {
    CookieJar::builder()
        .limits(Limits {
            max_cookies: 10_000_000,
            max_cookies_per_site: 10_000_000,
            ..Limits::default()
        })
        .build()
}

/// `n` cookies, the same ones every time: 10 per site, host and domain
/// cookies, a few paths, Secure and HttpOnly ones, far expiry times.
fn cookies(n: usize) -> Vec<Cookie> {
    // xorshift64*: deterministic and dependency-free.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const PATHS: [&str; 6] = ["/", "/", "/", "/account", "/shop/cart", "/docs/v2/"];
    const TLDS: [&str; 5] = ["com", "org", "net", "co.uk", "de"];
    (0..n)
        .map(|i| {
            let site = format!("site{}.example.{}", i / 10, TLDS[(i / 10) % TLDS.len()]);
            let domain_cookie = next() % 2 == 0;
            let host = if domain_cookie {
                site
            } else {
                format!("www.{site}")
            };
            let len = 8 + (next() % 33) as usize;
            let value: String = (0..len)
                .map(|_| char::from(ALPHABET[(next() % ALPHABET.len() as u64) as usize]))
                .collect();
            let path = PATHS[(next() % PATHS.len() as u64) as usize];
            let mut c = Cookie::new(format!("c{}_{}", i % 10, next() % 1000), value, host, path);
            c.host_only = !domain_cookie;
            c.domain_specified = domain_cookie;
            c.domain_initial_dot = domain_cookie;
            c.secure = next() % 10 < 4;
            c.http_only = next() % 10 < 3;
            c.expires = Some(2_000_000_000 + (next() % 1_000_000_000) as i64);
            c
        })
        .collect()
}

fn bench_files(c: &mut Criterion) {
    let n: usize = std::env::var("CLIENTCOOKIE_BENCH_FILE_COOKIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("clientcookie-bench-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let mut source = fresh_jar();
    for cookie in cookies(n) {
        source.set_cookie(cookie).expect("a cookie the jar takes");
    }
    let stored = source.len();

    for (format, name) in [
        (Format::Mozilla, "cookies.txt"),
        (Format::Lwp, "cookies.lwp"),
    ] {
        let path: PathBuf = dir.join(name);
        assert_eq!(
            store::save(&source, &path, format, ALL).expect("save"),
            stored
        );
        let bytes = std::fs::read(&path).expect("read back");

        let mut group = c.benchmark_group("files");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5))
            .throughput(Throughput::Elements(stored as u64));

        group.bench_function(format!("parse/{}", format.name()), |b| {
            b.iter(|| {
                let cookies = match format {
                    Format::Lwp => store::read_lwp(&bytes[..]),
                    _ => store::read_mozilla(&bytes[..]),
                }
                .expect("parse");
                black_box(cookies.len())
            })
        });
        if format == Format::Mozilla {
            // The one-scan reader of a file in memory, which `load` uses.
            group.bench_function("parse-bytes/mozilla", |b| {
                b.iter(|| {
                    let cookies = store::mozilla::read_mozilla_bytes(&bytes).expect("parse");
                    black_box(cookies.len())
                })
            });
        }
        group.bench_function(format!("load/{}", format.name()), |b| {
            b.iter_with_large_drop(|| {
                let mut jar = fresh_jar();
                let n = store::load(&mut jar, &path, format, KEEP_ALL).expect("load");
                assert_eq!(n, stored);
                jar
            })
        });
        let out = dir.join(format!("{name}.out"));
        group.bench_function(format!("save/{}", format.name()), |b| {
            b.iter(|| black_box(store::save(&source, &out, format, ALL).expect("save")))
        });
        group.bench_function(format!("write/{}", format.name()), |b| {
            let mut buf = Vec::with_capacity(bytes.len());
            b.iter(|| {
                buf.clear();
                black_box(store::write_to(&source, &mut buf, format, ALL).expect("write"))
            })
        });
        group.finish();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_files);
criterion_main!(benches);
