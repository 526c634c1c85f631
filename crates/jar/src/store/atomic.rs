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
//! A large save costs little more than formatting it: past the first
//! 256 KiB, the writing moves to a scoped thread fed through a bounded
//! channel, which on Linux also starts the disk write of each piece
//! (`sync_file_range`), so that the final `fsync` has only the tail to wait
//! for; and a replaced file of a megabyte or more is closed on a thread of
//! its own, off the caller's path (freeing its blocks takes milliseconds).
//! When it replaces a file of a megabyte or more (Linux), the temporary file gets
//! that many bytes allocated before the first write (`fallocate`; cut to
//! what was written at the end), which saves the file system allocating
//! it a page at a time. A small save uses no thread.
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
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::{self, ScopedJoinHandle};

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
    replace(&target, |out| write(out)).map_err(|source| SaveError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// [`save_with`] for a writer that fills whole buffers and hands them over
/// (`hand` takes a full buffer and returns an empty one): the writing
/// thread takes them as they are, without copying them.
pub(crate) fn save_chunks<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn FnMut(Vec<u8>) -> io::Result<Vec<u8>>) -> io::Result<T>,
) -> Result<T, SaveError> {
    let error = |source| SaveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let target = resolve(path).map_err(error)?;
    replace(&target, |out| write(&mut |chunk| out.write_chunk(chunk))).map_err(error)
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

fn replace<T>(
    target: &Path,
    write: impl FnOnce(&mut Pipeline<'_, '_>) -> io::Result<T>,
) -> io::Result<T> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (permissions, old, reserve) = match fs::metadata(target) {
        Ok(meta) => (
            Some(meta.permissions()),
            hold_open(target, &meta),
            meta.len(),
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (None, None, 0),
        Err(e) => return Err(e),
    };
    let (tmp_path, file) = create_temp(&dir, target)?;
    let result = thread::scope(|scope| {
        let mut out = Pipeline::new(WriteBack::new(file, reserve), scope);
        let value = write(&mut out)?;
        let file = out.finish()?.into_file()?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp_path, target)?;
        Ok(value)
    });
    match result {
        Ok(value) => {
            sync_dir(&dir)?;
            if let Some(old) = old {
                // If no thread can be had, the closure (and the file) is
                // dropped here.
                let _ = thread::Builder::new()
                    .name("cookie-file-close".into())
                    .spawn(move || drop(old));
            }
            Ok(value)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp_path);
            Err(e)
        }
    }
}

/// The file a save replaces, held open across the rename when it is large,
/// so that freeing its blocks (milliseconds for a few megabytes, more on a
/// file system mounted with `discard`) happens when this descriptor is
/// closed, on a thread of its own, rather than inside the `rename` the
/// caller waits for. Redis closes its replaced append-only file the same
/// way (`bioCreateCloseJob`).
#[cfg(target_os = "linux")]
fn hold_open(target: &Path, meta: &fs::Metadata) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    if !meta.is_file() || meta.len() < DEFERRED_CLOSE_MIN {
        return None;
    }
    // Non-blocking: should the file have become a FIFO meanwhile, opening
    // it must not wait for a writer. Unreadable (mode 0200): not held.
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(target)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn hold_open(_target: &Path, _meta: &fs::Metadata) -> Option<File> {
    None
}

/// The size from which a replaced file is closed on a thread of its own.
#[cfg(target_os = "linux")]
const DEFERRED_CLOSE_MIN: u64 = 1024 * 1024;

/// How much a save gathers before writing it to the file. A save bigger
/// than this moves the writing to a second thread, so that the system
/// calls (copying into the page cache, starting the disk write) overlap
/// the formatting of what follows.
const PIPE_CHUNK: usize = 256 * 1024;

/// How many full chunks may wait for the writing thread.
const PIPE_DEPTH: usize = 2;

/// The writer a save's formatter writes to: a buffer of [`PIPE_CHUNK`],
/// written to the file on this thread until it first fills, then by a
/// scoped thread fed through a bounded channel (buffers come back for
/// reuse). A small save never starts the thread.
struct Pipeline<'scope, 'env> {
    scope: &'scope thread::Scope<'scope, 'env>,
    buf: Vec<u8>,
    sink: Sink<'scope>,
}

enum Sink<'scope> {
    /// Written on this thread: small so far, or no thread could be had.
    Here { file: WriteBack, tried_thread: bool },
    /// Written by a thread of its own.
    Thread {
        full: SyncSender<Vec<u8>>,
        empty: Receiver<Vec<u8>>,
        handle: ScopedJoinHandle<'scope, io::Result<WriteBack>>,
    },
    /// Between the two (only while switching).
    Switching,
}

impl<'scope, 'env> Pipeline<'scope, 'env> {
    fn new(file: WriteBack, scope: &'scope thread::Scope<'scope, 'env>) -> Self {
        Pipeline {
            scope,
            buf: Vec::with_capacity(PIPE_CHUNK),
            sink: Sink::Here {
                file,
                tried_thread: false,
            },
        }
    }

    /// Hand the buffer on: to the thread, starting it the first time.
    fn ship(&mut self) -> io::Result<()> {
        if let Sink::Here {
            tried_thread: false,
            ..
        } = self.sink
        {
            self.start_thread();
        }
        match &mut self.sink {
            Sink::Here { file, .. } => {
                file.write_all(&self.buf)?;
                self.buf.clear();
                Ok(())
            }
            Sink::Thread { full, empty, .. } => {
                let next = empty
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(PIPE_CHUNK));
                let chunk = std::mem::replace(&mut self.buf, next);
                if full.send(chunk).is_err() {
                    // The thread stopped on an error: fetch it.
                    return match std::mem::replace(&mut self.sink, Sink::Switching) {
                        Sink::Thread { handle, .. } => join(handle).map(drop),
                        _ => Err(io::Error::other("cookie file writer stopped")),
                    };
                }
                Ok(())
            }
            Sink::Switching => Err(io::Error::other("cookie file writer stopped")),
        }
    }

    fn start_thread(&mut self) {
        let Sink::Here { file, .. } = &mut self.sink else {
            return;
        };
        // The thread gets a duplicate of the descriptor, so that this one
        // stays usable should no thread be had.
        let Ok(theirs) = file.try_clone() else {
            self.sink = match std::mem::replace(&mut self.sink, Sink::Switching) {
                Sink::Here { file, .. } => Sink::Here {
                    file,
                    tried_thread: true,
                },
                other => other,
            };
            return;
        };
        let (full_tx, full_rx) = mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        let job = move || -> io::Result<WriteBack> {
            let mut file = theirs;
            for mut chunk in full_rx {
                file.write_all(&chunk)?;
                chunk.clear();
                let _ = empty_tx.send(chunk);
            }
            Ok(file)
        };
        let spawned = thread::Builder::new()
            .name("cookie-file-writer".into())
            .spawn_scoped(self.scope, job);
        self.sink = match (spawned, std::mem::replace(&mut self.sink, Sink::Switching)) {
            (Ok(handle), _) => Sink::Thread {
                full: full_tx,
                empty: empty_rx,
                handle,
            },
            (Err(_), Sink::Here { file, .. }) => Sink::Here {
                file,
                tried_thread: true,
            },
            (Err(_), other) => other,
        };
    }

    /// Take `chunk` whole (after what was written before it), and give
    /// back an empty buffer to fill next.
    fn write_chunk(&mut self, chunk: Vec<u8>) -> io::Result<Vec<u8>> {
        if !self.buf.is_empty() {
            self.ship()?;
        }
        let ours = std::mem::replace(&mut self.buf, chunk);
        self.ship()?;
        // `ship` left an empty buffer (a recycled one, or the chunk itself,
        // cleared, when written on this thread): the caller's.
        Ok(std::mem::replace(&mut self.buf, ours))
    }

    /// Write what is left and give the file back.
    fn finish(mut self) -> io::Result<WriteBack> {
        match std::mem::replace(&mut self.sink, Sink::Switching) {
            Sink::Here { mut file, .. } => {
                file.write_all(&self.buf)?;
                Ok(file)
            }
            Sink::Thread {
                full,
                empty,
                handle,
            } => {
                let sent = self.buf.is_empty() || full.send(std::mem::take(&mut self.buf)).is_ok();
                drop((full, empty));
                let file = join(handle)?;
                if sent {
                    Ok(file)
                } else {
                    Err(io::Error::other("cookie file writer stopped"))
                }
            }
            Sink::Switching => Err(io::Error::other("cookie file writer stopped")),
        }
    }
}

fn join(handle: ScopedJoinHandle<'_, io::Result<WriteBack>>) -> io::Result<WriteBack> {
    handle
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("cookie file writer panicked")))
}

impl Write for Pipeline<'_, '_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !self.buf.is_empty() && self.buf.len() + data.len() > PIPE_CHUNK {
            self.ship()?;
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIPE_CHUNK {
            self.ship()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.ship()
    }
}

/// The smallest previous file whose size a save reserves up front: below
/// it, the allocation costs less than the system call.
const RESERVE_MIN: u64 = 1024 * 1024;

/// The most a save reserves up front, however large the previous file.
const RESERVE_MAX: u64 = 256 * 1024 * 1024;

/// How much written data [`WriteBack`] lets gather before it asks the
/// kernel to start writing it to the disk.
const WRITE_BACK_STEP: u64 = 256 * 1024;

/// The temporary file, which starts the disk write of each 256 KiB as soon
/// as it is written (Linux's `sync_file_range(SYNC_FILE_RANGE_WRITE)`,
/// which does not wait), so that the disk works while the rest is being
/// formatted and the final `fsync` waits only for the last piece. Elsewhere
/// a plain file: the `fsync` does it all.
struct WriteBack {
    file: File,
    /// Bytes written so far.
    written: u64,
    /// Bytes whose write to the disk was started.
    started: u64,
    /// How many bytes to reserve before the first write (the size of the
    /// file being replaced), or 0 once done or not wanted.
    reserve: u64,
    /// The file's length as reserved: larger than `written` at the end
    /// when the new content came out shorter.
    reserved: u64,
}

impl WriteBack {
    fn new(file: File, reserve: u64) -> WriteBack {
        WriteBack {
            file,
            written: 0,
            started: 0,
            reserve: if reserve >= RESERVE_MIN {
                reserve.min(RESERVE_MAX)
            } else {
                0
            },
            reserved: 0,
        }
    }

    /// The same file and position, through a duplicated descriptor.
    fn try_clone(&self) -> io::Result<WriteBack> {
        Ok(WriteBack {
            file: self.file.try_clone()?,
            written: self.written,
            started: self.started,
            reserve: self.reserve,
            reserved: self.reserved,
        })
    }

    /// Allocate the file's blocks in one go, as long as the previous file
    /// (Linux's `fallocate`), so that the writes find them allocated
    /// rather than reserving and allocating them a page at a time (ext4's
    /// delayed allocation). Only a hint: an error (a file system without
    /// it, no room for both files at once) leaves the file as it was, and
    /// the writes allocate as usual.
    fn reserve_space(&mut self) {
        let len = std::mem::take(&mut self.reserve);
        if len == 0 || self.written != 0 {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: a plain system call on an open descriptor we own; it
            // touches no memory of ours.
            let rc = unsafe { libc::fallocate(self.file.as_raw_fd(), 0, 0, len as libc::off64_t) };
            if rc == 0 {
                self.reserved = len;
            }
        }
    }

    /// The file, cut to what was written if the reservation was longer.
    fn into_file(self) -> io::Result<File> {
        if self.reserved > self.written {
            self.file.set_len(self.written)?;
        }
        Ok(self.file)
    }

    fn start_write_back(&mut self) {
        if self.written - self.started < WRITE_BACK_STEP {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let (offset, len) = (
                self.started as libc::off64_t,
                (self.written - self.started) as libc::off64_t,
            );
            // SAFETY: a plain system call on an open descriptor we own; it
            // touches no memory of ours. It only starts the write: errors
            // (a file system without it) are the final fsync's to report.
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    offset,
                    len,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
        self.started = self.written;
    }
}

impl Write for WriteBack {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.reserve != 0 {
            self.reserve_space();
        }
        let n = self.file.write(data)?;
        self.written += n as u64;
        self.start_write_back();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A file the writing thread cannot write (opened read-only): its error
    /// reaches the formatter, through `write` or `finish`, whenever it
    /// happens.
    #[test]
    fn an_error_of_the_writing_thread_reaches_the_save() {
        let path = std::env::temp_dir().join(format!("atomic-pipeline-{}", std::process::id()));
        fs::write(&path, b"").unwrap();
        for len in [
            10,
            PIPE_CHUNK - 1,
            PIPE_CHUNK,
            PIPE_CHUNK + 1,
            10 * PIPE_CHUNK + 3,
        ] {
            let read_only = File::open(&path).unwrap();
            let result = thread::scope(|scope| {
                let mut out = Pipeline::new(WriteBack::new(read_only, 0), scope);
                for piece in vec![7u8; len].chunks(1000) {
                    out.write_all(piece)?;
                }
                out.finish().map(drop)
            });
            assert!(result.is_err(), "{len} bytes");
        }
        fs::remove_file(&path).unwrap();
    }

    /// The previous file's size is reserved before the first write: a
    /// shorter new file is cut to what was written (no trailing zeros), a
    /// longer one is whole, and a save failing after the reservation
    /// leaves the previous file as it was.
    #[test]
    fn a_saved_file_is_what_was_written_whatever_the_previous_size() {
        let path = std::env::temp_dir().join(format!("atomic-reserve-{}", std::process::id()));
        let content = |len: usize, seed: usize| -> Vec<u8> {
            (0..len)
                .map(|i| b'a' + ((i * 7 + seed) % 26) as u8)
                .collect()
        };
        let mut previous = content(3 * RESERVE_MIN as usize, 0);
        fs::write(&path, &previous).unwrap();
        for (step, len) in [
            RESERVE_MIN as usize + 5,
            10,
            5 * RESERVE_MIN as usize,
            2 * RESERVE_MIN as usize,
        ]
        .into_iter()
        .enumerate()
        {
            let failed = save_with(&path, |w| {
                w.write_all(&content(RESERVE_MIN as usize / 2, step))?;
                Err::<(), _>(io::Error::other("disk full"))
            });
            assert!(failed.is_err());
            assert!(fs::read(&path).unwrap() == previous, "{len} bytes");
            let data = content(len, step);
            save_with(&path, |w| {
                data.chunks(100_000)
                    .try_for_each(|piece| w.write_all(piece))
            })
            .unwrap();
            assert!(fs::read(&path).unwrap() == data, "{len} bytes");
            previous = data;
        }
        fs::remove_file(&path).unwrap();
    }

    /// Through the thread or not, the file gets every byte, in order.
    #[test]
    fn a_pipeline_writes_every_byte_in_order() {
        let path = std::env::temp_dir().join(format!("atomic-pipeline-ok-{}", std::process::id()));
        for len in [0, 10, PIPE_CHUNK, 7 * PIPE_CHUNK + 5] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let file = File::create(&path).unwrap();
            thread::scope(|scope| {
                let mut out = Pipeline::new(WriteBack::new(file, 0), scope);
                for piece in data.chunks(4099) {
                    out.write_all(piece)?;
                }
                out.flush()?;
                out.finish().map(drop)
            })
            .unwrap();
            assert!(fs::read(&path).unwrap() == data, "{len} bytes");
        }
        fs::remove_file(&path).unwrap();
    }
}
