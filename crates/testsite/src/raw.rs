//! A deliberately tiny HTTP/1.1 client over a plain `TcpStream`, for the site's own tests and
//! doc examples and for tests elsewhere that want to send exactly the bytes they choose.
//!
//! Every request is sent with `Connection: close` and the whole response is read to the end of
//! the stream. It does not follow redirects, keep cookies or decode chunked bodies (the site
//! never sends chunked bodies but `/trailers`: every other response carries `Content-Length`).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use clientcookie_testsite::{raw, TestSite};
//!
//! let site = TestSite::start().await?;
//! let resp = raw::get(site.addr(), "a.example", "/status/418").await?;
//! assert_eq!(resp.status, 418);
//! # Ok(())
//! # }
//! ```

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Header fields in the order received; names lowercased, values as text (lossy).
    pub headers: Vec<(String, String)>,
    /// The body bytes (at most `Content-Length` of them).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of the header `name` (case-insensitive).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let site = clientcookie_testsite::TestSite::start().await?;
    /// let resp = clientcookie_testsite::raw::get(site.addr(), "a.example", "/echo").await?;
    /// assert_eq!(resp.header("Content-Type"), Some("application/json"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }

    /// Every value of the header `name` (case-insensitive), in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let site = clientcookie_testsite::TestSite::start().await?;
    /// let resp = clientcookie_testsite::raw::get(site.addr(), "a.example", "/set-cookie?a=1&b=2").await?;
    /// assert_eq!(resp.header_all("set-cookie"), ["a=1; Path=/", "b=2; Path=/"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as text (invalid UTF-8 replaced).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let site = clientcookie_testsite::TestSite::start().await?;
    /// let resp = clientcookie_testsite::raw::get(site.addr(), "a.example", "/status/404").await?;
    /// assert_eq!(resp.text(), "status 404\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON (what `/echo` sends).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let site = clientcookie_testsite::TestSite::start().await?;
    /// let resp = clientcookie_testsite::raw::get(site.addr(), "b.example", "/echo?x=1").await?;
    /// let echo = resp.json().expect("echo sends JSON");
    /// assert_eq!(echo["host"], "b.example");
    /// assert_eq!(echo["query"], "x=1");
    /// # Ok(())
    /// # }
    /// ```
    pub fn json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
    }
}

/// Sends `GET path` with `Host: host:PORT` to `addr`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let site = clientcookie_testsite::TestSite::start().await?;
/// let resp = clientcookie_testsite::raw::get(site.addr(), "www.site.test", "/nowhere").await?;
/// assert_eq!(resp.status, 404);
/// # Ok(())
/// # }
/// ```
pub async fn get(addr: SocketAddr, host: &str, path: &str) -> io::Result<RawResponse> {
    request(addr, "GET", host, path, &[], b"").await
}

/// Sends one request: `method path`, `Host: host:PORT` (unless `host` has a port already),
/// the given extra headers, `Content-Length` when there is a body or the method is POST or PUT,
/// and `Connection: close`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let site = clientcookie_testsite::TestSite::start().await?;
/// use clientcookie_testsite::raw;
///
/// let resp = raw::request(
///     site.addr(), "POST", "a.example", "/echo",
///     &[("Cookie", "a=1"), ("Content-Type", "text/plain")], b"hello",
/// ).await?;
/// let echo = resp.json().expect("JSON");
/// assert_eq!(echo["headers"]["cookie"][0], "a=1");
/// assert_eq!(echo["body"], "hello");
/// # Ok(())
/// # }
/// ```
pub async fn request(
    addr: SocketAddr,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<RawResponse> {
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    if has_port(host) {
        req.push_str(&format!("Host: {host}\r\n"));
    } else {
        req.push_str(&format!("Host: {host}:{}\r\n", addr.port()));
    }
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("Connection: close\r\n\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    send(addr, &bytes).await
}

/// Writes `request` (a complete HTTP/1.1 request, which should ask for `Connection: close`)
/// to `addr` and reads the response until the server closes the connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let site = clientcookie_testsite::TestSite::start().await?;
/// let resp = clientcookie_testsite::raw::send(
///     site.addr(),
///     b"GET /echo HTTP/1.1\r\nHost: UPPER.Example:80\r\nConnection: close\r\n\r\n",
/// ).await?;
/// assert_eq!(resp.json().expect("JSON")["host"], "upper.example");
/// # Ok(())
/// # }
/// ```
pub async fn send(addr: SocketAddr, request: &[u8]) -> io::Result<RawResponse> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await?;
    parse(&buf)
}

/// `a.example:80` and `[::1]:80` have a port; `a.example`, `[::1]` and `::1` do not.
fn has_port(host: &str) -> bool {
    match host.rfind(']') {
        Some(close) => host[close..].contains(':'),
        None => host.matches(':').count() == 1,
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Parses a complete response: status line, header fields, body.
pub(crate) fn parse(buf: &[u8]) -> io::Result<RawResponse> {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("response has no end of header section"))?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    if let Some(length) = length {
        body.truncate(length);
    }
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}
