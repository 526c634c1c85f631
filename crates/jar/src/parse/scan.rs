//! Where the `;` and `=` of a `Set-Cookie` header are, found sixteen bytes
//! at a time with SSE2 (part of every x86_64 CPU) in the same pass that
//! checks that the header is plain ASCII.
//!
//! Searching for the next `;` or `=` again for every attribute was a third
//! of parsing a cookie. One pass gives a bitmask of both delimiters; the
//! parser then takes them in order, lowest bit first ([`Cursor`]), and
//! tells the two apart by the byte. The end of the header counts as one
//! more delimiter, so that the parser's last step finds it like any other
//! instead of walking the mask's empty words to its end.
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
pub(super) const MAX_INDEXED: usize = 255;
/// Words of the mask: one bit per byte, and one for the end.
const WORDS: usize = (MAX_INDEXED + 1) / 64;

/// The positions of the `;` and `=` of a header: bit `i % 64` of word
/// `i / 64` is set when byte `i` is one of them, and bit `n` for the end
/// of a header of `n` bytes.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Delimiters {
    words: [u64; WORDS],
}

impl Delimiters {
    /// The delimiters in order, from the first, then the end.
    #[inline(always)]
    pub(super) fn cursor(&self) -> Cursor<'_> {
        Cursor {
            words: &self.words,
            word: 0,
            bits: self.words[0],
        }
    }
}

/// The delimiters of a header not taken yet (and its end), lowest first.
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

/// The 16 bytes of `chunk` as a vector.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn load(chunk: &[u8; 16]) -> __m128i {
    // SAFETY: `chunk` is 16 readable bytes, and `_mm_loadu_si128` reads
    // exactly 16 bytes, with no alignment requirement.
    unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) }
}

/// The delimiters of `bytes` and its end (see [`Delimiters`]) when it is at
/// most [`MAX_INDEXED`] bytes, each
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
    // Lanes stay all ones while every byte seen is printable; no early
    // exit, headers are short and nearly always plain.
    let mut all_printable = _mm_set1_epi8(-1);
    // The delimiters of a chunk, bit j for lane j.
    let mut delimiters_of = |v: __m128i| -> u64 {
        let printable = _mm_cmplt_epi8(_mm_add_epi8(v, shift), below);
        all_printable = _mm_and_si128(all_printable, printable);
        let hits = _mm_or_si128(_mm_cmpeq_epi8(v, semicolon), _mm_cmpeq_epi8(v, equals));
        // movemask sets only the low 16 bits.
        u64::from(_mm_movemask_epi8(hits) as u16)
    };
    let mut found = Delimiters::default();

    // Whole words first: 64 bytes, four chunks, one word of the mask
    // built in a register.
    let mut blocks = bytes.chunks_exact(64);
    for (word, block) in found.words.iter_mut().zip(blocks.by_ref()) {
        let mut bits = 0;
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            if let Ok(chunk) = <&[u8; 16]>::try_from(chunk) {
                bits |= delimiters_of(load(chunk)) << (16 * k);
            }
        }
        *word = bits;
    }
    // Then the last, partial word: whole chunks, and the last sixteen
    // bytes of the header (overlapping the chunk before) with the bits
    // moved down to the first byte not seen yet; a header under sixteen
    // bytes is padded with spaces (printable, and no delimiter).
    let rest = blocks.remainder();
    let mut bits = 0;
    let mut at = 0;
    let mut chunks = rest.chunks_exact(16);
    for chunk in chunks.by_ref() {
        if let Ok(chunk) = <&[u8; 16]>::try_from(chunk) {
            bits |= delimiters_of(load(chunk)) << at;
        }
        at += 16;
    }
    let left = chunks.remainder().len();
    if left > 0 {
        let (last, overlap) = match n.checked_sub(16).and_then(|s| bytes.get(s..)) {
            Some(tail) => (<[u8; 16]>::try_from(tail).ok()?, 16 - left),
            None => {
                let mut padded = [b' '; 16];
                for (to, &from) in padded.iter_mut().zip(bytes) {
                    *to = from;
                }
                (padded, 0)
            }
        };
        bits |= (delimiters_of(load(&last)) >> overlap) << at;
    }
    if let Some(word) = found.words.get_mut((n - rest.len()) / 64) {
        *word = bits;
    }
    // The end: `n < 64 * WORDS`, so this always has its word.
    if let Some(word) = found.words.get_mut(n / 64) {
        *word |= 1 << (n % 64);
    }
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
        let n = bytes.len();
        found.words[n / 64] |= 1 << (n % 64);
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
            bytes in prop::collection::vec(prop::sample::select(b"a;= ".to_vec()), 0..256),
        ) {
            let found = index(&bytes).expect("plain");
            let expected: Vec<usize> = (0..bytes.len())
                .filter(|&i| bytes[i] == b';' || bytes[i] == b'=')
                .chain([bytes.len()])
                .collect();
            prop_assert_eq!(found.cursor().collect::<Vec<_>>(), expected);
        }
    }
}
