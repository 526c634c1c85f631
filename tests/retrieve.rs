//! `Opener::retrieve` (the seed's urlretrieve) against the test site on
//! 127.0.0.1, with both backends.

mod common;

use std::path::PathBuf;

use clientcookie::Progress;
use clientcookie_testsite::{TestSite, BIG_PATTERN};
use common::{opener, BACKENDS};

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "clientcookie-retrieve-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn retrieve_streams_the_body_to_the_file_and_reports_progress() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let dir = scratch(&format!("{backend:?}-progress"));
        let path = dir.join("big.bin");
        let mut seen: Vec<Progress> = Vec::new();
        let url = site.url_for_host("a.example", "/redirect/302?to=/big%3Fbytes%3D300000");
        let saved = opener
            .retrieve(&url, &path, |p| seen.push(p))
            .await
            .unwrap();

        assert_eq!(saved.bytes, 300_000, "{backend:?}");
        assert_eq!(saved.status, 200);
        assert_eq!(saved.url.path(), "/big", "{backend:?}");
        let written = std::fs::read(&path).unwrap();
        assert_eq!(written.len(), 300_000);
        let expected: Vec<u8> = BIG_PATTERN.iter().copied().cycle().take(300_000).collect();
        assert!(
            written == expected,
            "{backend:?}: the file differs from the body"
        );

        // Progress: from 0, growing, ending at the total the server announced.
        assert_eq!(
            seen[0],
            Progress {
                done: 0,
                total: Some(300_000)
            },
            "{backend:?}"
        );
        assert!(seen.len() > 2, "{backend:?}");
        assert!(
            seen.windows(2).all(|w| w[0].done < w[1].done),
            "{backend:?}"
        );
        assert_eq!(seen.last().unwrap().done, 300_000, "{backend:?}");
        // Nothing but the file is left in the directory.
        assert_eq!(entries(&dir), ["big.bin"], "{backend:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[tokio::test]
async fn a_failed_retrieve_leaves_the_old_file_untouched_and_no_temporary_file() {
    for backend in BACKENDS {
        let site = TestSite::start().await.unwrap();
        let opener = opener(&site, backend);
        let dir = scratch(&format!("{backend:?}-fail"));
        let path = dir.join("keep.txt");
        std::fs::write(&path, b"the old content").unwrap();

        // The connection is refused: nothing is written.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let error = opener
            .retrieve(format!("http://127.0.0.1:{port}/x"), &path, |_| {})
            .await
            .unwrap_err();
        assert!(error.is_network(), "{backend:?}: {error:?}");

        // The body breaks off half way: the server goes away while it
        // streams.
        let url = site.url_for_host("a.example", "/slow?chunks=50&delay_ms=20&chunk_bytes=1000");
        let retrieve = opener.retrieve(&url, &path, |_| {});
        let dropped = async {
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            drop(site);
        };
        let (result, ()) = tokio::join!(retrieve, dropped);
        let error = result.unwrap_err();
        assert!(error.is_network(), "{backend:?}: {error:?}");

        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"the old content",
            "{backend:?}"
        );
        assert_eq!(entries(&dir), ["keep.txt"], "{backend:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[tokio::test]
async fn a_path_without_a_file_name_is_an_io_error() {
    let site = TestSite::start().await.unwrap();
    let opener = opener(&site, common::Backend::Reqwest);
    let error = opener
        .retrieve(site.url("/echo"), "/", |_| {})
        .await
        .unwrap_err();
    assert!(error.is_io(), "{error:?}");
    assert!(site.requests().is_empty());
}
