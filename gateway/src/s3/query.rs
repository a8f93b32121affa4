//! Decoded query parameters, in order.

use percent_encoding::percent_decode;

/// Query parameters as `(name, value)` pairs; a bare `?uploads` has an empty value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

/// A query string that does not decode to UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadQuery;

impl Query {
    /// Parses `a=1&b&c=%2F`; `+` means a space, as in forms.
    pub fn parse(raw: &str) -> Result<Query, BadQuery> {
        let mut pairs = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(k)?, decode(v)?));
        }
        Ok(Query(pairs))
    }

    /// First value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// All pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

fn decode(s: &str) -> Result<String, BadQuery> {
    let plus = s.replace('+', " ");
    percent_decode(plus.as_bytes())
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| BadQuery)
}
