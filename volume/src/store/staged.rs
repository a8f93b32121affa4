//! Bytes written but not yet part of any object: the first half of a put or an upload-part.
//!
//! Splitting a write in two lets the caller look at what it sent (a verified body's checksums,
//! a transform's output) between the bytes and the commit, without the store calling back into
//! it. The store still owns the order: only staged data can be committed, and dropping it
//! unused removes its shard files (or queues its remote object for deletion).

use std::sync::Arc;

use super::stage_remote::RemoteStaged;
use crate::object::write::Written;
use crate::set::ErasureSet;

/// Data of one object or part, durable on a write quorum of its class (or written to a
/// remote tier), referenced by nothing.
pub struct StagedData {
    pub(super) bucket: String,
    pub(super) key: String,
    /// `None` once handed to a commit.
    held: Option<Held>,
}

/// Where staged bytes are.
pub(super) enum Held {
    /// Shard files (or inline shards) of an erasure set, with the key's rotation.
    Shards {
        set: Arc<ErasureSet>,
        rotation: usize,
        written: Written,
    },
    /// One object on a remote tier.
    Remote(RemoteStaged),
}

impl StagedData {
    pub(super) fn new(
        bucket: &str,
        key: &str,
        set: Arc<ErasureSet>,
        rotation: usize,
        written: Written,
    ) -> Self {
        Self::holding(
            bucket,
            key,
            Held::Shards {
                set,
                rotation,
                written,
            },
        )
    }

    pub(super) fn holding(bucket: &str, key: &str, held: Held) -> Self {
        StagedData {
            bucket: bucket.to_string(),
            key: key.to_string(),
            held: Some(held),
        }
    }

    /// Bytes stored.
    pub fn len(&self) -> u64 {
        match &self.held {
            Some(Held::Shards { written, .. }) => written.size,
            Some(Held::Remote(r)) => r.data.size,
            None => 0,
        }
    }

    /// Whether no byte was stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// MD5 of the stored bytes (the ETag when they are the client's bytes); `None` when
    /// staged with [`crate::EtagBy::Caller`].
    pub fn md5(&self) -> Option<[u8; 16]> {
        match &self.held {
            Some(Held::Shards { written, .. }) => written.md5,
            Some(Held::Remote(r)) => r.md5,
            None => None,
        }
    }

    /// Whether the bytes are kept in the metadata index rather than in shard files (small
    /// objects of the namespace class); such data can only become a whole object.
    pub fn is_inline(&self) -> bool {
        matches!(&self.held, Some(Held::Shards { written, .. }) if written.inline.is_some())
    }

    /// The storage class (or remote tier) holding the bytes.
    pub fn class(&self) -> &str {
        match &self.held {
            Some(Held::Shards { set, .. }) => &set.name,
            Some(Held::Remote(r)) => &r.data.tier,
            None => "",
        }
    }

    /// Hands the bytes to a commit, which from now on owns their removal on failure.
    pub(super) fn take(mut self) -> Option<Held> {
        self.held.take()
    }
}

impl Drop for StagedData {
    fn drop(&mut self) {
        match self.held.take() {
            Some(Held::Shards { set, written, .. }) => written.discard(&set),
            // Dropping it unkept queues the remote object for deletion.
            Some(Held::Remote(r)) => drop(r),
            None => {}
        }
    }
}

impl std::fmt::Debug for StagedData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedData")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("class", &self.class())
            .field("len", &self.len())
            .finish()
    }
}
