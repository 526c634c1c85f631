//! The HTTP-EQUIV layer around a real HTTP/1 client against the test site on
//! 127.0.0.1: alone, and inside the cookie, refresh and redirect layers.

mod common;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use clientcookie_layers::cookie::CookieLayer;
use clientcookie_layers::http_equiv::{
    HeadEnd, HeadScan, HttpEquivLayer, SkipReason, DEFAULT_MAX_HEAD_BYTES,
};
use clientcookie_layers::jar::CookieJar;
use clientcookie_layers::redirect::{FinalUrl, RedirectHistory, RedirectLayer};
use clientcookie_layers::refresh::RefreshLayer;
use clientcookie_testsite::TestSite;
use common::{enc, get, send};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use proptest::prelude::*;
use tower::ServiceBuilder;

/// `GET url` through `HttpEquivLayer` configured as `layer`; the response's
/// headers, scan report and whole body.
async fn fetch(
    site: &TestSite,
    layer: HttpEquivLayer,
    url: &str,
) -> (StatusCode, HeaderMap, Option<HeadScan>, Bytes) {
    let mut service = ServiceBuilder::new()
        .layer(layer)
        .service(common::client(site.addr()));
    let response = send(&mut service, get(url)).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        parts.extensions.get::<HeadScan>().cloned(),
        body,
    )
}

/// The same URL without the layer: the bytes the server sent.
async fn fetch_bare(site: &TestSite, url: &str) -> (HeaderMap, Bytes) {
    let mut client = common::client(site.addr());
    let response = send(&mut client, get(url)).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.headers, body.collect().await.unwrap().to_bytes())
}

fn values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a [u8]> {
    headers.get_all(name).iter().map(|v| v.as_bytes()).collect()
}

/// `/bytes` serving `body` with `content_type`, in pieces of `chunk` bytes.
fn bytes_url(site: &TestSite, body: &[u8], content_type: Option<&str>, chunk: usize) -> String {
    let mut query = format!("/bytes?chunk={chunk}&delay_ms=1&body=");
    for b in body {
        query.push_str(&format!("%{b:02X}"));
    }
    if let Some(content_type) = content_type {
        query.push_str(&format!("&ct={}", enc(content_type)));
    }
    site.url(&query)
}

#[tokio::test]
async fn meta_tags_in_the_head_become_headers_and_one_in_the_body_does_not() {
    let site = TestSite::start().await.unwrap();
    let url = site.url("/equiv");
    let (status, headers, scan, body) = fetch(&site, HttpEquivLayer::new(), &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(values(&headers, "x-test"), [b"yes"]);
    assert_eq!(values(&headers, "set-cookie"), [b"meta=1; Path=/"]);
    assert_eq!(values(&headers, "content-language"), [b"en"]);
    assert!(headers.get("x-in-body").is_none());
    let scan = scan.expect("an HTML response is scanned");
    assert_eq!(scan.end, HeadEnd::Body);
    assert_eq!(scan.encoding, "UTF-8");
    assert_eq!(scan.lifted, ["x-test", "set-cookie", "content-language"]);

    let (bare_headers, bare_body) = fetch_bare(&site, &url).await;
    assert_eq!(body, bare_body, "the body is handed on byte for byte");
    assert_eq!(
        headers.len(),
        bare_headers.len() + 3,
        "the server's headers are kept and the lifted ones appended"
    );
}

#[tokio::test]
async fn a_lifted_header_comes_after_the_servers_own_of_that_name() {
    let site = TestSite::start().await.unwrap();
    let page = b"<meta http-equiv=Date content=yesterday><body>";
    let url = bytes_url(&site, page, Some("text/html"), page.len());
    let (_, headers, _, _) = fetch(&site, HttpEquivLayer::new(), &url).await;
    let dates = values(&headers, "date");
    assert_eq!(dates.len(), 2);
    assert!(
        dates[0].ends_with(b" GMT"),
        "the server's own Date comes first"
    );
    assert_eq!(dates[1], b"yesterday");
}

#[tokio::test]
async fn a_meta_after_content_of_the_body_is_not_lifted() {
    let site = TestSite::start().await.unwrap();
    let page = b"<html><head><meta http-equiv=X-A content=1>Hello<meta http-equiv=X-B content=2>";
    let url = bytes_url(&site, page, Some("text/html"), page.len());
    let (_, headers, scan, body) = fetch(&site, HttpEquivLayer::new(), &url).await;
    assert_eq!(values(&headers, "x-a"), [b"1"]);
    assert!(headers.get("x-b").is_none());
    assert_eq!(scan.unwrap().end, HeadEnd::NotHead);
    assert_eq!(&body[..], page);
}

#[tokio::test]
async fn odd_chunkings_give_the_same_headers_and_the_same_bytes() {
    let site = TestSite::start().await.unwrap();
    let page: &[u8] = b"<!DOCTYPE html><html><head><title>a < b</title>\r\n\
        <script>document.write('<body>')</script>\
        <meta http-equiv=\"Refresh\" content=\"5; url=/next\">\
        <meta http-equiv=X-A content='caf\xc3\xa9'></head><body><meta http-equiv=X-B content=2>";
    for chunk in [1, 2, 3, 7, 64, page.len()] {
        let url = bytes_url(&site, page, Some("text/html; charset=utf-8"), chunk);
        let (_, headers, scan, body) = fetch(&site, HttpEquivLayer::new(), &url).await;
        assert_eq!(&body[..], page, "chunks of {chunk}");
        assert_eq!(
            values(&headers, "refresh"),
            [b"5; url=/next"],
            "chunks of {chunk}"
        );
        assert_eq!(
            values(&headers, "x-a"),
            ["café".as_bytes()],
            "chunks of {chunk}"
        );
        assert!(headers.get("x-b").is_none(), "chunks of {chunk}");
        assert_eq!(scan.unwrap().end, HeadEnd::Body, "chunks of {chunk}");
    }
}

#[tokio::test]
async fn a_utf16_page_with_a_byte_order_mark_is_read_as_utf16() {
    let site = TestSite::start().await.unwrap();
    let text = "<html><head><meta http-equiv=\"X-Name\" content=\"Zoë\"></head><body>";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        le.extend_from_slice(&unit.to_le_bytes());
        be.extend_from_slice(&unit.to_be_bytes());
    }
    for (page, name) in [(le, "UTF-16LE"), (be, "UTF-16BE")] {
        // The byte order mark wins over the Content-Type's charset.
        let url = bytes_url(&site, &page, Some("text/html; charset=iso-8859-1"), 5);
        let (_, headers, scan, body) = fetch(&site, HttpEquivLayer::new(), &url).await;
        assert_eq!(values(&headers, "x-name"), ["Zoë".as_bytes()], "{name}");
        let scan = scan.unwrap();
        assert_eq!(scan.encoding, name);
        assert_eq!(scan.end, HeadEnd::Body);
        assert_eq!(body, page);
    }
}

#[tokio::test]
async fn a_windows_1252_page_is_decoded_by_its_content_type() {
    let site = TestSite::start().await.unwrap();
    let page = b"<meta http-equiv=X-Price content=\"\x80 5\"><meta http-equiv=X-Name content=\"caf\xe9\"><body>";
    let url = bytes_url(
        &site,
        page,
        Some("text/html; charset=windows-1252"),
        page.len(),
    );
    let (_, headers, scan, _) = fetch(&site, HttpEquivLayer::new(), &url).await;
    assert_eq!(values(&headers, "x-price"), ["€ 5".as_bytes()]);
    assert_eq!(values(&headers, "x-name"), ["café".as_bytes()]);
    assert_eq!(scan.unwrap().encoding, "windows-1252");
}

#[tokio::test]
async fn a_meta_charset_decides_when_the_content_type_does_not() {
    let site = TestSite::start().await.unwrap();
    // "Привет" in windows-1251, before and after the charset declaration.
    let page = b"<head><meta http-equiv=X-Before content=\"\xcf\xf0\xe8\xe2\xe5\xf2\">\
        <meta charset=\"windows-1251\"><meta http-equiv=X-After content=\"\xcf\xf0\xe8\xe2\xe5\xf2\"><body>";
    let url = bytes_url(&site, page, Some("text/html"), 9);
    let (_, headers, scan, body) = fetch(&site, HttpEquivLayer::new(), &url).await;
    assert_eq!(values(&headers, "x-before"), ["Привет".as_bytes()]);
    assert_eq!(values(&headers, "x-after"), ["Привет".as_bytes()]);
    assert_eq!(scan.unwrap().encoding, "windows-1251");
    assert_eq!(&body[..], page);
}

#[tokio::test]
async fn the_head_is_read_up_to_one_mebibyte_and_no_further() {
    let site = TestSite::start().await.unwrap();
    let meta = enc("<meta http-equiv=X-After-Pad content=1>");
    // A head whose meta tag comes after 1100 KiB of comment: past the limit.
    let url = site.url(&format!(
        "/equiv-custom?pad_kb=1100&head={meta}&body_kb=6144"
    ));
    let mut service = ServiceBuilder::new()
        .layer(HttpEquivLayer::new())
        .service(common::client(site.addr()));
    let response = send(&mut service, get(&url)).await.unwrap();
    let sent_before_reading = site.body_bytes_sent();
    let scan = response.extensions().get::<HeadScan>().cloned().unwrap();
    assert_eq!(scan.end, HeadEnd::Limit);
    assert_eq!(scan.bytes_scanned, DEFAULT_MAX_HEAD_BYTES);
    assert!(response.headers().get("x-after-pad").is_none());
    // The layer stopped reading at the limit: of the 7 MiB body the server
    // made little more than the 1.1 MiB first chunk plus what socket
    // buffers hold.
    assert!(
        sent_before_reading < 3 * 1024 * 1024,
        "{sent_before_reading} bytes sent before the body was read"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let (_, bare) = fetch_bare(&site, &url).await;
    assert_eq!(body.len(), bare.len());
    assert!(body == bare);

    // Under the limit, the same tag is lifted.
    let url = site.url(&format!("/equiv-custom?pad_kb=1000&head={meta}"));
    let (_, headers, scan, _) = fetch(&site, HttpEquivLayer::new(), &url).await;
    assert_eq!(values(&headers, "x-after-pad"), [b"1"]);
    assert_eq!(scan.unwrap().end, HeadEnd::Body);
}

#[tokio::test]
async fn a_smaller_limit_is_honoured() {
    let site = TestSite::start().await.unwrap();
    let meta = enc("<meta http-equiv=X-After-Pad content=1>");
    let url = site.url(&format!("/equiv-custom?pad_kb=8&head={meta}"));
    let layer = HttpEquivLayer::new().max_head_bytes(4096);
    let (_, headers, scan, _) = fetch(&site, layer, &url).await;
    assert!(headers.get("x-after-pad").is_none());
    let scan = scan.unwrap();
    assert_eq!(scan.end, HeadEnd::Limit);
    assert_eq!(scan.bytes_scanned, 4096);
}

#[tokio::test]
async fn a_big_page_is_not_read_before_the_response_is_handed_on() {
    let site = TestSite::start().await.unwrap();
    let url = site.url("/big-html?bytes=8000000");
    let mut service = ServiceBuilder::new()
        .layer(HttpEquivLayer::new())
        .service(common::client(site.addr()));
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(values(response.headers(), "x-test"), [b"big"]);
    let sent = site.body_bytes_sent();
    assert!(sent < 2 * 1024 * 1024, "{sent} bytes sent before reading");
    let mut body = response.into_body();
    let mut total = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            total += data.len() as u64;
        }
    }
    assert_eq!(total, site.body_bytes_sent());
    assert!(total > 8_000_000);
}

#[tokio::test]
async fn set_cookie_tags_can_be_switched_off() {
    let site = TestSite::start().await.unwrap();
    let layer = HttpEquivLayer::new().lift_set_cookie(false);
    let (_, headers, scan, _) = fetch(&site, layer, &site.url("/equiv")).await;
    assert!(headers.get("set-cookie").is_none());
    assert_eq!(values(&headers, "x-test"), [b"yes"]);
    let scan = scan.unwrap();
    assert_eq!(scan.skipped.len(), 1);
    assert_eq!(scan.skipped[0].name, "Set-Cookie");
    assert_eq!(scan.skipped[0].reason, SkipReason::SetCookieOff);
}

#[tokio::test]
async fn other_content_types_and_head_requests_are_not_read() {
    let site = TestSite::start().await.unwrap();
    let page = b"<meta http-equiv=X-A content=1>";
    let url = bytes_url(&site, page, Some("text/plain"), page.len());
    let (_, headers, scan, body) = fetch(&site, HttpEquivLayer::new(), &url).await;
    assert!(headers.get("x-a").is_none());
    assert!(scan.is_none());
    assert_eq!(&body[..], page);

    let mut service = ServiceBuilder::new()
        .layer(HttpEquivLayer::new())
        .service(common::client(site.addr()));
    let head = common::request("HEAD", &site.url("/equiv"), "");
    let response = send(&mut service, head).await.unwrap();
    assert!(response.headers().get("x-test").is_none());
    assert!(response.extensions().get::<HeadScan>().is_none());
}

#[tokio::test]
async fn without_a_content_type_an_html_url_is_read_as_html() {
    let site = TestSite::start().await.unwrap();
    let page = b"<meta http-equiv=X-A content=1><body>";
    let mut query = String::from("?body=");
    for b in page {
        query.push_str(&format!("%{b:02X}"));
    }
    let html = site.url(&format!("/bytes/page.HTML{query}"));
    let (headers, _) = fetch_bare(&site, &html).await;
    assert!(headers.get("content-type").is_none());
    let (_, headers, _, _) = fetch(&site, HttpEquivLayer::new(), &html).await;
    assert_eq!(values(&headers, "x-a"), [b"1"]);
    let text = site.url(&format!("/bytes/page.txt{query}"));
    let (_, headers, _, _) = fetch(&site, HttpEquivLayer::new(), &text).await;
    assert!(headers.get("x-a").is_none());
}

#[tokio::test]
async fn a_meta_set_cookie_is_stored_by_the_cookie_layer_outside() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    let mut service = ServiceBuilder::new()
        .layer(CookieLayer::new(jar.clone()))
        .layer(HttpEquivLayer::new())
        .service(common::client(site.addr()));
    let response = send(&mut service, get(&site.url("/equiv"))).await.unwrap();
    response.into_body().collect().await.unwrap();
    let names: Vec<String> = jar
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    assert_eq!(names, ["meta"]);

    let response = send(&mut service, get(&site.url("/echo"))).await.unwrap();
    response.into_body().collect().await.unwrap();
    let log = site.requests();
    assert_eq!(log.last().unwrap().header("cookie"), Some("meta=1"));
}

#[tokio::test]
async fn a_meta_refresh_is_followed_by_the_refresh_layer_outside() {
    let site = TestSite::start().await.unwrap();
    let mut service = ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(RefreshLayer::new())
        .layer(HttpEquivLayer::new())
        .service(common::client(site.addr()));
    let url = site.url(&format!("/meta-refresh?delay=0&to={}", enc("/echo")));
    let response = send(&mut service, get(&url)).await.unwrap();
    assert_eq!(
        response
            .extensions()
            .get::<FinalUrl>()
            .unwrap()
            .url()
            .path(),
        "/echo"
    );
    let history = response.extensions().get::<RedirectHistory>().unwrap();
    assert_eq!(history.0.len(), 1);
    assert_eq!(history.0[0].url.as_str(), url);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let echo: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(echo["path"], "/echo");
}

#[tokio::test]
async fn a_cookie_set_by_a_meta_tag_is_sent_on_the_meta_refresh_it_asked_for() {
    let site = TestSite::start().await.unwrap();
    let jar = CookieJar::new().into_shared();
    let mut service = ServiceBuilder::new()
        .layer(RedirectLayer::new())
        .layer(RefreshLayer::new())
        .layer(CookieLayer::new(jar.clone()))
        .layer(HttpEquivLayer::new())
        .service(common::client(site.addr()));
    let head = enc("<meta http-equiv=Set-Cookie content='visited=yes; Path=/'>\
         <meta http-equiv=Refresh content='0; url=/echo'>");
    let url = site.url(&format!("/equiv-custom?head={head}"));
    let response = send(&mut service, get(&url)).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let echo: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(echo["path"], "/echo");
    assert_eq!(echo["headers"]["cookie"][0], "visited=yes");
    assert_eq!(jar.lock().unwrap().len(), 1);
}

/// A body that yields the chunks it was given, one frame each.
struct Chunks(VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

/// Cuts `bytes` at `cuts` (positions, in any order, out of range ignored).
fn cut(bytes: &[u8], cuts: &[usize]) -> VecDeque<Bytes> {
    let mut cuts: Vec<usize> = cuts.iter().copied().filter(|&c| c < bytes.len()).collect();
    cuts.sort_unstable();
    cuts.push(bytes.len());
    let mut from = 0;
    let mut chunks = VecDeque::new();
    for to in cuts {
        chunks.push_back(Bytes::copy_from_slice(&bytes[from..to]));
        from = to;
    }
    chunks
}

/// Sends `chunks` as an HTML response's body through the layer, in process.
fn through_layer(chunks: VecDeque<Bytes>) -> (HeaderMap, Bytes) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let mut body = Some(Chunks(chunks));
        let inner = tower::service_fn(move |_: Request<()>| {
            let body = body.take().unwrap_or(Chunks(VecDeque::new()));
            async move {
                let mut response = Response::new(body);
                response
                    .headers_mut()
                    .insert("content-type", "text/html".parse().unwrap());
                Ok::<_, Infallible>(response)
            }
        });
        let mut service = ServiceBuilder::new()
            .layer(HttpEquivLayer::new().max_head_bytes(2048))
            .service(inner);
        let response = send(&mut service, Request::new(())).await.unwrap();
        let (parts, body) = response.into_parts();
        (parts.headers, body.collect().await.unwrap().to_bytes())
    })
}

/// Documents made of pieces that matter to the scanner, and arbitrary bytes.
fn document() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"<meta http-equiv=X-A content=1>".to_vec()),
        Just(b"<meta http-equiv=\"Refresh\" content='0; url=/x'>".to_vec()),
        Just(b"<meta charset=koi8-r>".to_vec()),
        Just(b"<title>a<b>c</title>".to_vec()),
        Just(b"<script>x = '<body>';</script>".to_vec()),
        Just(b"<style>p>q{}</style>".to_vec()),
        Just(b"<!-- <body> -->".to_vec()),
        Just(b"<template><p></template>".to_vec()),
        Just(b"<body>".to_vec()),
        Just(b"\xef\xbb\xbf".to_vec()),
        Just(b" \r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_body_out_is_the_body_in_however_it_is_cut(
        bytes in document(),
        cuts in proptest::collection::vec(0usize..600, 0..10),
    ) {
        let (whole_headers, whole_body) = through_layer(cut(&bytes, &[]));
        prop_assert_eq!(&whole_body[..], &bytes[..]);
        let (headers, body) = through_layer(cut(&bytes, &cuts));
        prop_assert_eq!(&body[..], &bytes[..]);
        // And the head is read the same way, wherever the chunks end.
        prop_assert_eq!(headers, whole_headers);
    }

    #[test]
    fn arbitrary_bytes_come_out_unchanged(
        bytes in proptest::collection::vec(any::<u8>(), 0..3000),
        cuts in proptest::collection::vec(0usize..3000, 0..10),
    ) {
        let (_, body) = through_layer(cut(&bytes, &cuts));
        prop_assert_eq!(&body[..], &bytes[..]);
    }
}
