//! The transform stage's contract.

use std::collections::BTreeMap;
use std::ops::Range;

use async_trait::async_trait;
use http::HeaderMap;
use strata_volume::{Checksums, ObjectInfo};

use super::sse::BucketEncryption;
use super::{ClientEtag, Codec, TransformError};

/// What a transform keeps with an object so that it can read it back (the store's opaque
/// `internal` map: an encryption's sealed key, algorithm, ...).
pub type Internal = BTreeMap<String, String>;

/// How to read a span of an object's client bytes.
pub struct ReadPlan {
    /// Stored bytes the decoder takes first, read apart from `stored`: an encrypted
    /// stream's header when the span starts far into the stream, so that the bytes between
    /// are not read at all.
    pub header: Option<Range<u64>>,
    /// The stored bytes to read.
    pub stored: Range<u64>,
    /// Turns them back into client bytes; `None` when they are the client's bytes.
    pub decoder: Option<Box<dyn Codec>>,
    /// Decoded bytes before the span (the span may start inside a codec's package).
    pub skip: u64,
}

/// The object a write is for: what a transform binds its parameters to (an encryption's
/// sealed key opens only for this bucket and name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// Bucket.
    pub bucket: &'a str,
    /// Object name.
    pub key: &'a str,
    /// The part number of a multipart upload's part; `None` for an object put in one request.
    pub part: Option<u32>,
}

impl<'a> Target<'a> {
    /// An object put in one request (or an upload, when it is created).
    pub fn object(bucket: &'a str, key: &'a str) -> Self {
        Target {
            bucket,
            key,
            part: None,
        }
    }
}

/// Changes object bytes between the client and the store. Called at the points where a
/// handler writes or reads object data; `check` runs once per request, as its own stage,
/// before the body is read.
#[async_trait]
pub trait BodyTransform: Send + Sync {
    /// Refuses a request whose transform headers this transform does not honour (the answer
    /// must never be a quiet success: an SSE-C key sent to a store without encryption would
    /// otherwise leave the object in plaintext). `confidential` says whether the request
    /// came over TLS or from a local peer (loopback or Unix socket), where secrets such as a
    /// customer's key may travel.
    fn check(&self, headers: &HeaderMap, confidential: bool) -> Result<(), TransformError>;

    /// Decides how a new object or upload `target` (its `part` is `None`) is stored, from
    /// the request and its bucket's default encryption (`None`: the bucket has none): the
    /// parameters to keep with it.
    async fn seal(
        &self,
        target: Target<'_>,
        headers: &HeaderMap,
        bucket: Option<&BucketEncryption>,
    ) -> Result<Internal, TransformError>;

    /// The encoder of `target` (an object or one part) sealed as `internal`; `None` when the
    /// stored bytes are the client's bytes.
    async fn encoder(
        &self,
        target: Target<'_>,
        internal: &Internal,
        headers: &HeaderMap,
    ) -> Result<Option<Box<dyn Codec>>, TransformError>;

    /// How the ETag of client bytes stored as `internal` by a transform that changed them
    /// is made: their MD5 unless the transform must not reveal it.
    fn client_etag(&self, _internal: &Internal) -> ClientEtag {
        ClientEtag::Md5
    }

    /// Refuses a request that may not read `info` (e.g. a HEAD without the key an object
    /// is encrypted with); `reader` makes the same check for reads.
    async fn admit(&self, _info: &ObjectInfo, _headers: &HeaderMap) -> Result<(), TransformError> {
        Ok(())
    }

    /// The checksums to store for the client's `checksums` of a write to `target` stored as
    /// `internal`: sealed where the transform keeps them from the store (SSE-C), else as
    /// given.
    async fn seal_checksums(
        &self,
        _target: Target<'_>,
        _internal: &Internal,
        _headers: &HeaderMap,
        checksums: Checksums,
    ) -> Result<Checksums, TransformError> {
        Ok(checksums)
    }

    /// Whether checksums stored under `internal` are sealed ([`Self::seal_checksums`]).
    fn checksums_sealed(&self, _internal: &Internal) -> bool {
        false
    }

    /// Refuses a reader of `bucket/key`'s checksums, stored as `internal`, whose `headers`
    /// cannot open them (checked before a write whose answer reports them).
    async fn admit_checksum_reader(
        &self,
        _bucket: &str,
        _key: &str,
        _internal: &Internal,
        _headers: &HeaderMap,
    ) -> Result<(), TransformError> {
        Ok(())
    }

    /// Stored `checksums` of `bucket/key` (a version, one of its parts, or an upload's part)
    /// stored as `internal`, opened for a reader whose `headers` carry what that needs (the
    /// customer's key); as stored where they are in clear.
    async fn open_checksums(
        &self,
        _bucket: &str,
        _key: &str,
        _internal: &Internal,
        _headers: &HeaderMap,
        checksums: Checksums,
    ) -> Result<Checksums, TransformError> {
        Ok(checksums)
    }

    /// `info` with its checksums and its parts' opened ([`Self::open_checksums`]); `None`
    /// when they are in clear (the caller goes on with `info`, nothing copied).
    async fn opened_checksums(
        &self,
        info: &ObjectInfo,
        headers: &HeaderMap,
    ) -> Result<Option<ObjectInfo>, TransformError> {
        if !self.checksums_sealed(&info.internal) {
            return Ok(None);
        }
        let (bucket, key, internal) = (&info.bucket, &info.key, &info.internal);
        let mut opened = info.clone();
        opened.checksums = self
            .open_checksums(bucket, key, internal, headers, info.checksums.clone())
            .await?;
        for part in &mut opened.parts {
            let stored = std::mem::take(&mut part.checksums);
            part.checksums = self
                .open_checksums(bucket, key, internal, headers, stored)
                .await?;
        }
        Ok(Some(opened))
    }

    /// How many bytes `len` client bytes of one part take in the store.
    fn stored_len(&self, internal: &Internal, len: u64) -> u64;

    /// How to read client bytes `span` of `info` (ranges and parts already resolved in
    /// client bytes).
    async fn reader(
        &self,
        info: &ObjectInfo,
        span: Range<u64>,
        headers: &HeaderMap,
    ) -> Result<ReadPlan, TransformError>;

    /// The default encryption of a bucket that has none of its own (GetBucketEncryption):
    /// `None` when new objects are stored as sent.
    fn default_encryption(&self) -> Option<BucketEncryption> {
        None
    }

    /// Headers that describe how an object sealed as `internal` is stored, sent with every
    /// write and read of it (`x-amz-server-side-encryption`, ...).
    fn describe(&self, internal: &Internal) -> Vec<(String, String)>;
}
