//! Where the `;` and `=` of a `Set-Cookie` header are, found sixteen bytes
//! at a time with SSE2 (part of every x86_64 CPU) in the same pass that
//! checks that the header is plain ASCII.
//!
//! Searching for the next `;` or `=` again for every attribute was a third
//! of parsing a cookie. One pass gives a bitmask of both delimiters; the
//! parser then takes them in order, lowest bit first ([`Cursor`]), and
//! tells the two apart by the byte.
//!
//! The same pass finds the spaces, and whether any of them needs trimming
//! beyond the one space after each `;` ([`Delimiters::spacing_is_plain`]):
//! servers' headers never do, and then each piece is trimmed by one byte
//! test instead of a test of each end and a bounds test (~14 instructions
//! per piece, eight pieces per header).
//!
//! Only headers of at most [`MAX_INDEXED`] bytes are indexed (every header
//! of the benchmark corpora; servers rarely send longer ones), so the mask
//! lives on the stack. Longer headers, headers with other bytes, and other
//! targets take the searching path in `set_cookie.rs`, which is also the
//! reference this one is tested against.

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use std::arch::x86_64::{
    __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
    _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
};

/// Longest header that is indexed, in bytes.
pub(super) const MAX_INDEXED: usize = 256;
const WORDS: usize = MAX_INDEXED / 64;

/// The positions of the `;` and `=` of a header: bit `i % 64` of word
/// `i / 64` is set when byte `i` is one of them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Delimiters {
    words: [u64; WORDS],
    /// No space is the last byte, the second byte after a delimiter or the
    /// start (treated as one), or the byte before a delimiter: so every
    /// piece between delimiters (`;` or `=`, also an `=` the parser keeps
    /// in a value), trimmed, is the piece without its first byte when that
    /// is a space, and that space is followed by a byte of the piece.
    spacing_is_plain: bool,
}

impl Delimiters {
    /// Whether no piece of the header needs trimming beyond one leading
    /// space (see the field).
    #[inline(always)]
    pub(super) fn spacing_is_plain(&self) -> bool {
        self.spacing_is_plain
    }

    /// The delimiters in order, from the first.
    #[inline(always)]
    pub(super) fn cursor(&self) -> Cursor<'_> {
        Cursor {
            words: &self.words,
            word: 0,
            bits: self.words[0],
        }
    }
}

/// The delimiters of a header not taken yet, lowest first.
pub(super) struct Cursor<'a> {
    words: &'a [u64; WORDS],
    /// The word `bits` came from.
    word: usize,
    /// What is left of that word.
    bits: u64,
}

impl Iterator for Cursor<'_> {
    type Item = usize;

    /// The position of the next delimiter, which is then taken.
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            self.word += 1;
            self.bits = *self.words.get(self.word)?;
        }
        let at = self.word * 64 + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(at)
    }
}

/// The spaces of a header that trimming would remove beyond one after each
/// delimiter, a word at a time (bit `i` for byte `i`, with the carries
/// from the word before): a space before a delimiter, or a space after a
/// delimiter's (or the start's) leading space. Not zero means the spacing
/// is not plain.
#[derive(Default)]
struct Spacing {
    bad: u64,
    /// The top bits of the previous word's spaces, delimiters and leading
    /// spaces, moved to bit 0; before the header, a delimiter.
    carry_space: u64,
    carry_delimiter: u64,
    carry_lead: u64,
}

impl Spacing {
    fn new() -> Self {
        Spacing {
            carry_delimiter: 1,
            ..Spacing::default()
        }
    }

    /// Adds the next 64 bytes' delimiters `d` and spaces `s`.
    #[inline(always)]
    fn add(&mut self, d: u64, s: u64) {
        let lead = s & ((d << 1) | self.carry_delimiter);
        self.bad |= (((s << 1) | self.carry_space) & d) | (((lead << 1) | self.carry_lead) & s);
        self.carry_space = s >> 63;
        self.carry_delimiter = d >> 63;
        self.carry_lead = lead >> 63;
    }
}

/// The 16 bytes of `chunk` as a vector.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn load(chunk: &[u8; 16]) -> __m128i {
    // SAFETY: `chunk` is 16 readable bytes, and `_mm_loadu_si128` reads
    // exactly 16 bytes, with no alignment requirement.
    unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) }
}

/// The delimiters of `bytes` when it is at most [`MAX_INDEXED`] bytes, each
/// printable ASCII (`0x20..=0x7E`): then the header is UTF-8 and holds no
/// control character RFC 6265bis §5.6 refuses. (A tab, allowed but rare,
/// sends the header to the searching path.) `None` otherwise,
/// and on targets without SSE2 (there the searching path is the fast one).
#[inline(always)]
pub(super) fn index(bytes: &[u8]) -> Option<Delimiters> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the function needs SSE2, which this target has (the
        // `cfg` above; every x86_64 CPU does).
        unsafe { index_sse2(bytes) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let _ = bytes;
        None
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn index_sse2(bytes: &[u8]) -> Option<Delimiters> {
    let n = bytes.len();
    if n > MAX_INDEXED {
        return None;
    }
    // Adding 0x60 moves 0x20..=0x7E to 0x80..=0xDE, the signed bytes below
    // -33, and every other byte to -33 or above: one signed compare tests
    // the range.
    let shift = _mm_set1_epi8(0x60);
    let below = _mm_set1_epi8(-33);
    let semicolon = _mm_set1_epi8(b';' as i8);
    let equals = _mm_set1_epi8(b'=' as i8);
    let space = _mm_set1_epi8(b' ' as i8);
    // Lanes stay all ones while every byte seen is printable; no early
    // exit, headers are short and nearly always plain.
    let mut all_printable = _mm_set1_epi8(-1);
    // The delimiters and the spaces of a chunk, bit j for lane j.
    let mut delimiters_of = |v: __m128i| -> (u64, u64) {
        let printable = _mm_cmplt_epi8(_mm_add_epi8(v, shift), below);
        all_printable = _mm_and_si128(all_printable, printable);
        let hits = _mm_or_si128(_mm_cmpeq_epi8(v, semicolon), _mm_cmpeq_epi8(v, equals));
        // movemask sets only the low 16 bits.
        (
            u64::from(_mm_movemask_epi8(hits) as u16),
            u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)) as u16),
        )
    };
    let mut found = Delimiters::default();
    let mut spacing = Spacing::new();

    // Whole words first: 64 bytes, four chunks, one word of the mask
    // built in a register.
    let mut blocks = bytes.chunks_exact(64);
    for (word, block) in found.words.iter_mut().zip(blocks.by_ref()) {
        let (mut bits, mut spaces) = (0, 0);
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            if let Ok(chunk) = <&[u8; 16]>::try_from(chunk) {
                let (d, s) = delimiters_of(load(chunk));
                bits |= d << (16 * k);
                spaces |= s << (16 * k);
            }
        }
        *word = bits;
        spacing.add(bits, spaces);
    }
    // Then the last, partial word: whole chunks, and the last sixteen
    // bytes of the header (overlapping the chunk before) with the bits
    // moved down to the first byte not seen yet; a header under sixteen
    // bytes is padded with letters (printable, no delimiter, no space).
    let rest = blocks.remainder();
    let (mut bits, mut spaces) = (0, 0);
    let mut at = 0;
    let mut chunks = rest.chunks_exact(16);
    for chunk in chunks.by_ref() {
        if let Ok(chunk) = <&[u8; 16]>::try_from(chunk) {
            let (d, s) = delimiters_of(load(chunk));
            bits |= d << at;
            spaces |= s << at;
        }
        at += 16;
    }
    let left = chunks.remainder().len();
    if left > 0 {
        let (last, overlap) = match n.checked_sub(16).and_then(|s| bytes.get(s..)) {
            Some(tail) => (<[u8; 16]>::try_from(tail).ok()?, 16 - left),
            None => {
                let mut padded = [b'a'; 16];
                for (to, &from) in padded.iter_mut().zip(bytes) {
                    *to = from;
                }
                (padded, 0)
            }
        };
        let (d, s) = delimiters_of(load(&last));
        bits |= (d >> overlap) << at;
        spaces |= (s >> overlap) << at;
    }
    if let Some(word) = found.words.get_mut((n - rest.len()) / 64) {
        *word = bits;
        spacing.add(bits, spaces);
    }
    // A space at the end ends the last piece.
    found.spacing_is_plain = spacing.bad == 0 && bytes.last() != Some(&b' ');
    (_mm_movemask_epi8(all_printable) == 0xffff).then_some(found)
}

#[cfg(all(test, target_arch = "x86_64", target_feature = "sse2"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`index`] a byte at a time.
    fn index_bytewise(bytes: &[u8]) -> Option<Delimiters> {
        if bytes.len() > MAX_INDEXED {
            return None;
        }
        let mut found = Delimiters::default();
        for (i, &b) in bytes.iter().enumerate() {
            if !(0x20..0x7f).contains(&b) {
                return None;
            }
            if b == b';' || b == b'=' {
                found.words[i / 64] |= 1 << (i % 64);
            }
        }
        let is = |i: usize, set: &[u8]| bytes.get(i).is_some_and(|b| set.contains(b));
        // A space after the start or a delimiter.
        let leads = |i: usize| is(i, b" ") && (i == 0 || is(i - 1, b";="));
        found.spacing_is_plain = (0..bytes.len()).all(|i| {
            !is(i, b" ") || (i + 1 < bytes.len() && !is(i + 1, b";=") && (i == 0 || !leads(i - 1)))
        });
        Some(found)
    }

    #[test]
    fn a_header_longer_than_the_index_is_not_indexed() {
        assert!(index(&[b'a'; MAX_INDEXED]).is_some());
        assert!(index(&[b'a'; MAX_INDEXED + 1]).is_none());
    }

    #[test]
    fn every_byte_outside_printable_ascii_is_refused_at_every_position() {
        for bad in (0u8..0x20).chain(0x7f..=0xff) {
            for len in [1, 15, 16, 17, 31, 33, 64, 100, 256] {
                for at in [0, len / 2, len - 1] {
                    let mut header = vec![b'a'; len];
                    header[at] = bad;
                    assert!(index(&header).is_none(), "{bad:#x} at {at} of {len}");
                }
            }
        }
        let every_plain: Vec<u8> = (0x20..0x7f).collect();
        assert!(index(&every_plain).is_some());
        assert!(index(b"").is_some());
    }

    #[test]
    fn spacing_is_plain_with_at_most_one_space_after_each_delimiter_and_none_before() {
        for (header, plain) in [
            ("a=b; Path=/; Secure", true),
            (" a= b;c", true),
            ("", true),
            ("a=b c; d", true),
            ("a =b", false),
            ("a=b ", false),
            ("  a=b", false),
            ("a=b;  Path=/", false),
            ("a=b; ;", false),
            ("a=  b", false),
            (" ", false),
        ] {
            let spacing = index(header.as_bytes()).map(|d| d.spacing_is_plain());
            assert_eq!(spacing, Some(plain), "{header:?}");
        }
        // Across the words of the mask: a delimiter at the end of one, the
        // spaces in the next.
        for at in [62, 63, 64, 127, 128] {
            let mut header = vec![b'a'; 200];
            header[at] = b';';
            header[at + 1] = b' ';
            assert!(index(&header).expect("plain").spacing_is_plain(), "{at}");
            header[at + 2] = b' ';
            assert!(!index(&header).expect("plain").spacing_is_plain(), "{at}");
            header[at + 2] = b'a';
            header[at - 1] = b' ';
            assert!(!index(&header).expect("plain").spacing_is_plain(), "{at}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_vector_index_is_the_bytewise_one(
            bytes in prop::collection::vec(
                prop_oneof![8 => prop::sample::select(b"ab ;=\tZ~".to_vec()), 1 => any::<u8>()],
                0..300,
            ),
        ) {
            prop_assert_eq!(index(&bytes), index_bytewise(&bytes));
        }

        #[test]
        fn the_cursor_gives_every_delimiter_in_order(
            bytes in prop::collection::vec(prop::sample::select(b"a;= ".to_vec()), 0..257),
        ) {
            let found = index(&bytes).expect("plain");
            let expected: Vec<usize> =
                (0..bytes.len()).filter(|&i| bytes[i] == b';' || bytes[i] == b'=').collect();
            prop_assert_eq!(found.cursor().collect::<Vec<_>>(), expected);
        }
    }
}
