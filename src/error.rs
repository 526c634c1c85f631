//! [`Error`]: what can go wrong in an [`Opener`](crate::Opener), told apart
//! by predicates.

use std::error::Error as StdError;
use std::fmt;

use clientcookie_layers::redirect::RedirectError;
use url::Url;

use crate::BoxError;

/// Why a request through an [`Opener`](crate::Opener) failed.
///
/// Opaque, as reqwest's and hyper's errors are: ask it what it is with the
/// `is_*` predicates, and find the cause down [`source`](StdError::source)
/// (the layer's or the HTTP client's own error, boxed as it was).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let opener = clientcookie::Opener::builder().build().unwrap();
/// let error = opener.get("not a url").await.unwrap_err();
/// assert!(error.is_builder());
/// assert!(!error.is_network());
/// # }
/// ```
#[derive(thiserror::Error)]
#[error("{kind}{}", url.as_ref().map(|u| format!(" ({u})")).unwrap_or_default())]
pub struct Error {
    kind: Kind,
    url: Option<Url>,
    #[source]
    source: Option<BoxError>,
}

/// An opener built without an HTTP client.
#[derive(Debug, thiserror::Error)]
#[error("no HTTP client: enable feature `reqwest` or `hyper`, or give one with `OpenerBuilder::service`")]
#[allow(dead_code)]
pub(crate) struct NoBackend;

/// What kind of failure; the predicates of [`Error`] read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The opener could not be built, or the request was not valid.
    Builder,
    /// Connecting, sending or receiving failed.
    Network,
    /// robots.txt refused the URL.
    RobotsDenied,
    /// A redirect chain asked for the same URL twice.
    RedirectLoop,
    /// A redirect chain used up its hop budget.
    TooManyRedirects,
    /// A redirect the layer could not follow (bad `Location`, other scheme).
    Redirect,
    /// Reading the request body failed.
    RequestBody,
    /// A body was larger than the limit asked for.
    TooLarge,
    /// A local file could not be written ([`retrieve`](crate::retrieve)).
    Io,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Builder => "invalid request or configuration",
            Kind::Network => "network error",
            Kind::RobotsDenied => "refused by robots.txt",
            Kind::RedirectLoop => "redirect loop",
            Kind::TooManyRedirects => "too many redirects",
            Kind::Redirect => "redirect not followed",
            Kind::RequestBody => "could not read the request body",
            Kind::TooLarge => "body larger than the limit",
            Kind::Io => "I/O error",
        })
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("clientcookie::Error");
        d.field("kind", &self.kind);
        if let Some(url) = &self.url {
            d.field("url", &url.as_str());
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl Error {
    pub(crate) fn new(kind: Kind, source: Option<BoxError>) -> Error {
        Error {
            kind,
            url: None,
            source,
        }
    }

    pub(crate) fn builder(source: impl Into<BoxError>) -> Error {
        Error::new(Kind::Builder, Some(source.into()))
    }

    pub(crate) fn io(source: std::io::Error) -> Error {
        Error::new(Kind::Io, Some(source.into()))
    }

    pub(crate) fn with_url(mut self, url: Option<Url>) -> Error {
        if self.url.is_none() {
            self.url = url;
        }
        self
    }

    /// Sort an error that came out of the stack by what is in its chain.
    pub(crate) fn from_stack(error: BoxError) -> Error {
        let kind = classify(&*error);
        Error::new(kind, Some(error))
    }

    /// The URL the failing request was for, when known.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let opener = clientcookie::Opener::builder().build().unwrap();
    /// let error = opener.get("http://127.0.0.1:1/").await.unwrap_err();
    /// assert_eq!(error.url().map(|u| u.as_str()), Some("http://127.0.0.1:1/"));
    /// # }
    /// ```
    pub fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }

    /// The opener could not be built, or the request was not valid (not a
    /// URL, a header value with a line break, a scheme the backend does not
    /// speak).
    pub fn is_builder(&self) -> bool {
        self.kind == Kind::Builder
    }

    /// Connecting, sending the request or receiving the response failed
    /// (including timeouts and a connection that broke mid-body).
    pub fn is_network(&self) -> bool {
        self.kind == Kind::Network
    }

    /// The request timed out (a network error too).
    pub fn is_timeout(&self) -> bool {
        let mut next: Option<&(dyn StdError + 'static)> = self.source.as_deref().map(as_dyn);
        while let Some(error) = next {
            #[cfg(feature = "reqwest")]
            if let Some(e) = error.downcast_ref::<reqwest::Error>() {
                if e.is_timeout() {
                    return true;
                }
            }
            if let Some(e) = error.downcast_ref::<std::io::Error>() {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    return true;
                }
            }
            next = error.source();
        }
        false
    }

    /// robots.txt disallows the URL (the seed's `RobotExclusionError`), or
    /// the site's robots.txt could not be fetched and so disallows
    /// everything for a while; the request was never sent. The details
    /// (which URL, which user-agent token) are in
    /// [`robots_denied`](Self::robots_denied).
    pub fn is_robots_denied(&self) -> bool {
        self.kind == Kind::RobotsDenied
    }

    /// The robots layer's refusal in the chain, if any.
    pub fn robots_denied(&self) -> Option<&clientcookie_layers::robots::RobotsDenied> {
        find(self.source.as_deref().map(as_dyn))
    }

    /// A redirect (or refresh) chain asked for the same URL twice.
    pub fn is_redirect_loop(&self) -> bool {
        self.kind == Kind::RedirectLoop
    }

    /// A redirect (or refresh) chain went past the opener's
    /// [`max_redirects`](crate::OpenerBuilder::max_redirects).
    pub fn is_too_many_redirects(&self) -> bool {
        self.kind == Kind::TooManyRedirects
    }

    /// Any redirect failure: a loop, too many, or one that could not be
    /// followed (a `Location` that is not a URL, a scheme other than
    /// http/https).
    pub fn is_redirect(&self) -> bool {
        matches!(
            self.kind,
            Kind::RedirectLoop | Kind::TooManyRedirects | Kind::Redirect
        )
    }

    /// Reading the caller's request body failed.
    pub fn is_request_body(&self) -> bool {
        self.kind == Kind::RequestBody
    }

    /// A body was larger than the limit asked for
    /// ([`Response::bytes_limited`](crate::Response::bytes_limited)).
    pub fn is_too_large(&self) -> bool {
        self.kind == Kind::TooLarge
    }

    /// A local file operation failed ([`retrieve`](crate::retrieve)).
    pub fn is_io(&self) -> bool {
        self.kind == Kind::Io
    }

    /// The redirect layer's error in the chain, if any: the redirect
    /// history of a [`RedirectError::TooManyRedirects`], the URL of a loop.
    pub fn redirect_error(&self) -> Option<&RedirectError> {
        find::<RedirectError>(self.source.as_deref().map(as_dyn))
    }
}

fn as_dyn<'a>(e: &'a (dyn StdError + Send + Sync + 'static)) -> &'a (dyn StdError + 'static) {
    e
}

fn find<'a, T: StdError + 'static>(
    mut next: Option<&'a (dyn StdError + 'static)>,
) -> Option<&'a T> {
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        next = error.source();
    }
    None
}

/// The first error in the chain that says what happened decides.
fn classify(error: &(dyn StdError + Send + Sync + 'static)) -> Kind {
    let mut next: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = next {
        if error
            .downcast_ref::<clientcookie_layers::robots::RobotsDenied>()
            .is_some()
        {
            return Kind::RobotsDenied;
        }
        if let Some(e) = error.downcast_ref::<RedirectError>() {
            return match e {
                RedirectError::Loop { .. } => Kind::RedirectLoop,
                RedirectError::TooManyRedirects { .. } => Kind::TooManyRedirects,
                RedirectError::Body(_) => Kind::RequestBody,
                _ => Kind::Redirect,
            };
        }
        #[cfg(feature = "reqwest")]
        if let Some(e) = error.downcast_ref::<reqwest::Error>() {
            return if e.is_builder() {
                Kind::Builder
            } else {
                Kind::Network
            };
        }
        #[cfg(feature = "hyper")]
        if error
            .downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some()
        {
            // Requests hyper-util would call invalid are refused by the
            // adapter first (`InvalidUri`): what is left is the network's.
            return Kind::Network;
        }
        #[cfg(feature = "hyper")]
        if error.downcast_ref::<hyper::Error>().is_some() {
            return Kind::Network;
        }
        if error.downcast_ref::<std::io::Error>().is_some() {
            return Kind::Network;
        }
        if error.downcast_ref::<crate::backend::InvalidUri>().is_some() {
            return Kind::Builder;
        }
        next = error.source();
    }
    Kind::Network
}
