//! Why a cookie was refused, or not sent. "Why don't I have any cookies?" is
//! the question users ask most, so every decision has a value here, and the
//! jar logs it with `tracing` at debug level.

use crate::parse::ParseError;

/// The reason a cookie was not stored, or not returned to a request.
///
/// ```
/// use clientcookie_jar::Reason;
/// assert_eq!(
///     Reason::PublicSuffix.to_string(),
///     "the Domain attribute is a public suffix (RFC 6265 §5.3 step 5)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// The header could not be parsed.
    #[error("unparsable header: {0}")]
    Parse(#[from] ParseError),
    /// An RFC 2965 cookie (or an RFC 2109 one not treated as Netscape) while
    /// `rfc2965` is off.
    #[error("RFC 2965 cookies are switched off")]
    Rfc2965Disabled,
    /// A Netscape cookie while `netscape` is off.
    #[error("Netscape cookies are switched off")]
    NetscapeDisabled,
    /// RFC 2965 `Version` that is not a number (the seed ignores such cookies).
    #[error("invalid Version attribute")]
    InvalidVersion,
    /// A third-party cookie in an unverifiable transaction, refused by
    /// `strict_ns_unverifiable` or `strict_rfc2965_unverifiable` (RFC 2965 §3.3.6).
    #[error("third-party cookie in an unverifiable transaction (RFC 2965 §3.3.6)")]
    ThirdPartyUnverifiable,
    /// `strict_ns_set_initial_dollar`: a Netscape cookie named `$...`.
    #[error("name starts with '$'")]
    NameStartsWithDollar,
    /// The `Path` attribute is not a prefix of the request path (RFC 2965
    /// §3.3.2; Netscape cookies only with `strict_ns_set_path`).
    #[error("the Path attribute is not a prefix of the request path (RFC 2965 §3.3.2)")]
    PathNotPrefix,
    /// The domain is on the user's block list.
    #[error("domain is on the block list")]
    BlockedDomain,
    /// An allow list is set and the domain is not on it.
    #[error("domain is not on the allow list")]
    NotAllowedDomain,
    /// The request host does not domain-match the `Domain` attribute
    /// (RFC 6265 §5.3 step 6).
    #[error("the request host does not domain-match the cookie domain (RFC 6265 §5.1.3)")]
    DomainMismatch,
    /// The `Domain` attribute is a public suffix and not the request host
    /// (RFC 6265 §5.3 step 5).
    #[error("the Domain attribute is a public suffix (RFC 6265 §5.3 step 5)")]
    PublicSuffix,
    /// `strict_domain`: a country-code second-level domain like `.co.uk`.
    #[error("the Domain attribute is a country-code second-level domain (strict_domain)")]
    CountryCodeSecondLevel,
    /// RFC 2965 §3.3.2: a `Domain` without an embedded dot (and not `.local`).
    #[error("the Domain attribute has no embedded dot (RFC 2965 §3.3.2)")]
    DomainNoEmbeddedDot,
    /// RFC 2965 §3.3.2 (Netscape cookies with `DomainStrictNoDots`): the
    /// request host minus the domain contains a dot.
    #[error("the request host minus the Domain attribute contains a dot (RFC 2965 §3.3.2)")]
    HostPrefixHasDot,
    /// The request port is not in the cookie's `Port` list (RFC 2965 §3.3.2),
    /// or the list is not numeric.
    #[error("the request port is not in the Port list (RFC 2965 §3.3.2)")]
    PortMismatch,
    /// A `Secure` cookie from, or for, a request that is not over a secure
    /// protocol (RFC 6265bis §5.7 step 8, §5.8.3).
    #[error("Secure cookie and the request is not over a secure protocol (RFC 6265bis §5.7)")]
    NotSecure,
    /// An insecure request may not overwrite or shadow a `Secure` cookie
    /// (RFC 6265bis §5.7 step 16).
    #[error("an insecure request may not overwrite a Secure cookie (RFC 6265bis §5.7)")]
    WouldOverwriteSecure,
    /// `__Secure-` prefix without `Secure` or from an insecure origin
    /// (RFC 6265bis §4.1.3.1).
    #[error("__Secure- prefix requirements not met (RFC 6265bis §4.1.3.1)")]
    SecurePrefix,
    /// `__Host-` prefix without `Secure`, with a `Domain`, or with a path
    /// other than `/` (RFC 6265bis §4.1.3.2).
    #[error("__Host- prefix requirements not met (RFC 6265bis §4.1.3.2)")]
    HostPrefix,
    /// `SameSite=None` without `Secure` (RFC 6265bis §5.7 step 18).
    #[error("SameSite=None requires Secure (RFC 6265bis §5.7)")]
    SameSiteNoneInsecure,
    /// A `SameSite=Strict` cookie on a cross-site request, or a `Lax` one on
    /// a cross-site request with an unsafe method (RFC 6265bis §5.8.3).
    #[error("SameSite cookie on a cross-site request (RFC 6265bis §5.8.3)")]
    CrossSite,
    /// Name and value longer than the jar's per-cookie limit.
    #[error("cookie larger than the jar's per-cookie limit")]
    TooLarge,
    /// The cookie has expired.
    #[error("cookie has expired")]
    Expired,
    /// A host-only cookie and the request goes to another host
    /// (RFC 6265 §5.4 step 1).
    #[error("host-only cookie and the request host is another host (RFC 6265 §5.4)")]
    HostOnly,
    /// The cookie's path does not path-match the request path (RFC 6265 §5.1.4).
    #[error("the cookie path does not path-match the request path (RFC 6265 §5.1.4)")]
    PathMismatch,
    /// The request has an explicit `Cookie` header, which the jar leaves alone.
    #[error("the request already has a Cookie header")]
    ExplicitCookieHeader,
}
