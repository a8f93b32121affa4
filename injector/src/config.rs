//! The injector's own settings: what every injected sidecar looks like, whatever the pod.

use crate::cluster::ClusterKeys;

/// Settings that do not come from the pod: image, mode defaults, region, skip rules.
#[derive(Debug, Clone)]
pub struct InjectorConfig {
    /// Image of the sidecar (holds `strata` and the `strata-injector` probe helper).
    pub sidecar_image: String,
    /// `imagePullPolicy` of the sidecar.
    pub image_pull_policy: String,
    /// Path of `strata-injector` inside the sidecar image, used by exec probes and the
    /// fallback postStart hook (the gateway listens on loopback only, so the kubelet's
    /// httpGet probes, which dial the pod IP, cannot reach it).
    pub probe_command: String,
    /// Inject native sidecars (Kubernetes 1.29+) unless a pod says otherwise.
    pub native_sidecars: bool,
    /// Region in the app's `AWS_REGION` and the gateway's SigV4 scope.
    pub region: String,
    /// The injector's namespace: never injected, so the injector cannot block itself.
    pub own_namespace: String,
    /// Further namespaces that are never injected.
    pub skip_namespaces: Vec<String>,
    /// Account in the default role ARN `arn:aws:iam::<account>:role/<namespace>/<sa>`.
    pub role_account: String,
    /// The cluster's service-account issuer and keys (refreshed in the background; read,
    /// never fetched, at admission).
    pub cluster: ClusterKeys,
}

impl Default for InjectorConfig {
    fn default() -> Self {
        InjectorConfig {
            sidecar_image: format!("ghcr.io/strata-io/strata:{}", env!("CARGO_PKG_VERSION")),
            image_pull_policy: "IfNotPresent".to_owned(),
            probe_command: "/usr/local/bin/strata-injector".to_owned(),
            native_sidecars: true,
            region: "us-east-1".to_owned(),
            own_namespace: "strata-system".to_owned(),
            skip_namespaces: vec!["kube-system".to_owned(), "kube-public".to_owned()],
            role_account: "000000000000".to_owned(),
            cluster: ClusterKeys::default(),
        }
    }
}
