//! Restores running now (RestoreObject copies an archived version in the background): what
//! `x-amz-restore: ongoing-request="true"` reports and what a second request is refused for.
//! Kept in memory: a restore cut by a restart is not resumed (the client asks again, as it
//! would after a failed one).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

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
