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
//! - `save-nosync`: the same text written with `store::write_to` straight
//!   to the file, without the temporary file, `fsync` and rename, to
//!   compare like with like;
//! - `save-bytes`: `store::atomic::save_with` of the same text, formatted
//!   beforehand (not timed), in 128 KiB pieces: what the atomic save costs
//!   without any formatting, the floor for `save` on this disk.
//!
//! - `parse` and `store`: the two halves of `load`, timed apart:
//!   `CookieFile::read` (open, read, parse into a `Vec<Cookie>`) and
//!   storing those cookies in a fresh jar with `set_cookie`;
//! - `format`: `store::write_to` into a `Vec` in memory (no file; the same
//!   buffer each run): the formatting half of `save`, with the cookies put
//!   in stored order.
//!
//! `--ops load,save,...` runs only those (default: all; `load` always runs,
//! as the others need its jar, but is reported only when asked for).
//!
//! One JSON object per line on stdout, with the best wall-clock time and
//! the best on-CPU time of the process, all threads
//! (`CLOCK_PROCESS_CPUTIME_ID`, which a busy machine disturbs less; `null`
//! where unavailable):
//! `{"format":"mozilla","op":"load","cookies":100000,"best_ms":41.2,"best_cpu_ms":40.8}`.

use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clientcookie_jar::store::{self, CookieFile, Format, LoadOptions, SaveOptions};
use clientcookie_jar::{CookieJar, Limits};

fn usage() -> ExitCode {
    eprintln!("usage: files FORMAT:PATH... [--runs N] [--out-dir DIR] [--ops load,parse,store,save,save-nosync,save-bytes,format]   (FORMAT: mozilla, lwp, json, msie, sqlite)");
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

/// The process's time on a CPU so far, all threads, in nanoseconds
/// (`CLOCK_PROCESS_CPUTIME_ID`, what Python's `time.process_time` reads;
/// a large save writes the file from a second thread, whose time counts).
#[cfg(unix)]
fn process_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(not(unix))]
fn process_cpu_ns() -> Option<u64> {
    None
}

/// glibc's `free` of small chunks is partly deferred: the next large
/// allocation merges them all (`malloc_consolidate`), which after a dropped
/// 100,000-cookie jar costs milliseconds. A large allocation here makes
/// that happen outside the clock, as Python's jar is freed outside its
/// clock too (pymalloc defers nothing). Memory is not given back to the
/// system (`malloc_trim` would, and every run would then pay page faults).
fn release_freed_memory() {
    drop(std::hint::black_box(Vec::<u8>::with_capacity(64 * 1024)));
}

struct Best {
    wall: Duration,
    cpu: Option<Duration>,
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Best, T) {
    let mut best = Best {
        wall: Duration::MAX,
        cpu: None,
    };
    let mut last = None;
    for _ in 0..runs {
        // Drop the previous result first, outside the clock, with the work
        // glibc defers from `free` (merging the freed chunks, which the next
        // large allocation would otherwise do inside the clock).
        drop(last.take());
        release_freed_memory();
        let cpu_start = process_cpu_ns();
        let start = Instant::now();
        let value = f();
        best.wall = best.wall.min(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, process_cpu_ns()) {
            let cpu = Duration::from_nanos(b.saturating_sub(a));
            best.cpu = Some(best.cpu.map_or(cpu, |c| c.min(cpu)));
        }
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

fn report(format: Format, op: &str, cookies: usize, time: &Best) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{{\"format\":\"{}\",\"op\":\"{op}\",\"cookies\":{cookies},\"best_ms\":{:.3},\"best_cpu_ms\":{}}}",
        format.name(),
        ms(time.wall),
        time.cpu
            .map_or_else(|| "null".to_string(), |c| format!("{:.3}", ms(c)))
    );
}

fn main() -> ExitCode {
    let mut files = Vec::new();
    let mut runs = 5;
    let mut out_dir: Option<PathBuf> = None;
    let mut ops: Option<Vec<String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => return usage(),
            },
            "--ops" => match args.next() {
                Some(list) => ops = Some(list.split(',').map(str::to_string).collect()),
                None => return usage(),
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
    let wants = |op: &str| ops.as_ref().is_none_or(|ops| ops.iter().any(|o| o == op));
    for (format, path) in files {
        let load_runs = if wants("load") { runs } else { 1 };
        let (load_time, (jar, n)) = best(load_runs, || {
            let mut jar = fresh_jar();
            match store::load(&mut jar, &path, format, keep_all) {
                Ok(n) => (jar, n),
                Err(e) => panic!("{}: {e}", path.display()),
            }
        });
        if wants("load") {
            report(format, "load", n, &load_time);
        }
        if wants("parse") || wants("store") {
            let file = CookieFile::new(&path, format);
            let (parse_time, cookies) = best(runs, || file.read().expect("read"));
            if wants("parse") {
                report(format, "parse", cookies.len(), &parse_time);
            }
            if wants("store") {
                // The copies to store are made outside the clock.
                let mut batches: Vec<Vec<_>> = (0..runs).map(|_| cookies.clone()).collect();
                let (store_time, stored) = best(runs, || {
                    let batch = batches.pop().unwrap_or_default();
                    let mut jar = fresh_jar();
                    let n = batch
                        .into_iter()
                        .filter_map(|c| jar.set_cookie(c).ok())
                        .count();
                    (jar, n)
                });
                report(format, "store", stored.1, &store_time);
            }
        }
        if !format.can_save() {
            continue;
        }
        if wants("format") {
            let size = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
            // One buffer for every run: the first run's page faults are not
            // formatting.
            let mut out = Vec::with_capacity(size + size / 8);
            let (format_time, written) = best(runs, || {
                out.clear();
                store::write_to(&jar, &mut out, format, save_all).expect("write")
            });
            report(format, "format", written, &format_time);
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let out = out_dir
            .clone()
            .unwrap_or_else(|| path.parent().map(PathBuf::from).unwrap_or_default())
            .join(format!("{}.out", name.unwrap_or_else(|| "cookies".into())));
        if wants("save") {
            let (save_time, written) =
                best(runs, || match store::save(&jar, &out, format, save_all) {
                    Ok(n) => n,
                    Err(e) => {
                        // The error's own message names the file; its source says why.
                        let cause = std::error::Error::source(&e)
                            .map_or_else(String::new, |c| format!(": {c}"));
                        panic!("{e}{cause}")
                    }
                });
            report(format, "save", written, &save_time);
        }
        if wants("save-nosync") && matches!(format, Format::Lwp | Format::Mozilla) {
            let (nosync_time, written) = best(runs, || {
                let mut w = File::create(&out).expect("create the output");
                store::write_to(&jar, &mut w, format, save_all).expect("write")
            });
            report(format, "save-nosync", written, &nosync_time);
        }
        if wants("save-bytes") {
            let mut text = Vec::new();
            let written = store::write_to(&jar, &mut text, format, save_all).expect("write");
            let (bytes_time, ()) = best(runs, || {
                store::atomic::save_with(&out, |w| {
                    text.chunks(128 * 1024)
                        .try_for_each(|piece| w.write_all(piece))
                })
                .expect("save")
            });
            report(format, "save-bytes", written, &bytes_time);
        }
    }
    ExitCode::SUCCESS
}
