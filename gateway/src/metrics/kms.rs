//! The KMS families: calls by operation and outcome, their latency, and how often the data
//! key caches spared a call. Made before the SSE transform that counts into them and
//! registered once the registry exists (shared handles, like the identity families).

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::labels::{KmsCache, KmsCall, KmsOp};
use super::LATENCY_BUCKETS;

type Latency = Family<KmsOp, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// `strata_kms_*`. Cheap to clone (shared families).
#[derive(Debug, Clone)]
pub struct KmsMetrics {
    calls: Family<KmsCall, Counter>,
    latency: Latency,
    cache_hits: Family<KmsCache, Counter>,
}

impl Default for KmsMetrics {
    fn default() -> Self {
        KmsMetrics {
            calls: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            cache_hits: Family::default(),
        }
    }
}

impl KmsMetrics {
    /// Registers the families (counter names without `_total`: the encoder appends it).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "strata_kms_requests",
            "KMS calls, by operation (generate_data_key, decrypt) and outcome (success, not_found, unavailable, refused, error)",
            self.calls.clone(),
        );
        registry.register(
            "strata_kms_request_duration_seconds",
            "Latency of KMS calls, by operation, retries included",
            self.latency.clone(),
        );
        registry.register(
            "strata_kms_cache_hits",
            "KMS calls spared by a cache: data_key (an unsealed data key reused for a read) or bucket_key (an S3 Bucket Key reused for a write)",
            self.cache_hits.clone(),
        );
    }

    /// Counts one KMS call and its latency.
    pub fn called(&self, op: &'static str, outcome: &'static str, seconds: f64) {
        self.calls.get_or_create(&KmsCall { op, outcome }).inc();
        self.latency.get_or_create(&KmsOp { op }).observe(seconds);
    }

    /// Counts a call a cache spared.
    pub fn cache_hit(&self, cache: &'static str) {
        self.cache_hits.get_or_create(&KmsCache { cache }).inc();
    }

    /// Calls counted so far (tests).
    #[cfg(test)]
    pub fn calls(&self, op: &'static str, outcome: &'static str) -> u64 {
        self.calls.get_or_create(&KmsCall { op, outcome }).get()
    }
}
