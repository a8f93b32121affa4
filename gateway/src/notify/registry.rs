//! What the handlers and the notifier share: the configured targets and every bucket's
//! parsed rules, cached in memory. PutBucketNotificationConfiguration updates the cache after
//! storing the document; the server loads it from the store at start.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::rules::BucketRules;
use super::target::Targets;

/// Targets and the rules of the buckets that have any.
#[derive(Default)]
pub struct Registry {
    targets: Targets,
    rules: RwLock<HashMap<String, Arc<BucketRules>>>,
    updates: tokio::sync::Mutex<()>,
}

impl Registry {
    /// A registry of `targets` with no bucket configured yet.
    pub fn new(targets: Targets) -> Self {
        Registry {
            targets,
            rules: RwLock::default(),
            updates: tokio::sync::Mutex::default(),
        }
    }

    /// Held while a configuration is stored and cached: puts of configurations take turns.
    pub async fn updating(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.updates.lock().await
    }

    /// The targets.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// `bucket`'s rules, if it has any.
    pub fn rules(&self, bucket: &str) -> Option<Arc<BucketRules>> {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        rules.get(bucket).cloned()
    }

    /// Sets `bucket`'s rules; empty rules turn its notifications off.
    pub fn set(&self, bucket: &str, rules: BucketRules) {
        let mut all = self.rules.write().unwrap_or_else(|e| e.into_inner());
        if rules.is_empty() {
            all.remove(bucket);
        } else {
            all.insert(bucket.to_string(), Arc::new(rules));
        }
    }

    /// Forgets `bucket` (it was deleted, and its stored configuration with it).
    pub fn forget(&self, bucket: &str) {
        self.set(bucket, BucketRules::default());
    }

    /// Whether any bucket has rules: the notifier's fast path when none has.
    pub fn is_empty(&self) -> bool {
        self.rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }
}
