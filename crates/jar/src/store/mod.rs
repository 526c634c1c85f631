//! Cookie files: the seed's `FileCookieJar` family.
//!
//! [`CookieFile`] is the one entry point: it picks the format from the file
//! ([`detect`]: the extension first, else the content) or takes it from
//! the caller, and loads, reverts and saves a jar in any [`Format`]. The
//! free functions [`load`], [`revert`], [`save`] and [`load_detected`] are
//! shorthands for it; [`write_to`] writes a jar to any writer (standard
//! output, say).
//!
//! Cookies are written in the order they were first stored in the jar, so
//! that saving the same jar twice gives the same file and a file loaded and
//! saved keeps its order.
//!
//! The text formats, one module each:
//!
//! - [`lwp`]: libwww-perl's `Set-Cookie3` lines, as Python's `LWPCookieJar`
//!   writes them. It keeps every attribute of a cookie (RFC 2965 ones too).
//! - [`mozilla`]: the Netscape / Mozilla `cookies.txt` that curl, wget and
//!   lynx write, including curl's `#HttpOnly_` lines. RFC 2965 cookies are
//!   downgraded to Netscape cookies when saved (see the module docs for what
//!   is lost).
//! - `json` (cargo feature `json`, on by default): the `cookie_store`
//!   crate's JSON.
//! - [`msie`]: Internet Explorer 5/6 cookie files, load only.
//!
//! And a database, written through row by row rather than saved whole:
//!
//! - `sqlite` (cargo feature `sqlite`, on by default): the seed's
//!   `BSDDBCookieJar` on SQLite, shareable between processes.
//!
//! And the browsers of today, whose databases [`detect`] tells apart by
//! their tables:
//!
//! - `firefox` (cargo feature `sqlite`): Firefox's `cookies.sqlite`, read
//!   and write.
//! - `chromium` (cargo feature `chromium`, on by default): Chromium's and
//!   Chrome's `Cookies` on Linux, read only, values decrypted.
//!
//! The semantics are those of the seed:
//!
//! - [`load`] **adds** the file's cookies to the jar (cookies already there
//!   stay unless the file has one of the same name, domain and path);
//! - [`revert`] **replaces** the jar's cookies by the file's, and leaves the
//!   jar untouched when the file cannot be read or parsed;
//! - [`save`] writes the jar, skipping session cookies unless
//!   `ignore_discard` and expired cookies unless `ignore_expires`.
//!
//! Unlike the seed, a bad file never adds half of its cookies: the whole file
//! is parsed before the jar is touched, and the error names the line
//! ([`LoadError::Malformed`]). Files are read line by line (a `cookies.txt`
//! of up to 64 MiB is read whole, then taken apart in one scan), and a line
//! longer than [`MAX_LINE_LEN`] is an error, so a huge file cannot exhaust
//! memory before it is rejected. Saving is atomic ([`atomic`]): a crash or a full
//! disk in the middle of a save leaves the previous file as it was, and the
//! file keeps its permissions (`0600` for a new one: cookies are secrets).
//!
//! ```
//! use clientcookie_jar::store::{self, Format, LoadOptions, SaveOptions};
//! use clientcookie_jar::{Cookie, CookieJar};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = std::env::temp_dir().join(format!("store-doc-{}.lwp", std::process::id()));
//! let mut jar = CookieJar::new();
//! let mut cookie = Cookie::new("sid", "42", "example.com", "/");
//! cookie.expires = Some(4_000_000_000);
//! jar.set_cookie(cookie)?;
//! assert_eq!(store::save(&jar, &path, Format::Lwp, SaveOptions::default())?, 1);
//!
//! let mut other = CookieJar::new();
//! assert_eq!(store::load(&mut other, &path, Format::Lwp, LoadOptions::default())?, 1);
//! assert_eq!(other.iter().next().unwrap().value, "42");
//! # std::fs::remove_file(&path)?;
//! # Ok(())
//! # }
//! ```

pub mod atomic;
#[cfg(feature = "chromium")]
pub mod chromium;
#[cfg(feature = "sqlite")]
pub mod firefox;
#[cfg(feature = "json")]
pub mod json;
pub mod lwp;
pub mod mozilla;
pub mod msie;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::{Cookie, CookieJar};

pub use lwp::{read_lwp, write_lwp};
pub use mozilla::{read_mozilla, write_mozilla};

/// The longest line a cookie file may have, in bytes (without the line end).
///
/// Browsers limit a cookie to 4 KiB; this leaves room for every attribute
/// while bounding what one line can make the reader hold.
pub const MAX_LINE_LEN: usize = 64 * 1024;

/// A cookie file format.
///
/// New formats are added as variants (the enum is `#[non_exhaustive]`):
/// match with a `_` arm. Every variant exists whatever the cargo features;
/// a format whose feature is off gives [`LoadError::NotCompiled`] /
/// [`SaveError::NotCompiled`].
///
/// ```
/// use clientcookie_jar::store::Format;
/// assert_eq!(Format::Lwp.to_string(), "LWP Set-Cookie3");
/// assert_eq!("cookies.txt".parse::<Format>().unwrap(), Format::Mozilla);
/// assert_eq!(Format::Json.name(), "json");
/// assert!(!Format::Msie.can_save());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// libwww-perl's `Set-Cookie3` lines, Python's `LWPCookieJar` ([`lwp`]).
    Lwp,
    /// Netscape / Mozilla `cookies.txt`, Python's `MozillaCookieJar`, curl's
    /// cookie jar ([`mozilla`]).
    Mozilla,
    /// JSON as the `cookie_store` crate writes it (`json`, cargo feature
    /// `json`).
    Json,
    /// This crate's SQLite jar (`sqlite`, cargo feature `sqlite`): loading
    /// and saving go through one transaction; attach a
    /// [`SqliteStore`](sqlite::SqliteStore) to write changes as they happen.
    Sqlite,
    /// Internet Explorer 5/6 cookie files ([`msie`]); load only.
    Msie,
    /// Firefox's `cookies.sqlite` (`firefox`, cargo feature `sqlite`):
    /// the default context's cookies, read and written.
    Firefox,
    /// Chromium's `Cookies` on Linux (`chromium`, cargo feature
    /// `chromium`); load only. Values encrypted with the desktop keyring's
    /// password are skipped (see [`CookieFile::read_reporting`]); give the
    /// password to `chromium::ChromiumKeys` to read them.
    Chromium,
}

impl Format {
    /// Every format, in the order of [`Format::name`]s a CLI lists.
    pub const ALL: &'static [Format] = &[
        Format::Lwp,
        Format::Mozilla,
        Format::Json,
        Format::Sqlite,
        Format::Msie,
        Format::Firefox,
        Format::Chromium,
    ];

    /// A short lower-case name (`lwp`, `mozilla`, `json`, `sqlite`, `msie`,
    /// `firefox`, `chromium`), which [`str::parse`] reads back.
    ///
    /// ```
    /// use clientcookie_jar::store::Format;
    /// for f in Format::ALL {
    ///     assert_eq!(f.name().parse::<Format>().unwrap(), *f);
    /// }
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Format::Lwp => "lwp",
            Format::Mozilla => "mozilla",
            Format::Json => "json",
            Format::Sqlite => "sqlite",
            Format::Msie => "msie",
            Format::Firefox => "firefox",
            Format::Chromium => "chromium",
        }
    }

    /// Whether this crate can write the format (IE files and Chromium's
    /// database are read only).
    pub fn can_save(self) -> bool {
        !matches!(self, Format::Msie | Format::Chromium)
    }

    /// The format a file name's extension names, if any: `.txt` Mozilla,
    /// `.lwp` LWP, `.json` JSON, `.sqlite`, `.sqlite3` and `.db` the SQLite
    /// jar (case-insensitive).
    ///
    /// [`detect`] goes further: an existing `.txt` file may be an IE file,
    /// an existing `.sqlite` file a browser's database.
    ///
    /// ```
    /// use std::path::Path;
    /// use clientcookie_jar::store::Format;
    /// assert_eq!(Format::from_extension(Path::new("a/Cookies.TXT")), Some(Format::Mozilla));
    /// assert_eq!(Format::from_extension(Path::new("jar.db")), Some(Format::Sqlite));
    /// assert_eq!(Format::from_extension(Path::new("Cookies")), None);
    /// ```
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Mozilla),
            "lwp" => Some(Format::Lwp),
            "json" => Some(Format::Json),
            "sqlite" | "sqlite3" | "db" => Some(Format::Sqlite),
            _ => None,
        }
    }

    /// The cargo feature the format needs, and whether it is on.
    fn feature(self) -> Option<(&'static str, bool)> {
        match self {
            Format::Json => Some(("json", cfg!(feature = "json"))),
            Format::Sqlite | Format::Firefox => Some(("sqlite", cfg!(feature = "sqlite"))),
            Format::Chromium => Some(("chromium", cfg!(feature = "chromium"))),
            _ => None,
        }
    }

    fn feature_name(self) -> &'static str {
        self.feature().map_or("", |(name, _)| name)
    }

    /// Whether the format's cargo feature (if it needs one) is on.
    ///
    /// ```
    /// use clientcookie_jar::store::Format;
    /// assert!(Format::Mozilla.is_compiled());
    /// ```
    pub fn is_compiled(self) -> bool {
        self.feature().is_none_or(|(_, on)| on)
    }

    /// Parse a text format; `size` (the file's, if known) sizes the result.
    fn read_text(self, reader: impl BufRead, size: u64) -> Result<Vec<Cookie>, LoadError> {
        // Room for the cookies a file of this size likely holds (lines of
        // 64 bytes or more), so that the vector is not copied as it grows;
        // bounded, as the size is only a hint.
        let capacity = |line: u64| (size / line).min(1 << 20) as usize;
        match self {
            Format::Lwp => lwp::read_lwp_sized(reader, capacity(128)),
            Format::Mozilla if (WHOLE_FROM..=WHOLE_UP_TO).contains(&size) => {
                let mut reader = reader;
                match read_whole(&mut reader, size)? {
                    Whole::All(bytes) => mozilla::read_mozilla_bytes(&bytes),
                    Whole::Grown(start) => {
                        mozilla::read_mozilla_sized(start.chain(reader), capacity(64))
                    }
                }
            }
            Format::Mozilla => mozilla::read_mozilla_sized(reader, capacity(64)),
            Format::Msie => msie::read_msie(reader),
            #[cfg(feature = "json")]
            Format::Json => json::read_json(reader),
            other => Err(LoadError::NotCompiled(other)),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Lwp => "LWP Set-Cookie3",
            Format::Mozilla => "Netscape cookies.txt",
            Format::Json => "cookie_store JSON",
            Format::Sqlite => "clientcookie SQLite",
            Format::Msie => "Internet Explorer",
            Format::Firefox => "Firefox cookies.sqlite",
            Format::Chromium => "Chromium Cookies",
        })
    }
}

/// A name [`Format`]'s `FromStr` does not know.
///
/// ```
/// use clientcookie_jar::store::Format;
/// let err = "bsddb".parse::<Format>().unwrap_err();
/// assert!(err.to_string().contains("bsddb"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown cookie file format {0:?} (known: lwp, mozilla, json, sqlite, msie, firefox, chromium)"
)]
pub struct UnknownFormatName(pub String);

impl FromStr for Format {
    type Err = UnknownFormatName;

    /// A [`Format::name`], or a common alias: `netscape`, `cookies.txt`,
    /// `txt`, `curl` (Mozilla); `set-cookie3`, `libwww-perl` (LWP);
    /// `cookie_store` (JSON); `db` (SQLite); `ie`, `internet-explorer`
    /// (MSIE); `chrome` (Chromium).
    /// Case-insensitive.
    fn from_str(s: &str) -> Result<Format, UnknownFormatName> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "lwp" | "set-cookie3" | "libwww-perl" => Format::Lwp,
            "mozilla" | "netscape" | "cookies.txt" | "txt" | "curl" => Format::Mozilla,
            "json" | "cookie_store" | "cookie-store" => Format::Json,
            "sqlite" | "db" => Format::Sqlite,
            "msie" | "ie" | "internet-explorer" => Format::Msie,
            "firefox" => Format::Firefox,
            "chromium" | "chrome" => Format::Chromium,
            _ => return Err(UnknownFormatName(s.to_string())),
        })
    }
}

/// What [`load`] and [`revert`] skip (both `false` by default, as in the
/// seed).
///
/// ```
/// use clientcookie_jar::store::LoadOptions;
/// let opts = LoadOptions { ignore_discard: true, ..LoadOptions::default() };
/// assert!(!opts.ignore_expires);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Load session cookies too (no expiry, or `Discard`).
    pub ignore_discard: bool,
    /// Load expired cookies too. The jar itself never keeps an expired
    /// cookie (storing one deletes the cookie of that name, domain and
    /// path, RFC 6265 §5.3 step 11), so this only matters to [`read_lwp`]
    /// and [`read_mozilla`] callers that filter with [`LoadOptions::keeps`].
    pub ignore_expires: bool,
}

impl LoadOptions {
    /// Whether a cookie read from a file is kept at `now`.
    ///
    /// ```
    /// use clientcookie_jar::{store::LoadOptions, Cookie};
    /// let session = Cookie::new("a", "1", "example.com", "/");
    /// assert!(!LoadOptions::default().keeps(&session, 0));
    /// ```
    pub fn keeps(&self, cookie: &Cookie, now: i64) -> bool {
        (self.ignore_discard || !cookie.is_session())
            && (self.ignore_expires || !cookie.is_expired(now))
    }
}

/// What [`save`] skips (both `false` by default, as in the seed).
///
/// ```
/// use clientcookie_jar::store::SaveOptions;
/// let opts = SaveOptions { ignore_discard: true, ignore_expires: false };
/// assert!(opts.ignore_discard);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveOptions {
    /// Save session cookies too (no expiry, or `Discard`).
    pub ignore_discard: bool,
    /// Save expired cookies too.
    pub ignore_expires: bool,
}

impl SaveOptions {
    /// Whether `cookie` is written at `now`.
    ///
    /// ```
    /// use clientcookie_jar::{store::SaveOptions, Cookie};
    /// let session = Cookie::new("a", "1", "example.com", "/");
    /// let all = SaveOptions { ignore_discard: true, ignore_expires: true };
    /// assert!(all.keeps(&session, 0));
    /// assert!(!SaveOptions::default().keeps(&session, 0));
    /// ```
    pub fn keeps(&self, cookie: &Cookie, now: i64) -> bool {
        (self.ignore_discard || !cookie.is_session())
            && (self.ignore_expires || !cookie.is_expired(now))
    }
}

/// Why a line of a cookie file was refused.
///
/// ```
/// use clientcookie_jar::store::Malformed;
/// assert_eq!(Malformed::NotUtf8.to_string(), "the line is not UTF-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The first line is not the format's magic line (`#LWP-Cookies-2.0`,
    /// `# Netscape HTTP Cookie File`); the seed refuses such files too.
    #[error("the first line is not the magic line of a {0} file")]
    MissingMagic(Format),
    /// The line is longer than [`MAX_LINE_LEN`].
    #[error("the line is longer than {MAX_LINE_LEN} bytes")]
    LineTooLong,
    /// The line is not UTF-8 (the seed reads files as text).
    #[error("the line is not UTF-8")]
    NotUtf8,
    /// A `cookies.txt` line without exactly seven tab-separated fields.
    #[error("expected 7 tab-separated fields, found {0}")]
    FieldCount(usize),
    /// A `cookies.txt` line whose domain flag (`TRUE`/`FALSE`) disagrees
    /// with the domain's leading dot (the seed asserts they agree).
    #[error("the domain flag {flag} disagrees with the domain {domain:?}")]
    DomainFlag {
        /// The flag as written.
        flag: String,
        /// The domain as written.
        domain: String,
    },
    /// An expiry time that is not a number of seconds.
    #[error("the expiry time {0:?} is not a number")]
    Expires(String),
    /// A `Set-Cookie3` line without a `domain` attribute.
    #[error("the cookie has no domain")]
    MissingDomain,
    /// A `Set-Cookie3` line without a `path` attribute.
    #[error("the cookie has no path")]
    MissingPath,
    /// A `version` that is not a whole number.
    #[error("the version {0:?} is not a whole number")]
    Version(String),
    /// `port_spec` without a `port` list (the seed's `Cookie` refuses it).
    #[error("port_spec without a port")]
    PortSpecWithoutPort,
    /// A JSON file that is not JSON, or not `cookie_store`'s cookies.
    #[error("JSON: {0}")]
    Json(String),
    /// The file ends in the middle of an IE cookie record (nine lines, the
    /// last one `*`).
    #[error("the file ends inside a cookie record")]
    UnexpectedEnd,
    /// An IE record's third line is not `host/path`.
    #[error("expected host/path, found {0:?}")]
    HostPath(String),
    /// An IE record's flags or time is not a 32-bit unsigned number.
    #[error("the {field} {text:?} is not a 32-bit unsigned number")]
    Number {
        /// Which number: `flags`, `expiry (low)`, ...
        field: &'static str,
        /// The line as written.
        text: String,
    },
    /// An IE record does not end with a `*` line.
    #[error("expected the record separator \"*\", found {0:?}")]
    Separator(String),
}

/// Loading a cookie file failed; the jar was not changed.
///
/// ```
/// use clientcookie_jar::store::{read_mozilla, LoadError, Malformed};
/// let file = "# Netscape HTTP Cookie File\nexample.com\tFALSE\t/\n";
/// match read_mozilla(file.as_bytes()) {
///     Err(LoadError::Malformed { line, reason, .. }) => {
///         assert_eq!(line, 2);
///         assert_eq!(reason, Malformed::FieldCount(3));
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("cannot read the cookie file")]
    Io(#[from] io::Error),
    /// A line of the file is not what the format allows.
    #[error("{}line {line}: {reason}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Malformed {
        /// The file, when it was read from one.
        path: Option<PathBuf>,
        /// The line, counting from 1.
        line: usize,
        /// What is wrong with it.
        reason: Malformed,
    },
    /// [`detect`] recognised neither the name nor the content.
    #[error("{}: not a cookie file of a known format", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The format's cargo feature is off in this build.
    #[error("{0} files need the cargo feature `{feature}` of clientcookie-jar", feature = .0.feature_name())]
    NotCompiled(Format),
    /// An SQLite cookie database could not be opened or read.
    #[cfg(feature = "sqlite")]
    #[error("cannot read the cookie database")]
    Database(#[from] sqlite::StoreError),
    /// Firefox's database could not be opened or read (locked by a running
    /// Firefox, not Firefox's, ...).
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Firefox(#[from] firefox::FirefoxError),
    /// Chromium's database could not be opened or read (locked by a
    /// running Chromium, not Chromium's, ...).
    #[cfg(feature = "chromium")]
    #[error(transparent)]
    Chromium(#[from] chromium::ChromiumError),
}

impl LoadError {
    fn with_path(self, path: &Path) -> LoadError {
        match self {
            LoadError::Malformed { line, reason, .. } => LoadError::Malformed {
                path: Some(path.to_path_buf()),
                line,
                reason,
            },
            other => other,
        }
    }
}

/// Saving a cookie file failed; the previous file, if any, is unchanged.
///
/// ```
/// use clientcookie_jar::store::{self, Format, SaveOptions, SaveError};
/// use clientcookie_jar::CookieJar;
/// let path = std::path::Path::new("/nonexistent-dir/cookies.txt");
/// let err = store::save(&CookieJar::new(), path, Format::Mozilla, SaveOptions::default());
/// assert!(matches!(err, Err(SaveError::Io { .. })));
/// let err = store::save(&CookieJar::new(), "cookies.txt", Format::Msie, SaveOptions::default());
/// assert!(matches!(err, Err(SaveError::LoadOnly(Format::Msie))));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// Writing, syncing or renaming the file failed.
    #[error("cannot save the cookie file {}", path.display())]
    Io {
        /// The file being saved.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
    /// The format is read only here ([`Format::can_save`]); nothing was
    /// written.
    #[error("{0} cookie files can be read but not written")]
    LoadOnly(Format),
    /// The format's cargo feature is off in this build.
    #[error("{0} files need the cargo feature `{feature}` of clientcookie-jar", feature = .0.feature_name())]
    NotCompiled(Format),
    /// [`write_to`] failed to write.
    #[error("cannot write the cookies")]
    Write(#[source] io::Error),
    /// [`write_to`] was given a database format, which is not a stream.
    #[error("{0} is a database, not a text format that can be streamed")]
    NotText(Format),
    /// Writing the SQLite database failed; its transaction was rolled
    /// back, so it holds what it held before.
    #[cfg(feature = "sqlite")]
    #[error("cannot save the cookie database {}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: sqlite::StoreError,
    },
    /// Writing Firefox's database failed; it holds what it held before.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Firefox(#[from] firefox::FirefoxError),
}

/// The first bytes [`detect`] looks at.
const SNIFF_LEN: usize = 4096;

/// The first 16 bytes of every SQLite 3 database.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Tell the format of the cookie file at `path`: by its extension first
/// ([`Format::from_extension`]), else by its content.
///
/// - An existing `.txt` file is an IE file when its content is an IE
///   record, else a `cookies.txt`; an existing SQLite database (`.sqlite`,
///   `.db` or no known extension) is told apart by its tables.
/// - Without a known extension, the first bytes decide: the SQLite header,
///   `#LWP-Cookies-` (LWP), `# Netscape HTTP Cookie File` or
///   `# HTTP Cookie File` or a first cookie line of seven tab-separated
///   fields (Mozilla), an IE record, or JSON (`[` or `{`).
/// - A file that does not exist, or is empty, has the format of its
///   extension (so that a new file can be saved); without one it is
///   [`LoadError::UnknownFormat`], as is content nothing recognises.
///
/// Reading the tables opens the database read-only: detection never
/// changes a file.
///
/// ```
/// use clientcookie_jar::store::{self, Format, LoadError};
/// let dir = std::env::temp_dir();
/// let path = dir.join(format!("detect-doc-{}", std::process::id()));
/// std::fs::write(&path, "#LWP-Cookies-2.0\n").unwrap();
/// assert_eq!(store::detect(&path).unwrap(), Format::Lwp);
/// std::fs::write(&path, "hello").unwrap();
/// assert!(matches!(store::detect(&path), Err(LoadError::UnknownFormat { .. })));
/// # std::fs::remove_file(&path).unwrap();
/// assert_eq!(store::detect(dir.join("not-yet-saved.json")).unwrap(), Format::Json);
/// ```
pub fn detect(path: impl AsRef<Path>) -> Result<Format, LoadError> {
    let path = path.as_ref();
    let by_name = Format::from_extension(path);
    let unknown = || LoadError::UnknownFormat {
        path: path.to_path_buf(),
    };
    let head = match read_head(path) {
        Ok(head) => head,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return by_name.ok_or_else(unknown),
        Err(e) => return Err(e.into()),
    };
    if head.is_empty() {
        return by_name.ok_or_else(unknown);
    }
    if head.starts_with(SQLITE_MAGIC) && matches!(by_name, None | Some(Format::Sqlite)) {
        return sqlite_kind(path)?.ok_or_else(unknown);
    }
    match by_name {
        Some(Format::Mozilla) if msie::looks_like(&head) => Ok(Format::Msie),
        Some(format) => Ok(format),
        None => sniff(&head).ok_or_else(unknown),
    }
}

fn read_head(path: &Path) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    File::open(path)?
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The text format of a file's first bytes, if they say.
fn sniff(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(b"");
    let first_line = String::from_utf8_lossy(first_line);
    if lwp::is_magic(&first_line) {
        return Some(Format::Lwp);
    }
    if mozilla::is_magic(&first_line) {
        return Some(Format::Mozilla);
    }
    if msie::looks_like(head) {
        return Some(Format::Msie);
    }
    if matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'[' | b'{')
    ) {
        return Some(Format::Json);
    }
    // A cookies.txt without its header (curl reads those): the first line
    // that is neither blank nor a comment has seven tab-separated fields.
    // Loading it then names the missing header, as the seed does.
    let first_cookie = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_prefix(b"#HttpOnly_").unwrap_or(l))
        .find(|l| !l.trim_ascii().is_empty() && !l.starts_with(b"#"))?;
    (first_cookie.split(|&b| b == b'\t').count() == 7).then_some(Format::Mozilla)
}

/// Which SQLite cookie database the file at `path` is, from its tables;
/// `None` for one of nobody we know.
#[cfg(feature = "sqlite")]
fn sqlite_kind(path: &Path) -> Result<Option<Format>, LoadError> {
    match sqlite::DatabaseKind::of_file(path)? {
        sqlite::DatabaseKind::Ours | sqlite::DatabaseKind::Empty => Ok(Some(Format::Sqlite)),
        sqlite::DatabaseKind::Firefox => Ok(Some(Format::Firefox)),
        sqlite::DatabaseKind::Chromium => Ok(Some(Format::Chromium)),
        sqlite::DatabaseKind::Other => Ok(None),
    }
}

/// Without SQLite, a database cannot be looked into: it is taken for ours,
/// which then fails to load with [`LoadError::NotCompiled`].
#[cfg(not(feature = "sqlite"))]
fn sqlite_kind(_path: &Path) -> Result<Option<Format>, LoadError> {
    Ok(Some(Format::Sqlite))
}

/// A cookie file and its format: the one entry point to load, revert and
/// save a jar in any [`Format`].
///
/// [`CookieFile::detect`] picks the format from the file ([`detect`]);
/// [`CookieFile::new`] takes it from the caller (a `--jar-format` option).
///
/// ```
/// use clientcookie_jar::store::{CookieFile, Format, LoadOptions, SaveOptions};
/// use clientcookie_jar::{Cookie, CookieJar};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = std::env::temp_dir();
/// let txt = dir.join(format!("cookiefile-doc-{}.txt", std::process::id()));
/// let mut jar = CookieJar::new();
/// let mut cookie = Cookie::new("sid", "42", "example.com", "/");
/// cookie.expires = Some(4_000_000_000);
/// jar.set_cookie(cookie)?;
///
/// let file = CookieFile::detect(&txt)?; // a new file: its extension decides
/// assert_eq!(file.format(), Format::Mozilla);
/// file.save(&jar, SaveOptions::default())?;
///
/// // Convert: read one format, write another.
/// let lwp = CookieFile::new(dir.join(format!("cookiefile-doc-{}.lwp", std::process::id())), Format::Lwp);
/// let mut other = CookieJar::new();
/// CookieFile::detect(&txt)?.load(&mut other, LoadOptions::default())?;
/// assert_eq!(lwp.save(&other, SaveOptions::default())?, 1);
/// # std::fs::remove_file(&txt)?;
/// # std::fs::remove_file(lwp.path())?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieFile {
    path: PathBuf,
    format: Format,
}

impl CookieFile {
    /// The file at `path`, in `format`.
    pub fn new(path: impl Into<PathBuf>, format: Format) -> CookieFile {
        CookieFile {
            path: path.into(),
            format,
        }
    }

    /// The file at `path`, in the format [`detect`] finds.
    pub fn detect(path: impl Into<PathBuf>) -> Result<CookieFile, LoadError> {
        let path = path.into();
        let format = detect(&path)?;
        Ok(CookieFile { path, format })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Every cookie of the file, parsed whole, without touching any jar
    /// (session and expired ones included; an SQLite jar skips its expired
    /// rows). For a listing, or to filter before storing.
    ///
    /// A browser's rows that are not read (partitioned cookies, values
    /// encrypted with a keyring's password) are logged with
    /// `tracing::warn!`; [`read_reporting`](Self::read_reporting) returns
    /// them.
    pub fn read(&self) -> Result<Vec<Cookie>, LoadError> {
        let (cookies, skipped) = self.read_reporting()?;
        for skipped in &skipped {
            tracing::warn!(path = %self.path.display(), %skipped, "cookie not read");
        }
        Ok(cookies)
    }

    /// [`read`](Self::read), and the rows of a browser's database that
    /// were not read, each naming its cookie (always empty for the other
    /// formats, which fail whole on a bad line).
    ///
    /// ```
    /// use clientcookie_jar::store::{CookieFile, Format};
    /// let file = CookieFile::new("/nonexistent/Cookies", Format::Chromium);
    /// assert!(file.read_reporting().is_err());
    /// ```
    pub fn read_reporting(&self) -> Result<(Vec<Cookie>, Vec<SkippedCookie>), LoadError> {
        let path = self.path.as_path();
        match self.format {
            Format::Sqlite => Ok((read_sqlite(path)?, Vec::new())),
            #[cfg(feature = "sqlite")]
            Format::Firefox => {
                let read = firefox::read_firefox(path)?;
                let skipped = read.skipped.into_iter().map(SkippedCookie::Firefox);
                Ok((read.cookies, skipped.collect()))
            }
            #[cfg(feature = "chromium")]
            Format::Chromium => {
                let read = chromium::read_chromium(path, &chromium::ChromiumKeys::new())?;
                let skipped = read.skipped.into_iter().map(SkippedCookie::Chromium);
                Ok((read.cookies, skipped.collect()))
            }
            #[cfg(not(feature = "sqlite"))]
            Format::Firefox => Err(LoadError::NotCompiled(Format::Firefox)),
            #[cfg(not(feature = "chromium"))]
            Format::Chromium => Err(LoadError::NotCompiled(Format::Chromium)),
            format => {
                let file = File::open(path)?;
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                let cookies = format
                    .read_text(BufReader::with_capacity(READ_BUFFER, file), size)
                    .map_err(|e| e.with_path(path))?;
                Ok((cookies, Vec::new()))
            }
        }
    }

    /// The seed's `FileCookieJar.load`: add the file's cookies to `jar`
    /// (see [`load`]). Returns how many were stored.
    pub fn load(&self, jar: &mut CookieJar, opts: LoadOptions) -> Result<usize, LoadError> {
        match self.read_for_load()? {
            ForLoad::Whole(bytes) => {
                mozilla::load_whole(jar, &bytes, opts, |_| {}).map_err(|e| e.with_path(&self.path))
            }
            ForLoad::Cookies(cookies) => Ok(insert(jar, cookies, opts, self.keeps_times())),
        }
    }

    /// The seed's `FileCookieJar.revert`: replace the cookies of `jar` by
    /// the file's (see [`revert`]). On an error the jar is unchanged.
    pub fn revert(&self, jar: &mut CookieJar, opts: LoadOptions) -> Result<usize, LoadError> {
        match self.read_for_load()? {
            ForLoad::Whole(bytes) => mozilla::load_whole(jar, &bytes, opts, |jar| {
                jar.clear(None, None, None);
            })
            .map_err(|e| e.with_path(&self.path)),
            ForLoad::Cookies(cookies) => {
                jar.clear(None, None, None);
                Ok(insert(jar, cookies, opts, self.keeps_times()))
            }
        }
    }

    /// The seed's `FileCookieJar.save`: write the cookies of `jar` (see
    /// [`save`]). Returns how many were written.
    ///
    /// A text file is replaced atomically ([`atomic`]); an SQLite jar is
    /// created if needed and its rows replaced in one transaction.
    pub fn save(&self, jar: &CookieJar, opts: SaveOptions) -> Result<usize, SaveError> {
        let path = self.path.as_path();
        match self.format {
            format if !format.can_save() => Err(SaveError::LoadOnly(format)),
            format if !format.is_compiled() => Err(SaveError::NotCompiled(format)),
            #[cfg(feature = "sqlite")]
            Format::Sqlite => {
                let now = jar.now();
                let in_order = jar.cookies_in_stored_order();
                sqlite::SqliteStore::open(path)
                    .and_then(|db| {
                        db.replace_all(in_order.into_iter().filter(|c| opts.keeps(c, now)))
                    })
                    .map_err(|source| SaveError::Database {
                        path: path.to_path_buf(),
                        source,
                    })
            }
            // Firefox's database has no session cookies: it skips them even
            // when `opts.ignore_discard` kept them (see `firefox`).
            #[cfg(feature = "sqlite")]
            Format::Firefox => {
                let now = jar.now();
                let in_order = jar.cookies_in_stored_order();
                Ok(firefox::write_firefox(path, in_order, opts, now)?)
            }
            // cookies.txt hands its buffers to the writing thread whole.
            Format::Mozilla => {
                let now = jar.now();
                let in_order = jar.cookies_in_stored_order();
                Ok(atomic::save_chunks(path, |hand| {
                    mozilla::write_mozilla_chunks(&in_order, opts, now, SAVE_CHUNK, hand)
                })?)
            }
            format => atomic::save_with(path, |w| write_text(jar, w, format, opts))?,
        }
    }

    /// The file for [`load`](Self::load) and [`revert`](Self::revert),
    /// opened once: a large `cookies.txt` read whole, for
    /// [`mozilla::load_whole`]; any other file read as [`read`](Self::read)
    /// reads it.
    fn read_for_load(&self) -> Result<ForLoad, LoadError> {
        if self.format != Format::Mozilla {
            return self.read().map(ForLoad::Cookies);
        }
        let mut file = File::open(&self.path)?;
        let size = file.metadata()?.len();
        if (LOAD_WHOLE_FROM..=WHOLE_UP_TO).contains(&size) {
            if let Whole::All(bytes) = read_whole(&mut file, size)? {
                return Ok(ForLoad::Whole(bytes));
            }
            // Grown past the bound since: read again, line by line.
            file.seek(SeekFrom::Start(0))?;
        }
        Format::Mozilla
            .read_text(BufReader::with_capacity(READ_BUFFER, file), size)
            .map(ForLoad::Cookies)
            .map_err(|e| e.with_path(&self.path))
    }

    /// Whether the format stores creation and access times (a database
    /// does; a file's cookies are created at the time of the load).
    fn keeps_times(&self) -> bool {
        matches!(
            self.format,
            Format::Sqlite | Format::Firefox | Format::Chromium
        )
    }
}

/// `(insertion number, cookie)` pairs in insertion order: placed by number
/// in one pass when the numbers are dense (a jar that did not delete most
/// of what it stored), sorted otherwise.
pub(crate) fn in_stored_order<'a>(
    entries: impl Iterator<Item = (u64, &'a Cookie)>,
) -> Vec<&'a Cookie> {
    let mut pairs: Vec<(u64, &Cookie)> = entries.collect();
    let Some(min) = pairs.iter().map(|&(seq, _)| seq).min() else {
        return Vec::new();
    };
    let max = pairs.iter().map(|&(seq, _)| seq).max().unwrap_or(min);
    let span = max - min;
    if span < 4 * pairs.len() as u64 {
        let mut slots: Vec<Option<&Cookie>> = vec![None; span as usize + 1];
        let mut unique = true;
        for &(seq, cookie) in &pairs {
            unique &= slots[(seq - min) as usize].replace(cookie).is_none();
        }
        // Numbers are unique; were they not, sorting keeps every cookie.
        if unique {
            return slots.into_iter().flatten().collect();
        }
    }
    pairs.sort_by_key(|&(seq, _)| seq);
    pairs.into_iter().map(|(_, cookie)| cookie).collect()
}

/// Write the cookies of `jar` in a text format to `writer` (standard output,
/// a socket, a buffer: [`save`] is this into a temporary file, then the
/// rename). Returns how many cookies were written.
///
/// Cookies go out in the order they were first stored. An SQLite database
/// is not a stream ([`SaveError::NotText`]); IE files are load only.
///
/// ```
/// use clientcookie_jar::store::{self, Format, SaveOptions};
/// use clientcookie_jar::{Cookie, CookieJar};
/// let mut jar = CookieJar::new();
/// jar.set_cookie(Cookie::new("a", "1", "example.com", "/")).unwrap();
/// let all = SaveOptions { ignore_discard: true, ignore_expires: false };
/// let mut out = Vec::new();
/// assert_eq!(store::write_to(&jar, &mut out, Format::Mozilla, all).unwrap(), 1);
/// assert!(out.ends_with(b"example.com\tFALSE\t/\tFALSE\t0\ta\t1\n"));
/// ```
pub fn write_to(
    jar: &CookieJar,
    writer: &mut dyn Write,
    format: Format,
    opts: SaveOptions,
) -> Result<usize, SaveError> {
    match format {
        format if !format.can_save() => Err(SaveError::LoadOnly(format)),
        format if !format.is_compiled() => Err(SaveError::NotCompiled(format)),
        Format::Sqlite | Format::Firefox => Err(SaveError::NotText(format)),
        format => write_text(jar, writer, format, opts).map_err(SaveError::Write)?,
    }
}

/// The text formats' writers on the cookies of `jar` that `opts` keeps, in
/// stored order; `Ok(Err(_))` for a format that is not text.
fn write_text(
    jar: &CookieJar,
    w: &mut dyn Write,
    format: Format,
    opts: SaveOptions,
) -> io::Result<Result<usize, SaveError>> {
    let now = jar.now();
    let in_order = jar.cookies_in_stored_order();
    let kept = in_order.iter().copied().filter(move |c| opts.keeps(c, now));
    // Every cookie `kept` yields is kept: the writers' own filter is off.
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: true,
    };
    Ok(Ok(match format {
        Format::Lwp => write_lwp(w, kept, all, now)?,
        Format::Mozilla => mozilla::write_mozilla_slice(w, &in_order, opts, now)?,
        #[cfg(feature = "json")]
        Format::Json => json::write_json(w, kept, all, now)?,
        other => return Ok(Err(SaveError::NotText(other))),
    }))
}

/// A row of a browser's database that was not read as a cookie, naming the
/// cookie and why ([`CookieFile::read_reporting`]).
///
/// ```
/// use clientcookie_jar::store::{chromium, SkippedCookie};
/// let skipped = SkippedCookie::Chromium(chromium::Skipped {
///     host: "example.com".into(),
///     name: "sid".into(),
///     reason: chromium::DecryptError::KeyringEncrypted.into(),
/// });
/// assert!(skipped.to_string().starts_with("cookie \"sid\" of example.com: encrypted"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkippedCookie {
    /// A row of Firefox's `moz_cookies`.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Firefox(firefox::Skipped),
    /// A row of Chromium's `cookies`.
    #[cfg(feature = "chromium")]
    #[error(transparent)]
    Chromium(chromium::Skipped),
}

/// What [`CookieFile::read_for_load`] read.
enum ForLoad {
    /// A large `cookies.txt`, whole.
    Whole(Vec<u8>),
    /// Any other file's cookies.
    Cookies(Vec<Cookie>),
}

/// What [`read_whole`] read.
enum Whole {
    /// The whole file.
    All(Vec<u8>),
    /// The first [`WHOLE_UP_TO`] bytes and one more: the file grew past
    /// the bound since its size was taken.
    Grown(Vec<u8>),
}

/// Reads `reader` (of `size` bytes, when its size was taken) to the end,
/// unless it turns out longer than [`WHOLE_UP_TO`].
fn read_whole(reader: &mut impl Read, size: u64) -> io::Result<Whole> {
    let mut bytes = Vec::with_capacity(size.min(WHOLE_UP_TO) as usize + 1);
    reader.take(WHOLE_UP_TO + 1).read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 <= WHOLE_UP_TO {
        Whole::All(bytes)
    } else {
        Whole::Grown(bytes)
    })
}

/// A `cookies.txt` of this size or more is read whole into memory and
/// taken apart in one scan ([`mozilla::read_mozilla_bytes`]); a smaller one
/// line by line.
const WHOLE_FROM: u64 = 256 * 1024;

/// A `cookies.txt` of this size or more is loaded with a second thread
/// making its cookies while the jar stores them ([`mozilla::load_whole`]);
/// below it, there is too little to overlap.
const LOAD_WHOLE_FROM: u64 = 1024 * 1024;

/// ... and one of at most this size: a larger file is read line by line, so
/// that memory holds its cookies but not the file too.
const WHOLE_UP_TO: u64 = 64 * 1024 * 1024;

/// The read buffer of the file loaders: big reads, few system calls.
const READ_BUFFER: usize = 64 * 1024;

#[cfg(feature = "sqlite")]
fn read_sqlite(path: &Path) -> Result<Vec<Cookie>, LoadError> {
    // Opening creates a missing database: loading one must not.
    std::fs::metadata(path)?;
    let db = sqlite::SqliteStore::open(path)?;
    Ok(db.read_all(crate::clock::now_system())?)
}

#[cfg(not(feature = "sqlite"))]
fn read_sqlite(_path: &Path) -> Result<Vec<Cookie>, LoadError> {
    Err(LoadError::NotCompiled(Format::Sqlite))
}

/// The seed's `FileCookieJar.load`: add the cookies of the file at `path`
/// to `jar`. Returns how many were stored.
///
/// The whole file is parsed first: on any error nothing is added. Session
/// cookies are skipped unless `opts.ignore_discard`, expired ones unless
/// `opts.ignore_expires` (and the jar drops expired cookies anyway). The
/// jar's limits apply as to any cookie.
///
/// ```
/// use clientcookie_jar::store::{self, Format, LoadError, LoadOptions};
/// use clientcookie_jar::CookieJar;
/// let mut jar = CookieJar::new();
/// let err = store::load(&mut jar, "/nonexistent/cookies.txt", Format::Mozilla, LoadOptions::default());
/// assert!(matches!(err, Err(LoadError::Io(_))));
/// ```
pub fn load(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    format: Format,
    opts: LoadOptions,
) -> Result<usize, LoadError> {
    CookieFile::new(path.as_ref(), format).load(jar, opts)
}

/// The seed's `FileCookieJar.revert`: replace every cookie of `jar` by the
/// cookies of the file at `path`. Returns how many were stored.
///
/// If the file cannot be read or parsed, the jar is left as it was.
///
/// ```
/// use clientcookie_jar::store::{self, Format, LoadOptions};
/// use clientcookie_jar::{Cookie, CookieJar};
/// let mut jar = CookieJar::new();
/// jar.set_cookie(Cookie::new("a", "1", "example.com", "/")).unwrap();
/// assert!(store::revert(&mut jar, "/nonexistent/x.lwp", Format::Lwp, LoadOptions::default()).is_err());
/// assert_eq!(jar.len(), 1);
/// ```
pub fn revert(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    format: Format,
    opts: LoadOptions,
) -> Result<usize, LoadError> {
    CookieFile::new(path.as_ref(), format).revert(jar, opts)
}

/// [`load`] with the format picked by [`detect`] from the file's name, else
/// from its content.
///
/// ```
/// use clientcookie_jar::store::{self, LoadOptions};
/// use clientcookie_jar::CookieJar;
/// let path = std::env::temp_dir().join(format!("detect-load-doc-{}", std::process::id()));
/// std::fs::write(&path, "# HTTP Cookie File\nexample.com\tFALSE\t/\tFALSE\t4000000000\ta\t1\n").unwrap();
/// let mut jar = CookieJar::new();
/// assert_eq!(store::load_detected(&mut jar, &path, LoadOptions::default()).unwrap(), 1);
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn load_detected(
    jar: &mut CookieJar,
    path: impl AsRef<Path>,
    opts: LoadOptions,
) -> Result<usize, LoadError> {
    CookieFile::detect(path.as_ref())?.load(jar, opts)
}

pub(crate) fn insert(
    jar: &mut CookieJar,
    cookies: Vec<Cookie>,
    opts: LoadOptions,
    keep_times: bool,
) -> usize {
    let now = jar.now();
    let mut stored = 0;
    for mut cookie in cookies {
        if !opts.keeps(&cookie, now) {
            continue;
        }
        if !keep_times {
            cookie.creation_time = now;
        }
        match jar.store(cookie, now) {
            Ok(crate::Stored::Added | crate::Stored::Replaced) => stored += 1,
            Ok(_) => {}
            Err(reason) => tracing::debug!(?reason, "cookie from file not stored"),
        }
    }
    stored
}

/// The seed's `FileCookieJar.save`: write the cookies of `jar` to `path`,
/// atomically. Returns how many were written.
///
/// Session cookies are skipped unless `opts.ignore_discard`, expired ones
/// unless `opts.ignore_expires`; cookies the format cannot hold (a line
/// break in a value, a tab in a `cookies.txt` field) are skipped with a
/// `tracing` warning rather than corrupting the file. A load-only format
/// ([`Format::Msie`]) is [`SaveError::LoadOnly`], and nothing is written.
///
/// ```
/// use clientcookie_jar::store::{self, Format, SaveOptions};
/// use clientcookie_jar::{Cookie, CookieJar};
/// let path = std::env::temp_dir().join(format!("save-doc-{}.txt", std::process::id()));
/// let mut jar = CookieJar::new();
/// jar.set_cookie(Cookie::new("a", "1", "example.com", "/")).unwrap();
/// let all = SaveOptions { ignore_discard: true, ignore_expires: false };
/// assert_eq!(store::save(&jar, &path, Format::Mozilla, all).unwrap(), 1);
/// assert!(std::fs::read_to_string(&path).unwrap().starts_with("# Netscape HTTP Cookie File"));
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn save(
    jar: &CookieJar,
    path: impl AsRef<Path>,
    format: Format,
    opts: SaveOptions,
) -> Result<usize, SaveError> {
    CookieFile::new(path.as_ref(), format).save(jar, opts)
}

/// Reads a cookie file line by line, counting lines and bounding their
/// length.
pub(crate) struct Lines<R> {
    reader: R,
    /// A line that did not lie whole in the reader's buffer.
    buf: Vec<u8>,
    /// How much of the reader's buffer the line last returned took: it is
    /// consumed on the next call (the line was borrowed from it).
    pending: usize,
    /// The number of the line last returned, from 1.
    pub(crate) number: usize,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            pending: 0,
            number: 0,
        }
    }

    /// The next line without its line end (`\n` or `\r\n`), or `None` at
    /// the end of the file.
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>, LoadError> {
        let line = self.number + 1;
        match self.next_raw()? {
            None => Ok(None),
            Some(raw) => match std::str::from_utf8(raw) {
                Ok(text) => Ok(Some(text)),
                Err(_) => Err(LoadError::Malformed {
                    path: None,
                    line,
                    reason: Malformed::NotUtf8,
                }),
            },
        }
    }

    /// [`next_line`](Self::next_line) as bytes, whatever their encoding.
    pub(crate) fn next_raw(&mut self) -> Result<Option<&[u8]>, LoadError> {
        self.reader.consume(std::mem::take(&mut self.pending));
        // Most lines lie whole in the reader's buffer: lend them from there,
        // without a copy.
        let whole = {
            let available = self.reader.fill_buf()?;
            memchr::memchr(b'\n', available).filter(|&end| end <= MAX_LINE_LEN + 1)
        };
        if let Some(end) = whole {
            self.pending = end + 1;
            self.number += 1;
            let available = self.reader.fill_buf()?;
            let line = &available[..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > MAX_LINE_LEN {
                let number = self.number;
                return Err(LoadError::Malformed {
                    path: None,
                    line: number,
                    reason: Malformed::LineTooLong,
                });
            }
            return Ok(Some(line));
        }
        self.buf.clear();
        let limit = MAX_LINE_LEN as u64 + 2; // room for "\r\n"
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        if self.buf.len() > MAX_LINE_LEN {
            return Err(self.malformed(Malformed::LineTooLong));
        }
        Ok(Some(&self.buf))
    }

    pub(crate) fn malformed(&self, reason: Malformed) -> LoadError {
        LoadError::Malformed {
            path: None,
            line: self.number,
            reason,
        }
    }
}

/// A cookie to fill in, made once per file and cloned per cookie:
/// [`Cookie::new`] reads the clock, which costs more than the rest of a
/// `cookies.txt` line. The times are replaced when the jar stores it.
pub(crate) fn blank_cookie() -> Cookie {
    Cookie::new("", "", "", "")
}

/// `s` in lower case, without the per-character work of
/// [`str::to_lowercase`] when it is lower-case ASCII already (host names
/// nearly always are).
pub(crate) fn lowercase(s: &str) -> crate::CompactString {
    // A fold without early exit, which the compiler vectorises.
    if !s.bytes().fold(false, |upper, b| {
        upper | !b.is_ascii() | b.is_ascii_uppercase()
    }) {
        s.into()
    } else {
        s.to_lowercase().into()
    }
}

/// Append the decimal digits of `n`.
pub(crate) fn push_int(out: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    // Only ASCII digits and a sign were written.
    out.push_str(std::str::from_utf8(format_int(&mut digits, n)).unwrap_or_default());
}

/// The decimal digits of `n`, written two at a time into the end of
/// `digits`.
pub(crate) fn format_int(digits: &mut [u8; 20], n: i64) -> &[u8] {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
                                2021222324252627282930313233343536373839\
                                4041424344454647484950515253545556575859\
                                6061626364656667686970717273747576777879\
                                8081828384858687888990919293949596979899";
    // Expiry times of today and the next three centuries have ten digits:
    // written with a fixed sequence of divisions by constants instead of
    // the loop.
    if (1_000_000_000..10_000_000_000).contains(&n) {
        let n = n as u64;
        let high = (n / 100_000_000) as usize; // two digits
        let low = (n % 100_000_000) as u32; // eight
        let (upper, lower) = ((low / 10_000) as usize, (low % 10_000) as usize);
        let pairs = [high, upper / 100, upper % 100, lower / 100, lower % 100];
        for (k, pair) in pairs.into_iter().enumerate() {
            digits[10 + 2 * k..12 + 2 * k].copy_from_slice(&PAIRS[pair * 2..pair * 2 + 2]);
        }
        return &digits[10..];
    }
    let mut i = digits.len();
    let mut rest = n.unsigned_abs();
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + rest as u8;
    }
    if n < 0 {
        // 19 digits at most, and the sign: room is left.
        i -= 1;
        digits[i] = b'-';
    }
    &digits[i..]
}

/// How many bytes the text writers gather before handing them to the
/// writer: few system calls, and a buffer that stays in the L2 cache.
pub(crate) const CHUNK: usize = 128 * 1024;

/// How many bytes a save of a `cookies.txt` formats before handing them to
/// the writing thread ([`atomic`]). Each hand-over wakes that thread, and
/// a wake-up across cores costs far more than the bytes it moves (on a
/// virtual machine it is a trip through the hypervisor): a megabyte makes
/// 8 hand-overs of a 100,000-cookie file where 128 KiB made 64, and the
/// save took 15–17 % less CPU (BENCHMARKS.md, "cookies.txt save,
/// session 6"). Larger (2 MiB) gained nothing more.
pub(crate) const SAVE_CHUNK: usize = 1024 * 1024;

/// How far ahead of the cookie being written the writers fetch the
/// cookies they will write.
const PREFETCH_AHEAD: usize = 16;

/// Ask the processor for the cookie the writers will write
/// `PREFETCH_AHEAD` cookies later. A jar's cookies are spread over the
/// heap, in as many buckets as domains, so writing is bound by memory
/// latency, not by formatting. (Their strings are mostly inline, in the
/// `Cookie`; fetching the few on the heap as well, which means reading the
/// `Cookie` early, cost more than it saved.)
#[inline(always)]
pub(crate) fn prefetch_ahead(cookies: &[&Cookie], i: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let fetch = |p: *const u8| {
            // SAFETY: a prefetch is a hint; it never faults nor reads into
            // the program, whatever the address.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
        };
        if let Some(c) = cookies.get(i + PREFETCH_AHEAD) {
            // Every cache line the cookie spans.
            let p: *const u8 = (*c as *const Cookie).cast();
            let size = std::mem::size_of::<Cookie>();
            for offset in (0..size).step_by(64) {
                fetch(p.wrapping_add(offset));
            }
            fetch(p.wrapping_add(size - 1));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (cookies, i);
}

/// The writers' output buffer: lines are built in one `String` and handed
/// to the writer in large pieces, so that a `dyn Write` costs one call per
/// 64 KiB rather than several per cookie.
pub(crate) struct Chunk<'w> {
    writer: &'w mut dyn Write,
    buf: String,
}

impl<'w> Chunk<'w> {
    const SIZE: usize = 64 * 1024;

    pub(crate) fn new(writer: &'w mut dyn Write) -> Chunk<'w> {
        Chunk {
            writer,
            buf: String::with_capacity(Self::SIZE + 1024),
        }
    }

    /// The buffer, to append to; [`Chunk::push_str`] or
    /// [`Chunk::finish`] hands it to the writer.
    pub(crate) fn buf(&mut self) -> &mut String {
        &mut self.buf
    }

    pub(crate) fn push_str(&mut self, s: &str) -> io::Result<()> {
        self.buf.push_str(s);
        if self.buf.len() >= Self::SIZE {
            self.writer.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.writer.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }
}

/// Whether `s` can be written in a line-based file without ending the line
/// (the seed reads with universal newlines: `\r` ends a line too).
pub(crate) fn has_line_break(s: &str) -> bool {
    // A fold without early exit, which the compiler vectorises.
    s.bytes()
        .fold(false, |found, b| found | (b == b'\n') | (b == b'\r'))
}

#[cfg(test)]
mod tests;
