//! Dates as cookies and cookie files write them. (API CONTRACT — the bodies are
//! being written; see the issue note.)
//!
//! All times are whole seconds since the Unix epoch (UTC), as `i64`.

/// Liberal date parser of the seed: tries [`http2time`], then [`iso2time`].
pub fn str2time(text: &str) -> Option<i64> {
    http2time(text).or_else(|| iso2time(text))
}

/// Python's `http.cookiejar.http2time`.
pub fn http2time(_text: &str) -> Option<i64> {
    unimplemented!("date helper")
}

/// Python's `http.cookiejar.iso2time`.
pub fn iso2time(_text: &str) -> Option<i64> {
    unimplemented!("date helper")
}

/// RFC 6265 §5.1.1 cookie-date algorithm (for the Expires attribute).
pub fn parse_cookie_date(_bytes: &[u8]) -> Option<i64> {
    unimplemented!("date helper")
}

/// `YYYY-MM-DD hh:mm:ssZ` (Python's `time2isoz`, used by LWP files).
pub fn time2isoz(_t: i64) -> String {
    unimplemented!("date helper")
}

/// `Wdy, DD-Mon-YYYY HH:MM:SS GMT` (Python's `time2netscape`).
pub fn time2netscape(_t: i64) -> String {
    unimplemented!("date helper")
}
