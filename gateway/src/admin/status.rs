//! `GET /strata/admin/status` (`strata:GetStatus`): version, uptime, readiness and each
//! storage class with its volumes, as JSON. Only what the store already reports.

use serde::Serialize;

use super::server::AdminServer;
use crate::s3::error::S3Error;
use crate::s3::response::Response;

/// The status document.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    /// The running version.
    pub version: &'static str,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
    /// Whether every class reaches its write quorum and no shutdown has begun (what
    /// `/strata/health/ready` answers).
    pub ready: bool,
    /// Whether a shutdown has begun.
    pub shutting_down: bool,
    /// The storage classes, the namespace class first.
    pub classes: Vec<ClassReport>,
    /// The healer and the scanner (absent when they do not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<super::maintenance::MaintenanceDoc>,
}

/// One storage class.
#[derive(Debug, Serialize)]
pub struct ClassReport {
    /// Its name.
    pub name: String,
    /// Its scheme, e.g. `2+2`.
    pub scheme: String,
    /// Volumes a write needs.
    pub write_quorum: usize,
    /// Volumes a read needs.
    pub read_quorum: usize,
    /// Whether reads and writes reach quorum now.
    pub writable: bool,
    /// Volumes configured.
    pub volumes_total: usize,
    /// Volumes serving.
    pub volumes_online: usize,
    /// Each volume.
    pub volumes: Vec<VolumeReport>,
}

/// One volume.
#[derive(Debug, Serialize)]
pub struct VolumeReport {
    /// The directory as configured.
    pub path: String,
    /// Whether it serves.
    pub online: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The filesystem's size (online volumes whose filesystem answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_bytes: Option<u64>,
    /// Space strata can still use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_bytes: Option<u64>,
    /// Space in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_bytes: Option<u64>,
    /// When it went out of service while strata ran (seconds since the epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_since_unix: Option<u64>,
}

/// The report of `server` now.
pub fn report(server: &AdminServer) -> StatusReport {
    let status = server.store.status();
    let volumes = server.store.volumes();
    let shutting_down = server.stop.is_stopping();
    let classes = status
        .classes
        .into_iter()
        .map(|c| ClassReport {
            volumes: volumes
                .iter()
                .filter(|v| v.class == c.name)
                .map(|v| VolumeReport {
                    path: v.path.display().to_string(),
                    online: v.online,
                    reason: v.reason.clone(),
                    capacity_bytes: v.space.map(|s| s.capacity_bytes),
                    free_bytes: v.space.map(|s| s.free_bytes),
                    used_bytes: v.space.map(|s| s.used_bytes),
                    down_since_unix: super::maintenance::unix(v.down_since),
                })
                .collect(),
            name: c.name,
            scheme: c.scheme,
            write_quorum: c.write_quorum,
            read_quorum: c.read_quorum,
            writable: c.writable,
            volumes_total: c.total,
            volumes_online: c.online,
        })
        .collect();
    StatusReport {
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: server.started.elapsed().as_secs(),
        ready: status.ready && !shutting_down,
        shutting_down,
        classes,
        maintenance: server
            .maintenance
            .as_ref()
            .map(|m| super::maintenance::status_doc(&m.status())),
    }
}

/// Answers the report as JSON.
pub fn get_status(server: &AdminServer) -> Result<Response, S3Error> {
    super::json::answer(200, &report(server))
}
