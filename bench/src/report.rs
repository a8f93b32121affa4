//! Turning recorded statistics into numbers: rates, latency percentiles, the human table and
//! the JSON document (`--json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::spec::OpKind;
use crate::stats::{OpStats, Recorder};

const MIB: f64 = 1024.0 * 1024.0;

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest recorded.
    pub max: f64,
}

impl Latency {
    /// Summarises a histogram of microseconds; an empty histogram gives zeros.
    pub fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Latency::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            mean: h.mean() / 1000.0,
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
        }
    }
}

/// One operation's results.
#[derive(Debug, Clone, Serialize)]
pub struct OpReport {
    /// Operation name.
    pub op: OpKind,
    /// Successful operations.
    pub ok: u64,
    /// Failed operations.
    pub errors: u64,
    /// Successful operations per second of the measured phase.
    pub ops_per_s: f64,
    /// Payload throughput in MiB/s.
    pub mib_per_s: f64,
    /// Payload bytes moved.
    pub bytes: u64,
    /// Items: keys returned for LIST, objects otherwise.
    pub items: u64,
    /// Items per second (keys/s for LIST).
    pub items_per_s: f64,
    /// Latency of successful operations.
    pub latency_ms: Latency,
    /// Failures by class: `"404 NoSuchKey"`, `"transport"`, `"timeout"`.
    pub errors_by_class: BTreeMap<String, u64>,
}

impl OpReport {
    /// Computes one operation's report over `elapsed`.
    pub fn new(op: OpKind, s: &OpStats, elapsed: Duration) -> Self {
        let secs = elapsed.as_secs_f64();
        let per_s = |n: f64| if secs > 0.0 { n / secs } else { 0.0 };
        OpReport {
            op,
            ok: s.ok,
            errors: s.error_count(),
            ops_per_s: per_s(s.ok as f64),
            mib_per_s: per_s(s.bytes as f64 / MIB),
            bytes: s.bytes,
            items: s.items,
            items_per_s: per_s(s.items as f64),
            latency_ms: s
                .latency
                .as_ref()
                .map(Latency::from_histogram)
                .unwrap_or_default(),
            errors_by_class: s.errors.clone(),
        }
    }
}

/// CPU time the generator itself used in a phase.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CpuUse {
    /// User-mode seconds.
    pub user_s: f64,
    /// Kernel-mode seconds.
    pub system_s: f64,
    /// Their sum.
    pub total_s: f64,
    /// Cores kept busy on average: total / wall time.
    pub cores: f64,
}

impl CpuUse {
    /// CPU use between two `(user, system)` readings over `wall`.
    pub fn between(
        before: (Duration, Duration),
        after: (Duration, Duration),
        wall: Duration,
    ) -> Self {
        let user = after.0.saturating_sub(before.0).as_secs_f64();
        let system = after.1.saturating_sub(before.1).as_secs_f64();
        let total = user + system;
        let w = wall.as_secs_f64();
        CpuUse {
            user_s: user,
            system_s: system,
            total_s: total,
            cores: if w > 0.0 { total / w } else { 0.0 },
        }
    }
}

/// A phase (prepare, run, cleanup) in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    /// Wall-clock seconds.
    pub elapsed_s: f64,
    /// The generator's CPU use.
    pub cpu: CpuUse,
    /// Per-operation results, only operations that ran.
    pub ops: Vec<OpReport>,
}

impl Phase {
    /// Builds the phase report from merged statistics.
    pub fn new(rec: &Recorder, elapsed: Duration, cpu: CpuUse) -> Self {
        let ops = OpKind::ALL
            .into_iter()
            .filter(|op| {
                let s = rec.get(*op);
                s.ok > 0 || s.error_count() > 0
            })
            .map(|op| OpReport::new(op, rec.get(op), elapsed))
            .collect();
        Phase {
            elapsed_s: elapsed.as_secs_f64(),
            cpu,
            ops,
        }
    }

    /// Failed operations in this phase.
    pub fn errors(&self) -> u64 {
        self.ops.iter().map(|o| o.errors).sum()
    }

    /// The report of `op`, if it ran.
    pub fn op(&self, op: OpKind) -> Option<&OpReport> {
        self.ops.iter().find(|o| o.op == op)
    }
}

/// The whole run, as written to `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always `"strata-bench"`.
    pub tool: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// Start time, seconds since the Unix epoch.
    pub started_unix: u64,
    /// The endpoint measured.
    pub endpoint: String,
    /// The workload as given on the command line.
    pub workload: BTreeMap<String, String>,
    /// Creating the objects the workload needs, if any.
    pub prepare: Option<Phase>,
    /// The measured phase.
    pub run: Phase,
    /// Deleting what the run created, if done.
    pub cleanup: Option<Phase>,
    /// Peak RSS of the generator, bytes.
    pub generator_peak_rss: u64,
}

/// Renders the measured phase as an aligned table plus the error breakdown.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "endpoint {}", report.endpoint);
    let wl: Vec<String> = report
        .workload
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(out, "workload {}", wl.join(" "));
    if let Some(p) = &report.prepare {
        let _ = writeln!(
            out,
            "prepare  {:.1}s, {} objects, {} errors",
            p.elapsed_s,
            p.ops.iter().map(|o| o.ok).sum::<u64>(),
            p.errors()
        );
    }
    let run = &report.run;
    let _ = writeln!(
        out,
        "run      {:.1}s, generator CPU {:.2}s (user {:.2} sys {:.2}, {:.2} cores)",
        run.elapsed_s, run.cpu.total_s, run.cpu.user_s, run.cpu.system_s, run.cpu.cores
    );
    let _ = writeln!(
        out,
        "{:<9} {:>9} {:>7} {:>10} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "op", "ok", "errors", "ops/s", "MiB/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"
    );
    for o in &run.ops {
        let l = &o.latency_ms;
        let _ = writeln!(
            out,
            "{:<9} {:>9} {:>7} {:>10.1} {:>9.2} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            o.op.name(),
            o.ok,
            o.errors,
            o.ops_per_s,
            o.mib_per_s,
            l.p50,
            l.p90,
            l.p99,
            l.p999,
            l.max
        );
        if o.op == OpKind::List {
            let _ = writeln!(
                out,
                "{:<9} {:>9} keys, {:.0} keys/s",
                "", o.items, o.items_per_s
            );
        }
    }
    for o in &run.ops {
        for (class, n) in &o.errors_by_class {
            let _ = writeln!(out, "error     {:<9} {class}: {n}", o.op.name());
        }
    }
    if let Some(c) = &report.cleanup {
        let _ = writeln!(
            out,
            "cleanup  {:.1}s, {} deleted, {} errors",
            c.elapsed_s,
            c.ops.iter().map(|o| o.ok).sum::<u64>(),
            c.errors()
        );
    }
    out
}
