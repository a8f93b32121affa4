//! Re-sealing riding the scanner's pass (the store's `ScanHook`): after a KMS key rotates,
//! every routine pass seals each SSE-KMS data key it meets again under its key's current
//! version, at the scanner's pace, with no operator's `strata admin reseal` needed (which
//! does the same at once). A KMS that is down or refuses ends the re-seals of that pass (one
//! warning, not a timeout per object); the next pass tries again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde::Serialize;
use strata_volume::{ObjectInfo, ScanHook, Store};

use crate::transform::sse::{KmsKeys, ObjectReseal, Resealer};
use crate::transform::TransformError;

/// What the scanner's passes re-sealed since start (`GET /strata/admin/reseal`, `scanner`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanResealCounts {
    /// Data keys sealed again.
    pub resealed: u64,
    /// Versions whose re-seal failed (the next pass tries again).
    pub failed: u64,
    /// The last failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The hook.
pub struct ResealOnScan {
    store: Store,
    keys: Arc<KmsKeys>,
    /// This pass's current key versions and blobs sealed again; `None` until the pass's
    /// first version (making it drops the S3 Bucket Keys held in memory, as a walk does).
    pass: tokio::sync::Mutex<Option<Resealer>>,
    /// Set when the KMS failed in this pass: the rest of the pass leaves re-seals alone.
    kms_failed: AtomicBool,
    resealed: AtomicU64,
    counts: Mutex<ScanResealCounts>,
}

impl ResealOnScan {
    /// The hook over `store` and SSE-KMS's `keys`.
    pub fn new(store: Store, keys: Arc<KmsKeys>) -> Self {
        ResealOnScan {
            store,
            keys,
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

    async fn reseal(&self, info: &ObjectInfo) {
        if info.delete_marker || self.kms_failed.load(Ordering::Relaxed) {
            return;
        }
        let mut pass = self.pass.lock().await;
        let resealer = pass.get_or_insert_with(|| Resealer::new(self.keys.clone()));
        let what = format!("{}/{} ({})", info.bucket, info.key, info.version_id);
        let (expect, set) = match resealer
            .object(&info.bucket, &info.key, &info.internal)
            .await
        {
            Ok(ObjectReseal::NotKms | ObjectReseal::Current) => return,
            Ok(ObjectReseal::Change { expect, set }) => (expect, set),
            Err(e @ (TransformError::KmsUnavailable(_) | TransformError::Denied(_))) => {
                tracing::warn!(object = %what, error = %e, "scanner re-seal: the KMS failed; no more re-seals this pass");
                self.kms_failed.store(true, Ordering::Relaxed);
                return self.failed(format!("{what}: {e}"));
            }
            Err(e) => return self.failed(format!("{what}: {e}")),
        };
        let written = self
            .store
            .set_object_internal(&info.bucket, &info.key, &info.version_id, expect, set)
            .await;
        match written {
            Ok(true) => {
                self.resealed.fetch_add(1, Ordering::Relaxed);
            }
            // Replaced or removed meanwhile: nothing of it is left to re-seal.
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
    fn begin_pass(&self) {
        self.kms_failed.store(false, Ordering::Relaxed);
        // No visit runs between passes: the lock is free.
        if let Ok(mut pass) = self.pass.try_lock() {
            *pass = None;
        }
    }

    fn visit<'a>(&'a self, info: &'a ObjectInfo) -> BoxFuture<'a, ()> {
        Box::pin(self.reseal(info))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Each update is whole: a poisoned lock still holds a whole record.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
