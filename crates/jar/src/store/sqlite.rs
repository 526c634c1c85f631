//! The SQLite jar: the seed's `BSDDBCookieJar`, rebuilt on a real database
//! and written through, row by row (cargo feature `sqlite`, on by default).
//!
//! One row per cookie, keyed by (domain, path, name), holds every field of
//! [`Cookie`] (the uninterpreted `rest` attributes as JSON text). The jar in
//! memory stays the cache every lookup uses; the database follows it through
//! the jar's change events ([`CookieSink`]): a stored cookie is one
//! `INSERT OR REPLACE`, a removed, expired or evicted one is one `DELETE`,
//! each its own small transaction. A crash loses at most the change being
//! written, never the file.
//!
//! The database is opened in WAL mode with `synchronous=NORMAL` and a busy
//! timeout ([`BUSY_TIMEOUT`]), so several processes can share one file: each
//! writes its own changes, and [`SqliteStore::load_into`] picks up what the
//! others wrote.
//!
//! ```
//! use clientcookie_jar::store::sqlite::SqliteStore;
//! use clientcookie_jar::{Cookie, CookieJar};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = std::env::temp_dir().join(format!("sqlite-doc-{}.sqlite", std::process::id()));
//! # let _ = std::fs::remove_file(&path);
//! let mut jar = CookieJar::new();
//! let store = SqliteStore::attach(&mut jar, &path)?;
//! let mut cookie = Cookie::new("sid", "42", "example.com", "/");
//! cookie.expires = Some(4_000_000_000);
//! jar.set_cookie(cookie)?; // written to the database now
//!
//! let mut other = CookieJar::new();
//! assert_eq!(SqliteStore::open(&path)?.load_into(&mut other)?, 1);
//! assert_eq!(other.iter().next().unwrap().value, "42");
//! assert_eq!(store.failed_writes(), 0);
//! # drop(jar); drop(store);
//! # for ext in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{ext}", path.display())); }
//! # Ok(())
//! # }
//! ```
//!
//! What is and is not written:
//!
//! - every change the jar reports: cookies stored from responses or with
//!   [`CookieJar::set_cookie`], cookies cleared, expired or evicted;
//! - not the last-access time of a cookie that is only *sent*: the jar does
//!   not report reads, so the row keeps the time the cookie was last stored;
//! - not the changes [`SqliteStore::load_into`] itself makes to a jar this
//!   store is attached to (those cookies came from the database).
//!
//! Session cookies are written like the others (the database mirrors the
//! jar); [`SqliteStore::load_into`] loads them back. Call
//! [`CookieJar::clear_session_cookies`] on an attached jar to drop them from
//! both.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::events::{ChangeKind, CookieEvent, CookieSink};
use crate::{Cookie, CookieJar, SameSite, Stored};

/// How long a statement waits for another connection's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema version this module writes (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE cookies (
    domain             TEXT    NOT NULL,
    path               TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    value              TEXT    NOT NULL,
    version            INTEGER,
    port               TEXT,
    port_specified     INTEGER NOT NULL,
    domain_specified   INTEGER NOT NULL,
    domain_initial_dot INTEGER NOT NULL,
    host_only          INTEGER NOT NULL,
    path_specified     INTEGER NOT NULL,
    secure             INTEGER NOT NULL,
    expires            INTEGER,
    discard            INTEGER NOT NULL,
    comment            TEXT,
    comment_url        TEXT,
    rest               TEXT    NOT NULL,
    http_only          INTEGER NOT NULL,
    same_site          TEXT,
    creation_time      INTEGER NOT NULL,
    last_access_time   INTEGER NOT NULL,
    PRIMARY KEY (domain, path, name)
) WITHOUT ROWID;
";

const UPSERT: &str = "INSERT OR REPLACE INTO cookies (
    domain, path, name, value, version, port, port_specified, domain_specified,
    domain_initial_dot, host_only, path_specified, secure, expires, discard,
    comment, comment_url, rest, http_only, same_site, creation_time, last_access_time
) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

const DELETE: &str = "DELETE FROM cookies WHERE domain = ?1 AND path = ?2 AND name = ?3";

const SELECT: &str = "SELECT
    domain, path, name, value, version, port, port_specified, domain_specified,
    domain_initial_dot, host_only, path_specified, secure, expires, discard,
    comment, comment_url, rest, http_only, same_site, creation_time, last_access_time
FROM cookies WHERE expires IS NULL OR expires > ?1";

/// Opening, reading or writing the SQLite jar failed.
///
/// ```
/// use clientcookie_jar::store::sqlite::{SqliteStore, StoreError};
/// let err = SqliteStore::open("/nonexistent-dir/cookies.sqlite").unwrap_err();
/// assert!(matches!(err, StoreError::Io { .. } | StoreError::Sqlite(_)));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Creating the database file failed.
    #[error("cannot create the cookie database {}", path.display())]
    Io {
        /// The database file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused: not a database, locked for longer than
    /// [`BUSY_TIMEOUT`], disk full, ...
    #[error("SQLite error")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of this module.
    #[error("cookie database schema version {0} is newer than {SCHEMA_VERSION}")]
    UnsupportedVersion(i64),
    /// The database belongs to another program (a browser's cookie
    /// database, or another `cookies` table): it is left untouched.
    #[error("the database is {0}, not a clientcookie cookie jar")]
    ForeignDatabase(&'static str),
    /// A row holds what no cookie can (a `same_site` or `rest` this module
    /// never writes). Nothing was loaded.
    #[error("bad row for cookie {name:?} of {domain} {path}: {reason}")]
    BadRow {
        /// The row's domain.
        domain: String,
        /// The row's path.
        path: String,
        /// The row's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A cookie database: open it, load it into a jar, write a jar's changes to
/// it (see the [module docs](self)).
///
/// Clones share one connection.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    conn: Mutex<Connection>,
    failed_writes: AtomicU64,
    /// The thread running `load_into`: its jar's events are not written
    /// back (they came from the database).
    loading: Mutex<Option<ThreadId>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.shared.path)
            .field("failed_writes", &self.failed_writes())
            .finish()
    }
}

impl SqliteStore {
    /// Open the cookie database at `path`, creating it (mode `0600` on Unix:
    /// cookies are secrets) and its schema if needed.
    ///
    /// Sets `journal_mode=WAL`, `synchronous=NORMAL` and a busy timeout of
    /// [`BUSY_TIMEOUT`]. Fails with [`StoreError::UnsupportedVersion`] on a
    /// database of a newer schema, and with [`StoreError::Sqlite`] on a file
    /// that is not an SQLite database.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        create_private(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        refuse_foreign(&conn)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "cookie database not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            shared: Arc::new(Shared {
                path: path.to_path_buf(),
                conn: Mutex::new(conn),
                failed_writes: AtomicU64::new(0),
                loading: Mutex::new(None),
            }),
        })
    }

    /// Open the database at `path`, load its cookies into `jar`
    /// ([`load_into`](Self::load_into)), then write every later change of
    /// `jar` to it ([`CookieJar::set_sink`], replacing any earlier sink).
    ///
    /// Returns the store, to [`load_into`](Self::load_into) again later
    /// and to watch [`failed_writes`](Self::failed_writes).
    pub fn attach(jar: &mut CookieJar, path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore::open(path)?;
        store.load_into(jar)?;
        jar.set_sink(store.sink());
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Add the database's cookies to `jar` (the seed's `load`: cookies of
    /// the jar that the database lacks stay). Expired rows are skipped;
    /// session cookies are loaded. Returns how many cookies were stored.
    ///
    /// Call it again to pick up what other processes wrote. The rows are
    /// read whole first: on an error the jar is unchanged. When `jar` is
    /// attached to this store, the changes made here are not written back.
    pub fn load_into(&self, jar: &mut CookieJar) -> Result<usize, StoreError> {
        let cookies = self.read_all(jar.now())?;
        let _guard = self.suspend_writes();
        Ok(insert(jar, cookies))
    }

    /// Replace the cookies of `jar` by the database's (the seed's
    /// `revert`); on an error the jar is unchanged. When `jar` is attached
    /// to this store, the rows are left alone: only the jar changes.
    pub fn revert_into(&self, jar: &mut CookieJar) -> Result<usize, StoreError> {
        let cookies = self.read_all(jar.now())?;
        let _guard = self.suspend_writes();
        jar.clear(None, None, None);
        Ok(insert(jar, cookies))
    }

    /// Write every cookie of `jar` to the database, in one transaction
    /// (rows of other cookies stay). Returns how many were written. Use it
    /// to move a jar loaded from a file into a database.
    pub fn write_all(&self, jar: &CookieJar) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(UPSERT)?;
            for cookie in jar.iter() {
                upsert(&mut stmt, cookie)?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Replace every row of the database by `cookies`, in one transaction:
    /// afterwards the database holds exactly these cookies (or, on an
    /// error, what it held before). Returns how many were written. This is
    /// what saving a jar to a database file does
    /// ([`CookieFile::save`](super::CookieFile::save)).
    ///
    /// ```
    /// use clientcookie_jar::store::sqlite::SqliteStore;
    /// use clientcookie_jar::{Cookie, CookieJar};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let path = std::env::temp_dir().join(format!("replace-doc-{}.sqlite", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let store = SqliteStore::open(&path)?;
    /// let cookie = Cookie::new("a", "1", "example.com", "/");
    /// assert_eq!(store.replace_all([&cookie])?, 1);
    /// assert_eq!(store.replace_all([])?, 0);
    /// assert_eq!(store.load_into(&mut CookieJar::new())?, 0);
    /// # drop(store);
    /// # for ext in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{ext}", path.display())); }
    /// # Ok(())
    /// # }
    /// ```
    pub fn replace_all<'a>(
        &self,
        cookies: impl IntoIterator<Item = &'a Cookie>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM cookies", [])?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(UPSERT)?;
            for cookie in cookies {
                upsert(&mut stmt, cookie)?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// A [`CookieSink`] writing each change to this database: give it to
    /// [`CookieJar::set_sink`] (after [`load_into`](Self::load_into), or
    /// the load writes every row back).
    pub fn sink(&self) -> SqliteSink {
        SqliteSink {
            shared: self.shared.clone(),
        }
    }

    /// How many changes the sinks of this store failed to write since it
    /// was opened (each failure is logged with `tracing::warn!`).
    pub fn failed_writes(&self) -> u64 {
        self.shared.failed_writes.load(Ordering::Relaxed)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.shared.conn()
    }

    /// Every row that has not expired at `now`, as cookies.
    pub(crate) fn read_all(&self, now: i64) -> Result<Vec<Cookie>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(SELECT)?;
        let rows = stmt.query_map([now], from_row)?;
        let mut cookies = Vec::new();
        for row in rows {
            cookies.push(row??);
        }
        Ok(cookies)
    }

    fn suspend_writes(&self) -> SuspendGuard<'_> {
        *lock(&self.shared.loading) = Some(std::thread::current().id());
        SuspendGuard(&self.shared)
    }
}

struct SuspendGuard<'a>(&'a Shared);

impl Drop for SuspendGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.0.loading) = None;
    }
}

impl Shared {
    fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    fn write(&self, event: CookieEvent<'_>) -> rusqlite::Result<()> {
        let conn = self.conn();
        let c = event.cookie;
        match event.kind {
            ChangeKind::Added | ChangeKind::Replaced => {
                upsert(&mut conn.prepare_cached(UPSERT)?, c)?;
            }
            ChangeKind::Removed | ChangeKind::Expired | ChangeKind::Evicted => {
                conn.prepare_cached(DELETE)?.execute(params![
                    c.domain.as_str(),
                    c.path.as_str(),
                    c.name.as_str()
                ])?;
            }
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes a jar's changes to a [`SqliteStore`], one row per change, each in
/// its own transaction.
///
/// [`CookieSink::cookie_changed`] cannot fail: a write that fails (disk
/// full, the database locked for longer than [`BUSY_TIMEOUT`]) is logged
/// with `tracing::warn!` and counted in [`SqliteStore::failed_writes`]; the
/// jar in memory keeps the change, and the database misses it until the
/// cookie changes again (or [`SqliteStore::write_all`] is called).
pub struct SqliteSink {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SqliteSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSink")
            .field("path", &self.shared.path)
            .finish()
    }
}

impl CookieSink for SqliteSink {
    fn cookie_changed(&mut self, event: CookieEvent<'_>) {
        if *lock(&self.shared.loading) == Some(std::thread::current().id()) {
            return;
        }
        if let Err(error) = self.shared.write(event) {
            self.shared.failed_writes.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                path = %self.shared.path.display(),
                kind = ?event.kind,
                domain = %event.cookie.domain,
                name = %event.cookie.name,
                %error,
                "cookie change not written to the database"
            );
        }
    }
}

/// Create `path` with mode `0600` if it does not exist, so that SQLite
/// (which keeps an existing file's mode, and gives its `-wal` and `-shm`
/// files the same) never makes the cookies world-readable.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(super::atomic::NEW_FILE_MODE);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// What an SQLite database is, from its tables: how
/// [`detect`](super::detect) tells the cookie databases apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DatabaseKind {
    /// No table at all: a new database.
    Empty,
    /// This module's `cookies` table.
    Ours,
    /// Firefox's `cookies.sqlite`: a `moz_cookies` table.
    Firefox,
    /// Chromium's `Cookies`: a `cookies` table and a `meta` table.
    Chromium,
    /// Tables of some other program.
    Other,
}

impl DatabaseKind {
    /// Open the file read-only (nothing is written, not even a journal
    /// mode) and look at its tables.
    pub(crate) fn of_file(path: &Path) -> Result<DatabaseKind, StoreError> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        DatabaseKind::of_connection(&conn)
    }

    fn of_connection(conn: &Connection) -> Result<DatabaseKind, StoreError> {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
        let tables = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let has = |name: &str| tables.iter().any(|t| t == name);
        Ok(if tables.is_empty() {
            DatabaseKind::Empty
        } else if has("moz_cookies") {
            DatabaseKind::Firefox
        } else if has("cookies") && has("meta") {
            DatabaseKind::Chromium
        } else if has("cookies") && has_our_columns(conn)? {
            DatabaseKind::Ours
        } else {
            DatabaseKind::Other
        })
    }
}

/// Whether the `cookies` table has the columns only this module writes.
fn has_our_columns(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM pragma_table_info('cookies')
         WHERE name IN ('domain_initial_dot', 'port_specified', 'rest')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n == 3)
}

fn has_cookies_table(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cookies'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Never stamp, extend or even switch the journal mode of another
/// program's database: a browser's, or one with some other `cookies` table.
fn refuse_foreign(conn: &Connection) -> Result<(), StoreError> {
    match DatabaseKind::of_connection(conn)? {
        DatabaseKind::Firefox => Err(StoreError::ForeignDatabase("a Firefox cookies.sqlite")),
        DatabaseKind::Chromium => Err(StoreError::ForeignDatabase("a Chromium Cookies")),
        DatabaseKind::Other if has_cookies_table(conn)? => Err(StoreError::ForeignDatabase(
            "another program's cookies table",
        )),
        _ => Ok(()),
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    // IMMEDIATE: two processes creating the file at once do not both run
    // the CREATE TABLE.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let exists = has_cookies_table(&tx)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    match version {
        0 => {
            if !exists {
                tx.execute_batch(SCHEMA)?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        SCHEMA_VERSION => {}
        newer => return Err(StoreError::UnsupportedVersion(newer)),
    }
    tx.commit()?;
    Ok(())
}

fn upsert(stmt: &mut rusqlite::CachedStatement<'_>, c: &Cookie) -> rusqlite::Result<()> {
    let rest = serde_json::to_string(c.rest())
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    stmt.execute(params![
        c.domain.as_str(),
        c.path.as_str(),
        c.name.as_str(),
        c.value.as_str(),
        c.version,
        c.port(),
        c.port_specified,
        c.domain_specified,
        c.domain_initial_dot,
        c.host_only,
        c.path_specified,
        c.secure,
        c.expires,
        c.discard,
        c.comment(),
        c.comment_url(),
        rest,
        c.http_only,
        c.same_site.map(same_site_name),
        c.creation_time,
        c.last_access_time,
    ])?;
    Ok(())
}

fn same_site_name(s: SameSite) -> &'static str {
    match s {
        SameSite::Strict => "Strict",
        SameSite::Lax => "Lax",
        SameSite::None => "None",
    }
}

/// A row as a cookie; the outer error is SQLite's, the inner one a row
/// this module did not write.
fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Cookie, StoreError>> {
    let domain: String = row.get(0)?;
    let path: String = row.get(1)?;
    let name: String = row.get(2)?;
    let value: String = row.get(3)?;
    let rest: String = row.get(16)?;
    let same_site: Option<String> = row.get(18)?;
    let bad = |reason: String| StoreError::BadRow {
        domain: domain.clone(),
        path: path.clone(),
        name: name.clone(),
        reason,
    };
    let rest: Vec<(String, Option<String>)> = match serde_json::from_str(&rest) {
        Ok(rest) => rest,
        Err(e) => return Ok(Err(bad(format!("rest: {e}")))),
    };
    let same_site = match same_site.as_deref() {
        None => None,
        Some("Strict") => Some(SameSite::Strict),
        Some("Lax") => Some(SameSite::Lax),
        Some("None") => Some(SameSite::None),
        Some(other) => return Ok(Err(bad(format!("same_site {other:?}")))),
    };
    let mut cookie = Cookie::new(name, value, "", path);
    cookie.domain = domain.into();
    cookie.version = row.get(4)?;
    cookie.port_specified = row.get(6)?;
    cookie.domain_specified = row.get(7)?;
    cookie.domain_initial_dot = row.get(8)?;
    cookie.host_only = row.get(9)?;
    cookie.path_specified = row.get(10)?;
    cookie.secure = row.get(11)?;
    cookie.expires = row.get(12)?;
    cookie.discard = row.get(13)?;
    cookie.set_extras(crate::cookie::CookieExtras {
        port: row.get(5)?,
        comment: row.get(14)?,
        comment_url: row.get(15)?,
        rest,
    });
    cookie.http_only = row.get(17)?;
    cookie.same_site = same_site;
    cookie.creation_time = row.get(19)?;
    cookie.last_access_time = row.get(20)?;
    Ok(Ok(cookie))
}

fn insert(jar: &mut CookieJar, cookies: Vec<Cookie>) -> usize {
    let mut stored = 0;
    for cookie in cookies {
        match jar.set_cookie(cookie) {
            Ok(Stored::Added | Stored::Replaced) => stored += 1,
            Ok(_) => {}
            Err(reason) => tracing::debug!(?reason, "cookie from the database not stored"),
        }
    }
    stored
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FixedClock;

    const NOW: i64 = 1_700_000_000;

    /// A database path in a fresh directory that is removed when the
    /// returned guard drops (the tests left ~1,300 directories behind).
    fn temp_db(tag: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix(&format!("clientcookie-sqlite-unit-{tag}-"))
            .tempdir()
            .unwrap();
        let path = dir.path().join("cookies.sqlite");
        (dir, path)
    }

    fn jar() -> CookieJar {
        CookieJar::builder()
            .clock(Arc::new(FixedClock::new(NOW)))
            .build()
    }

    fn cookie(name: &str) -> Cookie {
        let mut c = Cookie::new(name, "v", "example.com", "/");
        c.expires = Some(NOW + 1000);
        c
    }

    #[test]
    fn open_sets_wal_schema_version_and_private_mode() {
        let (_dir, path) = temp_db("open");
        let store = SqliteStore::open(&path).unwrap();
        let conn = store.conn();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        drop(conn);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Opening again keeps the schema.
        drop(store);
        SqliteStore::open(&path).unwrap();
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let (_dir, path) = temp_db("newer");
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
        drop(conn);
        assert!(matches!(
            SqliteStore::open(&path),
            Err(StoreError::UnsupportedVersion(7))
        ));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let (_dir, path) = temp_db("garbage");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        assert!(matches!(
            SqliteStore::open(&path),
            Err(StoreError::Sqlite(_))
        ));
    }

    #[test]
    fn a_bad_row_fails_the_load_and_leaves_the_jar_alone() {
        let (_dir, path) = temp_db("badrow");
        let store = SqliteStore::open(&path).unwrap();
        let mut source = jar();
        source.set_cookie(cookie("a")).unwrap();
        source.set_cookie(cookie("b")).unwrap();
        store.write_all(&source).unwrap();
        store
            .conn()
            .execute(
                "UPDATE cookies SET same_site = 'Sometimes' WHERE name = 'b'",
                [],
            )
            .unwrap();
        let mut target = jar();
        let err = store.load_into(&mut target).unwrap_err();
        assert!(
            matches!(&err, StoreError::BadRow { name, .. } if name == "b"),
            "{err:?}"
        );
        assert!(target.is_empty());
    }

    #[test]
    fn loading_into_an_attached_jar_writes_nothing_back() {
        let (_dir, path) = temp_db("reload");
        let mut jar = jar();
        let store = SqliteStore::attach(&mut jar, &path).unwrap();
        jar.set_cookie(cookie("a")).unwrap();
        // Another writer changes the row behind the jar's back.
        store
            .conn()
            .execute("UPDATE cookies SET value = 'other'", [])
            .unwrap();
        let changes = store.conn().total_changes();
        assert_eq!(store.load_into(&mut jar).unwrap(), 1);
        assert_eq!(store.conn().total_changes(), changes);
        assert_eq!(jar.iter().next().unwrap().value, "other");
        // revert_into clears the jar but not the rows.
        assert_eq!(store.revert_into(&mut jar).unwrap(), 1);
        assert_eq!(store.conn().total_changes(), changes);
        // Writes resume after the load.
        jar.set_cookie(cookie("b")).unwrap();
        assert!(store.conn().total_changes() > changes);
        assert_eq!(store.failed_writes(), 0);
    }

    #[test]
    fn expired_rows_are_not_loaded() {
        let (_dir, path) = temp_db("expired");
        let store = SqliteStore::open(&path).unwrap();
        let mut source = jar();
        source.set_cookie(cookie("a")).unwrap();
        store.write_all(&source).unwrap();
        store
            .conn()
            .execute("UPDATE cookies SET expires = ?1", [NOW])
            .unwrap();
        let mut target = jar();
        assert_eq!(store.load_into(&mut target).unwrap(), 0);
        assert!(target.is_empty());
    }

    #[test]
    fn failed_writes_are_counted() {
        let (_dir, path) = temp_db("failed");
        let mut jar = jar();
        let store = SqliteStore::attach(&mut jar, &path).unwrap();
        store.conn().execute_batch("DROP TABLE cookies").unwrap();
        jar.set_cookie(cookie("a")).unwrap();
        jar.clear(None, None, None);
        assert_eq!(store.failed_writes(), 2);
        assert_eq!(jar.len(), 0);
    }
}
