//! The process: its version, when it started, and its serving certificate's expiry.

use std::time::{SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// The version label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Version {
    version: &'static str,
}

/// notAfter (unix seconds) of the certificate the TLS listener serves now; 0 before one is
/// loaded. Shared by the certificate resolver (which sets it) and the registry.
#[derive(Debug, Clone, Default)]
pub struct TlsExpiry(Gauge);

impl TlsExpiry {
    /// Records the certificate now served.
    pub fn set(&self, not_after: i64) {
        self.0.set(not_after);
    }

    /// The recorded notAfter.
    pub fn get(&self) -> i64 {
        self.0.get()
    }
}

/// `strata_build_info`, `strata_start_time_seconds` and, with a TLS listener,
/// `strata_tls_certificate_expiry_timestamp_seconds`.
pub struct ProcessMetrics;

impl ProcessMetrics {
    /// Registers the families; `tls` only when a TLS listener serves.
    pub fn register(registry: &mut Registry, tls: Option<&TlsExpiry>) {
        let info = Family::<Version, Gauge>::default();
        info.get_or_create(&Version {
            version: env!("CARGO_PKG_VERSION"),
        })
        .set(1);
        registry.register("strata_build_info", "The running version (always 1)", info);
        let started = Gauge::<i64>::default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        started.set(now);
        registry.register(
            "strata_start_time_seconds",
            "When the process started, in unix seconds",
            started,
        );
        if let Some(expiry) = tls {
            registry.register(
                "strata_tls_certificate_expiry_timestamp_seconds",
                "notAfter of the certificate the TLS listener serves, in unix seconds",
                expiry.0.clone(),
            );
        }
    }
}
