//! Cookie files: the seed's `FileCookieJar` family.
//!
//! Two formats, one module each:
//!
//! - [`lwp`]: libwww-perl's `Set-Cookie3` lines, as Python's `LWPCookieJar`
//!   writes them. It keeps every attribute of a cookie (RFC 2965 ones too).
//! - [`mozilla`]: the Netscape / Mozilla `cookies.txt` that curl, wget and
//!   lynx write, including curl's `#HttpOnly_` lines. RFC 2965 cookies are
//!   downgraded to Netscape cookies when saved (see the module docs for what
//!   is lost).
//!
//! And a database, written through row by row rather than saved whole:
//!
//! - `sqlite` (cargo feature `sqlite`, on by default): the seed's
//!   `BSDDBCookieJar` on SQLite, shareable between processes.
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
//! ([`LoadError::Malformed`]). Files are read line by line, and a line longer
//! than [`MAX_LINE_LEN`] is an error, so a huge file cannot exhaust memory
//! before it is rejected. Saving is atomic ([`atomic`]): a crash or a full
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
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

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
/// ```
/// use clientcookie_jar::store::Format;
/// assert_eq!(Format::Lwp.to_string(), "LWP Set-Cookie3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// libwww-perl's `Set-Cookie3` lines, Python's `LWPCookieJar` ([`lwp`]).
    Lwp,
    /// Netscape / Mozilla `cookies.txt`, Python's `MozillaCookieJar`, curl's
    /// cookie jar ([`mozilla`]).
    Mozilla,
}

impl Format {
    /// Pick the format of a cookie file from its name, else from its first
    /// bytes: `.txt` is Mozilla, `.lwp` is LWP; otherwise the magic first
    /// line decides (`#LWP-Cookies-` or `# Netscape HTTP Cookie File`).
    ///
    /// ```
    /// use std::path::Path;
    /// use clientcookie_jar::store::Format;
    /// assert_eq!(Format::detect(Path::new("cookies.txt"), b"").ok(), Some(Format::Mozilla));
    /// assert_eq!(Format::detect(Path::new("jar"), b"#LWP-Cookies-2.0\n").ok(), Some(Format::Lwp));
    /// assert!(Format::detect(Path::new("jar"), b"hello").is_err());
    /// ```
    pub fn detect(path: &Path, first_bytes: &[u8]) -> Result<Format, LoadError> {
        let ext = path.extension().and_then(|e| e.to_str());
        if ext.is_some_and(|e| e.eq_ignore_ascii_case("txt")) {
            return Ok(Format::Mozilla);
        }
        if ext.is_some_and(|e| e.eq_ignore_ascii_case("lwp")) {
            return Ok(Format::Lwp);
        }
        let first_line = first_bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
        let first_line = String::from_utf8_lossy(first_line);
        if lwp::is_magic(&first_line) {
            Ok(Format::Lwp)
        } else if mozilla::is_magic(&first_line) {
            Ok(Format::Mozilla)
        } else {
            Err(LoadError::UnknownFormat)
        }
    }

    fn read(self, reader: impl BufRead) -> Result<Vec<Cookie>, LoadError> {
        match self {
            Format::Lwp => read_lwp(reader),
            Format::Mozilla => read_mozilla(reader),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Lwp => "LWP Set-Cookie3",
            Format::Mozilla => "Netscape cookies.txt",
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
    /// [`Format::detect`] recognised neither the name nor the content.
    #[error("not a cookie file of a known format")]
    UnknownFormat,
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
}

/// Parse the file at `path`, whole, without touching any jar.
fn read_path(path: &Path, format: Format) -> Result<Vec<Cookie>, LoadError> {
    let file = File::open(path)?;
    format
        .read(BufReader::new(file))
        .map_err(|e| e.with_path(path))
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
    let cookies = read_path(path.as_ref(), format)?;
    Ok(insert(jar, cookies, opts))
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
    let cookies = read_path(path.as_ref(), format)?;
    jar.clear(None, None, None);
    Ok(insert(jar, cookies, opts))
}

/// [`load`] with the format picked by [`Format::detect`] from the file's
/// name, else from its first line.
///
/// ```
/// use clientcookie_jar::store::{self, LoadOptions};
/// use clientcookie_jar::CookieJar;
/// let path = std::env::temp_dir().join(format!("detect-doc-{}", std::process::id()));
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
    let path = path.as_ref();
    let mut head = Vec::with_capacity(64);
    File::open(path)?.take(64).read_to_end(&mut head)?;
    let format = Format::detect(path, &head)?;
    load(jar, path, format, opts)
}

fn insert(jar: &mut CookieJar, cookies: Vec<Cookie>, opts: LoadOptions) -> usize {
    let now = jar.now();
    let mut stored = 0;
    for mut cookie in cookies {
        if !opts.keeps(&cookie, now) {
            continue;
        }
        cookie.creation_time = now;
        match jar.set_cookie(cookie) {
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
/// `tracing` warning rather than corrupting the file.
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
    let now = jar.now();
    atomic::save_with(path.as_ref(), |w| match format {
        Format::Lwp => write_lwp(w, jar.iter(), opts, now),
        Format::Mozilla => write_mozilla(w, jar.iter(), opts, now),
    })
}

/// Reads a cookie file line by line, counting lines and bounding their
/// length.
pub(crate) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    /// The number of the line last returned, from 1.
    pub(crate) number: usize,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            number: 0,
        }
    }

    /// The next line without its line end (`\n` or `\r\n`), or `None` at
    /// the end of the file.
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>, LoadError> {
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
        match std::str::from_utf8(&self.buf) {
            Ok(line) => Ok(Some(line)),
            Err(_) => Err(self.malformed(Malformed::NotUtf8)),
        }
    }

    pub(crate) fn malformed(&self, reason: Malformed) -> LoadError {
        LoadError::Malformed {
            path: None,
            line: self.number,
            reason,
        }
    }
}

/// Whether `s` can be written in a line-based file without ending the line
/// (the seed reads with universal newlines: `\r` ends a line too).
pub(crate) fn has_line_break(s: &str) -> bool {
    s.contains(['\n', '\r'])
}

#[cfg(test)]
mod tests;
