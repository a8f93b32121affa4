//! User metadata beyond ASCII, as AWS keeps it: a value sent as RFC 2047 encoded words
//! (`=?UTF-8?B?...?=`) is decoded before it is stored, a value sent as raw UTF-8 is stored as
//! it is, and a stored value that is not ASCII goes back out encoded (HTTP headers carry
//! ASCII; that is how AWS returns it).

use base64::Engine as _;

/// The value to store for a header value's bytes; `None` when they are not UTF-8 or hold an
/// encoded word that does not decode.
pub fn decode(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    if !text.trim_start().starts_with("=?") {
        return Some(text.to_string());
    }
    // A run of encoded words separated by white space; the space between words is dropped.
    let mut out = String::new();
    for word in text.split_whitespace() {
        out.push_str(&decode_word(word)?);
    }
    Some(out)
}

/// `=?charset?B|Q?text?=`.
fn decode_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        "Q" | "q" => decode_q(text)?,
        _ => return None,
    };
    match charset.to_ascii_lowercase().as_str() {
        "utf-8" | "us-ascii" => String::from_utf8(bytes).ok(),
        // Latin-1's bytes are the first 256 code points.
        "iso-8859-1" => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        _ => None,
    }
}

/// The Q encoding: `_` is a space, `=XX` a byte.
fn decode_q(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// A stored value as a header value: itself when it is printable ASCII, else one encoded
/// word of its UTF-8.
pub fn encode(value: &str) -> String {
    if value.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return value.to_string();
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
    format!("=?UTF-8?B?{b64}?=")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_and_raw_utf8_are_stored_as_text_and_go_back_encoded() {
        assert_eq!(decode(b"plain value").as_deref(), Some("plain value"));
        assert_eq!(
            decode("Z\u{fc}rich".as_bytes()).as_deref(),
            Some("Z\u{fc}rich")
        );
        assert_eq!(
            decode(b"=?UTF-8?B?WsO8cmljaA==?=").as_deref(),
            Some("Z\u{fc}rich")
        );
        assert_eq!(
            decode(b"=?utf-8?q?Z=C3=BCrich_Nord?=").as_deref(),
            Some("Z\u{fc}rich Nord")
        );
        assert_eq!(
            decode(b"=?ISO-8859-1?Q?caf=E9?= =?UTF-8?B?IQ==?=").as_deref(),
            Some("caf\u{e9}!")
        );
        for bad in [
            &b"=?UTF-8?B?not base64?="[..],
            b"=?KOI8-R?B?QQ==?=",
            b"=?UTF-8?X?a?=",
            b"\xff\xfe",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert_eq!(encode("plain"), "plain");
        assert_eq!(encode("Z\u{fc}rich"), "=?UTF-8?B?WsO8cmljaA==?=");
        assert_eq!(
            decode(encode("\u{65e5}\u{672c}").as_bytes()).as_deref(),
            Some("\u{65e5}\u{672c}")
        );
        assert_eq!(encode("tab\there"), "=?UTF-8?B?dGFiCWhlcmU=?=");
    }
}
