use super::{ParseError, SameSite};

/// A parsed `Set-Cookie` header (RFC 6265bis §5.6). Attribute values are the
/// last occurrence of each attribute, as the RFC says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub expires: Option<i64>,
    pub max_age: Option<i64>,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<SameSite>,
    pub version: Option<String>,
    pub comment: Option<String>,
    pub comment_url: Option<String>,
    pub port: Option<Option<String>>,
    pub discard: bool,
    pub other: Vec<(String, Option<String>)>,
}

/// Parse one `Set-Cookie` header value.
pub fn parse_set_cookie(_bytes: &[u8]) -> Result<SetCookie, ParseError> {
    unimplemented!("parse helper")
}
