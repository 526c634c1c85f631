//! The SQLite jar: round trips, write-through row by row, two connections and
//! two processes sharing one file, crash safety under SIGKILL.

#![cfg(feature = "sqlite")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::store::sqlite::SqliteStore;
use clientcookie_jar::{Cookie, CookieJar, Limits, SameSite};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;
const FUTURE: i64 = 4_000_000_000;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "clientcookie-sqlite-{tag}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("cookies.sqlite")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn clock_jar(clock: Arc<FixedClock>) -> CookieJar {
    CookieJar::builder().clock(clock).build()
}

fn jar() -> CookieJar {
    clock_jar(Arc::new(FixedClock::new(NOW)))
}

fn cookie(name: &str, value: &str) -> Cookie {
    let mut c = Cookie::new(name, value, "example.com", "/");
    c.expires = Some(FUTURE);
    c
}

fn sorted(jar: &CookieJar) -> Vec<Cookie> {
    let mut cookies: Vec<Cookie> = jar.iter().cloned().collect();
    cookies.sort_by(|a, b| (&a.domain, &a.path, &a.name).cmp(&(&b.domain, &b.path, &b.name)));
    cookies
}

/// Rows in the file, counted through a connection of its own.
fn rows(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM cookies", [], |r| r.get(0))
        .unwrap()
}

fn row_value(path: &Path, name: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT value FROM cookies WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .ok()
}

#[test]
fn every_attribute_survives_a_round_trip() {
    let dir = TempDir::new("attrs");
    let mut c = Cookie::new("sid", "\"quoted\" välue", ".Example.COM", "/a b");
    c.version = Some(1);
    c.extras_mut().port = Some("80,8080".into());
    c.port_specified = true;
    c.domain_specified = true;
    c.host_only = false;
    c.path_specified = false;
    c.secure = true;
    c.expires = Some(FUTURE);
    c.discard = true;
    c.extras_mut().comment = Some("a comment; with \"quotes\"".into());
    c.extras_mut().comment_url = Some("https://example.com/why".into());
    c.extras_mut().rest = vec![
        ("Priority".into(), Some("High".into())),
        ("Partitioned".into(), None),
        ("Odd\"name".into(), Some("[]{}\n".into())),
    ];
    c.http_only = true;
    c.same_site = Some(SameSite::Lax);
    c.creation_time = NOW - 500;

    let mut source = jar();
    let _store = SqliteStore::attach(&mut source, dir.db()).unwrap();
    source.set_cookie(c).unwrap();
    let mut second = Cookie::new("plain", "", "host.example", "/");
    second.same_site = Some(SameSite::None);
    source.set_cookie(second).unwrap();
    let mut third = cookie("strict", "1");
    third.same_site = Some(SameSite::Strict);
    source.set_cookie(third).unwrap();

    let mut back = jar();
    assert_eq!(
        SqliteStore::open(dir.db())
            .unwrap()
            .load_into(&mut back)
            .unwrap(),
        3
    );
    assert_eq!(sorted(&back), sorted(&source));
    let sid = back.iter().find(|c| c.name == "sid").unwrap();
    assert_eq!(sid.creation_time, NOW - 500);
    assert_eq!(sid.domain, "example.com");
    assert!(sid.domain_initial_dot);
}

#[test]
fn each_change_is_written_as_one_row() {
    let dir = TempDir::new("rows");
    let db = dir.db();
    let clock = Arc::new(FixedClock::new(NOW));
    let mut jar = CookieJar::builder()
        .clock(clock.clone())
        .limits(Limits {
            max_cookies_per_site: 6,
            ..Limits::default()
        })
        .build();
    // Rows already in the file are loaded, not written again.
    {
        let store = SqliteStore::open(&db).unwrap();
        let mut seed = self::jar();
        seed.set_cookie(cookie("old", "1")).unwrap();
        assert_eq!(store.write_all(&seed).unwrap(), 1);
    }
    let store = SqliteStore::attach(&mut jar, &db).unwrap();
    assert_eq!(jar.len(), 1);
    assert_eq!(rows(&db), 1);

    jar.set_cookie(cookie("a", "1")).unwrap(); // Added
    assert_eq!(rows(&db), 2);
    jar.set_cookie(cookie("a", "2")).unwrap(); // Replaced
    assert_eq!(rows(&db), 2);
    assert_eq!(row_value(&db, "a").as_deref(), Some("2"));

    let mut short = cookie("short", "1");
    short.expires = Some(NOW + 10);
    jar.set_cookie(short).unwrap();
    assert_eq!(rows(&db), 3);

    let mut gone = cookie("a", "");
    gone.expires = Some(NOW - 1); // a server deleting the cookie: Removed
    jar.set_cookie(gone).unwrap();
    assert_eq!(rows(&db), 2);
    assert_eq!(row_value(&db, "a"), None);

    clock.set(NOW + 20);
    assert_eq!(jar.clear_expired_cookies(), 1); // Expired
    assert_eq!(rows(&db), 1);
    assert_eq!(row_value(&db, "short"), None);

    for i in 0..6 {
        jar.set_cookie(cookie(&format!("e{i}"), "1")).unwrap();
    }
    // 7 cookies for one site, limit 6: evicted down to 5, rows follow.
    assert_eq!(jar.len(), 5);
    assert_eq!(rows(&db), 5);

    let name = jar.iter().next().unwrap().name.clone();
    assert_eq!(jar.clear(Some("example.com"), None, Some(&name)), 1); // Removed
    assert_eq!(rows(&db), 4);
    jar.clear(None, None, None);
    assert_eq!(rows(&db), 0);
    assert_eq!(store.failed_writes(), 0);
}

#[test]
fn two_connections_see_each_others_cookies() {
    let dir = TempDir::new("two");
    let mut one = jar();
    let mut two = jar();
    let store_one = SqliteStore::attach(&mut one, dir.db()).unwrap();
    let store_two = SqliteStore::attach(&mut two, dir.db()).unwrap();

    one.set_cookie(cookie("from_one", "1")).unwrap();
    two.set_cookie(cookie("from_two", "2")).unwrap();
    assert_eq!(store_one.load_into(&mut one).unwrap(), 2);
    assert_eq!(store_two.load_into(&mut two).unwrap(), 2);
    assert_eq!(sorted(&one), sorted(&two));

    // A cookie one replaces is picked up by two on refresh.
    one.set_cookie(cookie("from_two", "changed")).unwrap();
    store_two.load_into(&mut two).unwrap();
    let value = |jar: &CookieJar| {
        jar.iter()
            .find(|c| c.name == "from_two")
            .map(|c| c.value.clone())
    };
    assert_eq!(value(&two).as_deref(), Some("changed"));
    assert_eq!(store_one.failed_writes() + store_two.failed_writes(), 0);
}

// ----- a second process --------------------------------------------------

const CHILD_DB: &str = "CLIENTCOOKIE_SQLITE_CHILD_DB";
const CHILD_COUNT: &str = "CLIENTCOOKIE_SQLITE_CHILD_COUNT";

/// Not a test of its own: the body of the second process, which the tests
/// below start by running this test binary again with [`CHILD_DB`] set.
/// Prints `loaded <n>`, then `committed <i>` after each cookie's row is
/// written; a count of 0 writes until killed.
#[test]
fn sqlite_child_process() {
    let Ok(db) = std::env::var(CHILD_DB) else {
        return;
    };
    let count: u64 = std::env::var(CHILD_COUNT).unwrap().parse().unwrap();
    let mut jar = CookieJar::builder()
        .limits(Limits {
            max_cookies_per_site: usize::MAX,
            max_cookies: usize::MAX,
            ..Limits::default()
        })
        .build();
    let store = SqliteStore::attach(&mut jar, &db).unwrap();
    println!("loaded {}", jar.len());
    let mut i = 0;
    while count == 0 || i < count {
        jar.set_cookie(cookie(&format!("child{i}"), &i.to_string()))
            .unwrap();
        assert_eq!(store.failed_writes(), 0);
        println!("committed {i}");
        i += 1;
    }
}

fn child(db: &Path, count: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "sqlite_child_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, db)
        .env(CHILD_COUNT, count.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_second_process_sees_and_is_seen() {
    let dir = TempDir::new("process");
    let mut jar = jar();
    let store = SqliteStore::attach(&mut jar, dir.db()).unwrap();
    jar.set_cookie(cookie("parent", "1")).unwrap();

    let out = child(&dir.db(), 5).wait_with_output().unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("loaded 1\n"), "{out}");
    assert!(out.contains("committed 4\n"), "{out}");

    assert_eq!(store.load_into(&mut jar).unwrap(), 6);
    assert_eq!(jar.len(), 6);
    assert!((0..5).all(|i| jar.iter().any(|c| c.name == format!("child{i}"))));
}

#[test]
fn every_committed_cookie_survives_sigkill() {
    const K: u64 = 300;
    let dir = TempDir::new("crash");
    drop(SqliteStore::open(dir.db()).unwrap());
    let mut writer = child(&dir.db(), 0);
    let stdout = BufReader::new(writer.stdout.take().unwrap());
    let mut committed = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            let n: u64 = n.parse().unwrap();
            committed = Some(n);
            if n + 1 >= K {
                break;
            }
        }
    }
    writer.kill().unwrap(); // SIGKILL: no destructor, no checkpoint runs
    writer.wait().unwrap();
    assert_eq!(committed, Some(K - 1));

    let store = SqliteStore::open(dir.db()).unwrap();
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut jar = CookieJar::builder()
        .limits(Limits {
            max_cookies_per_site: usize::MAX,
            ..Limits::default()
        })
        .build();
    let loaded = store.load_into(&mut jar).unwrap();
    assert!(loaded as u64 >= K, "{loaded} < {K}");
    for i in 0..K {
        let name = format!("child{i}");
        assert!(jar.iter().any(|c| c.name == name), "{name} lost");
    }
}

// ----- property ------------------------------------------------------------

fn arb_cookie() -> impl Strategy<Value = Cookie> {
    let text = "[ -~\u{a0}-\u{2ff}\n\t\"\\\\]{0,20}";
    (
        (
            "[A-Za-z0-9_!#$%&'*+.^`|~-]{0,12}",
            text,
            "[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){0,3}",
            "/[ -~]{0,15}",
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            proptest::option::of(0u32..3),
            proptest::option::of(text),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(NOW + 1..i64::MAX),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            proptest::option::of(text),
            proptest::option::of(text),
            proptest::collection::vec((text, proptest::option::of(text)), 0..3),
            any::<bool>(),
            proptest::option::of(prop_oneof![
                Just(SameSite::Strict),
                Just(SameSite::Lax),
                Just(SameSite::None)
            ]),
            i64::MIN..i64::MAX,
        ),
    )
        .prop_map(|(a, b, c)| {
            let (name, value, domain, path, host_only, secure, domain_specified) = a;
            let (version, port, port_specified, path_specified, dot, expires, discard, _) = b;
            let (comment, comment_url, rest, http_only, same_site, created) = c;
            let mut cookie = Cookie::new(name, value, domain, path);
            cookie.version = version;
            cookie.extras_mut().port = port;
            cookie.port_specified = port_specified;
            cookie.domain_specified = domain_specified;
            cookie.domain_initial_dot = dot;
            cookie.host_only = host_only;
            cookie.path_specified = path_specified;
            cookie.secure = secure;
            cookie.expires = expires;
            cookie.discard = discard;
            cookie.extras_mut().comment = comment;
            cookie.extras_mut().comment_url = comment_url;
            cookie.extras_mut().rest = rest;
            cookie.http_only = http_only;
            cookie.same_site = same_site;
            cookie.creation_time = created;
            cookie
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_cookies_come_back_the_same(cookies in proptest::collection::vec(arb_cookie(), 0..8)) {
        let dir = TempDir::new("prop");
        let mut source = jar();
        let store = SqliteStore::attach(&mut source, dir.db()).unwrap();
        for cookie in cookies {
            let _ = source.set_cookie(cookie);
        }
        prop_assert_eq!(store.failed_writes(), 0);
        let mut back = jar();
        let n = SqliteStore::open(dir.db()).unwrap().load_into(&mut back).unwrap();
        prop_assert_eq!(n, source.len());
        prop_assert_eq!(sorted(&back), sorted(&source));
    }
}
