//! [`CookieValue`]: a cookie's value, kept inside the cookie when short.

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use compact_str::CompactString;

/// The size of a [`CookieValue`] in bytes (two of them hold the variant and
/// the inline length).
pub(crate) const SIZE: usize = 48;

/// The longest value kept inline.
const INLINE: usize = SIZE - 2;

/// The value of a [`Cookie`](crate::Cookie): a string that keeps values of
/// up to [`INLINE_CAPACITY`](Self::INLINE_CAPACITY) bytes inside the cookie
/// and longer ones in one heap allocation of exactly their length.
///
/// Most session ids (24–40 bytes), analytics cookies (~30 bytes) and
/// other short values fit inline, so storing such a cookie does not
/// allocate for its value and a lookup reads the value from the cookie's
/// own cache lines; long values (JWTs, signed or encrypted sessions) cost
/// one allocation, as a `String` would.
///
/// It reads like a `str` (`Deref<Target = str>`), compares, orders and
/// hashes like one (so a `HashMap<CookieValue, _>` can be searched with a
/// `&str`), prints like one, and converts from and to the usual string
/// types.
///
/// ```
/// use clientcookie_jar::{Cookie, CookieValue};
///
/// let mut cookie = Cookie::new("sid", "42", "example.com", "/");
/// assert_eq!(cookie.value, "42");
/// cookie.value = "43".into();
/// assert_eq!(cookie.value.len(), 2);
/// assert!(cookie.value.starts_with('4'));
///
/// let long = CookieValue::from("x".repeat(200));
/// assert!(!long.is_inline());
/// assert_eq!(String::from(long), "x".repeat(200));
/// ```
#[derive(Clone)]
pub struct CookieValue(Repr);

/// Invariant: `Inline`'s `len` is at most [`INLINE`] and `bytes[..len]`
/// was copied from a `&str` (so it is UTF-8), the rest is zero; `Heap`
/// holds only values longer than [`INLINE`] (one representation per
/// value).
#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

const _: () = assert!(std::mem::size_of::<CookieValue>() == SIZE);
const _: () = assert!(INLINE <= u8::MAX as usize);

impl CookieValue {
    /// The longest value kept inside the cookie without an allocation
    /// (46 bytes).
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let n = CookieValue::INLINE_CAPACITY;
    /// assert!(CookieValue::from("a".repeat(n)).is_inline());
    /// assert!(!CookieValue::from("a".repeat(n + 1)).is_inline());
    /// ```
    pub const INLINE_CAPACITY: usize = INLINE;

    /// The empty value (also [`Default`]).
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// const EMPTY: CookieValue = CookieValue::new();
    /// assert!(EMPTY.is_empty());
    /// ```
    pub const fn new() -> CookieValue {
        CookieValue(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }

    /// The value as a `str` (what `Deref` gives too).
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let value = CookieValue::from("abc");
    /// let s: &str = value.as_str();
    /// assert_eq!(s, "abc");
    /// ```
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..usize::from(*len)];
                // SAFETY: `bytes[..len]` of an inline value was copied whole
                // from a `&str` by `inline` (the only code that writes inline
                // bytes; `new` leaves `len` 0) and never changed since (the
                // type hands out no `&mut` to it): valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(s) => s,
        }
    }

    /// Whether the value is kept inside the cookie (it is exactly when it
    /// has at most [`INLINE_CAPACITY`](Self::INLINE_CAPACITY) bytes).
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert!(CookieValue::from("short").is_inline());
    /// ```
    #[inline]
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }
}

/// `s` copied into an inline value; `s.len() <= INLINE`.
#[inline]
fn inline(s: &str) -> Repr {
    debug_assert!(s.len() <= INLINE);
    let mut bytes = [0; INLINE];
    bytes[..s.len()].copy_from_slice(s.as_bytes());
    // `as` cannot truncate: the length is at most INLINE, which fits a u8.
    Repr::Inline {
        len: s.len() as u8,
        bytes,
    }
}

impl Default for CookieValue {
    /// The empty value.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(CookieValue::default(), "");
    /// ```
    #[inline]
    fn default() -> CookieValue {
        CookieValue::new()
    }
}

impl Deref for CookieValue {
    type Target = str;

    /// The value as a `str`: every `str` method works on a value.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let value = CookieValue::from("a=b");
    /// assert_eq!(value.split_once('='), Some(("a", "b")));
    /// ```
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CookieValue {
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// fn shout(s: impl AsRef<str>) -> String { s.as_ref().to_uppercase() }
    /// assert_eq!(shout(CookieValue::from("hi")), "HI");
    /// ```
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for CookieValue {
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let value = CookieValue::from("hi");
    /// let bytes: &[u8] = value.as_ref();
    /// assert_eq!(bytes, b"hi");
    /// ```
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

/// Hash, equality and order are those of the `str`, so a map keyed by
/// values can be searched with a `&str`.
///
/// ```
/// use std::collections::HashSet;
/// use clientcookie_jar::CookieValue;
/// let set: HashSet<CookieValue> = ["a".into(), "b".into()].into_iter().collect();
/// assert!(set.contains("a"));
/// ```
impl Borrow<str> for CookieValue {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for CookieValue {
    /// Quoted and escaped, as a `str` prints.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(format!("{:?}", CookieValue::from("a\"b")), r#""a\"b""#);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for CookieValue {
    /// The value itself (width, fill and precision as for a `str`).
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(format!("[{:>4}]", CookieValue::from("ab")), "[  ab]");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl PartialEq for CookieValue {
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(CookieValue::from("a"), CookieValue::from(String::from("a")));
    /// ```
    #[inline]
    fn eq(&self, other: &CookieValue) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CookieValue {}

impl PartialOrd for CookieValue {
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert!(CookieValue::from("a") < CookieValue::from("b"));
    /// ```
    #[inline]
    fn partial_cmp(&self, other: &CookieValue) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CookieValue {
    /// Byte-wise, as `str` orders.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let mut values = vec![CookieValue::from("b"), CookieValue::from("a")];
    /// values.sort();
    /// assert_eq!(values, ["a", "b"]);
    /// ```
    #[inline]
    fn cmp(&self, other: &CookieValue) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for CookieValue {
    /// As the `str` hashes (see [`Borrow`]).
    ///
    /// ```
    /// use std::hash::BuildHasher;
    /// use clientcookie_jar::CookieValue;
    /// let s = std::collections::hash_map::RandomState::new();
    /// assert_eq!(s.hash_one(CookieValue::from("a")), s.hash_one("a"));
    /// ```
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// Equality with the other string types, both ways round.
macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for CookieValue {
            #[inline]
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }

        impl PartialEq<CookieValue> for $other {
            #[inline]
            fn eq(&self, other: &CookieValue) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

// `value == "a"`, `"a" == value`, `value == string`, ... (tested below).
eq_with!(str, &str, String, Cow<'_, str>);

// The other way round, `CompactString` compares with anything `AsRef<str>`.
impl PartialEq<CompactString> for CookieValue {
    #[inline]
    fn eq(&self, other: &CompactString) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<&str> for CookieValue {
    /// Inline when it fits, else one allocation of exactly its length.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let value: CookieValue = "abc".into();
    /// assert_eq!(value, "abc");
    /// ```
    #[inline]
    fn from(s: &str) -> CookieValue {
        if s.len() <= INLINE {
            CookieValue(inline(s))
        } else {
            CookieValue(heap(s))
        }
    }
}

/// `s` in its own allocation, out of line.
#[inline(never)]
fn heap(s: &str) -> Repr {
    Repr::Heap(Box::from(s))
}

impl From<&String> for CookieValue {
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let s = String::from("abc");
    /// assert_eq!(CookieValue::from(&s), s);
    /// ```
    #[inline]
    fn from(s: &String) -> CookieValue {
        CookieValue::from(s.as_str())
    }
}

impl From<String> for CookieValue {
    /// Inline when it fits (the string is dropped), else the string's own
    /// allocation, shrunk to its length.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(CookieValue::from(String::from("abc")), "abc");
    /// ```
    #[inline]
    fn from(s: String) -> CookieValue {
        if s.len() <= INLINE {
            CookieValue(inline(&s))
        } else {
            CookieValue(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<Box<str>> for CookieValue {
    /// Inline when it fits (the box is dropped), else the box itself.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let boxed: Box<str> = "abc".into();
    /// assert_eq!(CookieValue::from(boxed), "abc");
    /// ```
    #[inline]
    fn from(s: Box<str>) -> CookieValue {
        if s.len() <= INLINE {
            CookieValue(inline(&s))
        } else {
            CookieValue(Repr::Heap(s))
        }
    }
}

impl From<Cow<'_, str>> for CookieValue {
    /// ```
    /// use std::borrow::Cow;
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(CookieValue::from(Cow::Borrowed("abc")), "abc");
    /// ```
    #[inline]
    fn from(s: Cow<'_, str>) -> CookieValue {
        match s {
            Cow::Borrowed(s) => CookieValue::from(s),
            Cow::Owned(s) => CookieValue::from(s),
        }
    }
}

impl From<CompactString> for CookieValue {
    /// (The parser's [`SetCookie`](crate::parse::SetCookie) holds its value
    /// as a `CompactString`.)
    ///
    /// ```
    /// use clientcookie_jar::{CompactString, CookieValue};
    /// assert_eq!(CookieValue::from(CompactString::from("abc")), "abc");
    /// ```
    #[inline]
    fn from(s: CompactString) -> CookieValue {
        if s.len() <= INLINE {
            CookieValue(inline(&s))
        } else {
            CookieValue::from(s.into_string())
        }
    }
}

impl From<CookieValue> for String {
    /// A long value's allocation becomes the string's.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// assert_eq!(String::from(CookieValue::from("abc")), "abc");
    /// ```
    #[inline]
    fn from(value: CookieValue) -> String {
        match value.0 {
            Repr::Heap(s) => s.into_string(),
            Repr::Inline { .. } => value.as_str().to_owned(),
        }
    }
}

impl From<CookieValue> for Box<str> {
    /// A long value's allocation becomes the box.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let boxed: Box<str> = CookieValue::from("abc").into();
    /// assert_eq!(&*boxed, "abc");
    /// ```
    #[inline]
    fn from(value: CookieValue) -> Box<str> {
        match value.0 {
            Repr::Heap(s) => s,
            Repr::Inline { .. } => Box::from(value.as_str()),
        }
    }
}

impl std::str::FromStr for CookieValue {
    type Err = std::convert::Infallible;

    /// Never fails: any string is a value.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let value: CookieValue = "abc".parse().unwrap();
    /// assert_eq!(value, "abc");
    /// ```
    #[inline]
    fn from_str(s: &str) -> Result<CookieValue, Self::Err> {
        Ok(CookieValue::from(s))
    }
}

impl serde::Serialize for CookieValue {
    /// As a plain string.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let json = serde_json::to_string(&CookieValue::from("a b")).unwrap();
    /// assert_eq!(json, r#""a b""#);
    /// ```
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CookieValue {
    /// From a plain string.
    ///
    /// ```
    /// use clientcookie_jar::CookieValue;
    /// let value: CookieValue = serde_json::from_str(r#""a b""#).unwrap();
    /// assert_eq!(value, "a b");
    /// ```
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = CookieValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<CookieValue, E> {
                Ok(CookieValue::from(s))
            }

            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<CookieValue, E> {
                Ok(CookieValue::from(s))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{CookieValue, INLINE, SIZE};
    use proptest::prelude::*;
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;

    #[test]
    fn a_cookie_value_is_as_large_as_its_field_and_inline_up_to_its_capacity() {
        assert_eq!(std::mem::size_of::<CookieValue>(), SIZE);
        assert_eq!(CookieValue::INLINE_CAPACITY, INLINE);
        for len in [0, 1, INLINE - 1, INLINE] {
            let value = CookieValue::from("v".repeat(len));
            assert!(value.is_inline(), "{len}");
            assert_eq!(value.len(), len);
        }
        for len in [INLINE + 1, INLINE + 2, 4096] {
            let value = CookieValue::from("v".repeat(len).as_str());
            assert!(!value.is_inline(), "{len}");
            assert_eq!(value.len(), len);
        }
    }

    #[test]
    fn every_conversion_keeps_one_representation_per_value() {
        // A short value from a box, a string or a CompactString is inline
        // whatever its source, so equal values are stored alike.
        for len in [0, INLINE, INLINE + 1] {
            let s = "é".repeat(len / 2) + &"a".repeat(len % 2);
            let inline = s.len() <= INLINE;
            assert_eq!(CookieValue::from(s.as_str()).is_inline(), inline);
            assert_eq!(CookieValue::from(s.clone()).is_inline(), inline);
            assert_eq!(
                CookieValue::from(s.clone().into_boxed_str()).is_inline(),
                inline
            );
            assert_eq!(
                CookieValue::from(compact_str::CompactString::from(s.as_str())).is_inline(),
                inline
            );
        }
    }

    #[test]
    fn a_value_compares_with_every_string_type_both_ways() {
        let v = CookieValue::from("abc");
        let s = String::from("abc");
        assert!(v == "abc");
        assert!("abc" == v);
        assert!(v == *"abc");
        assert!(*"abc" == v);
        assert!(v == s);
        assert!(s == v);
        assert!(v == std::borrow::Cow::Borrowed("abc"));
        assert!(std::borrow::Cow::Borrowed("abc") == v);
        let compact = compact_str::CompactString::from("abc");
        assert!(v == compact);
        assert!(compact == v);
        assert!(v != "abd");
        assert!("ab" != v);
    }

    /// Text of 0 to ~200 bytes: any characters, ASCII of every length, and
    /// a multi-byte character placed across the inline capacity.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,60}",
            proptest::collection::vec(0x20u8..0x7f, 0..200)
                .prop_map(|b| String::from_utf8(b).expect("ASCII")),
            (
                INLINE - 4..=INLINE + 1,
                prop::char::range('\u{80}', '\u{10FFFF}'),
                "[a-z]{0,2}"
            )
                .prop_map(|(n, c, tail)| format!("{}{c}{tail}", "a".repeat(n))),
            (INLINE - 1..=INLINE + 1).prop_map(|n| "b".repeat(n)),
        ]
    }

    proptest! {
        #[test]
        fn a_value_round_trips_every_string(s in text()) {
            let inline = s.len() <= INLINE;
            let values = [
                CookieValue::from(s.as_str()),
                CookieValue::from(s.clone()),
                CookieValue::from(s.clone().into_boxed_str()),
                s.parse().expect("infallible"),
            ];
            for v in values {
                prop_assert_eq!(v.as_str(), s.as_str());
                prop_assert_eq!(&*v, s.as_str());
                prop_assert_eq!(v.len(), s.len());
                prop_assert_eq!(v.is_inline(), inline);
                prop_assert_eq!(format!("{v}"), s.clone());
                prop_assert_eq!(format!("{v:?}"), format!("{s:?}"));
                let copy = v.clone();
                prop_assert_eq!(&copy, &v);
                prop_assert_eq!(copy.as_str(), s.as_str());
                prop_assert_eq!(String::from(copy), s.clone());
                let json = serde_json::to_string(&v).expect("serializes");
                prop_assert_eq!(&json, &serde_json::to_string(&s).expect("serializes"));
                let back: CookieValue = serde_json::from_str(&json).expect("deserializes");
                prop_assert_eq!(&back, &v);
                prop_assert_eq!(back.is_inline(), inline);
                prop_assert_eq!(&*Box::<str>::from(v), s.as_str());
            }
        }

        #[test]
        fn a_value_compares_and_hashes_as_its_string(a in text(), b in text()) {
            let (va, vb) = (CookieValue::from(a.as_str()), CookieValue::from(b.clone()));
            prop_assert_eq!(va == vb, a == b);
            prop_assert_eq!(va == b, a == b);
            prop_assert_eq!(va.cmp(&vb), a.cmp(&b));
            prop_assert_eq!(va.partial_cmp(&vb), a.partial_cmp(&b));
            let state = RandomState::new();
            prop_assert_eq!(state.hash_one(&va), state.hash_one(a.as_str()));
            prop_assert_eq!(state.hash_one(&vb), state.hash_one(&b));
            // Equal after a round trip through every representation.
            let cut = a.len().min(b.len());
            if a.is_char_boundary(cut) {
                let prefix = CookieValue::from(&a[..cut]);
                prop_assert_eq!(prefix.cmp(&va), a[..cut].cmp(a.as_str()));
            }
        }
    }
}
