//! The request headers of server-side encryption: what a request asks for, and the
//! customer's key of SSE-C, checked as AWS checks them.

use std::collections::BTreeMap;

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
/// SSE-KMS's algorithm name.
pub const AWS_KMS: &str = "aws:kms";
/// SSE-KMS: the KMS key to use.
pub const KMS_KEY_ID: &str = "x-amz-server-side-encryption-aws-kms-key-id";
/// SSE-KMS: the encryption context (base64 of a JSON object of strings).
pub const KMS_CONTEXT: &str = "x-amz-server-side-encryption-context";
/// SSE-KMS: whether the object uses an S3 Bucket Key.
pub const BUCKET_KEY: &str = "x-amz-server-side-encryption-bucket-key-enabled";

/// How a request asks a new object to be stored.
#[derive(Debug)]
pub enum Requested {
    /// No encryption header: the server's default applies.
    Default,
    /// `x-amz-server-side-encryption: AES256`.
    S3,
    /// `x-amz-server-side-encryption: aws:kms`, with its optional headers.
    Kms(KmsRequest),
    /// SSE-C, with the customer's key.
    Customer(CustomerKey),
}

/// What an SSE-KMS request names; absent values come from the bucket's default encryption
/// or the server's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KmsRequest {
    /// The KMS key id ([`KMS_KEY_ID`], an ARN reduced to its key id).
    pub key_id: Option<String>,
    /// The caller's encryption context ([`KMS_CONTEXT`]).
    pub context: BTreeMap<String, String>,
    /// [`BUCKET_KEY`], when sent.
    pub bucket_key: Option<bool>,
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

/// The encryption mode an answer reports through its `header`s (`AES256`, `aws:kms` or
/// `SSE-C`), for the request's audit event; `None` for a plaintext object or no object.
pub fn answered_mode<'h>(header: impl Fn(&str) -> Option<&'h str>) -> Option<&'static str> {
    if header("x-amz-server-side-encryption-customer-algorithm").is_some() {
        return Some("SSE-C");
    }
    match header(SSE)? {
        AES256 => Some(AES256),
        AWS_KMS => Some(AWS_KMS),
        _ => None,
    }
}

/// The SSE-C key under `prefix` ([`CUSTOMER`] or [`COPY_SOURCE_CUSTOMER`]), if any of its
/// three headers is present; all three must be, and agree.
pub fn customer_key(
    headers: &HeaderMap,
    prefix: &str,
) -> Result<Option<CustomerKey>, TransformError> {
    let [algorithm, key, md5] = if prefix == COPY_SOURCE_CUSTOMER {
        COPY_SOURCE_CUSTOMER_HEADERS
    } else {
        CUSTOMER_HEADERS
    };
    let algorithm = header(headers, algorithm)?;
    let key = header(headers, key)?;
    let md5 = header(headers, md5)?;
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

/// What a write request asks for. Refuses an unknown algorithm (DSSE-KMS is not provided),
/// SSE-KMS parameters without SSE-KMS, and two modes at once.
pub fn requested(headers: &HeaderMap) -> Result<Requested, TransformError> {
    let sse = match header(headers, SSE)? {
        None => None,
        Some(AES256) => Some(Requested::S3),
        Some(AWS_KMS) => Some(Requested::Kms(kms_request(headers)?)),
        Some(v) if v.starts_with(AWS_KMS) => {
            return Err(TransformError::Unsupported(format!("{SSE}: {v}")))
        }
        Some(v) => {
            return Err(bad(&format!(
                "The encryption method specified is not supported: {v}"
            )))
        }
    };
    let kms_only = [KMS_KEY_ID, KMS_CONTEXT];
    if !matches!(sse, Some(Requested::Kms(_))) {
        if let Some(name) = kms_only.iter().find(|n| headers.contains_key(**n)) {
            return Err(bad(&format!("{name} requires the header {SSE}: {AWS_KMS}")));
        }
    }
    let customer = customer_key(headers, CUSTOMER)?;
    match (sse, customer) {
        (Some(_), Some(_)) => Err(bad(
            "Server Side Encryption with Customer provided key is incompatible with the \
             encryption method specified",
        )),
        (Some(asked), None) => Ok(asked),
        (None, Some(key)) => Ok(Requested::Customer(key)),
        (None, None) => Ok(Requested::Default),
    }
}

/// Whether the request sends [`BUCKET_KEY`], and its value.
pub fn bucket_key(headers: &HeaderMap) -> Result<Option<bool>, TransformError> {
    match header(headers, BUCKET_KEY)? {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(bad(&format!(
            "{BUCKET_KEY} must be true or false, not {v:?}"
        ))),
    }
}

/// The SSE-KMS headers of a request that asked for `aws:kms`.
fn kms_request(headers: &HeaderMap) -> Result<KmsRequest, TransformError> {
    let key_id = header(headers, KMS_KEY_ID)?.map(kms_key_id).transpose()?;
    let context = match header(headers, KMS_CONTEXT)? {
        None => BTreeMap::new(),
        Some(v) => parse_context(v)?,
    };
    Ok(KmsRequest {
        key_id,
        context,
        bucket_key: bucket_key(headers)?,
    })
}

/// A KMS key as a request or a bucket configuration names it: a key id, or a key ARN
/// (`arn:aws:kms:REGION:ACCOUNT:key/ID`) reduced to its id. Ids are the keyring's
/// (`volume/ENCRYPTION.md`): 1 to 64 of `A-Z a-z 0-9 - _ . /`, not starting with `.`.
pub fn kms_key_id(named: &str) -> Result<String, TransformError> {
    let named = named.trim();
    let id = match named.strip_prefix("arn:") {
        Some(rest) => match rest.split_once(":key/") {
            Some((scope, id)) if scope.split(':').count() == 4 && scope.contains(":kms:") => id,
            _ => return Err(bad(&format!("Invalid arn {named}"))),
        },
        None => named,
    };
    let valid = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if !valid {
        return Err(TransformError::KmsKeyNotFound(format!(
            "Invalid keyId {named}"
        )));
    }
    Ok(id.to_string())
}

/// Largest encryption context accepted, in bytes of its JSON (AWS: a header's worth).
const MAX_CONTEXT: usize = 4096;

/// [`KMS_CONTEXT`]: base64 of a JSON object whose values are strings. Names starting with
/// `aws:` are the store's own (it binds `aws:s3:arn` itself).
pub fn parse_context(value: &str) -> Result<BTreeMap<String, String>, TransformError> {
    let malformed = || {
        bad(&format!(
            "The header '{KMS_CONTEXT}' shall be Base64-encoded UTF-8 string holding JSON \
             which represents a string-string map"
        ))
    };
    let json = STANDARD.decode(value.trim()).map_err(|_| malformed())?;
    if json.len() > MAX_CONTEXT {
        return Err(bad(&format!(
            "{KMS_CONTEXT} is longer than {MAX_CONTEXT} bytes"
        )));
    }
    let pairs: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(|_| malformed())?;
    if let Some(name) = pairs.keys().find(|n| n.starts_with("aws:")) {
        return Err(bad(&format!(
            "{KMS_CONTEXT}: {name} is reserved (the store binds aws:s3:arn itself)"
        )));
    }
    Ok(pairs)
}

/// Checks every encryption header of a request before its body is read: refuses what strata
/// does not provide (501, e.g. DSSE-KMS), malformed values (400), and a customer's key sent where it could
/// be read on the way (400, as AWS refuses SSE-C over plain HTTP). A copy's source key
/// (`x-amz-copy-source-server-side-encryption-customer-*`) is checked the same way.
pub fn check(headers: &HeaderMap, confidential: bool) -> Result<(), TransformError> {
    for name in headers.keys().map(|n| n.as_str()) {
        let encryption =
            name.starts_with(SSE) || name.starts_with("x-amz-copy-source-server-side-encryption");
        let customer = |prefix: &str| {
            name.strip_prefix(prefix)
                .is_some_and(|suffix| KNOWN_CUSTOMER.contains(&suffix))
        };
        let known = || {
            [SSE, KMS_KEY_ID, KMS_CONTEXT, BUCKET_KEY].contains(&name)
                || customer(CUSTOMER)
                || customer(COPY_SOURCE_CUSTOMER)
        };
        if encryption && !known() {
            return Err(TransformError::Unsupported(format!(
                "server-side encryption ({name})"
            )));
        }
    }
    let asked = requested(headers)?;
    bucket_key(headers)?;
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
pub(super) const KNOWN_CUSTOMER: [&str; 3] = ["algorithm", "key", "key-md5"];
/// The request's own SSE-C headers: algorithm, key, key MD5 ([`CUSTOMER`] and
/// [`KNOWN_CUSTOMER`], spelled out once so that no request formats them).
pub(super) const CUSTOMER_HEADERS: [&str; 3] = [
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-server-side-encryption-customer-key-md5",
];
/// A copy's SSE-C headers for its source, as [`CUSTOMER_HEADERS`].
pub(super) const COPY_SOURCE_CUSTOMER_HEADERS: [&str; 3] = [
    "x-amz-copy-source-server-side-encryption-customer-algorithm",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key-md5",
];
