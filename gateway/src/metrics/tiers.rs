//! Remote tiers' families, read from the store at each scrape: requests by operation and
//! outcome, bytes each way. The `tier` label is a configured name (bounded).

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use strata_volume::{Store, TierStats};

use super::store::family;

/// One tier, an operation and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabel {
    tier: String,
    op: &'static str,
    outcome: &'static str,
}

/// One tier and a direction.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BytesLabel {
    tier: String,
    direction: &'static str,
}

/// The collector.
#[derive(Clone)]
pub struct TierMetrics {
    store: Store,
}

impl std::fmt::Debug for TierMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TierMetrics")
    }
}

impl TierMetrics {
    /// The families of `store`'s tiers.
    pub fn new(store: Store) -> Self {
        TierMetrics { store }
    }
}

/// Each counted request kind of a tier: (op, outcome, count).
fn requests(s: &TierStats) -> [(&'static str, &'static str, u64); 6] {
    [
        ("read", "ok", s.reads),
        ("read", "error", s.read_errors),
        ("write", "ok", s.writes),
        ("write", "error", s.write_errors),
        ("delete", "ok", s.deletes),
        ("delete", "error", s.delete_errors),
    ]
}

impl Collector for TierMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.store.tier_stats();
        family(
            &mut encoder,
            "strata_tier_requests",
            "Remote-tier objects read (GET read-through), written (moves) and deleted, by outcome.",
            stats.iter().flat_map(|s| {
                requests(s).map(|(op, outcome, n)| {
                    let label = RequestLabel {
                        tier: s.tier.clone(),
                        op,
                        outcome,
                    };
                    (label, ConstCounter::new(n))
                })
            }),
        )?;
        family(
            &mut encoder,
            "strata_tier_bytes",
            "Bytes read from and written to remote tiers.",
            stats.iter().flat_map(|s| {
                [("read", s.read_bytes), ("written", s.written_bytes)].map(|(direction, n)| {
                    let label = BytesLabel {
                        tier: s.tier.clone(),
                        direction,
                    };
                    (label, ConstCounter::new(n))
                })
            }),
        )
    }
}
