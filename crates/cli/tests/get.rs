//! `clientcookie get`: every option of the contract, run as a user runs it,
//! against the test site on 127.0.0.1.

mod common;

use std::ffi::OsString;

use common::{
    closed_port, python_reads, resolve, scratch, set_cookie_raw, site, write_file, Run, TestSite,
};

/// `clientcookie get URL args...` with `host` resolved to the test site.
fn get(site: &TestSite, host: &str, path: &str, extra: Vec<OsString>) -> Run {
    let mut all = args!["get", site.url_for_host(host, path)];
    all.extend(resolve(site, host).map(OsString::from));
    all.extend(extra);
    common::run(all)
}

#[test]
fn get_prints_the_body_and_exits_0_whatever_the_http_status() {
    let site = site();
    let ok = get(&site, "a.example", "/echo?x=1", args![]);
    ok.assert_status(0);
    let echo = ok.json();
    assert_eq!(echo["host"], "a.example");
    assert_eq!(echo["query"], "x=1");
    assert_eq!(echo["method"], "GET");
    assert!(ok.stderr.is_empty(), "quiet without -v: {}", ok.stderr);
    // The User-Agent is ours by default.
    let ua = echo["headers"]["user-agent"][0].as_str().unwrap();
    assert!(ua.starts_with("clientcookie/"), "{ua}");

    let missing = get(&site, "a.example", "/status/404", args![]);
    missing.assert_status(0);
    let teapot = get(&site, "a.example", "/status/503", args![]);
    teapot.assert_status(0);
}

#[test]
fn include_prints_the_status_line_and_headers_then_a_blank_line_then_the_body() {
    let site = site();
    let run = get(&site, "a.example", "/set-cookie?a=1", args!["-i"]);
    run.assert_status(0);
    let text = run.stdout_text();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("a blank line after the headers");
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("HTTP/1.1 200 OK"));
    let headers: Vec<&str> = lines.collect();
    assert!(headers.contains(&"set-cookie: a=1; Path=/"), "{headers:?}");
    assert!(
        headers.iter().any(|h| h.starts_with("content-length: ")),
        "{headers:?}"
    );
    let length: usize = headers
        .iter()
        .find_map(|h| h.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(body.len(), length);

    // Only the final response: a redirect chain shows the last hop.
    let chain = get(
        &site,
        "a.example",
        "/redirect/302?to=/status/201",
        args!["--include"],
    );
    assert!(
        chain.stdout_text().starts_with("HTTP/1.1 201 Created\r\n"),
        "{}",
        chain.stdout_text()
    );
}

#[test]
fn output_writes_the_body_to_a_file_and_nothing_on_stderr_when_it_is_not_a_terminal() {
    let site = site();
    let dir = scratch();
    let out = dir.path().join("big.bin");
    let run = get(&site, "a.example", "/big?bytes=1000003", args!["-o", &out]);
    run.assert_status(0);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.is_empty(),
        "no progress bar when stderr is a pipe: {:?}",
        run.stderr
    );
    let body = std::fs::read(&out).unwrap();
    assert_eq!(body.len(), 1_000_003);
    let pattern = clientcookie_testsite::BIG_PATTERN;
    assert!(body
        .iter()
        .enumerate()
        .all(|(i, b)| *b == pattern[i % pattern.len()]));

    // With -i the head goes where the body goes, as curl does.
    let with_head = dir.path().join("head.txt");
    get(
        &site,
        "a.example",
        "/status/200",
        args!["-i", "-o", &with_head],
    )
    .assert_status(0);
    assert!(std::fs::read_to_string(&with_head)
        .unwrap()
        .starts_with("HTTP/1.1 200 OK\r\n"));

    let nowhere = dir.path().join("no-such-dir").join("x");
    let failed = get(&site, "a.example", "/status/200", args!["-o", &nowhere]);
    failed.assert_status(1);
    assert!(failed.stderr.contains("no-such-dir"), "{}", failed.stderr);
}

#[test]
fn headers_are_added_and_repeatable_and_the_user_agent_can_be_set() {
    let site = site();
    let run = get(
        &site,
        "a.example",
        "/echo",
        args![
            "-H",
            "X-One: 1",
            "--header",
            "X-Two:two words",
            "-H",
            "X-One: again",
            "-A",
            "curl-ish/1.0"
        ],
    );
    run.assert_status(0);
    let headers = &run.json()["headers"];
    assert_eq!(headers["x-one"], serde_json::json!(["1", "again"]));
    assert_eq!(headers["x-two"][0], "two words");
    assert_eq!(headers["user-agent"], serde_json::json!(["curl-ish/1.0"]));
}

#[test]
fn data_is_posted_as_a_form() {
    let site = site();
    let run = get(&site, "a.example", "/echo", args!["-d", "user=alice&x=%20"]);
    run.assert_status(0);
    let echo = run.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"], "user=alice&x=%20");
    assert_eq!(
        echo["headers"]["content-type"][0],
        "application/x-www-form-urlencoded"
    );

    // A Content-Type of the user's own replaces the form's.
    let json = get(
        &site,
        "a.example",
        "/echo",
        args!["-d", "{}", "-H", "Content-Type: application/json"],
    );
    assert_eq!(
        json.json()["headers"]["content-type"],
        serde_json::json!(["application/json"])
    );

    // A form login: the 303 turns the POST into a GET, the session cookie
    // set on it is sent to /account.
    let login = get(
        &site,
        "a.example",
        "/login",
        args!["--data", "user=alice&password=secret"],
    );
    login.assert_status(0);
    assert_eq!(login.stdout_text().trim_end(), "welcome alice");
}

#[test]
fn referer_is_sent_on_the_first_request() {
    let site = site();
    get(
        &site,
        "a.example",
        "/echo",
        args!["-e", "http://a.example/from"],
    )
    .assert_status(0);
    assert_eq!(
        site.requests()[0].header("referer"),
        Some("http://a.example/from")
    );
    get(
        &site,
        "a.example",
        "/echo",
        args!["--referer", "http://other.example/page"],
    )
    .assert_status(0);
    assert_eq!(
        site.requests()[1].header("referer"),
        Some("http://other.example/page")
    );
}

#[test]
fn resolve_sends_a_host_to_the_given_address() {
    let site = site();
    let port = site.addr().port();
    let run = common::run(args![
        "get",
        format!("http://www.site.test:{port}/echo"),
        "--resolve",
        format!("www.site.test:{port}:127.0.0.1"),
        "--resolve",
        format!("other.test:{port}:127.0.0.1"),
    ]);
    run.assert_status(0);
    assert_eq!(run.json()["host"], "www.site.test");
    assert_eq!(site.requests()[0].host, "www.site.test");
}

#[test]
fn redirects_are_followed_up_to_max_redirects_and_zero_disables_them() {
    let site = site();
    let three = get(
        &site,
        "a.example",
        "/redirect-chain/3",
        args!["--max-redirects", "3"],
    );
    three.assert_status(0);
    assert_eq!(three.json()["path"], "/redirect-chain/0");
    // The default is 10.
    get(&site, "a.example", "/redirect-chain/10", args![]).assert_status(0);
    let too_many = get(&site, "a.example", "/redirect-chain/11", args![]);
    too_many.assert_status(4);
    assert!(too_many.stderr.contains("redirect"), "{}", too_many.stderr);
    get(
        &site,
        "a.example",
        "/redirect-chain/3",
        args!["--max-redirects", "2"],
    )
    .assert_status(4);

    site.clear_log();
    let none = get(
        &site,
        "a.example",
        "/redirect-chain/3",
        args!["--max-redirects", "0", "-i"],
    );
    none.assert_status(0);
    assert!(
        none.stdout_text().starts_with("HTTP/1.1 302 Found\r\n"),
        "{}",
        none.stdout_text()
    );
    assert_eq!(site.requests().len(), 1);
}

#[test]
fn a_redirect_loop_and_a_refused_connection_exit_4() {
    let site = site();
    let looping = get(&site, "a.example", "/redirect-loop", args![]);
    looping.assert_status(4);
    assert!(looping.stderr.contains("loop"), "{}", looping.stderr);

    let refused = common::run(args!["get", format!("http://127.0.0.1:{}/", closed_port())]);
    refused.assert_status(4);
    assert!(!refused.stderr.is_empty());
}

#[test]
fn refresh_is_followed_within_the_delay_limit_without_sleeping_unless_switched_off() {
    let site = site();
    let followed = get(&site, "a.example", "/refresh?delay=0&to=/echo", args![]);
    followed.assert_status(0);
    assert_eq!(followed.json()["path"], "/echo");

    let off = get(
        &site,
        "a.example",
        "/refresh?delay=0&to=/echo",
        args!["--no-refresh", "-i"],
    );
    off.assert_status(0);
    assert!(
        off.stdout_text()
            .to_ascii_lowercase()
            .contains("refresh: 0; url=/echo"),
        "{}",
        off.stdout_text()
    );

    // The default limit is 30 seconds, and a followed Refresh is not waited for.
    let started = std::time::Instant::now();
    let thirty = get(&site, "a.example", "/refresh?delay=30&to=/echo", args![]);
    assert_eq!(thirty.json()["path"], "/echo");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "it slept"
    );
    let thirty_one = get(
        &site,
        "a.example",
        "/refresh?delay=31&to=/echo",
        args!["-i"],
    );
    assert!(
        !thirty_one.stdout_text().contains("\"path\""),
        "{}",
        thirty_one.stdout_text()
    );

    let limited = get(
        &site,
        "a.example",
        "/refresh?delay=5&to=/echo",
        args!["--refresh-max-delay", "4", "-i"],
    );
    limited.assert_status(0);
    assert!(limited.stdout_text().starts_with("HTTP/1.1 200 OK"));
    assert!(!limited.stdout_text().contains("\"path\""));
    let allowed = get(
        &site,
        "a.example",
        "/refresh?delay=5&to=/echo",
        args!["--refresh-max-delay", "5"],
    );
    assert_eq!(allowed.json()["path"], "/echo");
}

#[test]
fn meta_http_equiv_tags_become_headers_unless_no_equiv() {
    let site = site();
    let dir = scratch();
    let jar = dir.path().join("cookies.txt");
    let lifted = get(
        &site,
        "a.example",
        "/equiv",
        args!["-i", "-j", &jar, "--keep-session"],
    );
    lifted.assert_status(0);
    let text = lifted.stdout_text().to_ascii_lowercase();
    assert!(text.contains("\r\nx-test: yes\r\n"), "{text}");
    assert!(
        !text.contains("x-in-body: no\r\n"),
        "only the head is read: {text}"
    );
    // The lifted Set-Cookie reached the jar.
    assert!(std::fs::read_to_string(&jar).unwrap().contains("\tmeta\t1"));

    let jar2 = dir.path().join("cookies2.txt");
    let plain = get(
        &site,
        "a.example",
        "/equiv",
        args!["-i", "--no-equiv", "-j", &jar2, "--keep-session"],
    );
    plain.assert_status(0);
    assert!(!plain
        .stdout_text()
        .to_ascii_lowercase()
        .contains("\r\nx-test: yes\r\n"));
    assert!(!std::fs::read_to_string(&jar2).unwrap().contains("\tmeta\t"));
}

#[test]
fn robots_txt_is_obeyed_only_when_asked_and_a_refusal_exits_3() {
    let site = site();
    site.set_robots("a.example", 200, "User-agent: *\nDisallow: /echo/private\n");
    let refused = get(&site, "a.example", "/echo/private", args!["--robots"]);
    refused.assert_status(3);
    assert!(refused.stderr.contains("robots"), "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    let paths: Vec<String> = site
        .requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .collect();
    assert_eq!(
        paths,
        ["/robots.txt"],
        "the refused URL was never requested"
    );

    get(&site, "a.example", "/echo/public", args!["--robots"]).assert_status(0);
    get(&site, "a.example", "/echo/private", args![]).assert_status(0);

    // A redirect into a disallowed path is refused too.
    let via = get(
        &site,
        "a.example",
        "/redirect/302?to=/echo/private",
        args!["--robots"],
    );
    via.assert_status(3);
}

/// A persistent cookie (an hour) for `/set-cookie-raw`.
fn persistent(cookie: &str) -> String {
    format!("{cookie}; Max-Age=3600; Path=/")
}

#[test]
fn the_jar_is_loaded_before_and_saved_after_and_python_reads_it() {
    let site = site();
    let dir = scratch();
    for (name, class) in [
        ("cookies.txt", "MozillaCookieJar"),
        ("cookies.lwp", "LWPCookieJar"),
    ] {
        let jar = dir.path().join(name);
        let set = set_cookie_raw(&[&persistent("p=1"), "s=2; Path=/"]);
        get(&site, "a.example", &set, args!["-j", &jar]).assert_status(0);
        // Session cookies are not saved without --keep-session.
        let read = python_reads(class, &jar);
        assert_eq!(read.len(), 1, "{name}: {read:?}");
        assert!(read[0].starts_with("a.example / p=1 - "), "{read:?}");

        // Loaded before the first request: sent to the site.
        let echo = get(&site, "a.example", "/echo", args!["--jar", &jar]);
        assert_eq!(echo.json()["headers"]["cookie"][0], "p=1");

        get(
            &site,
            "a.example",
            "/set-cookie?t=3",
            args!["-j", &jar, "--keep-session"],
        )
        .assert_status(0);
        let read = python_reads(class, &jar);
        assert_eq!(read.len(), 2, "{name}: {read:?}");
        // A session cookie: `discard` in an LWP file; expiry 0 in a
        // cookies.txt, as curl writes it (Python 3.11 reads that as expired
        // at the epoch, hence ignore_expires in `python_reads`).
        let session = if class == "LWPCookieJar" {
            "session"
        } else {
            "0"
        };
        assert!(
            read.contains(&format!("a.example / t=3 - {session}")),
            "{read:?}"
        );
    }
}

#[test]
fn the_jar_format_comes_from_the_extension_or_jar_format() {
    let site = site();
    let dir = scratch();
    let set = set_cookie_raw(&[&persistent("p=1")]);
    let cases: [(&str, Option<&str>, &[u8]); 6] = [
        ("a.txt", None, b"# Netscape HTTP Cookie File"),
        ("a.cookies", None, b"# Netscape HTTP Cookie File"),
        ("a.lwp", None, b"#LWP-Cookies-2.0"),
        ("a.json", None, b"["),
        ("a.sqlite", None, b"SQLite format 3\0"),
        ("b.txt", Some("lwp"), b"#LWP-Cookies-2.0"),
    ];
    for (name, format, magic) in cases {
        let jar = dir.path().join(name);
        let mut extra = args!["-j", &jar];
        if let Some(format) = format {
            extra.extend(args!["--jar-format", format]);
        }
        get(&site, "a.example", &set, extra.clone()).assert_status(0);
        let bytes = std::fs::read(&jar).unwrap();
        assert!(
            bytes.starts_with(magic),
            "{name}: {:?}",
            String::from_utf8_lossy(&bytes[..20.min(bytes.len())])
        );
        // Read back by the next run.
        let mut again = extra;
        again.extend(args!["-i"]);
        let echo = get(&site, "a.example", "/echo", again);
        assert!(
            echo.stdout_text().contains("\"p=1\""),
            "{name}: {}",
            echo.stdout_text()
        );
    }
    assert!(dir.path().join("a.db").metadata().is_err());
    let db = dir.path().join("a.db");
    get(&site, "a.example", &set, args!["-j", &db]).assert_status(0);
    assert!(std::fs::read(&db)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));
}

#[test]
fn a_corrupt_jar_exits_5_before_any_request_and_stays_byte_identical() {
    let site = site();
    let dir = scratch();
    let corrupt: [(&str, &[u8]); 4] = [
        ("bad.txt", b"# Netscape HTTP Cookie File\na.example\tFALSE\t/\tnot enough fields\n"),
        ("bad.lwp", b"not an LWP file\n"),
        ("bad.json", b"{\"half\": "),
        ("bad.sqlite", b"garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"),
    ];
    for (name, content) in corrupt {
        let jar = write_file(dir.path(), name, content);
        let run = get(
            &site,
            "a.example",
            "/set-cookie?a=1",
            args!["-j", &jar, "--keep-session"],
        );
        run.assert_status(5);
        assert!(run.stderr.contains(name), "{}", run.stderr);
        assert_eq!(std::fs::read(&jar).unwrap(), content, "{name} changed");
    }
    assert!(site.requests().is_empty(), "{:?}", site.requests());
    let unreadable = dir.path().join("a-directory.txt");
    std::fs::create_dir(&unreadable).unwrap();
    get(&site, "a.example", "/echo", args!["-j", &unreadable]).assert_status(5);
}

#[test]
fn rfc2965_cookies_are_accepted_and_cookie2_sent_only_with_rfc2965() {
    let site = site();
    let dir = scratch();
    let set2 = "/set-cookie2-raw?h=v2%3D1%3B%20Version%3D1%3B%20Path%3D%2F";
    let off = dir.path().join("off.lwp");
    get(
        &site,
        "a.example",
        set2,
        args!["-j", &off, "--keep-session"],
    )
    .assert_status(0);
    assert!(!std::fs::read_to_string(&off).unwrap().contains("v2="));

    let on = dir.path().join("on.lwp");
    get(
        &site,
        "a.example",
        set2,
        args!["-j", &on, "--keep-session", "--rfc2965"],
    )
    .assert_status(0);
    assert!(std::fs::read_to_string(&on).unwrap().contains("v2=1"));
    let echo = get(&site, "a.example", "/echo", args!["-j", &on, "--rfc2965"]).json();
    let cookie = echo["headers"]["cookie"][0].as_str().unwrap();
    assert!(
        cookie.contains("$Version=1") && cookie.contains("v2=1"),
        "{cookie}"
    );
}

#[test]
fn blocked_and_allowed_domains_decide_who_sets_and_receives_cookies() {
    let site = site();
    let dir = scratch();
    let jar = dir.path().join("cookies.txt");
    let set = "/set-cookie?c=1";
    let mut blocked = args!["-j", &jar, "--keep-session", "--block-domain", "b.example"];
    get(&site, "a.example", set, blocked.clone()).assert_status(0);
    get(&site, "b.example", set, blocked.clone()).assert_status(0);
    let saved = std::fs::read_to_string(&jar).unwrap();
    assert!(saved.contains("a.example\tFALSE"), "{saved}");
    assert!(!saved.contains("b.example"), "{saved}");

    // Only a.example may set or receive cookies.
    let jar2 = dir.path().join("allowed.txt");
    let allowed = args!["-j", &jar2, "--keep-session", "--allow-domain", "a.example"];
    get(&site, "a.example", set, allowed.clone()).assert_status(0);
    get(&site, "c.example", set, allowed.clone()).assert_status(0);
    let saved = std::fs::read_to_string(&jar2).unwrap();
    assert!(
        saved.contains("a.example") && !saved.contains("c.example"),
        "{saved}"
    );

    // A blocked domain does not receive the cookies the jar holds for it.
    let all = dir.path().join("all.txt");
    get(&site, "b.example", set, args!["-j", &all, "--keep-session"]).assert_status(0);
    blocked = args!["-j", &all, "--block-domain", "b.example"];
    let echo = get(&site, "b.example", "/echo", blocked).json();
    assert!(echo["headers"]["cookie"].is_null(), "{echo}");
}

#[test]
fn verbose_explains_every_hop_and_every_cookie_with_its_reason() {
    let site = site();
    let refused = "/set-cookie-raw?h=bad%3D1%3B%20Domain%3Dother.example&h=good%3D1";
    let to = format!(
        "/redirect/302?to={}&set=hop%3D1",
        common::percent_encode(refused)
    );
    let run = get(&site, "a.example", &to, args!["-v"]);
    run.assert_status(0);
    let err = &run.stderr;
    assert!(err.contains("> GET http://a.example:"), "{err}");
    assert!(err.contains("following redirect"), "{err}");
    assert!(err.contains("cookie accepted [cookie=hop=1"), "{err}");
    assert!(err.contains("cookie accepted [cookie=good=1"), "{err}");
    assert!(err.contains("cookie refused [cookie=bad=1"), "{err}");
    assert!(
        err.contains("domain-match"),
        "the policy's reason is given: {err}"
    );
    assert!(err.contains("< HTTP/1.1 200 OK"), "{err}");
    // The body alone on stdout.
    assert_eq!(run.stdout_text().trim_end(), "headers set");
    assert!(
        !run.stdout_text().contains("cookie"),
        "{}",
        run.stdout_text()
    );
}

#[test]
fn output_shows_a_progress_bar_when_stderr_is_a_terminal() {
    // util-linux `script` runs the command on a pseudo-terminal and copies
    // what it shows to its own stdout.
    let site = site();
    let dir = scratch();
    let out = dir.path().join("slow.bin");
    let url = site.url("/slow?chunks=8&delay_ms=30&chunk_bytes=16384");
    let command = format!(
        "'{}' get '{url}' -o '{}'",
        env!("CARGO_BIN_EXE_clientcookie"),
        out.display()
    );
    let shown = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` is needed to give the command a terminal");
    assert!(shown.status.success(), "{shown:?}");
    let screen = String::from_utf8_lossy(&shown.stdout);
    assert!(
        screen.contains("128.00 KiB/128.00 KiB"),
        "no progress bar: {screen:?}"
    );
    assert!(screen.contains('█'), "{screen:?}");
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 8 * 16384);
}

#[test]
fn a_200_mb_body_to_a_file_keeps_peak_memory_under_64_mb() {
    // GNU time reports the child's peak resident set size (%M, KiB); the
    // figure with the exact command is in BENCHMARKS.md.
    let site = site();
    let dir = scratch();
    let out = dir.path().join("big.bin");
    let measured = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_clientcookie"))
        .args(args!["get", site.url("/big?bytes=200000000"), "-o", &out])
        .output()
        .expect("GNU time (/usr/bin/time, Debian package `time`) measures the peak memory");
    assert!(measured.status.success(), "{measured:?}");
    let stderr = String::from_utf8_lossy(&measured.stderr);
    let peak_kib: u64 = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no figure from time: {stderr}"));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 200_000_000);
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `clientcookie get URL | head -c 10`
    use std::io::Read as _;
    let site = site();
    let mut child = common::clientcookie()
        .args(["get", &site.url("/big?bytes=50000000")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed now.
    let output = child.wait_with_output().unwrap();
    assert_eq!(&first[..], &clientcookie_testsite::BIG_PATTERN[..10]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn cookies_of_the_hops_before_a_failure_are_saved() {
    let site = site();
    let dir = scratch();
    let jar = dir.path().join("cookies.lwp");
    let run = get(
        &site,
        "a.example",
        "/redirect/302?to=/redirect-loop&set=before%3D1",
        args!["-j", &jar, "--keep-session"],
    );
    run.assert_status(4);
    let saved = std::fs::read_to_string(&jar).unwrap();
    assert!(saved.contains("before=1"), "{saved}");
}
