//! JSON cookie files as the [`cookie_store`](https://docs.rs/cookie_store)
//! crate writes them (cargo feature `json`, on by default).
//!
//! `cookie_store` 0.22 (`cookie_store::serde::json::save`) writes one JSON
//! array of cookies; earlier versions wrote one JSON object per line. Both
//! are read; the array is written. Each cookie is:
//!
//! ```json
//! {
//!   "raw_cookie": "sid=42; HttpOnly; SameSite=Lax; Secure; Path=/; Domain=example.com",
//!   "path": ["/", true],
//!   "domain": { "Suffix": "example.com" },
//!   "expires": { "AtUtc": "2100-08-03T00:38:37Z" }
//! }
//! ```
//!
//! `domain` is `{"HostOnly": host}` for a host-only cookie, `expires` is
//! `"SessionEnd"` for a session cookie. What `cookie_store` cannot hold is
//! lost on save: the RFC 2965 attributes (version, port, comment,
//! discard), the creation and last-access times. A cookie whose name is
//! empty or holds `=` or `;`, or whose value holds `;`, cannot be written
//! as a `raw_cookie` and is skipped with a `tracing` warning.
//!
//! ```
//! use clientcookie_jar::store::json::{read_json, write_json};
//! use clientcookie_jar::store::SaveOptions;
//! use clientcookie_jar::Cookie;
//!
//! let mut cookie = Cookie::new("sid", "42", "example.com", "/");
//! cookie.expires = Some(4_000_000_000);
//! let mut file = Vec::new();
//! write_json(&mut file, [&cookie].into_iter(), SaveOptions::default(), 0).unwrap();
//! let back = read_json(&file[..]).unwrap();
//! assert_eq!((back[0].name.as_str(), back[0].expires), ("sid", Some(4_000_000_000)));
//! ```

use std::io::{self, Read, Write};

use serde_json::{json, Value};

use super::{LoadError, Malformed, SaveOptions};
use crate::date::{iso2time, time2isoz};
use crate::parse::parse_set_cookie;
use crate::Cookie;

/// The latest time `cookie_store` can write (its years have four digits).
const MAX_TIME: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// Read a `cookie_store` JSON file: a JSON array of cookies, or (older
/// versions) one cookie object per line. Cookies `cookie_store` could not
/// have stored (a domain `NotPresent` or `Empty`) are skipped.
pub fn read_json(mut reader: impl Read) -> Result<Vec<Cookie>, LoadError> {
    let mut text = String::new();
    reader.read_to_string(&mut text).map_err(|e| {
        if e.kind() == io::ErrorKind::InvalidData {
            malformed(1, Malformed::NotUtf8)
        } else {
            LoadError::Io(e)
        }
    })?;
    let mut cookies = Vec::new();
    if text.trim_start().starts_with('[') {
        let values: Vec<Value> = serde_json::from_str(&text)
            .map_err(|e| malformed(e.line(), Malformed::Json(e.to_string())))?;
        for value in &values {
            // Line numbers are lost inside the array: report the first.
            if let Some(cookie) = from_value(value).map_err(|r| malformed(1, r))? {
                cookies.push(cookie);
            }
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(line)
                .map_err(|e| malformed(i + 1, Malformed::Json(e.to_string())))?;
            if let Some(cookie) = from_value(&value).map_err(|r| malformed(i + 1, r))? {
                cookies.push(cookie);
            }
        }
    }
    Ok(cookies)
}

fn malformed(line: usize, reason: Malformed) -> LoadError {
    LoadError::Malformed {
        path: None,
        line,
        reason,
    }
}

fn bad(what: &str) -> Malformed {
    Malformed::Json(format!("not a cookie_store cookie: {what}"))
}

fn from_value(value: &Value) -> Result<Option<Cookie>, Malformed> {
    let raw = value["raw_cookie"]
        .as_str()
        .ok_or_else(|| bad("no raw_cookie"))?;
    let parsed = parse_set_cookie(raw.as_bytes()).map_err(|_| bad("raw_cookie"))?;
    let path = value["path"][0].as_str().ok_or_else(|| bad("path"))?;
    let path_specified = value["path"][1].as_bool().ok_or_else(|| bad("path"))?;
    let (domain, host_only) = match &value["domain"] {
        Value::Object(map) => match (map.get("HostOnly"), map.get("Suffix")) {
            (Some(Value::String(d)), None) => (d.as_str(), true),
            (None, Some(Value::String(d))) => (d.as_str(), false),
            _ => return Err(bad("domain")),
        },
        Value::String(s) if s == "NotPresent" || s == "Empty" => {
            tracing::debug!(raw, "cookie_store cookie without a domain skipped");
            return Ok(None);
        }
        _ => return Err(bad("domain")),
    };
    let expires = match &value["expires"] {
        Value::String(s) if s == "SessionEnd" => None,
        Value::Object(map) => {
            let at = map
                .get("AtUtc")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("expires"))?;
            Some(iso2time(at).ok_or_else(|| bad("expires"))?)
        }
        _ => return Err(bad("expires")),
    };
    let mut cookie = Cookie::new(parsed.name, parsed.value, domain, path);
    cookie.host_only = host_only;
    cookie.domain_specified = !host_only;
    cookie.domain_initial_dot = parsed.domain.as_deref().is_some_and(|d| d.starts_with('.'));
    cookie.path_specified = path_specified;
    cookie.secure = parsed.secure;
    cookie.http_only = parsed.http_only;
    cookie.same_site = parsed.same_site;
    cookie.expires = expires;
    cookie.extras_mut().rest = parsed.other;
    Ok(Some(cookie))
}

/// Write `cookies` as `cookie_store` 0.22 does: a pretty-printed JSON
/// array and a line end. Session cookies are skipped unless
/// `opts.ignore_discard`, expired ones unless `opts.ignore_expires`.
/// Returns how many were written.
pub fn write_json<'a>(
    w: &mut dyn Write,
    cookies: impl Iterator<Item = &'a Cookie>,
    opts: SaveOptions,
    now: i64,
) -> io::Result<usize> {
    let mut values = Vec::new();
    for cookie in cookies.filter(|c| opts.keeps(c, now)) {
        match to_value(cookie) {
            Some(value) => values.push(value),
            None => tracing::warn!(
                name = %cookie.name,
                domain = %cookie.domain,
                "cookie cannot be written as a cookie_store raw_cookie: skipped"
            ),
        }
    }
    serde_json::to_writer_pretty(&mut *w, &values)?;
    w.write_all(b"\n")?;
    Ok(values.len())
}

fn to_value(c: &Cookie) -> Option<Value> {
    if c.name.is_empty() || c.name.contains(['=', ';']) || c.value.contains(';') {
        return None;
    }
    if super::has_line_break(&c.name) || super::has_line_break(&c.value) {
        return None;
    }
    // The order of the `cookie` crate's Display.
    let mut raw = format!("{}={}", c.name, c.value);
    if c.http_only {
        raw.push_str("; HttpOnly");
    }
    if let Some(s) = c.same_site {
        raw.push_str(match s {
            crate::SameSite::Strict => "; SameSite=Strict",
            crate::SameSite::Lax => "; SameSite=Lax",
            crate::SameSite::None => "; SameSite=None",
        });
    }
    if c.secure {
        raw.push_str("; Secure");
    }
    if !c.path.contains(';') && !super::has_line_break(&c.path) {
        raw.push_str("; Path=");
        raw.push_str(&c.path);
    }
    if !c.host_only {
        raw.push_str("; Domain=");
        raw.push_str(&c.domain);
    }
    let domain = if c.host_only {
        json!({ "HostOnly": c.domain })
    } else {
        json!({ "Suffix": c.domain })
    };
    let expires = match c.expires {
        Some(t) if !c.discard => {
            let t = t.clamp(0, MAX_TIME);
            json!({ "AtUtc": time2isoz(t).replacen(' ', "T", 1) })
        }
        _ => json!("SessionEnd"),
    };
    Some(json!({
        "raw_cookie": raw,
        "path": [c.path, c.path_specified],
        "domain": domain,
        "expires": expires,
    }))
}
