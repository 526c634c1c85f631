//! Atomic file replacement: a save either leaves the new file or the old one,
//! never a mix, whatever fails and whenever it fails.
//!
//! The content goes to a fresh temporary file in the target's directory
//! (so that the rename stays on one file system), which is flushed and
//! `fsync`ed, given the target's permissions (`0600` for a new file: cookies
//! are secrets), and renamed over the target; then the directory is synced
//! so the rename itself survives a crash. On any error the temporary file is
//! removed and the target is untouched. A symbolic link as target is
//! followed: the file it points to is replaced, the link stays.
//!
//! ```
//! use std::io::Write;
//! use clientcookie_jar::store::atomic::save_with;
//!
//! let path = std::env::temp_dir().join(format!("atomic-doc-{}", std::process::id()));
//! save_with(&path, |w| w.write_all(b"hello")).unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"hello");
//! # std::fs::remove_file(&path).unwrap();
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::SaveError;

/// The permissions of a new cookie file (Unix): owner read and write only.
pub const NEW_FILE_MODE: u32 = 0o600;

/// Replace the file at `path` atomically by what `write` writes.
///
/// `write` gets a buffered writer on the temporary file; if it returns an
/// error, nothing is renamed and the previous file stays as it was. Returns
/// what `write` returned.
///
/// ```
/// use std::io::Write;
/// use clientcookie_jar::store::atomic::save_with;
///
/// let path = std::env::temp_dir().join(format!("atomic-doc2-{}", std::process::id()));
/// std::fs::write(&path, "old").unwrap();
/// let failed = save_with(&path, |w| {
///     w.write_all(b"half of the new")?;
///     Err::<(), _>(std::io::Error::other("disk full"))
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn save_with<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<T, SaveError> {
    let target = resolve(path).map_err(|source| SaveError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    replace(&target, write).map_err(|source| SaveError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Follow a symbolic link, so that the link survives the rename.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(real) => Ok(real),
            // A dangling link: write where it points.
            Err(_) => {
                let link = fs::read_link(path)?;
                Ok(match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                })
            }
        },
        _ => Ok(path.to_path_buf()),
    }
}

fn replace<T>(target: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> io::Result<T> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let permissions = match fs::metadata(target) {
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let (tmp_path, file) = create_temp(&dir, target)?;
    let result = (|| {
        let mut out = BufWriter::new(file);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp_path, target)?;
        Ok(value)
    })();
    match result {
        Ok(value) => {
            sync_dir(&dir)?;
            Ok(value)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp_path);
            Err(e)
        }
    }
}

/// A new file next to `target`, with a name no other save uses.
fn create_temp(dir: &Path, target: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stem = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cookies".to_string());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!(".{stem}.{}.{n}.{nanos:x}.tmp", std::process::id());
        let path = dir.join(name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(NEW_FILE_MODE);
        }
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
