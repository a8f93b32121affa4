//! The re-seal's progress: one record in the store's `iam` table (`reseal` NUL `job`,
//! docs/IAM-STORE.md), written after every page of the walk, so that a walk cut off by a
//! crash goes on after the last version it finished.

use serde::{Deserialize, Serialize};
use strata_volume::{IamWrite, Store};

use crate::iam::{decode, encode, IamError, Kind};

/// Where the walk stands: it goes on after this version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The version id (`null` for the null version).
    pub version_id: String,
}

/// A walk's record, as stored and as `GET /strata/admin/reseal` reports it (with `state`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// When the walk began, ns since the epoch.
    pub started_ns: u64,
    /// When it finished, ns; absent while unfinished (running, failed, or cut off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_ns: Option<u64>,
    /// The last version finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// The SSE-S3 key file: `resealed`, `moved-to-transit` or `current`; absent until it is
    /// done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_s3_key: Option<String>,
    /// Versions and multipart uploads in progress looked at (delete markers are not).
    pub examined: u64,
    /// SSE-KMS ones whose data key was sealed again.
    pub resealed: u64,
    /// SSE-KMS ones already sealed under their key's current version.
    pub current: u64,
    /// Ones replaced, deleted, completed or aborted while the walk ran (nothing to do).
    pub replaced: u64,
    /// SSE-KMS ones whose data key could not be sealed again (`last_error` says why).
    pub failed: u64,
    /// The last failure, or why the walk stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

fn key() -> Vec<u8> {
    Kind::Reseal.key(&["job"])
}

impl Progress {
    /// The stored record, if a walk ever began.
    pub async fn load(store: &Store) -> Result<Option<Progress>, IamError> {
        match store.iam_get(&key()).await.map_err(IamError::from)? {
            Some(bytes) => Ok(Some(decode("reseal/job", &bytes)?)),
            None => Ok(None),
        }
    }

    /// Stores this record.
    pub async fn save(&self, store: &Store) -> Result<(), IamError> {
        let write = IamWrite::Put {
            key: key(),
            value: encode(self),
        };
        store.iam_write(vec![write]).await.map_err(IamError::from)
    }
}

/// What `GET /strata/admin/reseal` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResealStatus {
    /// `idle` (never run), `running`, `finished`, or `stopped` (failed or cut off: `POST`
    /// goes on from `position`).
    pub state: &'static str,
    /// The walk's record (absent when idle).
    #[serde(flatten)]
    pub progress: Option<Progress>,
    /// What the scanner's routine passes re-sealed since start.
    pub scanner: super::ScanResealCounts,
}
