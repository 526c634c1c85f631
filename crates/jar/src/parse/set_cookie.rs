use super::scan::{self, Cursor};
use super::{ParseError, SameSite};
use compact_str::CompactString;

/// Longest name plus value RFC 6265bis §5.6 accepts, in bytes.
const MAX_NAME_VALUE: usize = 4096;
/// Longest attribute value RFC 6265bis §5.6 accepts, in bytes; a longer one is
/// ignored (the attribute, not the cookie).
const MAX_ATTRIBUTE_VALUE: usize = 1024;

/// A parsed `Set-Cookie` header (RFC 6265 §5.2 with the limits of RFC 6265bis
/// §5.6). Attribute values are the last occurrence of each attribute, as the
/// RFC says; an attribute the RFC says to ignore (a bad `Max-Age`, an
/// unparsable `Expires`, an empty `Domain`, a value over 1024 bytes) leaves an
/// earlier occurrence in place.
///
/// The parser does not judge the values: the jar strips and lowercases the
/// domain, turns a missing or relative path into the default-path and expires
/// a cookie whose `max_age` is zero or negative.
///
/// ```
/// use clientcookie_jar::parse::{parse_set_cookie, SameSite};
///
/// let c = parse_set_cookie(b"id=42; Max-Age=3600; Domain=.Example.com; Path=/app; \
///                            Secure; HttpOnly; SameSite=Strict; Priority=High").unwrap();
/// assert_eq!(c.name, "id");
/// assert_eq!(c.value, "42");
/// assert_eq!(c.max_age, Some(3600));
/// assert_eq!(c.domain.as_deref(), Some(".Example.com"));
/// assert_eq!(c.path.as_deref(), Some("/app"));
/// assert!(c.secure && c.http_only);
/// assert_eq!(c.same_site, Some(SameSite::Strict));
/// assert_eq!(c.other, vec![("Priority".to_string(), Some("High".to_string()))]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SetCookie {
    /// The cookie name, with spaces and tabs around it trimmed. Never empty.
    pub name: CompactString,
    /// The cookie value, with spaces and tabs around it trimmed, quotes kept.
    pub value: CompactString,
    /// `Expires`, as Unix seconds (RFC 6265 §5.1.1 date); an unparsable date
    /// is ignored.
    pub expires: Option<i64>,
    /// `Max-Age` in seconds, saturated to the `i64` range. Zero or negative
    /// means "expire now"; the jar acts on that.
    pub max_age: Option<i64>,
    /// `Domain` as written (a leading dot and the case are kept); the last
    /// non-empty one. An empty `Domain=` is ignored.
    pub domain: Option<CompactString>,
    /// `Path` as written, from the last `Path` attribute, even when it is empty
    /// (`Path=` or a bare `Path` give `Some("")`) or does not start with `/`.
    pub path: Option<CompactString>,
    /// The `Secure` flag (any value it has is ignored).
    pub secure: bool,
    /// The `HttpOnly` flag (any value it has is ignored).
    pub http_only: bool,
    /// `SameSite`: `Strict`, `Lax` or `None` in any case; any other value,
    /// or no attribute, is `None` (unspecified). The last occurrence wins, so
    /// an unknown value after a known one resets this to `None`.
    pub same_site: Option<SameSite>,
    /// `Version` (RFC 2109 cookies), with one surrounding pair of double
    /// quotes stripped as Python's `strip_quotes` does. A bare `Version` is
    /// `Some("")`.
    pub version: Option<String>,
    /// `Comment` (RFC 2109) as written; a bare `Comment` is `Some("")`.
    pub comment: Option<String>,
    /// `CommentURL` (RFC 2965 style) as written; a bare one is `Some("")`.
    pub comment_url: Option<String>,
    /// `Port`: `Some(None)` for a bare `Port`, `Some(Some(list))` for
    /// `Port=list` (kept as written, quotes included).
    pub port: Option<Option<String>>,
    /// The `Discard` flag (any value it has is ignored).
    pub discard: bool,
    /// Every other attribute, in order, with its name as written and its value
    /// (`None` when it has no `=`). Attributes with an empty name are dropped.
    pub other: Vec<(String, Option<String>)>,
}

/// Trim the whitespace RFC 6265 §5.2 trims: spaces and horizontal tabs.
///
/// Byte loops rather than `str::trim_matches`: the ends are ASCII, and on
/// the few bytes a header has, the char-pattern machinery costs more than
/// the scan.
#[inline]
fn trim_wsp(s: &str) -> &str {
    let (start, end) = trim_range(s.as_bytes(), 0, s.len());
    slice(s, start, end)
}

/// `text[start..end]` (empty when the range is out of order or out of
/// bounds) for positions the parser found: each is 0, the end of the text,
/// or sits on or just after an ASCII byte (a delimiter or whitespace).
/// In UTF-8 a byte after an ASCII byte never continues a character, so all
/// are char boundaries, and `str::get`'s two boundary tests per piece
/// (a tenth of parsing a header) are left out.
#[inline(always)]
fn slice(text: &str, start: usize, end: usize) -> &str {
    debug_assert!(text.get(start..end).is_some() || start > end || end > text.len());
    if start <= end && end <= text.len() {
        // SAFETY: in bounds and in order (checked just above), and both
        // positions are char boundaries (see the doc comment).
        unsafe { text.get_unchecked(start..end) }
    } else {
        out_of_range()
    }
}

/// What [`slice`] gives for a range past the end (the attribute list of a
/// header without `;`). Out of line and cold, so that the two bounds tests
/// stay branches: as selects, with the empty string as the other value,
/// they cost three times as many instructions.
#[cold]
#[inline(never)]
fn out_of_range() -> &'static str {
    ""
}

/// Whether a byte of a checked header is a space or a tab: the header
/// check refuses every other byte below the space, so one compare does.
#[inline(always)]
fn is_space_or_tab(c: u8) -> bool {
    c <= b' '
}

/// `text[start..end]` with spaces and tabs trimmed at both ends, and
/// where it starts now, for positions as [`slice`] takes them in a checked
/// header.
///
/// Pieces servers send have nothing to trim but the one space after a
/// `;`: a test of each end proves that and cuts the piece with one bounds
/// test; the loops are out of line. (Two loops, then [`slice`], cost ~25
/// instructions per piece, eight pieces per header.)
#[inline(always)]
fn trimmed(text: &str, start: usize, end: usize) -> (usize, &str) {
    let b = text.as_bytes();
    if start < end && end <= b.len() {
        let start = start + usize::from(is_space_or_tab(b[start]));
        if start < end && !is_space_or_tab(b[start]) && !is_space_or_tab(b[end - 1]) {
            debug_assert!(text.get(start..end).is_some());
            // SAFETY: in bounds and in order (checked just above), and both
            // positions are char boundaries (see `slice`).
            return (start, unsafe { text.get_unchecked(start..end) });
        }
    }
    trimmed_slow(text, start, end)
}

/// [`trimmed`] when there is more to trim (or nothing to cut).
#[cold]
#[inline(never)]
fn trimmed_slow(text: &str, start: usize, end: usize) -> (usize, &str) {
    let (start, end) = trim_range(text.as_bytes(), start, end);
    (start, slice(text, start, end))
}

/// Position of `byte` (ASCII) in `s`. `memchr` looks at a word or a
/// vector at a time; a per-byte loop here was a third of storing a cookie.
#[cfg(test)]
fn find_byte(s: &str, byte: u8) -> Option<usize> {
    memchr::memchr(byte, s.as_bytes())
}

/// The part of `b[start..end]` left after trimming spaces and tabs at both
/// ends, as a range of `b`.
#[inline]
fn trim_range(b: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && matches!(b[start], b' ' | b'\t') {
        start += 1;
    }
    while end > start && matches!(b[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    (start, end)
}

/// Position of the first `x` or `y` in `b` at or after `i`, or `b.len()`.
///
/// Eight bytes at a time: `w - 0x01…01 & !w & 0x80…80` marks the bytes of
/// `w` that are zero, exactly from the lowest one up (a borrow can only
/// mark bytes above a real zero), so after XOR-ing in the wanted byte the
/// lowest mark is the first match. A byte loop here cost ~5 instructions
/// per header byte, the largest part of parsing a cookie.
#[inline]
fn find_either(b: &[u8], i: usize, x: u8, y: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    debug_assert!(x != 0 && y != 0, "the tail read shifts in zero bytes");
    let (wx, wy) = (ONES * u64::from(x), ONES * u64::from(y));
    let n = b.len();
    let Some(rest) = b.get(i..) else {
        return n;
    };
    let hits_in = |w: u64| zero_bytes(w ^ wx) | zero_bytes(w ^ wy);
    let mut at = i;
    let mut chunks = rest.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let hits = hits_in(u64::from_le_bytes(bytes));
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let left = chunks.remainder().len();
    if left == 0 {
        return n;
    }
    // Under eight bytes left: the text's last eight, shifted so that the
    // first byte left is the lowest (the zeros shifted in are neither `x`
    // nor `y`, both non-zero). Shorter texts take a byte loop.
    if let Some(tail) = n.checked_sub(8).and_then(|t| b.get(t..)) {
        if let Ok(bytes) = <[u8; 8]>::try_from(tail) {
            let hits = hits_in(u64::from_le_bytes(bytes) >> (8 * (8 - left)));
            return if hits != 0 {
                at + (hits.trailing_zeros() / 8) as usize
            } else {
                n
            };
        }
    }
    for &c in chunks.remainder() {
        if c == x || c == y {
            return at;
        }
        at += 1;
    }
    n
}

/// Where the next delimiter of a header is: taken from the header's
/// [`Delimiters`] when it has them (plain ASCII, not too long: nearly every
/// header), else searched for.
enum Finder<'a> {
    Indexed(Cursor<'a>),
    Searching,
}

impl Finder<'_> {
    /// The first `=` or `;` of `b` at or after `from`, or `b.len()`.
    #[inline(always)]
    fn next_delimiter(&mut self, b: &[u8], from: usize) -> usize {
        match self {
            // The parser asks in order, so every delimiter before `from`
            // has been taken already; the test only keeps that an
            // invariant rather than a precondition.
            Finder::Indexed(cursor) => cursor.find(|&at| at >= from).unwrap_or(b.len()),
            Finder::Searching => find_either(b, from, b'=', b';'),
        }
    }

    /// The first `;` of `b` at or after `from`, or `b.len()`.
    #[inline(always)]
    fn next_semicolon(&mut self, b: &[u8], from: usize) -> usize {
        match self {
            // A `;` or the end (see `scan::Delimiters`).
            Finder::Indexed(cursor) => cursor
                .find(|&at| at >= from && b.get(at) != Some(&b'='))
                .unwrap_or(b.len()),
            Finder::Searching => find_either(b, from, b';', b';'),
        }
    }
}

/// The attribute-value pairs of a header after the name-value pair, split
/// on `;`, each at its first `=`, and trimmed, in one pass over the bytes:
/// the name, and the value when there is an `=`. (Splitting, then
/// searching, then trimming each piece with `str` methods cost more than
/// the rest of storing a cookie.)
struct AttributePairs<'a, 'd> {
    text: &'a str,
    /// Where the next attribute starts.
    pos: usize,
    finder: Finder<'d>,
}

/// The bytes of `w` equal to zero, marked by their top bit, exactly from
/// the lowest one up (see [`find_either`]).
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The low `k` bytes of a word (`k <= 8`; none for 0).
#[inline(always)]
fn low_bytes(k: usize) -> u64 {
    debug_assert!(k <= 8);
    // One shift, no branch (a branch per attribute name cost ~10
    // instructions); a shift by 64 or more, for `k == 0`, gives none.
    u64::MAX
        .checked_shr(8 * 8u32.saturating_sub(k as u32))
        .unwrap_or(0)
}

/// The eight bytes of `b` from `start` (`start <= b.len()`) as a
/// little-endian word, with zeros past the end: the name there, for
/// [`kind_of_word`], when it is that short.
#[inline(always)]
fn word_at(b: &[u8], start: usize) -> u64 {
    if let Some(chunk) = b.get(start..start + 8) {
        return u64::from_le_bytes(chunk.try_into().unwrap_or_default());
    }
    // Under eight bytes left: the text's last eight, shifted so that byte
    // `start` is the lowest (zeros shifted in above); a shorter text is
    // copied.
    match b.len().checked_sub(8).and_then(|t| Some((t, b.get(t..)?))) {
        Some((tail_start, tail)) => {
            let word = u64::from_le_bytes(tail.try_into().unwrap_or_default());
            word.checked_shr(8 * start.saturating_sub(tail_start) as u32)
                .unwrap_or(0)
        }
        None => {
            let mut bytes = [0u8; 8];
            for (to, &from) in bytes.iter_mut().zip(b.get(start..).unwrap_or_default()) {
                *to = from;
            }
            u64::from_le_bytes(bytes)
        }
    }
}

impl<'a> Iterator for AttributePairs<'a, '_> {
    /// The attribute's kind ([`attr_kind`] of its name), name and value.
    type Item = (Attr, &'a str, Option<&'a str>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        let n = b.len();
        if self.pos > n {
            return None;
        }
        let first = self.finder.next_delimiter(b, self.pos);
        let (equals, end) = if b.get(first) == Some(&b'=') {
            (first, self.finder.next_semicolon(b, first + 1))
        } else {
            (first, first)
        };
        let (start, name) = trimmed(self.text, self.pos, equals);
        self.pos = end + 1;
        let kind = match name.len() {
            len @ 0..=8 => {
                let low = low_bytes(len);
                kind_of_word((word_at(b, start) & low) | (0x2020_2020_2020_2020 & low))
            }
            _ => attr_kind_long(name.as_bytes()),
        };
        let value = (equals < end).then(|| trimmed(self.text, equals + 1, end).1);
        Some((kind, name, value))
    }
}

/// The attributes RFC 6265 (and RFC 2109/2965 for the seed) name.
#[derive(Clone, Copy)]
enum Attr {
    Expires,
    MaxAge,
    Domain,
    Path,
    Secure,
    HttpOnly,
    SameSite,
    Version,
    Comment,
    CommentUrl,
    Port,
    Discard,
    Other,
}

/// Which attribute `name` is, case-insensitively. Names of up to eight
/// bytes are compared as one integer: OR-ing 0x20 into each byte lower-cases
/// ASCII letters and maps no other byte onto a letter or `-` (the control
/// characters that would, such as CR, were refused before), so one compare
/// per candidate replaces a per-byte case-insensitive loop.
#[cfg(test)]
fn attr_kind(name: &str) -> Attr {
    let b = name.as_bytes();
    if b.len() > 8 {
        return attr_kind_long(b);
    }
    let mut bytes = [0u8; 8];
    bytes[..b.len()].copy_from_slice(b);
    kind_of_word(u64::from_le_bytes(bytes) | (0x2020_2020_2020_2020 & low_bytes(b.len())))
}

/// [`attr_kind`] of a name longer than eight bytes: only `CommentURL` is.
#[inline]
fn attr_kind_long(name: &[u8]) -> Attr {
    if name.eq_ignore_ascii_case(b"commenturl") {
        Attr::CommentUrl
    } else {
        Attr::Other
    }
}

/// Which attribute a name of up to eight bytes is, given as a
/// little-endian word with 0x20 OR-ed into each of its bytes (see
/// [`attr_kind`]).
#[inline(always)]
fn kind_of_word(lower: u64) -> Attr {
    const fn word(s: &[u8]) -> u64 {
        let mut bytes = [0u8; 8];
        let mut i = 0;
        while i < s.len() {
            bytes[i] = s[i];
            i += 1;
        }
        u64::from_le_bytes(bytes)
    }
    const PATH: u64 = word(b"path");
    const PORT: u64 = word(b"port");
    const DOMAIN: u64 = word(b"domain");
    const SECURE: u64 = word(b"secure");
    const EXPIRES: u64 = word(b"expires");
    const MAX_AGE: u64 = word(b"max-age");
    const VERSION: u64 = word(b"version");
    const COMMENT: u64 = word(b"comment");
    const DISCARD: u64 = word(b"discard");
    const HTTPONLY: u64 = word(b"httponly");
    const SAMESITE: u64 = word(b"samesite");

    match lower {
        PATH => Attr::Path,
        PORT => Attr::Port,
        DOMAIN => Attr::Domain,
        SECURE => Attr::Secure,
        EXPIRES => Attr::Expires,
        MAX_AGE => Attr::MaxAge,
        VERSION => Attr::Version,
        COMMENT => Attr::Comment,
        DISCARD => Attr::Discard,
        HTTPONLY => Attr::HttpOnly,
        SAMESITE => Attr::SameSite,
        _ => Attr::Other,
    }
}

/// RFC 6265bis §5.6: %x00-08 / %x0A-1F / %x7F.
#[inline]
fn is_forbidden_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// RFC 6265 §5.2.2: a `-` or a digit, then digits only. Saturates.
///
/// Up to 18 digits cannot overflow, so they are summed in one plain loop
/// that also checks them; longer values take the saturating path
/// ([`parse_max_age_saturating`]).
#[inline(always)]
fn parse_max_age(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'0'..=b'9' => (false, b),
        _ => return None,
    };
    if digits.is_empty() || digits.len() > 18 {
        return parse_max_age_saturating(value);
    }
    let mut n: i64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + i64::from(d);
    }
    Some(if negative { -n } else { n })
}

/// [`parse_max_age`] for any length: the reference it is tested against.
fn parse_max_age_saturating(value: &str) -> Option<i64> {
    let (negative, digits) = match value.as_bytes().first()? {
        b'-' => (true, &value.as_bytes()[1..]),
        b'0'..=b'9' => (false, value.as_bytes()),
        _ => return None,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0i64, |acc, &d| {
        let d = i64::from(d - b'0');
        if negative {
            acc.saturating_mul(10).saturating_sub(d)
        } else {
            acc.saturating_mul(10).saturating_add(d)
        }
    }))
}

/// Python's `strip_quotes`: drop one leading and one trailing `"`.
#[inline]
fn strip_quotes(s: &str) -> &str {
    let s = s.strip_prefix('"').unwrap_or(s);
    s.strip_suffix('"').unwrap_or(s)
}

/// Parse one `Set-Cookie` header value (RFC 6265 §5.2, RFC 6265bis §5.6).
///
/// Errors: bytes that are not UTF-8 ([`ParseError::NotUtf8`]), control
/// characters other than tab ([`ParseError::ControlCharacter`]), an empty
/// name-value pair ([`ParseError::Empty`]), no `=` or an empty name
/// ([`ParseError::NoName`]), name plus value over 4096 bytes
/// ([`ParseError::TooLong`]).
///
/// ```
/// use clientcookie_jar::parse::{parse_set_cookie, ParseError};
///
/// let c = parse_set_cookie(b" lang = en-GB ; path=/docs; path=/; Max-Age=-1").unwrap();
/// assert_eq!((c.name.as_str(), c.value.as_str()), ("lang", "en-GB"));
/// assert_eq!(c.path.as_deref(), Some("/"));
/// assert_eq!(c.max_age, Some(-1));
///
/// assert_eq!(parse_set_cookie(b"foo"), Err(ParseError::NoName));
/// ```
pub fn parse_set_cookie(bytes: &[u8]) -> Result<SetCookie, ParseError> {
    parse_parts(bytes).map(Parts::into_owned)
}

/// A parsed `Set-Cookie` header that borrows from the header: what
/// [`SetCookie`] holds, without an allocation. The jar builds its
/// [`Cookie`](crate::Cookie) from this directly, copying each piece once.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    pub(crate) expires: Option<i64>,
    pub(crate) max_age: Option<i64>,
    pub(crate) domain: Option<&'a str>,
    pub(crate) path: Option<&'a str>,
    pub(crate) secure: bool,
    pub(crate) http_only: bool,
    pub(crate) same_site: Option<SameSite>,
    pub(crate) version: Option<&'a str>,
    pub(crate) comment: Option<&'a str>,
    pub(crate) comment_url: Option<&'a str>,
    pub(crate) port: Option<Option<&'a str>>,
    pub(crate) discard: bool,
    pub(crate) other: Vec<(&'a str, Option<&'a str>)>,
}

impl Parts<'_> {
    fn into_owned(self) -> SetCookie {
        SetCookie {
            name: CompactString::from(self.name),
            value: CompactString::from(self.value),
            expires: self.expires,
            max_age: self.max_age,
            domain: self.domain.map(CompactString::from),
            path: self.path.map(CompactString::from),
            secure: self.secure,
            http_only: self.http_only,
            same_site: self.same_site,
            version: self.version.map(str::to_owned),
            comment: self.comment.map(str::to_owned),
            comment_url: self.comment_url.map(str::to_owned),
            port: self.port.map(|p| p.map(str::to_owned)),
            discard: self.discard,
            other: self
                .other
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)))
                .collect(),
        }
    }
}

/// Whether every byte of `chunk` is printable ASCII (`0x20..=0x7E`) or a
/// tab: then the bytes are UTF-8 and hold no control character. No early
/// exit inside the chunk, so the compiler checks it as one vector.
#[inline(always)]
fn chunk_is_plain(chunk: &[u8; 16]) -> bool {
    chunk.iter().fold(true, |ok, &b| {
        ok & ((b.wrapping_sub(0x20) < 0x5f) | (b == b'\t'))
    })
}

/// Whether every byte of `bytes` is printable ASCII or a tab, sixteen at a
/// time (the last chunk overlaps the one before it; a header under sixteen
/// bytes is padded with spaces).
#[inline]
fn is_plain(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(16);
    for chunk in chunks.by_ref() {
        let Ok(chunk) = <&[u8; 16]>::try_from(chunk) else {
            return false;
        };
        if !chunk_is_plain(chunk) {
            return false;
        }
    }
    if chunks.remainder().is_empty() {
        return true;
    }
    let mut last = [b' '; 16];
    match bytes.len().checked_sub(16) {
        Some(start) => last.copy_from_slice(&bytes[start..]),
        None => last[..bytes.len()].copy_from_slice(bytes),
    }
    chunk_is_plain(&last)
}

/// The header as text, or why it is refused: bytes that are not UTF-8, or
/// a control character other than tab (RFC 6265bis §5.6).
///
/// Headers servers send are printable ASCII: one vector pass over the bytes
/// proves that and skips both the UTF-8 validation and the control-character
/// scan (together a tenth of storing a cookie); anything else takes the
/// general path.
#[inline]
fn checked_text(bytes: &[u8]) -> Result<&str, ParseError> {
    if is_plain(bytes) {
        // SAFETY: every byte is ASCII (checked just above), and ASCII is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    checked_text_slow(bytes)
}

/// [`checked_text`] without the fast path: the reference it is tested
/// against, and what it falls back to.
fn checked_text_slow(bytes: &[u8]) -> Result<&str, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ParseError::NotUtf8)?;
    // A fold without early exit compiles to SIMD: on the short, clean headers
    // servers send that beats stopping at the first bad byte.
    if bytes
        .iter()
        .fold(false, |bad, &b| bad | is_forbidden_control(b))
    {
        return Err(ParseError::ControlCharacter);
    }
    Ok(text)
}

/// [`parse_set_cookie`], borrowing from `bytes`. Inlined into its two
/// callers so that the result is built in place, not copied out.
#[inline]
pub(crate) fn parse_parts(bytes: &[u8]) -> Result<Parts<'_>, ParseError> {
    let parts = parse_parts_with(bytes, true);
    // Every debug build (the tests, the fuzz target) checks the indexed
    // path against the searching one on every header.
    debug_assert!(parts == parse_parts_with(bytes, false), "{bytes:?}");
    parts
}

/// [`parse_parts`], finding the delimiters through the header's index
/// ([`scan::index`]) when `use_index` and the header has one, else by
/// searching (the reference the index is checked against).
#[inline(always)]
fn parse_parts_with(bytes: &[u8], use_index: bool) -> Result<Parts<'_>, ParseError> {
    let delimiters = if use_index { scan::index(bytes) } else { None };
    let (text, mut finder) = match &delimiters {
        // SAFETY: `index` accepts only printable ASCII, and ASCII
        // is UTF-8.
        Some(found) => (
            unsafe { std::str::from_utf8_unchecked(bytes) },
            Finder::Indexed(found.cursor()),
        ),
        None => (checked_text(bytes)?, Finder::Searching),
    };

    // The name-value pair ends at the first `;`; its name at the first `=`
    // before that.
    let b = text.as_bytes();
    let first = finder.next_delimiter(b, 0);
    let (pair_end, equals) = if b.get(first) == Some(&b'=') {
        (finder.next_semicolon(b, first + 1), Some(first))
    } else {
        (first, None)
    };
    // Positions of ASCII bytes (or the end) are char boundaries.
    let pair = slice(text, 0, pair_end);
    let (name, value) = match equals {
        Some(i) => (trimmed(text, 0, i).1, trimmed(text, i + 1, pair_end).1),
        None if trim_wsp(pair).is_empty() => return Err(ParseError::Empty),
        None => return Err(ParseError::NoName),
    };
    if name.is_empty() {
        return Err(if value.is_empty() {
            ParseError::Empty
        } else {
            ParseError::NoName
        });
    }
    let len = name.len() + value.len();
    if len > MAX_NAME_VALUE {
        return Err(ParseError::TooLong(len));
    }

    let mut expires = None;
    let mut max_age = None;
    let mut domain: Option<&str> = None;
    let mut path: Option<&str> = None;
    let mut secure = false;
    let mut http_only = false;
    let mut same_site = None;
    let mut version: Option<&str> = None;
    let mut comment: Option<&str> = None;
    let mut comment_url: Option<&str> = None;
    let mut port: Option<Option<&str>> = None;
    let mut discard = false;
    let mut other = Vec::new();

    if pair_end < text.len() {
        let pairs = AttributePairs {
            text,
            pos: pair_end + 1,
            finder,
        };
        for (kind, attr, raw_value) in pairs {
            if attr.is_empty() {
                continue;
            }
            let v = raw_value.unwrap_or("");
            if v.len() > MAX_ATTRIBUTE_VALUE {
                continue;
            }
            match kind {
                Attr::Expires => {
                    if !v.is_empty() {
                        if let Some(t) = crate::date::parse_cookie_date(v.as_bytes()) {
                            expires = Some(t);
                        }
                    }
                }
                Attr::MaxAge => {
                    if let Some(seconds) = parse_max_age(v) {
                        max_age = Some(seconds);
                    }
                }
                Attr::Domain => {
                    if !v.is_empty() {
                        domain = Some(v);
                    }
                }
                Attr::Path => path = Some(v),
                Attr::Secure => secure = true,
                Attr::HttpOnly => http_only = true,
                Attr::SameSite => same_site = self::same_site(v),
                Attr::Version => version = Some(strip_quotes(v)),
                Attr::Comment => comment = Some(v),
                Attr::CommentUrl => comment_url = Some(v),
                Attr::Port => port = Some(raw_value),
                Attr::Discard => discard = true,
                Attr::Other => other.push((attr, raw_value)),
            }
        }
    }

    Ok(Parts {
        name,
        value,
        expires,
        max_age,
        domain,
        path,
        secure,
        http_only,
        same_site,
        version,
        comment,
        comment_url,
        port,
        discard,
        other,
    })
}

/// What the jar needs of a header in the shape servers nearly always send
/// (`name=value; Path=/x; Domain=.d; Expires=...; Secure; HttpOnly;
/// SameSite=Lax`, see [`parse_usual`]): the fields of [`Parts`] that such a
/// header can set, everything else being empty.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Usual<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    pub(crate) expires: Option<i64>,
    pub(crate) max_age: Option<i64>,
    pub(crate) domain: Option<&'a str>,
    pub(crate) path: Option<&'a str>,
    pub(crate) secure: bool,
    pub(crate) http_only: bool,
    pub(crate) same_site: Option<SameSite>,
}

#[cfg(test)]
impl<'a> Usual<'a> {
    /// The [`Parts`] the general parser gives for the same header.
    fn into_parts(self) -> Parts<'a> {
        Parts {
            name: self.name,
            value: self.value,
            expires: self.expires,
            max_age: self.max_age,
            domain: self.domain,
            path: self.path,
            secure: self.secure,
            http_only: self.http_only,
            same_site: self.same_site,
            ..Parts::default()
        }
    }
}

/// The piece `text[start..end]` when nothing is to be trimmed from it
/// (its ends are no space or tab; empty is fine); `None` otherwise.
/// Positions are as [`slice`] takes them in a checked header.
#[inline(always)]
fn untrimmed(text: &str, start: usize, end: usize) -> Option<&str> {
    let b = text.as_bytes();
    if start >= end {
        return (start == end && end <= b.len()).then_some("");
    }
    if end > b.len() || is_space_or_tab(b[start]) || is_space_or_tab(b[end - 1]) {
        return None;
    }
    debug_assert!(text.get(start..end).is_some());
    // SAFETY: in bounds and in order (checked just above), and both
    // positions are char boundaries (see `slice`).
    Some(unsafe { text.get_unchecked(start..end) })
}

/// The next `;` the cursor gives (taking the `=` before it), or the end
/// (which the cursor gives last).
#[inline(always)]
fn next_semicolon(cursor: &mut Cursor<'_>, b: &[u8]) -> usize {
    for at in cursor.by_ref() {
        if b.get(at) != Some(&b'=') {
            return at;
        }
    }
    b.len()
}

/// [`parse_parts`] for the usual header, in one pass over its delimiters
/// with nothing kept for the attributes such a header never has: plain
/// ASCII, at most [`scan::MAX_INDEXED`] bytes, a name and an `=`, nothing
/// to trim but one space after each `;`, and only the attributes `Path`,
/// `Domain`, `Expires`, `Max-Age`, `Secure`, `HttpOnly` and `SameSite` (in
/// any case). `None` for any other header, which then takes
/// [`parse_parts`]: the reference this is checked against (every debug
/// build compares the two on each header the jar stores).
#[inline(always)]
pub(crate) fn parse_usual(bytes: &[u8]) -> Option<Usual<'_>> {
    let found = scan::index(bytes)?;
    // SAFETY: `index` accepts only printable ASCII, and ASCII is UTF-8.
    let text = unsafe { std::str::from_utf8_unchecked(bytes) };
    let b = bytes;
    let n = b.len();
    let mut cursor = found.cursor();

    // The name-value pair: a name, `=`, the value up to the first `;`.
    let equals = cursor.next()?;
    if b.get(equals) != Some(&b'=') || equals == 0 {
        return None;
    }
    let pair_end = next_semicolon(&mut cursor, b);
    let name = untrimmed(text, 0, equals)?;
    let value = untrimmed(text, equals + 1, pair_end)?;

    let mut usual = Usual {
        name,
        value,
        expires: None,
        max_age: None,
        domain: None,
        path: None,
        secure: false,
        http_only: false,
        same_site: None,
    };
    let mut pos = pair_end + 1;
    while pos <= n {
        // The attribute's name: after the one space a `;` is followed by,
        // up to the next delimiter (or the end).
        let start = pos + usize::from(b.get(pos) == Some(&b' '));
        let (name_end, value_end) = match cursor.next() {
            Some(at) if b.get(at) == Some(&b'=') => (at, next_semicolon(&mut cursor, b)),
            Some(at) => (at, at),
            None => (n, n),
        };
        pos = value_end + 1;
        // A usual name is four to eight bytes: read as the word that ends
        // with it and compared with each name of its length (a trimmed
        // name that is not one of the seven is refused here, and so is one
        // with a space or tab left at either end).
        let len = name_end.checked_sub(start)?;
        let word = word_ending_at(b, name_end)?;
        // Its value, trimmed (refused when there is more to trim than
        // `untrimmed` allows); empty for an attribute without `=`.
        let value = || {
            if name_end < value_end {
                untrimmed(text, name_end + 1, value_end)
            } else {
                Some("")
            }
        };
        match len {
            4 if ends_with_name(word, b"path") => usual.path = Some(value()?),
            6 if ends_with_name(word, b"domain") => {
                let v = value()?;
                if !v.is_empty() {
                    usual.domain = Some(v);
                }
            }
            // A flag's value, if any, is ignored.
            6 if ends_with_name(word, b"secure") => usual.secure = true,
            7 if ends_with_name(word, b"expires") => {
                let v = value()?;
                if !v.is_empty() {
                    if let Some(t) = crate::date::parse_cookie_date(v.as_bytes()) {
                        usual.expires = Some(t);
                    }
                }
            }
            7 if ends_with_name(word, b"max-age") => {
                if let Some(seconds) = parse_max_age(value()?) {
                    usual.max_age = Some(seconds);
                }
            }
            8 if ends_with_name(word, b"httponly") => usual.http_only = true,
            8 if ends_with_name(word, b"samesite") => usual.same_site = same_site(value()?),
            _ => return None,
        }
    }
    Some(usual)
}

/// The eight bytes of `b` that end at `end`, as a little-endian word;
/// `None` when `end < 8` (a header that short takes the general path).
#[inline(always)]
fn word_ending_at(b: &[u8], end: usize) -> Option<u64> {
    let bytes = b.get(end.checked_sub(8)?..end)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// Whether the last `name.len()` bytes of `word` (little-endian: its top
/// bytes) are `name` (lower case, at most eight bytes) in any case. OR-ing
/// 0x20 lower-cases ASCII letters and maps no other byte of a checked
/// header onto a letter or `-` (see [`kind_of_word`]).
#[inline(always)]
fn ends_with_name(word: u64, name: &[u8]) -> bool {
    let mut bytes = [0u8; 8];
    let at = 8 - name.len().min(8);
    for (to, &from) in bytes.iter_mut().skip(at).zip(name) {
        *to = from;
    }
    let expected = u64::from_le_bytes(bytes);
    let mask = u64::MAX.checked_shl(8 * at as u32).unwrap_or(0);
    (word | 0x2020_2020_2020_2020) & mask == expected
}

/// A `SameSite` attribute's value: `Strict`, `Lax` or `None` in any case,
/// anything else unspecified.
#[inline(always)]
fn same_site(v: &str) -> Option<SameSite> {
    if v.eq_ignore_ascii_case("strict") {
        Some(SameSite::Strict)
    } else if v.eq_ignore_ascii_case("lax") {
        Some(SameSite::Lax)
    } else if v.eq_ignore_ascii_case("none") {
        Some(SameSite::None)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The straightforward splitter [`AttributePairs`] replaced, kept as the
    /// reference it is checked against.
    struct SplitSemicolons<'a>(Option<&'a str>);

    impl<'a> Iterator for SplitSemicolons<'a> {
        type Item = &'a str;

        #[inline]
        fn next(&mut self) -> Option<&'a str> {
            let rest = self.0?;
            match find_byte(rest, b';') {
                Some(i) => {
                    self.0 = Some(&rest[i + 1..]);
                    Some(&rest[..i])
                }
                None => {
                    self.0 = None;
                    Some(rest)
                }
            }
        }
    }

    fn reference_pairs(attributes: &str) -> Vec<(&str, Option<&str>)> {
        SplitSemicolons(Some(attributes))
            .map(|av| match find_byte(av, b'=') {
                Some(i) => (trim_wsp(&av[..i]), Some(trim_wsp(&av[i + 1..]))),
                None => (trim_wsp(av), None),
            })
            .collect()
    }

    /// The classification [`attr_kind`] replaced, kept as its reference.
    fn reference_kind(name: &str) -> &'static str {
        const NAMES: [&str; 12] = [
            "path",
            "port",
            "domain",
            "secure",
            "expires",
            "max-age",
            "version",
            "comment",
            "discard",
            "httponly",
            "samesite",
            "commenturl",
        ];
        NAMES
            .iter()
            .find(|known| name.eq_ignore_ascii_case(known))
            .copied()
            .unwrap_or("other")
    }

    /// `text` split by [`AttributePairs`] searching for each delimiter, and
    /// (when the text is plain ASCII, so indexed) taking them from the index.
    fn both_splits(text: &str) -> Vec<Vec<(Attr, &str, Option<&str>)>> {
        let found = scan::index(text.as_bytes());
        let searching = AttributePairs {
            text,
            pos: 0,
            finder: Finder::Searching,
        };
        let mut splits = vec![searching.collect::<Vec<_>>()];
        if let Some(found) = &found {
            let indexed = AttributePairs {
                text,
                pos: 0,
                finder: Finder::Indexed(found.cursor()),
            };
            splits.push(indexed.collect());
        }
        splits
    }

    fn kind_name(kind: Attr) -> &'static str {
        match kind {
            Attr::Path => "path",
            Attr::Port => "port",
            Attr::Domain => "domain",
            Attr::Secure => "secure",
            Attr::Expires => "expires",
            Attr::MaxAge => "max-age",
            Attr::Version => "version",
            Attr::Comment => "comment",
            Attr::Discard => "discard",
            Attr::HttpOnly => "httponly",
            Attr::SameSite => "samesite",
            Attr::CommentUrl => "commenturl",
            Attr::Other => "other",
        }
    }

    #[test]
    fn low_bytes_masks_the_low_k_bytes() {
        for k in 0..=8 {
            let expected = (0..k).fold(0u64, |m, i| m | 0xff << (8 * i));
            assert_eq!(low_bytes(k), expected, "{k}");
        }
    }

    #[test]
    fn attribute_names_are_recognised_in_any_case_and_nothing_else_is() {
        for name in [
            "Path",
            "PORT",
            "domain",
            "SeCuRe",
            "Expires",
            "Max-Age",
            "version",
            "Comment",
            "DISCARD",
            "HttpOnly",
            "SameSite",
            "CommentURL",
            "max_age",
            "max-ag",
            "paths",
            "pat",
            "",
            "p@th",
            "MAX\tAGE",
            "samesitE",
            "httponlyy",
        ] {
            assert_eq!(kind_name(attr_kind(name)), reference_kind(name), "{name:?}");
        }
    }

    /// Headers for the tests that compare two readings: any bytes, bytes
    /// rich in delimiters, and cookie-shaped text (a trailing `;` too).
    fn any_header() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            prop::collection::vec(
                prop_oneof![
                    6 => prop::sample::select(b"aZ-/.0 ;=\t\"".to_vec()),
                    1 => any::<u8>(),
                ],
                0..300,
            ),
            "[ \t]{0,2}[a-zA-Z]{0,4}[ \t]{0,2}=?[ \t]{0,2}[a-z=]{0,40}(;[ \t]{0,3}(?i)(path|domain|expires|max-age|secure|httponly|samesite|commenturl|x)[ \t]{0,2}(=[ \t]{0,2}[a-zA-Z0-9 ,:=-]{0,30})?[ \t]{0,2}){0,6};?"
                .prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn attr_kind_agrees_with_a_case_insensitive_compare(
            name in "[a-zA-Z@\\[\\]_`{}~^-]{0,11}|(?i)(path|port|domain|secure|expires|max-age|version|comment|discard|httponly|samesite|commenturl)"
        ) {
            prop_assert_eq!(kind_name(attr_kind(&name)), reference_kind(&name));
        }

        #[test]
        fn the_vector_check_of_a_header_agrees_with_utf8_and_control_checks(
            text in prop::collection::vec(
                prop_oneof![
                    8 => 0x20u8..0x7f,
                    1 => prop::sample::select(vec![0u8, 8, 9, 10, 13, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xff]),
                ],
                0..70,
            ),
        ) {
            // Every byte printable or tab exactly when the vector check says
            // so, and the result (text or error) always the general path's.
            let plain = text.iter().all(|&b| (0x20..0x7f).contains(&b) || b == b'\t');
            prop_assert_eq!(is_plain(&text), plain);
            prop_assert_eq!(checked_text(&text), checked_text_slow(&text));
        }

        #[test]
        fn the_index_and_the_search_parse_every_header_alike(
            header in any_header(),
        ) {
            prop_assert_eq!(parse_parts_with(&header, true), parse_parts_with(&header, false));
        }

        #[test]
        fn the_usual_reading_is_the_general_one_whenever_it_reads(
            header in any_header(),
        ) {
            if let Some(usual) = parse_usual(&header) {
                prop_assert_eq!(parse_parts(&header), Ok(usual.into_parts()));
            }
        }

        #[test]
        fn a_usual_header_is_read_the_usual_way_as_the_general_one(
            pair in "[a-zA-Z_]{1,12}=[a-zA-Z0-9=_\"-]{0,60}",
            attributes in prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "Path", "path", "Domain", "DOMAIN", "Expires", "Max-Age", "max-age",
                        "Secure", "secure", "HttpOnly", "httponly", "SameSite", "samesite",
                    ]),
                    prop_oneof![
                        Just(None),
                        prop::sample::select(vec![
                            "/", "/a/b", "", "rel", ".example.com", "Example.COM", "3600", "-1",
                            "0", "x1", "Lax", "STRICT", "none", "other", "=",
                            "Sat, 14 Oct 2045 18:27:26 GMT", "Fri, 24-Jul-2065 17:04:19 GMT",
                            "Wed, 31 Feb 1994 22:23:32 GMT", "1994 feb 9 22:23:32",
                        ])
                        .prop_map(Some),
                    ],
                ),
                0..8,
            ),
        ) {
            let mut header = pair;
            for (name, value) in attributes {
                header.push_str("; ");
                header.push_str(name);
                if let Some(value) = value {
                    header.push('=');
                    header.push_str(value);
                }
            }
            let usual = parse_usual(header.as_bytes());
            // Up to eight attributes can outgrow the index: a longer header
            // is left to the general path, which is what a user gets then.
            prop_assert_eq!(usual.is_some(), header.len() <= super::scan::MAX_INDEXED, "{:?}", header);
            if let Some(usual) = usual {
                prop_assert_eq!(parse_parts(header.as_bytes()), Ok(usual.into_parts()));
            }
        }

        #[test]
        fn max_age_fast_path_agrees_with_the_saturating_parse(
            text in "-?[0-9]{0,22}|[0-9x -]{0,6}",
        ) {
            prop_assert_eq!(parse_max_age(&text), parse_max_age_saturating(&text));
        }

        #[test]
        fn find_either_finds_the_first_of_two_bytes(
            text in prop::collection::vec(prop::sample::select(b"ab=;\x80\xff\x01\x00 ".to_vec()), 0..40),
            start in 0usize..45,
        ) {
            // A start past the end finds nothing: the end.
            prop_assert_eq!(
                find_either(&text, start, b'=', b';'),
                (start.min(text.len())..text.len())
                    .find(|&i| text[i] == b'=' || text[i] == b';')
                    .unwrap_or(text.len())
            );
            let naive = (start..text.len())
                .find(|&i| text[i] == b'=' || text[i] == b';')
                .unwrap_or(text.len())
                .max(start.min(text.len()));
            prop_assert_eq!(find_either(&text, start.min(text.len()), b'=', b';'), naive);
            let naive_one = (start..text.len()).find(|&i| text[i] == b';').unwrap_or(text.len());
            prop_assert_eq!(
                find_either(&text, start.min(text.len()), b';', b';'),
                naive_one.max(start.min(text.len()))
            );
        }

        #[test]
        fn attribute_kinds_read_eight_bytes_at_a_time_agree_with_the_names(
            parts in prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "Path", "path", " PATH", "SameSite", "samesitex", "HTTPONLY", "HttpOnly",
                        "Secure", "secure ", "max-age", "Max-Age\t", "Expires", "domain", "Domain",
                        "commentURL", "Comment", "port", "Version", "discard", "x", "", " ",
                        "pat", "paths", "\u{e9}", "Secur\u{e9}",
                    ]),
                    prop::sample::select(vec!["=", ";", "; ", "=v;", " = ", "=Lax; ", ""]),
                ),
                0..8,
            ),
        ) {
            let text: String = parts.iter().map(|(n, sep)| format!("{n}{sep}")).collect();
            for fast in both_splits(&text) {
                let names: Vec<_> = fast.iter().map(|&(_, n, v)| (n, v)).collect();
                prop_assert_eq!(names, reference_pairs(&text));
                for (kind, name, _) in fast {
                    prop_assert_eq!(kind_name(kind), reference_kind(name), "{:?} in {:?}", name, text);
                }
            }
        }

        #[test]
        fn the_one_pass_attribute_splitter_agrees_with_split_find_trim(
            text in "[a-zA-Z =;\t\u{e9}\u{1F36A}-]{0,80}"
        ) {
            for fast in both_splits(&text) {
                let names: Vec<_> = fast.iter().map(|&(_, n, v)| (n, v)).collect();
                prop_assert_eq!(names, reference_pairs(&text));
                // The kind read from the eight-byte word is the name's kind.
                for (kind, name, _) in fast {
                    prop_assert_eq!(kind_name(kind), reference_kind(name), "{:?}", name);
                }
            }
        }
    }

    fn parse(s: &str) -> SetCookie {
        parse_set_cookie(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn err(s: &[u8]) -> ParseError {
        parse_set_cookie(s).expect_err("should be rejected")
    }

    // ---- the name-value pair -------------------------------------------

    #[test]
    fn a_simple_cookie_has_its_name_and_value() {
        let c = parse("foo=bar");
        assert_eq!(c.name, "foo");
        assert_eq!(c.value, "bar");
        assert_eq!(
            c,
            SetCookie {
                name: "foo".into(),
                value: "bar".into(),
                ..SetCookie::default()
            }
        );
    }

    #[test]
    fn a_cookie_without_equals_sign_is_ignored() {
        assert_eq!(err(b"foo"), ParseError::NoName);
        assert_eq!(err(b"foo; Path=/"), ParseError::NoName);
        assert_eq!(err(b"  foo  "), ParseError::NoName);
    }

    #[test]
    fn a_cookie_with_an_empty_name_is_ignored() {
        assert_eq!(err(b"=a=bar"), ParseError::NoName);
        assert_eq!(err(b"=bar"), ParseError::NoName);
        assert_eq!(err(b" \t=bar; Secure"), ParseError::NoName);
    }

    #[test]
    fn an_equals_sign_after_the_first_semicolon_does_not_make_a_name() {
        assert_eq!(err(b"foo; bar=baz"), ParseError::NoName);
    }

    #[test]
    fn an_empty_header_or_bare_equals_sign_is_empty() {
        assert_eq!(err(b""), ParseError::Empty);
        assert_eq!(err(b"   "), ParseError::Empty);
        assert_eq!(err(b"="), ParseError::Empty);
        assert_eq!(err(b" = ; Path=/"), ParseError::Empty);
        assert_eq!(err(b"; Path=/"), ParseError::Empty);
    }

    #[test]
    fn an_empty_value_is_allowed() {
        let c = parse("foo=");
        assert_eq!((c.name.as_str(), c.value.as_str()), ("foo", ""));
        let c = parse("foo= ; Secure");
        assert_eq!(c.value, "");
        assert!(c.secure);
    }

    #[test]
    fn spaces_and_tabs_around_name_and_value_are_trimmed() {
        let c = parse(" \tfoo \t= \tbar baz\t ");
        assert_eq!(c.name, "foo");
        assert_eq!(c.value, "bar baz");
    }

    #[test]
    fn only_spaces_and_tabs_are_trimmed_not_other_unicode_spaces() {
        let c = parse("\u{a0}foo=bar\u{a0}");
        assert_eq!(c.name, "\u{a0}foo");
        assert_eq!(c.value, "bar\u{a0}");
    }

    #[test]
    fn the_value_splits_at_the_first_equals_sign_only() {
        let c = parse("foo=a=b=c");
        assert_eq!(c.name, "foo");
        assert_eq!(c.value, "a=b=c");
    }

    #[test]
    fn quotes_in_the_value_are_kept() {
        let c = parse("foo=\"bar baz\"; Path=/");
        assert_eq!(c.value, "\"bar baz\"");
    }

    #[test]
    fn non_ascii_utf8_names_and_values_are_kept() {
        let c = parse("grüße=☃");
        assert_eq!(c.name, "grüße");
        assert_eq!(c.value, "☃");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error() {
        assert_eq!(err(b"foo=\xff\xfe"), ParseError::NotUtf8);
        assert_eq!(err(b"\xc3=1"), ParseError::NotUtf8);
    }

    #[test]
    fn control_characters_anywhere_are_an_error() {
        for b in (0x00u8..=0x08).chain(0x0a..=0x1f).chain([0x7f]) {
            let mut header = b"foo=bar; Path=/".to_vec();
            header.insert(5, b);
            assert_eq!(err(&header), ParseError::ControlCharacter, "byte {b:#x}");
            let mut header = b"foo=bar; Path=/".to_vec();
            header.push(b);
            assert_eq!(err(&header), ParseError::ControlCharacter, "byte {b:#x}");
        }
        assert_eq!(err(b"foo\0=bar"), ParseError::ControlCharacter);
    }

    #[test]
    fn a_tab_is_not_a_control_character() {
        let c = parse("foo=b\tar;\tSecure");
        assert_eq!(c.value, "b\tar");
        assert!(c.secure);
    }

    #[test]
    fn name_and_value_of_exactly_4096_bytes_are_accepted() {
        let header = format!("{}={}", "n".repeat(96), "v".repeat(4000));
        let c = parse(&header);
        assert_eq!(c.name.len() + c.value.len(), 4096);
    }

    #[test]
    fn name_and_value_longer_than_4096_bytes_are_rejected() {
        let header = format!("{}={}", "n".repeat(96), "v".repeat(4001));
        assert_eq!(err(header.as_bytes()), ParseError::TooLong(4097));
        let header = format!("{}=v", "n".repeat(5000));
        assert_eq!(err(header.as_bytes()), ParseError::TooLong(5001));
    }

    #[test]
    fn the_length_limit_counts_the_trimmed_name_and_value() {
        let header = format!("  {}  =  {}  ", "n".repeat(96), "v".repeat(4000));
        assert_eq!(parse(&header).value.len(), 4000);
    }

    #[test]
    fn the_length_limit_does_not_count_attributes() {
        let header = format!(
            "n=v; Path=/{}; Comment={}",
            "p".repeat(1000),
            "c".repeat(1000)
        );
        let header = format!("{header}; a={0}; b={0}; c={0}", "x".repeat(1000));
        assert_eq!(parse(&header).name, "n");
    }

    // ---- attributes in general -------------------------------------------

    #[test]
    fn attribute_names_are_case_insensitive() {
        let c = parse("a=b; pAtH=/x; DOMAIN=d.example; sEcUrE; httpONLY; MAX-age=5");
        assert_eq!(c.path.as_deref(), Some("/x"));
        assert_eq!(c.domain.as_deref(), Some("d.example"));
        assert!(c.secure && c.http_only);
        assert_eq!(c.max_age, Some(5));
    }

    #[test]
    fn spaces_around_attribute_names_and_values_are_trimmed() {
        let c = parse("a=b ;  Path \t=\t /x y  ;   Domain =  d.example ");
        assert_eq!(c.path.as_deref(), Some("/x y"));
        assert_eq!(c.domain.as_deref(), Some("d.example"));
    }

    #[test]
    fn empty_attributes_are_skipped() {
        let c = parse("a=b;;; ; =x;Secure;");
        assert!(c.secure);
        assert!(c.other.is_empty());
    }

    #[test]
    fn attribute_values_longer_than_1024_bytes_are_ignored() {
        let long = "x".repeat(1025);
        let c = parse(&format!("a=b; Path=/ok; Path=/{long}"));
        assert_eq!(c.path.as_deref(), Some("/ok"));
        let c = parse(&format!("a=b; Domain={long}"));
        assert_eq!(c.domain, None);
        let c = parse(&format!("a=b; Secure={long}"));
        assert!(!c.secure);
        let c = parse(&format!("a=b; Foo={long}"));
        assert!(c.other.is_empty());
    }

    #[test]
    fn attribute_values_of_exactly_1024_bytes_are_kept() {
        let path = format!("/{}", "x".repeat(1023));
        let c = parse(&format!("a=b; Path={path}"));
        assert_eq!(c.path.as_deref(), Some(path.as_str()));
    }

    // ---- Max-Age ---------------------------------------------------------

    #[test]
    fn max_age_is_kept_in_seconds() {
        assert_eq!(parse("a=b; Max-Age=3600").max_age, Some(3600));
        assert_eq!(parse("a=b; Max-Age=007").max_age, Some(7));
    }

    #[test]
    fn zero_and_negative_max_age_are_kept_for_the_jar() {
        assert_eq!(parse("a=b; Max-Age=0").max_age, Some(0));
        assert_eq!(parse("a=b; Max-Age=-1").max_age, Some(-1));
        assert_eq!(parse("a=b; Max-Age=-0").max_age, Some(0));
    }

    #[test]
    fn max_age_that_is_not_all_digits_is_ignored() {
        for bad in [
            "", "+1", "1.5", "1e3", "abc", "10s", " - 1", "-", "--1", "1-", "٣",
        ] {
            let header = format!("a=b; Max-Age={bad}");
            assert_eq!(parse(&header).max_age, None, "{header}");
        }
        assert_eq!(parse("a=b; Max-Age").max_age, None);
    }

    #[test]
    fn an_invalid_max_age_leaves_an_earlier_one() {
        assert_eq!(parse("a=b; Max-Age=10; Max-Age=x").max_age, Some(10));
    }

    #[test]
    fn huge_max_age_saturates_instead_of_overflowing() {
        let c = parse("a=b; Max-Age=99999999999999999999999999999");
        assert_eq!(c.max_age, Some(i64::MAX));
        let c = parse("a=b; Max-Age=-99999999999999999999999999999");
        assert_eq!(c.max_age, Some(i64::MIN));
        let c = parse("a=b; Max-Age=9223372036854775807");
        assert_eq!(c.max_age, Some(i64::MAX));
        let c = parse("a=b; Max-Age=9223372036854775808");
        assert_eq!(c.max_age, Some(i64::MAX));
    }

    #[test]
    fn the_last_max_age_wins() {
        assert_eq!(parse("a=b; Max-Age=1; max-age=2").max_age, Some(2));
    }

    // ---- Expires ---------------------------------------------------------

    #[test]
    fn an_empty_expires_is_ignored() {
        // Does not reach the date parser: an empty value is skipped first.
        assert_eq!(parse("a=b; Expires").expires, None);
        assert_eq!(parse("a=b; Expires=").expires, None);
        assert_eq!(parse("a=b; Expires= ; Max-Age=1").max_age, Some(1));
    }

    // Expires tests that call crate::date::parse_cookie_date. They are
    // ignored until date.rs (written in the date worktree) is merged.

    #[test]
    fn expires_is_parsed_into_unix_seconds() {
        let c = parse("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(c.expires, Some(1_445_412_480));
        let c = parse("a=b; expires=Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(c.expires, Some(0));
    }

    #[test]
    fn an_unparsable_expires_is_ignored() {
        assert_eq!(parse("a=b; Expires=not a date").expires, None);
        let c = parse("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Expires=garbage");
        assert_eq!(c.expires, Some(1_445_412_480));
    }

    #[test]
    fn the_last_valid_expires_wins() {
        let c = parse(
            "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
        );
        assert_eq!(c.expires, Some(1_445_412_480));
    }

    #[test]
    fn expires_and_max_age_are_both_kept() {
        let c = parse("a=b; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(c.max_age, Some(60));
        assert_eq!(c.expires, Some(1_445_412_480));
    }

    // ---- Domain ----------------------------------------------------------

    #[test]
    fn domain_is_kept_as_written() {
        assert_eq!(
            parse("a=b; Domain=.Example.COM").domain.as_deref(),
            Some(".Example.COM")
        );
    }

    #[test]
    fn an_empty_domain_is_ignored_and_keeps_an_earlier_one() {
        let c = parse("a=b; domain=foo.example.org; domain=");
        assert_eq!(c.domain.as_deref(), Some("foo.example.org"));
        assert_eq!(parse("a=b; Domain=").domain, None);
        assert_eq!(parse("a=b; Domain").domain, None);
        assert_eq!(parse("a=b; Domain=  ").domain, None);
    }

    #[test]
    fn the_last_nonempty_domain_wins() {
        let c = parse("a=b; Domain=one.example; Domain=two.example");
        assert_eq!(c.domain.as_deref(), Some("two.example"));
    }

    // ---- Path ------------------------------------------------------------

    #[test]
    fn path_is_kept_as_written() {
        assert_eq!(parse("a=b; Path=/a/b/").path.as_deref(), Some("/a/b/"));
    }

    #[test]
    fn an_empty_or_bare_path_is_kept_as_empty_for_the_jar() {
        assert_eq!(parse("a=b; Path=").path.as_deref(), Some(""));
        assert_eq!(parse("a=b; Path").path.as_deref(), Some(""));
    }

    #[test]
    fn a_relative_path_is_kept_for_the_jar() {
        assert_eq!(parse("a=b; Path=foo").path.as_deref(), Some("foo"));
    }

    #[test]
    fn the_last_path_wins_even_if_empty() {
        assert_eq!(parse("a=b; Path=/x; Path=/y").path.as_deref(), Some("/y"));
        assert_eq!(parse("a=b; Path=/x; Path=").path.as_deref(), Some(""));
        assert_eq!(parse("a=b; Path=/x; Path=rel").path.as_deref(), Some("rel"));
    }

    #[test]
    fn no_path_attribute_is_none() {
        assert_eq!(parse("a=b").path, None);
    }

    // ---- Secure, HttpOnly, Discard -----------------------------------------

    #[test]
    fn secure_and_httponly_are_flags() {
        let c = parse("a=b; Secure; HttpOnly");
        assert!(c.secure);
        assert!(c.http_only);
        let c = parse("a=b");
        assert!(!c.secure);
        assert!(!c.http_only);
    }

    #[test]
    fn a_flag_with_a_value_is_still_set() {
        let c = parse("a=b; Secure=aaaa; HttpOnly=no; Discard=false");
        assert!(c.secure);
        assert!(c.http_only);
        assert!(c.discard);
        let c = parse("a=b; Secure=");
        assert!(c.secure);
    }

    #[test]
    fn discard_is_a_flag() {
        assert!(parse("a=b; Discard").discard);
        assert!(!parse("a=b").discard);
    }

    // ---- SameSite --------------------------------------------------------

    #[test]
    fn samesite_values_are_case_insensitive() {
        assert_eq!(
            parse("a=b; SameSite=Strict").same_site,
            Some(SameSite::Strict)
        );
        assert_eq!(parse("a=b; samesite=LAX").same_site, Some(SameSite::Lax));
        assert_eq!(parse("a=b; SAMESITE=none").same_site, Some(SameSite::None));
    }

    #[test]
    fn an_unknown_samesite_value_is_unspecified() {
        assert_eq!(parse("a=b; SameSite=Bogus").same_site, None);
        assert_eq!(parse("a=b; SameSite").same_site, None);
        assert_eq!(parse("a=b; SameSite=").same_site, None);
        assert_eq!(parse("a=b").same_site, None);
    }

    #[test]
    fn the_last_samesite_wins_even_if_unknown() {
        assert_eq!(
            parse("a=b; SameSite=Lax; SameSite=Strict").same_site,
            Some(SameSite::Strict)
        );
        assert_eq!(parse("a=b; SameSite=Lax; SameSite=bogus").same_site, None);
    }

    // ---- RFC 2109 leftovers ----------------------------------------------

    #[test]
    fn version_is_kept_without_surrounding_quotes() {
        assert_eq!(parse("a=b; Version=1").version.as_deref(), Some("1"));
        assert_eq!(parse("a=b; Version=\"1\"").version.as_deref(), Some("1"));
        assert_eq!(parse("a=b; Version=\"1").version.as_deref(), Some("1"));
        assert_eq!(parse("a=b; Version=\"").version.as_deref(), Some(""));
        assert_eq!(parse("a=b; Version").version.as_deref(), Some(""));
    }

    #[test]
    fn comment_and_commenturl_are_kept() {
        let c = parse("a=b; Comment=hello world; CommentURL=\"http://x.example/\"");
        assert_eq!(c.comment.as_deref(), Some("hello world"));
        assert_eq!(c.comment_url.as_deref(), Some("\"http://x.example/\""));
    }

    #[test]
    fn port_without_a_value_is_some_none() {
        assert_eq!(parse("a=b; Port").port, Some(None));
        assert_eq!(parse("a=b").port, None);
    }

    #[test]
    fn port_with_a_value_is_kept_as_written() {
        assert_eq!(
            parse("a=b; Port=\"80,8080\"").port,
            Some(Some("\"80,8080\"".into()))
        );
        assert_eq!(parse("a=b; Port=80").port, Some(Some("80".into())));
        assert_eq!(parse("a=b; Port=").port, Some(Some(String::new())));
    }

    #[test]
    fn the_last_rfc2109_attribute_wins() {
        let c = parse("a=b; Version=1; Version=2; Comment=x; Comment=y; Port=1; Port");
        assert_eq!(c.version.as_deref(), Some("2"));
        assert_eq!(c.comment.as_deref(), Some("y"));
        assert_eq!(c.port, Some(None));
    }

    // ---- other attributes ------------------------------------------------

    #[test]
    fn unknown_attributes_keep_their_name_as_written_and_their_value() {
        let c = parse("a=b; Priority=High; Partitioned; X-Thing=1=2");
        assert_eq!(
            c.other,
            vec![
                ("Priority".to_string(), Some("High".to_string())),
                ("Partitioned".to_string(), None),
                ("X-Thing".to_string(), Some("1=2".to_string())),
            ]
        );
    }

    #[test]
    fn known_attributes_do_not_go_to_other() {
        let c = parse(
            "a=b; Max-Age=1; Domain=d; Path=/; Secure; HttpOnly; SameSite=Lax; \
             Version=1; Comment=c; CommentURL=u; Port; Discard; Expires",
        );
        assert!(c.other.is_empty(), "{:?}", c.other);
    }

    #[test]
    fn near_miss_attribute_names_are_other() {
        let c = parse("a=b; Max_Age=1; Secure2; Comment-URL=x");
        assert_eq!(c.max_age, None);
        assert!(!c.secure);
        assert_eq!(c.comment_url, None);
        assert_eq!(c.other.len(), 3);
    }

    #[test]
    fn parse_max_age_helper_rules() {
        assert_eq!(parse_max_age("12"), Some(12));
        assert_eq!(parse_max_age("-12"), Some(-12));
        assert_eq!(parse_max_age("-"), None);
        assert_eq!(parse_max_age(""), None);
        assert_eq!(parse_max_age("1 2"), None);
    }
}
