//! `Sse`: the body transform of server-side encryption (SSE-S3 and SSE-C) over the
//! `strata-crypt` format.

use std::ops::Range;

use async_trait::async_trait;
use http::HeaderMap;
use strata_crypt::{
    open_key, seal_key, split_range, stored_size, Cipher, Kek, KeyBinding, ObjectKey, RangePlan,
    Sealer, SseMode, WHOLE_OBJECT,
};
use strata_volume::ObjectInfo;

use super::codec::{OpenCodec, SealCodec, Segment};
use super::headers::{self, customer_key, requested, Requested, COPY_SOURCE_CUSTOMER, CUSTOMER};
use super::record::Record;
use crate::transform::{BodyTransform, Codec, Internal, ReadPlan, Target, TransformError};

/// Server-side encryption: SSE-S3 under the store's key-encryption key (held in memory
/// since start), SSE-C under the request's key, or plaintext when neither is asked for and
/// the default is off. Objects without an encryption record read as plaintext.
pub struct Sse {
    s3_kek: Kek,
    encrypt_by_default: bool,
    cipher: Cipher,
}

impl std::fmt::Debug for Sse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sse")
            .field("encrypt_by_default", &self.encrypt_by_default)
            .field("cipher", &self.cipher)
            .finish_non_exhaustive()
    }
}

const NEEDS_KEY: &str = "The object was stored using a form of Server Side Encryption. The \
                         correct parameters must be provided to retrieve the object.";
const NOT_APPLICABLE: &str = "The encryption parameters are not applicable to this object.";

fn random_failed() -> TransformError {
    TransformError::Damaged("the random generator failed".into())
}

impl Sse {
    /// SSE with the SSE-S3 key `s3_kek`; new objects without encryption headers are SSE-S3
    /// when `encrypt_by_default`, plaintext otherwise. Streams use the CPU's preferred cipher.
    pub fn new(s3_kek: Kek, encrypt_by_default: bool) -> Self {
        Sse {
            s3_kek,
            encrypt_by_default,
            cipher: Cipher::preferred(),
        }
    }

    /// The SSE-C prefix that names the key of the object a request reads: a copy's source
    /// key travels in the copy-source headers.
    fn read_prefix(headers: &HeaderMap) -> &'static str {
        if headers.contains_key("x-amz-copy-source") {
            COPY_SOURCE_CUSTOMER
        } else {
            CUSTOMER
        }
    }

    /// The object key of an object stored as `record`, opened with the SSE-S3 key or the
    /// customer's key named by the headers under `prefix`.
    fn object_key(
        &self,
        record: &Record,
        bucket: &str,
        object: &str,
        headers: &HeaderMap,
        prefix: &str,
    ) -> Result<ObjectKey, TransformError> {
        let given = customer_key(headers, prefix)?;
        let binding = KeyBinding {
            bucket,
            object,
            mode: record.mode,
        };
        match (record.mode, given) {
            (SseMode::Customer, None) => Err(TransformError::Invalid(NEEDS_KEY.into())),
            (SseMode::Customer, Some(key)) => {
                if record.customer_key_md5.as_deref() != Some(key.md5.as_str()) {
                    return Err(TransformError::Denied(
                        "The provided encryption key does not match the object's key.".into(),
                    ));
                }
                open_key(&key.kek, &record.sealed_key, &binding).map_err(|_| {
                    TransformError::Denied(
                        "The provided encryption key does not open the object.".into(),
                    )
                })
            }
            (_, Some(_)) => Err(TransformError::Invalid(NOT_APPLICABLE.into())),
            (_, None) => open_key(&self.s3_kek, &record.sealed_key, &binding)
                .map_err(|e| TransformError::Damaged(format!("the object's key: {e}"))),
        }
    }

    /// The object key of `info` for a read; `None` for a plaintext object.
    fn read_key(
        &self,
        info: &ObjectInfo,
        headers: &HeaderMap,
    ) -> Result<Option<ObjectKey>, TransformError> {
        let prefix = Self::read_prefix(headers);
        match Record::read(&info.internal)? {
            Some(record) => self
                .object_key(&record, &info.bucket, &info.key, headers, prefix)
                .map(Some),
            None if customer_key(headers, prefix)?.is_some() => {
                Err(TransformError::Invalid(NOT_APPLICABLE.into()))
            }
            None => Ok(None),
        }
    }

    fn seal_new(
        &self,
        target: Target<'_>,
        mode: SseMode,
        kek: &Kek,
        customer_key_md5: Option<&str>,
    ) -> Result<Internal, TransformError> {
        let key = ObjectKey::generate().ok_or_else(random_failed)?;
        let binding = KeyBinding {
            bucket: target.bucket,
            object: target.key,
            mode,
        };
        let sealed = seal_key(kek, &key, &binding)
            .map_err(|e| TransformError::Invalid(format!("sealing the object's key: {e}")))?;
        Ok(Record::entries(mode, &sealed, customer_key_md5))
    }
}

/// Each stream of an object: its number, plaintext size and stored size.
fn streams_of(info: &ObjectInfo) -> Result<Vec<(u32, u64, u64)>, TransformError> {
    let streams: Vec<(u32, u64, u64)> = if info.parts.is_empty() {
        vec![(WHOLE_OBJECT, info.size, info.stored_size)]
    } else {
        info.parts
            .iter()
            .map(|p| (p.part_number, p.size, p.stored_size))
            .collect()
    };
    for &(stream, size, stored) in &streams {
        if stored_size(size).ok() != Some(stored) {
            return Err(TransformError::Damaged(format!(
                "stream {stream}: {stored} stored bytes cannot hold {size} bytes"
            )));
        }
    }
    Ok(streams)
}

#[async_trait]
impl BodyTransform for Sse {
    fn check(&self, headers: &HeaderMap, confidential: bool) -> Result<(), TransformError> {
        headers::check(headers, confidential)
    }

    async fn seal(
        &self,
        target: Target<'_>,
        headers: &HeaderMap,
    ) -> Result<Internal, TransformError> {
        match requested(headers)? {
            Requested::Default if !self.encrypt_by_default => Ok(Internal::new()),
            Requested::Default | Requested::S3 => {
                self.seal_new(target, SseMode::S3, &self.s3_kek, None)
            }
            Requested::Customer(key) => {
                self.seal_new(target, SseMode::Customer, &key.kek, Some(&key.md5))
            }
        }
    }

    async fn encoder(
        &self,
        target: Target<'_>,
        internal: &Internal,
        headers: &HeaderMap,
    ) -> Result<Option<Box<dyn Codec>>, TransformError> {
        let Some(record) = Record::read(internal)? else {
            if customer_key(headers, CUSTOMER)?.is_some() {
                return Err(TransformError::Invalid(NOT_APPLICABLE.into()));
            }
            return Ok(None);
        };
        let key = self.object_key(&record, target.bucket, target.key, headers, CUSTOMER)?;
        let stream = target.part.unwrap_or(WHOLE_OBJECT);
        let sealer = Sealer::new(&key, stream, self.cipher).map_err(|_| random_failed())?;
        Ok(Some(Box::new(SealCodec::new(sealer))))
    }

    fn etag(&self, internal: &Internal, md5: &[u8]) -> String {
        match Record::read(internal) {
            // As on AWS, an SSE-C object's ETag is not the MD5 of its plaintext.
            Ok(Some(record)) if record.mode == SseMode::Customer => {
                hex::encode(rand::random::<[u8; 16]>())
            }
            _ => hex::encode(md5),
        }
    }

    async fn admit(&self, info: &ObjectInfo, headers: &HeaderMap) -> Result<(), TransformError> {
        self.read_key(info, headers).map(|_| ())
    }

    fn stored_len(&self, internal: &Internal, len: u64) -> u64 {
        match Record::read(internal) {
            Ok(Some(_)) => stored_size(len).unwrap_or(u64::MAX),
            _ => len,
        }
    }

    async fn reader(
        &self,
        info: &ObjectInfo,
        span: Range<u64>,
        headers: &HeaderMap,
    ) -> Result<ReadPlan, TransformError> {
        let Some(key) = self.read_key(info, headers)? else {
            return Ok(ReadPlan {
                stored: span,
                decoder: None,
                skip: 0,
            });
        };
        if span.is_empty() {
            return Ok(ReadPlan {
                stored: 0..0,
                decoder: None,
                skip: 0,
            });
        }
        let streams = streams_of(info)?;
        let sizes: Vec<u64> = streams.iter().map(|s| s.1).collect();
        let pieces =
            split_range(&sizes, span).map_err(|e| TransformError::Invalid(e.to_string()))?;
        // Where each stream starts in the object's stored bytes.
        let mut starts = Vec::with_capacity(streams.len());
        let mut at = 0u64;
        for s in &streams {
            starts.push(at);
            at += s.2;
        }
        let mut segments = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            let (stream, size, _) = streams[piece.index];
            let plan = RangePlan::new(size, piece.range.clone())
                .map_err(|e| TransformError::Invalid(e.to_string()))?;
            segments.push(Segment { stream, plan });
        }
        let (first, last) = match (pieces.first(), pieces.last(), segments.last()) {
            (Some(first), Some(last), Some(segment)) => (
                starts[first.index],
                starts[last.index] + segment.stored_len(),
            ),
            _ => return Err(TransformError::Invalid("an empty range".into())),
        };
        Ok(ReadPlan {
            stored: first..last,
            decoder: Some(Box::new(OpenCodec::new(key, segments))),
            skip: 0,
        })
    }

    fn describe(&self, internal: &Internal) -> Vec<(String, String)> {
        match Record::read(internal) {
            Ok(Some(record)) => record.headers(),
            _ => Vec::new(),
        }
    }
}
