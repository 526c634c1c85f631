//! [`SharedJar`] as a `reqwest::cookie::CookieStore` (cargo feature
//! `reqwest`): this jar in a plain reqwest client, without the layers.
//!
//! ```no_run
//! use std::sync::Arc;
//! use clientcookie_jar::{CookieJar, SharedJar};
//!
//! # async fn run() -> Result<(), reqwest::Error> {
//! let jar = SharedJar::new(CookieJar::new());
//! let client = reqwest::Client::builder().cookie_provider(Arc::new(jar.clone())).build()?;
//! client.get("https://example.com/login").send().await?;
//! println!("{} cookies", jar.lock().unwrap().len());
//! # Ok(())
//! # }
//! ```
//!
//! What reqwest's trait cannot carry, and so what this route lacks next to
//! `clientcookie_layers::cookie::CookieLayer`:
//!
//! - **Unverifiable requests.** reqwest does not say which requests its
//!   redirect policy made, so every request is judged as one the user chose
//!   (RFC 2965 §3.3.6): a cookie set by a third-party redirect target is not
//!   refused as unverifiable, as the redirect layer would have it.
//! - **RFC 2965.** Only `Set-Cookie` reaches the store and only `Cookie` goes
//!   out: no `Set-Cookie2`, no `Cookie2`.
//! - **The method.** Requests are judged as `GET`s (it matters only to
//!   SameSite rules for unverifiable requests, which this route has none of).

use http::header::{HeaderMap, HeaderValue, SET_COOKIE};
use std::sync::PoisonError;

use crate::{CookieRequest, SharedJar};

impl reqwest::cookie::CookieStore for SharedJar {
    fn set_cookies(&self, cookie_headers: &mut dyn Iterator<Item = &HeaderValue>, url: &url::Url) {
        let request = match CookieRequest::parse(url.as_str()) {
            Ok(request) => request,
            Err(error) => {
                tracing::debug!(%error, %url, "cookies not stored: not a URL the jar takes");
                return;
            }
        };
        let mut headers = HeaderMap::new();
        for value in cookie_headers {
            headers.append(SET_COOKIE, value.clone());
        }
        if headers.is_empty() {
            return;
        }
        // A poisoned lock means a panic elsewhere mid-call; the jar's
        // operations leave it consistent between calls.
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extract_from_headers(&request, &headers);
    }

    fn cookies(&self, url: &url::Url) -> Option<HeaderValue> {
        let request = CookieRequest::parse(url.as_str()).ok()?;
        let header = self
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cookie_header(&request)?;
        // The jar only stores cookies that are valid header text.
        HeaderValue::from_str(&header).ok()
    }
}

#[cfg(test)]
mod tests {
    use reqwest::cookie::CookieStore;

    use crate::{CookieJar, SharedJar};

    #[test]
    fn a_cookie_stored_through_the_trait_is_returned_through_it() {
        let jar = SharedJar::new(CookieJar::new());
        let url = url::Url::parse("https://www.example.com/a/b").unwrap();
        let set = [
            http::HeaderValue::from_static("sid=1; Path=/"),
            http::HeaderValue::from_static("pref=x; Domain=example.com; Path=/"),
            http::HeaderValue::from_static("bad=1; Domain=other.example"),
        ];
        jar.set_cookies(&mut set.iter(), &url);
        assert_eq!(jar.lock().unwrap().len(), 2);
        let sent = jar.cookies(&url).unwrap();
        let mut names: Vec<&str> = sent.to_str().unwrap().split("; ").collect();
        names.sort_unstable();
        assert_eq!(names, ["pref=x", "sid=1"]);
        let other = url::Url::parse("https://cdn.example.com/").unwrap();
        assert_eq!(jar.cookies(&other).unwrap(), "pref=x");
        let elsewhere = url::Url::parse("https://other.example/").unwrap();
        assert_eq!(jar.cookies(&elsewhere), None);
    }
}
