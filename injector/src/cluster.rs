//! The cluster's service-account issuer and its public keys (JWKS), kept fresh in the
//! background and handed to each web-identity pod at admission, so that the sidecar can
//! verify the app's projected token without calling the API server (and without any RBAC
//! for the app's service account).
//!
//! Admission never waits on the API: it reads the last fetched copy ([`ClusterKeys`]). A
//! failed refresh keeps the last good copy; with none yet, web-identity pods are refused
//! (`inject::Rejection::NoClusterKeys`) rather than given a sidecar that cannot trust
//! their tokens.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::Value;
use thiserror::Error;

use crate::metrics::Metrics;
use crate::running_pods;
use crate::tls::kube::{ApiClient, KubeError};

/// The API server's issuer discovery document (allowed by the cluster role
/// `system:service-account-issuer-discovery`).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The API server's service-account public keys.
pub const JWKS_PATH: &str = "/openid/v1/jwks";
/// Largest JWKS handed to a pod: it travels in an annotation (all of a pod's annotations
/// share 256 KiB), and a cluster has a handful of keys.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// What the injector knows of the cluster's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterIdentity {
    /// The tokens' `iss` (from the discovery document).
    pub issuer: String,
    /// The JWKS, as compact JSON.
    pub jwks: String,
}

/// The issuer or its keys could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClusterKeysError {
    /// The API call failed.
    #[error(transparent)]
    Api(#[from] KubeError),
    /// The answer is not what the endpoint documents.
    #[error("{path}: {reason}")]
    Malformed {
        /// The endpoint.
        path: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// The last fetched [`ClusterIdentity`], shared by the refresher and admission. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct ClusterKeys(Arc<RwLock<Option<Arc<ClusterIdentity>>>>);

impl ClusterKeys {
    /// A store holding `identity` (tests, or a cluster whose keys are given).
    pub fn with(identity: ClusterIdentity) -> ClusterKeys {
        let keys = ClusterKeys::default();
        keys.set(identity);
        keys
    }

    /// The last fetched copy, if any.
    pub fn current(&self) -> Option<Arc<ClusterIdentity>> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the copy.
    pub fn set(&self, identity: ClusterIdentity) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(identity));
    }
}

/// Checks a JWKS document and returns it as compact JSON.
pub fn compact_jwks(body: &[u8]) -> Result<String, ClusterKeysError> {
    let bad = |reason: &str| ClusterKeysError::Malformed {
        path: JWKS_PATH,
        reason: reason.to_owned(),
    };
    let doc: Value = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    match doc["keys"].as_array() {
        Some(keys) if !keys.is_empty() => {}
        _ => return Err(bad("no \"keys\"")),
    }
    let text = doc.to_string();
    if text.len() > MAX_JWKS_BYTES {
        return Err(bad(&format!("larger than {MAX_JWKS_BYTES} bytes")));
    }
    Ok(text)
}

/// Reads the issuer and its keys from the API server.
pub async fn fetch(api: &ApiClient) -> Result<ClusterIdentity, ClusterKeysError> {
    let discovery = api.get_ok(DISCOVERY_PATH).await?;
    let discovery: Value =
        serde_json::from_slice(&discovery).map_err(|e| ClusterKeysError::Malformed {
            path: DISCOVERY_PATH,
            reason: e.to_string(),
        })?;
    let issuer = discovery["issuer"]
        .as_str()
        .filter(|i| i.starts_with("https://") || i.starts_with("http://"))
        .ok_or(ClusterKeysError::Malformed {
            path: DISCOVERY_PATH,
            reason: "no http(s) \"issuer\"".to_owned(),
        })?
        .to_owned();
    let jwks = api.get_ok(JWKS_PATH).await?;
    Ok(ClusterIdentity {
        issuer,
        jwks: compact_jwks(&jwks)?,
    })
}

/// Whether running pods get the keys when they change (`--refresh-running-pods`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunningPods {
    /// Rewrite their annotation ([`running_pods`]).
    Refresh,
    /// Leave them with the keys of their admission.
    Leave,
}

/// Passes over running pods owed after the keys change: one at once, and one a refresh later
/// for pods admitted with the old copy while the first pass was listing.
const PASSES_AFTER_CHANGE: u8 = 2;

/// Refreshes `keys` every `every` (and every few seconds until the first success), forever,
/// counting each read into `metrics`. With [`RunningPods::Refresh`], running pods that hold
/// another copy get the new one after a change, and at start (an earlier injector may have
/// admitted them before a rotation); a pass that fails is tried again at the next refresh.
pub async fn keep_fresh(
    api: ApiClient,
    keys: ClusterKeys,
    every: Duration,
    metrics: Arc<Metrics>,
    running: RunningPods,
) {
    let mut passes_due = PASSES_AFTER_CHANGE;
    loop {
        let fetched = fetch(&api).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let ok = fetched.is_ok();
        let wait = match fetched {
            Ok(identity) => {
                if keys.current().as_deref() != Some(&identity) {
                    tracing::info!(issuer = %identity.issuer, "cluster service-account keys loaded");
                    keys.set(identity.clone());
                    passes_due = PASSES_AFTER_CHANGE;
                }
                let owed = running == RunningPods::Refresh && passes_due > 0;
                if owed && refresh_running_pods(&api, &identity.jwks, &metrics).await {
                    passes_due -= 1;
                }
                every
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the cluster's service-account keys");
                if keys.current().is_some() {
                    every
                } else {
                    Duration::from_secs(5).min(every)
                }
            }
        };
        metrics.cluster_keys_fetched(ok, keys.current().is_some(), now);
        tokio::time::sleep(wait).await;
    }
}

/// One pass over the running pods; `true` when every one holds `jwks` after it.
async fn refresh_running_pods(api: &ApiClient, jwks: &str, metrics: &Metrics) -> bool {
    match running_pods::refresh(api, jwks).await {
        Ok(report) => {
            if report.patched > 0 || report.failed > 0 {
                tracing::info!(
                    patched = report.patched,
                    failed = report.failed,
                    current = report.current,
                    gone = report.gone,
                    "running pods given the cluster's keys"
                );
            }
            metrics.running_pods_pass(Some(report));
            report.complete()
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot list running pods to give them the cluster's new keys (RBAC: strata-injector-running-pods)");
            metrics.running_pods_pass(None);
            false
        }
    }
}
