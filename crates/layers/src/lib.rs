//! # clientcookie-layers
//!
//! ClientCookie's processors as `tower` layers. The layers arrive with their
//! issue; today this crate re-exports the jar they will share.
//!
//! ```
//! let jar = clientcookie_layers::jar::CookieJar::new();
//! assert_eq!(jar.len(), 0);
//! ```

pub use clientcookie_jar as jar;
