//! Unit tests of the store module: both formats, the load/revert/save
//! semantics and the atomic save.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;

use super::lwp::split_header_words;
use super::*;
use crate::clock::FixedClock;
use crate::{Cookie, CookieJar, SameSite};

const NOW: i64 = 1_700_000_000;
const FUTURE: i64 = 4_000_000_000;

fn jar() -> CookieJar {
    CookieJar::builder()
        .clock(Arc::new(FixedClock::new(NOW)))
        .build()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "clientcookie-store-{tag}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn persistent(name: &str, value: &str, domain: &str) -> Cookie {
    let mut c = Cookie::new(name, value, domain, "/");
    c.expires = Some(FUTURE);
    c
}

fn rfc2965_cookie() -> Cookie {
    let mut c = Cookie::new("sid", "a \"quoted\" \\ value", "example.com", "/app");
    c.version = Some(1);
    c.host_only = false;
    c.domain_specified = true;
    c.domain_initial_dot = true;
    c.extras_mut().port = Some("80,8080".into());
    c.port_specified = true;
    c.path_specified = true;
    c.secure = true;
    c.expires = Some(FUTURE);
    c.discard = true;
    c.extras_mut().comment = Some("a comment; with, punctuation".into());
    c.extras_mut().comment_url = Some("http://example.com/why?a=1".into());
    c.extras_mut().rest = vec![
        ("Priority".into(), Some("High".into())),
        ("Partitioned".into(), None),
    ];
    c.http_only = true;
    c.same_site = Some(SameSite::Lax);
    c
}

/// The fields a file keeps (times of creation and access are not stored).
fn key(c: &Cookie) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        (c.version, &c.name, &c.value, c.port(), c.port_specified),
        (
            &c.domain,
            c.domain_specified,
            c.domain_initial_dot,
            c.host_only,
        ),
        (&c.path, c.path_specified, c.secure, c.expires, c.discard),
        (
            c.comment(),
            c.comment_url(),
            c.rest(),
            c.http_only,
            c.same_site,
        ),
    )
}

fn lwp_round_trip(cookies: &[Cookie]) -> Vec<Cookie> {
    let mut out = Vec::new();
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: true,
    };
    write_lwp(&mut out, cookies, all, NOW).unwrap();
    read_lwp(&out[..]).unwrap()
}

fn mozilla_round_trip(cookies: &[Cookie]) -> Vec<Cookie> {
    let mut out = Vec::new();
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: true,
    };
    write_mozilla(&mut out, cookies, all, NOW).unwrap();
    read_mozilla(&out[..]).unwrap()
}

fn malformed(err: LoadError) -> (usize, Malformed) {
    match err {
        LoadError::Malformed { line, reason, .. } => (line, reason),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

/// `revert` (or `load`) of a cookies.txt that must fail as malformed: the
/// error names `path`; its line and reason are returned.
fn malformed_on_read(jar: &mut CookieJar, path: &Path, revert_it: bool) -> (usize, Malformed) {
    let result = if revert_it {
        revert(jar, path, Format::Mozilla, LoadOptions::default())
    } else {
        load(jar, path, Format::Mozilla, LoadOptions::default())
    };
    match result.unwrap_err() {
        LoadError::Malformed {
            path: named,
            line,
            reason,
        } => {
            assert_eq!(named.as_deref(), Some(path));
            (line, reason)
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

// ----- LWP -----------------------------------------------------------------

#[test]
fn split_header_words_reads_as_the_seed_does() {
    let words = |s: &'static str| split_header_words(s);
    let pairs = |v: &[(&'static str, Option<&'static str>)]| {
        v.iter()
            .map(|&(k, v)| (Cow::Borrowed(k), v.map(Cow::Borrowed)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        words(r#"foo="bar"; port="80,81"; discard, bar=baz"#),
        vec![
            pairs(&[
                ("foo", Some("bar")),
                ("port", Some("80,81")),
                ("discard", None)
            ]),
            pairs(&[("bar", Some("baz"))]),
        ]
    );
    assert_eq!(
        words(r#"Basic realm="\"foo\bar\"""#),
        vec![pairs(&[("Basic", None), ("realm", Some("\"foobar\""))])]
    );
    assert_eq!(
        words("a = 1 ;; =junk; b"),
        vec![pairs(&[("a", Some("1")), ("junk", None), ("b", None)])]
    );
    // An unclosed quote is read as an unquoted value.
    assert_eq!(
        words(r#"a="x y"#),
        vec![pairs(&[("a", Some("\"x")), ("y", None)])]
    );
    assert!(words("  ;= ,, ").is_empty());
}

#[test]
fn an_lwp_file_keeps_every_attribute_of_an_rfc2965_cookie() {
    let cookie = rfc2965_cookie();
    let back = lwp_round_trip(std::slice::from_ref(&cookie));
    assert_eq!(back.len(), 1);
    assert_eq!(key(&back[0]), key(&cookie));
}

#[test]
fn an_lwp_line_is_written_as_python_writes_it() {
    let mut out = Vec::new();
    write_lwp(&mut out, [&rfc2965_cookie()], SaveOptions::default(), NOW).unwrap();
    // Discard cookies are skipped without ignore_discard.
    assert_eq!(String::from_utf8(out).unwrap(), "#LWP-Cookies-2.0\n");
    let line = lwp::lwp_cookie_str(&rfc2965_cookie()).unwrap();
    assert_eq!(
        line,
        "sid=\"a \\\"quoted\\\" \\\\ value\"; path=\"/app\"; domain=\".example.com\"; \
         port=\"80,8080\"; path_spec; port_spec; domain_dot; secure; \
         expires=\"2096-10-02 07:06:40Z\"; discard; comment=\"a comment; with, punctuation\"; \
         commenturl=\"http://example.com/why?a=1\"; Priority=High; Partitioned; HttpOnly; \
         SameSite=Lax; version=1"
    );
}

#[test]
fn an_lwp_cookie_without_expires_is_a_discard_cookie() {
    let file = "#LWP-Cookies-2.0\nSet-Cookie3: a=1; path=\"/\"; domain=example.com; version=0\n";
    let cookies = read_lwp(file.as_bytes()).unwrap();
    assert_eq!(cookies[0].expires, None);
    assert!(cookies[0].discard);
    assert!(cookies[0].host_only);
    assert!(!cookies[0].path_specified);
    assert_eq!(cookies[0].version, None);
}

#[test]
fn an_lwp_reader_ignores_other_lines_and_reads_comma_separated_cookies() {
    let file = "#LWP-Cookies-1.0\n# a comment\n\nSet-Cookie: x=1\n\
                Set-Cookie3: a=1; path=/; domain=h, b=2; path=/p; domain=.h; expires=\"1994-02-03 14:15:29Z\"\n";
    let cookies = read_lwp(file.as_bytes()).unwrap();
    let names: Vec<_> = cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(cookies[1].expires, Some(760284929));
    assert!(!cookies[1].discard);
    assert!(!cookies[1].host_only);
}

#[test]
fn an_lwp_cookie_without_a_value_has_an_empty_name() {
    let file = "#LWP-Cookies-2.0\nSet-Cookie3: lonely; path=\"/\"; domain=h; version=0\n";
    let cookies = read_lwp(file.as_bytes()).unwrap();
    assert_eq!(
        (cookies[0].name.as_str(), cookies[0].value.as_str()),
        ("", "lonely")
    );
    assert_eq!(key(&lwp_round_trip(&cookies)[0]), key(&cookies[0]));
}

#[test]
fn a_bad_lwp_file_is_refused_with_its_line() {
    let cases: [(&str, usize, Malformed); 6] = [
        ("", 1, Malformed::MissingMagic(Format::Lwp)),
        (
            "# Netscape HTTP Cookie File\n",
            1,
            Malformed::MissingMagic(Format::Lwp),
        ),
        (
            "#LWP-Cookies-2.0\nSet-Cookie3: a=1; path=/\n",
            2,
            Malformed::MissingDomain,
        ),
        (
            "#LWP-Cookies-2.0\n\nSet-Cookie3: a=1; domain=h\n",
            3,
            Malformed::MissingPath,
        ),
        (
            "#LWP-Cookies-2.0\nSet-Cookie3: a=1; path=/; domain=h; version=x\n",
            2,
            Malformed::Version("x".into()),
        ),
        (
            "#LWP-Cookies-2.0\nSet-Cookie3: a=1; path=/; domain=h; port_spec\n",
            2,
            Malformed::PortSpecWithoutPort,
        ),
    ];
    for (file, line, reason) in cases {
        let got = malformed(read_lwp(file.as_bytes()).unwrap_err());
        assert_eq!(got, (line, reason), "{file:?}");
    }
}

#[test]
fn cookies_an_lwp_file_cannot_hold_are_skipped_not_written_broken() {
    let mut bad_value = persistent("a", "line\nbreak", "h");
    bad_value.expires = Some(FUTURE);
    let bad_name = persistent("a b", "1", "h");
    let good = persistent("ok", "1", "h");
    let mut out = Vec::new();
    let n = write_lwp(
        &mut out,
        [&bad_value, &bad_name, &good],
        SaveOptions::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(n, 1);
    let back = read_lwp(&out[..]).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].name, "ok");
}

// ----- Mozilla -------------------------------------------------------------

#[test]
fn a_curl_cookie_file_is_read() {
    let file = "# Netscape HTTP Cookie File\n\
                # https://curl.se/docs/http-cookies.html\n\
                # This file was generated by libcurl! Edit at your own risk.\n\
                \n\
                #HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc\r\n\
                .example.com\tTRUE\t/docs\tTRUE\t4000000000\tlang\ten\n\
                $ skipped\n\
                example.com\tFALSE\t/\tFALSE\t\t\tnameless\n\
                example.com\tFALSE\t/\tFALSE\t1.5e9\tfloat\t\n";
    let c = read_mozilla(file.as_bytes()).unwrap();
    assert_eq!(c.len(), 4);
    assert!(c[0].http_only && c[0].host_only && c[0].is_session() && c[0].discard);
    assert_eq!(
        (c[0].domain.as_str(), c[0].value.as_str()),
        ("127.0.0.1", "abc")
    );
    assert!(!c[1].host_only && c[1].domain_specified && c[1].domain_initial_dot);
    assert!(c[1].secure && !c[1].path_specified);
    assert_eq!((c[1].path.as_str(), c[1].expires), ("/docs", Some(FUTURE)));
    assert_eq!((c[2].name.as_str(), c[2].value.as_str()), ("", "nameless"));
    assert_eq!(c[2].expires, None);
    assert_eq!(
        (c[3].value.as_str(), c[3].expires),
        ("", Some(1_500_000_000))
    );
}

#[test]
fn a_bad_mozilla_file_is_refused_with_its_line() {
    let head = "# HTTP Cookie File\n";
    let cases: [(String, usize, Malformed); 5] = [
        (
            "cookies\n".into(),
            1,
            Malformed::MissingMagic(Format::Mozilla),
        ),
        (format!("{head}h\tFALSE\t/\n"), 2, Malformed::FieldCount(3)),
        (
            format!("{head}\nh\tFALSE\t/\tFALSE\t0\ta\tb\tc\n"),
            3,
            Malformed::FieldCount(8),
        ),
        (
            format!("{head}h\tTRUE\t/\tFALSE\t0\ta\tb\n"),
            2,
            Malformed::DomainFlag {
                flag: "TRUE".into(),
                domain: "h".into(),
            },
        ),
        (
            format!("{head}h\tFALSE\t/\tFALSE\tsoon\ta\tb\n"),
            2,
            Malformed::Expires("soon".into()),
        ),
    ];
    for (file, line, reason) in cases {
        let got = malformed(read_mozilla(file.as_bytes()).unwrap_err());
        assert_eq!(got, (line, reason), "{file:?}");
    }
}

#[test]
fn a_mozilla_file_downgrades_an_rfc2965_cookie_as_the_seed_says() {
    let cookie = rfc2965_cookie();
    let back = mozilla_round_trip(std::slice::from_ref(&cookie));
    let c = &back[0];
    assert_eq!(
        (c.name.as_str(), c.value.as_str()),
        (cookie.name.as_str(), cookie.value.as_str())
    );
    assert_eq!(
        (c.domain.as_str(), c.host_only, c.path.as_str()),
        ("example.com", false, "/app")
    );
    assert!(c.secure && c.http_only);
    assert_eq!(c.expires, Some(FUTURE));
    // Lost: version, port, path/port specified, discard, comments, rest.
    assert_eq!(c.version, None);
    assert_eq!(
        (c.port(), c.port_specified, c.path_specified),
        (None, false, false)
    );
    assert!(!c.discard);
    assert_eq!((c.comment(), c.comment_url()), (None, None));
    assert!(c.rest().is_empty() && c.same_site.is_none());
}

#[test]
fn a_mozilla_session_cookie_has_expiry_zero_as_curl_writes_it() {
    let mut c = Cookie::new("", "bare", "h", "/");
    c.secure = true;
    assert_eq!(
        mozilla::mozilla_line(&c).unwrap(),
        "h\tFALSE\t/\tTRUE\t0\t\tbare"
    );
    let back = mozilla_round_trip(&[c]);
    assert_eq!(
        (back[0].name.as_str(), back[0].value.as_str()),
        ("", "bare")
    );
    assert!(back[0].is_session());
}

#[test]
fn cookies_a_mozilla_file_cannot_hold_are_skipped() {
    let tab = persistent("a", "x\ty", "h");
    let comment_domain = persistent("b", "1", "#h");
    let good = persistent("c", "1", "h");
    let mut out = Vec::new();
    let n = write_mozilla(
        &mut out,
        [&tab, &comment_domain, &good],
        SaveOptions::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(read_mozilla(&out[..]).unwrap().len(), 1);
}

// ----- both ------------------------------------------------------------------

#[test]
fn a_line_longer_than_the_limit_is_malformed_and_bytes_that_are_not_utf8_too() {
    let long = format!(
        "#LWP-Cookies-2.0\nSet-Cookie3: a={}\n",
        "x".repeat(MAX_LINE_LEN)
    );
    assert_eq!(
        malformed(read_lwp(long.as_bytes()).unwrap_err()),
        (2, Malformed::LineTooLong)
    );
    let mut file = b"# HTTP Cookie File\n\n".to_vec();
    file.extend_from_slice(b"h\tFALSE\t/\tFALSE\t0\ta\t\xff\n");
    assert_eq!(
        malformed(read_mozilla(&file[..]).unwrap_err()),
        (3, Malformed::NotUtf8)
    );
    // Exactly at the limit is fine.
    let value = "x".repeat(MAX_LINE_LEN - "h\tFALSE\t/\tFALSE\t0\ta\t".len());
    let file = format!("# HTTP Cookie File\nh\tFALSE\t/\tFALSE\t0\ta\t{value}\r\n");
    assert_eq!(
        read_mozilla(file.as_bytes()).unwrap()[0].value.len(),
        value.len()
    );
}

#[test]
fn save_skips_session_and_expired_cookies_unless_told_not_to() {
    let mut jar = jar();
    jar.set_cookie(persistent("keep", "1", "h")).unwrap();
    jar.set_cookie(Cookie::new("session", "1", "h", "/"))
        .unwrap();
    let mut discard = persistent("discard", "1", "h");
    discard.discard = true;
    jar.set_cookie(discard).unwrap();
    let cookies: Vec<Cookie> = jar.iter().cloned().collect();
    let mut expired = persistent("expired", "1", "h");
    expired.expires = Some(NOW - 1);
    let all: Vec<&Cookie> = cookies.iter().chain([&expired]).collect();
    let count = |opts: SaveOptions| {
        let mut sink = Vec::new();
        let lwp = write_lwp(&mut sink, all.iter().copied(), opts, NOW).unwrap();
        let moz = write_mozilla(&mut sink, all.iter().copied(), opts, NOW).unwrap();
        assert_eq!(lwp, moz);
        lwp
    };
    let opts = |d, e| SaveOptions {
        ignore_discard: d,
        ignore_expires: e,
    };
    assert_eq!(count(opts(false, false)), 1);
    assert_eq!(count(opts(true, false)), 3);
    assert_eq!(count(opts(false, true)), 2);
    assert_eq!(count(opts(true, true)), 4);
}

#[test]
fn load_adds_to_the_jar_and_keeps_what_the_file_does_not_replace() {
    let dir = TempDir::new("load");
    let path = dir.join("cookies.lwp");
    let mut source = jar();
    source.set_cookie(persistent("a", "new", "h")).unwrap();
    source
        .set_cookie(Cookie::new("session", "1", "h", "/"))
        .unwrap();
    assert_eq!(
        save(&source, &path, Format::Lwp, SaveOptions::default()).unwrap(),
        1
    );

    let mut jar = jar();
    jar.set_cookie(persistent("a", "old", "h")).unwrap();
    jar.set_cookie(persistent("b", "kept", "h")).unwrap();
    assert_eq!(
        load(&mut jar, &path, Format::Lwp, LoadOptions::default()).unwrap(),
        1
    );
    let mut got: Vec<_> = jar
        .iter()
        .map(|c| (c.name.clone(), c.value.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [("a".into(), "new".into()), ("b".into(), "kept".into())]
    );
}

#[test]
fn load_skips_session_cookies_unless_ignore_discard() {
    let file =
        "# HTTP Cookie File\nh\tFALSE\t/\tFALSE\t0\ts\t1\nh\tFALSE\t/\tFALSE\t4000000000\tp\t1\n";
    let dir = TempDir::new("discard");
    let path = dir.join("c.txt");
    std::fs::write(&path, file).unwrap();
    let mut j = jar();
    assert_eq!(
        load(&mut j, &path, Format::Mozilla, LoadOptions::default()).unwrap(),
        1
    );
    let mut j = jar();
    let opts = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    assert_eq!(load(&mut j, &path, Format::Mozilla, opts).unwrap(), 2);
}

#[test]
fn revert_replaces_the_jar() {
    let dir = TempDir::new("revert");
    let path = dir.join("cookies.txt");
    let mut source = jar();
    source.set_cookie(persistent("a", "1", "h")).unwrap();
    save(&source, &path, Format::Mozilla, SaveOptions::default()).unwrap();

    let mut jar = jar();
    jar.set_cookie(persistent("b", "1", "h")).unwrap();
    assert_eq!(
        revert(&mut jar, &path, Format::Mozilla, LoadOptions::default()).unwrap(),
        1
    );
    let names: Vec<_> = jar.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(names, ["a"]);
}

#[test]
fn revert_of_a_corrupt_file_leaves_the_jar_unchanged_and_load_adds_nothing() {
    let dir = TempDir::new("corrupt");
    let path = dir.join("cookies.txt");
    std::fs::write(
        &path,
        "# Netscape HTTP Cookie File\n\
         h\tFALSE\t/\tFALSE\t4000000000\tnew\t1\n\
         h\tFALSE\t/\tFALSE\t4000000000\tbroken\n",
    )
    .unwrap();
    let mut jar = jar();
    jar.set_cookie(persistent("old", "1", "h")).unwrap();
    let before: Vec<Cookie> = jar.iter().cloned().collect();

    for revert_it in [true, false] {
        assert_eq!(
            malformed_on_read(&mut jar, &path, revert_it),
            (3, Malformed::FieldCount(6))
        );
        let after: Vec<Cookie> = jar.iter().cloned().collect();
        assert_eq!(after, before);
    }
    let message = load(&mut jar, &path, Format::Mozilla, LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(message.contains("cookies.txt: line 3:"), "{message}");
}

/// A `cookies.txt` of `n` cookies over `n / 10` sites (host and domain
/// cookies, HttpOnly, session and persistent ones), over a megabyte from
/// 15,000 cookies: loaded with a second thread making the cookies, and
/// saved with a second thread writing the file.
fn large_cookies_txt(n: usize) -> String {
    let mut text = String::from(mozilla::HEADER);
    for i in 0..n {
        let site = format!("site{}.example", i / 10);
        let (domain, flag) = if i % 3 == 0 {
            (format!(".{site}"), "TRUE")
        } else {
            (format!("www.{site}"), "FALSE")
        };
        let prefix = if i % 4 == 0 { "#HttpOnly_" } else { "" };
        let expires = if i % 7 == 0 { 0 } else { FUTURE + i as i64 };
        let value = "v".repeat(i % 40);
        text.push_str(&format!(
            "{prefix}{domain}\t{flag}\t/p{}\t{}\t{expires}\tc{i}\t{value}\n",
            i % 3,
            if i % 2 == 0 { "TRUE" } else { "FALSE" }
        ));
        if i % 1000 == 0 {
            text.push_str("# a comment\n\n");
        }
    }
    text
}

/// What a load of `text` must do, done the plain way: each cookie the line
/// reader finds and `opts` keeps, stored one by one. Returns how many the
/// jar took.
fn store_line_by_line(jar: &mut CookieJar, text: &str, opts: LoadOptions) -> usize {
    read_mozilla(text.as_bytes())
        .unwrap()
        .into_iter()
        .filter(|cookie| opts.keeps(cookie, NOW))
        .map(|cookie| jar.set_cookie(cookie).is_ok())
        .filter(|&took| took)
        .count()
}

/// The jar's cookies, sorted, without the times the load gives them.
fn contents(jar: &CookieJar) -> Vec<Cookie> {
    let mut all: Vec<Cookie> = jar
        .iter()
        .cloned()
        .map(|mut c| {
            c.creation_time = 0;
            c.last_access_time = 0;
            c
        })
        .collect();
    all.sort_by(|a, b| (&a.domain, &a.path, &a.name).cmp(&(&b.domain, &b.path, &b.name)));
    all
}

#[test]
fn a_large_cookies_txt_loads_as_a_small_one_does() {
    let dir = TempDir::new("large-load");
    let path = dir.join("cookies.txt");
    let text = large_cookies_txt(30_000);
    assert!(text.len() > 1 << 20);
    std::fs::write(&path, &text).unwrap();
    let all = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    for opts in [all, LoadOptions::default()] {
        // The whole path (a second thread making the cookies), against the
        // line reader and the jar's own `set_cookie`, on a jar that holds
        // a cookie the file replaces and one it does not.
        let mut loaded = jar();
        loaded
            .set_cookie(persistent("c1", "old", "www.site0.example"))
            .unwrap();
        loaded
            .set_cookie(persistent("kept", "1", "other.example"))
            .unwrap();
        let mut expected = jar();
        expected
            .set_cookie(persistent("c1", "old", "www.site0.example"))
            .unwrap();
        expected
            .set_cookie(persistent("kept", "1", "other.example"))
            .unwrap();
        let stored = store_line_by_line(&mut expected, &text, opts);
        assert_eq!(
            load(&mut loaded, &path, Format::Mozilla, opts).unwrap(),
            stored
        );
        assert_eq!(contents(&loaded), contents(&expected));
        // `revert` drops what the file does not have.
        let mut reverted = jar();
        reverted
            .set_cookie(persistent("gone", "1", "other.example"))
            .unwrap();
        let mut fresh = jar();
        let stored = store_line_by_line(&mut fresh, &text, opts);
        assert_eq!(
            revert(&mut reverted, &path, Format::Mozilla, opts).unwrap(),
            stored
        );
        assert_eq!(contents(&reverted), contents(&fresh));
    }
}

#[test]
fn a_large_corrupt_cookies_txt_names_its_line_and_leaves_the_jar_unchanged() {
    let dir = TempDir::new("large-corrupt");
    let path = dir.join("cookies.txt");
    let good = large_cookies_txt(30_000);
    let lines: Vec<&str> = good.lines().collect();
    // Near the start (checked by the thread making the cookies), in the
    // middle and near the end (checked by the storing one), and each kind
    // of line the one scan leaves to the line reader.
    let near = [5, lines.len() / 4, lines.len() / 2, lines.len() - 2];
    let breakages: [(&str, Option<Malformed>); 4] = [
        (
            "h\tFALSE\t/\tFALSE\t4000000000\tbroken",
            Some(Malformed::FieldCount(6)),
        ),
        (".h\tFALSE\t/\tFALSE\t0\ta\tb", None),
        (
            "h\tFALSE\t/\tFALSE\tsoon\ta\tb",
            Some(Malformed::Expires("soon".into())),
        ),
        ("h\tFALSE\t/\tFALSE\t\u{0}\ta\tb", None),
    ];
    for &at in &near {
        for (bad, reason) in &breakages {
            let mut broken = lines.clone();
            broken[at] = bad;
            std::fs::write(&path, broken.join("\n") + "\n").unwrap();
            let mut jar = jar();
            jar.set_cookie(persistent("old", "1", "h")).unwrap();
            let before = contents(&jar);
            for revert_it in [true, false] {
                let (line, got) = malformed_on_read(&mut jar, &path, revert_it);
                assert_eq!(line, at + 1, "{bad:?}");
                if let Some(reason) = reason {
                    assert_eq!(&got, reason);
                }
                assert_eq!(contents(&jar), before, "line {}: {bad:?}", at + 1);
            }
        }
    }
}

#[test]
fn a_large_save_writes_what_a_small_one_would_line_by_line() {
    let dir = TempDir::new("large-save");
    let path = dir.join("cookies.txt");
    std::fs::write(&path, large_cookies_txt(30_000)).unwrap();
    let mut jar = jar();
    let all = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    load(&mut jar, &path, Format::Mozilla, all).unwrap();
    // One cookie the format cannot hold, stored last: skipped, and not
    // counted.
    let mut tab = persistent("tab", "a\tb", "z.example");
    tab.expires = Some(FUTURE);
    jar.set_cookie(tab).unwrap();
    let keep_all = SaveOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let out = dir.join("out.txt");
    let written = save(&jar, &out, Format::Mozilla, keep_all).unwrap();
    let mut expected = String::from(mozilla::HEADER);
    let mut count = 0;
    for cookie in jar.cookies_in_stored_order() {
        if let Some(line) = mozilla::mozilla_line(cookie) {
            expected.push_str(&line);
            expected.push('\n');
            count += 1;
        }
    }
    assert_eq!(written, count);
    assert_eq!(written, jar.len() - 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    let mut again = Vec::new();
    assert_eq!(
        write_to(&jar, &mut again, Format::Mozilla, keep_all).unwrap(),
        written
    );
    assert_eq!(String::from_utf8(again).unwrap(), expected);
}

#[test]
fn a_large_save_stops_at_the_first_buffer_that_fails() {
    let mut jar = jar();
    for cookie in read_mozilla(large_cookies_txt(30_000).as_bytes()).unwrap() {
        jar.set_cookie(cookie).unwrap();
    }
    let in_order = jar.cookies_in_stored_order();
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let write = |fail_at: Option<usize>| {
        let mut out = Vec::new();
        let mut handed = 0;
        let result = mozilla::write_mozilla_chunks(&in_order, all, NOW, CHUNK, |chunk| {
            if Some(handed) == fail_at {
                return Err(io::Error::other("disk full"));
            }
            handed += 1;
            out.extend_from_slice(&chunk);
            Ok(Vec::new())
        });
        (result, out, handed)
    };
    let (written, whole, chunks) = write(None);
    assert_eq!(written.unwrap(), jar.len());
    assert!(chunks > 4);
    // Any buffer, from the first to the last: an error, and nothing
    // handed after it.
    for fail_at in [0, 1, chunks / 2, chunks - 2, chunks - 1] {
        let (result, out, handed) = write(Some(fail_at));
        assert!(result.is_err(), "{fail_at}");
        assert_eq!(handed, fail_at);
        assert!(whole.starts_with(&out));
    }
}

#[test]
fn a_missing_file_is_an_io_error_and_the_jar_stays() {
    let mut jar = jar();
    jar.set_cookie(persistent("a", "1", "h")).unwrap();
    let err = revert(
        &mut jar,
        "/nonexistent/dir/c.txt",
        Format::Mozilla,
        LoadOptions::default(),
    );
    assert!(matches!(err, Err(LoadError::Io(_))));
    assert_eq!(jar.len(), 1);
}

#[test]
fn the_format_is_detected_from_the_name_else_the_content() {
    let dir = TempDir::new("detect");
    let at = |name: &str, content: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        detect(&path).ok()
    };
    // The extension first, whatever the content...
    assert_eq!(at("a.TXT", b"#LWP-Cookies-2.0\n"), Some(Format::Mozilla));
    assert_eq!(at("jar.lwp", b""), Some(Format::Lwp));
    assert_eq!(
        at("jar.json", b"# Netscape HTTP Cookie File\n"),
        Some(Format::Json)
    );
    // ... except that a .txt file may be an IE file.
    let msie = b"a\nb\nexample.com/\n0\n1\n2\n3\n4\n*\n";
    assert_eq!(at("joe@example[1].txt", msie), Some(Format::Msie));
    // Without a known extension, the content.
    assert_eq!(
        at("jar", b"# Netscape HTTP Cookie File\r\n"),
        Some(Format::Mozilla)
    );
    assert_eq!(at("jar.dat", b"#LWP-Cookies-1.0\n"), Some(Format::Lwp));
    assert_eq!(at("jar", b"\xEF\xBB\xBF  [ ]"), Some(Format::Json));
    assert_eq!(at("jar", b"{\"raw_cookie\":1}\n"), Some(Format::Json));
    assert_eq!(at("jar", msie), Some(Format::Msie));
    assert_eq!(
        at(
            "jar",
            b"# a comment\n\nexample.com\tFALSE\t/\tFALSE\t0\ta\tb\n"
        ),
        Some(Format::Mozilla)
    );
    // Neither: an error naming the file.
    for content in [
        &b"#LWP-Cookies-x"[..],
        b"hello",
        b"a\tb\n",
        b"a\nb\nc/\n0\n1\n2\n3\n4\n*",
    ] {
        std::fs::write(dir.join("x"), content).unwrap();
        match detect(dir.join("x")) {
            Err(LoadError::UnknownFormat { path }) => assert_eq!(path, dir.join("x")),
            other => panic!("{content:?}: {other:?}"),
        }
    }
    // A missing or empty file: the extension, else unknown.
    assert_eq!(detect(dir.join("new.sqlite")).ok(), Some(Format::Sqlite));
    assert_eq!(at("empty.lwp", b""), Some(Format::Lwp));
    assert!(matches!(
        detect(dir.join("new")),
        Err(LoadError::UnknownFormat { .. })
    ));
    assert!(at("empty", b"").is_none());
}

#[cfg(feature = "sqlite")]
#[test]
fn an_sqlite_file_is_told_apart_by_its_tables_and_never_changed() {
    let dir = TempDir::new("detect-sqlite");
    let ours = dir.join("Cookies"); // no extension: the header decides
    drop(sqlite::SqliteStore::open(&ours).unwrap());
    assert_eq!(detect(&ours).ok(), Some(Format::Sqlite));

    let make = |name: &str, sql: &str| {
        let path = dir.join(name);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        path
    };
    let firefox = make(
        "cookies.sqlite",
        "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, name TEXT); PRAGMA user_version = 14;",
    );
    let chromium = make("chromium", "CREATE TABLE meta (key TEXT, value TEXT); CREATE TABLE cookies (host_key TEXT, name TEXT);");
    let other = make("other.db", "CREATE TABLE cookies (k TEXT);");
    // The browsers' databases are their formats; other tables are nobody's.
    assert_eq!(detect(&firefox).ok(), Some(Format::Firefox));
    assert_eq!(detect(&chromium).ok(), Some(Format::Chromium));
    assert!(matches!(
        detect(&other),
        Err(LoadError::UnknownFormat { .. })
    ));
    for path in [&firefox, &chromium, &other] {
        let before = std::fs::read(path).unwrap();
        assert!(detect(path).is_ok() || path == &other);
        // Loading as our jar refuses, and leaves the file as it was.
        let mut jar = jar();
        let err = load(&mut jar, path, Format::Sqlite, LoadOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::Database(sqlite::StoreError::ForeignDatabase(_))
            ),
            "{err:?}"
        );
        assert!(
            std::fs::read(path).unwrap() == before,
            "{} changed",
            path.display()
        );
    }
}

#[test]
fn cookies_are_saved_in_the_order_they_were_first_stored() {
    let dir = TempDir::new("order");
    let mut jar = jar();
    let names = ["z", "a", "m", "b", "y", "c"];
    for (i, name) in names.iter().enumerate() {
        jar.set_cookie(persistent(name, "1", &format!("d{}.example", i % 3)))
            .unwrap();
    }
    // A replaced cookie keeps its place; a removed one leaves a gap.
    jar.set_cookie(persistent("a", "2", "d1.example")).unwrap();
    jar.clear(Some("d0.example"), Some("/"), Some("b"));
    for (format, name) in [(Format::Mozilla, "c.txt"), (Format::Lwp, "c.lwp")] {
        let path = dir.join(name);
        save(&jar, &path, format, SaveOptions::default()).unwrap();
        let file = CookieFile::new(&path, format);
        let read: Vec<String> = file
            .read()
            .unwrap()
            .into_iter()
            .map(|c| c.name.into_string())
            .collect();
        assert_eq!(read, ["z", "a", "m", "y", "c"], "{format}");
    }
    // Many gaps: sorted rather than placed, same order.
    let mut sparse = self::jar();
    for i in 0..50 {
        sparse
            .set_cookie(persistent(&format!("c{i}"), "1", "example.com"))
            .unwrap();
    }
    for i in 0..50 {
        if i % 10 != 0 {
            sparse.clear(Some("example.com"), Some("/"), Some(&format!("c{i}")));
        }
    }
    let order: Vec<&str> = sparse
        .cookies_in_stored_order()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(order, ["c0", "c10", "c20", "c30", "c40"]);
}

// ----- atomic save -----------------------------------------------------------

/// A writer that fails once `budget` bytes have been written.
struct FailAfter<'a> {
    inner: &'a mut dyn Write,
    budget: usize,
}

impl Write for FailAfter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::other("injected failure"));
        }
        let n = buf.len().min(self.budget);
        self.budget -= n;
        self.inner.write(&buf[..n])
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn a_save_interrupted_at_any_byte_leaves_the_previous_file_intact() {
    let dir = TempDir::new("interrupt");
    let mut jar = jar();
    for i in 0..5 {
        jar.set_cookie(persistent(&format!("c{i}"), "v", "h"))
            .unwrap();
    }
    jar.set_cookie(rfc2965_cookie()).unwrap();
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: true,
    };
    for format in [Format::Lwp, Format::Mozilla, Format::Json] {
        if !format.is_compiled() {
            continue;
        }
        let path = dir.join("cookies");
        std::fs::write(&path, "previous content").unwrap();
        let write = |w: &mut dyn Write| match format {
            Format::Lwp => write_lwp(w, jar.iter(), all, NOW),
            Format::Mozilla => write_mozilla(w, jar.iter(), all, NOW),
            #[cfg(feature = "json")]
            Format::Json => json::write_json(w, jar.iter(), all, NOW),
            other => unreachable!("{other} is not a text format written here"),
        };
        let mut full = Vec::new();
        write(&mut full).unwrap();
        for budget in (0..full.len()).step_by(7).chain([full.len() - 1]) {
            let result = atomic::save_with(&path, |w| {
                let mut failing = FailAfter { inner: w, budget };
                write(&mut failing)
            });
            assert!(result.is_err(), "{format} budget {budget}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous content");
            assert_eq!(dir.entries(), ["cookies"], "no temporary file left");
        }
        let n = atomic::save_with(&path, |w| {
            let mut enough = FailAfter {
                inner: w,
                budget: full.len(),
            };
            write(&mut enough)
        })
        .unwrap();
        assert_eq!(n, 6);
        assert_eq!(std::fs::read(&path).unwrap(), full);
    }
}

/// Megabytes of text in pieces of uneven sizes, as a large jar's save
/// writes them: the save then goes through its writing thread, and the
/// replaced file is closed on a thread of its own.
fn large_text(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i * 7 % 26) as u8).collect()
}

fn write_in_pieces(w: &mut dyn Write, text: &[u8], fail_at: Option<usize>) -> io::Result<usize> {
    let mut at = 0;
    let mut piece = 1000;
    while at < text.len() {
        let end = (at + piece).min(text.len());
        if let Some(fail_at) = fail_at.filter(|&f| f < end) {
            w.write_all(&text[at..fail_at])?;
            return Err(io::Error::other("injected failure"));
        }
        w.write_all(&text[at..end])?;
        at = end;
        piece = piece * 3 % 70_001 + 1;
    }
    Ok(text.len())
}

#[test]
fn a_large_save_interrupted_anywhere_leaves_the_previous_large_file_intact() {
    let dir = TempDir::new("interrupt-large");
    let path = dir.join("cookies.txt");
    let previous = large_text(3 << 20);
    std::fs::write(&path, &previous).unwrap();
    let next: Vec<u8> = large_text(5 << 20).into_iter().rev().collect();
    let chunk = 256 * 1024;
    for fail_at in [
        0,
        1,
        chunk - 1,
        chunk,
        chunk + 1,
        3 * chunk + 5,
        4 << 20,
        next.len() - 1,
    ] {
        let result = atomic::save_with(&path, |w| write_in_pieces(w, &next, Some(fail_at)));
        assert!(result.is_err(), "failing at {fail_at}");
        assert!(
            std::fs::read(&path).unwrap() == previous,
            "failing at {fail_at}"
        );
        assert_eq!(dir.entries(), ["cookies.txt"], "no temporary file left");
    }
    let n = atomic::save_with(&path, |w| write_in_pieces(w, &next, None)).unwrap();
    assert_eq!(n, next.len());
    assert!(std::fs::read(&path).unwrap() == next);
    assert_eq!(dir.entries(), ["cookies.txt"]);
    // And back: the large file replaced by a small one.
    atomic::save_with(&path, |w| w.write_all(b"small")).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"small");
}

#[cfg(unix)]
#[test]
fn a_new_cookie_file_is_private_and_an_old_one_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let path = dir.join("new.txt");
    save(&jar(), &path, Format::Mozilla, SaveOptions::default()).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    save(&jar(), &path, Format::Lwp, SaveOptions::default()).unwrap();
    assert_eq!(mode(&path), 0o640);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "#LWP-Cookies-2.0\n"
    );
}

#[cfg(unix)]
#[test]
fn saving_through_a_symlink_replaces_the_file_it_points_to() {
    let dir = TempDir::new("link");
    let real = dir.join("real.txt");
    let link = dir.join("link.txt");
    std::fs::write(&real, "old").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut j = jar();
    j.set_cookie(persistent("a", "1", "h")).unwrap();
    save(&j, &link, Format::Mozilla, SaveOptions::default()).unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        read_mozilla(std::fs::read(&real).unwrap().as_slice())
            .unwrap()
            .len(),
        1
    );
}

// ----- property tests --------------------------------------------------------

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_!#$%&'*+.^`|~-]{1,12}"
}

fn domain() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){0,3}"
}

fn arb_cookie() -> impl Strategy<Value = Cookie> {
    let text = "[ -~\u{a0}-\u{2ff}]{0,20}";
    (
        (
            token(),
            text,
            domain(),
            "/[ -~]{0,15}",
            any::<bool>(),
            any::<bool>(),
        ),
        (
            proptest::option::of(1u32..3),
            proptest::option::of("[0-9]{1,5}(,[0-9]{1,5}){0,2}"),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0i64..10_000_000_000),
            any::<bool>(),
        ),
        (
            proptest::option::of(text),
            proptest::option::of(text),
            proptest::collection::vec((token(), proptest::option::of(text)), 0..3),
            any::<bool>(),
            proptest::option::of(prop_oneof![
                Just(SameSite::Strict),
                Just(SameSite::Lax),
                Just(SameSite::None)
            ]),
        ),
    )
        .prop_map(|(a, b, c)| {
            let (name, value, domain, path, host_only, secure) = a;
            let (version, port, port_specified, path_specified, initial_dot, expires, discard) = b;
            let (comment, comment_url, rest, http_only, same_site) = c;
            let mut cookie = Cookie::new(name, value, domain, path);
            cookie.host_only = host_only;
            cookie.domain_specified = !host_only;
            cookie.domain_initial_dot = initial_dot;
            cookie.secure = secure;
            cookie.version = version;
            cookie.port_specified = port_specified && port.is_some();
            cookie.extras_mut().port = port;
            cookie.path_specified = path_specified;
            cookie.expires = expires;
            cookie.discard = discard || expires.is_none();
            cookie.extras_mut().comment = comment.filter(|c| !c.is_empty());
            cookie.extras_mut().comment_url = comment_url.filter(|c| !c.is_empty());
            let mut seen = Vec::<String>::new();
            cookie.extras_mut().rest = rest
                .into_iter()
                .filter(|(k, _)| {
                    let lower = k.to_lowercase();
                    let reserved = [
                        "port_spec",
                        "path_spec",
                        "domain_dot",
                        "secure",
                        "discard",
                        "version",
                        "port",
                        "path",
                        "domain",
                        "expires",
                        "comment",
                        "commenturl",
                        "httponly",
                        "samesite",
                    ];
                    let fresh = !seen.contains(k) && !reserved.contains(&lower.as_str());
                    seen.push(k.clone());
                    fresh
                })
                .collect();
            cookie.http_only = http_only;
            cookie.same_site = same_site;
            cookie
        })
}

proptest! {
    /// Placing cookies by number gives what sorting them by number gives,
    /// whatever the numbers: dense, with gaps, sparse, repeated.
    #[test]
    fn cookies_come_out_in_stored_order_however_they_are_numbered(
        seqs in prop_oneof![
            prop::collection::vec(prop_oneof![0u64..40, 1_000u64..1_030, Just(u64::MAX - 1)], 0..60),
            // Every number of a range, once: no gaps.
            (0usize..60, 0u64..1_000).prop_flat_map(|(n, from)| {
                Just((from..from + n as u64).collect::<Vec<_>>()).prop_shuffle()
            }),
        ],
    ) {
        let cookies: Vec<Cookie> = (0..seqs.len())
            .map(|i| Cookie::new(format!("c{i}"), "", "h", "/"))
            .collect();
        let pairs: Vec<(u64, &Cookie)> = seqs.iter().copied().zip(&cookies).collect();
        let mut sorted = pairs.clone();
        sorted.sort_by_key(|&(seq, _)| seq);
        let names = |v: Vec<&Cookie>| v.into_iter().map(|c| c.name.to_string()).collect::<Vec<_>>();
        prop_assert_eq!(
            names(in_stored_order(pairs.into_iter())),
            names(sorted.into_iter().map(|(_, c)| c).collect())
        );
    }
}

proptest! {
    #[test]
    fn lwp_save_then_load_gives_the_same_cookies(cookies in proptest::collection::vec(arb_cookie(), 0..6)) {
        let back = lwp_round_trip(&cookies);
        prop_assert_eq!(back.len(), cookies.len());
        for (got, want) in back.iter().zip(&cookies) {
            prop_assert_eq!(key(got), key(want));
        }
    }

    /// What a `cookies.txt` can hold: name, value, domain and whether it is a
    /// domain cookie, path, secure, expiry, HttpOnly.
    #[test]
    fn mozilla_save_then_load_gives_the_same_cookies(cookies in proptest::collection::vec(arb_cookie(), 0..6)) {
        let back = mozilla_round_trip(&cookies);
        prop_assert_eq!(back.len(), cookies.len());
        for (got, want) in back.iter().zip(&cookies) {
            let expires = want.expires.filter(|&t| t != 0);
            prop_assert_eq!(
                (&got.name, &got.value, &got.domain, got.host_only, &got.path),
                (&want.name, &want.value, &want.domain, want.host_only, &want.path)
            );
            prop_assert_eq!((got.secure, got.expires, got.http_only), (want.secure, expires, want.http_only));
            prop_assert_eq!(got.domain_initial_dot, !want.host_only);
        }
    }

    /// The fast path for LWP's own date form agrees with the general parser.
    #[test]
    fn lwp_expiry_fast_path_agrees_with_iso2time(
        y in 900i64..10100, mo in 0i64..14, d in 0i64..33, h in 0i64..26, mi in 0i64..62, s in 0i64..63,
        t in -100_000_000_000i64..300_000_000_000,
    ) {
        let odd = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}Z");
        prop_assert_eq!(super::lwp::parse_expires(&odd), crate::date::iso2time(&odd), "{}", odd);
        let written = crate::date::time2isoz(t);
        let mut pushed = String::from("x");
        crate::date::push_isoz(&mut pushed, t);
        prop_assert_eq!(&pushed[1..], written.as_str());
        prop_assert_eq!(super::lwp::parse_expires(&written), crate::date::iso2time(&written), "{}", written);
    }

    /// The writer's line, assembled with fixed-size copies on the stack
    /// (or in the output for a long line), is the fields joined by tabs,
    /// whatever their lengths; a field with a tab or a line break, or a
    /// host-only domain that would read back as a comment, gives no line.
    #[test]
    fn a_mozilla_line_is_its_fields_joined_by_tabs(
        name in "[ -~\t]{0,40}",
        value in prop_oneof!["[ -~\u{a0}-\u{2ff}]{0,40}", "[ -~\t\r\n]{0,700}"],
        domain in "[a-z.#$ ]{0,40}",
        path in "/[ -~]{0,90}",
        host_only in any::<bool>(),
        secure in any::<bool>(),
        http_only in any::<bool>(),
        expires in proptest::option::of(any::<i64>()),
    ) {
        let mut cookie = Cookie::new("", "", "", "");
        cookie.name = name.into();
        cookie.value = value.into();
        cookie.domain = domain.into();
        cookie.path = path.into();
        cookie.host_only = host_only;
        cookie.secure = secure;
        cookie.http_only = http_only;
        cookie.expires = expires;
        let c = &cookie;
        let shown = c.domain.trim_start();
        let unfit = [&*c.domain, &*c.path, &*c.name, &*c.value]
            .iter()
            .any(|f| f.contains(['\t', '\n', '\r']))
            || (c.host_only && (shown.is_empty() || shown.starts_with(['#', '$'])));
        let expected = (!unfit).then(|| {
            let flag = |b: bool| if b { "TRUE" } else { "FALSE" };
            format!(
                "{}{}{}\t{}\t{}\t{}\t{}\t{}\t{}",
                if c.http_only { "#HttpOnly_" } else { "" },
                if c.host_only { "" } else { "." },
                c.domain,
                flag(!c.host_only),
                c.path,
                flag(c.secure),
                c.expires.unwrap_or(0),
                c.name,
                c.value,
            )
        });
        prop_assert_eq!(mozilla::mozilla_line(c), expected);
    }

    /// The tabs found 32 bytes at a time are the tabs, and a line is a
    /// comment or blank exactly when, trimmed, it is empty or starts with
    /// `#` or `$`.
    #[test]
    fn cookies_txt_lines_are_split_and_skipped_as_by_the_plain_rules(
        line in "[a#$.\t \u{b}\u{a0}é]{0,100}",
    ) {
        let mut found = Vec::new();
        mozilla::for_each_tab(line.as_bytes(), |i| found.push(i));
        let tabs: Vec<usize> = line.bytes().enumerate().filter(|&(_, b)| b == b'\t').map(|(i, _)| i).collect();
        prop_assert_eq!(found, tabs);
        let trimmed = line.trim();
        let skipped = trimmed.is_empty() || trimmed.starts_with(['#', '$']);
        prop_assert_eq!(mozilla::cookie_line(&line).is_none(), skipped);
    }

    /// Lines lent from the reader's buffer and lines copied out of it (a
    /// line across two buffer fills) come out the same.
    #[test]
    fn lines_are_split_alike_whatever_the_buffer_size(
        text in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'a'), any::<u8>()], 0..200),
        capacity in 1usize..40,
    ) {
        // `\n` and `\r\n` end a line; a last line may have no end.
        let expected: Vec<&[u8]> = text
            .split_inclusive(|&b| b == b'\n')
            .map(|l| match l.strip_suffix(b"\n") {
                Some(l) => l.strip_suffix(b"\r").unwrap_or(l),
                None => l,
            })
            .collect();
        let mut lines = Lines::new(io::BufReader::with_capacity(capacity, &text[..]));
        let mut got = Vec::new();
        while let Some(line) = lines.next_raw().unwrap() {
            got.push(line.to_vec());
            prop_assert_eq!(lines.number, got.len());
        }
        prop_assert_eq!(got, expected);
    }

    /// The one-scan reader of a whole `cookies.txt` gives what the line
    /// reader gives on the same bytes: the same cookies, or the same error
    /// on the same line.
    #[test]
    fn a_whole_cookies_txt_is_read_as_line_by_line(
        magic in prop_oneof![Just("# Netscape HTTP Cookie File"), Just("# HTTP Cookie File"), Just("#LWP-Cookies-2.0"), Just("")],
        lines in proptest::collection::vec(arb_cookies_txt_line(), 0..12),
        ends in proptest::collection::vec(prop_oneof![Just("\n"), Just("\r\n"), Just("\r")], 12),
        last_end in any::<bool>(),
        garbage in proptest::option::weighted(0.1, (any::<prop::sample::Index>(), any::<u8>())),
    ) {
        let mut text = format!("{magic}\n").into_bytes();
        for (i, line) in lines.iter().enumerate() {
            text.extend_from_slice(line.as_bytes());
            // A lone `\r` is kept as the end of the last line only.
            if i + 1 < lines.len() && ends[i] == "\r" {
                text.extend_from_slice(b"\r\n");
            } else if i + 1 < lines.len() || last_end {
                text.extend_from_slice(ends[i].as_bytes());
            }
        }
        if let Some((at, byte)) = garbage {
            let at = at.index(text.len());
            text[at] = byte;
        }
        let times = |cookies: Vec<Cookie>| -> Vec<Cookie> {
            cookies.into_iter().map(|mut c| { c.creation_time = 0; c.last_access_time = 0; c }).collect()
        };
        let whole = mozilla::read_mozilla_bytes(&text).map(times);
        let by_line = read_mozilla(&text[..]).map(times);
        prop_assert_eq!(format!("{whole:?}"), format!("{by_line:?}"));
    }

    #[test]
    fn no_input_makes_a_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut lwp = b"#LWP-Cookies-2.0\nSet-Cookie3: ".to_vec();
        lwp.extend_from_slice(&bytes);
        let _ = read_lwp(&lwp[..]);
        let mut moz = b"# HTTP Cookie File\n".to_vec();
        moz.extend_from_slice(&bytes);
        let _ = read_mozilla(&moz[..]);
        let _ = read_lwp(&bytes[..]);
    }

    #[test]
    fn any_text_after_set_cookie3_never_panics(text in "[ -~\t\u{1c}\u{a0}\u{3000}\"\\\\;,=]{0,80}") {
        let _ = split_header_words(&text);
        let file = format!("#LWP-Cookies-2.0\nSet-Cookie3: {text}\n");
        let _ = read_lwp(file.as_bytes());
    }
}

/// A line of a `cookies.txt`, mostly well formed: cookies (host or domain,
/// HttpOnly or not, every kind of expiry), comments, blank lines, and lines
/// with a field too many or too few or a flag that does not match.
fn arb_cookies_txt_line() -> impl Strategy<Value = String> {
    let field = "[a-zA-Z0-9./=_é -]{0,30}";
    let expires = prop_oneof![
        Just(String::new()),
        Just("0".to_string()),
        (0i64..=i64::MAX).prop_map(|n| n.to_string()),
        Just(" 42 ".to_string()),
        Just("1.5e9".to_string()),
        Just("-7".to_string()),
        Just("nan".to_string()),
        "[0-9]{17,21}",
    ];
    let cookie = (
        any::<bool>(),
        any::<bool>(),
        "[a-zA-Z0-9.-]{0,20}",
        prop_oneof![Just("TRUE"), Just("FALSE"), Just("true")],
        field,
        prop_oneof![Just("TRUE"), Just("FALSE"), Just("x")],
        expires,
        field,
        field,
    )
        .prop_map(
            |(http_only, dotted, domain, flag, path, secure, expires, name, value)| {
                let prefix = if http_only { "#HttpOnly_" } else { "" };
                let dot = if dotted { "." } else { "" };
                let flag = match flag {
                    "TRUE" | "FALSE" if dotted => "TRUE",
                    "TRUE" | "FALSE" => "FALSE",
                    other => other,
                };
                format!(
                    "{prefix}{dot}{domain}\t{flag}\t{path}\t{secure}\t{expires}\t{name}\t{value}"
                )
            },
        );
    prop_oneof![
        6 => cookie,
        1 => "[#$ ][ -~\t]{0,40}",
        1 => Just(String::new()),
        1 => "[a-z.\t]{0,40}",
        1 => (0usize..3).prop_map(|n| "a\tFALSE\t/\tFALSE\t0\tn\tv".to_string() + &"\tx".repeat(n)),
    ]
}

/// What a `cookie_store` JSON file can hold: a `raw_cookie` (so a name
/// that is a token, a value without `;` or surrounding space), the domain
/// and whether it is host-only, the path and whether it was given, Secure,
/// HttpOnly, SameSite and the expiry.
#[cfg(feature = "json")]
fn arb_json_cookie() -> impl Strategy<Value = Cookie> {
    (
        (
            token(),
            "([!#-+\\--:<-~]([ !#-+\\--:<-~\u{a0}-\u{2ff}]{0,18}[!#-+\\--:<-~])?)?",
            domain(),
            "/[ -~\u{e9}]{0,15}",
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0i64..10_000_000_000),
            any::<bool>(),
            proptest::option::of(prop_oneof![
                Just(SameSite::Strict),
                Just(SameSite::Lax),
                Just(SameSite::None)
            ]),
        ),
    )
        .prop_map(|(a, b)| {
            let (name, value, domain, path, host_only, path_specified) = a;
            let (secure, http_only, expires, discard, same_site) = b;
            let mut cookie = Cookie::new(name, value, domain, path);
            cookie.host_only = host_only;
            cookie.domain_specified = !host_only;
            cookie.path_specified = path_specified;
            cookie.secure = secure;
            cookie.http_only = http_only;
            cookie.expires = expires;
            cookie.discard = discard || expires.is_none();
            cookie.same_site = same_site;
            cookie
        })
}

#[cfg(feature = "json")]
proptest! {
    #[test]
    fn json_save_then_load_gives_the_same_cookies(cookies in proptest::collection::vec(arb_json_cookie(), 0..6)) {
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        let mut file = Vec::new();
        let written = json::write_json(&mut file, cookies.iter(), all, NOW).unwrap();
        prop_assert_eq!(written, cookies.len());
        let back = json::read_json(&file[..]).unwrap();
        prop_assert_eq!(back.len(), cookies.len());
        for (got, want) in back.iter().zip(&cookies) {
            prop_assert_eq!(
                (&got.name, &got.value, &got.domain, got.host_only, got.domain_specified),
                (&want.name, &want.value, &want.domain, want.host_only, want.domain_specified)
            );
            prop_assert_eq!((&got.path, got.path_specified), (&want.path, want.path_specified));
            prop_assert_eq!(
                (got.secure, got.http_only, got.same_site),
                (want.secure, want.http_only, want.same_site)
            );
            // A session cookie is `SessionEnd`: its expiry time is not kept.
            prop_assert_eq!(got.expires, want.expires.filter(|_| !want.discard));
        }
    }
}

proptest! {
    #[test]
    fn integers_are_written_as_display_writes_them(
        n in prop_oneof![any::<i64>(), 0i64..20_000_000_000, Just(i64::MIN), Just(i64::MAX),
                         Just(999_999_999), Just(1_000_000_000), Just(9_999_999_999), Just(10_000_000_000)],
    ) {
        let mut digits = [0u8; 20];
        let expected = n.to_string();
        prop_assert_eq!(format_int(&mut digits, n), expected.as_bytes());
        let mut text = String::new();
        push_int(&mut text, n);
        prop_assert_eq!(text, n.to_string());
    }
}
