//! # clientcookie-layers
//!
//! ClientCookie's processors as `tower` layers. The layers arrive with their
//! issue; today this crate re-exports the jar they will share.
//!

pub use clientcookie_jar as jar;
