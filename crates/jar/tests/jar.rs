//! The jar's own behaviour: order, replacement, deletion, clearing, clock,
//! limits under hostile input, change events, explanations, sharing.

use std::sync::{Arc, Mutex};

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::{
    ChangeKind, Cookie, CookieEvent, CookieJar, CookieRequest, Limits, Reason, Stored,
};

const T0: i64 = 1_700_000_000;

fn jar_at(now: i64) -> (CookieJar, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(now));
    (CookieJar::builder().clock(clock.clone()).build(), clock)
}

fn req(url: &str) -> CookieRequest {
    CookieRequest::parse(url).unwrap()
}

fn set(jar: &mut CookieJar, url: &str, header: &str) -> Result<Stored, Reason> {
    jar.set_cookie_from_header(&req(url), header.as_bytes())
}

#[test]
fn cookie_header_puts_longer_paths_first_then_older_cookies() {
    let (mut jar, clock) = jar_at(T0);
    set(&mut jar, "http://example.com/", "b=1; Path=/").unwrap();
    clock.advance(1);
    set(&mut jar, "http://example.com/", "a=1; Path=/").unwrap();
    set(&mut jar, "http://example.com/", "c=1; Path=/x/y").unwrap();
    set(&mut jar, "http://example.com/", "d=1; Path=/x").unwrap();
    assert_eq!(
        jar.cookie_header(&req("http://example.com/x/y/z"))
            .as_deref(),
        Some("c=1; d=1; b=1; a=1")
    );
}

#[test]
fn many_cookies_from_many_domain_levels_keep_the_header_order() {
    // More cookies and more domain levels than a lookup keeps inline.
    let (mut jar, clock) = jar_at(T0);
    let host = "a.b.c.d.e.example.com";
    let levels = [
        "a.b.c.d.e.example.com",
        "b.c.d.e.example.com",
        "c.d.e.example.com",
        "d.e.example.com",
        "e.example.com",
        "example.com",
    ];
    let mut expected = Vec::new();
    for (i, domain) in levels.iter().enumerate() {
        for (j, path) in ["/", "/x", "/x/y"].iter().enumerate() {
            let name = format!("n{i}{j}");
            let header = format!("{name}=1; Domain={domain}; Path={path}");
            set(&mut jar, &format!("http://{host}/x/y/z"), &header).unwrap();
            // Created one second after the one before.
            expected.push((path.len(), expected.len(), name));
            clock.advance(1);
        }
    }
    // Longer paths first, then earlier creation.
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let expected: Vec<String> = expected
        .into_iter()
        .map(|(_, _, n)| format!("{n}=1"))
        .collect();
    assert_eq!(expected.len(), 18);
    assert_eq!(
        jar.cookie_header(&req(&format!("http://{host}/x/y/z"))),
        Some(expected.join("; "))
    );
}

#[test]
fn a_lookup_marks_the_cookies_it_sends_as_used_now() {
    let (mut jar, clock) = jar_at(T0);
    set(&mut jar, "http://example.com/", "a=1").unwrap();
    set(&mut jar, "http://example.com/", "b=1; Path=/other").unwrap();
    let used = |jar: &CookieJar, name: &str| {
        jar.iter()
            .find(|c| c.name == name)
            .unwrap()
            .last_access_time
    };
    clock.advance(5);
    assert!(jar.cookie_header(&req("http://example.com/")).is_some());
    assert_eq!(used(&jar, "a"), T0 + 5);
    // Asked again in the same second: still that second.
    assert!(jar.cookie_header(&req("http://example.com/")).is_some());
    assert_eq!(used(&jar, "a"), T0 + 5);
    clock.advance(1);
    assert!(jar.cookie_header(&req("http://example.com/")).is_some());
    assert_eq!(used(&jar, "a"), T0 + 6);
    // A cookie not sent is not marked.
    assert_eq!(used(&jar, "b"), T0);
}

#[test]
fn a_replaced_cookie_keeps_its_place_in_the_order() {
    let (mut jar, clock) = jar_at(T0);
    set(&mut jar, "http://example.com/", "first=1").unwrap();
    clock.advance(1);
    set(&mut jar, "http://example.com/", "second=1").unwrap();
    clock.advance(1);
    assert_eq!(
        set(&mut jar, "http://example.com/", "first=2"),
        Ok(Stored::Replaced)
    );
    assert_eq!(
        jar.cookie_header(&req("http://example.com/")).as_deref(),
        Some("first=2; second=1")
    );
    assert_eq!(jar.len(), 2);
}

#[test]
fn an_expiry_in_the_past_deletes_the_cookie() {
    let (mut jar, _) = jar_at(T0);
    set(&mut jar, "http://example.com/", "a=1").unwrap();
    assert_eq!(
        set(&mut jar, "http://example.com/", "a=; Max-Age=0"),
        Ok(Stored::Deleted)
    );
    assert!(jar.is_empty());
    set(&mut jar, "http://example.com/", "b=1").unwrap();
    assert_eq!(
        set(
            &mut jar,
            "http://example.com/",
            "b=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT"
        ),
        Ok(Stored::Deleted)
    );
    assert!(jar.is_empty());
}

#[test]
fn cookies_expire_by_the_injected_clock() {
    let (mut jar, clock) = jar_at(T0);
    set(&mut jar, "http://example.com/", "a=1; Max-Age=60").unwrap();
    assert!(jar.cookie_header(&req("http://example.com/")).is_some());
    clock.advance(61);
    assert!(jar.cookie_header(&req("http://example.com/")).is_none());
    assert_eq!(jar.len(), 1, "expired cookies stay until cleared");
    assert_eq!(jar.clear_expired_cookies(), 1);
    assert!(jar.is_empty());
}

#[test]
fn clear_session_cookies_keeps_persistent_ones() {
    let (mut jar, _) = jar_at(T0);
    set(&mut jar, "http://example.com/", "session=1").unwrap();
    set(&mut jar, "http://example.com/", "kept=1; Max-Age=3600").unwrap();
    assert_eq!(jar.clear_session_cookies(), 1);
    assert_eq!(
        jar.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["kept"]
    );
}

#[test]
fn clear_by_domain_path_and_name() {
    let (mut jar, _) = jar_at(T0);
    set(&mut jar, "http://a.example/", "x=1").unwrap();
    set(&mut jar, "http://a.example/", "y=1; Path=/p").unwrap();
    set(&mut jar, "http://b.example/", "x=1").unwrap();
    assert_eq!(jar.clear(Some(".a.example"), Some("/p"), Some("nope")), 0);
    assert_eq!(jar.clear(Some("a.example"), Some("/p"), Some("y")), 1);
    assert_eq!(jar.clear(Some("a.example"), None, None), 1);
    assert_eq!(jar.len(), 1);
}

#[test]
fn an_explicit_cookie_header_is_left_alone() {
    let (mut jar, _) = jar_at(T0);
    set(&mut jar, "http://example.com/", "a=1").unwrap();
    let mut request = http::Request::get("http://example.com/")
        .header("cookie", "mine=1")
        .body(())
        .unwrap();
    jar.add_cookie_header(&mut request);
    assert_eq!(request.headers().get_all("cookie").iter().count(), 1);
    assert_eq!(request.headers()["cookie"], "mine=1");
}

#[test]
fn extract_cookies_reads_the_request_facts_from_extensions() {
    use clientcookie_jar::{DefaultCookiePolicy, RequestFacts};
    let mut jar = CookieJar::with_policy(DefaultCookiePolicy {
        strict_ns_unverifiable: true,
        ..Default::default()
    });
    let mut request = http::Request::get("http://tracker.example/")
        .body(())
        .unwrap();
    request
        .extensions_mut()
        .insert(RequestFacts::unverifiable_from("www.shop.example"));
    let response = http::Response::builder()
        .header("set-cookie", "t=1")
        .body(())
        .unwrap();
    jar.extract_cookies(&request, &response);
    assert!(jar.is_empty());
}

#[test]
fn non_utf8_and_garbage_headers_are_refused_not_fatal() {
    let (mut jar, _) = jar_at(T0);
    assert!(jar
        .set_cookie_from_header(&req("http://example.com/"), b"a=\xff\xfe")
        .is_err());
    assert!(set(&mut jar, "http://example.com/", "").is_err());
    assert!(set(&mut jar, "http://example.com/", ";;;===;").is_err());
    assert!(jar.is_empty());
}

#[test]
fn a_hostile_burst_from_one_host_stays_within_the_per_site_limit() {
    let (mut jar, _) = jar_at(T0);
    let request = req("https://evil.example/");
    for i in 0..100_000 {
        let _ = jar.set_cookie_from_header(&request, format!("c{i}=v; Max-Age=3600").as_bytes());
        assert!(jar.len() <= jar.limits().max_cookies_per_site);
    }
    assert!(jar.len() <= 180);
    // The newest survive: eviction takes the least recently used first.
    assert!(jar.iter().any(|c| c.name == "c99999"));
}

#[test]
fn cookies_from_ten_thousand_subdomains_stay_within_the_per_site_limit() {
    let (mut jar, _) = jar_at(T0);
    for i in 0..10_000 {
        let request = req(&format!("https://s{i}.evil.example/"));
        let _ = jar.set_cookie_from_header(&request, b"a=1; Domain=evil.example");
        let _ = jar.set_cookie_from_header(&request, format!("own{i}=1").as_bytes());
    }
    assert!(jar.len() <= 180, "jar holds {}", jar.len());
}

#[test]
fn the_total_limit_evicts_the_least_recently_used() {
    let clock = Arc::new(FixedClock::new(T0));
    let mut jar = CookieJar::builder()
        .clock(clock.clone())
        .limits(Limits {
            max_cookies: 600,
            ..Limits::default()
        })
        .build();
    for i in 0..600 {
        set(&mut jar, &format!("http://site{i}.example/"), "a=1").unwrap();
    }
    clock.advance(10);
    // Site 0 is used again, so it is not the least recently used any more.
    assert!(jar.cookie_header(&req("http://site0.example/")).is_some());
    clock.advance(10);
    set(&mut jar, "http://site600.example/", "a=1").unwrap();
    // 601 > 600: eviction keeps five sixths of the limit.
    assert_eq!(jar.len(), 500);
    assert!(jar.cookie_header(&req("http://site0.example/")).is_some());
    assert!(jar.cookie_header(&req("http://site600.example/")).is_some());
    assert!(jar.cookie_header(&req("http://site1.example/")).is_none());
}

#[test]
fn expired_cookies_are_evicted_before_live_ones() {
    let clock = Arc::new(FixedClock::new(T0));
    let mut jar = CookieJar::builder().clock(clock.clone()).build();
    for i in 0..10 {
        set(
            &mut jar,
            "https://a.example/",
            &format!("old{i}=1; Max-Age=5"),
        )
        .unwrap();
    }
    clock.advance(1);
    for i in 0..170 {
        set(&mut jar, "https://a.example/", &format!("live{i}=1")).unwrap();
    }
    clock.advance(10);
    set(&mut jar, "https://a.example/", "one_more=1").unwrap();
    assert!(jar.iter().all(|c| !c.name.starts_with("old")));
    assert_eq!(jar.len(), 150);
}

#[test]
fn oversized_cookies_are_refused() {
    let (mut jar, _) = jar_at(T0);
    let big = "v".repeat(5000);
    assert!(set(&mut jar, "http://example.com/", &format!("a={big}")).is_err());
    let mut cookie = Cookie::new("a", big, "example.com", "/");
    cookie.expires = None;
    assert_eq!(jar.set_cookie(cookie), Err(Reason::TooLarge));
}

#[test]
fn every_change_reaches_the_sink() {
    let (mut jar, clock) = jar_at(T0);
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    jar.set_sink(move |e: CookieEvent<'_>| {
        log.lock()
            .unwrap()
            .push((e.kind, e.cookie.name.clone(), e.cookie.value.clone()))
    });
    set(&mut jar, "http://example.com/", "a=1; Max-Age=10").unwrap();
    set(&mut jar, "http://example.com/", "a=2; Max-Age=10").unwrap();
    set(&mut jar, "http://example.com/", "b=1").unwrap();
    set(&mut jar, "http://example.com/", "b=; Max-Age=0").unwrap();
    clock.advance(20);
    jar.clear_expired_cookies();
    let seen = events.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (ChangeKind::Added, "a".into(), "1".into()),
            (ChangeKind::Replaced, "a".into(), "2".into()),
            (ChangeKind::Added, "b".into(), "1".into()),
            (ChangeKind::Removed, "b".into(), "1".into()),
            (ChangeKind::Expired, "a".into(), "2".into()),
        ]
    );
}

#[test]
fn explain_says_why_each_cookie_is_not_sent() {
    let (mut jar, _) = jar_at(T0);
    set(&mut jar, "https://www.example.com/", "sent=1").unwrap();
    set(&mut jar, "https://www.example.com/", "secure=1; Secure").unwrap();
    set(&mut jar, "https://www.example.com/", "deep=1; Path=/deep").unwrap();
    set(&mut jar, "https://example.com/", "hostonly=1").unwrap();
    set(&mut jar, "https://other.example/", "elsewhere=1").unwrap();
    let why = jar.explain("http://www.example.com/").unwrap();
    let verdict = |name: &str| {
        why.iter()
            .find(|e| e.cookie.name == name)
            .unwrap()
            .verdict
            .clone()
    };
    assert_eq!(verdict("sent"), Ok(()));
    assert_eq!(verdict("secure"), Err(Reason::NotSecure));
    assert_eq!(verdict("deep"), Err(Reason::PathMismatch));
    assert_eq!(verdict("hostonly"), Err(Reason::HostOnly));
    assert_eq!(verdict("elsewhere"), Err(Reason::DomainMismatch));
    assert_eq!(why[0].cookie.name, "sent");
}

#[test]
fn ip_hosts_get_only_their_own_cookies() {
    let (mut jar, _) = jar_at(T0);
    set(&mut jar, "http://10.0.0.1/", "a=1").unwrap();
    assert_eq!(
        set(&mut jar, "http://10.0.0.1/", "b=1; Domain=0.0.1"),
        Err(Reason::DomainMismatch)
    );
    assert_eq!(
        jar.cookie_header(&req("http://10.0.0.1/")).as_deref(),
        Some("a=1")
    );
    assert!(jar.cookie_header(&req("http://0.0.1/")).is_none());
}

/// 8 threads share one SharedJar, 10,000 operations each (stores and
/// lookups of their own cookies): nothing is lost, nothing deadlocks.
#[test]
fn eight_tasks_sharing_a_jar_lose_no_cookie() {
    let shared = CookieJar::builder()
        .limits(Limits {
            max_cookies: 100_000,
            ..Limits::default()
        })
        .build()
        .into_shared();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let jar = shared.clone();
            std::thread::spawn(move || {
                let mut stored = 0;
                for i in 0..5_000 {
                    // 50 sites per task, 100 cookies each: within the per-site limit.
                    let url = format!("https://s{}-t{t}.example/", i % 50);
                    let request = CookieRequest::parse(&url).unwrap();
                    let header = format!("c{i}=v{i}");
                    jar.lock()
                        .unwrap()
                        .set_cookie_from_header(&request, header.as_bytes())
                        .unwrap();
                    stored += 1;
                    let got = jar.lock().unwrap().cookie_header(&request).unwrap();
                    assert!(got.contains(&header));
                }
                stored
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(total, 40_000);
    assert_eq!(shared.lock().unwrap().len(), 40_000);
}
