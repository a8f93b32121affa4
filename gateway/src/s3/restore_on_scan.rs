//! Restores resumed by the scanner's passes (the store's `ScanHook`): a version marked as
//! having a restore asked for (`restoring::pending`) and none running, because strata
//! restarted or the tier was down when it ran, gets its copy made now. The pass waits for
//! each one, so resumed restores go at the scanner's pace.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use strata_volume::{ObjectInfo, ScanHook, Store};

use super::restoring::{self, Restoring};

/// The hook.
pub struct RestoreOnScan {
    store: Store,
    restoring: Restoring,
}

impl RestoreOnScan {
    /// The hook over `store`, sharing the requests' running restores.
    pub fn new(store: Store, restoring: Restoring) -> Self {
        RestoreOnScan { store, restoring }
    }

    async fn resume(&self, info: &ObjectInfo, expiry_ns: u64) {
        let (bucket, key, version) = (&info.bucket, &info.key, &info.version_id);
        // A request's restore of it runs already: nothing to resume.
        let Some(_run) = self.restoring.start(bucket, key, version) else {
            return;
        };
        let now_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos().min(u128::from(u64::MAX)) as u64);
        if expiry_ns <= now_ns {
            // Asked for so long ago that its copy would have expired already.
            if let Err(e) = restoring::clear_pending(&self.store, info, expiry_ns).await {
                tracing::warn!(bucket, key, version, error = %e, "an outdated restore mark stays");
            }
            return;
        }
        let outcome = match self.store.open_object(bucket, key, Some(version)).await {
            Ok(obj) => restoring::copy_and_clear(&self.store, &obj, expiry_ns).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(done) => tracing::info!(bucket, key, version, ?done, "restore resumed and finished"),
            Err(e) => {
                tracing::warn!(bucket, key, version, error = %e, "resumed restore failed; the next pass tries again")
            }
        }
    }
}

impl ScanHook for RestoreOnScan {
    fn visit<'a>(&'a self, info: &'a ObjectInfo) -> BoxFuture<'a, ()> {
        match restoring::pending(&info.internal) {
            Some(expiry_ns) if !info.delete_marker => Box::pin(self.resume(info, expiry_ns)),
            _ => Box::pin(async {}),
        }
    }
}
