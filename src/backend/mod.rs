//! The inner service of an [`Opener`](crate::Opener): an HTTP client as a
//! tower `Service` that the layers wrap.
//!
//! Both adapters give the response the request's extensions (the
//! per-request context: [`RequestFacts`], the hop budget, a [`SessionJar`],
//! anything the caller put there), so what travelled with the request can
//! be read off the response. The response's
//! own extensions win where both have a value of one type. They are taken
//! out of the request before it goes to the HTTP client (moved, not cloned,
//! to save an allocation per value): the client does not see them.
//!
//! - `ReqwestService` (feature `reqwest`, on by default) turns an
//!   `http::Request<B>` into a `reqwest::Request` and the `reqwest::Response`
//!   back into an `http::Response<reqwest::Body>`. reqwest keeps the final
//!   URL and the request's extensions to itself once a response becomes an
//!   `http::Response`; the adapter puts them back, the URL as [`FinalUrl`].
//!   Give it a client with
//!   reqwest's own redirects, cookie store and referer off
//!   (`reqwest_client_builder` does), or reqwest and the layers would both
//!   act.
//! - `HyperService` (feature `hyper`) wraps a hyper-util legacy
//!   `Client`: it refuses a request whose URI has no scheme or host with a
//!   typed error before hyper-util does, and adds the request's extensions
//!   (hyper-util follows no redirects: the response is the request URI's).
//!
//! # TLS with reqwest
//!
//! reqwest 0.13's `rustls` feature brings the aws-lc-rs crypto provider,
//! which builds a large C library. This crate asks reqwest for
//! `rustls-no-provider` and uses rustls' *ring* provider instead:
//! `reqwest_client_builder` (and so the [`Opener`](crate::Opener)) installs
//! it as the process's default rustls `CryptoProvider` **if none is
//! installed yet** (a program that installs its own provider first keeps
//! it); `install_crypto_provider` does only that, for a `reqwest::Client`
//! built by hand. Certificates are checked with the
//! platform verifier, as reqwest does by default.
//!
//! # Proxies
//!
//! reqwest reads `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`
//! (and their lowercase forms) from the environment when the client is
//! built, as it always does; [`OpenerBuilder::no_proxy`] turns that off.
//! The hyper backend connects directly and ignores those variables: for a
//! proxy there, pass a connector that tunnels (hyper-util's
//! `client::legacy::connect::proxy::Tunnel`) to
//! `OpenerBuilder::hyper_connector`, or use the reqwest backend.
//!
//! [`FinalUrl`]: clientcookie_layers::redirect::FinalUrl
//! [`RequestFacts`]: clientcookie_jar::RequestFacts
//! [`SessionJar`]: clientcookie_layers::cookie::SessionJar
//! [`OpenerBuilder::no_proxy`]: crate::OpenerBuilder::no_proxy

#[cfg(feature = "hyper")]
mod hyper_client;
#[cfg(feature = "reqwest")]
mod reqwest_client;

#[cfg(feature = "hyper")]
pub use hyper_client::{HyperFuture, HyperService, Resolver};
#[cfg(feature = "reqwest")]
pub use reqwest_client::{
    install_crypto_provider, reqwest_client_builder, ReqwestFuture, ReqwestService,
};

/// A request whose URI is not an absolute `http` URL the backend can send
/// (no scheme, no host, or a scheme it does not speak).
#[derive(Debug, thiserror::Error)]
#[error("cannot send a request to {uri:?}: {reason}")]
pub struct InvalidUri {
    /// The request's URI.
    pub uri: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Move the request's extensions under the response's own (which win).
#[allow(dead_code)]
pub(crate) fn merge_extensions(request: http::Extensions, response: &mut http::Extensions) {
    let own = std::mem::replace(response, request);
    response.extend(own);
}
