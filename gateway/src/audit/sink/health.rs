//! The `strata_sink_*` families (docs/OBSERVABILITY.md) and one sink's handles into them.
//!
//! The families are registered once per registry ([`SinkMetrics::register`]) and shared by
//! every sink, audit or notify: a family registered once per sink would appear several times
//! in the exposition, which Prometheus refuses.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use super::spec::SinkKind;

/// Which sink.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct SinkLabels {
    /// The configured name.
    pub sink: String,
    /// `audit` or `notify`.
    pub kind: &'static str,
}

/// Which sink, and what became of events or attempts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// The configured name.
    pub sink: String,
    /// `audit` or `notify`.
    pub kind: &'static str,
    /// What happened.
    pub outcome: Outcome,
}

/// The `outcome` label's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Outcome {
    /// Event acknowledged by the receiver.
    delivered,
    /// Event dropped at a full buffer.
    dropped,
    /// Event refused for good by the receiver.
    rejected,
    /// Attempt succeeded.
    ok,
    /// Attempt failed.
    error,
}

/// Every sink's families, registered once.
#[derive(Debug, Clone, Default)]
pub struct SinkMetrics {
    events: Family<OutcomeLabels, Counter>,
    buffer_events: Family<SinkLabels, Gauge>,
    buffer_limit_events: Family<SinkLabels, Gauge>,
    buffer_bytes: Family<SinkLabels, Gauge>,
    buffer_limit_bytes: Family<SinkLabels, Gauge>,
    send_attempts: Family<OutcomeLabels, Counter>,
    up: Family<SinkLabels, Gauge>,
    blocked_seconds: Family<SinkLabels, Counter<f64, AtomicU64>>,
}

impl SinkMetrics {
    /// Registers the families in `registry`; give the result to every sink of that registry.
    pub fn register(registry: &mut Registry) -> SinkMetrics {
        let m = SinkMetrics::default();
        registry.register(
            "strata_sink_events",
            "Sink events by outcome: delivered, dropped (buffer full), rejected (refused for good)",
            m.events.clone(),
        );
        registry.register(
            "strata_sink_buffer_events",
            "Events waiting in the sink's buffer",
            m.buffer_events.clone(),
        );
        registry.register(
            "strata_sink_buffer_limit_events",
            "The sink buffer's bound in events",
            m.buffer_limit_events.clone(),
        );
        registry.register_with_unit(
            "strata_sink_buffer",
            "Bytes waiting in the sink's buffer",
            Unit::Bytes,
            m.buffer_bytes.clone(),
        );
        registry.register_with_unit(
            "strata_sink_buffer_limit",
            "The sink buffer's bound in bytes",
            Unit::Bytes,
            m.buffer_limit_bytes.clone(),
        );
        registry.register(
            "strata_sink_send_attempts",
            "Batches sent, by result",
            m.send_attempts.clone(),
        );
        registry.register(
            "strata_sink_up",
            "1 when the sink's last attempt succeeded",
            m.up.clone(),
        );
        registry.register_with_unit(
            "strata_sink_blocked",
            "Time requests waited for sink buffer room (policy block)",
            Unit::Seconds,
            m.blocked_seconds.clone(),
        );
        m
    }

    /// One sink's handles.
    pub fn for_sink(&self, name: &str, kind: SinkKind) -> SinkHealth {
        let sink = SinkLabels {
            sink: name.to_string(),
            kind: kind.as_str(),
        };
        let outcome = |outcome| OutcomeLabels {
            sink: sink.sink.clone(),
            kind: sink.kind,
            outcome,
        };
        // One statement per handle: a family's guard lives to the end of its statement,
        // and a second `get_or_create` on the same family while it lives would deadlock.
        let counter = |family: &Family<OutcomeLabels, Counter>, o| {
            let c = family.get_or_create(&outcome(o)).clone();
            c
        };
        let gauge = |family: &Family<SinkLabels, Gauge>| {
            let g = family.get_or_create(&sink).clone();
            g
        };
        let blocked_seconds = self.blocked_seconds.get_or_create(&sink).clone();
        SinkHealth {
            delivered: counter(&self.events, Outcome::delivered),
            dropped: counter(&self.events, Outcome::dropped),
            rejected: counter(&self.events, Outcome::rejected),
            buffer_events: gauge(&self.buffer_events),
            buffer_limit_events: gauge(&self.buffer_limit_events),
            buffer_bytes: gauge(&self.buffer_bytes),
            buffer_limit_bytes: gauge(&self.buffer_limit_bytes),
            attempts_ok: counter(&self.send_attempts, Outcome::ok),
            attempts_error: counter(&self.send_attempts, Outcome::error),
            up: gauge(&self.up),
            blocked_seconds,
        }
    }
}

/// One sink's counters and gauges (cheap clones of the registered ones).
#[derive(Debug, Clone)]
pub struct SinkHealth {
    /// Events acknowledged.
    pub delivered: Counter,
    /// Events dropped at a full buffer.
    pub dropped: Counter,
    /// Events refused for good.
    pub rejected: Counter,
    /// Events held.
    pub buffer_events: Gauge,
    /// Bound in events.
    pub buffer_limit_events: Gauge,
    /// Bytes held.
    pub buffer_bytes: Gauge,
    /// Bound in bytes.
    pub buffer_limit_bytes: Gauge,
    /// Attempts that succeeded.
    pub attempts_ok: Counter,
    /// Attempts that failed.
    pub attempts_error: Counter,
    /// 1 when the last attempt succeeded.
    pub up: Gauge,
    /// Seconds requests waited for room.
    pub blocked_seconds: Counter<f64, AtomicU64>,
}

impl SinkHealth {
    /// Records one attempt's result.
    pub fn attempt(&self, ok: bool) {
        if ok {
            self.attempts_ok.inc();
            self.up.set(1);
        } else {
            self.attempts_error.inc();
            self.up.set(0);
        }
    }
}
