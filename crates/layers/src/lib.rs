//! # clientcookie-layers
//!
//! ClientCookie's processors as `tower` layers, each in its own module
//! behind its own cargo feature, each usable alone around any
//! `Service<http::Request<B>, Response = http::Response<ResB>>`.
//!
//! | layer | feature | what it does |
//! |---|---|---|
//! | [`redirect::RedirectLayer`] | `redirect` | follows 3xx; every hop after the first is unverifiable, with the first request's host as origin request-host; keeps the history |
//! | [`refresh::RefreshLayer`] | `refresh` | follows a `Refresh` of at most `max_delay` as a redirect, from the same hop budget |
//! | [`referer::RefererLayer`] | `referer` | `Referer` per Referrer-Policy from a [`referer::Referrer`] extension (or the last page, in chain mode); never https -> http |
//! | [`robots::RobotsLayer`] | `robots` | fetches each origin's robots.txt once (single flight, cached, RFC 9309) and fails the URLs it disallows with [`robots::RobotsDenied`] |
//! | [`cookie::CookieLayer`] | `cookie` | jar -> `Cookie` (and `Cookie2`); `Set-Cookie(2)` -> jar |
//! | [`http_equiv::HttpEquivLayer`] | `http-equiv` | `<meta http-equiv>` tags in an HTML head -> response headers; the body handed on unchanged |
//! | [`seekable::SeekableBodyLayer`] | `seekable` | response bodies that can be rewound and re-read; read lazily, spilled to a temporary file past a memory limit |
//! | [`debug::TraceBodyLayer`] | `debug` | logs response bodies chunk by chunk at trace level, passing them on unchanged (redirect hops are logged by the redirect layer) |
//!
//! The default stack, outermost first (the layers not listed above arrive
//! with their issues):
//!
//! ```text
//! RedirectLayer       follows 3xx, one hop budget shared with Refresh, replays 307/308 bodies
//! RefreshLayer        turns a qualifying Refresh into a redirect
//! RobotsLayer         refuses URLs robots.txt disallows
//! RefererLayer        sets Referer per Referrer-Policy
//! CookieLayer         jar -> Cookie; Set-Cookie -> jar
//! HttpEquivLayer      <meta http-equiv> in the head -> response headers
//! SeekableBodyLayer   a response body that can be rewound
//! inner service       reqwest::Client (its redirects, cookies, referer off) or hyper-util Client
//! ```
//!
//! These features are on by default; `default-features = false, features =
//! ["cookie"]` builds the cookie layer alone (no `url`, no `thiserror`, no
//! `tokio`). `refresh` needs `redirect` (it records its hops in the same
//! [`redirect::RedirectHistory`]) and `tokio`'s timer.
//!
//! Each redirect hop passes through every layer inside the redirect layer,
//! so cookies, referer (and later robots) are worked out per hop, never
//! carried over from the previous one. What the layers tell each other
//! travels in `http::Extensions`: see [`extensions`] and
//! [`jar::RequestFacts`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use clientcookie_jar as jar;

#[cfg(feature = "cookie")]
pub mod cookie;
#[cfg(feature = "debug")]
pub mod debug;
pub mod extensions;
#[cfg(feature = "http-equiv")]
pub mod http_equiv;
#[cfg(feature = "redirect")]
pub mod redirect;
#[cfg(feature = "referer")]
pub mod referer;
#[cfg(feature = "refresh")]
pub mod refresh;
#[cfg(feature = "robots")]
pub mod robots;
#[cfg(feature = "seekable")]
pub mod seekable;
