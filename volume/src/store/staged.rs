//! Shards written but not yet part of any object: the first half of a put or an upload-part.
//!
//! Splitting a write in two lets the caller look at what it sent (a verified body's checksums,
//! a transform's output) between the bytes and the commit, without the store calling back into
//! it. The store still owns the order: only staged data can be committed, and dropping it
//! unused removes its shard files.

use std::sync::Arc;

use crate::object::write::Written;
use crate::set::ErasureSet;

/// Data of one object or part, durable on a write quorum of its class, referenced by nothing.
pub struct StagedData {
    pub(super) bucket: String,
    pub(super) key: String,
    pub(super) set: Arc<ErasureSet>,
    pub(super) rotation: usize,
    /// `None` once handed to a commit.
    written: Option<Written>,
}

impl StagedData {
    pub(super) fn new(
        bucket: &str,
        key: &str,
        set: Arc<ErasureSet>,
        rotation: usize,
        written: Written,
    ) -> Self {
        StagedData {
            bucket: bucket.to_string(),
            key: key.to_string(),
            set,
            rotation,
            written: Some(written),
        }
    }

    /// Bytes stored.
    pub fn len(&self) -> u64 {
        self.written.as_ref().map_or(0, |w| w.size)
    }

    /// Whether no byte was stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// MD5 of the stored bytes (the ETag when they are the client's bytes); `None` when
    /// staged with [`crate::EtagBy::Caller`].
    pub fn md5(&self) -> Option<[u8; 16]> {
        self.written.as_ref().and_then(|w| w.md5)
    }

    /// Whether the bytes are kept in the metadata index rather than in shard files (small
    /// objects of the namespace class); such data can only become a whole object.
    pub fn is_inline(&self) -> bool {
        self.written.as_ref().is_some_and(|w| w.inline.is_some())
    }

    /// The storage class holding the shards.
    pub fn class(&self) -> &str {
        &self.set.name
    }

    /// Hands the shards to a commit, which from now on owns their removal on failure.
    pub(super) fn take(mut self) -> (Arc<ErasureSet>, usize, Written) {
        let written = self.written.take().unwrap_or_else(Written::nothing);
        (self.set.clone(), self.rotation, written)
    }
}

impl Drop for StagedData {
    fn drop(&mut self) {
        if let Some(w) = self.written.take() {
            w.discard(&self.set);
        }
    }
}

impl std::fmt::Debug for StagedData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedData")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("class", &self.set.name)
            .field("len", &self.len())
            .finish()
    }
}
