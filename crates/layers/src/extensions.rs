//! Values the layers leave in `http::Extensions` for each other.
//!
//! The layers of this crate do not know which of the others are in the
//! stack; what one needs from another travels with the request, as the seed's
//! processors passed facts along on the `Request` object.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The number of redirects one chain of requests may still follow, shared by
/// every layer that turns a response into another request (the redirect layer,
/// and the refresh layer, which counts a qualifying `Refresh` as a redirect).
///
/// The caller may put a budget into the first request's extensions; the
/// redirect layer otherwise makes one at the first hop it follows (a
/// standalone refresh layer at once) and every later hop carries a clone
/// of it: clones share one counter, so a `Refresh` followed on hop 3
/// uses up the same budget as the 3xx that led there (tower-http #404 asks for
/// exactly this). A caller that wants one budget across several calls (a
/// crawler following meta refreshes by hand) inserts its own.
///
/// ```
/// use clientcookie_layers::extensions::HopBudget;
///
/// let budget = HopBudget::new(2);
/// let shared = budget.clone();
/// assert!(budget.try_take());
/// assert!(shared.try_take());
/// assert!(!budget.try_take());
/// assert_eq!(shared.remaining(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct HopBudget {
    remaining: Arc<AtomicUsize>,
}

impl HopBudget {
    /// A budget of `hops` redirects.
    pub fn new(hops: usize) -> HopBudget {
        HopBudget {
            remaining: Arc::new(AtomicUsize::new(hops)),
        }
    }

    /// Use one hop; `false` (and nothing used) when none is left.
    pub fn try_take(&self) -> bool {
        self.remaining
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Hops left.
    pub fn remaining(&self) -> usize {
        self.remaining.load(Ordering::Acquire)
    }
}

/// Marks a request whose `Cookie` (and `Cookie2`) header came from a jar,
/// not from the caller. The cookie layer inserts it when it adds the header;
/// the redirect layer drops such a header on the next hop, where the jar must
/// be asked again (the hop may go to another path, host or scheme).
///
/// ```
/// use clientcookie_layers::extensions::CookieHeaderFromJar;
///
/// let mut request = http::Request::get("http://example.com/").body(()).unwrap();
/// request.extensions_mut().insert(CookieHeaderFromJar);
/// assert!(request.extensions().get::<CookieHeaderFromJar>().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieHeaderFromJar;

/// The request's URI parsed as a [`url::Url`], kept in its extensions by the
/// first layer that needed it, so the layers after it do not parse the same
/// URI again (the redirect, refresh and referer layers each need the URL;
/// parsing it was the largest single cost of the stack per request).
///
/// It is valid only for the URI it was made from: [`RequestUrl::of`] checks
/// that the request's URI is still that one and parses afresh otherwise, so
/// a layer that changes a request's URI without updating this value costs a
/// parse, never a wrong URL. A layer that sends a new URL (the redirect
/// layer's next hop) stores it with [`RequestUrl::set`].
///
/// ```
/// use clientcookie_layers::extensions::RequestUrl;
///
/// let (mut parts, ()) = http::Request::get("http://example.com/a?b").body(()).unwrap().into_parts();
/// let url = RequestUrl::of(&mut parts).unwrap();
/// assert_eq!(url.path(), "/a");
/// assert!(parts.extensions.get::<RequestUrl>().is_some());
///
/// // A changed URI is parsed again.
/// parts.uri = "http://example.com/c".parse().unwrap();
/// assert_eq!(RequestUrl::of(&mut parts).unwrap().path(), "/c");
/// ```
#[cfg(any(feature = "redirect", feature = "referer"))]
#[derive(Debug, Clone)]
pub struct RequestUrl {
    // Shared: the value is cloned with the request head (a redirect or
    // refresh template, every hop), and a clone is then one reference
    // count instead of a copy of the URL's text.
    shared: Arc<(http::Uri, url::Url)>,
}

#[cfg(any(feature = "redirect", feature = "referer"))]
impl RequestUrl {
    /// The URL of `parts.uri`: the cached one when it was made from this
    /// URI, else parsed now and cached. `None` when the URI is no URL.
    pub fn of(parts: &mut http::request::Parts) -> Option<url::Url> {
        RequestUrl::shared_of(&parts.uri, &mut parts.extensions).map(|u| u.url().clone())
    }

    /// The cached URL of `request`'s URI, parsing it if needed (and caching
    /// it in the request).
    pub fn of_request<B>(request: &mut http::Request<B>) -> Option<url::Url> {
        RequestUrl::shared_of_request(request).map(|u| u.url().clone())
    }

    /// The URL already parsed for `uri` and kept in `extensions`, if any: no
    /// parse, no copy. For code after the layers that needs a `Url` (an
    /// HTTP client that takes one) and would otherwise parse the URI again.
    ///
    /// ```
    /// use clientcookie_layers::extensions::RequestUrl;
    ///
    /// let (mut parts, ()) = http::Request::get("http://example.com/a").body(()).unwrap().into_parts();
    /// assert!(RequestUrl::cached(&parts.uri, &parts.extensions).is_none());
    /// RequestUrl::of(&mut parts);
    /// let url = RequestUrl::cached(&parts.uri, &parts.extensions).unwrap();
    /// assert_eq!(url.as_str(), "http://example.com/a");
    /// ```
    pub fn cached<'a>(uri: &http::Uri, extensions: &'a http::Extensions) -> Option<&'a url::Url> {
        extensions
            .get::<RequestUrl>()
            .filter(|cached| cached.shared.0 == *uri)
            .map(RequestUrl::url)
    }

    /// `uri` parsed as a URL, as `Url::parse(&uri.to_string())` would,
    /// without the formatting (which costs about half as much again as
    /// the parse); nothing is cached. For code after the layers that needs
    /// a `Url` when [`cached`](Self::cached) has none.
    ///
    /// ```
    /// use clientcookie_layers::extensions::RequestUrl;
    ///
    /// let uri: http::Uri = "http://example.com/a?b".parse().unwrap();
    /// assert_eq!(RequestUrl::parse(&uri).unwrap().as_str(), "http://example.com/a?b");
    /// assert!(RequestUrl::parse(&"/relative".parse().unwrap()).is_none());
    /// ```
    pub fn parse(uri: &http::Uri) -> Option<url::Url> {
        parse_uri(uri)
    }

    /// Record that `uri` is `url`.
    pub fn set(extensions: &mut http::Extensions, uri: http::Uri, url: url::Url) {
        extensions.insert(RequestUrl {
            shared: Arc::new((uri, url)),
        });
    }

    /// The cached value for `uri` (a reference count, no copy of the URL),
    /// parsing and caching it when `extensions` has none for this URI.
    pub(crate) fn shared_of(
        uri: &http::Uri,
        extensions: &mut http::Extensions,
    ) -> Option<RequestUrl> {
        if let Some(cached) = extensions.get::<RequestUrl>() {
            if cached.shared.0 == *uri {
                return Some(cached.clone());
            }
        }
        let url = parse_uri(uri)?;
        let value = RequestUrl {
            shared: Arc::new((uri.clone(), url)),
        };
        extensions.insert(value.clone());
        Some(value)
    }

    /// [`shared_of`](Self::shared_of) for a whole request.
    pub(crate) fn shared_of_request<B>(request: &mut http::Request<B>) -> Option<RequestUrl> {
        if let Some(cached) = request.extensions().get::<RequestUrl>() {
            if cached.shared.0 == *request.uri() {
                return Some(cached.clone());
            }
        }
        let uri = request.uri().clone();
        let url = parse_uri(&uri)?;
        let value = RequestUrl {
            shared: Arc::new((uri, url)),
        };
        request.extensions_mut().insert(value.clone());
        Some(value)
    }

    /// The URL.
    pub(crate) fn url(&self) -> &url::Url {
        &self.shared.1
    }
}

/// The URL of `uri`: the one kept for it in `extensions` (a copy), else
/// parsed now; nothing is cached. For a layer that needs the URL only when
/// something happens (a hop followed), long after the request went in.
#[cfg(feature = "redirect")]
pub(crate) fn url_of(uri: &http::Uri, extensions: &http::Extensions) -> Option<url::Url> {
    match RequestUrl::cached(uri, extensions) {
        Some(url) => Some(url.clone()),
        None => parse_uri(uri),
    }
}

/// True when `uri` certainly parses as a URL, found without parsing it:
/// an `http` or `https` URI without userinfo, with a port of at most
/// 65535 if any, whose host is plain lowercase ASCII labels (letters,
/// digits, inner hyphens; no `xn--`, so no IDNA; the last label begins
/// with a letter, so it is no IPv4 number). The URL parser (WHATWG) cannot
/// refuse such a URI: it fails only on hosts and ports, and its path and
/// query are percent-encoded, never refused. Anything else — an IP
/// address, an upper-case or international host, userinfo — answers
/// `false`, and the caller parses at once as it always did.
#[cfg(feature = "redirect")]
pub(crate) fn surely_a_url(uri: &http::Uri) -> bool {
    const LABEL: u8 = 1;
    const DOT: u8 = 2;
    const COLON: u8 = 3;
    // What each byte of a host can be for `surely_a_url`: a label's
    // (lowercase letter, digit, hyphen), a dot, the colon before the port,
    // or (0) anything else.
    const HOST_BYTE: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            table[b] = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' {
                LABEL
            } else if c == b'.' {
                DOT
            } else if c == b':' {
                COLON
            } else {
                0
            };
            b += 1;
        }
        table
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return false;
    }
    let Some(authority) = uri.authority() else {
        return false;
    };
    // One pass over the host's bytes (this runs for every request), one
    // table look-up per byte; each label is checked at its end.
    let bytes = authority.as_str().as_bytes();
    let label_ok = |label: &[u8]| match (label.first(), label.last()) {
        (Some(first), Some(last)) => {
            *first != b'-' && *last != b'-' && label.get(2..4) != Some(b"--")
        }
        _ => false, // an empty label
    };
    let mut label_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        match HOST_BYTE[usize::from(bytes[at])] {
            LABEL => {}
            DOT => {
                if !label_ok(&bytes[label_start..at]) {
                    return false;
                }
                label_start = at + 1;
            }
            COLON => break,
            _ => return false,
        }
        at += 1;
    }
    let last = &bytes[label_start..at];
    if !label_ok(last) {
        return false;
    }
    let last_starts_with_letter = last[0].is_ascii_lowercase();
    if at < bytes.len() {
        let port = &bytes[at + 1..];
        let digits = !port.is_empty() && port.len() <= 5 && port.iter().all(u8::is_ascii_digit);
        if !digits {
            return false;
        }
        let value = port.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        if value > u32::from(u16::MAX) {
            return false;
        }
    }
    last_starts_with_letter
}

/// `Url::parse(&uri.to_string())` without the formatter: the text is the
/// one `Uri`'s `Display` writes, built in one allocation of the right size
/// (the formatter's growing buffer cost more than the parse itself).
#[cfg(any(feature = "redirect", feature = "referer"))]
pub(crate) fn parse_uri(uri: &http::Uri) -> Option<url::Url> {
    let scheme = uri.scheme_str().unwrap_or("");
    let authority = uri.authority().map_or("", http::uri::Authority::as_str);
    let path = uri.path();
    let query = uri.query();
    let len = scheme.len() + 3 + authority.len() + path.len() + query.map_or(0, |q| q.len() + 1);
    // On the stack when it fits (nearly always): the parse copies the text
    // into the URL anyway.
    let mut inline = [0u8; 256];
    let mut heap = Vec::new();
    let buf: &mut [u8] = if len <= inline.len() {
        &mut inline[..len]
    } else {
        heap.resize(len, 0);
        &mut heap
    };
    let mut at = 0;
    let mut push = |s: &str| {
        buf[at..at + s.len()].copy_from_slice(s.as_bytes());
        at += s.len();
    };
    if uri.scheme().is_some() {
        push(scheme);
        push("://");
    }
    push(authority);
    push(path);
    if let Some(query) = query {
        push("?");
        push(query);
    }
    let text = std::str::from_utf8(&buf[..at]).ok()?;
    debug_assert_eq!(text, uri.to_string());
    url::Url::parse(text).ok()
}

#[cfg(all(test, any(feature = "redirect", feature = "referer")))]
mod tests {
    use super::parse_uri;

    #[test]
    fn a_uri_is_parsed_as_its_text_short_or_long() {
        for text in [
            "http://a.example/x?y=1".to_owned(),
            format!(
                "https://b.example:8443/{}?q={}",
                "p/".repeat(100),
                "v".repeat(100)
            ),
        ] {
            let uri: http::Uri = text.parse().unwrap();
            assert_eq!(parse_uri(&uri).unwrap().as_str(), text);
        }
    }

    #[cfg(feature = "redirect")]
    #[test]
    fn a_uri_said_to_be_surely_a_url_parses_and_the_doubtful_ones_are_left_to_the_parser() {
        use super::surely_a_url;
        let sure = [
            "http://a.example/x?y=1",
            "https://b.example:8443/p%zz/q?r=%%",
            "http://localhost:65535/",
            "http://a-b.c9.example/",
            "http://x/",
            "http://ab-c.d1/",
            "http://test.example:0/",
        ];
        for text in sure {
            let uri: http::Uri = text.parse().unwrap();
            assert!(surely_a_url(&uri), "{text}");
            assert!(parse_uri(&uri).is_some(), "{text}");
        }
        // Each of these is sent to the parser at once (some parse, some do not).
        let doubtful = [
            "http://127.0.0.1/",
            "http://999.1.1.1/",
            "http://a.example.1/",
            "http://a.0x1/",
            "http://[::1]/",
            "http://A.example/",
            "http://xn--zz.example/",
            "http://ab--c.example/",
            "http://-a.example/",
            "http://a-.example/",
            "http://a..example/",
            "http://a.example./",
            "http://u:p@a.example/",
            "http://a.example:99999/",
            "http://a.example:/",
            "http://a_b.example/",
            "http://a%41.example/",
            "ftp://a.example/",
            "/relative",
        ];
        for text in doubtful {
            // (`http` refuses some of them already.)
            let Ok(uri) = text.parse::<http::Uri>() else {
                continue;
            };
            assert!(!surely_a_url(&uri), "{text}");
        }
    }

    #[cfg(feature = "redirect")]
    proptest::proptest! {
        #[test]
        fn every_uri_said_to_be_surely_a_url_parses(
            host in "[a-z0-9xn.A_:@-]{0,14}",
            port in proptest::option::of("[0-9]{0,6}"),
        ) {
            let text = match port {
                Some(port) => format!("http://{host}:{port}/p"),
                None => format!("http://{host}/p"),
            };
            if let Ok(uri) = text.parse::<http::Uri>() {
                if super::surely_a_url(&uri) {
                    proptest::prop_assert!(parse_uri(&uri).is_some(), "{}", text);
                }
            }
        }
    }
}
