//! JSON files shared with the `cookie_store` crate, both ways.

#![cfg(feature = "json")]

use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::store::json::{read_json, write_json};
use clientcookie_jar::store::{LoadOptions, SaveOptions};
use clientcookie_jar::{Cookie, CookieJar, SameSite};

const NOW: i64 = 1_700_000_000;
const FUTURE: i64 = 4_102_444_800; // 2100-01-01T00:00:00Z

#[test]
fn a_file_cookie_store_wrote_loads_here() {
    let url = url::Url::parse("https://www.example.com/app/page").unwrap();
    let mut theirs = cookie_store::CookieStore::default();
    for header in [
        "sid=42; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
        "host=1; Max-Age=100000000",
        "session=s; Path=/",
    ] {
        theirs.parse(header, &url).unwrap();
    }
    let mut file = Vec::new();
    cookie_store::serde::json::save_incl_expired_and_nonpersistent(&theirs, &mut file).unwrap();
    let mut cookies = read_json(&file[..]).unwrap();
    cookies.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(cookies.len(), 3, "{}", String::from_utf8_lossy(&file));

    let host = &cookies[0];
    assert_eq!((host.name.as_str(), host.value.as_str()), ("host", "1"));
    assert!(host.host_only);
    assert_eq!(host.domain, "www.example.com");
    assert_eq!(host.path, "/app");
    assert!(!host.path_specified);
    assert!(host.expires.is_some());

    let session = &cookies[1];
    assert_eq!(session.name, "session");
    assert_eq!(session.expires, None);

    let sid = &cookies[2];
    assert_eq!((sid.name.as_str(), sid.value.as_str()), ("sid", "42"));
    assert!(!sid.host_only && sid.domain_specified);
    assert_eq!(sid.domain, "example.com");
    assert_eq!(sid.path, "/");
    assert!(sid.path_specified && sid.secure && sid.http_only);
    assert_eq!(sid.same_site, Some(SameSite::Lax));
    assert_eq!(sid.expires, Some(FUTURE));

    // Loaded into a jar: the session cookie is skipped by default.
    let mut jar = CookieJar::builder()
        .clock(Arc::new(FixedClock::new(NOW)))
        .build();
    for cookie in cookies {
        if LoadOptions::default().keeps(&cookie, NOW) {
            jar.set_cookie(cookie).unwrap();
        }
    }
    assert_eq!(jar.len(), 2);
}

#[test]
fn a_file_written_here_loads_in_cookie_store() {
    let mut sid = Cookie::new("sid", "42", "example.com", "/");
    sid.host_only = false;
    sid.domain_specified = true;
    sid.secure = true;
    sid.http_only = true;
    sid.same_site = Some(SameSite::Strict);
    sid.expires = Some(FUTURE);
    let mut host = Cookie::new("host", "v", "www.example.com", "/app");
    host.expires = Some(FUTURE + 1);
    let mut unwritable = Cookie::new("bad", "a;b", "example.com", "/");
    unwritable.expires = Some(FUTURE);

    let mut file = Vec::new();
    let n = write_json(
        &mut file,
        [&sid, &host, &unwritable].into_iter(),
        SaveOptions::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(n, 2);
    let theirs = cookie_store::serde::json::load(&file[..]).unwrap();
    let mut got: Vec<_> = theirs.iter_unexpired().collect();
    got.sort_by(|a, b| a.name().cmp(b.name()));
    assert_eq!(got.len(), 2, "{}", String::from_utf8_lossy(&file));
    assert_eq!((got[0].name(), got[0].value()), ("host", "v"));
    assert_eq!(
        got[0].domain,
        cookie_store::CookieDomain::HostOnly("www.example.com".into())
    );
    assert_eq!(String::from(&got[0].path), "/app");
    assert_eq!((got[1].name(), got[1].value()), ("sid", "42"));
    assert_eq!(
        got[1].domain,
        cookie_store::CookieDomain::Suffix("example.com".into())
    );
    assert_eq!(got[1].secure(), Some(true));
    assert_eq!(got[1].http_only(), Some(true));
    assert_eq!(format!("{:?}", got[1].same_site()), "Some(Strict)");
    let url = url::Url::parse("https://www.example.com/app/x").unwrap();
    let mut sent: Vec<_> = theirs
        .get_request_values(&url)
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    sent.sort();
    assert_eq!(sent, ["host=v", "sid=42"]);

    // And back here, through the file functions.
    let back = read_json(&file[..]).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].expires, Some(FUTURE));
}
