//! Chromium's `Cookies` database, as Chromium and Google Chrome write it on
//! Linux: read only (cargo feature `chromium`, on by default).
//!
//! ```
//! use clientcookie_jar::store::chromium::{self, ChromiumKeys};
//! use clientcookie_jar::store::LoadOptions;
//! use clientcookie_jar::CookieJar;
//!
//! let mut jar = CookieJar::new();
//! let path = "/nonexistent/.config/chromium/Default/Cookies";
//! match chromium::load(&mut jar, path, LoadOptions::default(), &ChromiumKeys::new()) {
//!     Ok(report) => {
//!         // Cookies that could not be decrypted are reported, by host and name.
//!         for skipped in &report.skipped {
//!             eprintln!("not loaded: {skipped}");
//!         }
//!     }
//!     Err(error) => eprintln!("cannot read the database: {error}"),
//! }
//! ```
//!
//! # The table, column by column
//!
//! Chromium keeps cookies in the table `cookies`, and the schema version
//! in the table `meta` (key `version`; 24 in Chromium 156). Columns are
//! taken by name, so older schemas read too (their `secure`, `httponly` and
//! `persistent` columns, before the `is_` prefix).
//!
//! | column | here |
//! |---|---|
//! | `host_key` | a leading dot marks a domain cookie ([`Cookie::host_only`] `false`); without it, a host-only cookie |
//! | `name`, `path` | [`Cookie::name`], [`Cookie::path`] |
//! | `value`, `encrypted_value` | [`Cookie::value`]: the plain `value` when `encrypted_value` is empty, else the decrypted `encrypted_value` (see below) |
//! | `expires_utc`, `has_expires`, `is_persistent` | [`Cookie::expires`]; a cookie without `has_expires` and `is_persistent` is a session cookie (Chromium keeps those in the file when it restores sessions, and headless) |
//! | `creation_utc`, `last_access_utc` | [`Cookie::creation_time`], [`Cookie::last_access_time`] |
//! | `is_secure`, `is_httponly` | [`Cookie::secure`], [`Cookie::http_only`] |
//! | `samesite` | `-1` no attribute, `0` `None`, `1` `Lax`, `2` `Strict` ([`Cookie::same_site`]) |
//! | `priority` | Chromium's `Priority` attribute: `Low` (`0`) and `High` (`2`) go to [`Cookie::rest`] as `("Priority", "Low")`, the default `Medium` (`1`) is left out |
//! | `top_frame_site_key` | the partition of a `Partitioned` (CHIPS) cookie: only unpartitioned cookies (an empty key) are read, see below |
//! | `source_scheme`, `source_port`, `last_update_utc`, `source_type`, `has_cross_site_ancestor` | not kept: no field of [`Cookie`] holds them |
//!
//! Times are microseconds since 1601-01-01 UTC (Windows' epoch), rounded
//! down to the second.
//!
//! A partitioned cookie was set by a third-party frame and is meant only
//! for frames under one top-level site; a [`CookieJar`] has no partitions,
//! and would send it everywhere. Such rows are reported as
//! [`SkipReason::Partitioned`] and not loaded.
//!
//! # Encrypted values
//!
//! On Linux, Chromium encrypts each value with AES-128-CBC (IV of sixteen
//! spaces, PKCS#7 padding), under a key derived by PBKDF2-HMAC-SHA1 from a
//! password, the salt `saltysalt`, one iteration, 16 bytes. The value's
//! first three bytes say which password:
//!
//! - `v10`: the fixed password `peanuts`, used when no desktop keyring is
//!   available (`--password-store=basic`, headless machines, servers).
//!   These are always decrypted (falling back on the empty password, under
//!   which Chromium also wrote some `v10` values).
//! - `v11`: a random password kept in the desktop keyring (GNOME keyring,
//!   KWallet). Without it the cookie is reported as
//!   [`DecryptError::KeyringEncrypted`], naming its host and name; with it
//!   ([`ChromiumKeys::with_keyring_password`], e.g. the output of
//!   `secret-tool lookup application chromium`), it is decrypted.
//!
//! From schema version 24 on ([`HOST_DIGEST_SINCE`]), the plaintext starts
//! with the SHA-256 of the cookie's `host_key`, which is checked and
//! removed: a wrong key or a value copied from another host is an error,
//! never garbage. Older databases have no such check: there a wrong key is
//! caught by the padding and the UTF-8 check only.
//!
//! # Errors: the file, or one cookie
//!
//! A file that cannot be read, or that is not Chromium's cookie database,
//! fails the whole read ([`ChromiumError`]) and nothing is loaded. A cookie
//! that cannot be decrypted or read does not: it is left out, and listed
//! with its host, name and reason in [`ChromiumCookies::skipped`] (and
//! [`LoadReport::skipped`]), so that one keyring-encrypted cookie does not
//! cost the user all the others. A caller that wants all or nothing calls
//! [`read_chromium`] and checks `skipped` before touching the jar.
//!
//! Chromium locks its database while it runs: reading then fails with
//! [`ChromiumError::Locked`]; close the browser, or read a copy. Windows
//! and macOS databases (AES-GCM and DPAPI, or the macOS keychain) are not
//! decrypted: their values are reported as [`DecryptError::WrongKey`] or
//! [`DecryptError::UnknownScheme`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};

use super::LoadOptions;
use crate::{Cookie, CookieJar, SameSite, Stored};

/// From this schema version on, a decrypted value starts
/// with the SHA-256 of its `host_key`.
pub const HOST_DIGEST_SINCE: i64 = 24;

/// The newest schema version this module knows; newer ones are read the
/// same way, with a `tracing` warning.
pub const KNOWN_VERSION: i64 = 24;

/// The longest `encrypted_value` that is decrypted, in bytes. Chromium
/// refuses cookies over 4 KiB; this bounds what one hostile row costs.
pub const MAX_ENCRYPTED_LEN: usize = 64 * 1024;

/// How long reading waits for a lock before giving up with
/// [`ChromiumError::Locked`]. Short: a running Chromium holds its lock
/// until it exits.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// Seconds between 1601-01-01 and 1970-01-01.
const WINDOWS_TO_UNIX: i64 = 11_644_473_600;

const SALT: &[u8] = b"saltysalt";
const IV: [u8; 16] = [b' '; 16];

type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;

/// The keys to decrypt cookie values with: Chromium's fixed `v10` keys
/// always, and the `v11` key when the keyring's password is given.
///
/// Only the derived keys are kept, not the password; `Debug` shows neither.
///
/// ```
/// use clientcookie_jar::store::chromium::ChromiumKeys;
/// let keys = ChromiumKeys::new().with_keyring_password("from the keyring");
/// assert!(keys.has_keyring_key());
/// assert_eq!(format!("{keys:?}"), "ChromiumKeys { keyring_key: true }");
/// ```
#[derive(Clone)]
pub struct ChromiumKeys {
    v10: [u8; 16],
    empty: [u8; 16],
    v11: Option<[u8; 16]>,
}

impl ChromiumKeys {
    /// The keys Chromium uses without a keyring (`v10`).
    pub fn new() -> ChromiumKeys {
        ChromiumKeys {
            v10: derive(b"peanuts"),
            empty: derive(b""),
            v11: None,
        }
    }

    /// Add the key of `v11` values, from the password Chromium keeps in the
    /// desktop keyring ("Chromium Safe Storage" / "Chrome Safe Storage").
    #[must_use]
    pub fn with_keyring_password(mut self, password: impl AsRef<[u8]>) -> ChromiumKeys {
        self.v11 = Some(derive(password.as_ref()));
        self
    }

    /// Whether a keyring password was given.
    pub fn has_keyring_key(&self) -> bool {
        self.v11.is_some()
    }
}

impl Default for ChromiumKeys {
    fn default() -> ChromiumKeys {
        ChromiumKeys::new()
    }
}

impl std::fmt::Debug for ChromiumKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChromiumKeys")
            .field("keyring_key", &self.v11.is_some())
            .finish()
    }
}

fn derive(password: &[u8]) -> [u8; 16] {
    pbkdf2::pbkdf2_hmac_array::<sha1::Sha1, 16>(password, SALT, 1)
}

/// Why an `encrypted_value` could not be decrypted.
///
/// ```
/// use clientcookie_jar::store::chromium::{decrypt_value, ChromiumKeys, DecryptError};
/// let err = decrypt_value(b"v11\x00\x01", "example.com", 24, &ChromiumKeys::new());
/// assert_eq!(err, Err(DecryptError::KeyringEncrypted));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptError {
    /// A `v11` value: encrypted under the desktop keyring's password, which
    /// was not given ([`ChromiumKeys::with_keyring_password`]).
    #[error("encrypted with the desktop keyring's password (v11), which was not given")]
    KeyringEncrypted,
    /// Neither `v10` nor `v11`: not a Linux Chromium value.
    #[error("unknown encryption scheme {0:?} (not Chromium on Linux)")]
    UnknownScheme(String),
    /// The ciphertext is empty or not whole AES blocks.
    #[error("the ciphertext is {0} bytes, not whole 16-byte blocks")]
    BadLength(usize),
    /// Longer than [`MAX_ENCRYPTED_LEN`].
    #[error("the encrypted value is {0} bytes, more than {MAX_ENCRYPTED_LEN}")]
    TooLong(usize),
    /// No key gives valid padding and the host's digest: a wrong keyring
    /// password, a value encrypted for another host, or a damaged value.
    #[error("no key decrypts it (wrong keyring password, or a damaged value)")]
    WrongKey,
    /// It decrypts, but not to UTF-8 text.
    #[error("the decrypted value is not UTF-8")]
    NotUtf8,
}

/// Decrypt one `encrypted_value` of the cookie whose `host_key` is given,
/// from a database of schema `version` (the `meta` table's).
///
/// Never panics and never returns what it could not verify as far as the
/// format allows (see the [module docs](self#encrypted-values)).
///
/// ```
/// use clientcookie_jar::store::chromium::{decrypt_value, ChromiumKeys, DecryptError};
/// let keys = ChromiumKeys::new();
/// assert_eq!(decrypt_value(b"v10", "example.com", 24, &keys), Err(DecryptError::BadLength(0)));
/// assert_eq!(decrypt_value(b"v10\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", "example.com", 24, &keys),
///            Err(DecryptError::WrongKey));
/// ```
pub fn decrypt_value(
    encrypted: &[u8],
    host_key: &str,
    version: i64,
    keys: &ChromiumKeys,
) -> Result<String, DecryptError> {
    if encrypted.len() > MAX_ENCRYPTED_LEN {
        return Err(DecryptError::TooLong(encrypted.len()));
    }
    let (prefix, body) = encrypted.split_at(encrypted.len().min(3));
    let (first, fallback) = match prefix {
        b"v10" => (&keys.v10, &keys.empty),
        b"v11" => match &keys.v11 {
            Some(key) => (key, &keys.empty),
            None => return Err(DecryptError::KeyringEncrypted),
        },
        other => {
            return Err(DecryptError::UnknownScheme(
                String::from_utf8_lossy(other).into_owned(),
            ))
        }
    };
    if body.is_empty() || body.len() % 16 != 0 {
        return Err(DecryptError::BadLength(body.len()));
    }
    let digest = (version >= HOST_DIGEST_SINCE).then(|| Sha256::digest(host_key.as_bytes()));
    let mut buf = vec![0u8; body.len()];
    for key in [first, fallback] {
        let Ok(plain) = Aes128CbcDec::new(key.into(), (&IV).into())
            .decrypt_padded_b2b_mut::<Pkcs7>(body, &mut buf)
        else {
            continue;
        };
        let plain = match &digest {
            Some(d) => match plain.strip_prefix(d.as_slice()) {
                Some(rest) => rest,
                None => continue,
            },
            None => plain,
        };
        return String::from_utf8(plain.to_vec()).map_err(|_| DecryptError::NotUtf8);
    }
    Err(DecryptError::WrongKey)
}

/// Reading a Chromium cookie database failed; nothing was loaded.
///
/// ```
/// use clientcookie_jar::store::chromium::{self, ChromiumError, ChromiumKeys};
/// let err = chromium::read_chromium("/nonexistent/Cookies", &ChromiumKeys::new()).unwrap_err();
/// assert!(matches!(err, ChromiumError::Io { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChromiumError {
    /// The file could not be opened.
    #[error("cannot open the Chromium cookie database {}", path.display())]
    Io {
        /// The database file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the database's lock for longer than
    /// [`BUSY_TIMEOUT`]: most often Chromium itself, while it runs.
    #[error("{} is locked (is Chromium running? close it, or use a copy)", path.display())]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// An SQLite database without Chromium's `cookies` and `meta` tables or
    /// their columns.
    #[error("{} is not a Chromium cookie database: {what}", path.display())]
    NotChromium {
        /// The database file.
        path: PathBuf,
        /// What is missing.
        what: String,
    },
    /// SQLite refused (not a database, ...).
    #[error("SQLite error on {}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

impl ChromiumError {
    fn sqlite(path: &Path, source: rusqlite::Error) -> ChromiumError {
        let busy = matches!(
            source.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        );
        if busy {
            ChromiumError::Locked {
                path: path.to_path_buf(),
            }
        } else {
            ChromiumError::Sqlite {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Why a row of `cookies` was not read as a cookie.
///
/// ```
/// use clientcookie_jar::store::chromium::{DecryptError, SkipReason};
/// let reason = SkipReason::Decrypt(DecryptError::KeyringEncrypted);
/// assert!(reason.to_string().contains("keyring"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// The value could not be decrypted.
    #[error(transparent)]
    Decrypt(#[from] DecryptError),
    /// A partitioned (CHIPS) cookie, kept for frames under one top-level
    /// site (see the [module docs](self)).
    #[error("partitioned for the top-level site {top_frame_site_key}")]
    Partitioned {
        /// The row's `top_frame_site_key`.
        top_frame_site_key: String,
    },
    /// A text column that is NULL, not text, or not UTF-8.
    #[error("the {0} column is not UTF-8 text")]
    NotText(&'static str),
    /// A number column that is not a whole number.
    #[error("the {0} column is not a whole number")]
    NotInteger(&'static str),
    /// A `samesite` value Chromium does not define.
    #[error("unknown samesite value {0}")]
    SameSite(i64),
    /// An empty `host_key`.
    #[error("the cookie has no host")]
    NoHost,
}

/// A row that was not read, with the reason; the host and name say which
/// cookie.
///
/// ```
/// use clientcookie_jar::store::chromium::{DecryptError, Skipped};
/// let skipped = Skipped { host: ".example.com".into(), name: "sid".into(), reason: DecryptError::KeyringEncrypted.into() };
/// assert!(skipped.to_string().starts_with("cookie \"sid\" of .example.com: encrypted with the desktop keyring"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cookie {name:?} of {host}: {reason}")]
pub struct Skipped {
    /// The row's `host_key` (lossily decoded), with its leading dot.
    pub host: String,
    /// The row's `name` (lossily decoded).
    pub name: String,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// What [`read_chromium`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChromiumCookies {
    /// The unpartitioned cookies, session cookies included, in creation
    /// order.
    pub cookies: Vec<Cookie>,
    /// The rows that were not read.
    pub skipped: Vec<Skipped>,
    /// The schema version from the `meta` table.
    pub version: i64,
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

/// Read every cookie of the Chromium database at `path`, decrypting values
/// with `keys`, without touching any jar and without filtering session or
/// expired cookies. The file is opened read-only.
///
/// ```
/// use clientcookie_jar::store::chromium::{self, ChromiumKeys};
/// assert!(chromium::read_chromium("/nonexistent/Cookies", &ChromiumKeys::new()).is_err());
/// ```
pub fn read_chromium(
    path: impl AsRef<Path>,
    keys: &ChromiumKeys,
) -> Result<ChromiumCookies, ChromiumError> {
    let path = path.as_ref();
    std::fs::metadata(path).map_err(|source| ChromiumError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let sql = |e| ChromiumError::sqlite(path, e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    read_conn(&conn, path, keys)
}

/// The seed's `load`: add the cookies of the Chromium database at `path`
/// to `jar`. The whole table is read first: on an error the jar is
/// unchanged; cookies that cannot be decrypted are listed in the report.
///
/// Session cookies are skipped unless `opts.ignore_discard`, expired ones
/// unless `opts.ignore_expires` (and the jar drops those anyway). Each
/// cookie keeps its creation time from the file.
///
/// ```
/// use clientcookie_jar::store::chromium::{self, ChromiumKeys};
/// use clientcookie_jar::store::LoadOptions;
/// use clientcookie_jar::CookieJar;
/// let mut jar = CookieJar::new();
/// let keys = ChromiumKeys::new();
/// assert!(chromium::load(&mut jar, "/nonexistent/Cookies", LoadOptions::default(), &keys).is_err());
/// ```
pub fn load(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    opts: LoadOptions,
    keys: &ChromiumKeys,
) -> Result<LoadReport, ChromiumError> {
    let read = read_chromium(path, keys)?;
    Ok(LoadReport {
        stored: insert(jar, read.cookies, opts),
        skipped: read.skipped,
    })
}

/// The seed's `revert`: replace the cookies of `jar` by those of the
/// Chromium database at `path`; on an error the jar is left as it was.
///
/// ```
/// use clientcookie_jar::store::chromium::{self, ChromiumKeys};
/// use clientcookie_jar::store::LoadOptions;
/// use clientcookie_jar::{Cookie, CookieJar};
/// let mut jar = CookieJar::new();
/// jar.set_cookie(Cookie::new("a", "1", "example.com", "/")).unwrap();
/// let keys = ChromiumKeys::new();
/// assert!(chromium::revert(&mut jar, "/nonexistent/Cookies", LoadOptions::default(), &keys).is_err());
/// assert_eq!(jar.len(), 1);
/// ```
pub fn revert(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    opts: LoadOptions,
    keys: &ChromiumKeys,
) -> Result<LoadReport, ChromiumError> {
    let read = read_chromium(path, keys)?;
    jar.clear(None, None, None);
    Ok(LoadReport {
        stored: insert(jar, read.cookies, opts),
        skipped: read.skipped,
    })
}

fn not_chromium(path: &Path, what: impl Into<String>) -> ChromiumError {
    ChromiumError::NotChromium {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// Where each value comes from in the query (older schemas lack columns or
/// name them without the `is_` prefix).
fn column_list(columns: &[String]) -> Result<String, String> {
    let has = |c: &str| columns.iter().any(|n| n == c);
    let pick = |names: &[&str], default: Option<&'static str>| -> Result<String, String> {
        match names.iter().find(|n| has(n)) {
            Some(n) => Ok((*n).to_string()),
            None => default
                .map(str::to_string)
                .ok_or_else(|| format!("no {} column", names[0])),
        }
    };
    let list = [
        pick(&["host_key"], None)?,
        pick(&["name"], None)?,
        pick(&["value"], None)?,
        pick(&["encrypted_value"], Some("X''"))?,
        pick(&["path"], None)?,
        pick(&["expires_utc"], None)?,
        pick(&["creation_utc"], None)?,
        pick(&["last_access_utc"], Some("creation_utc"))?,
        pick(&["is_secure", "secure"], None)?,
        pick(&["is_httponly", "httponly"], Some("0"))?,
        pick(&["has_expires"], Some("1"))?,
        pick(&["is_persistent", "persistent"], Some("1"))?,
        pick(&["samesite"], Some("-1"))?,
        pick(&["priority"], Some("1"))?,
        pick(&["top_frame_site_key"], Some("''"))?,
    ];
    Ok(list.join(", "))
}

fn read_conn(
    conn: &Connection,
    path: &Path,
    keys: &ChromiumKeys,
) -> Result<ChromiumCookies, ChromiumError> {
    let sql = |e| ChromiumError::sqlite(path, e);
    let columns: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM pragma_table_info('cookies')")
            .map_err(sql)?;
        let names = stmt.query_map([], |r| r.get(0)).map_err(sql)?;
        names.collect::<Result<_, _>>().map_err(sql)?
    };
    if columns.is_empty() {
        return Err(not_chromium(path, "no cookies table"));
    }
    let has_meta = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |_| Ok(()),
        )
        .optional()
        .map_err(sql)?
        .is_some();
    if !has_meta {
        return Err(not_chromium(path, "no meta table"));
    }
    let version: Option<String> = conn
        .query_row(
            "SELECT CAST(value AS TEXT) FROM meta WHERE key = 'version'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?
        .flatten();
    let version: i64 = version
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| not_chromium(path, "no version in the meta table"))?;
    if version > KNOWN_VERSION {
        tracing::warn!(path = %path.display(), version, "newer Chromium cookie schema than known; reading it as version {KNOWN_VERSION}");
    }
    let list = column_list(&columns).map_err(|what| not_chromium(path, what))?;
    let query = format!("SELECT {list} FROM cookies ORDER BY creation_utc");
    let mut stmt = conn.prepare(&query).map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut out = ChromiumCookies {
        version,
        ..ChromiumCookies::default()
    };
    while let Some(row) = rows.next().map_err(sql)? {
        match cookie_of_row(row, version, keys).map_err(sql)? {
            Ok(cookie) => out.cookies.push(cookie),
            Err(reason) => {
                let skipped = Skipped {
                    host: lossy(row, 0),
                    name: lossy(row, 1),
                    reason,
                };
                tracing::debug!(%skipped, "Chromium cookie row skipped");
                out.skipped.push(skipped);
            }
        }
    }
    Ok(out)
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

/// Microseconds since 1601 as seconds since 1970.
fn unix_seconds(windows_micros: i64) -> i64 {
    windows_micros.div_euclid(1_000_000) - WINDOWS_TO_UNIX
}

/// A row (in [`column_list`]'s order) as a cookie; the outer error is
/// SQLite's, the inner one a row that is not loaded.
fn cookie_of_row(
    row: &rusqlite::Row<'_>,
    version: i64,
    keys: &ChromiumKeys,
) -> rusqlite::Result<Result<Cookie, SkipReason>> {
    let partition = lossy(row, 14);
    if !partition.is_empty() {
        return Ok(Err(SkipReason::Partitioned {
            top_frame_site_key: partition,
        }));
    }
    let host = field!(text(row, 0, "host_key"));
    let name = field!(text(row, 1, "name"));
    let encrypted = match row.get_ref(3)? {
        ValueRef::Blob(b) | ValueRef::Text(b) => b,
        _ => &[],
    };
    let value = if encrypted.is_empty() {
        field!(text(row, 2, "value"))
    } else {
        match decrypt_value(encrypted, &host, version, keys) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.into())),
        }
    };
    let path = field!(text(row, 4, "path"));
    let expires = field!(integer(row, 5, "expires_utc"));
    let creation = field!(integer(row, 6, "creation_utc"));
    let last_access = field!(integer(row, 7, "last_access_utc"));
    let secure = field!(integer(row, 8, "is_secure"));
    let http_only = field!(integer(row, 9, "is_httponly"));
    let has_expires = field!(integer(row, 10, "has_expires"));
    let persistent = field!(integer(row, 11, "is_persistent"));
    let same_site = match field!(integer(row, 12, "samesite")) {
        -1 => None,
        0 => Some(SameSite::None),
        1 => Some(SameSite::Lax),
        2 => Some(SameSite::Strict),
        other => return Ok(Err(SkipReason::SameSite(other))),
    };
    let priority = field!(integer(row, 13, "priority"));
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
    // Chromium does not record it; as the seed's MozillaCookieJar assumes.
    cookie.path_specified = false;
    let session = has_expires == 0 || persistent == 0 || expires == 0;
    cookie.expires = (!session).then(|| unix_seconds(expires));
    cookie.creation_time = unix_seconds(creation);
    cookie.last_access_time = unix_seconds(last_access);
    cookie.secure = secure != 0;
    cookie.http_only = http_only != 0;
    cookie.same_site = same_site;
    match priority {
        0 => cookie
            .extras_mut()
            .rest
            .push(("Priority".into(), Some("Low".into()))),
        2 => cookie
            .extras_mut()
            .rest
            .push(("Priority".into(), Some("High".into()))),
        _ => {}
    }
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
            Err(reason) => tracing::debug!(?reason, "cookie from Chromium not stored"),
        }
    }
    stored
}

#[cfg(test)]
mod tests {
    use aes::cipher::BlockEncryptMut;

    use super::*;

    /// What Chromium on Linux writes: `prefix || AES-128-CBC(key, plain)`.
    fn encrypt(prefix: &[u8], password: &[u8], plain: &[u8]) -> Vec<u8> {
        let key = derive(password);
        let mut cipher = vec![0u8; plain.len() + 16];
        cipher[..plain.len()].copy_from_slice(plain);
        let n = cbc::Encryptor::<aes::Aes128>::new((&key).into(), (&IV).into())
            .encrypt_padded_mut::<Pkcs7>(&mut cipher, plain.len())
            .expect("room for the padding")
            .len();
        cipher.truncate(n);
        [prefix, &cipher].concat()
    }

    fn with_digest(host: &str, value: &[u8]) -> Vec<u8> {
        [Sha256::digest(host.as_bytes()).as_slice(), value].concat()
    }

    #[test]
    fn the_v10_key_is_pbkdf2_of_peanuts() {
        // The key every Linux Chromium without a keyring uses.
        assert_eq!(
            ChromiumKeys::new().v10,
            [
                0xfd, 0x62, 0x1f, 0xe5, 0xa2, 0xb4, 0x02, 0x53, 0x9d, 0xfa, 0x14, 0x7c, 0xa9, 0x27,
                0x27, 0x78
            ]
        );
    }

    #[test]
    fn before_schema_24_the_value_has_no_host_digest() {
        let keys = ChromiumKeys::new();
        let old = encrypt(b"v10", b"peanuts", b"hello");
        assert_eq!(
            decrypt_value(&old, "a.example", 23, &keys).as_deref(),
            Ok("hello")
        );
        // Read as schema 24, the missing digest is caught.
        assert_eq!(
            decrypt_value(&old, "a.example", 24, &keys),
            Err(DecryptError::WrongKey)
        );
        let new = encrypt(b"v10", b"peanuts", &with_digest("a.example", b"hello"));
        assert_eq!(
            decrypt_value(&new, "a.example", 24, &keys).as_deref(),
            Ok("hello")
        );
        assert_eq!(
            decrypt_value(&new, "b.example", 24, &keys),
            Err(DecryptError::WrongKey)
        );
    }

    #[test]
    fn values_that_are_not_whole_blocks_or_not_linux_chromium_are_refused() {
        let keys = ChromiumKeys::new();
        let good = encrypt(b"v10", b"peanuts", b"hello");
        assert_eq!(
            decrypt_value(&good[..good.len() - 1], "h", 23, &keys),
            Err(DecryptError::BadLength(15))
        );
        assert_eq!(
            decrypt_value(b"", "h", 23, &keys),
            Err(DecryptError::UnknownScheme(String::new()))
        );
        // Windows' DPAPI blobs start with 0x01 0x00 0x00 0x00.
        assert_eq!(
            decrypt_value(&[1, 0, 0, 0, 0xd0], "h", 23, &keys),
            Err(DecryptError::UnknownScheme("\u{1}\0\0".into()))
        );
        let huge = [b"v10".as_slice(), &vec![0; MAX_ENCRYPTED_LEN]].concat();
        assert_eq!(
            decrypt_value(&huge, "h", 23, &keys),
            Err(DecryptError::TooLong(MAX_ENCRYPTED_LEN + 3))
        );
    }

    #[test]
    fn a_value_that_decrypts_to_bytes_that_are_not_utf8_is_an_error() {
        let keys = ChromiumKeys::new();
        let latin1 = encrypt(b"v10", b"peanuts", &with_digest("h", b"caf\xe9"));
        assert_eq!(
            decrypt_value(&latin1, "h", 24, &keys),
            Err(DecryptError::NotUtf8)
        );
    }

    #[test]
    fn v11_decrypts_with_the_keyring_password_or_is_reported() {
        let value = encrypt(b"v11", b"secret", &with_digest("h", b"v"));
        assert_eq!(
            decrypt_value(&value, "h", 24, &ChromiumKeys::new()),
            Err(DecryptError::KeyringEncrypted)
        );
        let keys = ChromiumKeys::new().with_keyring_password("secret");
        assert_eq!(decrypt_value(&value, "h", 24, &keys).as_deref(), Ok("v"));
    }
}
