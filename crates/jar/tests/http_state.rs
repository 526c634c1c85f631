//! The http-state parser conformance suite (the IETF working group's tests for
//! RFC 6265), run in-process as its README describes: one Set-Cookie response
//! for `http://home.example.org:8888/cookie-parser?NAME`, one follow-up to
//! its Location, and the Cookie header compared with the expected one.
//!
//! The data is not ours to commit: it is found at `../shared/conformance`
//! beside the repository, or where `CLIENTCOOKIE_CONFORMANCE_DIR` points.
//! Under CI (`CI=true`) its absence fails the test; elsewhere the test says
//! plainly that it was skipped.
//!
//! Tests we knowingly fail are listed, one per line with the reason, in
//! `http_state_known_failures.txt`; a failure not on that list fails the run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::{CookieJar, CookieRequest};

/// 2012-01-01T00:00:00Z: inside the window (2007-08-07 .. 2019-08-07) in which
/// every expectation of the suite holds as written.
const CLOCK: i64 = 1_325_376_000;
const FIRST_URL: &str = "http://home.example.org:8888/cookie-parser";

fn data_dir() -> Option<PathBuf> {
    let root = match std::env::var_os("CLIENTCOOKIE_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    let dir = root.join("http-state/data");
    dir.is_dir().then_some(dir)
}

/// The server's rule: exactly one `Cookie:` in the file gives the expected
/// header (the rest of that line, leading whitespace dropped); zero or
/// several mean "no Cookie header".
fn expected_header(text: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    let mut found = text.match_indices("Cookie:").map(|(i, m)| {
        let rest = &text[i + m.len()..];
        let line = rest.split('\n').next().unwrap_or("");
        line.trim_start_matches([' ', '\t']).to_owned()
    });
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Run one test; `Err` carries what the jar sent and what was expected.
fn run_one(dir: &Path, name: &str) -> Result<(), String> {
    let test = std::fs::read(dir.join(format!("{name}-test"))).map_err(|e| e.to_string())?;
    let expected =
        std::fs::read(dir.join(format!("{name}-expected"))).map_err(|e| e.to_string())?;

    let mut headers = http::HeaderMap::new();
    let mut location = format!("/cookie-parser-result?{name}");
    for line in test.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (field, value) = (&line[..colon], &line[colon + 1..]);
        let start = value
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(value.len());
        let value = &value[start..];
        if field.eq_ignore_ascii_case(b"Set-Cookie") {
            // A value an HTTP parser would refuse never reaches the jar.
            if let Ok(v) = http::HeaderValue::from_bytes(value) {
                headers.append(http::header::SET_COOKIE, v);
            }
        } else if field.eq_ignore_ascii_case(b"Location") {
            location = String::from_utf8_lossy(value).trim_end().to_owned();
        }
    }

    let clock = Arc::new(FixedClock::new(CLOCK));
    let mut jar = CookieJar::builder().clock(clock).build();
    let first = CookieRequest::parse(&format!("{FIRST_URL}?{name}")).map_err(|e| e.to_string())?;
    jar.extract_from_headers(&first, &headers);

    let base = url::Url::parse(&format!("{FIRST_URL}?{name}")).map_err(|e| e.to_string())?;
    let next = base.join(&location).map_err(|e| e.to_string())?;
    let follow = CookieRequest::parse(next.as_str()).map_err(|e| e.to_string())?;
    let got = jar.cookie_header(&follow);
    let want = expected_header(&expected);
    if got == want {
        Ok(())
    } else {
        Err(format!("sent {got:?}, expected {want:?}"))
    }
}

fn known_failures() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http_state_known_failures.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn main() -> ExitCode {
    let Some(dir) = data_dir() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            eprintln!("http-state: conformance data not found (../shared/conformance or CLIENTCOOKIE_CONFORMANCE_DIR); required under CI");
            return ExitCode::FAILURE;
        }
        println!("http-state: SKIPPED: conformance data not found at ../shared/conformance (set CLIENTCOOKIE_CONFORMANCE_DIR)");
        return ExitCode::SUCCESS;
    };
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix("-test")
                    .map(str::to_owned)
            })
            .collect(),
        Err(e) => {
            eprintln!("http-state: cannot read {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    names.sort();
    let known = known_failures();
    let (disabled, enabled): (Vec<_>, Vec<_>) =
        names.into_iter().partition(|n| n.starts_with("disabled-"));
    let (mut passed, mut failed, mut unexpected) = (0, 0, 0);
    for name in &enabled {
        match run_one(&dir, name) {
            Ok(()) => {
                passed += 1;
                if known.contains(name) {
                    println!("http-state: {name} passes but is listed as a known failure");
                }
            }
            Err(why) => {
                failed += 1;
                if known.contains(name) {
                    println!("http-state: {name} fails (known): {why}");
                } else {
                    unexpected += 1;
                    println!("http-state: {name} FAILED: {why}");
                }
            }
        }
    }
    println!(
        "http-state: {} upstream-disabled tests not counted: {}",
        disabled.len(),
        disabled.join(", ")
    );
    println!("http-state: {passed} passed, {failed} failed");
    if enabled.len() != 218 {
        println!(
            "http-state: expected 218 enabled tests, found {}",
            enabled.len()
        );
        return ExitCode::FAILURE;
    }
    if unexpected > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
