//! What an encrypted object keeps in the store's `internal` map, and reading it back. The
//! map holds no secret: the object key is sealed, the customer's key is never stored.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use strata_crypt::{SealedKey, SseMode};

use crate::transform::{Internal, TransformError};

/// The SSE mode: `AES256` (SSE-S3), `aws:kms` (SSE-KMS) or `SSE-C`. No entry: the object is
/// stored in plaintext.
const MODE: &str = "sse";
/// The object key sealed under the mode's key-encryption key (base64).
const SEALED_KEY: &str = "sse-key";
/// The format version of the streams (`volume/ENCRYPTION.md`).
const FORMAT: &str = "sse-format";
/// SSE-C: the MD5 of the customer's key (base64), echoed in responses as AWS does.
const CUSTOMER_KEY_MD5: &str = "sse-c-key-md5";
/// SSE-C: `sealed` when the checksums are sealed values (absent on objects written before).
const CHECKSUMS: &str = "sse-c-checksums";
const SEALED: &str = "sealed";

/// SSE-KMS: the KMS key id.
const KMS_KEY_ID: &str = "sse-kms-key-id";
/// SSE-KMS: the data key (the object key's KEK) as the KMS sealed it (base64).
const KMS_BLOB: &str = "sse-kms-blob";
/// SSE-KMS: the caller's encryption context, as JSON (absent when empty).
const KMS_CONTEXT: &str = "sse-kms-context";
/// SSE-KMS: `true` when the data key is the bucket's S3 Bucket Key.
const KMS_BUCKET_KEY: &str = "sse-kms-bucket-key";
/// A plaintext object sealed when it moved to a remote tier: the tier's name. It is read as
/// SSE-KMS and reported as plaintext (`volume/ENCRYPTION.md`, "Tier seal").
const TIER: &str = "sse-tier";

const S3: &str = "AES256";
const KMS: &str = "aws:kms";
const CUSTOMER: &str = "SSE-C";

/// Entries of the `internal` map.
pub type Entries = Vec<(String, String)>;

/// What an SSE-KMS object keeps besides its sealed object key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsRecord {
    /// The KMS key that sealed the data key.
    pub key_id: String,
    /// The data key, sealed by the KMS (opaque).
    pub blob: Vec<u8>,
    /// The caller's encryption context (the store adds `aws:s3:arn` when it calls the KMS).
    pub context: BTreeMap<String, String>,
    /// Whether the data key is the bucket's S3 Bucket Key, shared by many objects.
    pub bucket_key: bool,
}

/// How an object is encrypted, as read from its `internal` map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// SSE-S3 or SSE-C.
    pub mode: SseMode,
    /// The sealed object key's bytes.
    pub sealed_key: Vec<u8>,
    /// SSE-C: the customer key's MD5, base64.
    pub customer_key_md5: Option<String>,
    /// SSE-KMS: the KMS's part.
    pub kms: Option<KmsRecord>,
    /// SSE-C: whether the checksums are sealed values.
    pub checksums_sealed: bool,
    /// The remote tier whose move sealed a plaintext object.
    pub tier: Option<String>,
}

impl Record {
    /// The entries to store for an object key sealed as `sealed` in `mode`, with the
    /// customer key's MD5 (SSE-C) or the KMS's part (SSE-KMS).
    pub fn entries(
        mode: SseMode,
        sealed: &SealedKey,
        customer_key_md5: Option<&str>,
        kms: Option<&KmsRecord>,
    ) -> Internal {
        let mut internal = Internal::new();
        let name = match mode {
            SseMode::Customer => CUSTOMER,
            SseMode::Kms => KMS,
            _ => S3,
        };
        internal.insert(MODE.into(), name.into());
        internal.insert(SEALED_KEY.into(), STANDARD.encode(sealed.as_bytes()));
        internal.insert(FORMAT.into(), strata_crypt::FORMAT_VERSION.to_string());
        if let Some(md5) = customer_key_md5 {
            internal.insert(CUSTOMER_KEY_MD5.into(), md5.into());
        }
        if mode == SseMode::Customer {
            internal.insert(CHECKSUMS.into(), SEALED.into());
        }
        if let Some(kms) = kms {
            internal.insert(KMS_KEY_ID.into(), kms.key_id.clone());
            internal.insert(KMS_BLOB.into(), STANDARD.encode(&kms.blob));
            if !kms.context.is_empty() {
                let json = serde_json::to_string(&kms.context).unwrap_or_default();
                internal.insert(KMS_CONTEXT.into(), json);
            }
            if kms.bucket_key {
                internal.insert(KMS_BUCKET_KEY.into(), "true".into());
            }
        }
        internal
    }

    /// The entry that marks an SSE-KMS record as a tier's seal of a plaintext object.
    pub fn tier_entry(tier: &str) -> (String, String) {
        (TIER.into(), tier.into())
    }

    /// The change that replaces an SSE-KMS object's blob `old` with `new` (the same data key
    /// sealed again): entries that must still hold, and entries to set.
    pub fn blob_change(old: &[u8], new: &[u8]) -> (Entries, Entries) {
        (
            vec![(KMS_BLOB.into(), STANDARD.encode(old))],
            vec![(KMS_BLOB.into(), STANDARD.encode(new))],
        )
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
            KMS => SseMode::Kms,
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
        let kms = match mode {
            SseMode::Kms => Some(KmsRecord {
                key_id: internal
                    .get(KMS_KEY_ID)
                    .cloned()
                    .ok_or_else(|| damaged("no KMS key id"))?,
                blob: internal
                    .get(KMS_BLOB)
                    .and_then(|b| STANDARD.decode(b).ok())
                    .ok_or_else(|| damaged("no KMS blob"))?,
                context: match internal.get(KMS_CONTEXT) {
                    None => BTreeMap::new(),
                    Some(json) => serde_json::from_str(json)
                        .map_err(|_| damaged("unreadable encryption context"))?,
                },
                bucket_key: internal.get(KMS_BUCKET_KEY).map(String::as_str) == Some("true"),
            }),
            _ => None,
        };
        let checksums_sealed = match internal.get(CHECKSUMS).map(String::as_str) {
            None => false,
            Some(SEALED) if mode == SseMode::Customer => true,
            Some(other) => return Err(damaged(&format!("checksums {other}"))),
        };
        let tier = internal.get(TIER).cloned();
        if tier.is_some() && mode != SseMode::Kms {
            return Err(damaged("a tier seal that is not SSE-KMS"));
        }
        Ok(Some(Record {
            mode,
            sealed_key,
            customer_key_md5,
            kms,
            checksums_sealed,
            tier,
        }))
    }

    /// The response headers that describe this record (`describe`); an SSE-KMS key id is
    /// answered as `key_arn_prefix` followed by the id (AWS answers the key's ARN).
    pub fn headers(&self, key_arn_prefix: &str) -> Vec<(String, String)> {
        if self.tier.is_some() {
            // The client wrote plaintext: the tier's seal is strata's business.
            return Vec::new();
        }
        match (&self.mode, &self.customer_key_md5, &self.kms) {
            (SseMode::Customer, Some(md5), _) => vec![
                (
                    "x-amz-server-side-encryption-customer-algorithm".into(),
                    S3.into(),
                ),
                (
                    "x-amz-server-side-encryption-customer-key-md5".into(),
                    md5.clone(),
                ),
            ],
            (SseMode::Kms, _, Some(kms)) => {
                let mut out = vec![
                    ("x-amz-server-side-encryption".into(), KMS.into()),
                    (
                        "x-amz-server-side-encryption-aws-kms-key-id".into(),
                        format!("{key_arn_prefix}{}", kms.key_id),
                    ),
                ];
                if kms.bucket_key {
                    out.push((
                        "x-amz-server-side-encryption-bucket-key-enabled".into(),
                        "true".into(),
                    ));
                }
                if !kms.context.is_empty() {
                    let json = serde_json::to_string(&kms.context).unwrap_or_default();
                    out.push((
                        "x-amz-server-side-encryption-context".into(),
                        STANDARD.encode(json),
                    ));
                }
                out
            }
            _ => vec![("x-amz-server-side-encryption".into(), S3.into())],
        }
    }
}
