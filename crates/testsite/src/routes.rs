//! The endpoints: a hand-written router over path segments, one function per scenario.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{request, Method, Response, StatusCode};

use crate::body::{pattern_bytes, Generated, Pieces, SiteBody, Slow, CHUNK};
use crate::query::Query;
use crate::State;

type Resp = Response<SiteBody>;

/// Default size of `/big` when `bytes` is not given.
const DEFAULT_BIG: u64 = 100_000_000;
/// Default size of `/big-html` when `bytes` is not given.
const DEFAULT_BIG_HTML: u64 = 1_000_000;
/// Largest `chunk_bytes` for `/slow`.
const MAX_SLOW_CHUNK: usize = CHUNK;
/// The password `POST /login` accepts.
const PASSWORD: &str = "secret";

/// Answers one request. Never panics on bad input: it answers 400 instead.
pub(crate) fn route(state: &Arc<State>, parts: &request::Parts, host: &str, body: &[u8]) -> Resp {
    let path = parts.uri.path();
    let query = Query::parse(parts.uri.query());
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let result = match segments.as_slice() {
        ["set-cookie"] => set_cookie(&query),
        ["set-cookie-raw"] => set_cookie_raw(&query),
        ["set-cookie2-raw"] => raw_headers(&query, HeaderName::from_static("set-cookie2")),
        ["echo", ..] => Ok(echo(parts, host, body)),
        ["redirect", status] => redirect(status, &query),
        ["redirect-chain", n] => redirect_chain(n, &query, parts, host, body),
        ["redirect-loop"] => Ok(redirect_to(StatusCode::FOUND, "/redirect-loop")),
        ["refresh"] => refresh(&query),
        ["meta-refresh"] => meta_refresh(&query),
        ["equiv"] => Ok(html(StatusCode::OK, EQUIV_PAGE)),
        ["equiv-custom"] => equiv_custom(state, &query),
        ["bytes", ..] => bytes(&query),
        ["robots.txt"] => Ok(robots(state, host)),
        ["big"] => big(state, &query),
        ["big-html"] => big_html(state, &query),
        ["slow"] => slow(state, &query),
        ["trailers"] => trailers(state, &query),
        ["truncated"] => truncated(state, &query),
        ["login"] => Ok(login(state, &parts.method, body)),
        ["logout"] => Ok(logout()),
        ["account"] => Ok(account(state, parts)),
        ["status", code] => status(code),
        ["html", "referer-links"] => Ok(referer_links(&query)),
        _ => Ok(text(
            StatusCode::NOT_FOUND,
            format!("no such page: {path}\n"),
        )),
    };
    result.unwrap_or_else(|reason| {
        tracing::debug!(%path, %reason, "bad request");
        text(StatusCode::BAD_REQUEST, format!("bad request: {reason}\n"))
    })
}

fn response(status: StatusCode, content_type: &'static str, body: SiteBody) -> Resp {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Resp {
    response(status, "text/plain; charset=utf-8", SiteBody::full(body))
}

fn html(status: StatusCode, body: impl Into<Bytes>) -> Resp {
    response(status, "text/html; charset=utf-8", SiteBody::full(body))
}

fn header_value(bytes: &[u8], what: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_bytes(bytes).map_err(|_| format!("{what} is not a valid header value"))
}

/// Escapes text for an HTML attribute value or element content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn simple_cookie(name: &str, value: &str) -> Result<HeaderValue, String> {
    header_value(format!("{name}={value}; Path=/").as_bytes(), "cookie")
}

fn set_cookie(query: &Query) -> Result<Resp, String> {
    let mut resp = text(StatusCode::OK, "cookies set\n");
    for (name, value) in query.pairs() {
        resp.headers_mut()
            .append(header::SET_COOKIE, simple_cookie(name, &value)?);
    }
    Ok(resp)
}

/// `/set-cookie-raw`: the raw headers, on a 302 to `to` when it is given, so
/// that one browser visit can collect cookies from several hosts.
fn set_cookie_raw(query: &Query) -> Result<Resp, String> {
    let mut resp = raw_headers(query, header::SET_COOKIE)?;
    if let Some(to) = query.get_raw("to") {
        *resp.status_mut() = StatusCode::FOUND;
        resp.headers_mut()
            .insert(header::LOCATION, header_value(to, "to")?);
    }
    Ok(resp)
}

fn raw_headers(query: &Query, name: HeaderName) -> Result<Resp, String> {
    let mut resp = text(StatusCode::OK, "headers set\n");
    for value in query.all_raw("h") {
        resp.headers_mut()
            .append(name.clone(), header_value(value, "h")?);
    }
    Ok(resp)
}

fn echo(parts: &request::Parts, host: &str, body: &[u8]) -> Resp {
    let mut headers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, value) in &parts.headers {
        headers
            .entry(name.as_str())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let json = serde_json::json!({
        "method": parts.method.as_str(),
        "host": host,
        "path": parts.uri.path(),
        "query": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "body": String::from_utf8_lossy(body),
    });
    response(
        StatusCode::OK,
        "application/json",
        SiteBody::full(json.to_string()),
    )
}

fn redirect_to(status: StatusCode, location: &str) -> Resp {
    let mut resp = text(status, format!("redirecting to {location}\n"));
    if let Ok(value) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, value);
    }
    resp
}

fn parse_status(code: &str) -> Result<StatusCode, String> {
    code.parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| format!("not a status code: {code:?}"))
}

fn redirect(code: &str, query: &Query) -> Result<Resp, String> {
    let status = parse_status(code)?;
    if !status.is_redirection() {
        return Err(format!("{status} is not a 3xx status"));
    }
    let no_body = status == StatusCode::NOT_MODIFIED;
    let mut resp = if no_body {
        response(status, "text/plain; charset=utf-8", SiteBody::empty())
    } else {
        text(status, "redirecting\n")
    };
    if let Some(to) = query.get_raw("to") {
        resp.headers_mut()
            .insert(header::LOCATION, header_value(to, "to")?);
    }
    if let Some(policy) = query.get_raw("policy") {
        resp.headers_mut()
            .insert("referrer-policy", header_value(policy, "policy")?);
    }
    for set in query.all_raw("set") {
        let set = String::from_utf8_lossy(set);
        let (name, value) = set.split_once('=').unwrap_or((&set, ""));
        resp.headers_mut()
            .append(header::SET_COOKIE, simple_cookie(name, value)?);
    }
    Ok(resp)
}

fn redirect_chain(
    n: &str,
    query: &Query,
    parts: &request::Parts,
    host: &str,
    body: &[u8],
) -> Result<Resp, String> {
    let n: u32 = n.parse().map_err(|_| format!("not a hop count: {n:?}"))?;
    if n == 0 {
        return Ok(echo(parts, host, body));
    }
    let status = match query.get("status") {
        Some(code) => parse_status(&code)?,
        None => StatusCode::FOUND,
    };
    let next = match parts.uri.query() {
        Some(q) => format!("/redirect-chain/{}?{q}", n - 1),
        None => format!("/redirect-chain/{}", n - 1),
    };
    let mut resp = redirect_to(status, &next);
    resp.headers_mut()
        .append(header::SET_COOKIE, simple_cookie(&format!("hop{n}"), "1")?);
    Ok(resp)
}

/// `<delay>; url=<to>`, or `<delay>` alone when there is no `to`.
fn refresh_content(query: &Query) -> String {
    let delay = query.get("delay").unwrap_or_else(|| "0".to_owned());
    match query.get("to") {
        Some(to) => format!("{delay}; url={to}"),
        None => delay,
    }
}

fn refresh(query: &Query) -> Result<Resp, String> {
    let content = refresh_content(query);
    let mut resp = text(StatusCode::OK, "this page refreshes\n");
    resp.headers_mut()
        .insert("refresh", header_value(content.as_bytes(), "refresh")?);
    Ok(resp)
}

fn meta_refresh(query: &Query) -> Result<Resp, String> {
    let content = refresh_content(query);
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>Refresh</title>\n\
         <meta http-equiv=\"Refresh\" content=\"{}\">\n</head>\n\
         <body><p>This page refreshes.</p></body></html>\n",
        escape(&content)
    );
    Ok(html(StatusCode::OK, page))
}

/// The `/equiv` page: three meta tags in the head, one in the body that must not be lifted.
pub(crate) const EQUIV_PAGE: &str = "<!DOCTYPE html>\n<html><head>\n\
<meta charset=\"utf-8\">\n\
<title>HTTP-EQUIV</title>\n\
<meta http-equiv=\"X-Test\" content=\"yes\">\n\
<meta http-equiv=\"Set-Cookie\" content=\"meta=1; Path=/\">\n\
<meta http-equiv=\"Content-Language\" content=\"en\">\n\
<meta name=\"description\" content=\"not an http-equiv tag\">\n\
</head>\n<body>\n<p>Headers in the head, and one in the body that is not a header:</p>\n\
<meta http-equiv=\"X-In-Body\" content=\"no\">\n\
</body></html>\n";

fn generated(
    state: &Arc<State>,
    content_type: &'static str,
    prefix: Option<String>,
    bytes: u64,
    suffix: Option<&'static str>,
) -> Resp {
    let body = SiteBody::Generated(Generated {
        prefix: prefix.map(Bytes::from),
        remaining: bytes,
        suffix: suffix.map(|s: &'static str| Bytes::from_static(s.as_bytes())),
        sent: Arc::clone(&state.body_bytes_sent),
    });
    response(StatusCode::OK, content_type, body)
}

/// Largest `pad_kb` for `/equiv-custom` (4 MiB).
const MAX_PAD_KB: usize = 4096;

fn equiv_custom(state: &Arc<State>, query: &Query) -> Result<Resp, String> {
    let head = query.get("head").unwrap_or_default();
    let kb: u64 = query.number("body_kb")?.unwrap_or(0);
    let pad_kb: usize = query.number("pad_kb")?.unwrap_or(0);
    if pad_kb > MAX_PAD_KB {
        return Err(format!("pad_kb must be at most {MAX_PAD_KB}"));
    }
    // A comment of exactly `pad_kb` KiB, `<!--` and `-->` included.
    let pad = if pad_kb == 0 {
        String::new()
    } else {
        let mut pad = String::with_capacity(pad_kb * 1024);
        pad.push_str("<!--");
        while pad.len() < pad_kb * 1024 - 3 {
            pad.push(if pad.len() % 64 == 63 { '\n' } else { 'x' });
        }
        pad.push_str("-->");
        pad
    };
    let prefix = format!("<!DOCTYPE html>\n<html><head>{pad}{head}</head>\n<body>\n");
    Ok(generated(
        state,
        "text/html; charset=utf-8",
        Some(prefix),
        kb.saturating_mul(1024),
        Some("\n</body></html>\n"),
    ))
}

/// `body`'s bytes as they are, with `ct` as the `Content-Type` (none without `ct`), sent in
/// pieces of `chunk` bytes `delay_ms` apart.
fn bytes(query: &Query) -> Result<Resp, String> {
    let body = Bytes::copy_from_slice(query.get_raw("body").unwrap_or_default());
    let chunk: usize = query.number("chunk")?.unwrap_or(body.len().max(1));
    if chunk == 0 {
        return Err("chunk must be at least 1".to_owned());
    }
    let delay = Duration::from_millis(query.number("delay_ms")?.unwrap_or(0));
    let mut resp = Response::new(SiteBody::Pieces(Pieces::new(body, chunk, delay)));
    if let Some(content_type) = query.get_raw("ct") {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, header_value(content_type, "ct")?);
    }
    Ok(resp)
}

fn robots(state: &Arc<State>, host: &str) -> Resp {
    let configured = state.robots.lock().ok().and_then(|m| m.get(host).cloned());
    match configured {
        Some(file) => {
            let mut resp = text(file.status, file.body);
            if let Some(location) = file.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                resp.headers_mut().insert(header::LOCATION, location);
            }
            resp
        }
        None => text(StatusCode::NOT_FOUND, "no robots.txt here\n"),
    }
}

fn big(state: &Arc<State>, query: &Query) -> Result<Resp, String> {
    let bytes = query.number("bytes")?.unwrap_or(DEFAULT_BIG);
    Ok(generated(
        state,
        "application/octet-stream",
        None,
        bytes,
        None,
    ))
}

fn big_html(state: &Arc<State>, query: &Query) -> Result<Resp, String> {
    let bytes = query.number("bytes")?.unwrap_or(DEFAULT_BIG_HTML);
    let prefix = "<!DOCTYPE html>\n<html><head>\n<title>Big</title>\n\
                  <meta http-equiv=\"X-Test\" content=\"big\">\n\
                  <meta http-equiv=\"Set-Cookie\" content=\"bighead=1; Path=/\">\n\
                  </head>\n<body>\n<pre>\n";
    Ok(generated(
        state,
        "text/html; charset=utf-8",
        Some(prefix.to_owned()),
        bytes,
        Some("</pre>\n</body></html>\n"),
    ))
}

fn slow(state: &Arc<State>, query: &Query) -> Result<Resp, String> {
    let chunks: u64 = query.number("chunks")?.unwrap_or(10);
    let delay_ms: u64 = query.number("delay_ms")?.unwrap_or(100);
    let chunk_bytes: usize = query.number("chunk_bytes")?.unwrap_or(1024);
    if chunk_bytes == 0 || chunk_bytes > MAX_SLOW_CHUNK {
        return Err(format!("chunk_bytes must be 1..={MAX_SLOW_CHUNK}"));
    }
    let body = SiteBody::Slow(Slow {
        chunks_left: chunks,
        chunk: pattern_bytes(chunk_bytes),
        delay: Duration::from_millis(delay_ms),
        sleep: None,
        sent: Arc::clone(&state.body_bytes_sent),
    });
    Ok(response(StatusCode::OK, "application/octet-stream", body))
}

fn generated_only(state: &Arc<State>, bytes: u64) -> Generated {
    Generated {
        prefix: None,
        remaining: bytes,
        suffix: None,
        sent: Arc::clone(&state.body_bytes_sent),
    }
}

fn trailers(state: &Arc<State>, query: &Query) -> Result<Resp, String> {
    let bytes: u64 = query.number("bytes")?.unwrap_or(1024);
    let mut trailers = http::HeaderMap::new();
    trailers.insert(
        "x-body-bytes",
        header_value(bytes.to_string().as_bytes(), "bytes")?,
    );
    trailers.insert("x-trailer", HeaderValue::from_static("end"));
    let body = SiteBody::Trailing(generated_only(state, bytes), Some(trailers));
    let mut resp = response(StatusCode::OK, "application/octet-stream", body);
    // hyper sends only the trailer fields the head announces.
    resp.headers_mut().insert(
        header::TRAILER,
        HeaderValue::from_static("x-body-bytes, x-trailer"),
    );
    Ok(resp)
}

fn truncated(state: &Arc<State>, query: &Query) -> Result<Resp, String> {
    let bytes: u64 = query.number("bytes")?.unwrap_or(1024);
    let promised: u64 = query.number("promised")?.unwrap_or(bytes.saturating_mul(2));
    if promised <= bytes {
        return Err("promised must be more than bytes".to_owned());
    }
    let body = SiteBody::Short(generated_only(state, bytes), promised);
    Ok(response(StatusCode::OK, "application/octet-stream", body))
}

const LOGIN_FORM: &str = "<!DOCTYPE html>\n<html><head><title>Log in</title></head>\n<body>\n\
<form method=\"post\" action=\"/login\">\n\
<label>User <input name=\"user\"></label>\n\
<label>Password <input name=\"password\" type=\"password\"></label>\n\
<input type=\"submit\" value=\"Log in\">\n\
</form>\n</body></html>\n";

fn login(state: &Arc<State>, method: &Method, body: &[u8]) -> Resp {
    if method == Method::GET || method == Method::HEAD {
        return html(StatusCode::OK, LOGIN_FORM);
    }
    if method != Method::POST {
        let mut resp = text(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST\n");
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        return resp;
    }
    let mut user = None;
    let mut password = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        match name.as_ref() {
            "user" => user = Some(value.into_owned()),
            "password" => password = Some(value.into_owned()),
            _ => {}
        }
    }
    let user = match (user, password) {
        (Some(user), Some(password)) if !user.is_empty() && password == PASSWORD => user,
        _ => return text(StatusCode::UNAUTHORIZED, "wrong user or password\n"),
    };
    let serial = state.next_session.fetch_add(1, Ordering::Relaxed);
    let token = format!("s{serial:x}x{:x}", state.secret ^ serial.rotate_left(17));
    if let Ok(mut sessions) = state.sessions.lock() {
        sessions.insert(token.clone(), user);
    }
    let mut resp = redirect_to(StatusCode::SEE_OTHER, "/account");
    if let Ok(cookie) = HeaderValue::from_str(&format!("session={token}; Path=/; HttpOnly")) {
        resp.headers_mut().append(header::SET_COOKIE, cookie);
    }
    resp
}

fn logout() -> Resp {
    let mut resp = redirect_to(StatusCode::SEE_OTHER, "/login");
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("session=; Path=/; Max-Age=0"),
    );
    resp
}

fn account(state: &Arc<State>, parts: &request::Parts) -> Resp {
    let sessions = match state.sessions.lock() {
        Ok(sessions) => sessions,
        Err(_) => {
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "session store poisoned\n",
            )
        }
    };
    let user = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == "session")
        .find_map(|(_, token)| sessions.get(token.trim()));
    match user {
        Some(user) => text(StatusCode::OK, format!("welcome {user}\n")),
        None => text(StatusCode::FORBIDDEN, "log in first\n"),
    }
}

fn status(code: &str) -> Result<Resp, String> {
    let status = parse_status(code)?;
    if status.is_informational() {
        return Err(format!("{status} cannot be a final response"));
    }
    if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return Ok(response(
            status,
            "text/plain; charset=utf-8",
            SiteBody::empty(),
        ));
    }
    Ok(text(status, format!("status {}\n", status.as_u16())))
}

fn referer_links(query: &Query) -> Resp {
    let page = "<!DOCTYPE html>\n<html><head><title>Referer links</title></head>\n<body>\n\
<ul>\n\
<li><a href=\"/echo\">echo, same origin</a></li>\n\
<li><a href=\"/echo/with/path?q=1#fragment\">echo with a query and a fragment</a></li>\n\
<li><a href=\"/redirect/302?to=/echo\">a redirect to echo</a></li>\n\
<li><a href=\"/html/referer-links\">this page</a></li>\n\
</ul>\n</body></html>\n";
    let mut resp = html(StatusCode::OK, page);
    if let Some(policy) = query.get("policy") {
        if let Ok(value) = HeaderValue::from_str(&policy) {
            resp.headers_mut().insert("referrer-policy", value);
        }
    }
    resp
}
