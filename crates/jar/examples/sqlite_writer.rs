//! Write cookies to an SQLite cookie jar, one committed row at a time.
//!
//! ```text
//! cargo run -p clientcookie-jar --example sqlite_writer -- cookies.sqlite 10 [prefix]
//! ```
//!
//! Stores `count` cookies (`0`: until killed) named `<prefix><n>` for
//! `example.com` in a jar attached to the database, and prints
//! `committed <n>` once the row of cookie `n` is written. The crash-safety
//! test kills it with SIGKILL in the middle and checks every reported
//! cookie is in the database.

use std::io::Write;

use clientcookie_jar::store::sqlite::SqliteStore;
use clientcookie_jar::{Cookie, CookieJar, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: sqlite_writer DB COUNT [PREFIX]")?;
    let count: u64 = args.next().ok_or("missing COUNT")?.parse()?;
    let prefix = args.next().unwrap_or_else(|| "c".to_string());
    // No eviction: every reported cookie must stay in the database.
    let mut jar = CookieJar::builder()
        .limits(Limits {
            max_cookies_per_site: usize::MAX,
            max_cookies: usize::MAX,
            ..Limits::default()
        })
        .build();
    let store = SqliteStore::attach(&mut jar, &path)?;
    let stdout = std::io::stdout();
    let mut n = 0;
    while count == 0 || n < count {
        let mut cookie = Cookie::new(format!("{prefix}{n}"), n.to_string(), "example.com", "/");
        cookie.expires = Some(4_000_000_000);
        jar.set_cookie(cookie)?;
        if store.failed_writes() != 0 {
            return Err("a write failed".into());
        }
        writeln!(stdout.lock(), "committed {n}")?;
        n += 1;
    }
    Ok(())
}
