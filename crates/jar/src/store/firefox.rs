//! Firefox's `cookies.sqlite`: read and write (cargo feature `sqlite`, on by
//! default). The seed's unfinished `MSIEDBCookieJar` idea, a browser's own
//! database, finished on the browser people use on Linux.
//!
//! ```
//! use clientcookie_jar::store::firefox;
//! use clientcookie_jar::store::{LoadOptions, SaveOptions};
//! use clientcookie_jar::{Cookie, CookieJar};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("firefox-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("cookies.sqlite");
//! # let _ = std::fs::remove_file(&path);
//! let mut jar = CookieJar::new();
//! let mut cookie = Cookie::new("sid", "42", "example.com", "/");
//! cookie.expires = Some(4_000_000_000);
//! cookie.host_only = false; // a domain cookie: host ".example.com"
//! jar.set_cookie(cookie)?;
//! assert_eq!(firefox::save(&jar, &path, SaveOptions::default())?, 1);
//!
//! let mut other = CookieJar::new();
//! let report = firefox::load(&mut other, &path, LoadOptions::default())?;
//! assert_eq!((report.stored, report.skipped.len()), (1, 0));
//! assert_eq!(other.cookie_header_for("https://www.example.com/").as_deref(), Some("sid=42"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! # The table, column by column
//!
//! Firefox keeps cookies in the table `moz_cookies`, one row per cookie;
//! [`SCHEMA`] is the table of Firefox 142 and later (schema version 17, in
//! SQLite's `user_version`), which is what this module writes. Reading
//! accepts older schemas too, taking each column by name.
//!
//! | column | here |
//! |---|---|
//! | `id` | not kept (SQLite numbers new rows) |
//! | `originAttributes` | the cookie's context; only the default one (`''`) is read and written, see below |
//! | `name`, `value`, `path` | [`Cookie::name`], [`Cookie::value`], [`Cookie::path`] |
//! | `host` | a leading dot marks a domain cookie ([`Cookie::host_only`] `false`, [`Cookie::domain_specified`] and [`Cookie::domain_initial_dot`] `true`); without it, a host-only cookie |
//! | `expiry` | [`Cookie::expires`]: milliseconds since the epoch from schema 16 (Firefox 142) on, seconds before; read rounded down to the second |
//! | `creationTime`, `lastAccessed` | [`Cookie::creation_time`], [`Cookie::last_access_time`]: microseconds, rounded down to the second |
//! | `isSecure`, `isHttpOnly` | [`Cookie::secure`], [`Cookie::http_only`] |
//! | `sameSite` | from schema 15 on: `256` no attribute, `0` `None`, `1` `Lax`, `2` `Strict` ([`Cookie::same_site`]); older schemas did not tell `None` from no attribute, and `0` is read as no attribute (their `rawSameSite` column, what the server sent, is preferred when present) |
//! | `schemeMap` | which schemes set the cookie (1 http, 2 https, 4 file); not kept, written as `2` for a secure cookie and `1` otherwise |
//! | `inBrowserElement` | always `0` (a Firefox OS relic) |
//! | `isPartitionedAttributeSet` | whether the server sent `Partitioned`; written `0` (only unpartitioned cookies are written) |
//! | `updateTime` | microseconds; written as the last-access time |
//!
//! Firefox does not store session cookies in this database (they live in
//! memory, and in the session-restore file), so a file read here has none,
//! and [`save`] never writes one, whatever `ignore_discard` says: a row has
//! no way to say "until the browser closes", and Firefox would read any
//! expiry we made up as a persistent cookie. An RFC 2965 `Discard` cookie
//! that has an expiry time is written with `ignore_discard`, and comes back
//! as a persistent cookie.
//!
//! # Containers and partitioned cookies
//!
//! `originAttributes` holds the context a cookie belongs to:
//! `^userContextId=2` for a container tab,
//! `^partitionKey=(https,example.org)` for a third-party cookie kept apart
//! per top-level site (Total Cookie Protection, `Partitioned` cookies),
//! `^firstPartyDomain=...` under first-party isolation. A [`CookieJar`]
//! has one context: loading a partitioned cookie into it would send it to
//! every site the cookie was meant to be kept away from. So reading takes
//! the default context only and reports every other row as
//! [`SkipReason::OtherContext`]; writing replaces the default context's
//! rows and leaves the others as they were.
//!
//! # Writing into a profile
//!
//! Firefox locks its database while it runs: reading or writing then fails
//! with [`FirefoxError::Locked`]. Close Firefox first (or read a copy).
//! [`save`] into an existing file is one SQLite transaction: it commits
//! whole or not at all. A new file is built in memory and put in place
//! atomically ([`atomic`](super::atomic)), with mode `0600`. Firefox
//! opens a file written here as its own (checked against Firefox 153 ESR by
//! `crates/jar/tests/fixtures/browsers/make_fixtures.sh`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, ErrorCode, OpenFlags};

use super::{LoadOptions, SaveOptions};
use crate::{Cookie, CookieJar, SameSite, Stored};

/// The schema version this module writes: Firefox's `user_version` since
/// Firefox 142.
pub const SCHEMA_VERSION: i64 = 17;

/// From this schema version on (Firefox 142), `expiry` is in milliseconds.
const EXPIRY_IN_MS_SINCE: i64 = 16;

/// From this schema version on, `sameSite = 256` means "no attribute".
const SAMESITE_UNSET_SINCE: i64 = 15;

/// Firefox's `nsICookie::SAMESITE_UNSET`.
const SAMESITE_UNSET: i64 = 256;

/// The table as Firefox 153 ESR creates it (schema version 17).
pub const SCHEMA: &str = "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, \
originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT, host TEXT, path TEXT, \
expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER, isSecure INTEGER, \
isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0, \
schemeMap INTEGER DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0, \
updateTime INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes))";

/// Firefox's page size for this database (a new file gets it too).
const PAGE_SIZE: i64 = 32768;

/// How long reading or writing waits for a lock before giving up with
/// [`FirefoxError::Locked`]. Short: a running Firefox holds its lock until
/// it exits.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(1);

const INSERT: &str = "INSERT OR REPLACE INTO moz_cookies (originAttributes, name, value, \
host, path, expiry, lastAccessed, creationTime, isSecure, isHttpOnly, inBrowserElement, \
sameSite, schemeMap, isPartitionedAttributeSet, updateTime) \
VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, 0, ?12)";

/// The columns every readable schema has.
const REQUIRED: [&str; 9] = [
    "name",
    "value",
    "host",
    "path",
    "expiry",
    "lastAccessed",
    "creationTime",
    "isSecure",
    "isHttpOnly",
];

/// Reading or writing a Firefox cookie database failed; nothing was loaded
/// into any jar, and nothing was written.
///
/// ```
/// use clientcookie_jar::store::firefox::{self, FirefoxError};
/// let err = firefox::read_firefox("/nonexistent/cookies.sqlite").unwrap_err();
/// assert!(matches!(err, FirefoxError::Io { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FirefoxError {
    /// The file could not be opened, created or replaced.
    #[error("cannot access the Firefox cookie database {}", path.display())]
    Io {
        /// The database file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the database's lock for longer than
    /// [`BUSY_TIMEOUT`]: most often Firefox itself, which keeps its profile's
    /// databases locked while it runs.
    #[error("{} is locked (is Firefox running? close it, or use a copy)", path.display())]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// The file is an SQLite database without the table or columns of
    /// Firefox's cookies.
    #[error("{} is not a Firefox cookie database: {what}", path.display())]
    NotFirefox {
        /// The database file.
        path: PathBuf,
        /// What is missing.
        what: String,
    },
    /// Writing into an existing database of another schema version than
    /// [`SCHEMA_VERSION`] (let Firefox upgrade it first, or write a new
    /// file).
    #[error("{} has cookie schema version {found}; this writes version {SCHEMA_VERSION}", path.display())]
    UnsupportedVersion {
        /// The database file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
    },
    /// SQLite refused (not a database, disk full, ...).
    #[error("SQLite error on {}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

impl FirefoxError {
    fn sqlite(path: &Path, source: rusqlite::Error) -> FirefoxError {
        let busy = matches!(
            source.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        );
        if busy {
            FirefoxError::Locked {
                path: path.to_path_buf(),
            }
        } else {
            FirefoxError::Sqlite {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Why a row of `moz_cookies` was not read as a cookie.
///
/// ```
/// use clientcookie_jar::store::firefox::SkipReason;
/// let reason = SkipReason::OtherContext { origin_attributes: "^userContextId=2".into() };
/// assert_eq!(reason.to_string(), "kept for another context (^userContextId=2)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// The row belongs to a container, a partition or an isolated first
    /// party (see the [module docs](self#containers-and-partitioned-cookies)).
    #[error("kept for another context ({origin_attributes})")]
    OtherContext {
        /// The row's `originAttributes`.
        origin_attributes: String,
    },
    /// A text column that is NULL, not text, or not UTF-8.
    #[error("the {0} column is not UTF-8 text")]
    NotText(&'static str),
    /// A number column that is not a whole number.
    #[error("the {0} column is not a whole number")]
    NotInteger(&'static str),
    /// A `sameSite` value Firefox does not define.
    #[error("unknown sameSite value {0}")]
    SameSite(i64),
    /// An empty host (Firefox keeps `file:` cookies so).
    #[error("the cookie has no host")]
    NoHost,
}

/// A row that was not read, with the reason; the host and name say which
/// cookie (as far as they could be read).
///
/// ```
/// use clientcookie_jar::store::firefox::{Skipped, SkipReason};
/// let skipped = Skipped { host: "example.com".into(), name: "sid".into(), reason: SkipReason::SameSite(7) };
/// assert_eq!(skipped.to_string(), "cookie \"sid\" of example.com: unknown sameSite value 7");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cookie {name:?} of {host}: {reason}")]
pub struct Skipped {
    /// The row's `host` (lossily decoded).
    pub host: String,
    /// The row's `name` (lossily decoded).
    pub name: String,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// What [`read_firefox`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirefoxCookies {
    /// The cookies of the default context, in the table's order.
    pub cookies: Vec<Cookie>,
    /// The rows that are not cookies of the default context.
    pub skipped: Vec<Skipped>,
    /// The database's schema version (`user_version`).
    pub schema_version: i64,
}

/// What [`load`] and [`revert`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// How many cookies were stored in the jar.
    pub stored: usize,
    /// The rows that were not read (see [`SkipReason`]). Cookies filtered
    /// out by [`LoadOptions`] or refused by the jar's limits are not listed.
    pub skipped: Vec<Skipped>,
}

/// Read every cookie of the Firefox database at `path`, without touching
/// any jar and without filtering expired cookies.
///
/// The file is opened read-only. Rows that are not cookies of the default
/// context are listed in [`FirefoxCookies::skipped`] rather than failing
/// the read; a file that is not a Firefox cookie database is an error.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use clientcookie_jar::store::{firefox, SaveOptions};
/// use clientcookie_jar::{Cookie, CookieJar};
/// let path = std::env::temp_dir().join(format!("read-firefox-doc-{}.sqlite", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut jar = CookieJar::new();
/// let mut cookie = Cookie::new("a", "1", "example.com", "/");
/// cookie.expires = Some(4_000_000_000);
/// jar.set_cookie(cookie)?;
/// firefox::save(&jar, &path, SaveOptions::default())?;
/// let read = firefox::read_firefox(&path)?;
/// assert_eq!(read.schema_version, firefox::SCHEMA_VERSION);
/// assert_eq!(read.cookies[0].expires, Some(4_000_000_000));
/// # std::fs::remove_file(&path)?;
/// # Ok(())
/// # }
/// ```
pub fn read_firefox(path: impl AsRef<Path>) -> Result<FirefoxCookies, FirefoxError> {
    let path = path.as_ref();
    let conn = open_existing(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    read_conn(&conn, path)
}

/// The seed's `load`: add the cookies of the Firefox database at `path` to
/// `jar`. The whole table is read first: on an error the jar is unchanged.
///
/// Expired cookies are skipped unless `opts.ignore_expires` (and the jar
/// drops them anyway); the file has no session cookies. Each cookie keeps
/// its creation time from the file.
///
/// ```
/// use clientcookie_jar::store::{firefox, LoadOptions};
/// use clientcookie_jar::CookieJar;
/// let mut jar = CookieJar::new();
/// assert!(firefox::load(&mut jar, "/nonexistent/cookies.sqlite", LoadOptions::default()).is_err());
/// ```
pub fn load(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    opts: LoadOptions,
) -> Result<LoadReport, FirefoxError> {
    let read = read_firefox(path)?;
    Ok(LoadReport {
        stored: insert(jar, read.cookies, opts),
        skipped: read.skipped,
    })
}

/// The seed's `revert`: replace the cookies of `jar` by those of the
/// Firefox database at `path`; on an error the jar is left as it was.
///
/// ```
/// use clientcookie_jar::store::{firefox, LoadOptions};
/// use clientcookie_jar::{Cookie, CookieJar};
/// let mut jar = CookieJar::new();
/// jar.set_cookie(Cookie::new("a", "1", "example.com", "/")).unwrap();
/// assert!(firefox::revert(&mut jar, "/nonexistent/cookies.sqlite", LoadOptions::default()).is_err());
/// assert_eq!(jar.len(), 1);
/// ```
pub fn revert(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    opts: LoadOptions,
) -> Result<LoadReport, FirefoxError> {
    let read = read_firefox(path)?;
    jar.clear(None, None, None);
    Ok(LoadReport {
        stored: insert(jar, read.cookies, opts),
        skipped: read.skipped,
    })
}

/// The seed's `save`: write the cookies of `jar` to the Firefox database at
/// `path`, creating it if needed. Returns how many were written.
///
/// See [`write_firefox`].
pub fn save(
    jar: &CookieJar,
    path: impl AsRef<Path>,
    opts: SaveOptions,
) -> Result<usize, FirefoxError> {
    write_firefox(path, jar.iter(), opts, jar.now())
}

/// Write `cookies` as the default context's cookies of the Firefox database
/// at `path`. Returns how many were written.
///
/// Into an existing database (which must have schema version
/// [`SCHEMA_VERSION`]), the default context's rows are replaced, in one
/// transaction; rows of containers and partitions stay. A missing (or
/// empty) file is created with Firefox's schema, atomically. Session cookies are never
/// written (see the [module docs](self)); expired cookies (at `now`) only
/// with `opts.ignore_expires`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use clientcookie_jar::store::{firefox, SaveOptions};
/// use clientcookie_jar::Cookie;
/// let path = std::env::temp_dir().join(format!("write-firefox-doc-{}.sqlite", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let session = Cookie::new("a", "1", "example.com", "/");
/// let mut persistent = Cookie::new("b", "2", "example.com", "/");
/// persistent.expires = Some(4_000_000_000);
/// let all = SaveOptions { ignore_discard: true, ignore_expires: true };
/// assert_eq!(firefox::write_firefox(&path, [&session, &persistent], all, 0)?, 1);
/// # std::fs::remove_file(&path)?;
/// # Ok(())
/// # }
/// ```
pub fn write_firefox<'a>(
    path: impl AsRef<Path>,
    cookies: impl IntoIterator<Item = &'a Cookie>,
    opts: SaveOptions,
    now: i64,
) -> Result<usize, FirefoxError> {
    let path = path.as_ref();
    let kept = cookies.into_iter().filter(|c| {
        let keep = c.expires.is_some() && opts.keeps(c, now);
        if c.expires.is_none() {
            tracing::debug!(name = %c.name, domain = %c.domain, "session cookie not written to cookies.sqlite");
        }
        keep
    });
    match std::fs::metadata(path) {
        // An empty file (made by `touch`, say) is an empty database: it
        // gets the schema like a new one.
        Ok(meta) if meta.len() == 0 => write_new(path, kept),
        Ok(_) => write_existing(path, kept),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_new(path, kept),
        Err(source) => Err(FirefoxError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn open_existing(path: &Path, flags: OpenFlags) -> Result<Connection, FirefoxError> {
    // SQLite would create a missing file, or report it vaguely.
    std::fs::metadata(path).map_err(|source| FirefoxError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| FirefoxError::sqlite(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| FirefoxError::sqlite(path, e))?;
    Ok(conn)
}

fn write_existing<'a>(
    path: &Path,
    cookies: impl Iterator<Item = &'a Cookie>,
) -> Result<usize, FirefoxError> {
    let mut conn = open_existing(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let sql = |e| FirefoxError::sqlite(path, e);
    // IMMEDIATE: take the write lock before reading the version, so that
    // nobody changes the schema between the check and the writes.
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql)?;
    let columns = columns(&tx, path)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    if columns.is_empty() {
        return Err(not_firefox(path, "no moz_cookies table"));
    }
    if version != SCHEMA_VERSION {
        return Err(FirefoxError::UnsupportedVersion {
            path: path.to_path_buf(),
            found: version,
        });
    }
    tx.execute("DELETE FROM moz_cookies WHERE originAttributes = ''", [])
        .map_err(sql)?;
    let n = insert_rows(&tx, cookies).map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(n)
}

fn write_new<'a>(
    path: &Path,
    cookies: impl Iterator<Item = &'a Cookie>,
) -> Result<usize, FirefoxError> {
    let sql = |e| FirefoxError::sqlite(path, e);
    let conn = Connection::open_in_memory().map_err(sql)?;
    conn.pragma_update(None, "page_size", PAGE_SIZE)
        .map_err(sql)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(sql)?;
    conn.execute_batch(SCHEMA).map_err(sql)?;
    let n = insert_rows(&conn, cookies).map_err(sql)?;
    let bytes = conn.serialize(rusqlite::DatabaseName::Main).map_err(sql)?;
    super::atomic::save_with(path, |w| w.write_all(&bytes)).map_err(|e| match e {
        super::SaveError::Io { path, source } => FirefoxError::Io { path, source },
        // save_with fails with Io only.
        other => FirefoxError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(other),
        },
    })?;
    Ok(n)
}

fn insert_rows<'a>(
    conn: &Connection,
    cookies: impl Iterator<Item = &'a Cookie>,
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare(INSERT)?;
    let mut n = 0;
    for c in cookies {
        let Some(expires) = c.expires else { continue };
        let micros = |s: i64| s.saturating_mul(1_000_000);
        stmt.execute(params![
            c.name.as_str(),
            c.value.as_str(),
            c.dotted_domain(),
            c.path.as_str(),
            expires.saturating_mul(1000),
            micros(c.last_access_time),
            micros(c.creation_time),
            c.secure,
            c.http_only,
            same_site_to_firefox(c.same_site),
            if c.secure { 2 } else { 1 },
            micros(c.last_access_time),
        ])?;
        n += 1;
    }
    Ok(n)
}

fn same_site_to_firefox(s: Option<SameSite>) -> i64 {
    match s {
        None => SAMESITE_UNSET,
        Some(SameSite::None) => 0,
        Some(SameSite::Lax) => 1,
        Some(SameSite::Strict) => 2,
    }
}

fn not_firefox(path: &Path, what: impl Into<String>) -> FirefoxError {
    FirefoxError::NotFirefox {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// The columns of `moz_cookies`, empty when there is no such table.
fn columns(conn: &Connection, path: &Path) -> Result<Vec<String>, FirefoxError> {
    let sql = |e| FirefoxError::sqlite(path, e);
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info('moz_cookies')")
        .map_err(sql)?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sql)?;
    names.collect::<Result<_, _>>().map_err(sql)
}

fn read_conn(conn: &Connection, path: &Path) -> Result<FirefoxCookies, FirefoxError> {
    let sql = |e| FirefoxError::sqlite(path, e);
    let columns = columns(conn, path)?;
    if columns.is_empty() {
        return Err(not_firefox(path, "no moz_cookies table"));
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !columns.iter().any(|n| n == *c)) {
        return Err(not_firefox(path, format!("no {missing} column")));
    }
    let has = |c: &str| columns.iter().any(|n| n == c);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    if version > SCHEMA_VERSION {
        tracing::warn!(path = %path.display(), version, "newer Firefox cookie schema than known; reading it as version {SCHEMA_VERSION}");
    }
    // Columns a schema may lack are replaced by what they meant before
    // they existed.
    let origin = if has("originAttributes") {
        "originAttributes"
    } else {
        "''"
    };
    let same_site = match (has("rawSameSite"), has("sameSite")) {
        _ if version >= SAMESITE_UNSET_SINCE && has("sameSite") => "sameSite",
        (true, _) => "rawSameSite",
        (false, true) => "sameSite",
        (false, false) => "0",
    };
    let query = format!(
        "SELECT name, value, host, path, expiry, lastAccessed, creationTime, isSecure, \
         isHttpOnly, {origin}, {same_site} FROM moz_cookies ORDER BY id"
    );
    let units = Units {
        expiry_ms: version >= EXPIRY_IN_MS_SINCE,
        unset_256: version >= SAMESITE_UNSET_SINCE,
    };
    let mut stmt = conn.prepare(&query).map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut out = FirefoxCookies {
        schema_version: version,
        ..FirefoxCookies::default()
    };
    while let Some(row) = rows.next().map_err(sql)? {
        match from_row(row, units).map_err(sql)? {
            Ok(cookie) => out.cookies.push(cookie),
            Err(skipped) => {
                tracing::debug!(%skipped, "Firefox cookie row skipped");
                out.skipped.push(skipped);
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Copy)]
struct Units {
    expiry_ms: bool,
    unset_256: bool,
}

/// A row as a cookie; the outer error is SQLite's, the inner one a row
/// that is not a cookie of the default context.
fn from_row(row: &rusqlite::Row<'_>, units: Units) -> rusqlite::Result<Result<Cookie, Skipped>> {
    Ok(cookie_of_row(row, units)?.map_err(|reason| Skipped {
        host: lossy(row, 2),
        name: lossy(row, 0),
        reason,
    }))
}

/// The column's bytes as text, whatever they are (for error reports).
fn lossy(row: &rusqlite::Row<'_>, i: usize) -> String {
    match row.get_ref(i) {
        Ok(ValueRef::Text(t) | ValueRef::Blob(t)) => String::from_utf8_lossy(t).into_owned(),
        _ => String::new(),
    }
}

fn text(
    row: &rusqlite::Row<'_>,
    i: usize,
    column: &'static str,
) -> rusqlite::Result<Result<String, SkipReason>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(str::to_owned)
            .map_err(|_| SkipReason::NotText(column)),
        _ => Err(SkipReason::NotText(column)),
    })
}

fn integer(
    row: &rusqlite::Row<'_>,
    i: usize,
    column: &'static str,
) -> rusqlite::Result<Result<i64, SkipReason>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Integer(n) => Ok(n),
        _ => Err(SkipReason::NotInteger(column)),
    })
}

/// `?` for the outer (SQLite) error, then an early `Ok(Err(..))` for the
/// inner (skip) one.
macro_rules! field {
    ($e:expr) => {
        match $e? {
            Ok(v) => v,
            Err(reason) => return Ok(Err(reason)),
        }
    };
}

fn cookie_of_row(
    row: &rusqlite::Row<'_>,
    units: Units,
) -> rusqlite::Result<Result<Cookie, SkipReason>> {
    let origin = lossy(row, 9);
    if !origin.is_empty() {
        return Ok(Err(SkipReason::OtherContext {
            origin_attributes: origin,
        }));
    }
    let name = field!(text(row, 0, "name"));
    let value = field!(text(row, 1, "value"));
    let host = field!(text(row, 2, "host"));
    let path = field!(text(row, 3, "path"));
    let expiry = field!(integer(row, 4, "expiry"));
    let last_accessed = field!(integer(row, 5, "lastAccessed"));
    let creation = field!(integer(row, 6, "creationTime"));
    let secure = field!(integer(row, 7, "isSecure"));
    let http_only = field!(integer(row, 8, "isHttpOnly"));
    let same_site = match (field!(integer(row, 10, "sameSite")), units.unset_256) {
        (SAMESITE_UNSET, true) => None,
        (0, true) => Some(SameSite::None),
        (0, false) => None,
        (1, _) => Some(SameSite::Lax),
        (2, _) => Some(SameSite::Strict),
        (other, _) => return Ok(Err(SkipReason::SameSite(other))),
    };
    let dotted = host.starts_with('.');
    let domain = host.trim_start_matches('.').to_ascii_lowercase();
    if domain.is_empty() {
        return Ok(Err(SkipReason::NoHost));
    }
    let mut cookie = Cookie::new(name, value, "", path);
    cookie.domain = domain.into();
    cookie.host_only = !dotted;
    cookie.domain_specified = dotted;
    cookie.domain_initial_dot = dotted;
    // Firefox does not record it; as the seed's MozillaCookieJar assumes.
    cookie.path_specified = false;
    cookie.expires = Some(if units.expiry_ms {
        expiry.div_euclid(1000)
    } else {
        expiry
    });
    cookie.creation_time = creation.div_euclid(1_000_000);
    cookie.last_access_time = last_accessed.div_euclid(1_000_000);
    cookie.secure = secure != 0;
    cookie.http_only = http_only != 0;
    cookie.same_site = same_site;
    Ok(Ok(cookie))
}

/// Store the cookies `opts` keeps, each with its creation time from the
/// file (which orders the `Cookie` header, RFC 6265 §5.4 step 2).
fn insert(jar: &mut CookieJar, cookies: Vec<Cookie>, opts: LoadOptions) -> usize {
    let now = jar.now();
    let mut stored = 0;
    for cookie in cookies {
        if !opts.keeps(&cookie, now) {
            continue;
        }
        match jar.set_cookie(cookie) {
            Ok(Stored::Added | Stored::Replaced) => stored += 1,
            Ok(_) => {}
            Err(reason) => tracing::debug!(?reason, "cookie from Firefox not stored"),
        }
    }
    stored
}
