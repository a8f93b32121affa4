//! strata-volume: where strata's bytes live.
//!
//! A [`Store`] spreads objects over storage classes. Each class is one erasure set over its
//! volumes (directories: in Kubernetes, PersistentVolume mounts) with a scheme of its own
//! (`k+m` Reed-Solomon, mirror, or none). Every shard block carries an XXH3-128 hash checked
//! on every read; a bad or missing shard is rebuilt from parity on the fly and reported for
//! healing. Object metadata lives in a crash-safe redb index on each volume of the first
//! (namespace) class; small objects live inline in it. A write is acknowledged only once its
//! shards and its metadata are fsynced on a write quorum. The on-disk format is described in
//! `volume/FORMAT.md`.
//!
//! This crate knows nothing of HTTP, authentication or encryption policy.

// Unsafe only where SIMD intrinsics need it (`etag/x8.rs`, which allows it for itself).
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod disk;
mod erasure;
mod error;
mod etag;
mod heal;
mod index_error;
mod keys;
mod locks;
mod object;
mod pace;
mod record;
mod set;
mod status;
mod store;
mod tier;
mod types;
mod validate;

pub use config::{
    ClassConfig, Scheme, StoreConfig, DEFAULT_COMMIT_BATCH, DEFAULT_IDLE_RELEASE,
    DEFAULT_INLINE_LIMIT, DEFAULT_MAX_OBJECT_SIZE, DEFAULT_META_CACHE_PER_VOLUME,
    DEFAULT_MIN_PART_SIZE, DEFAULT_RECLAIM_DEFER_BYTES, DEFAULT_RESERVE_BYTES,
};
pub use erasure::engine::ShardEngine;
pub use erasure::layout::BLOCK_SIZE;
pub use error::{Error, Fault, IndexError, Invalid, Refusal, Result, Unavailable, WriteError};
pub use etag::Md5Stream;
pub use object::body::ObjectBody;
pub use status::{spare_write_buffers, ClassReadHealth, ReadHealth, Space, VolumeStatus};
pub use store::{
    IamWrite, Maintenance, Restored, ScanHook, ScanStart, StagedData, Store, StoredObject,
    TierMove, Transitioned, UploadVerdict,
};
pub use tier::{Remote, RemoteError, RemoteStream, RemoteTier, TierStats};
pub use types::*;
pub use validate::{
    bucket_name as validate_bucket_name, object_key as validate_object_key, MAX_KEY_LEN,
};

/// Format constants and helpers shared with tests and tools that inspect volumes.
pub mod format {
    pub use crate::disk::format::{FORMAT_FILE, FORMAT_VERSION, STRATA_DIR};
}
