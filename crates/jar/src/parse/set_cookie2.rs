use super::ParseError;

/// One cookie of a parsed `Set-Cookie2` header (RFC 2965 §3.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SetCookie2 {
    pub name: String,
    pub value: String,
    pub version: Option<String>,
    pub comment: Option<String>,
    pub comment_url: Option<String>,
    pub discard: bool,
    pub domain: Option<String>,
    pub max_age: Option<i64>,
    pub path: Option<String>,
    pub port: Option<Option<String>>,
    pub secure: bool,
    pub other: Vec<(String, Option<String>)>,
}

/// Parse one `Set-Cookie2` header value (it may hold several cookies).
pub fn parse_set_cookie2(_bytes: &[u8]) -> Result<Vec<SetCookie2>, ParseError> {
    unimplemented!("parse helper")
}
