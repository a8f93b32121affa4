//! The request headers of server-side encryption: what a request asks for, and the
//! customer's key of SSE-C, checked as AWS checks them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::HeaderMap;
use md5::{Digest, Md5};
use strata_crypt::Kek;
use zeroize::Zeroize;

use crate::transform::TransformError;

/// `x-amz-server-side-encryption`: SSE-S3 or SSE-KMS.
pub const SSE: &str = "x-amz-server-side-encryption";
/// The one algorithm of SSE-S3 and SSE-C.
pub const AES256: &str = "AES256";
/// The prefix of a request's own SSE-C headers.
pub const CUSTOMER: &str = "x-amz-server-side-encryption-customer-";
/// The prefix of a copy's SSE-C headers for its source.
pub const COPY_SOURCE_CUSTOMER: &str = "x-amz-copy-source-server-side-encryption-customer-";
/// Headers of features strata does not provide yet: SSE-KMS and S3 Bucket Keys.
const UNSUPPORTED: [&str; 3] = [
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-context",
    "x-amz-server-side-encryption-bucket-key-enabled",
];

/// How a request asks a new object to be stored.
#[derive(Debug)]
pub enum Requested {
    /// No encryption header: the server's default applies.
    Default,
    /// `x-amz-server-side-encryption: AES256`.
    S3,
    /// SSE-C, with the customer's key.
    Customer(CustomerKey),
}

/// A customer's key from SSE-C headers, its MD5 checked.
pub struct CustomerKey {
    /// The key, as the key-encryption key of the object's key.
    pub kek: Kek,
    /// The key's MD5, base64 (as the request sent it and as responses echo it).
    pub md5: String,
}

impl std::fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerKey")
            .field("md5", &self.md5)
            .finish_non_exhaustive()
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, TransformError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| TransformError::BadArgument(format!("{name} is not valid text"))),
    }
}

fn bad(reason: &str) -> TransformError {
    TransformError::BadArgument(reason.to_string())
}

/// The SSE-C key under `prefix` ([`CUSTOMER`] or [`COPY_SOURCE_CUSTOMER`]), if any of its
/// three headers is present; all three must be, and agree.
pub fn customer_key(
    headers: &HeaderMap,
    prefix: &str,
) -> Result<Option<CustomerKey>, TransformError> {
    let algorithm = header(headers, &format!("{prefix}algorithm"))?;
    let key = header(headers, &format!("{prefix}key"))?;
    let md5 = header(headers, &format!("{prefix}key-md5"))?;
    let (algorithm, key, md5) = match (algorithm, key, md5) {
        (None, None, None) => return Ok(None),
        (None, _, _) => {
            return Err(bad(
                "Requests specifying Server Side Encryption with Customer provided keys must \
                 provide a valid encryption algorithm.",
            ))
        }
        (Some(_), None, _) => {
            return Err(bad(
                "Requests specifying Server Side Encryption with Customer provided keys must \
                 provide an appropriate secret key.",
            ))
        }
        (Some(_), Some(_), None) => {
            return Err(bad(
                "Requests specifying Server Side Encryption with Customer provided keys must \
                 provide the client calculated MD5 of the secret key.",
            ))
        }
        (Some(a), Some(k), Some(m)) => (a, k, m),
    };
    if algorithm != AES256 {
        return Err(bad("The encryption algorithm specified is not valid."));
    }
    let mut bytes = STANDARD
        .decode(key.trim())
        .map_err(|_| bad("The secret key was invalid for the specified algorithm."))?;
    let kek = Kek::from_slice(&bytes);
    let computed = STANDARD.encode(Md5::digest(&bytes));
    bytes.zeroize();
    let kek = kek.ok_or_else(|| bad("The secret key was invalid for the specified algorithm."))?;
    if computed != md5.trim() {
        return Err(bad(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
        ));
    }
    Ok(Some(CustomerKey { kek, md5: computed }))
}

/// What a write request asks for. Refuses SSE-KMS (not provided), an unknown algorithm, and
/// SSE-S3 with SSE-C at once.
pub fn requested(headers: &HeaderMap) -> Result<Requested, TransformError> {
    let sse = match header(headers, SSE)? {
        None => None,
        Some(AES256) => Some(Requested::S3),
        Some(v) if v.starts_with("aws:kms") => {
            return Err(TransformError::Unsupported(format!("{SSE}: {v} (SSE-KMS)")))
        }
        Some(v) => {
            return Err(bad(&format!(
                "The encryption method specified is not supported: {v}"
            )))
        }
    };
    let customer = customer_key(headers, CUSTOMER)?;
    match (sse, customer) {
        (Some(_), Some(_)) => Err(bad(
            "Server Side Encryption with Customer provided key is incompatible with the \
             encryption method specified",
        )),
        (Some(s3), None) => Ok(s3),
        (None, Some(key)) => Ok(Requested::Customer(key)),
        (None, None) => Ok(Requested::Default),
    }
}

/// Checks every encryption header of a request before its body is read: refuses what strata
/// does not provide (501), malformed values (400), and a customer's key sent where it could
/// be read on the way (400, as AWS refuses SSE-C over plain HTTP). A copy's source key
/// (`x-amz-copy-source-server-side-encryption-customer-*`) is checked the same way.
pub fn check(headers: &HeaderMap, confidential: bool) -> Result<(), TransformError> {
    for name in headers.keys().map(|n| n.as_str()) {
        let known = name == SSE
            || KNOWN_CUSTOMER
                .iter()
                .any(|suffix| name == format!("{CUSTOMER}{suffix}"))
            || KNOWN_CUSTOMER
                .iter()
                .any(|suffix| name == format!("{COPY_SOURCE_CUSTOMER}{suffix}"));
        let encryption =
            name.starts_with(SSE) || name.starts_with("x-amz-copy-source-server-side-encryption");
        if encryption && (!known || UNSUPPORTED.contains(&name)) {
            return Err(TransformError::Unsupported(format!(
                "server-side encryption ({name})"
            )));
        }
    }
    let asked = requested(headers)?;
    let source_key = customer_key(headers, COPY_SOURCE_CUSTOMER)?;
    let secret = matches!(asked, Requested::Customer(_)) || source_key.is_some();
    if secret && !confidential {
        return Err(TransformError::Invalid(
            "Requests specifying Server Side Encryption with Customer provided keys must be \
             made over a secure connection."
                .into(),
        ));
    }
    Ok(())
}

/// The SSE-C headers, after [`CUSTOMER`] or [`COPY_SOURCE_CUSTOMER`].
const KNOWN_CUSTOMER: [&str; 3] = ["algorithm", "key", "key-md5"];
