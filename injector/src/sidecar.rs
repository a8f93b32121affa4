//! Renders the sidecar: its container, the pod volumes it needs, and the settings each app
//! container gets. Pure functions of the parsed [`Request`] and the [`InjectorConfig`].
//!
//! Decisions, with their reasons:
//! - **Probes are `exec`**: the gateway serves plain S3 on `127.0.0.1:9000` only (plain S3
//!   must not leave the pod), and a kubelet `httpGet` probe dials the pod IP, not loopback.
//!   An exec probe runs in the container's network namespace, so the small `probe` command
//!   of `strata-injector` (shipped in the same image) reaches loopback. A separate readiness
//!   listener on the pod IP would also work, but it would be a second port to secure and to
//!   keep free in every app.
//! - **`STRATA_DATA` is an emptyDir**: durable state (IAM, bucket config) belongs in the
//!   erasure-coded first class, like every object; a directory on one volume would sit
//!   outside the erasure set and be lost with that volume. The emptyDir holds scratch and
//!   rendered config, and keeps the root filesystem read-only.
//! - **The ConfigMap is mounted, not `envFrom`**: `strata.toml` holds nested settings
//!   (audit sinks, tiers) that have no flat env form, and a mounted ConfigMap follows
//!   edits without a restart. Env rendered here wins over the file (flag > env > file), so
//!   the webhook's settings cannot be overridden by accident.
//! - **Metrics listen on the pod IP**, port [`DEFAULT_METRICS_PORT`] unless the pod names
//!   another (`strata.io/metrics-port`), named [`METRICS_PORT_NAME`]:
//!   Prometheus scrapes pod IPs, and the metrics listener answers nothing but `/metrics`, so
//!   it exposes no S3. `POD_IP` comes from the downward API and is expanded by the kubelet in
//!   `--metrics-listen $(POD_IP):9464`; a flag, so that nothing in `strata.toml` moves it.

use serde_json::{json, Value};

use crate::annotations::{Credentials, Request, Scheme, ACCESS_KEY_ITEM, SECRET_KEY_ITEM};
use crate::cluster::ClusterIdentity;
use crate::config::InjectorConfig;
use crate::web_identity::{
    self, PodRole, AWS_CONFIG, AWS_CONFIG_DIR, AWS_CONFIG_VOLUME, CLUSTER_JWKS, CLUSTER_VOLUME,
};

/// Name of the injected container.
pub const SIDECAR_NAME: &str = "strata";
/// Loopback S3 endpoint the app talks to.
pub const S3_LISTEN: &str = "127.0.0.1:9000";
/// Port of [`S3_LISTEN`], which no app container may also claim.
pub const S3_PORT: u64 = 9000;
/// Pod port of the optional HTTPS listener.
pub const TLS_PORT: u64 = 9443;
/// Pod port of the metrics listener (`GET /metrics`), always on, unless the pod names
/// another with `strata.io/metrics-port`: OpenTelemetry's Prometheus exporter uses 9464 too.
pub const DEFAULT_METRICS_PORT: u16 = 9464;
/// Name of the metrics port in the container spec: what a PodMonitor selects.
pub const METRICS_PORT_NAME: &str = "strata-metrics";
/// The env variable holding the pod's IP (downward API), expanded in the sidecar's args.
pub const POD_IP_ENV: &str = "POD_IP";
/// Annotation prefix of the plain-Prometheus scrape convention.
pub const PROMETHEUS_ANNOTATION_PREFIX: &str = "prometheus.io/";
/// Where the sidecar's volumes are mounted: `/volumes/<class>/<n>`.
pub const VOLUMES_ROOT: &str = "/volumes";
/// Pod volumes the webhook adds; their names are reserved.
pub const DATA_VOLUME: &str = "strata-data";
/// Writable `/tmp` for a read-only root filesystem.
pub const TMP_VOLUME: &str = "strata-tmp";
/// Secret volume with the pod-port certificate.
pub const TLS_VOLUME: &str = "strata-tls";
/// Secret volume with static keys.
pub const CREDENTIALS_VOLUME: &str = "strata-credentials";
/// ConfigMap volume with `strata.toml`.
pub const CONFIG_VOLUME: &str = "strata-config";
/// Projected service-account token for the app (web identity).
pub const TOKEN_VOLUME: &str = "strata-token";
/// Every name above: a pod that already uses one is rejected.
pub const RESERVED_VOLUMES: [&str; 10] = [
    DATA_VOLUME,
    TMP_VOLUME,
    TLS_VOLUME,
    CREDENTIALS_VOLUME,
    CONFIG_VOLUME,
    TOKEN_VOLUME,
    CLUSTER_VOLUME,
    AWS_CONFIG_VOLUME,
    crate::kms::KMS_TOKEN_VOLUME,
    crate::kms::KMS_CA_VOLUME,
];
/// Token audience: the sidecar's STS accepts only tokens minted for it.
pub const TOKEN_AUDIENCE: &str = "strata";
/// Where the app finds its token.
pub const TOKEN_DIR: &str = "/var/run/secrets/strata.io/serviceaccount";
/// uid/gid of the sidecar (distroless `nonroot`).
pub const SIDECAR_UID: u64 = 65532;
/// Readable by owner and group (fsGroup), as Secrets should be.
const SECRET_MODE: u64 = 0o440;

/// The whole rendering for one pod.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The sidecar container.
    pub container: Value,
    /// Pod volumes to add.
    pub volumes: Vec<Value>,
    /// Env for each app container (skipped per container when it already sets a name).
    pub app_env: Vec<Value>,
    /// Volume mounts for each app container.
    pub app_mounts: Vec<Value>,
    /// Pod annotations to add (the cluster's JWKS in web-identity mode).
    pub annotations: Vec<(&'static str, String)>,
    /// Web-identity mode: what replaces `app_env` in a container that already has AWS
    /// credentials variables.
    pub profile: Option<Profile>,
}

/// Strata's credentials as the named profile `strata`, for containers with their own AWS role.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Env for such a container (no AWS endpoint, region or role variable).
    pub env: Vec<Value>,
    /// Mounts for such a container, besides `app_mounts`.
    pub mounts: Vec<Value>,
    /// The pod volume holding the config file, added when a container uses it.
    pub volume: Value,
    /// The annotation holding the config file.
    pub annotation: (&'static str, String),
}

/// What web-identity mode needs beyond the pod: the role and the cluster's issuer and keys.
#[derive(Debug, Clone, Copy)]
pub struct WebIdentityParts<'a> {
    /// The app's role.
    pub role: &'a PodRole,
    /// The cluster's issuer and JWKS.
    pub cluster: &'a ClusterIdentity,
}

/// Renders the sidecar for `req` in pod namespace `namespace` with service account `sa`;
/// `web` is required in web-identity mode (without it the app gets no credentials).
pub fn render(
    req: &Request,
    cfg: &InjectorConfig,
    native: bool,
    namespace: &str,
    sa: &str,
    web: Option<WebIdentityParts<'_>>,
) -> Rendered {
    let probe = |path: &str| json!({"exec": {"command": [cfg.probe_command, "probe", format!("http://{S3_LISTEN}{path}")]}});
    let ready = "/strata/health/ready";

    let mut env = vec![
        // First: the args refer to it, and the kubelet expands only variables defined before.
        json!({"name": POD_IP_ENV, "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}),
        env_value("STRATA_LISTEN", S3_LISTEN),
        env_value("STRATA_DATA", "/var/lib/strata"),
        env_value("STRATA_VOLUMES", &volumes_spec(req)),
        env_value("STRATA_REGION", &cfg.region),
    ];
    if let Some(erasure) = erasure_spec(req) {
        env.push(env_value("STRATA_ERASURE", &erasure));
    }
    if !req.buckets.is_empty() {
        env.push(env_value("STRATA_BUCKETS", &req.buckets.join(",")));
    }
    let mut mounts = vec![
        json!({"name": DATA_VOLUME, "mountPath": "/var/lib/strata"}),
        json!({"name": TMP_VOLUME, "mountPath": "/tmp"}),
    ];
    let mut volumes = vec![
        // Bounded so a runaway sidecar is evicted instead of filling the node's disk.
        json!({"name": DATA_VOLUME, "emptyDir": {"sizeLimit": "256Mi"}}),
        json!({"name": TMP_VOLUME, "emptyDir": {"sizeLimit": "256Mi"}}),
    ];
    for class in &req.classes {
        for (n, volume) in class.volumes.iter().enumerate() {
            mounts.push(
                json!({"name": volume, "mountPath": format!("{VOLUMES_ROOT}/{}/{n}", class.name)}),
            );
        }
    }
    let mut ports = Vec::new();
    if let Some(secret) = &req.tls_secret {
        env.push(env_value(
            "STRATA_TLS_LISTEN",
            &format!("0.0.0.0:{TLS_PORT}"),
        ));
        env.push(env_value("STRATA_TLS_CERT", "/etc/strata/tls/tls.crt"));
        env.push(env_value("STRATA_TLS_KEY", "/etc/strata/tls/tls.key"));
        // No subPath: the kubelet then updates the files in place when cert-manager
        // renews the Secret, and the gateway reloads them.
        mounts.push(json!({"name": TLS_VOLUME, "mountPath": "/etc/strata/tls", "readOnly": true}));
        volumes.push(json!({"name": TLS_VOLUME, "secret": {"secretName": secret, "defaultMode": SECRET_MODE}}));
        ports.push(json!({"name": "s3-https", "containerPort": TLS_PORT, "protocol": "TCP"}));
    }
    // After the HTTPS port, so that the ports of pods injected before keep their indexes.
    ports.push(
        json!({"name": METRICS_PORT_NAME, "containerPort": req.metrics_port, "protocol": "TCP"}),
    );
    if let Some(config_map) = &req.config_map {
        env.push(env_value("STRATA_CONFIG", "/etc/strata/config/strata.toml"));
        mounts.push(
            json!({"name": CONFIG_VOLUME, "mountPath": "/etc/strata/config", "readOnly": true}),
        );
        volumes.push(json!({"name": CONFIG_VOLUME, "configMap": {"name": config_map}}));
    }

    let (tier_mounts, tier_volumes) = crate::tiers::render(&req.tier_secrets);
    mounts.extend(tier_mounts);
    volumes.extend(tier_volumes);

    if let Some(kms) = &req.kms {
        let (kms_env, kms_mounts, kms_volumes) = crate::kms::render(kms);
        env.extend(kms_env);
        mounts.extend(kms_mounts);
        volumes.extend(kms_volumes);
    }

    let endpoint = format!("http://{S3_LISTEN}");
    // Only S3 (and strata's STS) go to the sidecar: the app's other AWS services stay AWS's.
    // Both region variables: boto3 and the AWS CLI read only AWS_DEFAULT_REGION, the other
    // SDKs AWS_REGION (inject.rs adds neither to a container that sets one of them).
    let mut app_env = vec![
        env_value("AWS_ENDPOINT_URL_S3", &endpoint),
        env_value("AWS_REGION", &cfg.region),
        env_value("AWS_DEFAULT_REGION", &cfg.region),
    ];
    let mut app_mounts = Vec::new();
    let mut annotations = Vec::new();
    let mut profile = None;
    let token_file = format!("{TOKEN_DIR}/token");
    match (&req.credentials, web) {
        (Credentials::WebIdentity { .. }, Some(web)) => {
            app_env.push(env_value("AWS_ENDPOINT_URL_STS", &endpoint));
            app_env.push(env_value("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file));
            app_env.push(env_value("AWS_ROLE_ARN", &web.role.arn));
            app_mounts
                .push(json!({"name": TOKEN_VOLUME, "mountPath": TOKEN_DIR, "readOnly": true}));
            volumes.push(json!({"name": TOKEN_VOLUME, "projected": {"defaultMode": 0o444, "sources": [
                {"serviceAccountToken": {"audience": TOKEN_AUDIENCE, "expirationSeconds": 3600, "path": "token"}}
            ]}}));
            let (sidecar_env, mount) = web_identity::sidecar_settings(
                web.role,
                web.cluster,
                req.role_policy.as_deref(),
                namespace,
                sa,
            );
            env.extend(sidecar_env);
            mounts.push(mount);
            volumes.push(web_identity::annotation_volume(
                CLUSTER_VOLUME,
                CLUSTER_JWKS,
                "jwks.json",
            ));
            annotations.push((CLUSTER_JWKS, web.cluster.jwks.clone()));
            profile = Some(Profile {
                env: vec![env_value(
                    "AWS_CONFIG_FILE",
                    &format!("{AWS_CONFIG_DIR}/config"),
                )],
                mounts: vec![
                    json!({"name": AWS_CONFIG_VOLUME, "mountPath": AWS_CONFIG_DIR, "readOnly": true}),
                ],
                volume: web_identity::annotation_volume(AWS_CONFIG_VOLUME, AWS_CONFIG, "config"),
                annotation: (
                    AWS_CONFIG,
                    web_identity::profile_config(web.role, &token_file, &cfg.region, &endpoint),
                ),
            });
        }
        // inject.rs refuses web identity without the cluster's keys; nothing to give here.
        (Credentials::WebIdentity { .. }, None) => {}
        (Credentials::Secret(secret), _) => {
            env.push(env_value(
                "STRATA_ACCESS_KEY_FILE",
                &format!("/etc/strata/credentials/{ACCESS_KEY_ITEM}"),
            ));
            env.push(env_value(
                "STRATA_SECRET_KEY_FILE",
                &format!("/etc/strata/credentials/{SECRET_KEY_ITEM}"),
            ));
            mounts.push(json!({"name": CREDENTIALS_VOLUME, "mountPath": "/etc/strata/credentials", "readOnly": true}));
            volumes.push(json!({"name": CREDENTIALS_VOLUME, "secret": {"secretName": secret, "defaultMode": SECRET_MODE}}));
            app_env.push(env_secret("AWS_ACCESS_KEY_ID", secret, ACCESS_KEY_ITEM));
            app_env.push(env_secret("AWS_SECRET_ACCESS_KEY", secret, SECRET_KEY_ITEM));
        }
    }
    if !native {
        // Without native sidecars nothing stops the gateway when a Job's app ends: the app
        // (or its wrapper script) posts here when done.
        let shutdown = env_value(
            "STRATA_SHUTDOWN_URL",
            &format!("{endpoint}/strata/admin/shutdown"),
        );
        if let Some(profile) = &mut profile {
            profile.env.push(shutdown.clone());
        }
        app_env.push(shutdown);
    }

    let mut resources = json!({"requests": {"cpu": req.resources.cpu_request, "memory": req.resources.memory_request}});
    let mut limits = serde_json::Map::new();
    if let Some(cpu) = &req.resources.cpu_limit {
        limits.insert("cpu".to_owned(), json!(cpu));
    }
    if let Some(memory) = &req.resources.memory_limit {
        limits.insert("memory".to_owned(), json!(memory));
    }
    if !limits.is_empty() {
        resources["limits"] = Value::Object(limits);
    }

    let mut container = json!({
        "name": SIDECAR_NAME,
        "image": cfg.sidecar_image,
        "imagePullPolicy": cfg.image_pull_policy,
        "args": ["serve", "--metrics-listen", format!("$({POD_IP_ENV}):{}", req.metrics_port)],
        "env": env,
        "volumeMounts": mounts,
        "resources": resources,
        // Volume checks on a first start can take a while: allow 5 minutes, polled each second.
        "startupProbe": with_timing(probe(ready), 1, 300, 3),
        "readinessProbe": with_timing(probe(ready), 10, 3, 3),
        "livenessProbe": with_timing(probe("/strata/health/live"), 20, 3, 5),
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": SIDECAR_UID,
            "runAsGroup": SIDECAR_UID,
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}
        },
        "terminationMessagePolicy": "FallbackToLogsOnError"
    });
    container["ports"] = Value::Array(ports);
    if native {
        // An init container that keeps running: started before the app and later init
        // containers, stopped after them, and it does not keep a Job from completing.
        container["restartPolicy"] = json!("Always");
    } else {
        // The kubelet starts the next container only when this hook returns, so the app
        // starts after S3 is up, as with a native sidecar.
        container["lifecycle"] = json!({"postStart": {"exec": {"command": [
            cfg.probe_command, "probe", "--wait", "300", format!("http://{S3_LISTEN}{ready}")
        ]}}});
    }
    Rendered {
        container,
        volumes,
        app_env,
        app_mounts,
        annotations,
        profile,
    }
}

/// The pod annotations of the plain-Prometheus scrape convention, pointing at the sidecar's
/// metrics `port`. Added only to a pod that has no `prometheus.io/*` annotation of its own.
pub fn scrape_annotations(port: u16) -> [(&'static str, String); 3] {
    [
        ("prometheus.io/scrape", "true".to_owned()),
        ("prometheus.io/port", port.to_string()),
        ("prometheus.io/path", "/metrics".to_owned()),
    ]
}

/// `STRATA_VOLUMES`: `fast=/volumes/fast/0,/volumes/fast/1;bulk=/volumes/bulk/0`.
pub fn volumes_spec(req: &Request) -> String {
    let classes: Vec<String> = req
        .classes
        .iter()
        .map(|c| {
            let dirs: Vec<String> = (0..c.volumes.len())
                .map(|n| format!("{VOLUMES_ROOT}/{}/{n}", c.name))
                .collect();
            format!("{}={}", c.name, dirs.join(","))
        })
        .collect();
    classes.join(";")
}

/// `STRATA_ERASURE` for the classes that name a scheme, or `None` when none does.
pub fn erasure_spec(req: &Request) -> Option<String> {
    let parts: Vec<String> = req
        .classes
        .iter()
        .filter_map(|c| c.scheme.map(|s: Scheme| format!("{}={s}", c.name)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(";"))
}

fn with_timing(mut probe: Value, period: u64, failures: u64, timeout: u64) -> Value {
    probe["periodSeconds"] = json!(period);
    probe["failureThreshold"] = json!(failures);
    probe["timeoutSeconds"] = json!(timeout);
    probe
}

fn env_value(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

fn env_secret(name: &str, secret: &str, key: &str) -> Value {
    json!({"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
}
