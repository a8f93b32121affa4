//! The transform stage's contract.

use std::collections::BTreeMap;
use std::ops::Range;

use async_trait::async_trait;
use http::HeaderMap;
use strata_volume::ObjectInfo;

use super::{Codec, TransformError};

/// What a transform keeps with an object so that it can read it back (the store's opaque
/// `internal` map: an encryption's sealed key, algorithm, ...).
pub type Internal = BTreeMap<String, String>;

/// How to read a span of an object's client bytes.
pub struct ReadPlan {
    /// The stored bytes to read.
    pub stored: Range<u64>,
    /// Turns them back into client bytes; `None` when they are the client's bytes.
    pub decoder: Option<Box<dyn Codec>>,
    /// Decoded bytes before the span (the span may start inside a codec's package).
    pub skip: u64,
}

/// Changes object bytes between the client and the store. Called at the points where a
/// handler writes or reads object data; `check` runs once per request, as its own stage,
/// before the body is read.
#[async_trait]
pub trait BodyTransform: Send + Sync {
    /// Refuses a request whose transform headers this transform does not honour (the answer
    /// must never be a quiet success: an SSE-C key sent to a store without encryption would
    /// otherwise leave the object in plaintext).
    fn check(&self, headers: &HeaderMap) -> Result<(), TransformError>;

    /// Decides how a new object or upload is stored, from the request: the parameters to
    /// keep with it.
    async fn seal(&self, headers: &HeaderMap) -> Result<Internal, TransformError>;

    /// The encoder of part `part` (1 for a single put) of an object sealed as `internal`;
    /// `None` when the stored bytes are the client's bytes.
    async fn encoder(
        &self,
        internal: &Internal,
        part: u32,
        headers: &HeaderMap,
    ) -> Result<Option<Box<dyn Codec>>, TransformError>;

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

    /// Headers that describe how an object sealed as `internal` is stored, sent with every
    /// write and read of it (`x-amz-server-side-encryption`, ...).
    fn describe(&self, internal: &Internal) -> Vec<(String, String)>;
}
