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
/// The outermost layer that follows something puts a budget into the first
/// request's extensions unless the caller already did, and every hop carries
/// a clone of it: clones share one counter, so a `Refresh` followed on hop 3
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
