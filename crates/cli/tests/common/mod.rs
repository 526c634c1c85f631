//! What every CLI test needs: the built binary, a test site on 127.0.0.1, a
//! scratch directory, and Python's cookie jars to check our files against.

#![allow(dead_code)] // each test file uses its own part of this

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use clientcookie_testsite::TestSite;

/// The `clientcookie` binary cargo built for these tests.
pub fn clientcookie() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clientcookie"));
    command.stdin(Stdio::null());
    // -v output must not depend on the environment of whoever runs the tests.
    command.env_remove("RUST_LOG");
    command
}

/// Runs `clientcookie` with `args` and returns what it did.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Run::of(clientcookie().args(args))
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    /// The exit status (`-1` when killed by a signal).
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error, as text.
    pub stderr: String,
}

impl Run {
    /// Runs `command` to its end.
    pub fn of(command: &mut Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().expect("the clientcookie binary runs");
        Run {
            status: status.code().unwrap_or(-1),
            stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Standard output as text.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard output as JSON (the test site's `/echo`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout_text()))
    }

    /// Asserts the exit status, showing stderr when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: i32) -> &Run {
        assert_eq!(
            self.status,
            expected,
            "exit status; stderr:\n{}\nstdout:\n{}",
            self.stderr,
            self.stdout_text()
        );
        self
    }
}

/// The test site, on its own thread (the tests themselves are not async).
pub fn site() -> TestSite {
    TestSite::start_in_background().expect("the test site starts")
}

/// A scratch directory, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// `--resolve` arguments that send `host` to the test site.
pub fn resolve(site: &TestSite, host: &str) -> [String; 2] {
    [
        "--resolve".to_owned(),
        format!("{host}:{}:127.0.0.1", site.addr().port()),
    ]
}

/// Runs a Python snippet with `path` as `sys.argv[1]`; returns its stdout.
/// Python 3 is required (it is how we know other tools read our files).
#[track_caller]
pub fn python(script: &str, path: &Path) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .expect("python3 must be installed: it checks that Python reads our jar files");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The cookies Python's `MozillaCookieJar` or `LWPCookieJar` (`class`) reads
/// from `path`, one `domain path name=value` line each, sorted.
#[track_caller]
pub fn python_reads(class: &str, path: &Path) -> Vec<String> {
    let script = format!(
        "import sys, http.cookiejar as c\n\
         j = c.{class}()\n\
         j.load(sys.argv[1], ignore_discard=True, ignore_expires=True)\n\
         for k in sorted(j, key=lambda k: (k.domain, k.path, k.name)):\n\
         \x20   print(k.domain, k.path, f'{{k.name}}={{k.value}}', 'secure' if k.secure else '-', 'session' if k.discard else k.expires)\n"
    );
    python(&script, path).lines().map(str::to_owned).collect()
}

/// Writes `content` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write a test file");
    path
}

/// Command-line arguments of mixed types (`&str`, `String`, paths), as
/// `OsString`s.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        vec![$(::std::ffi::OsString::from($arg)),*]
    };
}

/// A persistent `Set-Cookie` header for `/set-cookie-raw?h=...`, percent-encoded.
pub fn set_cookie_raw(headers: &[&str]) -> String {
    let query: Vec<String> = headers
        .iter()
        .map(|h| format!("h={}", percent_encode(h)))
        .collect();
    format!("/set-cookie-raw?{}", query.join("&"))
}

/// Percent-encodes everything but unreserved characters.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    port
}
