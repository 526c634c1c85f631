//! Query-string decoding: text values for ordinary parameters, raw bytes for values that are
//! sent back verbatim as header values (so tests can send bytes that are not UTF-8).

/// Decoded `name=value` pairs of a query string, values as text (invalid UTF-8 replaced).
pub(crate) struct Query {
    pairs: Vec<(String, Vec<u8>)>,
}

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (name, value) = part.split_once('=').unwrap_or((part, ""));
                (
                    String::from_utf8_lossy(&decode(name)).into_owned(),
                    decode(value),
                )
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `name`, as text.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.get_raw(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// The first value of `name`, as raw bytes.
    pub(crate) fn get_raw(&self, name: &str) -> Option<&[u8]> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Every value of `name`, as raw bytes, in order.
    pub(crate) fn all_raw<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Every pair, values as text, in order.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, String)> + '_ {
        self.pairs
            .iter()
            .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v).into_owned()))
    }

    /// Parses the first value of `name` as a number; `Ok(None)` when absent, `Err` when
    /// present but not a number (the caller answers 400).
    pub(crate) fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("query parameter {name:?} is not a valid number: {v:?}")),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding to bytes: `+` is a space, `%XX` a byte, and a
/// `%` not followed by two hex digits is kept as it is.
fn decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_keeps_a_stray_percent() {
        assert_eq!(decode("a+b%3Dc%zz%4"), b"a b=c%zz%4");
        assert_eq!(decode("%ff"), vec![0xff]);
    }

    #[test]
    fn repeated_names_keep_their_order() {
        let q = Query::parse(Some("h=1&x&h=2&=3"));
        let all: Vec<_> = q.all_raw("h").collect();
        assert_eq!(all, vec![&b"1"[..], &b"2"[..]]);
        assert_eq!(q.get("x").as_deref(), Some(""));
        assert_eq!(q.number::<u32>("h"), Ok(Some(1)));
        assert!(q.number::<u32>("x").is_err());
    }
}
