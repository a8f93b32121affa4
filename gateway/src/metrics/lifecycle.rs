//! `strata_lifecycle_actions_total`: what bucket lifecycle rules did through the scanner.
//! Made before the hook that counts into it and registered once the registry exists.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use super::labels::LifecycleAction;

/// The family. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct LifecycleMetrics {
    actions: Family<LifecycleAction, Counter>,
}

impl LifecycleMetrics {
    /// Registers the family (the encoder appends `_total`).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "strata_lifecycle_actions",
            "Lifecycle rule actions of the scanner, by action (expire_current, remove_delete_marker, expire_noncurrent, transition, transition_noncurrent) and outcome (done, changed, locked, failed)",
            self.actions.clone(),
        );
    }

    /// Counts one action.
    pub fn acted(&self, action: &'static str, outcome: &'static str) {
        self.actions
            .get_or_create(&LifecycleAction { action, outcome })
            .inc();
    }
}
