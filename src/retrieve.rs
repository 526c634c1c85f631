//! [`Opener::retrieve`]: the seed's `urlretrieve`, streaming to a file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use http::{HeaderMap, StatusCode};
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::error::Error;
use crate::Opener;

/// How far a [`retrieve`](Opener::retrieve) has got: given to the progress
/// callback once before the first byte and after every piece of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Body bytes written so far.
    pub done: u64,
    /// The body's length, when the response said (`Content-Length`).
    pub total: Option<u64>,
}

/// What a [`retrieve`](Opener::retrieve) fetched and wrote.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Retrieved {
    /// The file written.
    pub path: PathBuf,
    /// Its length.
    pub bytes: u64,
    /// The final response's status (a `404` page is saved as well: the
    /// caller decides what a status means).
    pub status: StatusCode,
    /// The final response's headers (the seed's `urlretrieve` returned them).
    pub headers: HeaderMap,
    /// The URL the body came from, after redirects and refreshes.
    pub url: Url,
}

/// Size of the buffer between the network and the file.
const WRITE_BUFFER: usize = 256 * 1024;

/// Distinguishes temporary files of concurrent retrieves in one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Removes the temporary file unless the retrieve got as far as renaming it.
struct TempFile {
    path: Option<PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            if let Err(error) = std::fs::remove_file(&path) {
                tracing::debug!(%error, path = %path.display(), "could not remove a temporary file");
            }
        }
    }
}

impl Opener {
    /// `GET url` and write the body to `path` (the seed's `urlretrieve`),
    /// streaming: memory stays at a buffer's worth whatever the body's size.
    ///
    /// The body goes to a temporary file next to `path` (same directory, so
    /// the rename stays on one file system), which is synced and then
    /// renamed over `path`: `path` is either what it was or the whole new
    /// body, never half of it. On any error the temporary file is removed.
    ///
    /// `progress` is called with [`Progress`] before the first byte and
    /// after every piece written.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), clientcookie::Error> {
    /// let opener = clientcookie::Opener::new()?;
    /// let saved = opener
    ///     .retrieve("http://example.com/big.iso", "big.iso", |p: clientcookie::Progress| {
    ///         eprint!("\r{} of {:?} bytes", p.done, p.total)
    ///     })
    ///     .await?;
    /// eprintln!("\n{} bytes from {}", saved.bytes, saved.url);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn retrieve(
        &self,
        url: impl AsRef<str>,
        path: impl AsRef<Path>,
        mut progress: impl FnMut(Progress),
    ) -> Result<Retrieved, Error> {
        let path = path.as_ref();
        let Some(name) = path.file_name() else {
            let error = std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} names no file", path.display()),
            );
            return Err(Error::io(error));
        };
        let request = http::Request::get(url.as_ref())
            .body(crate::Body::empty())
            .map_err(Error::builder)?;
        let mut response = self.send(request).await?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".{}-{}.part",
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        ));
        let temp_path = dir.join(temp_name);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
            .await
            .map_err(Error::io)?;
        let mut temp = TempFile {
            path: Some(temp_path.clone()),
        };
        let mut out = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);

        let total = response.content_length();
        let mut done = 0u64;
        progress(Progress { done, total });
        while let Some(chunk) = response.chunk().await? {
            out.write_all(&chunk).await.map_err(Error::io)?;
            done += chunk.len() as u64;
            progress(Progress { done, total });
        }
        out.flush().await.map_err(Error::io)?;
        let file = out.into_inner();
        file.sync_all().await.map_err(Error::io)?;
        drop(file);
        tokio::fs::rename(&temp_path, path)
            .await
            .map_err(Error::io)?;
        temp.path = None;

        let url = response.url().clone();
        let status = response.status();
        let headers = response.headers().clone();
        Ok(Retrieved {
            path: path.to_path_buf(),
            bytes: done,
            status,
            headers,
            url,
        })
    }
}
