//! The SigV4 canonical request, rebuilt from what the client says it signed.
//!
//! S3 differs from the generic SigV4 rules in two ways that matter here: the path is not
//! normalized (`.`/`..`/`//` stay as they are) and not double-encoded. The server works on
//! bytes throughout, so non-UTF-8 input cannot panic or be mangled by a lossy conversion.

use http::HeaderMap;

use crate::percent::escape_at;
use sha2::{Digest as _, Sha256};

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The AWS "unreserved" set: the only bytes that appear unencoded in canonical strings.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn push_encoded(out: &mut Vec<u8>, b: u8) {
    if is_unreserved(b) {
        out.push(b);
    } else {
        out.extend_from_slice(&[
            b'%',
            UPPER_HEX[usize::from(b >> 4)],
            UPPER_HEX[usize::from(b & 0x0f)],
        ]);
    }
}

/// Appends the canonical URI of a raw request path.
///
/// Each byte is written in the AWS encoding, with existing `%XX` escapes decoded once first,
/// and literal `/` kept: so `/test$file.text` and `/test%24file.text` both canonicalize to
/// `/test%24file.text` (the AWS documentation example), while an escaped `%2F` stays
/// distinct from a literal `/`. Segments are never normalized.
pub(crate) fn canonical_uri(raw_path: &str, out: &mut Vec<u8>) {
    let mut rest = raw_path.as_bytes();
    if rest.is_empty() {
        out.push(b'/');
        return;
    }
    while let Some((&b, tail)) = rest.split_first() {
        if let Some(decoded) = escape_at(rest) {
            push_encoded(out, decoded);
            rest = tail.get(2..).unwrap_or_default();
        } else {
            if b == b'/' {
                out.push(b'/');
            } else {
                push_encoded(out, b);
            }
            rest = tail;
        }
    }
}

/// One decoded query parameter (the router reads the same parse).
pub(crate) type QueryParam = crate::percent::QueryPair;

/// Splits a raw query string into decoded parameters.
pub(crate) fn parse_query(raw: &str) -> Vec<QueryParam> {
    crate::percent::parse_query(raw)
}

/// Appends the canonical query string: every parameter except those `skip` names,
/// re-encoded the AWS way and sorted by encoded name, then encoded value.
pub(crate) fn canonical_query(params: &[QueryParam], skip: &[&str], out: &mut Vec<u8>) {
    let mut encoded: Vec<(Vec<u8>, Vec<u8>)> = params
        .iter()
        .filter(|p| !skip.iter().any(|s| p.name == s.as_bytes()))
        .map(|p| {
            let mut name = Vec::with_capacity(p.name.len());
            p.name.iter().for_each(|&b| push_encoded(&mut name, b));
            let mut value = Vec::with_capacity(p.value.len());
            p.value.iter().for_each(|&b| push_encoded(&mut value, b));
            (name, value)
        })
        .collect();
    encoded.sort();
    for (i, (name, value)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// Appends `value` with leading/trailing whitespace removed and inner runs collapsed to one
/// space (what the SDKs' "trimall" does before signing).
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let mut first = true;
    for word in value
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(word);
        first = false;
    }
}

/// Appends one `name:value\n` line per signed header; repeated headers are joined by `,`.
/// A signed header that is absent contributes an empty value (and so fails to match).
pub(crate) fn canonical_headers(headers: &HeaderMap, signed: &[String], out: &mut Vec<u8>) {
    for name in signed {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        for (i, value) in headers.get_all(name.as_str()).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_trimmed(out, value.as_bytes());
        }
        out.push(b'\n');
    }
}

/// The pieces of a canonical request, borrowed from the parsed request.
pub(crate) struct CanonicalInput<'a> {
    pub(crate) method: &'a str,
    pub(crate) raw_path: &'a str,
    pub(crate) query: &'a [QueryParam],
    pub(crate) skip_query: &'a [&'a str],
    pub(crate) headers: &'a HeaderMap,
    pub(crate) signed_headers: &'a [String],
    pub(crate) signed_headers_line: &'a str,
    pub(crate) payload_hash: &'a str,
}

/// Builds the canonical request bytes.
pub(crate) fn canonical_request(input: &CanonicalInput<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(input.method.as_bytes());
    out.push(b'\n');
    canonical_uri(input.raw_path, &mut out);
    out.push(b'\n');
    canonical_query(input.query, input.skip_query, &mut out);
    out.push(b'\n');
    canonical_headers(input.headers, input.signed_headers, &mut out);
    out.push(b'\n');
    out.extend_from_slice(input.signed_headers_line.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(input.payload_hash.as_bytes());
    out
}

/// The SigV4 string to sign for a canonical request.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &[u8]) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request));
    format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(raw: &str) -> String {
        let mut out = Vec::new();
        canonical_uri(raw, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn query(raw: &str) -> String {
        let mut out = Vec::new();
        canonical_query(&parse_query(raw), &["X-Amz-Signature"], &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn paths_are_encoded_once_and_never_normalized() {
        assert_eq!(uri(""), "/");
        assert_eq!(uri("/test$file.text"), "/test%24file.text");
        assert_eq!(uri("/test%24file.text"), "/test%24file.text");
        assert_eq!(uri("/a%2Fb"), "/a%2Fb");
        assert_eq!(uri("/a/./b/../c//d"), "/a/./b/../c//d");
        assert_eq!(uri("/%7Euser/a%20b"), "/~user/a%20b");
        assert_eq!(uri("/caf%c3%a9"), "/caf%C3%A9");
        assert_eq!(uri("/100%"), "/100%25");
        assert_eq!(uri("/%zz"), "/%25zz");
        assert_eq!(uri("/a+b"), "/a%2Bb");
    }

    #[test]
    fn query_strings_are_decoded_reencoded_and_sorted() {
        assert_eq!(query(""), "");
        assert_eq!(query("lifecycle"), "lifecycle=");
        assert_eq!(query("prefix=J&max-keys=2"), "max-keys=2&prefix=J");
        assert_eq!(
            query("prefix=a/b&delimiter=/"),
            "delimiter=%2F&prefix=a%2Fb"
        );
        assert_eq!(query("a=x+y&a=x%20a"), "a=x%20a&a=x%20y");
        assert_eq!(query("k=%7e&&j"), "j=&k=~");
        assert_eq!(query("X-Amz-Signature=abc&x=1"), "x=1");
    }

    #[test]
    fn header_values_are_trimmed_and_repeated_headers_joined() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.com".parse().unwrap());
        headers.append("x-amz-meta-a", "  one   two ".parse().unwrap());
        headers.append("x-amz-meta-a", "three".parse().unwrap());
        let signed = vec!["host".to_owned(), "x-amz-meta-a".into(), "missing".into()];
        let mut out = Vec::new();
        canonical_headers(&headers, &signed, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "host:example.com\nx-amz-meta-a:one two,three\nmissing:\n"
        );
    }
}
