//! Re-sealing riding the scanner's pass (the store's `ScanHook`): after a KMS key rotates,
//! every routine pass seals the SSE-S3 key file and each SSE-KMS data key it meets (of
//! versions and of uploads in progress) again under its key's current version, at the
//! scanner's pace, with no operator's `strata admin reseal` needed (which does the same at
//! once). A KMS that is down or refuses ends the re-seals of that pass (one warning, not a
//! timeout per object); the next pass tries again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use futures::future::BoxFuture;
use serde::Serialize;
use strata_volume::{ObjectInfo, ScanHook, UploadInfo};

use super::job::{reseal_s3_key, ResealParts};
use crate::transform::sse::{ObjectReseal, Resealer};
use crate::transform::{Internal, TransformError};

/// What the scanner's passes re-sealed since start (`GET /strata/admin/reseal`, `scanner`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanResealCounts {
    /// Data keys sealed again.
    pub resealed: u64,
    /// Versions and uploads whose re-seal failed (the next pass tries again).
    pub failed: u64,
    /// What the last pass did with the SSE-S3 key file: `resealed`, `moved-to-transit` or
    /// `current` (absent before the first pass, or when it failed: see `last_error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sse_s3_key: Option<String>,
    /// The last failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The hook.
pub struct ResealOnScan {
    parts: ResealParts,
    /// This pass's current key versions and blobs sealed again; made when a pass begins
    /// (making it drops the S3 Bucket Keys held in memory, as a walk does).
    pass: tokio::sync::Mutex<Option<Resealer>>,
    /// Set when the KMS failed in this pass: the rest of the pass leaves re-seals alone.
    kms_failed: AtomicBool,
    resealed: AtomicU64,
    counts: Mutex<ScanResealCounts>,
}

/// What a re-sealed data key is written into.
enum Holder<'a> {
    /// A version (its S3 version id).
    Version(&'a str),
    /// An upload in progress (its id).
    Upload(&'a str),
}

impl ResealOnScan {
    /// The hook over the re-seal's `parts`.
    pub fn new(parts: ResealParts) -> Self {
        ResealOnScan {
            parts,
            pass: tokio::sync::Mutex::new(None),
            kms_failed: AtomicBool::new(false),
            resealed: AtomicU64::new(0),
            counts: Mutex::new(ScanResealCounts::default()),
        }
    }

    /// What the passes did since start.
    pub fn counts(&self) -> ScanResealCounts {
        ScanResealCounts {
            resealed: self.resealed.load(Ordering::Relaxed),
            ..lock(&self.counts).clone()
        }
    }

    async fn begin(&self) {
        self.kms_failed.store(false, Ordering::Relaxed);
        *self.pass.lock().await = Some(Resealer::new(self.parts.keys.clone()));
        match reseal_s3_key(&self.parts).await {
            Ok(done) => lock(&self.counts).sse_s3_key = Some(done),
            Err(why) => {
                lock(&self.counts).sse_s3_key = None;
                self.failed(why);
            }
        }
    }

    /// Seals the data key of `internal` (of `bucket/key`, held by `holder`) again if it needs
    /// it.
    async fn reseal(&self, bucket: &str, key: &str, internal: &Internal, holder: Holder<'_>) {
        if self.kms_failed.load(Ordering::Relaxed) {
            return;
        }
        let mut pass = self.pass.lock().await;
        let resealer = pass.get_or_insert_with(|| Resealer::new(self.parts.keys.clone()));
        let what = match holder {
            Holder::Version(v) => format!("{bucket}/{key} ({v})"),
            Holder::Upload(id) => format!("{bucket}/{key} (upload {id})"),
        };
        let (expect, set) = match resealer.object(bucket, key, internal).await {
            Ok(ObjectReseal::NotKms | ObjectReseal::Current) => return,
            Ok(ObjectReseal::Change { expect, set }) => (expect, set),
            Err(e @ (TransformError::KmsUnavailable(_) | TransformError::Denied(_))) => {
                tracing::warn!(object = %what, error = %e, "scanner re-seal: the KMS failed; no more re-seals this pass");
                self.kms_failed.store(true, Ordering::Relaxed);
                return self.failed(format!("{what}: {e}"));
            }
            Err(e) => return self.failed(format!("{what}: {e}")),
        };
        let store = &self.parts.store;
        let written = match holder {
            Holder::Version(v) => store.set_object_internal(bucket, key, v, expect, set).await,
            Holder::Upload(id) => {
                store
                    .set_upload_internal(bucket, key, id, expect, set)
                    .await
            }
        };
        match written {
            Ok(true) => {
                self.resealed.fetch_add(1, Ordering::Relaxed);
            }
            // Replaced, completed or removed meanwhile: nothing of it is left to re-seal.
            Ok(false) => {}
            Err(e) => self.failed(format!("writing {what}: {e}")),
        }
    }

    fn failed(&self, why: String) {
        tracing::debug!(error = %why, "scanner re-seal failed");
        let mut c = lock(&self.counts);
        c.failed += 1;
        c.last_error = Some(why);
    }
}

impl ScanHook for ResealOnScan {
    fn begin_pass(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.begin())
    }

    fn visit_upload<'a>(&'a self, bucket: &'a str, upload: &'a UploadInfo) -> BoxFuture<'a, ()> {
        let holder = Holder::Upload(&upload.upload_id);
        Box::pin(self.reseal(bucket, &upload.key, &upload.internal, holder))
    }

    fn visit<'a>(&'a self, info: &'a ObjectInfo) -> BoxFuture<'a, ()> {
        if info.delete_marker {
            return Box::pin(async {});
        }
        let holder = Holder::Version(&info.version_id);
        Box::pin(self.reseal(&info.bucket, &info.key, &info.internal, holder))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Each update is whole: a poisoned lock still holds a whole record.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
