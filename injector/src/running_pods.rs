//! Running web-identity pods get the cluster's new keys.
//!
//! A pod's sidecar reads the cluster's JWKS from a downward-API file of the annotation
//! [`CLUSTER_JWKS`], written at admission. When the cluster rotates its service-account
//! signing key, the kubelet soon hands the app tokens signed with the new key, which a
//! sidecar holding the old copy refuses. So when the injector's copy changes, it rewrites the
//! annotation of every running injected pod whose copy differs (a merge patch of that one
//! annotation); the kubelet then refreshes the file and the sidecar re-reads it.
//!
//! RBAC: `list` and `patch` on pods (the ClusterRole `strata-injector-running-pods`). Without
//! it the pass fails, is logged and counted, and is tried again at the next refresh.

use http::{Method, StatusCode};
use serde_json::{json, Value};
use thiserror::Error;

use crate::annotations::INJECT_LABEL;
use crate::tls::kube::{ApiClient, KubeError};
use crate::web_identity::CLUSTER_JWKS;

/// Every pod, all namespaces (narrowed by the opt-in label).
const PODS_PATH: &str = "/api/v1/pods";
/// Pods asked for per list call.
const PAGE: u32 = 250;

/// The running pods could not be listed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// The API call failed (RBAC included: `list` on pods).
    #[error(transparent)]
    Api(#[from] KubeError),
    /// The answer is not a PodList.
    #[error("{path}: not a PodList: {reason}")]
    Malformed {
        /// The list call.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// Running pods whose annotation was rewritten.
    pub patched: u32,
    /// Running pods that already held the keys.
    pub current: u32,
    /// Pods that went away between the list and their patch.
    pub gone: u32,
    /// Pods whose patch failed (see the log); they are tried again at the next pass.
    pub failed: u32,
}

impl RefreshReport {
    /// Every running pod holds the keys (as far as this pass could see).
    pub fn complete(&self) -> bool {
        self.failed == 0
    }
}

/// Rewrites [`CLUSTER_JWKS`] on every running injected pod whose copy is not `jwks`.
/// Fails only when the pods cannot be listed; a failed patch is counted in the report.
pub async fn refresh(api: &ApiClient, jwks: &str) -> Result<RefreshReport, RefreshError> {
    let mut report = RefreshReport::default();
    let mut next: Option<String> = None;
    loop {
        let path = list_path(next.as_deref());
        let body = api.get_ok(&path).await?;
        let page: Value = serde_json::from_slice(&body).map_err(|e| RefreshError::Malformed {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let Some(items) = page["items"].as_array() else {
            return Err(RefreshError::Malformed {
                path,
                reason: "no \"items\"".to_owned(),
            });
        };
        for pod in items {
            let target = match holding(pod, jwks) {
                Holding::Current => {
                    report.current += 1;
                    continue;
                }
                Holding::Other => continue,
                Holding::Stale(target) => target,
            };
            match patch(api, &target, jwks).await {
                Ok(true) => report.patched += 1,
                Ok(false) => report.gone += 1,
                Err(e) => {
                    tracing::warn!(namespace = %target.namespace, pod = %target.name, error = %e, "cannot give a running pod the cluster's new keys");
                    report.failed += 1;
                }
            }
        }
        next = page["metadata"]["continue"]
            .as_str()
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            return Ok(report);
        }
    }
}

/// A pod to patch.
struct Target {
    namespace: String,
    name: String,
}

/// What a listed pod holds.
enum Holding {
    /// Running with the keys.
    Current,
    /// Running with another copy: to patch.
    Stale(Target),
    /// Not a concern: no copy (static keys), ended, being deleted, or unnamed.
    Other,
}

fn holding(pod: &Value, jwks: &str) -> Holding {
    let Some(held) = pod["metadata"]["annotations"][CLUSTER_JWKS].as_str() else {
        return Holding::Other;
    };
    if !running(pod) {
        return Holding::Other;
    }
    if held == jwks {
        return Holding::Current;
    }
    let name = |field: &str| pod["metadata"][field].as_str().map(str::to_owned);
    match (name("namespace"), name("name")) {
        (Some(namespace), Some(name)) => Holding::Stale(Target { namespace, name }),
        _ => Holding::Other,
    }
}

fn running(pod: &Value) -> bool {
    let ended = matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    );
    !ended && pod["metadata"]["deletionTimestamp"].is_null()
}

/// Patches one pod's annotation: `Ok(false)` when the pod is gone.
async fn patch(api: &ApiClient, target: &Target, jwks: &str) -> Result<bool, KubeError> {
    let path = format!(
        "/api/v1/namespaces/{}/pods/{}",
        encode(&target.namespace),
        encode(&target.name)
    );
    let body = json!({"metadata": {"annotations": {CLUSTER_JWKS: jwks}}});
    let (status, _) = api
        .expect(
            Method::PATCH,
            &path,
            "application/merge-patch+json",
            Some(body.to_string().into_bytes()),
            &[StatusCode::OK, StatusCode::NOT_FOUND],
        )
        .await?;
    Ok(status == StatusCode::OK)
}

/// The list call: injected pods only, one page from `continue_token`.
fn list_path(continue_token: Option<&str>) -> String {
    let mut path = format!(
        "{PODS_PATH}?labelSelector={}&limit={PAGE}",
        encode(&format!("{INJECT_LABEL}=true"))
    );
    if let Some(token) = continue_token {
        path.push_str("&continue=");
        path.push_str(&encode(token));
    }
    path
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(annotation: Option<&str>, phase: &str, deleting: bool) -> Value {
        let mut pod = json!({
            "metadata": {"namespace": "apps", "name": "web-0", "annotations": {}},
            "status": {"phase": phase},
        });
        if let Some(jwks) = annotation {
            pod["metadata"]["annotations"][CLUSTER_JWKS] = json!(jwks);
        }
        if deleting {
            pod["metadata"]["deletionTimestamp"] = json!("2026-12-06T10:00:00Z");
        }
        pod
    }

    #[test]
    fn only_running_pods_with_another_copy_are_patched() {
        let stale = |p: &Value| matches!(holding(p, "new"), Holding::Stale(_));
        assert!(stale(&pod(Some("old"), "Running", false)));
        assert!(stale(&pod(Some("old"), "Pending", false)));
        assert!(matches!(
            holding(&pod(Some("new"), "Running", false), "new"),
            Holding::Current
        ));
        for other in [
            pod(None, "Running", false),
            pod(Some("old"), "Succeeded", false),
            pod(Some("old"), "Failed", false),
            pod(Some("old"), "Running", true),
        ] {
            assert!(matches!(holding(&other, "new"), Holding::Other), "{other}");
        }
    }

    #[test]
    fn the_list_asks_for_injected_pods_and_carries_the_continue_token() {
        assert_eq!(
            list_path(None),
            "/api/v1/pods?labelSelector=strata.io%2Finject%3Dtrue&limit=250"
        );
        assert_eq!(
            list_path(Some("eyJ2Ijoi+/=")),
            "/api/v1/pods?labelSelector=strata.io%2Finject%3Dtrue&limit=250&continue=eyJ2Ijoi%2B%2F%3D"
        );
    }
}
