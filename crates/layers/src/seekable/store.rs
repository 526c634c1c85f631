//! Where a seekable body keeps what it has read: memory, then a temporary
//! file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

/// In file mode, bytes are gathered in memory up to this much (or the memory
/// limit, if smaller) before one write, so a body that arrives in tiny chunks
/// does not cost one system call per chunk.
const WRITE_BUFFER: usize = 64 * 1024;

/// The bytes read so far, `0..len()`: all in `tail` until they would pass
/// the memory limit, then in an anonymous temporary file followed by a short
/// `tail` not yet written to it.
///
/// The file is made with [`tempfile::tempfile`]: it has no name (unlinked at
/// once, or `O_TMPFILE`), so the operating system deletes it when it is
/// closed, on drop or when the process dies.
///
/// File reads and writes are plain blocking calls, made from `poll`: see the
/// module docs of `seekable` for why.
pub(super) struct Store {
    /// Bytes `file_len..len()`.
    tail: Vec<u8>,
    file: Option<File>,
    /// Bytes in the file; only ever counts completed writes, so a failed
    /// write leaves a consistent store behind.
    file_len: u64,
    /// Where the file's own cursor is (saves a seek per sequential read).
    cursor: u64,
    memory_limit: usize,
    temp_dir: Option<Arc<Path>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("len", &self.len())
            .field("spilled", &self.is_spilled())
            .field("memory_limit", &self.memory_limit)
            .finish()
    }
}

impl Store {
    pub(super) fn new(memory_limit: usize, temp_dir: Option<Arc<Path>>) -> Store {
        Store {
            tail: Vec::new(),
            file: None,
            file_len: 0,
            cursor: 0,
            memory_limit,
            temp_dir,
        }
    }

    pub(super) fn len(&self) -> u64 {
        self.file_len + self.tail.len() as u64
    }

    pub(super) fn is_spilled(&self) -> bool {
        self.file.is_some()
    }

    /// Bytes held in memory.
    pub(super) fn in_memory(&self) -> usize {
        self.tail.len()
    }

    /// Adds `data` at the end. On error nothing of `data` is stored and what
    /// was stored before stays readable.
    pub(super) fn append(&mut self, data: &[u8]) -> io::Result<()> {
        if self.file.is_none() {
            let needed = self.tail.len().saturating_add(data.len());
            if needed <= self.memory_limit {
                // Grow by doubling, but never past the limit: a body just
                // under it must not hold twice the limit in capacity.
                if needed > self.tail.capacity() {
                    let grown = self
                        .tail
                        .capacity()
                        .saturating_mul(2)
                        .min(self.memory_limit);
                    self.tail.reserve_exact(grown.max(needed) - self.tail.len());
                }
                self.tail.extend_from_slice(data);
                return Ok(());
            }
            self.spill()?;
        }
        let buffer = self.memory_limit.min(WRITE_BUFFER);
        if self.tail.len() + data.len() <= buffer {
            self.tail.extend_from_slice(data);
            return Ok(());
        }
        self.flush_tail()?;
        if data.len() <= buffer {
            self.tail.extend_from_slice(data);
            Ok(())
        } else {
            self.write_at_end(data)
        }
    }

    /// Moves everything to a new temporary file.
    fn spill(&mut self) -> io::Result<()> {
        let file = match &self.temp_dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        tracing::debug!(
            bytes = self.tail.len(),
            limit = self.memory_limit,
            "seekable body: memory limit reached, spilling to a temporary file"
        );
        self.file = Some(file);
        self.file_len = 0;
        self.cursor = 0;
        if let Err(error) = self.flush_tail() {
            // Back to memory only: the tail is intact, the file is dropped
            // (and so deleted).
            self.file = None;
            return Err(error);
        }
        // Give back the memory the body used up to the limit.
        self.tail = Vec::new();
        Ok(())
    }

    fn flush_tail(&mut self) -> io::Result<()> {
        if self.tail.is_empty() {
            return Ok(());
        }
        let tail = std::mem::take(&mut self.tail);
        let result = self.write_at_end(&tail);
        self.tail = tail;
        result?;
        self.tail.clear();
        Ok(())
    }

    fn write_at_end(&mut self, data: &[u8]) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(io::Error::other("no temporary file"));
        };
        if self.cursor != self.file_len {
            self.cursor = file.seek(SeekFrom::Start(self.file_len))?;
        }
        let written = file.write_all(data);
        // After a failed write the cursor is unknown: seek before the next use.
        self.cursor = if written.is_ok() {
            self.file_len + data.len() as u64
        } else {
            u64::MAX
        };
        written?;
        self.file_len += data.len() as u64;
        Ok(())
    }

    /// Copies bytes from `offset` into `buf`, as many as fit and as one
    /// region (file or memory) holds; `0` at or past the end.
    pub(super) fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.file_len {
            let start = usize::try_from(offset - self.file_len).unwrap_or(usize::MAX);
            let Some(available) = self.tail.get(start..) else {
                return Ok(0);
            };
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            return Ok(n);
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(0);
        };
        let in_file = usize::try_from(self.file_len - offset).unwrap_or(usize::MAX);
        let want = in_file.min(buf.len());
        if self.cursor != offset {
            self.cursor = file.seek(SeekFrom::Start(offset))?;
        }
        let mut done = 0;
        while done < want {
            match file.read(&mut buf[done..want]) {
                Ok(0) => {
                    self.cursor = u64::MAX;
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "temporary file shorter than what was written to it",
                    ));
                }
                Ok(n) => {
                    done += n;
                    self.cursor += n as u64;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.cursor = u64::MAX;
                    return Err(error);
                }
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(store: &mut Store) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = store.read_at(out.len() as u64, &mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn bytes_stay_in_memory_up_to_the_limit() {
        let mut store = Store::new(10, None);
        store.append(b"0123456789").unwrap();
        assert!(!store.is_spilled());
        assert_eq!(store.in_memory(), 10);
        assert!(store.tail.capacity() <= 10);
        assert_eq!(read_all(&mut store), b"0123456789");
    }

    #[test]
    fn past_the_limit_everything_moves_to_the_file_and_reads_back_the_same() {
        let mut store = Store::new(10, None);
        let mut expected = Vec::new();
        for i in 0..50u8 {
            let chunk: Vec<u8> = (0..i % 13).map(|j| i.wrapping_mul(31) ^ j).collect();
            store.append(&chunk).unwrap();
            expected.extend_from_slice(&chunk);
            assert!(store.in_memory() <= 10, "memory stays under the limit");
        }
        assert!(store.is_spilled());
        assert_eq!(store.len(), expected.len() as u64);
        assert_eq!(read_all(&mut store), expected);
        // Random access across the file/memory boundary.
        let mut buf = [0u8; 5];
        for offset in [0, 3, store.file_len.saturating_sub(2), store.len() - 1] {
            let n = store.read_at(offset, &mut buf).unwrap();
            assert!(n > 0);
            let at = offset as usize;
            assert_eq!(&buf[..n], &expected[at..at + n]);
        }
    }

    #[test]
    fn a_zero_limit_writes_every_byte_to_the_file() {
        let mut store = Store::new(0, None);
        store.append(b"abc").unwrap();
        store.append(b"").unwrap();
        store.append(b"def").unwrap();
        assert!(store.is_spilled());
        assert_eq!(store.in_memory(), 0);
        assert_eq!(read_all(&mut store), b"abcdef");
        assert_eq!(store.read_at(6, &mut [0u8; 4]).unwrap(), 0);
        assert_eq!(store.read_at(100, &mut [0u8; 4]).unwrap(), 0);
    }

    #[test]
    fn a_missing_temp_dir_is_an_error_and_keeps_what_was_stored() {
        let dir: Arc<Path> = Arc::from(Path::new("/nonexistent/clientcookie-seekable-test"));
        let mut store = Store::new(4, Some(dir));
        store.append(b"abcd").unwrap();
        assert!(store.append(b"e").is_err());
        assert!(!store.is_spilled());
        assert_eq!(read_all(&mut store), b"abcd");
    }
}
