//! Percent-encoding as S3 requests use it: one decoder and one query parser, shared by the
//! router and SigV4 authentication, so both read a request the same way. Bytes throughout:
//! non-UTF-8 input cannot panic or be mangled by a lossy conversion (the router refuses it
//! with `InvalidURI`; SigV4 signs the bytes).

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one `%XX` escape at the start of `rest`, if there is a valid one.
pub fn escape_at(rest: &[u8]) -> Option<u8> {
    match rest {
        [b'%', hi, lo, ..] => Some(hex_value(*hi)? << 4 | hex_value(*lo)?),
        _ => None,
    }
}

/// Decodes `%XX` escapes (an invalid one stays as it is, as S3 keeps it); in a query,
/// `plus_is_space` reads `+` as a space, as clients' form encoders mean it.
pub fn decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((&b, tail)) = rest.split_first() {
        if let Some(decoded) = escape_at(rest) {
            out.push(decoded);
            rest = tail.get(2..).unwrap_or_default();
        } else {
            out.push(if plus_is_space && b == b'+' { b' ' } else { b });
            rest = tail;
        }
    }
    out
}

/// One decoded query parameter; a bare `?uploads` has an empty value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPair {
    /// Decoded name.
    pub name: Vec<u8>,
    /// Decoded value.
    pub value: Vec<u8>,
}

/// Splits a raw query string (without `?`) into decoded parameters, in order; empty `&&`
/// pieces are skipped.
pub fn parse_query(raw: &str) -> Vec<QueryPair> {
    raw.as_bytes()
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (
                    piece.get(..eq).unwrap_or_default(),
                    piece.get(eq + 1..).unwrap_or_default(),
                ),
                None => (piece, &[][..]),
            };
            QueryPair {
                name: decode(name, true),
                value: decode(value, true),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_once_and_invalid_ones_stay() {
        assert_eq!(decode(b"a%20b%2Fc", false), b"a b/c");
        assert_eq!(decode(b"100%", false), b"100%");
        assert_eq!(decode(b"%zz%4", false), b"%zz%4");
        assert_eq!(decode(b"%2525", false), b"%25");
        assert_eq!(decode(b"a+b", false), b"a+b");
        assert_eq!(decode(b"a+b", true), b"a b");
        assert_eq!(decode(b"%FF", false), [0xff]);
    }

    #[test]
    fn queries_split_into_decoded_pairs_in_order() {
        let q = parse_query("uploads&prefix=a%2Fb+c&&x=1=2&=v");
        let pairs: Vec<(&[u8], &[u8])> = q
            .iter()
            .map(|p| (p.name.as_slice(), p.value.as_slice()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (&b"uploads"[..], &b""[..]),
                (b"prefix", b"a/b c"),
                (b"x", b"1=2"),
                (b"", b"v"),
            ]
        );
    }
}
