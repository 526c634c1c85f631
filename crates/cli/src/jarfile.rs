//! Which jar file, in which format: the contract's choices, over the jar
//! crate's one entry point for cookie files ([`CookieFile`]).
//!
//! Reading never writes: a file that cannot be read or parsed is an error
//! (exit status 5) and stays byte for byte as it was. Saving replaces the
//! file atomically (a text file through a temporary file and a rename, an
//! SQLite jar in one transaction).

use std::path::Path;

use anyhow::{Context as _, Result};
use clientcookie::jar::store::{self, CookieFile, Format, LoadOptions, SaveOptions};
use clientcookie::jar::{Cookie, CookieJar};

use crate::args::JarFormat;

/// The jar file of `get --jar`: `--jar-format`, else the extension (`.txt`
/// mozilla, `.lwp` lwp, `.json` json, `.sqlite`/`.db` sqlite), else mozilla.
pub fn for_get(path: &Path, explicit: Option<JarFormat>) -> CookieFile {
    let format = explicit.unwrap_or_else(|| JarFormat::from_extension(path));
    CookieFile::new(path, format.into())
}

/// A file to read for `jar list` / `jar convert`: the named format, else
/// the extension, else what the content says (an IE cookie file, a
/// cookies.txt named `cookies`), else mozilla.
pub fn to_read(path: &Path, explicit: Option<JarFormat>) -> CookieFile {
    let format = match explicit {
        Some(format) => format.into(),
        None => store::detect(path).unwrap_or(Format::Mozilla),
    };
    CookieFile::new(path, format)
}

/// A file to write for `jar convert`: the named format, else the
/// extension, else mozilla.
pub fn to_write(path: &Path, explicit: Option<JarFormat>) -> CookieFile {
    for_get(path, explicit)
}

/// Every cookie of `file` as written (session and expired ones too),
/// without any jar or policy in between.
pub fn read(file: &CookieFile) -> Result<Vec<Cookie>> {
    file.read().with_context(|| describe("cannot read", file))
}

/// Load `file` into `jar`, session cookies included: they are in the file
/// because someone saved them on purpose (`--keep-session`, or curl).
pub fn load(jar: &mut CookieJar, file: &CookieFile) -> Result<usize> {
    let opts = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    file.load(jar, opts)
        .with_context(|| describe("cannot read", file))
}

/// Save `jar` to `file`, session cookies only with `keep_session`.
pub fn save(jar: &CookieJar, file: &CookieFile, keep_session: bool) -> Result<usize> {
    let opts = SaveOptions {
        ignore_discard: keep_session,
        ignore_expires: false,
    };
    file.save(jar, opts)
        .with_context(|| describe("cannot save", file))
}

fn describe(what: &str, file: &CookieFile) -> String {
    format!(
        "{what} the {} jar {}",
        file.format().name(),
        file.path().display()
    )
}
