//! Internet Explorer 5/6 cookie files (`store::msie`, load only), on the
//! fixtures in `tests/fixtures/msie/` (written by `make_fixtures.py` there,
//! from the format's description: no IE runs here).

use std::path::PathBuf;
use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::store::msie::{filetime_to_unix, read_msie};
use clientcookie_jar::store::{self, CookieFile, Format, LoadError, LoadOptions, Malformed};
use clientcookie_jar::{Cookie, CookieJar};

const NOW: i64 = 1_700_000_000; // 2023-11-14
const Y2030: i64 = 1_893_456_000;
const CREATED: i64 = 1_078_144_215; // 2004-03-01T12:30:15Z

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/msie")
        .join(name)
}

fn read(name: &str) -> Vec<Cookie> {
    read_msie(&std::fs::read(fixture(name)).unwrap()[..]).unwrap()
}

fn jar() -> CookieJar {
    CookieJar::builder()
        .clock(Arc::new(FixedClock::new(NOW)))
        .build()
}

fn find<'a>(cookies: &'a [Cookie], name: &str) -> &'a Cookie {
    cookies
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no cookie {name}"))
}

#[test]
fn an_ie6_cookie_file_is_read_with_every_field() {
    let cookies = read("joe@example[1].txt");
    let names: Vec<&str> = cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "SITESERVER",
            "prefs",
            "token",
            "httponly",
            "hostonly",
            "expired",
            "empty"
        ]
    );

    let site = find(&cookies, "SITESERVER");
    assert_eq!(site.value, "ID=0f3b5a9c2d1e");
    assert_eq!(
        (site.domain.as_str(), site.path.as_str()),
        ("example.com", "/")
    );
    // IE did not record whether Domain was given, and sent every cookie to
    // the subdomains of its host: a domain cookie, not specified.
    assert!(!site.host_only && !site.domain_specified && !site.domain_initial_dot);
    assert!(!site.path_specified && !site.secure && !site.http_only);
    assert_eq!(site.expires, Some(Y2030));
    assert!(!site.discard && !site.is_session());
    assert_eq!(site.creation_time, CREATED);
    assert_eq!(site.version, None);
    // The flags are kept, as the seed kept them.
    assert_eq!(
        site.rest(),
        [("flags".to_string(), Some("1536".to_string()))]
    );

    let prefs = find(&cookies, "prefs");
    assert_eq!(prefs.value, "lang=en&tz=-5");
    assert_eq!(
        (prefs.domain.as_str(), prefs.path.as_str()),
        ("www.example.com", "/account/")
    );
    assert_eq!(prefs.expires, Some(2_147_483_648), "past 2^31 seconds");

    assert!(find(&cookies, "token").secure);
    assert!(!find(&cookies, "token").http_only);
    assert!(find(&cookies, "httponly").http_only);
    assert!(!find(&cookies, "httponly").secure);
    assert!(find(&cookies, "hostonly").host_only);
    assert_eq!(find(&cookies, "expired").expires, Some(1_054_425_600));
    assert_eq!(find(&cookies, "empty").value, "");
}

#[test]
fn windows_line_ends_ansi_bytes_a_dotted_host_and_trailing_blank_lines_are_read() {
    let cookies = read("joe@example[2].txt");
    assert_eq!(cookies.len(), 2);
    // Not UTF-8: read as Latin-1, byte for byte.
    assert_eq!(
        (cookies[0].name.as_str(), cookies[0].value.as_str()),
        ("café", "crème")
    );
    assert_eq!(cookies[0].domain, "example.org");
    assert!(cookies[0].domain_specified && cookies[0].domain_initial_dot && !cookies[0].host_only);
    // Host names are case-insensitive; paths are not.
    assert_eq!(
        (cookies[1].domain.as_str(), cookies[1].path.as_str()),
        ("www.example.org", "/Shop/")
    );
}

#[test]
fn loaded_ie_cookies_are_sent_as_ie_sent_them() {
    let mut jar = jar();
    let n = store::load(
        &mut jar,
        fixture("joe@example[1].txt"),
        Format::Msie,
        LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(n, 6, "all but the expired cookie");
    let mut header = |url: &str| {
        let mut request = http::Request::get(url).body(()).unwrap();
        jar.add_cookie_header(&mut request);
        request
            .headers()
            .get("cookie")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    // A subdomain gets the site-wide cookies; the host-only one stays on
    // its host; Secure only over https.
    let sub = header("http://shop.example.com/");
    assert!(sub.contains("SITESERVER=ID=0f3b5a9c2d1e"), "{sub}");
    assert!(!sub.contains("hostonly") && !sub.contains("token"), "{sub}");
    let www = header("https://www.example.com/account/x");
    for name in [
        "SITESERVER",
        "prefs=",
        "token=abc",
        "hostonly=1",
        "httponly=1",
    ] {
        assert!(www.contains(name), "{name} in {www}");
    }
    assert!(!www.contains("expired"), "{www}");
}

#[test]
fn an_expired_ie_cookie_is_read_but_not_loaded() {
    let file = CookieFile::new(fixture("joe@example[1].txt"), Format::Msie);
    assert_eq!(file.read().unwrap().len(), 7);
    let mut jar = jar();
    let keep_all = LoadOptions {
        ignore_discard: true,
        ignore_expires: true,
    };
    // The jar itself never holds an expired cookie (RFC 6265 §5.3).
    assert_eq!(file.load(&mut jar, keep_all).unwrap(), 6);
    assert!(jar.iter().all(|c| c.name != "expired"));
}

#[test]
fn ie_files_are_recognised_among_txt_files_and_without_a_name() {
    assert_eq!(
        store::detect(fixture("joe@example[1].txt")).unwrap(),
        Format::Msie
    );
    assert_eq!(
        store::detect(fixture("joe@example[2].txt")).unwrap(),
        Format::Msie
    );
    let dir = std::env::temp_dir().join(format!("clientcookie-msie-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bare = dir.join("cookie");
    std::fs::copy(fixture("joe@example[1].txt"), &bare).unwrap();
    assert_eq!(store::detect(&bare).unwrap(), Format::Msie);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn each_malformed_record_is_refused_with_its_line() {
    let good = "a\nb\nexample.com/\n1024\n2457927680\n31226545\n3329032192\n31070023\n*\n";
    let cases: Vec<(String, usize, Malformed)> = vec![
        (
            format!("{good}c\nd\nexample.com\n"),
            12,
            Malformed::UnexpectedEnd,
        ),
        (
            format!("{good}c\nd\nexample.com\n0\n0\n0\n0\n0\n*\n"),
            12,
            Malformed::HostPath("example.com".into()),
        ),
        (
            "c\nd\n/path\n0\n0\n0\n0\n0\n*\n".into(),
            3,
            Malformed::HostPath("/path".into()),
        ),
        (
            "c\nd\nh/\n0x400\n0\n0\n0\n0\n*\n".into(),
            4,
            Malformed::Number {
                field: "flags",
                text: "0x400".into(),
            },
        ),
        (
            "c\nd\nh/\n0\n0\n4294967296\n0\n0\n*\n".into(),
            6,
            Malformed::Number {
                field: "expiry (high)",
                text: "4294967296".into(),
            },
        ),
        (
            "c\nd\nh/\n0\n0\n0\n0\n-1\n*\n".into(),
            8,
            Malformed::Number {
                field: "creation (high)",
                text: "-1".into(),
            },
        ),
        (
            format!("{good}c\nd\nh/\n0\n0\n0\n0\n0\n**\n"),
            18,
            Malformed::Separator("**".into()),
        ),
    ];
    for (file, line, reason) in cases {
        match read_msie(file.as_bytes()) {
            Err(LoadError::Malformed {
                line: got_line,
                reason: got,
                ..
            }) => assert_eq!((got_line, got), (line, reason), "{file:?}"),
            other => panic!("{file:?}: {other:?}"),
        }
    }
    // Blank lines after the last record are not a record.
    assert_eq!(
        read_msie(format!("{good}\n\r\n").as_bytes()).unwrap().len(),
        1
    );
    assert_eq!(read_msie(&b""[..]).unwrap().len(), 0);
}

#[test]
fn filetimes_convert_as_windows_defines_them() {
    // 1601-01-01, the FILETIME epoch.
    assert_eq!(filetime_to_unix(0, 0), -11_644_473_600);
    // 1970-01-01 (0x019DB1DED53E8000, the constant of the seed).
    assert_eq!(filetime_to_unix(0x019D_B1DE, 0xD53E_8000), 0);
    // One tick before: rounds down to the second before.
    assert_eq!(filetime_to_unix(0x019D_B1DE, 0xD53E_7FFF), -1);
    // The largest FILETIME a record can hold does not overflow.
    assert_eq!(filetime_to_unix(u32::MAX, u32::MAX), 1_833_029_933_770);
}
