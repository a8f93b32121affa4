//! Prometheus metrics in the text exposition format, kept by hand with atomics: a handful
//! of series does not justify a metrics crate on the admission path.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::admission::Verdict;

/// Upper bounds (seconds) of the latency histogram: fine below the 5 ms target.
const BUCKETS: [f64; 10] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];

/// All series the injector exports.
#[derive(Debug, Default)]
pub struct Metrics {
    verdicts: [AtomicU64; 4],
    bad_requests: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
    cert_not_after: AtomicI64,
    cert_loads: AtomicU64,
}

impl Metrics {
    /// Counts one review and its handling time.
    pub fn observe(&self, verdict: Option<Verdict>, elapsed: Duration) {
        match verdict {
            Some(v) => self.verdicts[Verdict::ALL.iter().position(|x| *x == v).unwrap_or(0)]
                .fetch_add(1, Ordering::Relaxed),
            None => self.bad_requests.fetch_add(1, Ordering::Relaxed),
        };
        let secs = elapsed.as_secs_f64();
        // Buckets are stored non-cumulative and summed when rendered, so each observation
        // is a single increment.
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Records that a serving certificate valid until `not_after` (unix seconds) was loaded.
    pub fn certificate_loaded(&self, not_after: i64) {
        self.cert_not_after.store(not_after, Ordering::Relaxed);
        self.cert_loads.fetch_add(1, Ordering::Relaxed);
    }

    /// Renders every series.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str(
            "# HELP strata_injector_admissions_total Admission reviews answered, by result.\n",
        );
        out.push_str("# TYPE strata_injector_admissions_total counter\n");
        for (i, v) in Verdict::ALL.iter().enumerate() {
            let _ = writeln!(
                out,
                "strata_injector_admissions_total{{result=\"{}\"}} {}",
                v.as_str(),
                self.verdicts[i].load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "strata_injector_admissions_total{{result=\"bad_request\"}} {}",
            self.bad_requests.load(Ordering::Relaxed)
        );
        out.push_str("# HELP strata_injector_admission_duration_seconds Time to answer one review, body read to response built.\n");
        out.push_str("# TYPE strata_injector_admission_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "strata_injector_admission_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "strata_injector_admission_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "strata_injector_admission_duration_seconds_sum {sum}");
        let _ = writeln!(
            out,
            "strata_injector_admission_duration_seconds_count {count}"
        );
        out.push_str("# HELP strata_injector_certificate_expiry_timestamp_seconds notAfter of the serving certificate.\n");
        out.push_str("# TYPE strata_injector_certificate_expiry_timestamp_seconds gauge\n");
        let _ = writeln!(
            out,
            "strata_injector_certificate_expiry_timestamp_seconds {}",
            self.cert_not_after.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP strata_injector_certificate_loads_total Serving certificates loaded.\n",
        );
        out.push_str("# TYPE strata_injector_certificate_loads_total counter\n");
        let _ = writeln!(
            out,
            "strata_injector_certificate_loads_total {}",
            self.cert_loads.load(Ordering::Relaxed)
        );
        out
    }
}
