//! Restores asked for and not finished (RestoreObject copies an archived version in the
//! background): what `x-amz-restore: ongoing-request="true"` reports and what a second
//! request is refused for. Running ones are kept in memory; each one asked for is also marked
//! in its version's `internal` map until its copy is made, so that a restore cut by a restart
//! or by a tier that was down is resumed by the scanner's next pass (`restore_on_scan.rs`).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use strata_volume::{Error as VolumeError, ObjectInfo, Restored, Store, StoredObject};

/// The `internal` entry of a version whose restore was asked for and has not finished: the
/// copy's expiry (ns since the epoch), or empty once it finished.
const PENDING: &str = "restore-pending";

/// The expiry of the restore `internal` says was asked for and has not finished.
pub fn pending(internal: &BTreeMap<String, String>) -> Option<u64> {
    internal.get(PENDING).and_then(|v| v.parse().ok())
}

/// Marks `object`'s version as having a restore asked for, expiring at `expiry_ns`.
pub async fn mark_pending(
    store: &Store,
    object: &StoredObject,
    expiry_ns: u64,
) -> Result<(), VolumeError> {
    let i = object.info();
    let set = vec![(PENDING.to_string(), expiry_ns.to_string())];
    store
        .set_object_internal(&i.bucket, &i.key, &i.version_id, Vec::new(), set)
        .await?;
    Ok(())
}

/// Makes `object`'s local copy (until `expiry_ns`), then clears the version's pending mark
/// of that restore. A failure leaves the mark: the scanner's next pass tries again.
pub async fn copy_and_clear(
    store: &Store,
    object: &StoredObject,
    expiry_ns: u64,
) -> Result<Restored, VolumeError> {
    let done = store.restore_copy(object, expiry_ns).await?;
    clear_pending(store, object.info(), expiry_ns).await?;
    Ok(done)
}

/// Clears `info`'s pending mark, if it is still that of the restore expiring at `expiry_ns`.
pub async fn clear_pending(
    store: &Store,
    info: &ObjectInfo,
    expiry_ns: u64,
) -> Result<(), VolumeError> {
    let asked = vec![(PENDING.to_string(), expiry_ns.to_string())];
    let cleared = vec![(PENDING.to_string(), String::new())];
    store
        .set_object_internal(&info.bucket, &info.key, &info.version_id, asked, cleared)
        .await?;
    Ok(())
}

/// `(bucket, key, version id)` of each restore running.
#[derive(Debug, Clone, Default)]
pub struct Restoring {
    running: Arc<Mutex<HashSet<(String, String, String)>>>,
}

/// One restore, running until dropped.
pub struct RestoreRun {
    of: Restoring,
    id: (String, String, String),
}

impl Restoring {
    /// Starts one for the version; `None` when one is running already.
    pub fn start(&self, bucket: &str, key: &str, version_id: &str) -> Option<RestoreRun> {
        let id = (bucket.to_string(), key.to_string(), version_id.to_string());
        let fresh = self.lock().insert(id.clone());
        fresh.then(|| RestoreRun {
            of: self.clone(),
            id,
        })
    }

    /// Whether one is running for the version.
    pub fn is_running(&self, bucket: &str, key: &str, version_id: &str) -> bool {
        let id = (bucket.to_string(), key.to_string(), version_id.to_string());
        self.lock().contains(&id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<(String, String, String)>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for RestoreRun {
    fn drop(&mut self) {
        self.of.lock().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_restore_of_a_version_is_refused_while_the_first_runs() {
        let r = Restoring::default();
        let run = r.start("b", "k", "v1").expect("first");
        assert!(r.is_running("b", "k", "v1"));
        assert!(r.start("b", "k", "v1").is_none());
        assert!(r.start("b", "k", "v2").is_some());
        drop(run);
        assert!(!r.is_running("b", "k", "v1"));
        assert!(r.start("b", "k", "v1").is_some());
    }
}
