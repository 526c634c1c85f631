//! Reading and writing jar files in the four formats of the contract, over
//! the jar crate's `store` modules.
//!
//! Reading never writes: a file that cannot be read or parsed is an error
//! (exit status 5) and stays byte for byte as it was. Text formats are
//! written atomically (temporary file + rename); the SQLite jar is a
//! database, written in transactions.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::{Context as _, Result};
use clientcookie::jar::store::sqlite::SqliteStore;
use clientcookie::jar::store::{self, json, LoadOptions, SaveOptions};
use clientcookie::jar::{Cookie, CookieJar};

use crate::args::JarFormat;

/// Every cookie of the file at `path`, as written (expired and session
/// cookies included), without any jar or policy in between.
pub fn read(path: &Path, format: JarFormat) -> Result<Vec<Cookie>> {
    let context = || format!("cannot read the {format:?} jar {}", path.display());
    if let Some(text) = format.text_format() {
        let file = File::open(path).with_context(context)?;
        let cookies = match text {
            store::Format::Mozilla => store::read_mozilla(BufReader::new(file)),
            store::Format::Lwp => store::read_lwp(BufReader::new(file)),
        };
        return cookies.with_context(context);
    }
    match format {
        JarFormat::Json => {
            let file = File::open(path).with_context(context)?;
            json::read_json(BufReader::new(file)).with_context(context)
        }
        _ => {
            // Opening a database that does not exist would create it.
            if !path.exists() {
                anyhow::bail!("{}: no such file", context());
            }
            let mut jar = CookieJar::new();
            let store = SqliteStore::open(path).with_context(context)?;
            store.load_into(&mut jar).with_context(context)?;
            Ok(jar.iter().cloned().collect())
        }
    }
}

/// An SQLite jar file the `get` command keeps open: the jar's changes are
/// written to it as they happen.
pub struct Attached {
    store: SqliteStore,
}

impl Attached {
    /// Session cookies go when `keep_session` is off, as from a text file
    /// saved without `ignore_discard`; every other change is already
    /// written.
    pub fn finish(self, jar: &mut CookieJar, keep_session: bool) -> Result<()> {
        if !keep_session {
            jar.clear_session_cookies();
        }
        match self.store.failed_writes() {
            0 => Ok(()),
            n => anyhow::bail!(
                "{n} changes could not be written to {}",
                self.store.path().display()
            ),
        }
    }
}

/// Load the jar file at `path` into `jar`, session cookies included (they
/// are in the file because someone saved them on purpose). For SQLite, the
/// file stays attached: later changes of the jar are written to it.
pub fn load(jar: &mut CookieJar, path: &Path, format: JarFormat) -> Result<Option<Attached>> {
    if format == JarFormat::Sqlite {
        let context = || format!("cannot read the Sqlite jar {}", path.display());
        let store = SqliteStore::open(path).with_context(context)?;
        store.load_into(jar).with_context(context)?;
        jar.set_sink(store.sink());
        return Ok(Some(Attached { store }));
    }
    let opts = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let now = jar.now();
    for cookie in read(path, format)? {
        if opts.keeps(&cookie, now) {
            if let Err(reason) = jar.set_cookie(cookie) {
                tracing::debug!(%reason, "cookie from the jar file not stored");
            }
        }
    }
    Ok(None)
}

/// Write the cookies `opts` keeps to `path` in `format`, replacing what the
/// file held: atomically for the text formats, row by row (each row its own
/// transaction) for SQLite. Returns how many were written.
pub fn write<'a>(
    path: &Path,
    format: JarFormat,
    cookies: impl Iterator<Item = &'a Cookie>,
    opts: SaveOptions,
    now: i64,
) -> Result<usize> {
    let context = || format!("cannot save the {format:?} jar {}", path.display());
    let written = match format {
        JarFormat::Mozilla => {
            store::atomic::save_with(path, |w| store::write_mozilla(w, cookies, opts, now))
        }
        JarFormat::Lwp => {
            store::atomic::save_with(path, |w| store::write_lwp(w, cookies, opts, now))
        }
        JarFormat::Json => {
            store::atomic::save_with(path, |w| json::write_json(w, cookies, opts, now))
        }
        JarFormat::Sqlite => {
            let mut jar = CookieJar::new();
            let store = SqliteStore::open(path).with_context(context)?;
            jar.set_sink(store.sink());
            // Replace: the rows the database had go, the kept cookies come.
            store.revert_into(&mut jar).with_context(context)?;
            jar.clear(None, None, None);
            for cookie in cookies.filter(|c| opts.keeps(c, now)) {
                if let Err(reason) = jar.set_cookie(cookie.clone()) {
                    tracing::warn!(%reason, name = %cookie.name, "cookie not saved");
                }
            }
            return match store.failed_writes() {
                0 => Ok(jar.len()),
                n => Err(anyhow::anyhow!("{n} rows could not be written")).with_context(context),
            };
        }
    };
    written.with_context(context)
}
