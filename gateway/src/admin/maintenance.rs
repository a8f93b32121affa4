//! The healer and the scanner: `GET heal` (`strata:GetHealStatus`) reports both,
//! `POST heal?bucket=B&key=K[&version-id=V][&deep=true]` (`strata:HealObject`) heals one
//! version now, `POST scan[?deep=true]` (`strata:StartScan`) asks for a scanner pass.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use strata_volume::{HealReport, HealTotals, MaintenanceStatus, ScanDepth, ScanReport};

use super::json::answer as json;
use super::server::AdminServer;
use crate::s3::error::{Code, S3Error};
use crate::s3::query::Query;
use crate::s3::response::Response;

/// The query parameters of `POST heal`.
pub const HEAL_PARAMS: &[&str] = &["bucket", "key", "version-id", "deep"];
/// The query parameter of `POST scan`.
pub const SCAN_PARAMS: &[&str] = &["deep"];

/// Which maintenance call an endpoint makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaintenanceCall {
    /// Where the healer and the scanner stand.
    Status,
    /// Heal one version now.
    HealObject,
    /// Ask for a pass.
    StartScan,
}

/// Answers `call`.
pub async fn answer(
    server: &AdminServer,
    call: MaintenanceCall,
    query: &Query,
) -> Result<Response, S3Error> {
    let maintenance = server
        .maintenance
        .as_deref()
        .ok_or_else(|| Code::NotImplemented.with("this server runs no healer or scanner"))?;
    let deep = deep_param(query)?;
    match call {
        MaintenanceCall::Status => json(200, &status_doc(&maintenance.status())),
        MaintenanceCall::StartScan => {
            let depth = if deep {
                ScanDepth::Deep
            } else {
                ScanDepth::Cheap
            };
            maintenance.request_scan(depth);
            json(202, &serde_json::json!({ "requested": depth_name(depth) }))
        }
        MaintenanceCall::HealObject => heal_object(server, query, deep).await,
    }
}

async fn heal_object(server: &AdminServer, query: &Query, deep: bool) -> Result<Response, S3Error> {
    let required = |name: &str| {
        query
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Code::InvalidArgument.with(format!("{name} is required")))
    };
    let (bucket, key) = (required("bucket")?, required("key")?);
    let version = match query.get("version-id") {
        Some(v) => v.to_string(),
        // The current version; a key whose current version is a delete marker has none.
        None => server
            .store
            .open_object(bucket, key, None)
            .await?
            .info()
            .version_id
            .clone(),
    };
    let report = server
        .store
        .heal_object(bucket, key, &version, deep)
        .await?;
    json(200, &HealDoc::of(bucket, key, &version, &report))
}

fn deep_param(query: &Query) -> Result<bool, S3Error> {
    match query.get("deep") {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => {
            Err(Code::InvalidArgument.with(format!("deep is true or false, not {other:?}")))
        }
    }
}

fn depth_name(d: ScanDepth) -> &'static str {
    match d {
        ScanDepth::Cheap => "cheap",
        ScanDepth::Deep => "deep",
    }
}

/// Seconds since the epoch, as the admin answers give times.
pub(super) fn unix(t: Option<SystemTime>) -> Option<u64> {
    t.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}

/// `POST heal`'s answer.
#[derive(Debug, Serialize)]
struct HealDoc<'a> {
    bucket: &'a str,
    key: &'a str,
    version_id: &'a str,
    records_written: usize,
    records_removed: usize,
    shard_files_rebuilt: usize,
    bytes_written: u64,
    /// Some volume is offline: its copies wait for it.
    incomplete: bool,
}

impl<'a> HealDoc<'a> {
    fn of(bucket: &'a str, key: &'a str, version_id: &'a str, r: &HealReport) -> Self {
        HealDoc {
            bucket,
            key,
            version_id,
            records_written: r.records_written,
            records_removed: r.records_removed,
            shard_files_rebuilt: r.shard_files,
            bytes_written: r.bytes,
            incomplete: r.incomplete,
        }
    }
}

/// `GET heal`'s answer (and the `maintenance` part of `GET status`).
#[derive(Debug, Serialize)]
pub struct MaintenanceDoc {
    healer: TotalsDoc,
    heal_queue: usize,
    rebuilding: Vec<RebuildDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scan_running: Option<ScanDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_scan: Option<ScanDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_deep_scan_unix: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_scan_in_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scan_requested: Option<&'static str>,
    scans: ScansDoc,
}

#[derive(Debug, Serialize)]
struct TotalsDoc {
    checked: u64,
    healed: u64,
    failed: u64,
    records_written: u64,
    records_removed: u64,
    shard_files_rebuilt: u64,
    bytes_written: u64,
}

impl From<HealTotals> for TotalsDoc {
    fn from(t: HealTotals) -> Self {
        TotalsDoc {
            checked: t.checked,
            healed: t.healed,
            failed: t.failed,
            records_written: t.records_written,
            records_removed: t.records_removed,
            shard_files_rebuilt: t.shard_files,
            bytes_written: t.bytes,
        }
    }
}

#[derive(Debug, Serialize)]
struct RebuildDoc {
    class: String,
    path: String,
    since_unix: Option<u64>,
}

#[derive(Debug, Serialize)]
struct ScanDoc {
    depth: &'static str,
    started_unix: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_unix: Option<u64>,
    resumed: bool,
    versions: TotalsDoc,
    parts: TotalsDoc,
    orphans_removed: u64,
    orphan_bytes: u64,
    remote_orphans_removed: u64,
    restores_expired: u64,
    swept_dirs: u64,
    uploads_aborted: u64,
    usage: Vec<UsageDoc>,
    errors: Vec<String>,
    failures: Vec<String>,
}

#[derive(Debug, Serialize)]
struct UsageDoc {
    bucket: String,
    objects: u64,
    versions: u64,
    delete_markers: u64,
    bytes: u64,
}

#[derive(Debug, Serialize)]
struct ScansDoc {
    cheap_passes: u64,
    deep_passes: u64,
    versions: TotalsDoc,
    parts: TotalsDoc,
    orphans_removed: u64,
    remote_orphans_removed: u64,
    restores_expired: u64,
    uploads_aborted: u64,
}

impl ScanDoc {
    fn of(r: &ScanReport) -> Self {
        ScanDoc {
            depth: depth_name(r.depth),
            started_unix: unix(r.started),
            finished_unix: unix(r.finished),
            resumed: r.resumed,
            versions: r.heal.into(),
            parts: r.parts.into(),
            orphans_removed: r.orphans_removed,
            orphan_bytes: r.orphan_bytes,
            remote_orphans_removed: r.remote_orphans_removed,
            restores_expired: r.restores_expired,
            swept_dirs: r.swept_dirs,
            uploads_aborted: r.uploads_aborted,
            usage: r
                .usage
                .iter()
                .map(|u| UsageDoc {
                    bucket: u.bucket.clone(),
                    objects: u.objects,
                    versions: u.versions,
                    delete_markers: u.delete_markers,
                    bytes: u.bytes,
                })
                .collect(),
            errors: r.errors.clone(),
            failures: r.failures.clone(),
        }
    }
}

/// The document of `s`.
pub fn status_doc(s: &MaintenanceStatus) -> MaintenanceDoc {
    MaintenanceDoc {
        healer: s.healer.into(),
        heal_queue: s.heal_queue,
        rebuilding: s
            .rebuilding
            .iter()
            .map(|r| RebuildDoc {
                class: r.class.clone(),
                path: r.path.display().to_string(),
                since_unix: unix(Some(r.since)),
            })
            .collect(),
        scan_running: s.scan_running.as_ref().map(ScanDoc::of),
        last_scan: s.last_scan.as_ref().map(ScanDoc::of),
        last_deep_scan_unix: unix(s.last_deep_scan),
        next_scan_in_seconds: s.next_scan_in.map(|d: Duration| d.as_secs()),
        scan_requested: s.scan_requested.map(depth_name),
        scans: ScansDoc {
            cheap_passes: s.scans.cheap_passes,
            deep_passes: s.scans.deep_passes,
            versions: s.scans.heal.into(),
            parts: s.scans.parts.into(),
            orphans_removed: s.scans.orphans_removed,
            remote_orphans_removed: s.scans.remote_orphans_removed,
            restores_expired: s.scans.restores_expired,
            uploads_aborted: s.scans.uploads_aborted,
        },
    }
}
