//! The request families, counted from each request's event.

use std::sync::Arc;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::labels::{status_class, AuthFailure, Bucket, BucketStatus, ErrorCode, Op, OpStatus};
use super::LATENCY_BUCKETS;
use crate::observe::{Backpressure, Observe, RequestEvent, Stage};
use crate::s3::error::Code;
use crate::s3::operation::Operation;

type Latency = Family<Op, Histogram, fn() -> Histogram>;

/// `strata_s3_*` and `strata_auth_failures_total`, and the per-bucket families when on.
#[derive(Debug)]
pub struct RequestMetrics {
    requests: Family<OpStatus, Counter>,
    duration: Latency,
    received: Family<Op, Counter>,
    sent: Family<Op, Counter>,
    errors: Family<ErrorCode, Counter>,
    auth_failures: Family<AuthFailure, Counter>,
    per_bucket: Option<PerBucket>,
}

#[derive(Debug)]
struct PerBucket {
    requests: Family<BucketStatus, Counter>,
    received: Family<Bucket, Counter>,
    sent: Family<Bucket, Counter>,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl RequestMetrics {
    /// Registers the families; the `strata_bucket_*` ones only when `per_bucket`.
    pub fn register(registry: &mut Registry, per_bucket: bool) -> Arc<Self> {
        let m = RequestMetrics {
            requests: Family::default(),
            duration: Family::new_with_constructor(latency_histogram),
            received: Family::default(),
            sent: Family::default(),
            errors: Family::default(),
            auth_failures: Family::default(),
            per_bucket: per_bucket.then(|| PerBucket {
                requests: Family::default(),
                received: Family::default(),
                sent: Family::default(),
            }),
        };
        // Counter names are registered without `_total`: the encoder appends it.
        registry.register(
            "strata_s3_requests",
            "S3 requests answered, by operation and status class",
            m.requests.clone(),
        );
        registry.register(
            "strata_s3_request_duration_seconds",
            "S3 request time, head read to answer written",
            m.duration.clone(),
        );
        registry.register(
            "strata_s3_received_bytes",
            "S3 request body bytes read",
            m.received.clone(),
        );
        registry.register(
            "strata_s3_sent_bytes",
            "S3 response body bytes written",
            m.sent.clone(),
        );
        registry.register(
            "strata_s3_errors",
            "S3 error answers, by error code",
            m.errors.clone(),
        );
        registry.register(
            "strata_auth_failures",
            "Requests refused for their identity (authenticate) or permissions (authorize), by S3 error code",
            m.auth_failures.clone(),
        );
        if let Some(b) = &m.per_bucket {
            registry.register(
                "strata_bucket_requests",
                "S3 requests answered, by bucket (--metrics-per-bucket)",
                b.requests.clone(),
            );
            registry.register(
                "strata_bucket_received_bytes",
                "S3 request body bytes read, by bucket (--metrics-per-bucket)",
                b.received.clone(),
            );
            registry.register(
                "strata_bucket_sent_bytes",
                "S3 response body bytes written, by bucket (--metrics-per-bucket)",
                b.sent.clone(),
            );
        }
        Arc::new(m)
    }

    fn count(&self, e: &RequestEvent) {
        let op = e.op.map_or("none", Operation::name);
        let class = status_class(e.status);
        self.requests
            .get_or_create(&OpStatus {
                op,
                status_class: class,
            })
            .inc();
        let op_label = Op { op };
        self.duration
            .get_or_create(&op_label)
            .observe(e.duration.as_secs_f64());
        if e.bytes_in > 0 {
            self.received.get_or_create(&op_label).inc_by(e.bytes_in);
        }
        if e.bytes_out > 0 {
            self.sent.get_or_create(&op_label).inc_by(e.bytes_out);
        }
        if let Some(code) = e.error {
            self.errors
                .get_or_create(&ErrorCode {
                    code: code.as_str(),
                })
                .inc();
            if matches!(e.stage, Stage::Authenticate | Stage::Authorize) {
                self.auth_failures
                    .get_or_create(&AuthFailure {
                        stage: e.stage.as_str(),
                        reason: code.as_str(),
                    })
                    .inc();
            }
        }
        if let Some(b) = &self.per_bucket {
            count_bucket(b, e, class);
        }
    }
}

/// Only requests that were authorized and named a bucket that exists: an unauthenticated
/// client must not be able to create series by inventing bucket names.
fn count_bucket(b: &PerBucket, e: &RequestEvent, class: &'static str) {
    let Some(bucket) = &e.bucket else { return };
    if e.stage < Stage::Refusal || e.error == Some(Code::NoSuchBucket) {
        return;
    }
    b.requests
        .get_or_create(&BucketStatus {
            bucket: bucket.clone(),
            status_class: class,
        })
        .inc();
    let label = Bucket {
        bucket: bucket.clone(),
    };
    b.received.get_or_create(&label).inc_by(e.bytes_in);
    b.sent.get_or_create(&label).inc_by(e.bytes_out);
}

impl Observe for RequestMetrics {
    fn observe(&self, event: &RequestEvent) -> Backpressure {
        // strata's own endpoints (probes, scrapes) are not S3 traffic.
        if event.stage != Stage::Internal {
            self.count(event);
        }
        None
    }
}
