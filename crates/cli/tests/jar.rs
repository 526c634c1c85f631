//! `clientcookie jar list` and `clientcookie jar convert`, on files written
//! by hand, by Python, and by the command itself.

mod common;

use common::{python_reads, run, scratch, write_file};

/// A cookies.txt as curl writes it: a domain cookie, a deep path, a secure
/// cookie, an HttpOnly one and a session one (expiry 0).
const COOKIES_TXT: &str = "# Netscape HTTP Cookie File\n\
# written by hand for the tests\n\
\n\
.a.example\tTRUE\t/\tFALSE\t4000000000\tdom\t1\n\
a.example\tFALSE\t/deep\tFALSE\t4000000000\tdeep\t2\n\
a.example\tFALSE\t/\tTRUE\t4000000000\tsec\t3\n\
#HttpOnly_b.example\tFALSE\t/\tFALSE\t4000000000\thttponly\t4\n\
a.example\tFALSE\t/\tFALSE\t0\tsess\t5\n";

fn names(listing: &str) -> Vec<&str> {
    listing
        .lines()
        .map(|line| line.split('=').next().unwrap_or(""))
        .collect()
}

#[test]
fn jar_list_prints_every_cookie_of_the_file_one_a_line() {
    let dir = scratch();
    let path = write_file(dir.path(), "cookies.txt", COOKIES_TXT.as_bytes());
    let out = run(["jar", "list"]).stdout;
    assert!(out.is_empty(), "no file, no output");
    let listed = run(["jar".as_ref(), "list".as_ref(), path.as_os_str()]);
    listed.assert_status(0);
    let text = listed.stdout_text();
    assert_eq!(names(&text), ["dom", "deep", "sec", "httponly", "sess"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("domain=\".a.example\""), "{}", lines[0]);
    assert!(lines[2].contains("; secure"), "{}", lines[2]);
    assert!(lines[3].contains("; HttpOnly"), "{}", lines[3]);
    assert!(lines[4].contains("; discard"), "{}", lines[4]);
    assert!(!lines[4].contains("expires"), "{}", lines[4]);
}

#[test]
fn jar_list_with_url_shows_only_the_cookies_that_url_would_be_sent() {
    let dir = scratch();
    let path = write_file(dir.path(), "cookies.txt", COOKIES_TXT.as_bytes());
    let list = |url: &str| {
        let run = run([
            "jar".as_ref(),
            "list".as_ref(),
            path.as_os_str(),
            "--url".as_ref(),
            url.as_ref(),
        ]);
        run.assert_status(0);
        names(&run.stdout_text())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // Longest path first, as in the Cookie header (RFC 6265 §5.4); no
    // Secure cookie over http.
    assert_eq!(list("http://a.example/deep/page"), ["deep", "dom", "sess"]);
    assert_eq!(list("https://a.example/"), ["dom", "sec", "sess"]);
    // Only the domain cookie reaches a subdomain; host-only ones do not.
    assert_eq!(list("http://www.a.example/deep"), ["dom"]);
    assert_eq!(list("http://b.example/"), ["httponly"]);
    assert!(list("http://c.example/").is_empty());
}

#[test]
fn jar_list_reads_each_format_by_its_extension() {
    let dir = scratch();
    let txt = write_file(dir.path(), "cookies.txt", COOKIES_TXT.as_bytes());
    let expected = run(["jar".as_ref(), "list".as_ref(), txt.as_os_str()]).stdout_text();
    for ext in ["lwp", "json", "sqlite", "db"] {
        let other = dir.path().join(format!("cookies.{ext}"));
        run([
            "jar".as_ref(),
            "convert".as_ref(),
            txt.as_os_str(),
            other.as_os_str(),
        ])
        .assert_status(0);
        let listed = run(["jar".as_ref(), "list".as_ref(), other.as_os_str()]);
        listed.assert_status(0);
        let mut got = names(&listed.stdout_text())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        let mut want = names(&expected)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{ext}");
    }
}

#[test]
fn jar_convert_round_trips_through_every_format_as_python_reads_it() {
    let dir = scratch();
    let txt = write_file(dir.path(), "cookies.txt", COOKIES_TXT.as_bytes());
    let original = python_reads("MozillaCookieJar", &txt);
    assert_eq!(original.len(), 5, "{original:?}");
    for ext in ["lwp", "json", "sqlite"] {
        let middle = dir.path().join(format!("middle.{ext}"));
        let back = dir.path().join(format!("back-from-{ext}.txt"));
        run([
            "jar".as_ref(),
            "convert".as_ref(),
            txt.as_os_str(),
            middle.as_os_str(),
        ])
        .assert_status(0);
        run([
            "jar".as_ref(),
            "convert".as_ref(),
            middle.as_os_str(),
            back.as_os_str(),
        ])
        .assert_status(0);
        assert_eq!(
            python_reads("MozillaCookieJar", &back),
            original,
            "through {ext}"
        );
    }
    let lwp = dir.path().join("middle.lwp");
    let from_lwp = python_reads("LWPCookieJar", &lwp);
    assert_eq!(from_lwp.len(), 5, "{from_lwp:?}");
}

#[test]
fn jar_convert_formats_can_be_named_instead_of_guessed() {
    let dir = scratch();
    let input = write_file(dir.path(), "in.data", COOKIES_TXT.as_bytes());
    let output = dir.path().join("out.data");
    run([
        "jar".as_ref(),
        "convert".as_ref(),
        input.as_os_str(),
        output.as_os_str(),
        "--from".as_ref(),
        "mozilla".as_ref(),
        "--to".as_ref(),
        "lwp".as_ref(),
    ])
    .assert_status(0);
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(written.starts_with("#LWP-Cookies-2.0\n"), "{written}");
    assert_eq!(python_reads("LWPCookieJar", &output).len(), 5);

    let json = dir.path().join("out2.data");
    run([
        "jar".as_ref(),
        "convert".as_ref(),
        output.as_os_str(),
        json.as_os_str(),
        "--from".as_ref(),
        "lwp".as_ref(),
        "--to".as_ref(),
        "json".as_ref(),
    ])
    .assert_status(0);
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(value.as_array().map(Vec::len), Some(5), "{value}");

    // Without a format or a known extension, the content decides; a named
    // format is taken at its word.
    let listed = run(["jar".as_ref(), "list".as_ref(), output.as_os_str()]);
    listed.assert_status(0);
    assert_eq!(listed.stdout_text().lines().count(), 5);
    let forced = [
        "jar".as_ref(),
        "list".as_ref(),
        output.as_os_str(),
        "--format".as_ref(),
        "mozilla".as_ref(),
    ];
    run(forced).assert_status(5);
}

#[test]
fn a_corrupt_or_missing_jar_file_exits_5_and_is_left_byte_identical() {
    let dir = scratch();
    let corrupt: [(&str, &[u8]); 6] = [
        ("bad.txt", b"# Netscape HTTP Cookie File\na.example\tFALSE\t/\n"),
        ("nomagic.txt", b"hello\n"),
        ("bad.lwp", b"#LWP-Cookies-2.0\nSet-Cookie3: a=1; path=\"/\"\n"),
        ("bad.json", b"[{\"raw_cookie\": 12"),
        ("bad.sqlite", b"this is not an SQLite database, not even close......................................................................"),
        ("binary.txt", &[0xff, 0xfe, 0x00, 0x01, b'\n', 0x80]),
    ];
    for (name, content) in corrupt {
        let path = write_file(dir.path(), name, content);
        let out = dir.path().join("out.lwp");
        let listed = run(["jar".as_ref(), "list".as_ref(), path.as_os_str()]);
        listed.assert_status(5);
        assert!(
            listed.stderr.contains(name),
            "the error names the file: {}",
            listed.stderr
        );
        run([
            "jar".as_ref(),
            "convert".as_ref(),
            path.as_os_str(),
            out.as_os_str(),
        ])
        .assert_status(5);
        assert_eq!(std::fs::read(&path).unwrap(), content, "{name} changed");
        assert!(!out.exists(), "nothing written from {name}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(name) && n != name)
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    for missing in ["missing.txt", "missing.sqlite"] {
        let path = dir.path().join(missing);
        run(["jar".as_ref(), "list".as_ref(), path.as_os_str()]).assert_status(5);
        assert!(!path.exists(), "{missing} was created");
    }
}

#[test]
fn jar_convert_to_a_place_that_cannot_be_written_exits_1() {
    let dir = scratch();
    let input = write_file(dir.path(), "cookies.txt", COOKIES_TXT.as_bytes());
    let output = dir.path().join("no-such-dir").join("out.lwp");
    let run = run([
        "jar".as_ref(),
        "convert".as_ref(),
        input.as_os_str(),
        output.as_os_str(),
    ]);
    run.assert_status(1);
    assert!(run.stderr.contains("out.lwp"), "{}", run.stderr);
}

#[test]
fn jar_list_without_a_format_reads_what_the_content_says_an_ie_cookie_file_too() {
    let ie = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../jar/tests/fixtures/msie/joe@example[1].txt");
    let listed = run(["jar".as_ref(), "list".as_ref(), ie.as_os_str()]);
    listed.assert_status(0);
    let text = listed.stdout_text();
    assert!(text.lines().count() >= 2, "{text}");
    assert!(text.contains("domain=\".example.com\""), "{text}");

    let dir = scratch();
    let no_extension = write_file(dir.path(), "cookies", COOKIES_TXT.as_bytes());
    let listed = run(["jar".as_ref(), "list".as_ref(), no_extension.as_os_str()]);
    listed.assert_status(0);
    assert_eq!(listed.stdout_text().lines().count(), 5);
}
