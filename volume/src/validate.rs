//! Naming rules for buckets and keys.

use crate::error::{Invalid, Result};

/// Longest key S3 accepts, in bytes.
pub const MAX_KEY_LEN: usize = 1024;

/// S3's bucket naming rules (general purpose buckets).
pub fn bucket_name(name: &str) -> Result<()> {
    let bad = |why: &str| Err(Invalid::BucketName(format!("{name:?}: {why}")).into());
    if name.len() < 3 || name.len() > 63 {
        return bad("must be 3 to 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return bad("only lowercase letters, digits, dots and hyphens are allowed");
    }
    let (first, last) = (name.as_bytes()[0], name.as_bytes()[name.len() - 1]);
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return bad("must begin and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return bad("adjacent periods or a period next to a hyphen");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return bad("must not look like an IP address");
    }
    if name.starts_with("xn--")
        || name.starts_with("sthree-")
        || name.ends_with("-s3alias")
        || name.ends_with("--ol-s3")
    {
        return bad("reserved prefix or suffix");
    }
    Ok(())
}

/// Keys: 1 to 1024 bytes of UTF-8 without NUL (NUL separates the parts of index keys).
pub fn object_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Invalid::Key("the key is empty".into()).into());
    }
    if key.len() > MAX_KEY_LEN {
        return Err(crate::Error::Invalid(Invalid::KeyTooLong));
    }
    if key.contains('\0') {
        return Err(Invalid::Key("the key contains a NUL character".into()).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3_rules() {
        for ok in ["abc", "my-bucket.2026", "a1b"] {
            assert!(bucket_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "ABC",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "a_b",
            "xn--abc",
            &"a".repeat(64),
        ] {
            assert!(
                matches!(
                    bucket_name(bad),
                    Err(crate::Error::Invalid(Invalid::BucketName(_)))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_are_bounded_and_nul_free() {
        assert!(object_key("a/../b//c").is_ok());
        assert!(matches!(
            object_key(""),
            Err(crate::Error::Invalid(Invalid::Key(_)))
        ));
        assert!(matches!(
            object_key("a\0b"),
            Err(crate::Error::Invalid(Invalid::Key(_)))
        ));
        assert!(matches!(
            object_key(&"k".repeat(1025)),
            Err(crate::Error::Invalid(Invalid::KeyTooLong))
        ));
        assert!(object_key(&"k".repeat(1024)).is_ok());
    }
}
