//! Bucket notifications at start: the registry of targets, every bucket's stored rules loaded
//! into it, and the notifier that observes requests.

use std::sync::Arc;

use strata_volume::Store;

use super::run::ServeError;
use crate::audit::sink::{spawn, SinkHandle, SinkMetrics};
use crate::config::Config;
use crate::notify::{target_arn, NotificationConfiguration, Notifier, Registry, Targets};
use crate::s3::xml::from_xml;

/// Config kind of the stored document (as `s3::ops::notification` stores it).
const NOTIFICATION: &str = "notification";

/// The id every message names as the bucket owner (`Ctx::owner`'s).
const OWNER_ID: &str = "strata-root";

/// Starts every configured target's sink on `runtime` (metrics in `metrics`, kind
/// `notify`); returns them by ARN, and their handles for the flush at stop.
pub fn targets(
    cfg: &Config,
    metrics: &SinkMetrics,
    runtime: &tokio::runtime::Handle,
) -> Result<(Targets, Vec<SinkHandle>), ServeError> {
    let mut targets = Targets::default();
    let mut handles = Vec::new();
    for t in &cfg.notify.targets {
        let fail = |reason: String| ServeError::NotifyTarget {
            target: t.spec.name.clone(),
            reason,
        };
        // reqwest's client spawns nothing until used, but is built inside the runtime.
        let _guard = runtime.enter();
        let service = t
            .webhook
            .build(t.spec.retry.timeout)
            .map_err(|e| fail(e.to_string()))?;
        let handle = spawn(t.spec.clone(), Arc::new(service), metrics, runtime)
            .map_err(|e| fail(e.to_string()))?;
        targets.insert(
            target_arn(&cfg.region, &t.spec.name),
            Arc::new(handle.clone()),
        );
        handles.push(handle);
    }
    Ok((targets, handles))
}

/// Loads every bucket's stored rules into a registry of `targets`. A stored rule whose target
/// is no longer configured is dropped with a warning (its document is kept, and GetBucket-
/// NotificationConfiguration still shows it); an unreadable document is a warning too.
pub async fn load_registry(store: &Store, targets: Targets) -> Arc<Registry> {
    let registry = Arc::new(Registry::new(targets));
    let buckets = match store.list_buckets().await {
        Ok(b) => b,
        Err(error) => {
            tracing::warn!(%error, "bucket notifications: cannot list buckets; none loaded");
            return registry;
        }
    };
    for bucket in buckets {
        let name = bucket.name;
        let doc = match store.get_bucket_config(&name, NOTIFICATION).await {
            Ok(Some(doc)) => doc,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(bucket = %name, %error, "bucket notifications: not loaded");
                continue;
            }
        };
        let parsed = from_xml::<NotificationConfiguration>(&doc)
            .map_err(|e| e.to_string())
            .and_then(|mut d| {
                d.validate_into(&|_| true, &mut || String::new())
                    .map_err(|e| e.to_string())
            });
        match parsed {
            Ok(mut rules) => {
                let targets = registry.targets();
                for arn in rules.retain_known(&|arn| targets.knows(arn)) {
                    tracing::warn!(bucket = %name, arn,
                        "bucket notifications: the target is not configured; its rule is off");
                }
                registry.set(&name, rules);
            }
            Err(error) => {
                tracing::warn!(bucket = %name, %error, "bucket notifications: stored document refused");
            }
        }
    }
    registry
}

/// The notifier over `registry`, its task on `runtime`; `None` without targets (then no
/// configuration can be put, and nothing is observed).
pub fn notifier(
    registry: &Arc<Registry>,
    store: &Store,
    region: &str,
    runtime: &tokio::runtime::Handle,
) -> Option<Arc<Notifier>> {
    registry.targets().arns().next()?;
    Some(Arc::new(Notifier::start(
        registry.clone(),
        store.clone(),
        region.to_string(),
        OWNER_ID.to_string(),
        runtime,
    )))
}
