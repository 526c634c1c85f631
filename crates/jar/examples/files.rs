//! Times loading and saving cookie files, for `benches/files_vs_python.py`
//! (which runs Python's `MozillaCookieJar` / `LWPCookieJar` on the same
//! files).
//!
//! ```sh
//! cargo run --release -p clientcookie-jar --example files -- \
//!     mozilla:cookies.txt lwp:cookies.lwp [--runs 5] [--out-dir DIR]
//! ```
//!
//! For each `FORMAT:PATH` it takes the best of `--runs`:
//!
//! - `load`: `store::load` of the file into a fresh jar (limits raised so
//!   that every cookie is kept, as Python's jar keeps them), the whole
//!   thing: open, parse, store in the jar;
//! - `save`: `store::save` of that jar to `DIR/<name>.out` (default: next
//!   to the input), which writes a temporary file, `fsync`s it and renames
//!   it over the previous one (Python's `save` does not `fsync`);
//! - `save-nosync`: the same text written to a buffered file without the
//!   `fsync` and rename, to compare like with like.
//!
//! One JSON object per line on stdout:
//! `{"format":"mozilla","op":"load","cookies":100000,"best_ms":41.2}`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clientcookie_jar::store::{self, Format, LoadOptions, SaveOptions};
use clientcookie_jar::{CookieJar, Limits};

fn usage() -> ExitCode {
    eprintln!("usage: files FORMAT:PATH... [--runs N] [--out-dir DIR]   (FORMAT: mozilla, lwp, json, msie, sqlite)");
    ExitCode::from(2)
}

fn fresh_jar() -> CookieJar {
    CookieJar::builder()
        .limits(Limits {
            max_cookies: 10_000_000,
            max_cookies_per_site: 10_000_000,
            ..Limits::default()
        })
        .build()
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

fn report(format: Format, op: &str, cookies: usize, time: Duration) {
    println!(
        "{{\"format\":\"{}\",\"op\":\"{op}\",\"cookies\":{cookies},\"best_ms\":{:.3}}}",
        format.name(),
        time.as_secs_f64() * 1000.0
    );
}

fn main() -> ExitCode {
    let mut files = Vec::new();
    let mut runs = 5;
    let mut out_dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => return usage(),
            },
            "--out-dir" => match args.next() {
                Some(dir) => out_dir = Some(dir.into()),
                None => return usage(),
            },
            spec => match spec.split_once(':') {
                Some((format, path)) => match format.parse::<Format>() {
                    Ok(format) => files.push((format, PathBuf::from(path))),
                    Err(e) => {
                        eprintln!("{e}");
                        return usage();
                    }
                },
                None => return usage(),
            },
        }
    }
    if files.is_empty() {
        return usage();
    }
    let keep_all = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let save_all = SaveOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    for (format, path) in files {
        let (load_time, (jar, n)) = best(runs, || {
            let mut jar = fresh_jar();
            match store::load(&mut jar, &path, format, keep_all) {
                Ok(n) => (jar, n),
                Err(e) => panic!("{}: {e}", path.display()),
            }
        });
        report(format, "load", n, load_time);
        if !format.can_save() {
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let out = out_dir
            .clone()
            .unwrap_or_else(|| path.parent().map(PathBuf::from).unwrap_or_default())
            .join(format!("{}.out", name.unwrap_or_else(|| "cookies".into())));
        let (save_time, written) = best(runs, || match store::save(&jar, &out, format, save_all) {
            Ok(n) => n,
            Err(e) => panic!("{}: {e}", out.display()),
        });
        report(format, "save", written, save_time);
        let now = jar.now();
        let (nosync_time, written) = best(runs, || {
            let file = File::create(&out).expect("create the output");
            let mut w = BufWriter::with_capacity(64 * 1024, file);
            let n = match format {
                Format::Lwp => store::write_lwp(&mut w, jar.iter(), save_all, now),
                Format::Mozilla => store::write_mozilla(&mut w, jar.iter(), save_all, now),
                _ => return 0,
            }
            .expect("write");
            w.flush().expect("flush");
            n
        });
        if written > 0 {
            report(format, "save-nosync", written, nosync_time);
        }
    }
    ExitCode::SUCCESS
}
