//! The test site over real TCP: every endpoint, the log, virtual hosts, shutdown.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clientcookie_testsite::{raw, TestSite, BIG_PATTERN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn get(site: &TestSite, host: &str, path: &str) -> Result<raw::RawResponse> {
    Ok(raw::get(site.addr(), host, path).await?)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| BIG_PATTERN[i % BIG_PATTERN.len()])
        .collect()
}

#[tokio::test]
async fn set_cookie_sends_one_header_per_pair_in_order() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/set-cookie?a=1&b=two&c=").await?;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header_all("set-cookie"),
        ["a=1; Path=/", "b=two; Path=/", "c=; Path=/"]
    );
    Ok(())
}

#[tokio::test]
async fn set_cookie_raw_sends_each_value_verbatim() -> Result {
    let site = TestSite::start().await?;
    let first = "sid=1; Domain=.example; Path=/x; Expires=Wed, 09 Jun 2100 10:18:14 GMT; Secure";
    let second = "b=2; HttpOnly; SameSite=Lax";
    let path = format!("/set-cookie-raw?h={}&h={}", enc(first), enc(second));
    let resp = get(&site, "a.example", &path).await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header_all("set-cookie"), [first, second]);
    assert!(resp.header("set-cookie2").is_none());

    let v2 = "c=3; Version=1; Port=\"80,8080\"; Discard";
    let resp = get(
        &site,
        "a.example",
        &format!("/set-cookie2-raw?h={}", enc(v2)),
    )
    .await?;
    assert_eq!(resp.header_all("set-cookie2"), [v2]);
    assert!(resp.header("set-cookie").is_none());
    Ok(())
}

#[tokio::test]
async fn set_cookie_raw_with_to_redirects_after_setting_the_cookies() -> Result {
    let site = TestSite::start().await?;
    let next = "http://b.example/set-cookie-raw?h=b%3D2";
    let path = format!("/set-cookie-raw?h={}&to={}", enc("a=1; Path=/"), enc(next));
    let resp = get(&site, "a.example", &path).await?;
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("location"), Some(next));
    assert_eq!(resp.header_all("set-cookie"), ["a=1; Path=/"]);
    Ok(())
}

#[tokio::test]
async fn set_cookie_raw_keeps_bytes_that_are_not_utf8() -> Result {
    let site = TestSite::start().await?;
    let req = format!(
        "GET /set-cookie-raw?h=n%3D%E9t%E9 HTTP/1.1\r\nHost: a.example:{}\r\nConnection: close\r\n\r\n",
        site.addr().port()
    );
    let mut stream = tokio::net::TcpStream::connect(site.addr()).await?;
    stream.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await?;
    let needle: &[u8] = b"set-cookie: n=\xe9t\xe9\r\n";
    assert!(buf.windows(needle.len()).any(|w| w == needle));
    Ok(())
}

#[tokio::test]
async fn a_header_value_with_a_line_break_is_a_bad_request() -> Result {
    let site = TestSite::start().await?;
    let resp = get(
        &site,
        "a.example",
        "/set-cookie-raw?h=a%3D1%0D%0AX-Evil%3A%201",
    )
    .await?;
    assert_eq!(resp.status, 400);
    assert!(resp.header("x-evil").is_none());
    let resp = get(&site, "a.example", "/redirect/302?to=/x%0Ay").await?;
    assert_eq!(resp.status, 400);
    Ok(())
}

#[tokio::test]
async fn echo_reports_method_host_path_query_headers_and_body() -> Result {
    let site = TestSite::start().await?;
    let resp = raw::request(
        site.addr(),
        "PUT",
        "B.Example",
        "/echo/some/where?x=1&y=2",
        &[
            ("Cookie", "a=1; b=2"),
            ("Referer", "http://a.example/page"),
            ("Authorization", "Basic dXNlcjpwYXNz"),
            ("X-Twice", "one"),
            ("X-Twice", "two"),
        ],
        b"payload \xff",
    )
    .await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let echo = resp.json()?;
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["host"], "b.example");
    assert_eq!(echo["path"], "/echo/some/where");
    assert_eq!(echo["query"], "x=1&y=2");
    assert_eq!(echo["headers"]["cookie"][0], "a=1; b=2");
    assert_eq!(echo["headers"]["referer"][0], "http://a.example/page");
    assert_eq!(echo["headers"]["authorization"][0], "Basic dXNlcjpwYXNz");
    assert_eq!(
        echo["headers"]["x-twice"],
        serde_json::json!(["one", "two"])
    );
    assert_eq!(echo["body"], "payload \u{fffd}");

    let echo = get(&site, "a.example", "/echo").await?.json()?;
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["query"], "");
    assert_eq!(echo["body"], "");
    assert!(echo["headers"].get("cookie").is_none());
    Ok(())
}

#[tokio::test]
async fn redirect_sends_the_asked_status_location_and_cookies() -> Result {
    let site = TestSite::start().await?;
    for status in [300, 301, 302, 303, 305, 307, 308] {
        let path = format!(
            "/redirect/{status}?to={}&set=r=1&set=s=two",
            enc("http://b.example/echo?q=1")
        );
        let resp = get(&site, "a.example", &path).await?;
        assert_eq!(resp.status, status);
        assert_eq!(resp.header("location"), Some("http://b.example/echo?q=1"));
        assert_eq!(
            resp.header_all("set-cookie"),
            ["r=1; Path=/", "s=two; Path=/"]
        );
    }
    let resp = get(&site, "a.example", "/redirect/304?to=/echo").await?;
    assert_eq!(resp.status, 304);
    assert!(resp.body.is_empty());

    let resp = get(&site, "a.example", "/redirect/302").await?;
    assert_eq!(resp.status, 302);
    assert!(resp.header("location").is_none(), "no `to`, no Location");
    Ok(())
}

#[tokio::test]
async fn redirect_refuses_a_status_that_is_not_3xx() -> Result {
    let site = TestSite::start().await?;
    for path in [
        "/redirect/200?to=/",
        "/redirect/abc",
        "/redirect/99999",
        "/redirect/",
    ] {
        assert_eq!(get(&site, "a.example", path).await?.status, 400, "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn a_redirect_chain_counts_down_setting_a_cookie_per_hop() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/redirect-chain/3").await?;
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("location"), Some("/redirect-chain/2"));
    assert_eq!(resp.header_all("set-cookie"), ["hop3=1; Path=/"]);

    let resp = get(&site, "a.example", "/redirect-chain/1?status=307").await?;
    assert_eq!(resp.status, 307);
    assert_eq!(
        resp.header("location"),
        Some("/redirect-chain/0?status=307")
    );
    assert_eq!(resp.header_all("set-cookie"), ["hop1=1; Path=/"]);

    let resp = get(&site, "a.example", "/redirect-chain/0").await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()?["path"], "/redirect-chain/0");

    assert_eq!(
        get(&site, "a.example", "/redirect-chain/x").await?.status,
        400
    );
    Ok(())
}

#[tokio::test]
async fn the_redirect_loop_points_at_itself() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/redirect-loop").await?;
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("location"), Some("/redirect-loop"));
    Ok(())
}

#[tokio::test]
async fn refresh_sends_the_header_with_and_without_a_url() -> Result {
    let site = TestSite::start().await?;
    let resp = get(
        &site,
        "a.example",
        &format!("/refresh?delay=2&to={}", enc("/echo?a=1")),
    )
    .await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("refresh"), Some("2; url=/echo?a=1"));

    let resp = get(&site, "a.example", "/refresh?delay=5").await?;
    assert_eq!(resp.header("refresh"), Some("5"));
    let resp = get(&site, "a.example", "/refresh").await?;
    assert_eq!(resp.header("refresh"), Some("0"));
    Ok(())
}

#[tokio::test]
async fn meta_refresh_puts_the_value_in_the_head() -> Result {
    let site = TestSite::start().await?;
    let path = format!("/meta-refresh?delay=1&to={}", enc("/echo?a=1&b=\"2\""));
    let resp = get(&site, "a.example", &path).await?;
    assert_eq!(resp.status, 200);
    assert!(resp.header("refresh").is_none());
    assert_eq!(
        resp.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = resp.text();
    let meta = "<meta http-equiv=\"Refresh\" content=\"1; url=/echo?a=1&amp;b=&quot;2&quot;\">";
    let head_end = page.find("</head>").expect("a head");
    assert!(page[..head_end].contains(meta), "{page}");
    Ok(())
}

#[tokio::test]
async fn equiv_has_meta_tags_in_the_head_and_one_in_the_body() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/equiv").await?;
    assert_eq!(resp.status, 200);
    let page = resp.text();
    let (head, body) = page.split_at(page.find("</head>").expect("a head"));
    for tag in [
        "<meta http-equiv=\"X-Test\" content=\"yes\">",
        "<meta http-equiv=\"Set-Cookie\" content=\"meta=1; Path=/\">",
        "<meta http-equiv=\"Content-Language\" content=\"en\">",
    ] {
        assert!(head.contains(tag), "{tag} in the head");
    }
    assert!(body.contains("<meta http-equiv=\"X-In-Body\" content=\"no\">"));
    assert!(
        resp.header("x-test").is_none(),
        "the server itself does not send them"
    );
    Ok(())
}

#[tokio::test]
async fn equiv_custom_uses_the_given_head_and_body_size() -> Result {
    let site = TestSite::start().await?;
    let head = "<meta http-equiv=\"Refresh\" content=\"0; url=/x\"><title>t</title>";
    let resp = get(
        &site,
        "a.example",
        &format!("/equiv-custom?head={}&body_kb=3", enc(head)),
    )
    .await?;
    assert_eq!(resp.status, 200);
    let prefix = format!("<!DOCTYPE html>\n<html><head>{head}</head>\n<body>\n");
    let suffix = "\n</body></html>\n";
    assert!(resp.body.starts_with(prefix.as_bytes()));
    assert!(resp.body.ends_with(suffix.as_bytes()));
    assert_eq!(resp.body.len(), prefix.len() + 3 * 1024 + suffix.len());
    assert_eq!(
        get(&site, "a.example", "/equiv-custom?body_kb=lots")
            .await?
            .status,
        400
    );
    Ok(())
}

#[tokio::test]
async fn robots_txt_is_configured_per_host_with_its_status() -> Result {
    let site = TestSite::start().await?;
    site.set_robots("a.example", 200, "User-agent: *\nDisallow: /private\n");
    site.set_robots("B.Example:8080", 500, "oops");
    site.set_robots("www.site.test", 401, "");

    let resp = get(&site, "a.example", "/robots.txt").await?;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(resp.text(), "User-agent: *\nDisallow: /private\n");

    let resp = get(&site, "b.example", "/robots.txt").await?;
    assert_eq!((resp.status, resp.text().as_str()), (500, "oops"));
    assert_eq!(
        get(&site, "www.site.test", "/robots.txt").await?.status,
        401
    );
    assert_eq!(get(&site, "c.example", "/robots.txt").await?.status, 404);
    assert_eq!(get(&site, "127.0.0.1", "/robots.txt").await?.status, 404);

    site.set_robots("a.example", 200, "User-agent: *\nDisallow:\n");
    assert_eq!(
        get(&site, "a.example", "/robots.txt").await?.text(),
        "User-agent: *\nDisallow:\n"
    );
    Ok(())
}

#[tokio::test]
async fn big_streams_the_pattern_with_a_content_length() -> Result {
    let site = TestSite::start().await?;
    let n = 100_000;
    let resp = get(&site, "a.example", &format!("/big?bytes={n}")).await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("100000"));
    assert_eq!(resp.body, pattern(n));
    assert_eq!(site.body_bytes_sent(), n as u64);

    let resp = get(&site, "a.example", "/big?bytes=0").await?;
    assert_eq!(resp.header("content-length"), Some("0"));
    assert!(resp.body.is_empty());
    assert_eq!(get(&site, "a.example", "/big?bytes=-1").await?.status, 400);
    Ok(())
}

#[tokio::test]
async fn head_of_big_sends_the_length_but_generates_nothing() -> Result {
    let site = TestSite::start().await?;
    let resp = raw::request(site.addr(), "HEAD", "a.example", "/big", &[], b"").await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("100000000"));
    assert!(resp.body.is_empty());
    assert_eq!(site.body_bytes_sent(), 0);
    Ok(())
}

/// Reads the head and `want` body bytes of `GET path`, then drops the connection.
async fn read_part(addr: SocketAddr, path: &str, want: usize) -> Result<Vec<u8>> {
    let socket = TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(8 * 1024)?;
    let mut stream = socket.connect(addr).await?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: a.example:{}\r\n\r\n",
        addr.port()
    );
    stream.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err("connection closed early".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            if buf.len() >= end + 4 + want {
                return Ok(buf[end + 4..end + 4 + want].to_vec());
            }
        }
    }
}

#[tokio::test]
async fn a_big_body_is_only_generated_as_far_as_it_is_read() -> Result {
    let site = TestSite::start().await?;
    let part = read_part(site.addr(), "/big", 1024).await?;
    assert_eq!(part, pattern(1024));
    // Let the server notice the closed connection and give up on the rest.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = site.body_bytes_sent();
    assert!(sent >= 1024, "{sent}");
    assert!(
        sent < 1024 * 1024,
        "{sent} bytes generated for a 1 KiB read"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        site.body_bytes_sent(),
        sent,
        "nothing more after the client left"
    );
    Ok(())
}

#[tokio::test]
async fn big_html_has_meta_tags_in_the_head_then_the_body() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/big-html?bytes=50000").await?;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = resp.text();
    let head_end = page.find("</head>").expect("a head");
    assert!(page[..head_end].contains("<meta http-equiv=\"X-Test\" content=\"big\">"));
    assert!(
        page[..head_end].contains("<meta http-equiv=\"Set-Cookie\" content=\"bighead=1; Path=/\">")
    );
    assert!(page.ends_with("</body></html>\n"));
    let content_length: u64 = resp.header("content-length").expect("a length").parse()?;
    assert_eq!(content_length, resp.body.len() as u64);
    assert!(resp.body.len() > 50_000 && resp.body.len() < 51_000);
    assert_eq!(site.body_bytes_sent(), content_length);
    Ok(())
}

#[tokio::test]
async fn slow_sends_its_chunks_with_pauses_between() -> Result {
    let site = TestSite::start().await?;
    let started = Instant::now();
    let resp = get(
        &site,
        "a.example",
        "/slow?chunks=4&delay_ms=60&chunk_bytes=100",
    )
    .await?;
    let took = started.elapsed();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, pattern(100).repeat(4));
    assert!(took >= Duration::from_millis(180), "{took:?}");
    assert_eq!(site.body_bytes_sent(), 400);

    let resp = get(&site, "a.example", "/slow?chunks=2&delay_ms=0").await?;
    assert_eq!(resp.body.len(), 2048);
    assert_eq!(
        get(&site, "a.example", "/slow?chunk_bytes=0").await?.status,
        400
    );
    assert_eq!(
        get(&site, "a.example", "/slow?delay_ms=soon").await?.status,
        400
    );
    Ok(())
}

#[tokio::test]
async fn logging_in_sets_a_session_cookie_that_opens_the_account() -> Result {
    let site = TestSite::start().await?;
    let form = get(&site, "a.example", "/login").await?;
    assert_eq!(form.status, 200);
    assert!(form
        .text()
        .contains("<form method=\"post\" action=\"/login\">"));

    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let wrong = raw::request(
        site.addr(),
        "POST",
        "a.example",
        "/login",
        &headers,
        b"user=bob&password=guess",
    )
    .await?;
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("set-cookie").is_none());

    let ok = raw::request(
        site.addr(),
        "POST",
        "a.example",
        "/login",
        &headers,
        b"user=bob+smith&password=secret",
    )
    .await?;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.header("location"), Some("/account"));
    let cookie = ok
        .header("set-cookie")
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.starts_with("session="));
    assert!(cookie.ends_with("; Path=/; HttpOnly"), "{cookie}");
    let pair = cookie.split(';').next().expect("name=value");

    let account = raw::request(
        site.addr(),
        "GET",
        "a.example",
        "/account",
        &[("Cookie", &format!("x=1; {pair}"))],
        b"",
    )
    .await?;
    assert_eq!(account.status, 200);
    assert_eq!(account.text(), "welcome bob smith\n");

    assert_eq!(get(&site, "a.example", "/account").await?.status, 403);
    let forged = raw::request(
        site.addr(),
        "GET",
        "a.example",
        "/account",
        &[("Cookie", "session=s1x0")],
        b"",
    )
    .await?;
    assert_eq!(forged.status, 403);

    let out = get(&site, "a.example", "/logout").await?;
    assert_eq!(out.status, 303);
    assert_eq!(
        out.header("set-cookie"),
        Some("session=; Path=/; Max-Age=0")
    );
    Ok(())
}

#[tokio::test]
async fn status_answers_with_the_asked_code() -> Result {
    let site = TestSite::start().await?;
    for code in [200, 201, 400, 401, 403, 404, 418, 500, 503, 599] {
        let resp = get(&site, "a.example", &format!("/status/{code}")).await?;
        assert_eq!(resp.status, code);
        assert_eq!(resp.text(), format!("status {code}\n"));
    }
    let resp = get(&site, "a.example", "/status/204").await?;
    assert_eq!((resp.status, resp.body.len()), (204, 0));
    for bad in ["/status/100", "/status/1000", "/status/abc", "/status/"] {
        assert_eq!(get(&site, "a.example", bad).await?.status, 400, "{bad}");
    }
    Ok(())
}

#[tokio::test]
async fn referer_links_is_a_page_of_links() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/html/referer-links").await?;
    assert_eq!(resp.status, 200);
    assert!(resp.text().contains("<a href=\"/echo\">"));
    assert!(resp.header("referrer-policy").is_none());
    let resp = get(&site, "a.example", "/html/referer-links?policy=no-referrer").await?;
    assert_eq!(resp.header("referrer-policy"), Some("no-referrer"));
    Ok(())
}

#[tokio::test]
async fn unknown_paths_are_not_found() -> Result {
    let site = TestSite::start().await?;
    for path in [
        "/",
        "/nope",
        "/echoes",
        "/status",
        "/html",
        "/set-cookie/x",
        "/%ff%zz?%%&=",
    ] {
        assert_eq!(get(&site, "a.example", path).await?.status, 404, "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn the_log_records_each_request_with_its_host_in_order() -> Result {
    let site = TestSite::start().await?;
    get(&site, "A.Example", "/set-cookie?a=1").await?;
    raw::request(
        site.addr(),
        "POST",
        "b.example",
        "/echo?x=1",
        &[("Cookie", "a=1")],
        b"body",
    )
    .await?;
    get(&site, "www.site.test", "/nope").await?;

    let log = site.requests();
    let summary: Vec<_> = log
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.host.as_str(),
                r.path_and_query.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("GET", "a.example", "/set-cookie?a=1"),
            ("POST", "b.example", "/echo?x=1"),
            ("GET", "www.site.test", "/nope"),
        ]
    );
    assert_eq!(log[1].header("cookie"), Some("a=1"));
    assert_eq!(log[1].body, b"body");
    let port = site.addr().port().to_string();
    assert_eq!(
        log[0].header("host"),
        Some(format!("A.Example:{port}").as_str())
    );

    site.clear_log();
    assert!(site.requests().is_empty());
    get(&site, "a.example", "/echo").await?;
    assert_eq!(site.requests().len(), 1);
    Ok(())
}

#[tokio::test]
async fn connections_are_kept_alive() -> Result {
    let site = TestSite::start().await?;
    let port = site.addr().port();
    let mut stream = tokio::net::TcpStream::connect(site.addr()).await?;
    let req = format!(
        "GET /status/201 HTTP/1.1\r\nHost: a.example:{port}\r\n\r\n\
         GET /echo HTTP/1.1\r\nHost: b.example:{port}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 201"), "{text}");
    assert_eq!(text.matches("HTTP/1.1 ").count(), 2);
    assert!(text.contains("\"host\":\"b.example\""));
    assert_eq!(site.requests().len(), 2);
    Ok(())
}

#[tokio::test]
async fn dropping_the_site_stops_it() -> Result {
    let site = TestSite::start().await?;
    let addr = site.addr();
    assert_eq!(
        raw::get(addr, "a.example", "/status/200").await?.status,
        200
    );
    drop(site);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after drop");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

#[tokio::test]
async fn urls_name_the_port_and_the_virtual_host() -> Result {
    let site = TestSite::start().await?;
    let port = site.addr().port();
    assert_eq!(site.url("/echo"), format!("http://127.0.0.1:{port}/echo"));
    assert_eq!(site.url("echo"), format!("http://127.0.0.1:{port}/echo"));
    assert_eq!(
        site.url_for_host("a.example", "/x?y=1"),
        format!("http://a.example:{port}/x?y=1")
    );
    Ok(())
}

#[test]
fn a_background_site_serves_blocking_clients() -> Result {
    let site = TestSite::start_in_background()?;
    let mut stream = std::net::TcpStream::connect(site.addr())?;
    write!(
        stream,
        "GET /echo HTTP/1.1\r\nHost: a.example:{}\r\nConnection: close\r\n\r\n",
        site.addr().port()
    )?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?;
    assert!(buf.starts_with(b"HTTP/1.1 200"));
    assert_eq!(site.requests()[0].host, "a.example");
    let addr = site.addr();
    drop(site);
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(addr).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after drop");
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

#[test]
fn the_binary_prints_its_url_and_serves() -> Result {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_clientcookie-testsite"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let result = (|| -> Result {
        let addr = line
            .trim()
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .ok_or_else(|| format!("not a base URL: {line:?}"))?;
        let mut stream = std::net::TcpStream::connect(addr)?;
        write!(
            stream,
            "GET /status/418 HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n"
        )?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf)?;
        assert!(buf.starts_with(b"HTTP/1.1 418"));
        Ok(())
    })();
    child.kill()?;
    child.wait()?;
    result
}

#[test]
fn the_binary_rejects_a_bad_port() -> Result {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_clientcookie-testsite"))
        .args(["--port", "http"])
        .stderr(std::process::Stdio::null())
        .status()?;
    assert_eq!(status.code(), Some(2));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_clients_at_once_are_all_served_and_logged() -> Result {
    let site = TestSite::start().await?;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let addr = site.addr();
        tasks.spawn(async move { raw::get(addr, &format!("h{i}.example"), "/echo").await });
    }
    while let Some(joined) = tasks.join_next().await {
        let resp = joined??;
        assert_eq!(resp.status, 200);
    }
    let mut hosts: Vec<_> = site.requests().into_iter().map(|r| r.host).collect();
    hosts.sort();
    hosts.dedup();
    assert_eq!(hosts.len(), 50);
    Ok(())
}

#[tokio::test]
async fn redirect_sends_a_referrer_policy_when_asked() -> Result {
    let site = TestSite::start().await?;
    let resp = get(
        &site,
        "a.example",
        "/redirect/302?to=/echo&policy=no-referrer",
    )
    .await?;
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("referrer-policy"), Some("no-referrer"));
    let resp = get(&site, "a.example", "/redirect/302?to=/echo").await?;
    assert!(resp.header("referrer-policy").is_none());
    Ok(())
}

#[tokio::test]
async fn trailers_sends_a_chunked_body_then_its_trailers_to_a_client_that_accepts_them() -> Result {
    let site = TestSite::start().await?;
    let resp = raw::request(
        site.addr(),
        "GET",
        "a.example",
        "/trailers?bytes=100",
        &[("TE", "trailers")],
        b"",
    )
    .await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    assert_eq!(resp.header("trailer"), Some("x-body-bytes, x-trailer"));
    assert!(resp.header("content-length").is_none());
    // The raw client does not decode chunks: the framing, the data and the trailers.
    let text = resp.text();
    assert!(text.starts_with("64\r\n"), "{text:?}");
    assert!(text.contains(&String::from_utf8(pattern(100))?));
    let tail = text.to_ascii_lowercase();
    assert!(tail.contains("x-body-bytes: 100\r\n"), "{text:?}");
    assert!(tail.contains("x-trailer: end\r\n"), "{text:?}");
    assert_eq!(site.body_bytes_sent(), 100);

    // Without `TE: trailers` hyper leaves them out.
    let resp = get(&site, "a.example", "/trailers?bytes=10").await?;
    assert!(!resp.text().to_ascii_lowercase().contains("x-trailer"));
    Ok(())
}

#[tokio::test]
async fn truncated_promises_more_than_it_sends_and_closes_the_connection() -> Result {
    let site = TestSite::start().await?;
    let resp = get(&site, "a.example", "/truncated?bytes=1000&promised=5000").await?;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("5000"));
    assert_eq!(
        resp.body,
        pattern(1000),
        "the connection ends after 1000 bytes"
    );
    assert_eq!(
        get(&site, "a.example", "/truncated?bytes=10&promised=10")
            .await?
            .status,
        400
    );
    Ok(())
}
