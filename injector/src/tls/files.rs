//! Serving certificate from PEM files (a cert-manager Secret mounted into the pod).
//!
//! The kubelet swaps a Secret volume's files atomically (a symlink flip), so polling the
//! contents is enough; no inotify dependency is needed for a file that changes every
//! few weeks. A pair that does not load (half-written, key and cert mismatched) is
//! ignored until the next poll, and the old certificate keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::tls::store::CertStore;
use crate::tls::TlsError;

/// Loads `cert`/`key` into `store` now (an error here stops the start).
pub fn load(store: &CertStore, cert: &Path, key: &Path) -> Result<bool, TlsError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| TlsError::Io {
            path: p.to_owned(),
            source,
        })
    };
    store.load_pem(&read(cert)?, &read(key)?, None)
}

/// Re-reads the files every `interval` until the task is dropped.
pub async fn watch(store: Arc<CertStore>, cert: PathBuf, key: PathBuf, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match load(&store, &cert, &key) {
            Ok(true) => tracing::info!(cert = %cert.display(), "serving certificate reloaded"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "serving certificate not reloaded; keeping the current one")
            }
        }
    }
}
