//! Every series the injector exports, registered once when [`Metrics`] is made.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::exposition::{self, Format};
use crate::admission::Verdict;
use crate::running_pods::RefreshReport;

/// Upper bounds (seconds) of the latency histogram: fine below the 5 ms target.
const BUCKETS: [f64; 10] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];

/// `result` of a review that could not be read.
const BAD_REQUEST: &str = "bad_request";

/// The label of `strata_injector_admissions_total`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

/// All series the injector exports, and the registry that renders them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    admissions: Family<ResultLabel, Counter>,
    duration: Histogram,
    cert_not_after: Gauge,
    cert_loads: Counter,
    keys_loaded: Gauge,
    keys_fetches: Family<OutcomeLabel, Counter>,
    keys_fetched_at: Gauge,
    pod_key_updates: Family<OutcomeLabel, Counter>,
    pods_behind: Gauge,
}

/// The label of `strata_injector_cluster_keys_fetches_total` and
/// `strata_injector_running_pod_key_updates_total`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every family. Counters are registered without `_total`: the encoders add it.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let admissions = Family::<ResultLabel, Counter>::default();
        // Every result is exported from the start, at 0, so that a rate over a result that
        // has not happened yet is 0 rather than no data.
        for result in Verdict::ALL.iter().map(|v| v.as_str()).chain([BAD_REQUEST]) {
            let _ = admissions.get_or_create(&ResultLabel { result });
        }
        registry.register(
            "strata_injector_admissions",
            "Admission reviews answered, by result",
            admissions.clone(),
        );
        let duration = Histogram::new(BUCKETS);
        registry.register(
            "strata_injector_admission_duration_seconds",
            "Time to answer one review, body read to response built",
            duration.clone(),
        );
        let cert_not_after = Gauge::default();
        registry.register(
            "strata_injector_certificate_expiry_timestamp_seconds",
            "notAfter of the serving certificate",
            cert_not_after.clone(),
        );
        let cert_loads = Counter::default();
        registry.register(
            "strata_injector_certificate_loads",
            "Serving certificates loaded",
            cert_loads.clone(),
        );
        let keys_loaded = Gauge::default();
        registry.register(
            "strata_injector_cluster_keys_loaded",
            "1 once the cluster's service-account keys are held (web-identity pods are refused until then)",
            keys_loaded.clone(),
        );
        let keys_fetches = Family::<OutcomeLabel, Counter>::default();
        for outcome in ["ok", "error"] {
            let _ = keys_fetches.get_or_create(&OutcomeLabel { outcome });
        }
        registry.register(
            "strata_injector_cluster_keys_fetches",
            "Reads of the cluster's issuer and keys from the API server, by outcome",
            keys_fetches.clone(),
        );
        let keys_fetched_at = Gauge::default();
        registry.register(
            "strata_injector_cluster_keys_fetched_timestamp_seconds",
            "When the cluster's keys were last read successfully (0: never)",
            keys_fetched_at.clone(),
        );
        let pod_key_updates = Family::<OutcomeLabel, Counter>::default();
        for outcome in ["patched", "gone", "failed"] {
            let _ = pod_key_updates.get_or_create(&OutcomeLabel { outcome });
        }
        registry.register(
            "strata_injector_running_pod_key_updates",
            "Running pods given the cluster's new keys, by outcome (gone: deleted before the patch)",
            pod_key_updates.clone(),
        );
        let pods_behind = Gauge::default();
        registry.register(
            "strata_injector_running_pods_behind",
            "1 while the last pass giving running pods the cluster's keys failed (some may hold old keys)",
            pods_behind.clone(),
        );
        Metrics {
            registry,
            admissions,
            duration,
            cert_not_after,
            cert_loads,
            keys_loaded,
            keys_fetches,
            keys_fetched_at,
            pod_key_updates,
            pods_behind,
        }
    }

    /// Counts one review (`None`: the request could not be read) and its handling time.
    pub fn observe(&self, verdict: Option<Verdict>, elapsed: Duration) {
        let result = verdict.map_or(BAD_REQUEST, Verdict::as_str);
        self.admissions.get_or_create(&ResultLabel { result }).inc();
        self.duration.observe(elapsed.as_secs_f64());
    }

    /// Records that a serving certificate valid until `not_after` (unix seconds) was loaded.
    pub fn certificate_loaded(&self, not_after: i64) {
        self.cert_not_after.set(not_after);
        self.cert_loads.inc();
    }

    /// Records one read of the cluster's keys at `now` (unix seconds): whether it worked,
    /// and whether keys are held after it (a failed read keeps the last good copy).
    pub fn cluster_keys_fetched(&self, ok: bool, held: bool, now: i64) {
        let outcome = if ok { "ok" } else { "error" };
        self.keys_fetches
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
        if ok {
            self.keys_fetched_at.set(now);
        }
        self.keys_loaded.set(i64::from(held));
    }

    /// Records one pass over the running pods (`None`: they could not be listed).
    pub fn running_pods_pass(&self, report: Option<RefreshReport>) {
        let Some(report) = report else {
            self.pods_behind.set(1);
            return;
        };
        for (outcome, n) in [
            ("patched", report.patched),
            ("gone", report.gone),
            ("failed", report.failed),
        ] {
            self.pod_key_updates
                .get_or_create(&OutcomeLabel { outcome })
                .inc_by(u64::from(n));
        }
        self.pods_behind.set(i64::from(!report.complete()));
    }

    /// Renders every series in `format`.
    pub fn render(&self, format: Format) -> String {
        exposition::render(&self.registry, format)
    }
}
