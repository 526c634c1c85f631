//! Interoperability with curl's cookie jar (`-c` writes it, `-b` reads it),
//! against the in-process test site on 127.0.0.1.
//!
//! Needs `curl` on the `PATH`. Without it the tests fail under CI
//! (`CI=true`) and elsewhere print that they were skipped.

use std::path::PathBuf;
use std::process::Command;

use clientcookie_jar::store::{self, Format, LoadOptions, SaveOptions};
use clientcookie_jar::{Cookie, CookieJar};
use clientcookie_testsite::TestSite;

fn curl() -> bool {
    let ok = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("interop_curl: curl not found; it is required under CI");
        }
        eprintln!("interop_curl: SKIPPED: curl not found on the PATH");
    }
    ok
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "clientcookie-interop-curl-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn run_curl(args: &[String]) -> String {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20"])
        .args(args)
        .output()
        .expect("run curl");
    assert!(out.status.success(), "curl {args:?} failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn now() -> i64 {
    CookieJar::new().now()
}

#[test]
fn a_cookie_file_curl_writes_is_loaded() {
    if !curl() {
        return;
    }
    let site = TestSite::start_in_background().expect("test site");
    let dir = TempDir::new("read");
    let file = dir.0.join("curl.txt");
    let host = "www.a.example";
    let resolve = format!("{host}:{}:127.0.0.1", site.addr().port());
    let raw = [
        "h=1; Path=/; HttpOnly",
        "d=2; Domain=a.example; Path=/; Max-Age=3600",
        "p=3; Path=/sub; Expires=Wed, 01 Jan 2098 00:00:00 GMT",
    ];
    let query: Vec<String> = raw
        .iter()
        .map(|h| format!("h={}", percent_encode(h)))
        .collect();
    for path in [
        "/set-cookie?a=1&b=2".to_string(),
        format!("/set-cookie-raw?{}", query.join("&")),
    ] {
        run_curl(&[
            "--resolve".into(),
            resolve.clone(),
            "-b".into(),
            file.display().to_string(),
            "-c".into(),
            file.display().to_string(),
            site.url_for_host(host, &path),
        ]);
    }
    let text = std::fs::read_to_string(&file).expect("curl wrote the file");

    let mut jar = CookieJar::new();
    let all = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let n = store::load(&mut jar, &file, Format::Mozilla, all)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(n, 5, "{text}");
    let get = |name: &str| -> Cookie {
        jar.iter()
            .find(|c| c.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
    };
    for name in ["a", "b"] {
        let c = get(name);
        assert_eq!((c.domain.as_str(), c.path.as_str()), (host, "/"));
        assert!(c.host_only && c.is_session() && !c.http_only, "{c:?}");
    }
    let h = get("h");
    assert!(h.http_only && h.host_only && h.is_session(), "{h:?}");
    let d = get("d");
    assert_eq!(d.domain, "a.example");
    assert!(!d.host_only && !d.is_session());
    let expires = d.expires.expect("d persists");
    assert!((expires - now() - 3600).abs() < 120, "{expires}");
    let p = get("p");
    assert_eq!((p.path.as_str(), p.expires), ("/sub", Some(4_039_372_800)));

    // Without ignore_discard only the persistent ones are loaded.
    let mut jar = CookieJar::new();
    assert_eq!(
        store::load(&mut jar, &file, Format::Mozilla, LoadOptions::default()).unwrap(),
        2
    );
}

#[test]
fn a_cookie_file_written_here_is_sent_by_curl() {
    if !curl() {
        return;
    }
    let site = TestSite::start_in_background().expect("test site");
    let dir = TempDir::new("write");
    let file = dir.0.join("ours.txt");
    let host = "www.a.example";
    let resolve = format!("{host}:{}:127.0.0.1", site.addr().port());

    let mut jar = CookieJar::new();
    let far = now() + 86_400;
    let mut cookie = |name: &str, domain: &str, path: &str, f: &dyn Fn(&mut Cookie)| {
        let mut c = Cookie::new(name, "v", domain, path);
        c.expires = Some(far);
        f(&mut c);
        jar.set_cookie(c).expect("stored");
    };
    cookie("host", host, "/", &|_| {});
    cookie("session", host, "/", &|c| c.expires = None);
    cookie("httponly", host, "/", &|c| c.http_only = true);
    cookie("domain", "a.example", "/", &|c| c.host_only = false);
    cookie("deeper", host, "/echo", &|_| {});
    cookie("otherpath", host, "/other", &|_| {});
    cookie("otherhost", "b.example", "/", &|_| {});
    cookie("hostonly_parent", "a.example", "/", &|_| {});
    cookie("secure", host, "/", &|c| c.secure = true);
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    assert_eq!(store::save(&jar, &file, Format::Mozilla, all).unwrap(), 9);

    let body = run_curl(&[
        "--resolve".into(),
        resolve,
        "-b".into(),
        file.display().to_string(),
        site.url_for_host(host, "/echo"),
    ]);
    let echo: serde_json::Value = serde_json::from_str(&body).expect("echo JSON");
    let header = echo["headers"]["cookie"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no Cookie header sent: {body}"));
    let mut sent: Vec<&str> = header.split("; ").collect();
    sent.sort_unstable();
    assert_eq!(
        sent,
        ["deeper=v", "domain=v", "host=v", "httponly=v", "session=v"],
        "file was:\n{}",
        std::fs::read_to_string(&file).unwrap()
    );
}
