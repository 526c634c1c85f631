//! The head scanner: bytes in, `<meta http-equiv>` headers out, reading no
//! further than the end of the head.
//!
//! html5ever's tokenizer is not `Send` (its strings are non-atomic
//! tendrils), and a response future must be. So the tokenizer lives only
//! for the length of one [`HeadScanner::push`]: what survives between calls
//! is plain data. The decoded text is fed to the tokenizer in pieces that
//! each end at a `>`; a piece in which a tag, comment or doctype was emitted
//! ended exactly at that token's closing `>`, which is a clean restart point
//! (the tokenizer holds nothing half-read there). The next call starts a new
//! tokenizer at the last such point, in the state it was left in (data, or
//! the raw text of a `<title>`, `<script>` or `<style>`), and re-reads only
//! the text after it. Text without such a point (a long inline script) is
//! re-read on later calls only once it has grown by half, or (a bounded
//! number of times) when the new text has a `>` that may end it, so a head
//! sent a byte at a time still costs linear time, and the end of a long
//! style sheet is seen as soon as it arrives.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use bytes::Bytes;
use encoding_rs::{CoderResult, Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::{RawKind, State};
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use http::{HeaderName, HeaderValue};

use super::{HeadEnd, HeadScan, SkipReason, SkippedMeta};

/// Text after the last restart point shorter than this is always re-read.
const ALWAYS_RESCAN: usize = 4 * 1024;

/// How many times a long text is re-read early because new text brought a
/// `>` (which may end it: `</script>`, `-->`); past that, only when it has
/// grown by half.
const EARLY_RESCANS: u8 = 32;

/// At most this many skipped tags are recorded (the rest are only logged).
const MAX_SKIPPED: usize = 64;

/// A skipped tag's name is recorded up to this many bytes.
const MAX_SKIPPED_NAME: usize = 128;

/// Headers a page cannot know: how the message was framed and encoded on
/// the wire, and the connection it came on. `Content-Type` is what made this
/// response HTML and what decoded it; a second value would make it ambiguous.
const PROTECTED: &[&str] = &[
    "connection",
    "content-encoding",
    "content-length",
    "content-range",
    "content-type",
    "host",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The limits and switches of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_head_bytes: usize,
    pub(crate) max_headers: usize,
    pub(crate) lift_set_cookie: bool,
}

/// Reads an HTML document's head from bytes pushed in as they arrive, and
/// collects its `<meta http-equiv>` tags as headers; the engine of
/// [`HttpEquivLayer`](super::HttpEquivLayer), usable on its own for bytes
/// that did not come through a tower service.
///
/// The bytes pushed are kept (they are shared, not copied) and handed back
/// by [`into_parts`](Self::into_parts), so whoever reads a body through a
/// scanner can still hand the whole body on.
///
/// ```
/// use bytes::Bytes;
/// use clientcookie_layers::http_equiv::{HeadEnd, HeadScanner, HttpEquivLayer};
///
/// let mut scanner = HeadScanner::new(Some(b"text/html; charset=utf-8"), &HttpEquivLayer::new());
/// scanner.push(Bytes::from_static(b"<html><head><meta http-equiv=Refresh content='0; url=/next'>"));
/// assert!(!scanner.is_done());
/// scanner.push(Bytes::from_static(b"</head><body><meta http-equiv=X-Late content=no>"));
/// assert!(scanner.is_done());
///
/// let (chunks, headers, report) = scanner.into_parts();
/// assert_eq!(chunks.len(), 2);
/// assert_eq!(headers.len(), 1);
/// assert_eq!(headers[0].0, "refresh");
/// assert_eq!(headers[0].1, "0; url=/next");
/// assert_eq!(report.end, HeadEnd::Body);
/// ```
pub struct HeadScanner {
    limits: Limits,
    encoding: &'static Encoding,
    /// The encoding came from a BOM, the Content-Type or a meta charset already.
    certain: bool,
    /// Created once the BOM has been looked for.
    decoder: Option<Decoder>,
    /// Raw bytes at the start that are a BOM, not text.
    bom_len: usize,
    chunks: Vec<Bytes>,
    pushed: usize,
    /// Where decoding goes on: chunk index, offset in it, raw bytes decoded.
    cursor: (usize, usize),
    decoded: usize,
    /// Decoded text after the last restart point.
    pending: String,
    /// Length of `pending` when it was last tokenized.
    last_attempt: usize,
    early_rescans: u8,
    resume: Resume,
    head: HeadState,
    ended: bool,
    end: Option<HeadEnd>,
}

/// The tokenizer state to restart in.
#[derive(Debug, Clone, Default)]
enum Resume {
    #[default]
    Data,
    Raw(RawKind, String),
}

/// What the sink knows of where it is in the document, and what it found.
#[derive(Debug, Default)]
struct HeadState {
    after_head: bool,
    in_raw: bool,
    template_depth: u32,
    lifted: Vec<(HeaderName, HeaderValue)>,
    skipped: Vec<SkippedMeta>,
    end: Option<HeadEnd>,
    /// A meta charset named another encoding: start over in it.
    restart: Option<&'static Encoding>,
}

impl std::fmt::Debug for HeadScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadScanner")
            .field("encoding", &self.encoding.name())
            .field("bytes_pushed", &self.pushed)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

impl HeadScanner {
    /// A scanner for a response whose `Content-Type` is `content_type`
    /// (its `charset` decides the encoding, unless the body starts with a
    /// byte order mark), with the limits and switches of `layer`.
    ///
    /// ```
    /// use clientcookie_layers::http_equiv::{HeadScanner, HttpEquivLayer};
    ///
    /// let scanner = HeadScanner::new(Some(b"text/html; charset=windows-1252"), &HttpEquivLayer::new());
    /// assert_eq!(scanner.encoding(), "windows-1252");
    /// ```
    pub fn new(content_type: Option<&[u8]>, layer: &super::HttpEquivLayer) -> HeadScanner {
        let from_header = content_type
            .and_then(charset_in)
            .and_then(|label| Encoding::for_label(label.as_bytes()));
        HeadScanner {
            limits: layer.limits(),
            encoding: from_header.unwrap_or(WINDOWS_1252),
            certain: from_header.is_some(),
            decoder: None,
            bom_len: 0,
            chunks: Vec::new(),
            pushed: 0,
            cursor: (0, 0),
            decoded: 0,
            pending: String::new(),
            last_attempt: 0,
            early_rescans: EARLY_RESCANS,
            resume: Resume::Data,
            head: HeadState::default(),
            ended: false,
            end: None,
        }
    }

    /// The encoding the bytes are read in (so far: a meta charset may still
    /// change it, once).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::http_equiv::{HeadScanner, HttpEquivLayer};
    ///
    /// let mut scanner = HeadScanner::new(Some(b"text/html"), &HttpEquivLayer::new());
    /// scanner.push(Bytes::from_static(b"<meta charset=iso-8859-2><title>x</title>"));
    /// assert_eq!(scanner.encoding(), "ISO-8859-2");
    /// ```
    pub fn encoding(&self) -> &'static str {
        self.encoding.name()
    }

    /// Whether the head has been read to its end (or to the limit): pushing
    /// more changes nothing.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::http_equiv::{HeadScanner, HttpEquivLayer};
    ///
    /// let mut scanner = HeadScanner::new(None, &HttpEquivLayer::new());
    /// scanner.push(Bytes::from_static(b"<title>t</title>"));
    /// assert!(!scanner.is_done());
    /// scanner.push(Bytes::from_static(b"<p>text"));
    /// assert!(scanner.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.end.is_some()
    }

    /// Reads `chunk`, the next bytes of the document, and scans as far as
    /// it can. The chunk is kept for [`into_parts`](Self::into_parts) even
    /// when the scan is already done.
    pub fn push(&mut self, chunk: Bytes) {
        self.pushed = self.pushed.saturating_add(chunk.len());
        if !chunk.is_empty() {
            self.chunks.push(chunk);
        }
        self.advance();
    }

    /// Says the document has ended (or failed) before the head did: the
    /// scan ends with `reason`, after reading what it still had.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use clientcookie_layers::http_equiv::{HeadEnd, HeadScanner, HttpEquivLayer};
    ///
    /// let mut scanner = HeadScanner::new(None, &HttpEquivLayer::new());
    /// scanner.push(Bytes::from_static(b"<meta http-equiv=X-A content=1>"));
    /// scanner.finish(HeadEnd::EndOfBody);
    /// let (_, headers, report) = scanner.into_parts();
    /// assert_eq!(headers.len(), 1);
    /// assert_eq!(report.end, HeadEnd::EndOfBody);
    /// ```
    pub fn finish(&mut self, reason: HeadEnd) {
        if self.end.is_none() {
            self.ended = true;
            self.advance();
            if self.end.is_none() {
                self.end = Some(reason);
            }
        }
        self.drop_work();
    }

    /// The chunks pushed (all of them, in order), the headers found, in
    /// document order, and a report of the scan.
    pub fn into_parts(self) -> (Vec<Bytes>, Vec<(HeaderName, HeaderValue)>, HeadScan) {
        let report = HeadScan {
            end: self.end.unwrap_or(HeadEnd::EndOfBody),
            encoding: self.encoding.name(),
            lifted: self.head.lifted.iter().map(|(n, _)| n.clone()).collect(),
            skipped: self.head.skipped,
            bytes_scanned: self.decoded.saturating_add(self.bom_len),
        };
        (self.chunks, self.head.lifted, report)
    }

    fn drop_work(&mut self) {
        self.decoder = None;
        self.pending = String::new();
    }

    fn advance(&mut self) {
        if self.end.is_some() {
            return;
        }
        if self.decoder.is_none() && !self.start() {
            return;
        }
        loop {
            let at_limit = self.decode();
            let tail = self.pending.len();
            let final_pass = at_limit || self.ended;
            if !final_pass && tail > ALWAYS_RESCAN && tail < self.last_attempt.saturating_mul(3) / 2
            {
                // A long text without a restart point (an inline script or
                // style, a comment). Re-reading it for every few new bytes
                // would cost quadratic time; not re-reading when its end has
                // come would hold the response back until more arrives.
                let new = self.pending.get(self.last_attempt..).unwrap_or_default();
                if self.early_rescans == 0 || !new.contains('>') {
                    return;
                }
                self.early_rescans -= 1;
            }
            self.tokenize();
            if let Some(encoding) = self.head.restart.take() {
                self.restart_in(encoding);
                continue;
            }
            if self.head.end.is_some() {
                self.end = self.head.end;
            } else if at_limit {
                self.end = Some(HeadEnd::Limit);
            }
            if self.end.is_some() {
                self.drop_work();
            }
            return;
        }
    }

    /// Looks for a byte order mark, which overrides every other source of
    /// the encoding (HTML "BOM sniff"). Waits for three bytes, or the end.
    fn start(&mut self) -> bool {
        let mut first = [0u8; 3];
        let mut n = 0;
        'outer: for chunk in &self.chunks {
            for &b in chunk.iter() {
                if n == first.len() {
                    break 'outer;
                }
                first[n] = b;
                n += 1;
            }
        }
        if n < first.len() && !self.ended {
            return false;
        }
        if let Some((encoding, bom_len)) = Encoding::for_bom(&first[..n]) {
            self.encoding = encoding;
            self.certain = true;
            self.bom_len = bom_len;
        }
        self.begin_decoding();
        true
    }

    fn begin_decoding(&mut self) {
        self.decoder = Some(self.encoding.new_decoder_without_bom_handling());
        self.cursor = (0, 0);
        self.decoded = 0;
        self.pending.clear();
        self.last_attempt = 0;
        self.resume = Resume::Data;
        // Skip the BOM in the raw bytes.
        let mut skip = self.bom_len;
        while skip > 0 && self.cursor.0 < self.chunks.len() {
            let left = self.chunks[self.cursor.0].len() - self.cursor.1;
            let step = left.min(skip);
            skip -= step;
            self.cursor.1 += step;
            if self.cursor.1 == self.chunks[self.cursor.0].len() {
                self.cursor = (self.cursor.0 + 1, 0);
            }
        }
    }

    /// A meta charset named `encoding`: read everything again in it. This
    /// happens at most once, since the encoding is certain afterwards.
    fn restart_in(&mut self, encoding: &'static Encoding) {
        tracing::debug!(
            from = self.encoding.name(),
            to = encoding.name(),
            "meta charset: reading the head again"
        );
        self.encoding = encoding;
        self.certain = true;
        self.head = HeadState::default();
        self.begin_decoding();
    }

    /// Decodes the raw bytes not decoded yet, up to the limit. Returns
    /// whether the limit has been reached.
    fn decode(&mut self) -> bool {
        let Some(decoder) = self.decoder.as_mut() else {
            return true;
        };
        let limit = self.limits.max_head_bytes.saturating_sub(self.bom_len);
        while self.cursor.0 < self.chunks.len() && self.decoded < limit {
            let chunk = &self.chunks[self.cursor.0];
            let take = (chunk.len() - self.cursor.1).min(limit - self.decoded);
            let input = &chunk[self.cursor.1..self.cursor.1 + take];
            decode_into(decoder, input, false, &mut self.pending);
            self.decoded += take;
            self.cursor.1 += take;
            if self.cursor.1 == chunk.len() {
                self.cursor = (self.cursor.0 + 1, 0);
            }
        }
        let at_limit = self.decoded >= limit;
        if self.ended || at_limit {
            decode_into(decoder, &[], true, &mut self.pending);
        }
        at_limit
    }

    /// Tokenizes `pending` from the last restart point on.
    fn tokenize(&mut self) {
        let (initial_state, last_start_tag_name) = match &self.resume {
            Resume::Data => (None, None),
            Resume::Raw(kind, name) => (Some(State::RawData(*kind)), Some(name.clone())),
        };
        let sink = Sink {
            head: RefCell::new(std::mem::take(&mut self.head)),
            limits: self.limits,
            encoding: Cell::new(self.encoding),
            certain: Cell::new(self.certain),
            boundary: Cell::new(false),
            resume: RefCell::new(self.resume.clone()),
        };
        let tokenizer = Tokenizer::new(
            sink,
            TokenizerOpts {
                discard_bom: false,
                initial_state,
                last_start_tag_name,
                ..TokenizerOpts::default()
            },
        );
        let queue = BufferQueue::default();
        let mut read = 0;
        let mut restart_point = 0;
        for piece in self.pending.split_inclusive('>') {
            queue.push_back(StrTendril::from_slice(piece));
            // The sink never asks the tokenizer to pause, so this reads the
            // whole piece.
            let _ = tokenizer.feed(&queue);
            read += piece.len();
            if tokenizer.sink.boundary.replace(false) {
                restart_point = read;
            }
            let head = tokenizer.sink.head.borrow();
            if head.end.is_some() || head.restart.is_some() {
                break;
            }
        }
        let sink = tokenizer.sink;
        self.head = sink.head.into_inner();
        self.certain = sink.certain.get();
        self.resume = sink.resume.into_inner();
        self.pending.drain(..restart_point);
        self.last_attempt = self.pending.len();
    }
}

/// Decodes `input` onto the end of `out`, growing it as needed.
fn decode_into(decoder: &mut Decoder, input: &[u8], last: bool, out: &mut String) {
    let mut input = input;
    loop {
        let needed = decoder
            .max_utf8_buffer_length(input.len())
            .unwrap_or(input.len().saturating_mul(3).saturating_add(16));
        out.reserve(needed);
        let (result, read, _) = decoder.decode_to_string(input, out, last);
        input = &input[read..];
        if result == CoderResult::InputEmpty {
            return;
        }
    }
}

/// The `charset` of a `Content-Type` value (the HTTP header or a meta
/// tag's `content`), by HTML's "extracting a character encoding from a meta
/// element": the first `charset`, then `=`, then a quoted or bare value.
pub(crate) fn charset_in(value: &[u8]) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let mut from = 0;
    loop {
        let at = find(&lower[from..], b"charset")? + from;
        let mut i = at + b"charset".len();
        while i < lower.len() && is_space(lower[i]) {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            from = i;
            continue;
        }
        i += 1;
        while i < lower.len() && is_space(lower[i]) {
            i += 1;
        }
        let rest = &value[i..];
        let label = match rest.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let end = rest[1..].iter().position(|&b| b == q)?;
                &rest[1..=end]
            }
            Some(_) => {
                let end = rest
                    .iter()
                    .position(|&b| is_space(b) || b == b';')
                    .unwrap_or(rest.len());
                &rest[..end]
            }
            None => return None,
        };
        return (!label.is_empty()).then(|| String::from_utf8_lossy(label).into_owned());
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// A meta charset's encoding as HTML uses it: a page that says UTF-16 in
/// ASCII bytes is not UTF-16.
fn meta_encoding(label: &str) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    Some(if encoding == UTF_16BE || encoding == UTF_16LE {
        UTF_8
    } else if encoding.name() == "x-user-defined" {
        WINDOWS_1252
    } else {
        encoding
    })
}

/// The tokenizer's token sink: follows the HTML tree builder's "in head"
/// and "after head" modes just far enough to know where the head ends.
struct Sink {
    head: RefCell<HeadState>,
    limits: Limits,
    encoding: Cell<&'static Encoding>,
    certain: Cell<bool>,
    /// A tag, comment or doctype was emitted (at a `>`).
    boundary: Cell<bool>,
    resume: RefCell<Resume>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut head = self.head.borrow_mut();
        if head.end.is_some() || head.restart.is_some() {
            return TokenSinkResult::Continue;
        }
        match token {
            Token::TagToken(tag) => {
                self.boundary.set(true);
                return self.tag(&mut head, &tag);
            }
            Token::CommentToken(_) | Token::DoctypeToken(_) => self.boundary.set(true),
            Token::CharacterTokens(text) => {
                if !head.in_raw && head.template_depth == 0 && !text.chars().all(is_html_space) {
                    head.end = Some(HeadEnd::NotHead);
                }
            }
            Token::NullCharacterToken => {
                if !head.in_raw && head.template_depth == 0 {
                    head.end = Some(HeadEnd::NotHead);
                }
            }
            Token::EOFToken => head.end = Some(HeadEnd::EndOfBody),
            Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }
}

impl Sink {
    fn tag(&self, head: &mut HeadState, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if tag.kind == TagKind::EndTag {
            // In raw text the tokenizer emits only the element's own end tag.
            if head.in_raw {
                head.in_raw = false;
                *self.resume.borrow_mut() = Resume::Data;
                return TokenSinkResult::Continue;
            }
            match name {
                "template" => head.template_depth = head.template_depth.saturating_sub(1),
                "head" => head.after_head = true,
                "body" | "html" | "br" if head.template_depth == 0 => {
                    head.end = Some(HeadEnd::NotHead)
                }
                _ => {}
            }
            return TokenSinkResult::Continue;
        }
        let raw = match name {
            "title" | "textarea" => Some(RawKind::Rcdata),
            "style" | "noframes" | "xmp" | "iframe" | "noembed" => Some(RawKind::Rawtext),
            "script" => Some(RawKind::ScriptData),
            _ => None,
        };
        if head.template_depth > 0 {
            // A template's content is inert: anything goes, nothing is lifted.
            match name {
                "template" => head.template_depth += 1,
                "plaintext" => head.end = Some(HeadEnd::NotHead),
                _ => {}
            }
            return self.raw(head, raw, name);
        }
        match name {
            "html" | "head" | "base" | "basefont" | "bgsound" | "link" => {}
            "noscript" if !head.after_head => {}
            "meta" => self.meta(head, tag),
            "template" => head.template_depth = 1,
            "title" | "style" | "noframes" | "script" => return self.raw(head, raw, name),
            "body" => head.end = Some(HeadEnd::Body),
            _ => head.end = Some(HeadEnd::NotHead),
        }
        TokenSinkResult::Continue
    }

    fn raw(&self, head: &mut HeadState, raw: Option<RawKind>, name: &str) -> TokenSinkResult<()> {
        match raw {
            Some(kind) if head.end.is_none() => {
                head.in_raw = true;
                *self.resume.borrow_mut() = Resume::Raw(kind, name.to_owned());
                TokenSinkResult::RawData(kind)
            }
            _ => TokenSinkResult::Continue,
        }
    }

    fn meta(&self, head: &mut HeadState, tag: &Tag) {
        let attr = |wanted: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == wanted)
                .map(|a| &*a.value)
        };
        let http_equiv = attr("http-equiv").map(|v| v.trim_matches(is_html_space));
        let content = attr("content");
        if !self.certain.get() {
            let label = match (attr("charset"), http_equiv, content) {
                (Some(charset), _, _) => Some(Cow::Borrowed(charset)),
                (None, Some(name), Some(content)) if name.eq_ignore_ascii_case("content-type") => {
                    charset_in(content.as_bytes()).map(Cow::Owned)
                }
                _ => None,
            };
            if let Some(encoding) = label.as_deref().and_then(meta_encoding) {
                self.certain.set(true);
                if encoding != self.encoding.get() {
                    head.restart = Some(encoding);
                    return;
                }
            }
        }
        let Some(name) = http_equiv else { return };
        let reason = match self.lift(head, name, content) {
            Ok(()) => return,
            Err(reason) => reason,
        };
        tracing::debug!(name, %reason, "meta http-equiv not lifted");
        if head.skipped.len() < MAX_SKIPPED {
            let mut end = name.len().min(MAX_SKIPPED_NAME);
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            head.skipped.push(SkippedMeta {
                name: name[..end].to_owned(),
                reason,
            });
        }
    }

    fn lift(
        &self,
        head: &mut HeadState,
        name: &str,
        content: Option<&str>,
    ) -> Result<(), SkipReason> {
        let content = content.ok_or(SkipReason::NoContent)?;
        let header =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| SkipReason::InvalidName)?;
        if PROTECTED.contains(&header.as_str()) {
            return Err(SkipReason::Protected);
        }
        if !self.limits.lift_set_cookie
            && (header == http::header::SET_COOKIE || header.as_str() == "set-cookie2")
        {
            return Err(SkipReason::SetCookieOff);
        }
        let value = HeaderValue::from_bytes(content.trim_matches(is_html_space).as_bytes())
            .map_err(|_| SkipReason::InvalidValue)?;
        if head.lifted.len() >= self.limits.max_headers {
            return Err(SkipReason::TooMany);
        }
        tracing::trace!(name = header.as_str(), "meta http-equiv lifted");
        head.lifted.push((header, value));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http_equiv::HttpEquivLayer;

    fn scan(content_type: Option<&str>, chunks: &[&[u8]]) -> (Vec<(String, String)>, HeadScan) {
        let mut scanner = HeadScanner::new(content_type.map(str::as_bytes), &HttpEquivLayer::new());
        for chunk in chunks {
            scanner.push(Bytes::copy_from_slice(chunk));
        }
        scanner.finish(HeadEnd::EndOfBody);
        let (_, headers, report) = scanner.into_parts();
        let headers = headers
            .into_iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        (headers, report)
    }

    #[test]
    fn charset_is_found_in_content_type_values() {
        assert_eq!(
            charset_in(b"text/html; charset=UTF-8").as_deref(),
            Some("UTF-8")
        );
        assert_eq!(
            charset_in(b"text/html;charset=\"koi8-r\"").as_deref(),
            Some("koi8-r")
        );
        assert_eq!(
            charset_in(b"text/html; Charset = 'latin1' ; x").as_deref(),
            Some("latin1")
        );
        assert_eq!(
            charset_in(b"text/html; charsetx; charset=a").as_deref(),
            Some("a")
        );
        assert_eq!(charset_in(b"text/html"), None);
        assert_eq!(charset_in(b"charset=\"unclosed"), None);
        assert_eq!(charset_in(b"charset="), None);
    }

    #[test]
    fn a_meta_in_a_template_is_not_lifted() {
        let (headers, report) = scan(
            None,
            &[b"<head><template><meta http-equiv=X-A content=1><p>x</template><meta http-equiv=X-B content=2></head><body>"],
        );
        assert_eq!(headers, [("x-b".to_owned(), "2".to_owned())]);
        assert_eq!(report.end, HeadEnd::Body);
    }

    #[test]
    fn a_meta_after_the_head_end_tag_but_before_the_body_is_lifted() {
        let (headers, _) = scan(None, &[b"<head></head>\n<!-- c -->\n<meta http-equiv=X-A content=1><body><meta http-equiv=X-B content=2>"]);
        assert_eq!(headers, [("x-a".to_owned(), "1".to_owned())]);
    }

    #[test]
    fn tags_inside_script_title_and_style_are_text() {
        let (headers, report) = scan(
            None,
            &[b"<title><body></title><script>if (a<b) document.write('<body>')</script><style>p{}</style><meta http-equiv=X-A content=1><p>"],
        );
        assert_eq!(headers, [("x-a".to_owned(), "1".to_owned())]);
        assert_eq!(report.end, HeadEnd::NotHead);
    }

    #[test]
    fn a_script_split_anywhere_is_read_the_same() {
        let doc: &[u8] = b"<head><script>var s = '<meta http-equiv=X-No content=1>'; if (a > b && c < d) {}</script><title>a > b</title><meta http-equiv=X-A content=1></head><body>";
        let whole = scan(None, &[doc]);
        assert_eq!(whole.0, [("x-a".to_owned(), "1".to_owned())]);
        for split in 0..doc.len() {
            let (a, b) = doc.split_at(split);
            assert_eq!(scan(None, &[a, b]), whole, "split at {split}");
        }
    }

    #[test]
    fn a_meta_charset_reads_the_head_again_in_that_encoding() {
        let (headers, report) = scan(
            Some("text/html"),
            &[b"<meta http-equiv=X-A content=\"caf\xe9\"><meta charset=\"iso-8859-7\"><meta http-equiv=X-B content=\"\xe1\">"],
        );
        assert_eq!(report.encoding, "ISO-8859-7");
        assert_eq!(
            headers,
            [
                ("x-a".to_owned(), "caf\u{3b9}".to_owned()),
                ("x-b".to_owned(), "\u{3b1}".to_owned())
            ]
        );
    }

    #[test]
    fn a_meta_charset_is_ignored_when_the_content_type_has_one() {
        let (headers, report) = scan(
            Some("text/html; charset=windows-1252"),
            &[b"<meta charset=utf-8><meta http-equiv=X-A content=\"caf\xe9\">"],
        );
        assert_eq!(report.encoding, "windows-1252");
        assert_eq!(headers, [("x-a".to_owned(), "caf\u{e9}".to_owned())]);
    }

    #[test]
    fn protected_and_malformed_tags_are_skipped_with_a_reason() {
        let (headers, report) = scan(
            None,
            &[b"<meta http-equiv=content-length content=5><meta http-equiv='bad name' content=1><meta http-equiv=x-a content='a\nb'><meta http-equiv=x-b><meta http-equiv=x-c content=ok>"],
        );
        assert_eq!(headers, [("x-c".to_owned(), "ok".to_owned())]);
        let reasons: Vec<_> = report
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("content-length", SkipReason::Protected),
                ("bad name", SkipReason::InvalidName),
                ("x-a", SkipReason::InvalidValue),
                ("x-b", SkipReason::NoContent),
            ]
        );
    }

    #[test]
    fn no_more_than_max_headers_are_lifted() {
        let mut doc = Vec::new();
        for i in 0..200 {
            doc.extend_from_slice(format!("<meta http-equiv=x-{i} content={i}>").as_bytes());
        }
        let (headers, report) = scan(None, &[&doc]);
        assert_eq!(headers.len(), super::super::DEFAULT_MAX_HEADERS);
        assert_eq!(report.skipped.len(), MAX_SKIPPED);
        assert!(report
            .skipped
            .iter()
            .all(|s| s.reason == SkipReason::TooMany));
    }

    #[test]
    fn a_long_script_sent_in_small_pieces_is_read_to_its_end() {
        let mut doc = b"<head><script>".to_vec();
        for i in 0..5000 {
            doc.extend_from_slice(format!("var a{i} = '<p>';\n").as_bytes());
        }
        doc.extend_from_slice(b"</script><meta http-equiv=X-A content=1><body><p>");
        let pieces: Vec<&[u8]> = doc.chunks(100).collect();
        let (headers, report) = scan(None, &pieces);
        assert_eq!(headers, [("x-a".to_owned(), "1".to_owned())]);
        assert_eq!(report.end, HeadEnd::Body);
        assert!(doc.len() > 90_000);
    }

    #[test]
    fn a_meta_split_across_pieces_anywhere_is_lifted() {
        let doc: &[u8] =
            b"<!DOCTYPE html><meta http-equiv=\"X-A\" content=\"a > b\"><!-- > --><body>";
        for split in 1..doc.len() {
            let (a, b) = doc.split_at(split);
            let (headers, report) = scan(None, &[a, b]);
            assert_eq!(
                headers,
                [("x-a".to_owned(), "a > b".to_owned())],
                "split at {split}"
            );
            assert_eq!(report.end, HeadEnd::Body, "split at {split}");
        }
    }

    #[test]
    fn the_end_of_a_long_style_sheet_is_seen_as_soon_as_it_arrives() {
        let mut scanner = HeadScanner::new(None, &HttpEquivLayer::new());
        scanner.push(Bytes::from_static(b"<head><style>"));
        for _ in 0..100 {
            scanner.push(Bytes::from(vec![b'p'; 1000]));
        }
        assert!(!scanner.is_done());
        // A small last piece after 100 KB of style: no more bytes will come
        // until the server has made its body, and none are needed.
        scanner.push(Bytes::from_static(b"</style></head><body>"));
        assert!(scanner.is_done());
        let (_, _, report) = scanner.into_parts();
        assert_eq!(report.end, HeadEnd::Body);
    }
}
