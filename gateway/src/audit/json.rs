//! A JSON object written field by field, for the one document written per request: the
//! derived `serde_json` encoder escaped every field name and walked every string a byte at a
//! time, which was most of the audit's cost per 4 KiB GET. The output is the same JSON
//! `serde_json` writes (same escapes, same number forms); the tests parse it back.

use bytes::BufMut;

/// Writes `{"a":1,"b":"x",...}` into `out`; [`Object::end`] closes it.
pub struct Object<'o, B: BufMut> {
    out: &'o mut B,
    first: bool,
}

impl<'o, B: BufMut> Object<'o, B> {
    /// Opens the object.
    pub fn start(out: &'o mut B) -> Self {
        out.put_u8(b'{');
        Object { out, first: true }
    }

    /// `name` must need no escaping (field names are ASCII identifiers).
    fn name(&mut self, name: &str) {
        if !self.first {
            self.out.put_u8(b',');
        }
        self.first = false;
        self.out.put_u8(b'"');
        self.out.put_slice(name.as_bytes());
        self.out.put_slice(b"\":");
    }

    /// A string member, or `null`.
    pub fn str(&mut self, name: &str, value: Option<&str>) {
        self.name(name);
        match value {
            Some(v) => string(self.out, v),
            None => self.out.put_slice(b"null"),
        }
    }

    /// An unsigned integer member, or `null`.
    pub fn uint(&mut self, name: &str, value: Option<u64>) {
        self.name(name);
        match value {
            Some(v) => self.out.put_slice(itoa::Buffer::new().format(v).as_bytes()),
            None => self.out.put_slice(b"null"),
        }
    }

    /// A number member; `null` when not finite, as `serde_json` writes it.
    pub fn float(&mut self, name: &str, value: f64) {
        self.name(name);
        if value.is_finite() {
            self.out
                .put_slice(ryu::Buffer::new().format_finite(value).as_bytes());
        } else {
            self.out.put_slice(b"null");
        }
    }

    /// A boolean member.
    pub fn bool(&mut self, name: &str, value: bool) {
        self.name(name);
        self.out.put_slice(if value { b"true" } else { b"false" });
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.put_u8(b'}');
    }
}

/// `s` as a JSON string. Most strings need no escape: one pass that the compiler vectorizes
/// finds that out, and the string is copied whole.
fn string(out: &mut impl BufMut, s: &str) {
    out.put_u8(b'"');
    let bytes = s.as_bytes();
    let needs_escape = bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if !needs_escape {
        out.put_slice(bytes);
    } else {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => {
                    out.put_slice(&bytes[start..i]);
                    out.put_slice(b"\\u00");
                    out.put_u8(HEX[usize::from(b >> 4)]);
                    out.put_u8(HEX[usize::from(b & 0xf)]);
                    start = i + 1;
                    continue;
                }
                _ => continue,
            };
            out.put_slice(&bytes[start..i]);
            out.put_slice(escape);
            start = i + 1;
        }
        out.put_slice(&bytes[start..]);
    }
    out.put_u8(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let mut every_char: String = (0u8..0x80).map(char::from).collect();
        every_char.push_str("é€😀\u{7f}\u{2028}");
        for s in [
            "",
            "plain/key.txt",
            "quote\" back\\slash",
            "new\nline\ttab\r\u{8}\u{c}",
            &every_char,
        ] {
            assert_eq!(encoded(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn an_object_is_what_serde_json_writes_for_the_same_members() {
        let mut out = Vec::new();
        let mut o = Object::start(&mut out);
        o.str("a", Some("x\"y"));
        o.str("b", None);
        o.uint("c", Some(u64::MAX));
        o.uint("d", None);
        o.float("e", 1.5);
        o.float("f", 2.0);
        o.float("g", f64::NAN);
        o.bool("h", true);
        o.end();
        let expected = serde_json::json!({
            "a": "x\"y", "b": null, "c": u64::MAX, "d": null, "e": 1.5, "f": 2.0, "g": null, "h": true
        });
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
    }
}
