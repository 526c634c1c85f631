//! # clientcookie
//!
//! A Rust HTTP client that behaves like a careful browser: a cookie jar that
//! decides correctly which cookies to accept and return (RFC 6265bis, and
//! RFC 2965 when asked), plus small tower layers for Referer, Refresh,
//! `<meta http-equiv>`, robots.txt and re-readable bodies.
//!
//! This facade re-exports the crates of the workspace. The jar lives in
//! [`jar`]:
//!
//! ```
//! use clientcookie::jar::CookieJar;
//!
//! let mut jar = CookieJar::new();
//! let request = http::Request::get("https://example.com/").body(()).unwrap();
//! let response = http::Response::builder()
//!     .header("set-cookie", "sid=42; Path=/")
//!     .body(())
//!     .unwrap();
//! jar.extract_cookies(&request, &response);
//! assert_eq!(jar.cookie_header_for("https://example.com/").as_deref(), Some("sid=42"));
//! ```

pub use clientcookie_jar as jar;
pub use clientcookie_layers as layers;
