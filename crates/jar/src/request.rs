//! The facts about a request that cookie decisions depend on.
//!
//! [`CookieRequest`] is the jar's parsed view of a request: scheme, host,
//! port, path and method, plus the [`RequestFacts`] a client puts into the
//! request's `http::Extensions` (whether the transaction is unverifiable and
//! which host the user originally asked for, in RFC 2965's terms).

use compact_str::CompactString;
use http::{Method, Uri};

/// Per-request facts that do not show in the URL, carried in
/// `http::Extensions`. The redirect layer sets them on every hop after the
/// first; a caller may set them too.
///
/// RFC 2965 §3.3.6: a transaction is *unverifiable* when the user had no
/// chance to review the URL first (an image in a page, a redirect). The
/// *origin request-host* is the host of the request the user did start.
///
/// ```
/// use clientcookie_jar::RequestFacts;
///
/// let mut request = http::Request::get("https://ads.example.net/pixel").body(()).unwrap();
/// request.extensions_mut().insert(RequestFacts::unverifiable_from("www.example.com"));
/// assert!(request.extensions().get::<RequestFacts>().unwrap().unverifiable);
/// ```
// `repr(C)`: `unverifiable` first (`CookieRequest` keeps a copy of it
// with its other flags, asked for every cookie stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[repr(C)]
pub struct RequestFacts {
    /// The user did not choose this URL (RFC 2965 §3.3.6).
    pub unverifiable: bool,
    /// Host of the request the user initiated, lower case, without port.
    /// `None` means "this request's own host".
    pub origin_host: Option<String>,
}

impl RequestFacts {
    /// Facts of an unverifiable request made on behalf of a page from `origin_host`.
    ///
    /// ```
    /// use clientcookie_jar::RequestFacts;
    /// let facts = RequestFacts::unverifiable_from("Example.com");
    /// assert_eq!(facts.origin_host.as_deref(), Some("example.com"));
    /// ```
    pub fn unverifiable_from(origin_host: &str) -> RequestFacts {
        RequestFacts {
            unverifiable: true,
            origin_host: Some(origin_host.to_ascii_lowercase()),
        }
    }
}

/// Why a URL or request cannot be used for cookies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The URL could not be parsed.
    #[error("invalid URL {0:?}")]
    InvalidUrl(String),
    /// Neither the URL nor a `Host` header names a host.
    #[error("request has no host")]
    NoHost,
}

/// The jar's view of one request: what cookie decisions need, parsed once.
///
/// ```
/// use clientcookie_jar::CookieRequest;
///
/// let request = CookieRequest::parse("https://WWW.Example.com:8443/a/b?q=1").unwrap();
/// assert_eq!(request.host(), "www.example.com");
/// assert_eq!(request.port(), 8443);
/// assert_eq!(request.path(), "/a/b");
/// assert!(request.is_secure());
/// ```
// `repr(C)` and this order keep what storing a cookie reads (the flags,
// host, path) in the first 56 bytes, and the flags with the host in the
// first 32: a request whose flags followed its path straddled two cache
// lines seven times in eight, and when it was not in the cache (the ingest
// benchmark holds 100,000) the flags' line was a miss of its own.
#[derive(Clone, PartialEq, Eq)]
#[repr(C)]
pub struct CookieRequest {
    port: u16,
    is_ip: bool,
    // Asked for every cookie stored (is the origin secure?): decided once.
    is_loopback: bool,
    // The scheme is `https` or `wss`, the default secure protocols: the
    // default policy's answer for every cookie stored, decided once.
    is_https_or_wss: bool,
    // `facts.unverifiable`, asked for every cookie stored, next to the
    // other flags (set wherever `facts` is).
    unverifiable: bool,
    // Host (lower case) and path: usually short enough to be held inline,
    // without an allocation; the host is what a host-only cookie's domain
    // is cloned from.
    host: CompactString,
    path: CompactString,
    facts: RequestFacts,
    // Borrowed for the usual schemes: one allocation less per request.
    scheme: std::borrow::Cow<'static, str>,
    method: Method,
}

/// `Authority::host` and `Authority::port_u16` of `authority` (the same
/// results), in one pass over its bytes instead of two searches each.
fn host_and_port(authority: &str) -> (&str, Option<u16>) {
    let bytes = authority.as_bytes();
    // As `Authority::port`: the digits after the last ':' anywhere.
    let port = bytes
        .iter()
        .rposition(|&b| b == b':')
        .and_then(|i| parse_port(&authority[i + 1..]));
    // As `Authority::host`: after the last '@', up to the ']' of an IPv6
    // literal or the first ':'.
    let start = bytes.iter().rposition(|&b| b == b'@').map_or(0, |i| i + 1);
    let host_port = &authority[start..];
    let end = if host_port.starts_with('[') {
        host_port
            .bytes()
            .position(|b| b == b']')
            .map_or(host_port.len(), |i| i + 1)
    } else {
        host_port
            .bytes()
            .position(|b| b == b':')
            .unwrap_or(host_port.len())
    };
    (&host_port[..end], port)
}

/// `port.parse::<u16>().ok()`, with the usual one to five ASCII digits
/// read without the general integer parser (which cost more than the rest
/// of this function).
fn parse_port(port: &str) -> Option<u16> {
    let digits = port.as_bytes();
    if (1..=5).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) {
        let value = digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        return u16::try_from(value).ok();
    }
    port.parse().ok()
}

impl std::fmt::Debug for CookieRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieRequest")
            .field("scheme", &self.scheme)
            .field("host", &self.host())
            .field("port", &self.port)
            .field("path", &self.path())
            .field("method", &self.method)
            .field("is_ip", &self.is_ip)
            .field("facts", &self.facts)
            .finish()
    }
}

impl CookieRequest {
    /// Parse an absolute URL.
    ///
    /// ```
    /// use clientcookie_jar::CookieRequest;
    /// assert!(CookieRequest::parse("not a url").is_err());
    /// assert_eq!(CookieRequest::parse("http://h.example/").unwrap().port(), 80);
    /// ```
    pub fn parse(url: &str) -> Result<CookieRequest, RequestError> {
        let uri: Uri = url
            .parse()
            .map_err(|_| RequestError::InvalidUrl(url.to_owned()))?;
        CookieRequest::from_uri(&uri, None)
    }

    /// From a URI, with the `Host` header's value used when the URI has no
    /// authority (origin-form, as a server or a proxy sees requests).
    ///
    /// ```
    /// use clientcookie_jar::CookieRequest;
    /// let uri: http::Uri = "/index.html".parse().unwrap();
    /// let request = CookieRequest::from_uri(&uri, Some("example.com:8080")).unwrap();
    /// assert_eq!(request.host(), "example.com");
    /// assert_eq!(request.port(), 8080);
    /// ```
    pub fn from_uri(uri: &Uri, host_header: Option<&str>) -> Result<CookieRequest, RequestError> {
        let scheme = match uri.scheme_str().unwrap_or("http") {
            s if s.eq_ignore_ascii_case("http") => std::borrow::Cow::Borrowed("http"),
            s if s.eq_ignore_ascii_case("https") => std::borrow::Cow::Borrowed("https"),
            s => std::borrow::Cow::Owned(s.to_ascii_lowercase()),
        };
        let is_https_or_wss = matches!(&*scheme, "https" | "wss");
        let parsed;
        let authority = match uri.authority() {
            Some(authority) => authority,
            None => {
                let header = host_header.ok_or(RequestError::NoHost)?;
                parsed = header
                    .parse::<http::uri::Authority>()
                    .map_err(|_| RequestError::NoHost)?;
                &parsed
            }
        };
        let (host, port) = host_and_port(authority.as_str());
        if host.is_empty() {
            return Err(RequestError::NoHost);
        }
        let port = port.unwrap_or(if is_https_or_wss { 443 } else { 80 });
        let path = match uri.path() {
            "" => "/",
            p => p,
        };
        let mut lower_host = CompactString::from(host);
        // Hosts are nearly always written in lower case already.
        if crate::domain::has_ascii_uppercase(host.as_bytes()) {
            lower_host.make_ascii_lowercase();
        }
        // An authority's host holds a colon only inside brackets: one
        // without them is an address only when it is an IPv4 one, which
        // ends with a digit (most names are told apart by that alone).
        let is_ip = match lower_host.as_bytes() {
            [b'[', ..] | [.., b'0'..=b'9'] => crate::domain::is_ip(&lower_host),
            _ => false,
        };
        // A host that is no IP address is loopback only by name: no second
        // scan for an address.
        let is_loopback = if is_ip {
            crate::domain::is_loopback(&lower_host)
        } else {
            lower_host == "localhost" || lower_host.ends_with(".localhost")
        };
        Ok(CookieRequest {
            is_ip,
            is_loopback,
            is_https_or_wss,
            scheme,
            path: CompactString::from(path),
            host: lower_host,
            port,
            method: Method::GET,
            unverifiable: false,
            facts: RequestFacts::default(),
        })
    }

    /// From an `http::Request`: its URI (or `Host` header), method and the
    /// [`RequestFacts`] in its extensions.
    ///
    /// ```
    /// use clientcookie_jar::CookieRequest;
    /// let request = http::Request::post("http://example.com/login").body(()).unwrap();
    /// let view = CookieRequest::from_request(&request).unwrap();
    /// assert_eq!(view.method(), http::Method::POST);
    /// ```
    pub fn from_request<B>(request: &http::Request<B>) -> Result<CookieRequest, RequestError> {
        Self::from_head(
            request.uri(),
            request.headers(),
            request.method(),
            request.extensions(),
        )
    }

    /// From the parts of an `http::Request`.
    ///
    /// ```
    /// use clientcookie_jar::CookieRequest;
    /// let (parts, _) = http::Request::get("http://example.com/").body(()).unwrap().into_parts();
    /// assert_eq!(CookieRequest::from_parts(&parts).unwrap().host(), "example.com");
    /// ```
    pub fn from_parts(parts: &http::request::Parts) -> Result<CookieRequest, RequestError> {
        Self::from_head(&parts.uri, &parts.headers, &parts.method, &parts.extensions)
    }

    fn from_head(
        uri: &Uri,
        headers: &http::HeaderMap,
        method: &Method,
        extensions: &http::Extensions,
    ) -> Result<CookieRequest, RequestError> {
        // `Host` counts only for a URI without authority: not looked up
        // for the usual absolute URI.
        let host_header = match uri.authority() {
            Some(_) => None,
            None => headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok()),
        };
        let mut request = CookieRequest::from_uri(uri, host_header)?;
        request.method = method.clone();
        if let Some(facts) = extensions.get::<RequestFacts>() {
            request.unverifiable = facts.unverifiable;
            request.facts = facts.clone();
        }
        Ok(request)
    }

    /// The same request with other facts.
    ///
    /// ```
    /// use clientcookie_jar::{CookieRequest, RequestFacts};
    /// let request = CookieRequest::parse("http://img.example.net/")
    ///     .unwrap()
    ///     .with_facts(RequestFacts::unverifiable_from("example.com"));
    /// assert!(request.facts().unverifiable);
    /// ```
    #[must_use]
    pub fn with_facts(mut self, facts: RequestFacts) -> CookieRequest {
        self.unverifiable = facts.unverifiable;
        self.facts = facts;
        self
    }

    /// The same request with another method.
    ///
    /// ```
    /// use clientcookie_jar::CookieRequest;
    /// let request = CookieRequest::parse("http://example.com/").unwrap().with_method(http::Method::POST);
    /// assert_eq!(request.method(), http::Method::POST);
    /// ```
    #[must_use]
    pub fn with_method(mut self, method: Method) -> CookieRequest {
        self.method = method;
        self
    }

    /// Scheme, lower case.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert_eq!(CookieRequest::parse("HTTPS://a.example/").unwrap().scheme(), "https");
    /// ```
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host, lower case, without port (RFC 2965's request-host).
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert_eq!(CookieRequest::parse("http://A.example:81/").unwrap().host(), "a.example");
    /// ```
    #[inline]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// RFC 2965 §1 effective request-host: the host, with `.local` appended
    /// when it has no dot and is not an IP address.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert_eq!(CookieRequest::parse("http://intranet/").unwrap().effective_host(), "intranet.local");
    /// ```
    pub fn effective_host(&self) -> std::borrow::Cow<'_, str> {
        if !self.is_ip && !self.host().contains('.') {
            std::borrow::Cow::Owned(format!("{}.local", self.host()))
        } else {
            std::borrow::Cow::Borrowed(self.host())
        }
    }

    /// [`host`](Self::host) as the jar stores it: a host-only cookie's
    /// domain is a clone (a copy of 24 bytes for a host held inline).
    #[inline]
    pub(crate) fn host_compact(&self) -> &CompactString {
        &self.host
    }

    /// Port, explicit or the scheme's default.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert_eq!(CookieRequest::parse("https://a.example/").unwrap().port(), 443);
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Path of the request URI, without the query; `/` when empty.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert_eq!(CookieRequest::parse("http://a.example?q").unwrap().path(), "/");
    /// ```
    #[inline]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The request method.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert_eq!(CookieRequest::parse("http://a.example/").unwrap().method(), http::Method::GET);
    /// ```
    pub fn method(&self) -> Method {
        self.method.clone()
    }

    /// Whether the host is an IPv4 or IPv6 address.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert!(CookieRequest::parse("http://127.0.0.1/").unwrap().is_ip());
    /// ```
    #[inline]
    pub fn is_ip(&self) -> bool {
        self.is_ip
    }

    /// Whether the host is `localhost`, a name under it, or a loopback
    /// address (decided when the request was parsed).
    #[inline]
    pub(crate) fn is_loopback(&self) -> bool {
        self.is_loopback
    }

    /// The facts from the request's extensions.
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert!(!CookieRequest::parse("http://a.example/").unwrap().facts().unverifiable);
    /// ```
    #[inline]
    pub fn facts(&self) -> &RequestFacts {
        &self.facts
    }

    /// `facts().unverifiable`, from the flags next to the host.
    #[inline]
    pub(crate) fn is_unverifiable(&self) -> bool {
        debug_assert_eq!(self.unverifiable, self.facts.unverifiable);
        self.unverifiable
    }

    /// Whether the request goes over `https`/`wss`, or to a loopback host,
    /// which RFC 6265bis and browsers treat as secure (users of cookie_store
    /// kept asking for this to test Secure cookies locally).
    ///
    /// ```
    /// # use clientcookie_jar::CookieRequest;
    /// assert!(CookieRequest::parse("https://a.example/").unwrap().is_secure());
    /// assert!(CookieRequest::parse("http://localhost:8080/").unwrap().is_secure());
    /// assert!(!CookieRequest::parse("http://a.example/").unwrap().is_secure());
    /// ```
    pub fn is_secure(&self) -> bool {
        self.is_https_or_wss || self.is_loopback
    }

    /// Whether the scheme is `https` or `wss` (decided when the request was
    /// parsed).
    #[inline]
    pub(crate) fn is_https_or_wss(&self) -> bool {
        self.is_https_or_wss
    }

    /// The host of the request the user initiated (this request's host when
    /// the facts name none).
    pub(crate) fn origin_host(&self) -> &str {
        self.facts.origin_host.as_deref().unwrap_or(self.host())
    }
}

#[cfg(test)]
mod host_and_port_tests {
    use super::host_and_port;

    #[test]
    fn host_and_port_are_those_of_the_http_crate() {
        for text in [
            "a.example",
            "a.example:8080",
            "A.Example:80",
            "user:pw@a.example",
            "user:pw@a.example:81",
            "us@er@a.example:82",
            "[::1]",
            "[::1]:8443",
            "u@[fe80::1]:9",
            "a.example:",
            "127.0.0.1:65535",
            "a.example:65536",
            "a.example:+80",
            "a.example:080",
            "a.example:00000080",
        ] {
            let authority: http::uri::Authority = text.parse().unwrap();
            assert_eq!(
                host_and_port(authority.as_str()),
                (authority.host(), authority.port_u16()),
                "{text}"
            );
        }
    }
}

#[cfg(test)]
mod layout_tests {
    use super::{CookieRequest, RequestFacts};
    use std::mem::offset_of;

    /// What storing a cookie reads of its request sits in the first 56
    /// bytes, the flags with the host in the first 32.
    #[test]
    fn what_storing_reads_sits_in_the_requests_first_bytes() {
        assert!(offset_of!(CookieRequest, host) + 24 <= 32);
        assert!(offset_of!(CookieRequest, path) + 24 <= 56);
        assert!(offset_of!(CookieRequest, is_https_or_wss) < 8);
        assert!(offset_of!(CookieRequest, unverifiable) < 8);
    }

    /// The copy of `facts.unverifiable` follows the facts.
    #[test]
    fn the_unverifiable_flag_follows_the_facts() {
        let request = CookieRequest::parse("http://a.example/").unwrap();
        assert!(!request.is_unverifiable());
        let request = request.with_facts(RequestFacts::unverifiable_from("b.example"));
        assert!(request.is_unverifiable());
        let mut http = http::Request::get("http://a.example/").body(()).unwrap();
        http.extensions_mut()
            .insert(RequestFacts::unverifiable_from("b.example"));
        assert!(CookieRequest::from_request(&http)
            .unwrap()
            .is_unverifiable());
    }
}
