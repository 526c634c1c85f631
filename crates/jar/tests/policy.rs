//! Each switch of DefaultCookiePolicy, shown by its effect on a jar.

use clientcookie_jar::{
    Cookie, CookieJar, CookieRequest, DefaultCookiePolicy, DomainStrictness, Reason, RequestFacts,
    Stored,
};

fn jar(policy: DefaultCookiePolicy) -> CookieJar {
    CookieJar::with_policy(policy)
}

fn req(url: &str) -> CookieRequest {
    CookieRequest::parse(url).unwrap()
}

/// Store the headers (name, value) of one response for `url`.
fn respond(
    jar: &mut CookieJar,
    url: &str,
    headers: &[(&str, &str)],
) -> Vec<Result<Stored, Reason>> {
    respond_to(jar, &req(url), headers)
}

fn respond_to(
    jar: &mut CookieJar,
    request: &CookieRequest,
    headers: &[(&str, &str)],
) -> Vec<Result<Stored, Reason>> {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    jar.extract_from_headers_explained(request, &map)
        .into_iter()
        .map(|o| o.result)
        .collect()
}

fn set(jar: &mut CookieJar, url: &str, set_cookie: &str) -> Result<Stored, Reason> {
    respond(jar, url, &[("set-cookie", set_cookie)]).remove(0)
}

fn sent(jar: &mut CookieJar, url: &str) -> Option<String> {
    jar.cookie_header(&req(url))
}

fn headers_sent(jar: &mut CookieJar, url: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    jar.add_cookie_header_to(&req(url), &mut headers);
    headers
}

#[test]
fn netscape_off_ignores_set_cookie() {
    let mut j = jar(DefaultCookiePolicy {
        netscape: false,
        ..Default::default()
    });
    assert!(respond(&mut j, "http://example.com/", &[("set-cookie", "a=1")]).is_empty());
    assert!(j.is_empty());
}

#[test]
fn rfc2965_is_off_by_default_and_set_cookie2_is_ignored() {
    let mut j = jar(DefaultCookiePolicy::default());
    respond(
        &mut j,
        "http://www.example.com/",
        &[("set-cookie2", "a=1; Version=1")],
    );
    assert!(j.is_empty());
}

#[test]
fn rfc2965_on_accepts_set_cookie2_and_sends_version_attributes() {
    let mut j = jar(DefaultCookiePolicy::rfc2965());
    let r = respond(
        &mut j,
        "http://www.example.com/acme/login",
        &[(
            "set-cookie2",
            "Customer=\"WILE_E_COYOTE\"; Version=\"1\"; Path=\"/acme\"",
        )],
    );
    assert_eq!(r, vec![Ok(Stored::Added)]);
    let headers = headers_sent(&mut j, "http://www.example.com/acme/pickitem");
    assert_eq!(
        headers["cookie"],
        "$Version=1; Customer=WILE_E_COYOTE; $Path=\"/acme\""
    );
    // Every cookie returned is version 1: no need to advertise.
    assert!(headers.get("cookie2").is_none());
}

#[test]
fn cookie2_is_advertised_in_rfc2965_mode_unless_hidden() {
    let mut j = jar(DefaultCookiePolicy::rfc2965());
    set(&mut j, "http://www.example.com/", "a=1").unwrap();
    assert_eq!(
        headers_sent(&mut j, "http://www.example.com/")["cookie2"],
        "$Version=\"1\""
    );

    let mut hidden = jar(DefaultCookiePolicy {
        hide_cookie2: true,
        ..DefaultCookiePolicy::rfc2965()
    });
    set(&mut hidden, "http://www.example.com/", "a=1").unwrap();
    assert!(headers_sent(&mut hidden, "http://www.example.com/")
        .get("cookie2")
        .is_none());
}

#[test]
fn set_cookie2_wins_over_set_cookie_for_the_same_cookie() {
    let mut j = jar(DefaultCookiePolicy::rfc2965());
    respond(
        &mut j,
        "http://www.example.com/",
        &[
            ("set-cookie", "a=netscape"),
            ("set-cookie2", "a=rfc; Version=1"),
        ],
    );
    assert_eq!(j.len(), 1);
    assert_eq!(j.iter().next().unwrap().value, "rfc");
}

#[test]
fn rfc2109_cookies_are_netscape_unless_rfc2965_is_on() {
    let mut off = jar(DefaultCookiePolicy::default());
    set(&mut off, "http://www.example.com/", "a=1; Version=1").unwrap();
    assert_eq!(off.iter().next().unwrap().version, None);

    let mut on = jar(DefaultCookiePolicy::rfc2965());
    set(&mut on, "http://www.example.com/", "a=1; Version=1").unwrap();
    assert_eq!(on.iter().next().unwrap().version, Some(1));

    let mut forced = jar(DefaultCookiePolicy {
        rfc2109_as_netscape: Some(true),
        ..DefaultCookiePolicy::rfc2965()
    });
    set(&mut forced, "http://www.example.com/", "a=1; Version=1").unwrap();
    assert_eq!(forced.iter().next().unwrap().version, None);
}

#[test]
fn strict_domain_refuses_country_code_second_level_domains() {
    let lax = DefaultCookiePolicy {
        reject_public_suffixes: false,
        ..Default::default()
    };
    let mut j = jar(lax.clone());
    assert_eq!(
        set(&mut j, "http://www.foo.co.uk/", "a=1; Domain=.co.uk"),
        Ok(Stored::Added)
    );
    let mut strict = jar(DefaultCookiePolicy {
        strict_domain: true,
        ..lax
    });
    assert_eq!(
        set(&mut strict, "http://www.foo.co.uk/", "a=1; Domain=.co.uk"),
        Err(Reason::CountryCodeSecondLevel)
    );
}

/// The jar lets the policy skip the public suffix list for a domain it
/// already holds cookies for and found registrable; a domain it holds that
/// is itself a public suffix (a host-only cookie of `github.io`, or one
/// stored without the policy) is still checked every time.
#[test]
fn a_public_suffix_the_jar_already_holds_is_still_refused_as_a_domain() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(&mut j, "https://github.io/", "b=1; Domain=github.io"),
        Ok(Stored::Added)
    );
    assert_eq!(
        j.set_cookie(Cookie::new("c", "1", "co.uk", "/")),
        Ok(Stored::Added)
    );
    assert_eq!(
        set(&mut j, "https://foo.github.io/", "a=1; Domain=github.io"),
        Err(Reason::PublicSuffix)
    );
    assert_eq!(
        set(&mut j, "http://www.example.co.uk/", "a=1; Domain=co.uk"),
        Err(Reason::PublicSuffix)
    );
    // A registrable domain, new and then known, is accepted both times.
    assert_eq!(
        set(
            &mut j,
            "http://www.example.co.uk/",
            "a=1; Domain=example.co.uk"
        ),
        Ok(Stored::Added)
    );
    assert_eq!(
        set(
            &mut j,
            "http://www.example.co.uk/",
            "a=2; Domain=example.co.uk"
        ),
        Ok(Stored::Replaced)
    );
}

#[test]
fn public_suffixes_cannot_be_cookie_domains() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(&mut j, "http://www.example.com/", "a=1; Domain=com"),
        Err(Reason::PublicSuffix)
    );
    assert_eq!(
        set(&mut j, "http://www.example.co.uk/", "a=1; Domain=.co.uk"),
        Err(Reason::PublicSuffix)
    );
    assert_eq!(
        set(&mut j, "https://foo.github.io/", "a=1; Domain=github.io"),
        Err(Reason::PublicSuffix)
    );
    // RFC 6265 §5.3 step 5: naming the request host itself gives a host-only cookie.
    assert_eq!(
        set(&mut j, "https://github.io/", "b=1; Domain=github.io"),
        Ok(Stored::Added)
    );
    assert!(j.iter().next().unwrap().host_only);
}

/// `set_cookie_from_header` settles a `Domain` equal to the host after its
/// index probe (skipping the list for a host it knows to be registrable):
/// a public-suffix host still gets a host-only cookie, the first time and
/// once the jar holds cookies for it, and a registrable host a domain one.
#[test]
fn a_domain_naming_the_host_is_settled_the_same_by_set_cookie_from_header() {
    let mut j = jar(DefaultCookiePolicy::default());
    for (url, header, host_only) in [
        ("https://github.io/", "b=1; Domain=github.io", true),
        ("https://github.io/", "c=1; Domain=GitHub.IO", true),
        ("https://example.com/", "d=1; Domain=example.com", false),
        ("https://example.com/", "e=1; Domain=.Example.com", false),
    ] {
        assert_eq!(
            j.set_cookie_from_header(&req(url), header.as_bytes()),
            Ok(Stored::Added),
            "{header}"
        );
        let cookie = j
            .iter()
            .find(|c| header.starts_with(c.name.as_str()))
            .unwrap();
        assert_eq!(cookie.host_only, host_only, "{header}");
        assert_eq!(cookie.domain_specified, !host_only, "{header}");
    }
    assert_eq!(
        j.set_cookie_from_header(&req("https://foo.github.io/"), b"a=1; Domain=github.io"),
        Err(Reason::PublicSuffix)
    );
}

fn third_party_request() -> CookieRequest {
    req("http://ads.tracker.net/pixel")
        .with_facts(RequestFacts::unverifiable_from("www.example.com"))
}

#[test]
fn strict_rfc2965_unverifiable_refuses_third_party_rfc2965_cookies_by_default() {
    let mut j = jar(DefaultCookiePolicy::rfc2965());
    let r = respond_to(
        &mut j,
        &third_party_request(),
        &[("set-cookie2", "a=1; Version=1")],
    );
    assert_eq!(r, vec![Err(Reason::ThirdPartyUnverifiable)]);

    let mut relaxed = jar(DefaultCookiePolicy {
        strict_rfc2965_unverifiable: false,
        ..DefaultCookiePolicy::rfc2965()
    });
    let r = respond_to(
        &mut relaxed,
        &third_party_request(),
        &[("set-cookie2", "a=1; Version=1")],
    );
    assert_eq!(r, vec![Ok(Stored::Added)]);
}

#[test]
fn strict_ns_unverifiable_refuses_third_party_netscape_cookies() {
    let mut default = jar(DefaultCookiePolicy::default());
    let r = respond_to(
        &mut default,
        &third_party_request(),
        &[("set-cookie", "a=1")],
    );
    assert_eq!(r, vec![Ok(Stored::Added)]);

    let mut strict = jar(DefaultCookiePolicy {
        strict_ns_unverifiable: true,
        ..Default::default()
    });
    let r = respond_to(
        &mut strict,
        &third_party_request(),
        &[("set-cookie", "a=1")],
    );
    assert_eq!(r, vec![Err(Reason::ThirdPartyUnverifiable)]);
    // A first-party unverifiable request (same reach) is fine.
    let first_party = req("http://img.example.com/x")
        .with_facts(RequestFacts::unverifiable_from("www.example.com"));
    let r = respond_to(&mut strict, &first_party, &[("set-cookie", "a=1")]);
    assert_eq!(r, vec![Ok(Stored::Added)]);
}

#[test]
fn host_only_cookies_stay_on_their_host_unless_liberal() {
    let mut j = jar(DefaultCookiePolicy::default());
    set(&mut j, "http://example.com/", "a=1").unwrap();
    assert_eq!(sent(&mut j, "http://www.example.com/"), None);
    assert_eq!(sent(&mut j, "http://example.com/").as_deref(), Some("a=1"));

    let mut liberal = jar(DefaultCookiePolicy {
        strict_ns_domain: DomainStrictness::LIBERAL,
        ..Default::default()
    });
    set(&mut liberal, "http://example.com/", "a=1").unwrap();
    assert_eq!(
        sent(&mut liberal, "http://www.example.com/").as_deref(),
        Some("a=1")
    );
}

#[test]
fn strict_no_dots_refuses_domains_more_than_one_level_up() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(
            &mut j,
            "http://www.a.example.com/",
            "a=1; Domain=example.com"
        ),
        Ok(Stored::Added)
    );
    let mut strict = jar(DefaultCookiePolicy {
        strict_ns_domain: DomainStrictness::STRICT,
        ..Default::default()
    });
    assert_eq!(
        set(
            &mut strict,
            "http://www.a.example.com/",
            "a=1; Domain=example.com"
        ),
        Err(Reason::HostPrefixHasDot)
    );
    assert_eq!(
        set(
            &mut strict,
            "http://a.example.com/",
            "a=1; Domain=example.com"
        ),
        Ok(Stored::Added)
    );
}

#[test]
fn rfc2965_match_requires_a_strict_subdomain() {
    let mut strict = jar(DefaultCookiePolicy {
        strict_ns_domain: DomainStrictness::STRICT_NON_DOMAIN | DomainStrictness::RFC2965_MATCH,
        ..Default::default()
    });
    assert_eq!(
        set(
            &mut strict,
            "http://example.com/",
            "a=1; Domain=example.com"
        ),
        Err(Reason::DomainMismatch)
    );
    assert_eq!(
        set(
            &mut strict,
            "http://www.example.com/",
            "a=1; Domain=example.com"
        ),
        Ok(Stored::Added)
    );
}

#[test]
fn strict_ns_set_initial_dollar_refuses_dollar_names() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(&mut j, "http://example.com/", "$a=1"),
        Ok(Stored::Added)
    );
    let mut strict = jar(DefaultCookiePolicy {
        strict_ns_set_initial_dollar: true,
        ..Default::default()
    });
    assert_eq!(
        set(&mut strict, "http://example.com/", "$a=1"),
        Err(Reason::NameStartsWithDollar)
    );
}

#[test]
fn strict_ns_set_path_refuses_paths_outside_the_request_path() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(&mut j, "http://example.com/a/b", "x=1; Path=/other"),
        Ok(Stored::Added)
    );
    let mut strict = jar(DefaultCookiePolicy {
        strict_ns_set_path: true,
        ..Default::default()
    });
    assert_eq!(
        set(&mut strict, "http://example.com/a/b", "x=1; Path=/other"),
        Err(Reason::PathNotPrefix)
    );
    assert_eq!(
        set(&mut strict, "http://example.com/a/b", "x=1; Path=/a"),
        Ok(Stored::Added)
    );
}

#[test]
fn blocked_domains_neither_set_nor_receive() {
    let mut j = jar(DefaultCookiePolicy {
        blocked_domains: vec![".tracker.net".into(), "exact.example".into()],
        ..Default::default()
    });
    assert_eq!(
        set(&mut j, "http://ads.tracker.net/", "a=1"),
        Err(Reason::BlockedDomain)
    );
    assert_eq!(
        set(&mut j, "http://exact.example/", "a=1"),
        Err(Reason::BlockedDomain)
    );
    assert_eq!(
        set(&mut j, "http://sub.exact.example/", "a=1"),
        Ok(Stored::Added)
    );
}

#[test]
fn allowed_domains_are_the_only_ones_that_set() {
    let mut j = jar(DefaultCookiePolicy {
        allowed_domains: Some(vec![".example.com".into()]),
        ..Default::default()
    });
    assert_eq!(
        set(&mut j, "http://www.example.com/", "a=1"),
        Ok(Stored::Added)
    );
    assert_eq!(
        set(&mut j, "http://example.org/", "a=1"),
        Err(Reason::NotAllowedDomain)
    );
}

#[test]
fn secure_cookies_need_a_secure_protocol_or_loopback() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(&mut j, "http://example.com/", "a=1; Secure"),
        Err(Reason::NotSecure)
    );
    assert_eq!(
        set(&mut j, "https://example.com/", "a=1; Secure"),
        Ok(Stored::Added)
    );
    assert_eq!(sent(&mut j, "http://example.com/"), None);
    assert_eq!(sent(&mut j, "https://example.com/").as_deref(), Some("a=1"));
    // Loopback is a secure context (RFC 6265bis), as local test servers need.
    assert_eq!(
        set(&mut j, "http://127.0.0.1:8080/", "l=1; Secure"),
        Ok(Stored::Added)
    );
    assert_eq!(
        sent(&mut j, "http://127.0.0.1:8080/").as_deref(),
        Some("l=1")
    );
    assert_eq!(
        set(&mut j, "http://localhost/", "h=1; Secure"),
        Ok(Stored::Added)
    );

    let mut no_loopback = jar(DefaultCookiePolicy {
        loopback_is_secure: false,
        ..Default::default()
    });
    assert_eq!(
        set(&mut no_loopback, "http://127.0.0.1/", "a=1; Secure"),
        Err(Reason::NotSecure)
    );
}

#[test]
fn secure_protocols_can_be_changed() {
    let mut j = jar(DefaultCookiePolicy {
        secure_protocols: vec!["https".into()],
        ..Default::default()
    });
    assert_eq!(
        set(&mut j, "wss://example.com/", "a=1; Secure"),
        Err(Reason::NotSecure)
    );
}

#[test]
fn an_insecure_origin_cannot_overwrite_a_secure_cookie() {
    let mut j = jar(DefaultCookiePolicy::default());
    set(&mut j, "https://example.com/", "sid=good; Secure").unwrap();
    assert_eq!(
        set(&mut j, "http://example.com/", "sid=evil"),
        Err(Reason::WouldOverwriteSecure)
    );
    assert_eq!(
        set(
            &mut j,
            "http://www.example.com/",
            "sid=evil; Domain=example.com"
        ),
        Err(Reason::WouldOverwriteSecure)
    );
    assert_eq!(
        sent(&mut j, "https://example.com/").as_deref(),
        Some("sid=good")
    );
}

#[test]
fn cookie_name_prefixes_are_enforced() {
    let mut j = jar(DefaultCookiePolicy::default());
    assert_eq!(
        set(&mut j, "https://example.com/", "__Secure-a=1"),
        Err(Reason::SecurePrefix)
    );
    assert_eq!(
        set(&mut j, "https://example.com/", "__Secure-a=1; Secure"),
        Ok(Stored::Added)
    );
    assert_eq!(
        set(
            &mut j,
            "https://example.com/",
            "__Host-a=1; Secure; Domain=example.com; Path=/"
        ),
        Err(Reason::HostPrefix)
    );
    assert_eq!(
        set(&mut j, "https://example.com/x/y", "__Host-a=1; Secure"),
        Err(Reason::HostPrefix)
    );
    assert_eq!(
        set(&mut j, "https://example.com/", "__Host-a=1; Secure; Path=/"),
        Ok(Stored::Added)
    );
    let mut off = jar(DefaultCookiePolicy {
        enforce_prefixes: false,
        ..Default::default()
    });
    assert_eq!(
        set(&mut off, "https://example.com/", "__Secure-a=1"),
        Ok(Stored::Added)
    );
}

#[test]
fn same_site_cookies_are_withheld_from_cross_site_requests() {
    let mut j = jar(DefaultCookiePolicy::default());
    set(&mut j, "https://shop.example/", "strict=1; SameSite=Strict").unwrap();
    set(&mut j, "https://shop.example/", "lax=1; SameSite=Lax").unwrap();
    set(
        &mut j,
        "https://shop.example/",
        "none=1; SameSite=None; Secure",
    )
    .unwrap();
    assert_eq!(
        set(&mut j, "https://shop.example/", "bad=1; SameSite=None"),
        Err(Reason::SameSiteNoneInsecure)
    );
    let same_site = req("https://shop.example/")
        .with_facts(RequestFacts::unverifiable_from("www.shop.example"));
    assert_eq!(
        j.cookie_header(&same_site).as_deref(),
        Some("strict=1; lax=1; none=1")
    );
    let cross =
        req("https://shop.example/").with_facts(RequestFacts::unverifiable_from("evil.example"));
    assert_eq!(j.cookie_header(&cross).as_deref(), Some("lax=1; none=1"));
    let cross_post = cross.clone().with_method(http::Method::POST);
    assert_eq!(j.cookie_header(&cross_post).as_deref(), Some("none=1"));
}

#[test]
fn rfc2965_port_lists_restrict_where_cookies_go() {
    let mut j = jar(DefaultCookiePolicy::rfc2965());
    let r = respond(
        &mut j,
        "http://www.example.com:8080/",
        &[("set-cookie2", "a=1; Version=1; Port=\"80,8080\"")],
    );
    assert_eq!(r, vec![Ok(Stored::Added)]);
    assert!(sent(&mut j, "http://www.example.com:8080/").is_some());
    assert!(sent(&mut j, "http://www.example.com:9090/").is_none());
    let r = respond(
        &mut j,
        "http://www.example.com:9090/",
        &[("set-cookie2", "b=1; Version=1; Port=\"80\"")],
    );
    assert_eq!(r, vec![Err(Reason::PortMismatch)]);
}

#[test]
fn rfc2965_domains_need_an_embedded_dot_and_one_level() {
    let mut j = jar(DefaultCookiePolicy::rfc2965());
    let r = respond(
        &mut j,
        "http://a.b.example.com/",
        &[
            ("set-cookie2", "x=1; Version=1; Domain=.example.com"),
            ("set-cookie2", "y=1; Version=1; Domain=.com"),
            ("set-cookie2", "z=1; Version=1; Domain=.b.example.com"),
        ],
    );
    assert_eq!(
        r,
        vec![
            Err(Reason::HostPrefixHasDot),
            Err(Reason::DomainNoEmbeddedDot),
            Ok(Stored::Added)
        ]
    );
    // RFC 2965 domain-match: .b.example.com covers x.b.example.com, not b.example.com.
    assert!(sent(&mut j, "http://x.b.example.com/").is_some());
    assert!(sent(&mut j, "http://b.example.com/").is_none());
}
