//! Today's browsers: Firefox's `cookies.sqlite` (read and write) and
//! Chromium's `Cookies` (read, with its Linux encryption), on databases the
//! real browsers wrote (tests/fixtures/browsers, made by make_fixtures.sh).

#![cfg(all(feature = "sqlite", feature = "chromium"))]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::store::firefox::{self, FirefoxError};
use clientcookie_jar::store::{LoadOptions, SaveOptions};
use clientcookie_jar::{Cookie, CookieJar, SameSite};
use proptest::prelude::*;
use rusqlite::Connection;

/// Every fixture cookie with an `Expires` attribute got this date
/// (Sat, 12 Jun 2027 00:00:00 GMT), from make_fixtures.sh.
const EXPIRES: i64 = 1_812_758_400;
/// When the browsers visited the test site: the cookies' creation time.
const FIREFOX_VISIT: i64 = 1_795_494_405;
const CHROMIUM_VISIT: i64 = 1_795_494_404;
/// A moment after both visits, for jars with a fixed clock.
const NOW: i64 = 1_795_494_500;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/browsers")
        .join(name)
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "clientcookie-browsers-{tag}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// A copy of a fixture, to write into.
    fn copy_of(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::copy(fixture(name), &path).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn jar_at(now: i64) -> CookieJar {
    CookieJar::builder()
        .clock(Arc::new(FixedClock::new(now)))
        .build()
}

/// The fields a browser keeps, as a tuple that prints readably.
type Fields = (
    String,
    bool,
    String,
    String,
    String,
    Option<i64>,
    bool,
    bool,
    Option<SameSite>,
);

fn fields(c: &Cookie) -> Fields {
    (
        c.domain.to_string(),
        c.host_only,
        c.name.to_string(),
        c.value.to_string(),
        c.path.to_string(),
        c.expires,
        c.secure,
        c.http_only,
        c.same_site,
    )
}

/// One expected cookie: a host-only, non-secure, non-HttpOnly cookie for
/// `/` expiring at [`EXPIRES`], unless the flags string says otherwise
/// (`d` domain cookie, `s` secure, `h` HttpOnly).
fn want(domain: &str, name: &str, value: &str, flags: &str, same_site: Option<SameSite>) -> Fields {
    (
        domain.to_string(),
        !flags.contains('d'),
        name.to_string(),
        value.to_string(),
        "/".to_string(),
        Some(EXPIRES),
        flags.contains('s'),
        flags.contains('h'),
        same_site,
    )
}

fn with_path(mut f: Fields, path: &str) -> Fields {
    f.4 = path.to_string();
    f
}

fn with_expires(mut f: Fields, expires: Option<i64>) -> Fields {
    f.5 = expires;
    f
}

fn sorted(mut v: Vec<Fields>) -> Vec<Fields> {
    v.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    v
}

// ----- Firefox -----------------------------------------------------------------

/// What Firefox 153 ESR stored from the test site's redirect chain: every
/// cookie but the session one (Firefox keeps those in memory only) and the
/// partitioned one (another context).
fn firefox_expected() -> Vec<Fields> {
    let www = "www.example.test";
    sorted(vec![
        with_path(want(www, "deep", "p", "", None), "/a/b"),
        want(www, "httponly", "x", "h", None),
        want(www, "empty", "", "", None),
        // Max-Age=3600 from the visit.
        with_expires(
            want(www, "maxage", "m", "", None),
            Some(FIREFOX_VISIT + 3600),
        ),
        want("localhost", "__Host-id", "hi", "s", None),
        want(www, "strict", "st", "", Some(SameSite::Strict)),
        want(www, "utf8", "caf\u{e9}", "", None),
        want(www, "lax", "lx", "", Some(SameSite::Lax)),
        want(www, "host", "h", "", None),
        want("example.test", "domain", "d", "d", None),
        want(www, "spaced", "\"a b\"", "", None),
        want("127.0.0.1", "ip", "i", "", None),
        want("localhost", "secure", "sc", "s", None),
        want("localhost", "none", "nn", "s", Some(SameSite::None)),
    ])
}

#[test]
fn a_firefox_database_reads_as_the_cookies_firefox_stored() {
    let read = firefox::read_firefox(fixture("firefox.cookies.sqlite")).unwrap();
    assert_eq!(read.schema_version, 17);
    assert_eq!(
        sorted(read.cookies.iter().map(fields).collect()),
        firefox_expected()
    );
    for c in &read.cookies {
        assert_eq!(c.creation_time, FIREFOX_VISIT, "{}", c.name);
        assert_eq!(c.last_access_time, FIREFOX_VISIT, "{}", c.name);
        assert_eq!(c.domain_specified, !c.host_only, "{}", c.name);
        assert_eq!(c.domain_initial_dot, !c.host_only, "{}", c.name);
    }
    // The third-party iframe's Partitioned cookie, kept apart per top-level site.
    assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
    let skipped = &read.skipped[0];
    assert_eq!(
        (skipped.host.as_str(), skipped.name.as_str()),
        ("localhost", "part")
    );
    assert_eq!(
        skipped.reason,
        firefox::SkipReason::OtherContext {
            origin_attributes: "^partitionKey=%28http%2Cexample.test%29".into()
        }
    );
}

#[test]
fn firefox_cookies_loaded_into_a_jar_are_sent_as_firefox_would() {
    let mut jar = jar_at(NOW);
    let report = firefox::load(
        &mut jar,
        fixture("firefox.cookies.sqlite"),
        LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(report.stored, 14);
    assert_eq!(report.skipped.len(), 1);
    // The domain cookie reaches other hosts of the domain; the host-only ones do not.
    assert_eq!(
        jar.cookie_header_for("http://other.example.test/")
            .as_deref(),
        Some("domain=d")
    );
    let www = jar
        .cookie_header_for("http://www.example.test/a/b/c")
        .unwrap();
    let mut sent: Vec<&str> = www.split("; ").collect();
    assert_eq!(sent[0], "deep=p", "longer paths first: {www}");
    sent.sort_unstable();
    assert_eq!(
        sent,
        [
            "deep=p",
            "domain=d",
            "empty=",
            "host=h",
            "httponly=x",
            "lax=lx",
            "maxage=m",
            "spaced=\"a b\"",
            "strict=st",
            "utf8=caf\u{e9}",
        ]
    );
    // Secure cookies go to loopback hosts over http, as in the browsers.
    let local = jar.cookie_header_for("http://localhost/").unwrap();
    assert!(
        local.contains("secure=sc") && local.contains("__Host-id=hi"),
        "{local}"
    );
}

#[test]
fn loading_firefox_cookies_after_their_expiry_loads_none_but_keeps_the_jar() {
    let mut jar = jar_at(EXPIRES);
    jar.set_cookie(Cookie::new("mine", "1", "example.org", "/"))
        .unwrap();
    let report = firefox::load(
        &mut jar,
        fixture("firefox.cookies.sqlite"),
        LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(report.stored, 0);
    assert_eq!(jar.len(), 1);
}

#[test]
fn reverting_from_a_file_that_is_not_a_firefox_database_leaves_the_jar_alone() {
    let dir = TempDir::new("ff-revert");
    let mut jar = jar_at(NOW);
    jar.set_cookie(Cookie::new("mine", "1", "example.org", "/"))
        .unwrap();

    let garbage = dir.path("garbage.sqlite");
    std::fs::write(&garbage, vec![b'x'; 4096]).unwrap();
    let err = firefox::revert(&mut jar, &garbage, LoadOptions::default()).unwrap_err();
    assert!(matches!(err, FirefoxError::Sqlite { .. }), "{err:?}");

    // An SQLite database, but Chromium's.
    let err = firefox::revert(
        &mut jar,
        fixture("chromium.Cookies"),
        LoadOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, FirefoxError::NotFirefox { what, .. } if what == "no moz_cookies table"),
        "{err:?}"
    );
    assert_eq!(jar.len(), 1);
    assert_eq!(jar.iter().next().unwrap().name, "mine");

    // A good file replaces the jar's cookies.
    let report = firefox::revert(
        &mut jar,
        fixture("firefox.cookies.sqlite"),
        LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(report.stored, 14);
    assert_eq!(jar.len(), 14);
    assert!(jar.iter().all(|c| c.name != "mine"));
}

#[test]
fn a_jar_saved_as_firefox_reads_back_the_same() {
    let dir = TempDir::new("ff-roundtrip");
    let mut jar = jar_at(NOW);
    firefox::load(
        &mut jar,
        fixture("firefox.cookies.sqlite"),
        LoadOptions::default(),
    )
    .unwrap();
    let path = dir.path("cookies.sqlite");
    assert_eq!(
        firefox::save(&jar, &path, SaveOptions::default()).unwrap(),
        14
    );
    let read = firefox::read_firefox(&path).unwrap();
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    let mut want: Vec<Cookie> = jar.iter().cloned().collect();
    let mut got = read.cookies;
    want.sort_by(|a, b| (&a.domain, &a.name).cmp(&(&b.domain, &b.name)));
    got.sort_by(|a, b| (&a.domain, &a.name).cmp(&(&b.domain, &b.name)));
    assert_eq!(got, want);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The `CREATE` statements of a database, for comparing schemas.
fn schema_of(path: &Path) -> (Vec<String>, i64) {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    let sql = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let version = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    (sql, version)
}

#[test]
fn a_new_firefox_file_has_the_schema_firefox_made() {
    let dir = TempDir::new("ff-schema");
    let path = dir.path("cookies.sqlite");
    firefox::save(&jar_at(NOW), &path, SaveOptions::default()).unwrap();
    assert_eq!(
        schema_of(&path),
        schema_of(&fixture("firefox.cookies.sqlite"))
    );
}

#[test]
fn an_empty_file_gets_the_firefox_schema_and_the_cookies() {
    let dir = TempDir::new("ff-empty");
    let path = dir.path("cookies.sqlite");
    std::fs::write(&path, b"").unwrap();
    let mut jar = jar_at(NOW);
    let mut c = Cookie::new("a", "1", "example.org", "/");
    c.expires = Some(EXPIRES);
    jar.set_cookie(c).unwrap();
    assert_eq!(
        firefox::save(&jar, &path, SaveOptions::default()).unwrap(),
        1
    );
    assert_eq!(firefox::read_firefox(&path).unwrap().cookies.len(), 1);
    assert_eq!(
        schema_of(&path),
        schema_of(&fixture("firefox.cookies.sqlite"))
    );
}

#[test]
fn saving_into_a_firefox_profile_replaces_its_cookies_but_keeps_other_contexts() {
    let dir = TempDir::new("ff-existing");
    let path = dir.copy_of("firefox.cookies.sqlite");
    let mut jar = jar_at(NOW);
    let mut c = Cookie::new("new", "1", "example.org", "/");
    c.expires = Some(EXPIRES);
    c.same_site = Some(SameSite::Lax);
    c.creation_time = NOW;
    jar.set_cookie(c).unwrap();
    // A session cookie: Firefox's database has no place for it.
    jar.set_cookie(Cookie::new("session", "1", "example.org", "/"))
        .unwrap();
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: true,
    };
    assert_eq!(firefox::save(&jar, &path, all).unwrap(), 1);

    let read = firefox::read_firefox(&path).unwrap();
    assert_eq!(
        read.cookies.iter().map(fields).collect::<Vec<_>>(),
        [want("example.org", "new", "1", "", Some(SameSite::Lax))]
    );
    // The partitioned cookie is still there, untouched.
    assert_eq!(read.skipped.len(), 1);
    assert_eq!(read.skipped[0].name, "part");
    // The raw row, as Firefox reads it.
    let conn = Connection::open(&path).unwrap();
    let row: (String, i64, i64, i64, i64, i64) = conn
        .query_row(
            "SELECT host, expiry, sameSite, schemeMap, creationTime, updateTime FROM moz_cookies WHERE name = 'new'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (
            "example.org".into(),
            EXPIRES * 1000,
            1,
            1,
            NOW * 1_000_000,
            NOW * 1_000_000
        )
    );
}

#[test]
fn saving_into_another_firefox_schema_version_is_refused_and_changes_nothing() {
    let dir = TempDir::new("ff-version");
    let path = dir.copy_of("firefox.cookies.sqlite");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 16)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut jar = jar_at(NOW);
    let mut c = Cookie::new("new", "1", "example.org", "/");
    c.expires = Some(EXPIRES);
    jar.set_cookie(c).unwrap();
    let err = firefox::save(&jar, &path, SaveOptions::default()).unwrap_err();
    assert!(
        matches!(err, FirefoxError::UnsupportedVersion { found: 16, .. }),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn saving_as_firefox_over_a_file_that_is_not_a_database_changes_nothing() {
    let dir = TempDir::new("ff-garbage");
    let path = dir.path("cookies.sqlite");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let mut jar = jar_at(NOW);
    let mut c = Cookie::new("new", "1", "example.org", "/");
    c.expires = Some(EXPIRES);
    jar.set_cookie(c).unwrap();
    let err = firefox::save(&jar, &path, SaveOptions::default()).unwrap_err();
    assert!(matches!(err, FirefoxError::Sqlite { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), vec![b'x'; 4096]);
}

#[test]
fn a_firefox_database_locked_by_a_running_browser_is_a_typed_error() {
    let dir = TempDir::new("ff-locked");
    let path = dir.copy_of("firefox.cookies.sqlite");
    // What Firefox does while it runs: hold an exclusive lock.
    let firefox_itself = Connection::open(&path).unwrap();
    firefox_itself
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let err = firefox::read_firefox(&path).unwrap_err();
    assert!(matches!(err, FirefoxError::Locked { .. }), "{err:?}");
    let err = firefox::save(&jar_at(NOW), &path, SaveOptions::default()).unwrap_err();
    assert!(matches!(err, FirefoxError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("is Firefox running?"));
}

#[test]
fn an_older_firefox_schema_reads_seconds_and_raw_same_site() {
    // Schema 12 (Firefox 78 to 90): expiry in seconds, and rawSameSite,
    // what the server sent, beside the sameSite Firefox applied.
    let dir = TempDir::new("ff-old");
    let path = dir.path("cookies.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA user_version = 12;
         CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '',
           name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER,
           creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0,
           sameSite INTEGER DEFAULT 0, rawSameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0,
           CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
         INSERT INTO moz_cookies (name, value, host, path, expiry, lastAccessed, creationTime,
           isSecure, isHttpOnly, sameSite, rawSameSite)
         VALUES ('a', '1', '.example.com', '/', 1812758400, 1600000000000000, 1600000000000000, 0, 1, 1, 0),
                ('b', '2', 'example.com', '/', 1812758400, 1600000000000000, 1600000000000000, 1, 0, 2, 2),
                ('c', '3', 'example.com', '/', 1812758400, 1600000000000000, 1600000000000000, 0, 0, 9, 9);",
    )
    .unwrap();
    drop(conn);
    let read = firefox::read_firefox(&path).unwrap();
    assert_eq!(read.schema_version, 12);
    assert_eq!(
        read.cookies.iter().map(fields).collect::<Vec<_>>(),
        [
            want("example.com", "a", "1", "dh", None),
            want("example.com", "b", "2", "s", Some(SameSite::Strict)),
        ]
    );
    assert_eq!(read.cookies[0].creation_time, 1_600_000_000);
    assert_eq!(
        read.skipped,
        [firefox::Skipped {
            host: "example.com".into(),
            name: "c".into(),
            reason: firefox::SkipReason::SameSite(9)
        }]
    );
}

#[test]
fn a_firefox_row_that_is_not_a_cookie_is_reported_by_name() {
    let dir = TempDir::new("ff-badrow");
    let path = dir.copy_of("firefox.cookies.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE moz_cookies SET value = X'FF00' WHERE name = 'host';
         UPDATE moz_cookies SET expiry = 'soon' WHERE name = 'lax';
         UPDATE moz_cookies SET host = '' WHERE name = 'ip';",
    )
    .unwrap();
    drop(conn);
    let read = firefox::read_firefox(&path).unwrap();
    assert_eq!(read.cookies.len(), 11);
    let mut reasons: Vec<String> = read.skipped.iter().map(ToString::to_string).collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "cookie \"host\" of www.example.test: the value column is not UTF-8 text",
            "cookie \"ip\" of : the cookie has no host",
            "cookie \"lax\" of www.example.test: the expiry column is not a whole number",
            "cookie \"part\" of localhost: kept for another context (^partitionKey=%28http%2Cexample.test%29)",
        ]
    );
}

/// A cookie of the fields Firefox keeps, the others as reading sets them.
fn arb_firefox_cookie() -> impl Strategy<Value = Cookie> {
    let text = "\\PC{0,12}";
    (
        (
            text,
            text,
            "[a-z0-9-]{1,8}(\\.[a-z0-9-]{1,8}){0,2}",
            "/[!-~]{0,8}",
        ),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        proptest::option::of(prop_oneof![
            Just(SameSite::Strict),
            Just(SameSite::Lax),
            Just(SameSite::None),
        ]),
        // Seconds that fit Firefox's milliseconds.
        (NOW + 1..i64::MAX / 1000, 0..NOW, 0..NOW),
    )
        .prop_map(
            |(
                (name, value, domain, path),
                (host_only, secure, http_only),
                same_site,
                (expires, created, accessed),
            )| {
                let mut c = Cookie::new(name, value, domain, path);
                c.host_only = host_only;
                c.domain_specified = !host_only;
                c.domain_initial_dot = !host_only;
                c.path_specified = false;
                c.secure = secure;
                c.http_only = http_only;
                c.same_site = same_site;
                c.expires = Some(expires);
                c.creation_time = created;
                c.last_access_time = accessed;
                c
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_cookies_written_as_firefox_read_back_the_same(
        cookies in proptest::collection::vec(arb_firefox_cookie(), 0..8)
    ) {
        // One row per (name, host, path): the table's unique key.
        let mut unique: Vec<Cookie> = Vec::new();
        for c in cookies {
            unique.retain(|u| (&u.name, u.dotted_domain(), &u.path) != (&c.name, c.dotted_domain(), &c.path));
            unique.push(c);
        }
        let dir = TempDir::new("ff-prop");
        let path = dir.path("cookies.sqlite");
        let all = SaveOptions { ignore_discard: true, ignore_expires: true };
        prop_assert_eq!(firefox::write_firefox(&path, &unique, all, NOW).unwrap(), unique.len());
        let read = firefox::read_firefox(&path).unwrap();
        prop_assert!(read.skipped.is_empty());
        let key = |c: &Cookie| (c.name.clone(), c.dotted_domain(), c.path.clone());
        let mut got = read.cookies;
        got.sort_by_key(key);
        unique.sort_by_key(key);
        prop_assert_eq!(got, unique);
    }
}

// ----- Chromium ----------------------------------------------------------------

use clientcookie_jar::store::chromium::{self, ChromiumError, ChromiumKeys, DecryptError};

/// What Chromium 156 stored from the same redirect chain, values encrypted
/// "v10": every cookie, the session one included (headless Chromium keeps
/// them in the file), but the partitioned one (skipped).
fn chromium_expected() -> Vec<Fields> {
    let www = "www.example.test";
    sorted(vec![
        want("example.test", "domain", "d", "d", None),
        want(www, "host", "h", "", None),
        with_expires(want(www, "session", "s", "", None), None),
        want(www, "httponly", "x", "h", None),
        want(www, "strict", "st", "", Some(SameSite::Strict)),
        want(www, "lax", "lx", "", Some(SameSite::Lax)),
        with_path(want(www, "deep", "p", "", None), "/a/b"),
        want(www, "utf8", "caf\u{e9}", "", None),
        want(www, "empty", "", "", None),
        want(www, "spaced", "\"a b\"", "", None),
        with_expires(
            want(www, "maxage", "m", "", None),
            Some(CHROMIUM_VISIT + 3600),
        ),
        want("localhost", "secure", "sc", "s", None),
        want("localhost", "none", "nn", "s", Some(SameSite::None)),
        want("localhost", "__Host-id", "hi", "s", None),
        want("127.0.0.1", "ip", "i", "", None),
    ])
}

fn partitioned_skip() -> chromium::Skipped {
    chromium::Skipped {
        host: "localhost".into(),
        name: "part".into(),
        reason: chromium::SkipReason::Partitioned {
            top_frame_site_key: "http://example.test".into(),
        },
    }
}

#[test]
fn a_chromium_database_reads_with_its_v10_values_decrypted() {
    let read = chromium::read_chromium(fixture("chromium.Cookies"), &ChromiumKeys::new()).unwrap();
    assert_eq!(read.version, 24);
    assert_eq!(
        sorted(read.cookies.iter().map(fields).collect()),
        chromium_expected()
    );
    for c in &read.cookies {
        assert_eq!(c.creation_time, CHROMIUM_VISIT, "{}", c.name);
        assert_eq!(c.last_access_time, CHROMIUM_VISIT, "{}", c.name);
        assert_eq!(c.domain_specified, !c.host_only, "{}", c.name);
        assert!(c.rest().is_empty(), "{}: {:?}", c.name, c.rest());
    }
    // In creation order, as Chromium stored them.
    assert_eq!(read.cookies[0].name, "domain");
    assert_eq!(read.cookies[14].name, "ip");
    assert_eq!(read.skipped, [partitioned_skip()]);
}

#[test]
fn chromium_session_cookies_load_only_with_ignore_discard() {
    let mut jar = jar_at(NOW);
    let path = fixture("chromium.Cookies");
    let keys = ChromiumKeys::new();
    let report = chromium::load(&mut jar, &path, LoadOptions::default(), &keys).unwrap();
    assert_eq!(report.stored, 14);
    assert_eq!(report.skipped, [partitioned_skip()]);
    assert!(jar.iter().all(|c| c.name != "session"));
    assert_eq!(
        jar.cookie_header_for("http://other.example.test/")
            .as_deref(),
        Some("domain=d")
    );

    let with_sessions = LoadOptions {
        ignore_discard: true,
        ..LoadOptions::default()
    };
    let report = chromium::revert(&mut jar, &path, with_sessions, &keys).unwrap();
    assert_eq!(report.stored, 15);
    assert!(jar
        .cookie_header_for("http://www.example.test/")
        .unwrap()
        .contains("session=s"));
}

#[test]
fn a_keyring_encrypted_chromium_cookie_is_reported_by_host_and_name_and_the_others_load() {
    let mut jar = jar_at(NOW);
    let report = chromium::load(
        &mut jar,
        fixture("chromium-v11.Cookies"),
        LoadOptions::default(),
        &ChromiumKeys::new(),
    )
    .unwrap();
    // The 14 persistent cookies, and "emptykey" (v10 under the empty password).
    assert_eq!(report.stored, 15);
    let keyring = chromium::Skipped {
        host: "www.example.test".into(),
        name: "keyring".into(),
        reason: DecryptError::KeyringEncrypted.into(),
    };
    assert_eq!(report.skipped, [keyring.clone(), partitioned_skip()]);
    assert_eq!(
        keyring.to_string(),
        "cookie \"keyring\" of www.example.test: encrypted with the desktop keyring's password (v11), which was not given"
    );
    assert!(jar.iter().all(|c| c.name != "keyring"));
    let emptykey = jar.iter().find(|c| c.name == "emptykey").unwrap();
    assert_eq!(emptykey.value, "ke");
}

#[test]
fn with_the_keyring_password_a_v11_chromium_value_decrypts() {
    let keys = ChromiumKeys::new().with_keyring_password("keyring-secret");
    let read = chromium::read_chromium(fixture("chromium-v11.Cookies"), &keys).unwrap();
    assert_eq!(read.skipped, [partitioned_skip()]);
    let keyring = read.cookies.iter().find(|c| c.name == "keyring").unwrap();
    assert_eq!(keyring.value, "k11");
    assert_eq!(read.cookies.len(), 17);
}

#[test]
fn a_wrong_keyring_password_gives_an_error_never_garbage() {
    let keys = ChromiumKeys::new().with_keyring_password("not-the-secret");
    let read = chromium::read_chromium(fixture("chromium-v11.Cookies"), &keys).unwrap();
    let keyring = read.skipped.iter().find(|s| s.name == "keyring").unwrap();
    assert_eq!(keyring.reason, DecryptError::WrongKey.into());
    assert!(read.cookies.iter().all(|c| c.name != "keyring"));
}

#[test]
fn a_chromium_value_moved_to_another_host_is_refused() {
    // Since schema 24 the plaintext starts with the SHA-256 of the host:
    // a value copied onto another host's row does not decrypt there.
    let dir = TempDir::new("cr-moved");
    let path = dir.copy_of("chromium.Cookies");
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE cookies SET host_key = 'evil.test' WHERE name = 'host'",
            [],
        )
        .unwrap();
    let read = chromium::read_chromium(&path, &ChromiumKeys::new()).unwrap();
    assert!(read.skipped.contains(&chromium::Skipped {
        host: "evil.test".into(),
        name: "host".into(),
        reason: DecryptError::WrongKey.into(),
    }));
    assert_eq!(read.cookies.len(), 14);
}

#[test]
fn a_file_that_is_not_a_chromium_database_fails_and_leaves_the_jar_alone() {
    let mut jar = jar_at(NOW);
    jar.set_cookie(Cookie::new("mine", "1", "example.org", "/"))
        .unwrap();
    let keys = ChromiumKeys::new();
    let err = chromium::revert(
        &mut jar,
        fixture("firefox.cookies.sqlite"),
        LoadOptions::default(),
        &keys,
    )
    .unwrap_err();
    assert!(
        matches!(&err, ChromiumError::NotChromium { what, .. } if what == "no cookies table"),
        "{err:?}"
    );
    let err = chromium::revert(
        &mut jar,
        fixture("README.md"),
        LoadOptions::default(),
        &keys,
    )
    .unwrap_err();
    assert!(matches!(err, ChromiumError::Sqlite { .. }), "{err:?}");
    assert_eq!(jar.len(), 1);
    assert_eq!(jar.iter().next().unwrap().name, "mine");
}

#[test]
fn a_chromium_database_locked_by_a_running_browser_is_a_typed_error() {
    let dir = TempDir::new("cr-locked");
    let path = dir.copy_of("chromium.Cookies");
    let chromium_itself = Connection::open(&path).unwrap();
    chromium_itself
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let err = chromium::read_chromium(&path, &ChromiumKeys::new()).unwrap_err();
    assert!(matches!(err, ChromiumError::Locked { .. }), "{err:?}");
}

#[test]
fn an_older_chromium_schema_reads_by_column_name() {
    // Before the is_ prefixes, SameSite and partitions (schema 9 or so),
    // with plain values.
    let dir = TempDir::new("cr-old");
    let path = dir.path("Cookies");
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
             INSERT INTO meta VALUES ('version', '9');
             CREATE TABLE cookies (creation_utc INTEGER NOT NULL UNIQUE PRIMARY KEY,
               host_key TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
               path TEXT NOT NULL, expires_utc INTEGER NOT NULL, secure INTEGER NOT NULL,
               httponly INTEGER NOT NULL, last_access_utc INTEGER NOT NULL,
               has_expires INTEGER NOT NULL DEFAULT 1, persistent INTEGER NOT NULL DEFAULT 1,
               priority INTEGER NOT NULL DEFAULT 1, encrypted_value BLOB DEFAULT '');
             INSERT INTO cookies VALUES
               (13000000000000000, '.example.com', 'a', '1', '/', 13457232000000000, 1, 0, 13000000000000000, 1, 1, 2, ''),
               (13000000000000001, 'example.com', 'b', '2', '/x', 0, 0, 1, 13000000000000001, 0, 0, 0, '');",
        )
        .unwrap();
    let read = chromium::read_chromium(&path, &ChromiumKeys::new()).unwrap();
    assert_eq!(read.version, 9);
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    assert_eq!(
        read.cookies.iter().map(fields).collect::<Vec<_>>(),
        [
            want("example.com", "a", "1", "ds", None),
            with_expires(
                with_path(want("example.com", "b", "2", "h", None), "/x"),
                None
            ),
        ]
    );
    assert_eq!(
        read.cookies[0].creation_time,
        13_000_000_000 - 11_644_473_600
    );
    assert_eq!(
        read.cookies[0].rest(),
        [("Priority".into(), Some("High".into()))]
    );
    assert_eq!(
        read.cookies[1].rest(),
        [("Priority".into(), Some("Low".into()))]
    );
}

// ----- one entry point -----------------------------------------------------------

use clientcookie_jar::store::{self, CookieFile, Format, SaveError, SkippedCookie};

#[test]
fn browser_databases_are_detected_by_their_tables() {
    // Chromium's file has no extension; Firefox's says .sqlite, like ours.
    assert_eq!(
        store::detect(fixture("chromium.Cookies")).unwrap(),
        Format::Chromium
    );
    assert_eq!(
        store::detect(fixture("firefox.cookies.sqlite")).unwrap(),
        Format::Firefox
    );
    let dir = TempDir::new("detect");
    let no_extension = dir.path("Cookies");
    std::fs::copy(fixture("firefox.cookies.sqlite"), &no_extension).unwrap();
    assert_eq!(store::detect(&no_extension).unwrap(), Format::Firefox);
    for format in [Format::Firefox, Format::Chromium] {
        assert_eq!(format.name().parse::<Format>().unwrap(), format);
        assert!(format.is_compiled());
    }
    assert!(Format::Firefox.can_save());
    assert!(!Format::Chromium.can_save());
}

#[test]
fn the_one_entry_point_converts_chromium_to_firefox() {
    let dir = TempDir::new("convert");
    let mut jar = jar_at(NOW);
    let chromium = CookieFile::detect(fixture("chromium-v11.Cookies")).unwrap();
    assert_eq!(chromium.format(), Format::Chromium);
    // The keyring-encrypted cookie is named in the report.
    let (cookies, skipped) = chromium.read_reporting().unwrap();
    assert_eq!(cookies.len(), 16);
    assert!(matches!(
        &skipped[..],
        [SkippedCookie::Chromium(k), SkippedCookie::Chromium(p)]
            if k.name == "keyring" && p.name == "part"
    ));
    assert_eq!(chromium.load(&mut jar, LoadOptions::default()).unwrap(), 15);

    let err = chromium.save(&jar, SaveOptions::default()).unwrap_err();
    assert!(
        matches!(err, SaveError::LoadOnly(Format::Chromium)),
        "{err:?}"
    );

    let firefox_file = CookieFile::new(dir.path("cookies.sqlite"), Format::Firefox);
    assert_eq!(firefox_file.save(&jar, SaveOptions::default()).unwrap(), 15);
    let back = CookieFile::detect(firefox_file.path()).unwrap();
    assert_eq!(back.format(), Format::Firefox);
    let mut again = jar_at(NOW);
    assert_eq!(back.revert(&mut again, LoadOptions::default()).unwrap(), 15);
    let want = sorted(jar.iter().map(fields).collect());
    let got = sorted(again.iter().map(fields).collect());
    assert_eq!(got, want);
    // Creation times come from the databases, not from the time of the load.
    assert!(again.iter().all(|c| c.creation_time == CHROMIUM_VISIT));
}

#[test]
fn a_locked_browser_database_is_a_load_error_through_the_entry_point() {
    let dir = TempDir::new("entry-locked");
    let path = dir.copy_of("firefox.cookies.sqlite");
    let firefox_itself = Connection::open(&path).unwrap();
    firefox_itself
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let file = CookieFile::new(&path, Format::Firefox);
    let err = file
        .load(&mut jar_at(NOW), LoadOptions::default())
        .unwrap_err();
    assert!(
        matches!(err, store::LoadError::Firefox(FirefoxError::Locked { .. })),
        "{err:?}"
    );
}
