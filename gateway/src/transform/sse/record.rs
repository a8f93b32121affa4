//! What an encrypted object keeps in the store's `internal` map, and reading it back. The
//! map holds no secret: the object key is sealed, the customer's key is never stored.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use strata_crypt::{SealedKey, SseMode};

use crate::transform::{Internal, TransformError};

/// The SSE mode: `AES256` (SSE-S3) or `SSE-C`. No entry: the object is stored in plaintext.
const MODE: &str = "sse";
/// The object key sealed under the mode's key-encryption key (base64).
const SEALED_KEY: &str = "sse-key";
/// The format version of the streams (`volume/ENCRYPTION.md`).
const FORMAT: &str = "sse-format";
/// SSE-C: the MD5 of the customer's key (base64), echoed in responses as AWS does.
const CUSTOMER_KEY_MD5: &str = "sse-c-key-md5";

const S3: &str = "AES256";
const CUSTOMER: &str = "SSE-C";

/// How an object is encrypted, as read from its `internal` map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// SSE-S3 or SSE-C.
    pub mode: SseMode,
    /// The sealed object key's bytes.
    pub sealed_key: Vec<u8>,
    /// SSE-C: the customer key's MD5, base64.
    pub customer_key_md5: Option<String>,
}

impl Record {
    /// The entries to store for an object key sealed as `sealed` in `mode`.
    pub fn entries(mode: SseMode, sealed: &SealedKey, customer_key_md5: Option<&str>) -> Internal {
        let mut internal = Internal::new();
        let name = if mode == SseMode::Customer {
            CUSTOMER
        } else {
            S3
        };
        internal.insert(MODE.into(), name.into());
        internal.insert(SEALED_KEY.into(), STANDARD.encode(sealed.as_bytes()));
        internal.insert(FORMAT.into(), strata_crypt::FORMAT_VERSION.to_string());
        if let Some(md5) = customer_key_md5 {
            internal.insert(CUSTOMER_KEY_MD5.into(), md5.into());
        }
        internal
    }

    /// The record in `internal`; `None` for an object stored in plaintext (written before
    /// encryption, or with the default turned off).
    pub fn read(internal: &Internal) -> Result<Option<Record>, TransformError> {
        let Some(mode) = internal.get(MODE) else {
            return Ok(None);
        };
        let damaged = |what: &str| TransformError::Damaged(format!("encryption record: {what}"));
        let mode = match mode.as_str() {
            S3 => SseMode::S3,
            CUSTOMER => SseMode::Customer,
            other => return Err(damaged(&format!("unknown mode {other}"))),
        };
        match internal.get(FORMAT).map(String::as_str) {
            Some("1") => {}
            other => return Err(damaged(&format!("unknown format {other:?}"))),
        }
        let sealed_key = internal
            .get(SEALED_KEY)
            .and_then(|k| STANDARD.decode(k).ok())
            .ok_or_else(|| damaged("no sealed key"))?;
        let customer_key_md5 = internal.get(CUSTOMER_KEY_MD5).cloned();
        if mode == SseMode::Customer && customer_key_md5.is_none() {
            return Err(damaged("no customer key MD5"));
        }
        Ok(Some(Record {
            mode,
            sealed_key,
            customer_key_md5,
        }))
    }

    /// The response headers that describe this record (`describe`).
    pub fn headers(&self) -> Vec<(String, String)> {
        match (&self.mode, &self.customer_key_md5) {
            (SseMode::Customer, Some(md5)) => vec![
                (
                    "x-amz-server-side-encryption-customer-algorithm".into(),
                    S3.into(),
                ),
                (
                    "x-amz-server-side-encryption-customer-key-md5".into(),
                    md5.clone(),
                ),
            ],
            _ => vec![("x-amz-server-side-encryption".into(), S3.into())],
        }
    }
}
