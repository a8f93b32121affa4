//! Per-key locks: one process owns the volumes, so commits to one key are serialised here.

use tokio::sync::{Mutex, MutexGuard};

const STRIPES: usize = 1024;

/// A fixed array of async mutexes, picked by key hash.
pub struct KeyLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for KeyLocks {
    fn default() -> Self {
        KeyLocks {
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl KeyLocks {
    /// Locks the stripe of `(bucket, key)`.
    pub async fn lock(&self, bucket: &str, key: &str) -> MutexGuard<'_, ()> {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(bucket.as_bytes());
        h.update(&[0]);
        h.update(key.as_bytes());
        self.stripes[(h.digest() % STRIPES as u64) as usize]
            .lock()
            .await
    }
}
