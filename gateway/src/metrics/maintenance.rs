//! The healer's and the scanner's families, read at each scrape from their status.

use std::sync::Arc;
use std::time::SystemTime;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use strata_volume::{HealTotals, Maintenance, MaintenanceStatus};

use super::store::{family, gauge, single};

/// Who healed: the healer (what reads reported) or the scanner's passes.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    source: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabel {
    source: &'static str,
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DepthLabel {
    depth: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabel {
    class: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BucketLabel {
    bucket: String,
}

/// The maintenance families; per-bucket usage only with `--metrics-per-bucket`.
pub struct MaintenanceMetrics {
    maintenance: Arc<Maintenance>,
    classes: Vec<String>,
    per_bucket: bool,
}

impl std::fmt::Debug for MaintenanceMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaintenanceMetrics").finish_non_exhaustive()
    }
}

impl MaintenanceMetrics {
    /// Reads `maintenance` at each scrape; `classes` are the store's storage classes (each
    /// has its series from the start).
    pub fn new(maintenance: Arc<Maintenance>, classes: Vec<String>, per_bucket: bool) -> Self {
        MaintenanceMetrics {
            maintenance,
            classes,
            per_bucket,
        }
    }
}

fn unix(t: Option<SystemTime>) -> u64 {
    t.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

fn encode_heals(
    e: &mut DescriptorEncoder,
    s: &MaintenanceStatus,
    classes: &[String],
) -> Result<(), std::fmt::Error> {
    let sources: [(&'static str, HealTotals); 2] =
        [("healer", s.healer), ("scanner", s.scans.heal)];
    // Shard files are also rebuilt for the parts of uploads in progress.
    let rebuilders: [(&'static str, HealTotals); 3] =
        [sources[0], sources[1], ("scanner_parts", s.scans.parts)];
    let outcomes = |(source, t): &(&'static str, HealTotals)| {
        let source = *source;
        [
            ("checked", t.checked),
            ("healed", t.healed),
            ("failed", t.failed),
        ]
        .map(|(outcome, n)| (OutcomeLabel { source, outcome }, ConstCounter::new(n)))
    };
    family(
        e,
        "strata_heal_versions",
        "Versions checked by the healer and the scanner's finished passes, and how their heals ended.",
        sources.iter().flat_map(outcomes),
    )?;
    family(
        e,
        "strata_heal_parts",
        "Parts of uploads in progress checked by the scanner's finished passes, and how their heals ended.",
        rebuilders[2..].iter().flat_map(outcomes),
    )?;
    family(
        e,
        "strata_heal_shards",
        "Shard files rebuilt.",
        rebuilders
            .iter()
            .map(|(source, t)| (SourceLabel { source }, ConstCounter::new(t.shard_files))),
    )?;
    family(
        e,
        "strata_heal_bytes",
        "Bytes written into rebuilt shard files.",
        rebuilders
            .iter()
            .map(|(source, t)| (SourceLabel { source }, ConstCounter::new(t.bytes))),
    )?;
    family(
        e,
        "strata_heal_records",
        "Metadata records written to volumes that lacked them, or removed as strays.",
        sources.iter().flat_map(|(source, t)| {
            [
                ("written", t.records_written),
                ("removed", t.records_removed),
            ]
            .map(|(action, n)| (ActionLabel { source, action }, ConstCounter::new(n)))
        }),
    )?;
    family(
        e,
        "strata_heal_volumes_rebuilding",
        "Replacement volumes not refilled yet.",
        classes.iter().map(|class| {
            let n = s.rebuilding.iter().filter(|r| r.class == *class).count();
            let label = ClassLabel {
                class: class.clone(),
            };
            (label, gauge(n as u64))
        }),
    )
}

fn encode_scans(e: &mut DescriptorEncoder, s: &MaintenanceStatus) -> Result<(), std::fmt::Error> {
    family(
        e,
        "strata_scanner_passes",
        "Finished scanner passes.",
        [
            ("cheap", s.scans.cheap_passes),
            ("deep", s.scans.deep_passes),
        ]
        .map(|(depth, n)| (DepthLabel { depth }, ConstCounter::new(n))),
    )?;
    single(
        e,
        "strata_scanner_running",
        "1 while a scanner pass runs.",
        gauge(u64::from(s.scan_running.is_some())),
    )?;
    single(
        e,
        "strata_scanner_last_pass_end_timestamp_seconds",
        "When the last pass ended (0: none yet).",
        gauge(unix(s.last_scan.as_ref().and_then(|r| r.finished))),
    )?;
    single(
        e,
        "strata_scanner_last_deep_pass_end_timestamp_seconds",
        "When the last deep pass ended (0: none yet).",
        gauge(unix(s.last_deep_scan)),
    )?;
    single(
        e,
        "strata_scanner_orphans_removed",
        "Unreferenced shard files removed.",
        ConstCounter::new(s.scans.orphans_removed),
    )?;
    single(
        e,
        "strata_scanner_remote_orphans_removed",
        "Remote-tier objects nothing references (crash leftovers, deleted versions whose tier was down), deleted.",
        ConstCounter::new(s.scans.remote_orphans_removed),
    )?;
    single(
        e,
        "strata_scanner_restores_expired",
        "Local copies of remote versions (RestoreObject) removed as they expired.",
        ConstCounter::new(s.scans.restores_expired),
    )?;
    single(
        e,
        "strata_scanner_orphan_bytes",
        "Bytes of the unreferenced shard files removed.",
        ConstCounter::new(s.scans.orphan_bytes),
    )?;
    single(
        e,
        "strata_scanner_uploads_aborted",
        "Multipart uploads aborted for their age (--upload-expiry) or by their bucket's AbortIncompleteMultipartUpload rule.",
        ConstCounter::new(s.scans.uploads_aborted),
    )
}

fn encode_usage(e: &mut DescriptorEncoder, s: &MaintenanceStatus) -> Result<(), std::fmt::Error> {
    let series = |value: fn(&strata_volume::BucketUsage) -> u64| {
        s.usage.iter().map(move |u| {
            let label = BucketLabel {
                bucket: u.bucket.clone(),
            };
            (label, gauge(value(u)))
        })
    };
    family(
        e,
        "strata_bucket_objects",
        "Objects (current versions that are not delete markers), as the last scanner pass counted (--metrics-per-bucket).",
        series(|u| u.objects),
    )?;
    family(
        e,
        "strata_bucket_versions",
        "Versions, delete markers included, as the last scanner pass counted (--metrics-per-bucket).",
        series(|u| u.versions),
    )?;
    family(
        e,
        "strata_bucket_bytes",
        "Bytes of every version, as the last scanner pass counted (--metrics-per-bucket).",
        series(|u| u.bytes),
    )
}

impl Collector for MaintenanceMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = self.maintenance.status();
        encode_heals(&mut encoder, &s, &self.classes)?;
        encode_scans(&mut encoder, &s)?;
        if self.per_bucket {
            encode_usage(&mut encoder, &s)?;
        }
        Ok(())
    }
}
