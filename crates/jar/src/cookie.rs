//! The cookie model: everything ClientCookie's `Cookie` held, plus what
//! RFC 6265bis added (HttpOnly, SameSite, host-only, creation and last-access
//! time).

pub use crate::parse::SameSite;
use crate::value::CookieValue;
use compact_str::CompactString;

/// One stored cookie.
///
/// The fields are public, as in the seed, so that file formats and policies can
/// read and write every attribute. `domain` is always lower case and never has
/// a leading dot: whether the cookie was set for the domain and its subdomains
/// is `host_only == false`, whether the server wrote the dot is
/// `domain_initial_dot`. Times are whole seconds since the Unix epoch.
///
/// ```
/// use clientcookie_jar::Cookie;
///
/// let cookie = Cookie::new("sid", "42", "example.com", "/");
/// assert!(cookie.host_only);
/// assert!(cookie.is_session());
/// assert_eq!(cookie.to_string(), "sid=42");
/// ```
// `repr(C)` and this field order keep what a lookup reads together: the
// flags, version, expiry and path (is this cookie a candidate?) in the first
// 64 bytes; domain, name, creation time and the jar's insertion number (the
// policy's domain check and the header's order) in the next 64; then the
// last-access time and the value, inline up to 46 bytes (most values: no
// allocation to store one, no pointer to follow to send one); the rare
// RFC 2965 fields behind one pointer. 192 bytes in all, three cache lines
// (was 256, then 168 with a 24-byte value that allocated above 24 bytes).
// On a jar of 100,000 cookies a lookup is bound by cache misses: a returned
// cookie costs three or four lines (its start is only 16-byte aligned:
// 64-byte aligned buckets made storing 4 % slower through
// `posix_memalign`), a rejected one one or two. `jar.rs` prefetches each
// candidate's first 160 bytes: the last-access time and the value's first
// 22 bytes; a returned cookie's value is prefetched from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[repr(C)]
pub struct Cookie {
    /// Only sent over secure protocols (and to loopback hosts).
    pub secure: bool,
    /// RFC 6265 §5.3 step 6: a cookie without a usable `Domain` attribute is
    /// returned only to the very host that set it.
    pub host_only: bool,
    /// Not exposed to scripts; an HTTP client sends it like any other.
    pub http_only: bool,
    /// RFC 2965 `Discard`: drop at the end of the session even if `expires`
    /// is set.
    pub discard: bool,
    /// Whether the server sent a `Port` attribute (RFC 2965 §3.2.2).
    pub port_specified: bool,
    /// Whether the server sent a `Domain` attribute.
    pub domain_specified: bool,
    /// Whether that `Domain` attribute began with a dot.
    pub domain_initial_dot: bool,
    /// Whether the server sent a usable `Path` attribute.
    pub path_specified: bool,
    /// The `SameSite` attribute, `None` when the server sent none.
    pub same_site: Option<SameSite>,
    /// `None` for Netscape / RFC 6265 cookies, `Some(1)` for RFC 2965 (and
    /// RFC 2109) cookies.
    pub version: Option<u32>,
    /// Expiry time, `None` for a session cookie.
    pub expires: Option<i64>,
    /// The cookie's path.
    pub path: CompactString,
    /// The host (host-only cookie) or the domain the cookie belongs to, in
    /// lower case, without a leading dot.
    pub domain: CompactString,
    /// The cookie's name.
    pub name: CompactString,
    /// When the cookie was first stored (kept when a cookie is replaced,
    /// RFC 6265 §5.3 step 11.3).
    pub creation_time: i64,
    /// The jar's insertion number, which breaks ties between equal creation
    /// times in the Cookie header order (RFC 6265 §5.4 step 2). Kept in the
    /// cookie, next to its creation time, so that ordering the returned
    /// cookies reads no further line; not part of equality.
    pub(crate) seq: Seq,
    /// When the cookie was last sent or stored.
    pub last_access_time: i64,
    /// The cookie's value, exactly as the server sent it (quotes included);
    /// kept in the cookie itself up to
    /// [`CookieValue::INLINE_CAPACITY`] bytes.
    pub value: CookieValue,
    /// RFC 2965's `Port`, `Comment` and `CommentURL` and the attributes the
    /// jar does not interpret: few cookies have any, so they are boxed
    /// (96 bytes less to move and store per cookie). Read them with
    /// [`port`](Self::port), [`comment`](Self::comment),
    /// [`comment_url`](Self::comment_url) and [`rest`](Self::rest), write
    /// them with [`extras_mut`](Self::extras_mut).
    pub(crate) extras: Extras,
}

/// A cookie's insertion number in the jar (0 outside one). Two cookies
/// compare equal whatever their numbers: where a cookie was stored is not
/// part of what it is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Seq(pub(crate) u64);

impl PartialEq for Seq {
    fn eq(&self, _: &Seq) -> bool {
        true
    }
}

impl Eq for Seq {}

/// The attributes few cookies carry (see [`Cookie::extras_mut`]).
///
/// ```
/// use clientcookie_jar::Cookie;
///
/// let mut cookie = Cookie::new("sid", "42", "example.com", "/");
/// cookie.extras_mut().comment = Some("why".into());
/// assert_eq!(cookie.extras().comment.as_deref(), Some("why"));
/// assert_eq!(cookie.port(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieExtras {
    /// RFC 2965 `Port` list (`"80,8080"`), or `None` when there is no list.
    pub port: Option<String>,
    /// RFC 2965 `Comment`.
    pub comment: Option<String>,
    /// RFC 2965 `CommentURL`.
    pub comment_url: Option<String>,
    /// Attributes the jar does not interpret, in the order received (the
    /// seed's `rest`).
    pub rest: Vec<(String, Option<String>)>,
}

/// What a cookie without a box of extras reads.
static NO_EXTRAS: CookieExtras = CookieExtras {
    port: None,
    comment: None,
    comment_url: None,
    rest: Vec::new(),
};

/// [`CookieExtras`], boxed only when there are any: an empty box and no box
/// compare equal.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras(Option<Box<CookieExtras>>);

impl Extras {
    /// `extras`, boxed unless all empty.
    #[inline]
    pub(crate) fn new(extras: CookieExtras) -> Extras {
        let empty = extras.port.is_none()
            && extras.comment.is_none()
            && extras.comment_url.is_none()
            && extras.rest.is_empty();
        Extras((!empty).then(|| Box::new(extras)))
    }

    fn get(&self) -> &CookieExtras {
        self.0.as_deref().unwrap_or(&NO_EXTRAS)
    }
}

impl PartialEq for Extras {
    fn eq(&self, other: &Extras) -> bool {
        self.get() == other.get()
    }
}

impl Eq for Extras {}

impl Cookie {
    /// A host-only session cookie for `domain` and `path`, created now.
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    ///
    /// let mut cookie = Cookie::new("lang", "en", "Example.COM", "/");
    /// cookie.expires = Some(2_000_000_000);
    /// assert_eq!(cookie.domain, "example.com");
    /// assert!(!cookie.is_session());
    /// ```
    pub fn new(
        name: impl Into<CompactString>,
        value: impl Into<CookieValue>,
        domain: impl AsRef<str>,
        path: impl Into<CompactString>,
    ) -> Cookie {
        let domain = domain.as_ref();
        let now = crate::clock::now_system();
        Cookie {
            version: None,
            name: name.into(),
            value: value.into(),
            port_specified: false,
            domain_initial_dot: domain.starts_with('.'),
            domain: CompactString::from(domain.trim_start_matches('.')).to_ascii_lowercase(),
            domain_specified: false,
            host_only: true,
            path: path.into(),
            path_specified: true,
            secure: false,
            expires: None,
            discard: false,
            extras: Extras(None),
            http_only: false,
            same_site: None,
            creation_time: now,
            last_access_time: now,
            seq: Seq(0),
        }
    }

    /// The length of `name=value` (or of the value alone, for an empty
    /// name) as a Cookie header carries a Netscape cookie.
    #[inline]
    pub(crate) fn pair_len(&self) -> usize {
        let name = if self.name.is_empty() {
            0
        } else {
            self.name.len() + 1
        };
        name + self.value.len()
    }

    /// Whether this is a session cookie (no expiry time, or RFC 2965 `Discard`).
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// assert!(Cookie::new("a", "b", "example.com", "/").is_session());
    /// ```
    pub fn is_session(&self) -> bool {
        self.expires.is_none() || self.discard
    }

    /// Whether the cookie has expired at `now` (seconds since the epoch).
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// cookie.expires = Some(100);
    /// assert!(cookie.is_expired(100));
    /// assert!(!cookie.is_expired(99));
    /// ```
    pub fn is_expired(&self, now: i64) -> bool {
        matches!(self.expires, Some(t) if t <= now)
    }

    /// The seed's `has_nonstandard_attr`: whether an uninterpreted attribute
    /// of that name (compared case-insensitively) came with the cookie.
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// cookie.extras_mut().rest.push(("Priority".into(), Some("High".into())));
    /// assert!(cookie.has_nonstandard_attr("priority"));
    /// ```
    pub fn has_nonstandard_attr(&self, name: &str) -> bool {
        self.rest()
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The RFC 2965 `Port` list (`"80,8080"`), `None` when there is none.
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// assert_eq!(cookie.port(), None);
    /// cookie.extras_mut().port = Some("80,8080".into());
    /// assert_eq!(cookie.port(), Some("80,8080"));
    /// ```
    pub fn port(&self) -> Option<&str> {
        self.extras.get().port.as_deref()
    }

    /// The RFC 2965 `Comment`.
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// cookie.extras_mut().comment = Some("why".into());
    /// assert_eq!(cookie.comment(), Some("why"));
    /// ```
    pub fn comment(&self) -> Option<&str> {
        self.extras.get().comment.as_deref()
    }

    /// The RFC 2965 `CommentURL`.
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// cookie.extras_mut().comment_url = Some("http://example.com/why".into());
    /// assert_eq!(cookie.comment_url(), Some("http://example.com/why"));
    /// ```
    pub fn comment_url(&self) -> Option<&str> {
        self.extras.get().comment_url.as_deref()
    }

    /// Attributes the jar does not interpret, in the order received (the
    /// seed's `rest`).
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// assert!(cookie.rest().is_empty());
    /// cookie.extras_mut().rest.push(("Priority".into(), Some("High".into())));
    /// assert_eq!(cookie.rest()[0].0, "Priority");
    /// ```
    pub fn rest(&self) -> &[(String, Option<String>)] {
        &self.extras.get().rest
    }

    /// Port, comment, comment URL and the uninterpreted attributes together.
    ///
    /// ```
    /// use clientcookie_jar::{Cookie, CookieExtras};
    /// let cookie = Cookie::new("a", "b", "example.com", "/");
    /// assert_eq!(cookie.extras(), &CookieExtras::default());
    /// ```
    pub fn extras(&self) -> &CookieExtras {
        self.extras.get()
    }

    /// Write access to port, comment, comment URL and the uninterpreted
    /// attributes (boxed on first use).
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// cookie.extras_mut().port = Some("443".into());
    /// assert_eq!(cookie.port(), Some("443"));
    /// ```
    pub fn extras_mut(&mut self) -> &mut CookieExtras {
        self.extras.0.get_or_insert_with(Box::default)
    }

    /// Set all of them at once; all empty keeps no box.
    pub(crate) fn set_extras(&mut self, extras: CookieExtras) {
        self.extras = Extras::new(extras);
    }

    /// The domain as the seed and the cookie files write it: with a leading
    /// dot for a domain cookie, bare for a host-only one.
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let mut cookie = Cookie::new("a", "b", "example.com", "/");
    /// assert_eq!(cookie.dotted_domain(), "example.com");
    /// cookie.host_only = false;
    /// assert_eq!(cookie.dotted_domain(), ".example.com");
    /// ```
    pub fn dotted_domain(&self) -> String {
        if self.host_only {
            self.domain.to_string()
        } else {
            format!(".{}", self.domain)
        }
    }

    /// Whether `self` and `other` are the same cookie in the jar's sense
    /// (RFC 6265 §5.3 step 11: same name, domain and path).
    ///
    /// ```
    /// use clientcookie_jar::Cookie;
    /// let a = Cookie::new("a", "1", "example.com", "/");
    /// let b = Cookie::new("a", "2", "example.com", "/");
    /// assert!(a.same_identity(&b));
    /// ```
    pub fn same_identity(&self, other: &Cookie) -> bool {
        self.name == other.name && self.domain == other.domain && self.path == other.path
    }
}

/// `name=value`, as in a `Cookie` header. A cookie with an empty name (which
/// only RFC 2965 or a file can produce) is written as its value alone.
impl std::fmt::Display for Cookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.name.is_empty() {
            f.write_str(&self.value)
        } else {
            write!(f, "{}={}", self.name, self.value)
        }
    }
}

#[cfg(test)]
mod layout_tests {
    use super::Cookie;
    use std::mem::{offset_of, size_of};

    /// What a lookup reads stays in the first 160 bytes, which `jar.rs`
    /// prefetches for every candidate, and the cookie is three cache lines.
    #[test]
    fn a_lookups_fields_sit_in_the_cookies_first_160_bytes() {
        assert_eq!(size_of::<Cookie>(), 144 + crate::value::SIZE);
        assert!(offset_of!(Cookie, path) + 24 <= 64);
        assert!(offset_of!(Cookie, expires) + 16 <= 64);
        assert!(offset_of!(Cookie, domain) >= 64 && offset_of!(Cookie, seq) + 8 <= 128);
        assert!(offset_of!(Cookie, name) >= 64 && offset_of!(Cookie, creation_time) + 8 <= 128);
        assert!(offset_of!(Cookie, last_access_time) + 8 <= 160);
        assert!(offset_of!(Cookie, value) >= 128 && offset_of!(Cookie, value) + 24 <= 160);
    }
}
