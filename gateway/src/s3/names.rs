//! Bucket-name and object-key rules.
//!
//! Keys follow S3: any UTF-8 up to 1024 bytes. `..` and `//` segments are accepted as AWS
//! accepts them: keys never become file paths here (the volume engine stores objects by id), so
//! they carry no traversal risk, and rejecting them would break clients that mirror trees.
//! NUL is rejected: no real client sends it and it breaks C-string tooling downstream.

/// Longest key S3 accepts, in bytes.
pub const MAX_KEY_LEN: usize = 1024;

/// Bucket name of strata's own endpoints (`/strata/health/...`); cannot be created.
pub const RESERVED_BUCKET: &str = "strata";

/// A bucket name or key S3 would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The bucket name breaks the naming rules.
    #[error("the specified bucket is not valid: {0}")]
    InvalidBucketName(String),
    /// The key is longer than 1024 bytes.
    #[error("your key is too long")]
    KeyTooLong,
    /// The key has a character strata refuses.
    #[error("object key {0}")]
    InvalidKey(&'static str),
}

/// Checks a bucket name. `creating` applies the full rules for new buckets; existing
/// ones only need to be plausible (so an odd legacy name still gets `NoSuchBucket`).
pub fn validate_bucket_name(name: &str, creating: bool) -> Result<(), NameError> {
    let bad = |why: &str| Err(NameError::InvalidBucketName(format!("{name:?}: {why}")));
    if name.is_empty() || name.len() > 255 || name.contains(['/', '\0']) {
        return bad("length or characters");
    }
    if !creating {
        return Ok(());
    }
    if name == RESERVED_BUCKET {
        return bad("reserved for strata's own endpoints");
    }
    if !(3..=63).contains(&name.len()) {
        return bad("must be 3 to 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return bad("only lowercase letters, digits, '.' and '-'");
    }
    let edge_ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge_ok(name.as_bytes()[0]) || !edge_ok(name.as_bytes()[name.len() - 1]) {
        return bad("must begin and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return bad("no adjacent '.' or '.-'");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return bad("must not look like an IP address");
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") {
        return bad("reserved prefix");
    }
    if name.ends_with("-s3alias") || name.ends_with("--ol-s3") {
        return bad("reserved suffix");
    }
    Ok(())
}

/// Checks an object key (already percent-decoded).
pub fn validate_key(key: &str) -> Result<(), NameError> {
    if key.len() > MAX_KEY_LEN {
        return Err(NameError::KeyTooLong);
    }
    if key.contains('\0') {
        return Err(NameError::InvalidKey("must not contain NUL"));
    }
    Ok(())
}
