//! `Sse`: the body transform of server-side encryption (SSE-S3, SSE-KMS and SSE-C) over
//! the `strata-crypt` format.

use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderMap;
use strata_crypt::{
    open_key, seal_key, split_range, stored_size, Cipher, Kek, KeyBinding, ObjectKey, RangePlan,
    Sealer, SseMode, HEADER_LEN, WHOLE_OBJECT,
};
use strata_volume::{Checksums, ObjectInfo, BLOCK_SIZE};

use super::checksums;
use super::codec::{OpenCodec, SealCodec, Segment};
use super::headers::{
    self, customer_key, requested, KmsRequest, Requested, BUCKET_KEY, COPY_SOURCE_CUSTOMER,
    CUSTOMER,
};
use super::kms_keys::{KmsChoice, KmsKeys};
use super::record::{KmsRecord, Record};
use super::{BucketEncryption, DefaultAlgorithm};
use crate::transform::{
    BodyTransform, ClientEtag, Codec, Internal, ReadPlan, Target, TransformError,
};

/// Server-side encryption: SSE-S3 under the store's key-encryption key (held in memory
/// since start), SSE-KMS under a data key from the KMS, SSE-C under the request's key, or
/// plaintext when none is asked for, the bucket has no default and the server's default is
/// off. Objects without an encryption record read as plaintext.
pub struct Sse {
    s3_kek: Kek,
    encrypt_by_default: bool,
    cipher: Cipher,
    kms: Option<Arc<KmsKeys>>,
    key_arn_prefix: String,
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
            kms: None,
            key_arn_prefix: String::new(),
        }
    }

    /// The same, sealing new streams with `cipher` (objects read with whatever sealed them).
    pub fn with_cipher(mut self, cipher: Cipher) -> Self {
        self.cipher = cipher;
        self
    }

    /// The same, answering SSE-KMS key ids as ARNs of `region` and `account` (the server's:
    /// its KMS keys are the root account's), as AWS answers them.
    pub fn with_key_arns(mut self, region: &str, account: &str) -> Self {
        self.key_arn_prefix = format!("arn:aws:kms:{region}:{account}:key/");
        self
    }

    /// The same, with SSE-KMS over `kms` (without it, `aws:kms` is refused as not provided).
    pub fn with_kms(mut self, kms: Arc<KmsKeys>) -> Self {
        self.kms = Some(kms);
        self
    }

    fn kms(&self) -> Result<&KmsKeys, TransformError> {
        self.kms
            .as_deref()
            .ok_or_else(|| TransformError::Unsupported("SSE-KMS without a configured KMS".into()))
    }

    /// How a new object that asked for `asked` is stored, given its bucket's default
    /// encryption (`None`: the bucket has none) and the request's Bucket Key header.
    fn choose(
        &self,
        asked: Requested,
        bucket: Option<&BucketEncryption>,
        bucket_key_header: Option<bool>,
    ) -> Result<Requested, TransformError> {
        let chosen = match asked {
            Requested::Default => match bucket.map(|b| &b.algorithm) {
                Some(DefaultAlgorithm::Aes256) => Requested::S3,
                Some(DefaultAlgorithm::Kms(key_id)) => Requested::Kms(KmsRequest {
                    key_id: key_id.clone(),
                    ..KmsRequest::default()
                }),
                None if self.encrypt_by_default => Requested::S3,
                None => Requested::Default,
            },
            other => other,
        };
        if bucket_key_header == Some(true) && !matches!(chosen, Requested::Kms(_)) {
            return Err(TransformError::BadArgument(format!(
                "{BUCKET_KEY} applies to SSE-KMS objects only"
            )));
        }
        Ok(chosen)
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

    /// The object key of an object stored as `record`, opened with the SSE-S3 key, its
    /// data key from the KMS, or the customer's key named by the headers under `prefix`.
    async fn object_key(
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
        let unopened = |e: strata_crypt::EnvelopeError| {
            TransformError::Damaged(format!("the object's key: {e}"))
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
            (SseMode::Kms, None) => {
                let kms: &KmsRecord = record
                    .kms
                    .as_ref()
                    .ok_or_else(|| TransformError::Damaged("no KMS record".into()))?;
                let kek = self.kms()?.open(bucket, object, kms).await?;
                open_key(&kek, &record.sealed_key, &binding).map_err(unopened)
            }
            (_, None) => open_key(&self.s3_kek, &record.sealed_key, &binding).map_err(unopened),
        }
    }

    /// The object key of `info` for a read; `None` for a plaintext object.
    async fn read_key(
        &self,
        info: &ObjectInfo,
        headers: &HeaderMap,
    ) -> Result<Option<ObjectKey>, TransformError> {
        let prefix = Self::read_prefix(headers);
        match Record::read(&info.internal)? {
            Some(record) => self
                .object_key(&record, &info.bucket, &info.key, headers, prefix)
                .await
                .map(Some),
            None if customer_key(headers, prefix)?.is_some() => {
                Err(TransformError::Invalid(NOT_APPLICABLE.into()))
            }
            None => Ok(None),
        }
    }

    /// The key that seals the checksums of `bucket/object` stored as `internal`, from the
    /// customer's key under `prefix`; `None` when they are stored in clear.
    async fn checksum_key(
        &self,
        bucket: &str,
        object: &str,
        internal: &Internal,
        headers: &HeaderMap,
        prefix: &str,
    ) -> Result<Option<ObjectKey>, TransformError> {
        match Record::read(internal)? {
            Some(record) if record.checksums_sealed => self
                .object_key(&record, bucket, object, headers, prefix)
                .await
                .map(Some),
            _ => Ok(None),
        }
    }

    fn seal_new(
        &self,
        target: Target<'_>,
        mode: SseMode,
        kek: &Kek,
        customer_key_md5: Option<&str>,
        kms: Option<&KmsRecord>,
    ) -> Result<Internal, TransformError> {
        let key = ObjectKey::generate().ok_or_else(random_failed)?;
        let binding = KeyBinding {
            bucket: target.bucket,
            object: target.key,
            mode,
        };
        let sealed = seal_key(kek, &key, &binding)
            .map_err(|e| TransformError::Invalid(format!("sealing the object's key: {e}")))?;
        Ok(Record::entries(mode, &sealed, customer_key_md5, kms))
    }

    /// A new SSE-KMS object: a data key from the KMS (or the bucket's Bucket Key) seals it.
    async fn seal_kms(
        &self,
        target: Target<'_>,
        asked: KmsRequest,
        bucket: Option<&BucketEncryption>,
    ) -> Result<Internal, TransformError> {
        let kms = self.kms()?;
        let choice = KmsChoice {
            key_id: asked
                .key_id
                .unwrap_or_else(|| kms.default_key().to_string()),
            context: asked.context,
            bucket_key: asked
                .bucket_key
                .unwrap_or_else(|| bucket.is_some_and(|b| b.bucket_key)),
        };
        let (kek, record) = kms.data_key(target.bucket, target.key, &choice).await?;
        self.seal_new(target, SseMode::Kms, &kek, None, Some(&record))
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
        bucket: Option<&BucketEncryption>,
    ) -> Result<Internal, TransformError> {
        let asked = requested(headers)?;
        match self.choose(asked, bucket, headers::bucket_key(headers)?)? {
            Requested::Default => Ok(Internal::new()),
            Requested::S3 => self.seal_new(target, SseMode::S3, &self.s3_kek, None, None),
            Requested::Kms(asked) => self.seal_kms(target, asked, bucket).await,
            Requested::Customer(key) => {
                self.seal_new(target, SseMode::Customer, &key.kek, Some(&key.md5), None)
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
        let key = self
            .object_key(&record, target.bucket, target.key, headers, CUSTOMER)
            .await?;
        let stream = target.part.unwrap_or(WHOLE_OBJECT);
        let sealer = Sealer::new(&key, stream, self.cipher).map_err(|_| random_failed())?;
        Ok(Some(Box::new(SealCodec::new(sealer))))
    }

    fn client_etag(&self, internal: &Internal) -> ClientEtag {
        match Record::read(internal) {
            // As on AWS, the ETag of an SSE-C or SSE-KMS object is not the MD5 of its
            // plaintext; a tier's seal answers as the plaintext object it is to the client.
            Ok(Some(record))
                if record.tier.is_none()
                    && matches!(record.mode, SseMode::Customer | SseMode::Kms) =>
            {
                ClientEtag::Opaque
            }
            _ => ClientEtag::Md5,
        }
    }

    async fn admit(&self, info: &ObjectInfo, headers: &HeaderMap) -> Result<(), TransformError> {
        match Record::read(&info.internal)? {
            // A HEAD of an SSE-KMS object needs no key (as on AWS): no KMS call.
            Some(record) if record.mode == SseMode::Kms => {
                match customer_key(headers, Self::read_prefix(headers))? {
                    Some(_) => Err(TransformError::Invalid(NOT_APPLICABLE.into())),
                    None => Ok(()),
                }
            }
            _ => self.read_key(info, headers).await.map(|_| ()),
        }
    }

    async fn seal_checksums(
        &self,
        target: Target<'_>,
        internal: &Internal,
        headers: &HeaderMap,
        sums: Checksums,
    ) -> Result<Checksums, TransformError> {
        if !checksums::any_value(&sums) {
            return Ok(sums);
        }
        // The written object's key: the request's own SSE-C headers (a copy's source key
        // travels in the copy-source ones).
        let (bucket, object) = (target.bucket, target.key);
        match self
            .checksum_key(bucket, object, internal, headers, CUSTOMER)
            .await?
        {
            Some(key) => checksums::seal(&key, sums),
            None => Ok(sums),
        }
    }

    fn checksums_sealed(&self, internal: &Internal) -> bool {
        Record::read(internal)
            .ok()
            .flatten()
            .is_some_and(|r| r.checksums_sealed)
    }

    async fn admit_checksum_reader(
        &self,
        bucket: &str,
        key: &str,
        internal: &Internal,
        headers: &HeaderMap,
    ) -> Result<(), TransformError> {
        let prefix = Self::read_prefix(headers);
        self.checksum_key(bucket, key, internal, headers, prefix)
            .await
            .map(|_| ())
    }

    async fn open_checksums(
        &self,
        bucket: &str,
        key: &str,
        internal: &Internal,
        headers: &HeaderMap,
        sums: Checksums,
    ) -> Result<Checksums, TransformError> {
        if !checksums::any_value(&sums) {
            return Ok(sums);
        }
        let prefix = Self::read_prefix(headers);
        match self
            .checksum_key(bucket, key, internal, headers, prefix)
            .await?
        {
            Some(object_key) => checksums::open(&object_key, sums),
            None => Ok(sums),
        }
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
        let Some(key) = self.read_key(info, headers).await? else {
            return Ok(ReadPlan {
                header: None,
                stored: span,
                decoder: None,
                skip: 0,
            });
        };
        if span.is_empty() {
            return Ok(ReadPlan {
                header: None,
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
        let (first, gap, last) = match (
            pieces.first(),
            pieces.last(),
            segments.first(),
            segments.last(),
        ) {
            (Some(first), Some(last), Some(opened), Some(closed)) => (
                starts[first.index],
                opened.gap(),
                starts[last.index] + closed.stored_len(),
            ),
            _ => return Err(TransformError::Invalid("an empty range".into())),
        };
        // Far into a stream, its header is read apart and the packages before the range not
        // at all: a range at the end of a large object costs what it covers. Within the
        // first erasure block, one read through is cheaper than reading that block twice.
        let header_apart = gap >= BLOCK_SIZE;
        let header = header_apart.then(|| first..first + HEADER_LEN);
        let from = if header_apart {
            first + HEADER_LEN + gap
        } else {
            first
        };
        Ok(ReadPlan {
            header,
            stored: from..last,
            decoder: Some(Box::new(OpenCodec::new(key, segments, header_apart))),
            skip: 0,
        })
    }

    fn default_encryption(&self) -> Option<BucketEncryption> {
        self.encrypt_by_default.then_some(BucketEncryption::SSE_S3)
    }

    fn describe(&self, internal: &Internal) -> Vec<(String, String)> {
        match Record::read(internal) {
            Ok(Some(record)) => record.headers(&self.key_arn_prefix),
            _ => Vec::new(),
        }
    }
}
