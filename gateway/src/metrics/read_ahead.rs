//! The read-ahead families of remote tiers: chunks fetched ahead by ranged GETs, and reads
//! that found their tier's read-ahead budget spent. Made before the tiers that count into
//! them and registered once the registry exists (shared handles, like the KMS families).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// One tier (a configured name: bounded).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TierLabel {
    tier: String,
}

/// `strata_tier_read_ahead_*`. Cheap to clone (shared families).
#[derive(Debug, Clone, Default)]
pub struct ReadAheadMetrics {
    chunks: Family<TierLabel, Counter>,
    budget_spent: Family<TierLabel, Counter>,
}

/// One tier's read-ahead counters.
#[derive(Debug, Clone, Default)]
pub struct TierReadAhead {
    /// Chunks fetched ahead.
    pub chunks: Counter,
    /// Reads that streamed their rest with one GET because the budget was spent.
    pub budget_spent: Counter,
}

impl ReadAheadMetrics {
    /// Registers the families (counter names without `_total`: the encoder appends it).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "strata_tier_read_ahead_chunks",
            "8 MiB chunks of read-throughs fetched ahead by ranged GETs (a tier's read_ahead)",
            self.chunks.clone(),
        );
        registry.register(
            "strata_tier_read_ahead_budget_spent",
            "Read-throughs that found their tier's read-ahead budget (128 MiB) spent and streamed the rest with one GET",
            self.budget_spent.clone(),
        );
    }

    /// The counters of tier `tier`.
    pub fn tier(&self, tier: &str) -> TierReadAhead {
        let label = TierLabel {
            tier: tier.to_string(),
        };
        TierReadAhead {
            chunks: self.chunks.get_or_create(&label).clone(),
            budget_spent: self.budget_spent.get_or_create(&label).clone(),
        }
    }
}
