#![no_main]
//! Any bytes as an HTML body, with any `Content-Type`, through the head
//! scanner: it must return, never panic, read no further than its limit,
//! hand back every byte, and find the same headers however the body is cut.
//!
//! Input: one byte `n`, then `n % 64` bytes of `Content-Type`, one byte for
//! the chunk size, one for the limit, then the body.
use bytes::Bytes;
use clientcookie_layers::http_equiv::{HeadEnd, HeadScanner, HttpEquivLayer};
use libfuzzer_sys::fuzz_target;

fn scan(
    layer: &HttpEquivLayer,
    content_type: Option<&[u8]>,
    body: &[u8],
    chunk: usize,
) -> (Vec<Bytes>, Vec<(http::HeaderName, http::HeaderValue)>, clientcookie_layers::http_equiv::HeadScan) {
    let mut scanner = HeadScanner::new(content_type, layer);
    for piece in body.chunks(chunk.max(1)) {
        scanner.push(Bytes::copy_from_slice(piece));
    }
    scanner.finish(HeadEnd::EndOfBody);
    scanner.into_parts()
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n % 64);
    if rest.len() < n + 2 {
        return;
    }
    let (content_type, rest) = rest.split_at(n);
    let content_type = (!content_type.is_empty()).then_some(content_type);
    let chunk = usize::from(rest[0]) + 1;
    let limit = match rest[1] {
        0 => 1024 * 1024,
        l => usize::from(l) * 16,
    };
    let body = &rest[2..];
    let layer = HttpEquivLayer::new().max_head_bytes(limit).max_headers(16);

    let (whole_chunks, whole_headers, whole) = scan(&layer, content_type, body, body.len());
    let (chunks, headers, report) = scan(&layer, content_type, body, chunk);

    assert_eq!(whole_chunks.concat(), body);
    assert_eq!(chunks.concat(), body);
    assert!(whole.bytes_scanned <= limit && report.bytes_scanned <= limit);
    assert!(headers.len() <= 16);
    assert_eq!(headers, whole_headers, "cut in chunks of {chunk}");
    assert_eq!(report.end, whole.end);
    assert_eq!(report.encoding, whole.encoding);
    assert_eq!(report.skipped, whole.skipped);
});
