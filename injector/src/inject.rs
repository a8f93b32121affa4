//! The admission decision for one pod: skip, already injected, reject, or a patch.
//!
//! Everything here is a pure function of the pod JSON and the injector's config: no API
//! calls while admitting (the webhook has `sideEffects: None` and a 5 s budget), so the
//! outcome is the same for dry runs, retries and reinvocations.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use thiserror::Error;

use crate::annotations::{
    self, AnnotationError, Credentials, Request, APP_CONTAINERS, CREDENTIALS_SECRET, INJECT_LABEL,
    ROLE_ARN, STATUS, VOLUMES,
};
use crate::cloud_identity;
use crate::config::InjectorConfig;
use crate::patch::{append_all, set_key, PatchOp};
use crate::sidecar::{
    self, WebIdentityParts, PROMETHEUS_ANNOTATION_PREFIX, RESERVED_VOLUMES, S3_PORT, SIDECAR_NAME,
    TLS_PORT,
};
use crate::web_identity::{self, PodRole};

/// kubectl's default container for `logs`/`exec`: the app, not the sidecar.
pub const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

/// Containers other injectors add; they get no AWS settings (never touch others' sidecars).
const FOREIGN_SIDECARS: [&str; 8] = [
    "istio-proxy",
    "istio-init",
    "istio-validation",
    "linkerd-proxy",
    "linkerd-init",
    "vault-agent",
    "vault-agent-init",
    "daprd",
];

/// Why a pod is refused. Messages are shown by `kubectl` as they are, so each says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Rejection {
    /// An annotation is missing or malformed.
    #[error(transparent)]
    Annotation(#[from] AnnotationError),
    /// `strata.io/volumes` names a volume the pod does not have.
    #[error("{VOLUMES}: storage class \"{class}\" names volume \"{volume}\", but the pod has no volume of that name (pod volumes: {available}); add it to the pod (spec.volumes or the StatefulSet's volumeClaimTemplates) or fix the annotation")]
    MissingVolume {
        /// Class that names it.
        class: String,
        /// The missing volume.
        volume: String,
        /// The pod's volumes, comma separated.
        available: String,
    },
    /// An app container mounts a volume that belongs to the sidecar.
    #[error("container \"{container}\" mounts volume \"{volume}\", which {VOLUMES} gives to the strata sidecar; remove that volumeMount and use S3 instead (a direct mount bypasses strata's erasure coding and S3 access control)")]
    AppMountsStrataVolume {
        /// The offending container.
        container: String,
        /// The volume it mounts.
        volume: String,
    },
    /// The pod already uses a name the sidecar needs.
    #[error("the pod already has a {kind} named \"{name}\", a name strata reserves for its sidecar; rename it")]
    ReservedName {
        /// `container` or `volume`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// An app container claims a port the sidecar listens on.
    #[error("container \"{container}\" declares port {port}, which the strata sidecar listens on; move the app to another port{hint}")]
    PortConflict {
        /// The container.
        container: String,
        /// The port.
        port: u64,
        /// How else to resolve it, if there is another way (the metrics port moves).
        hint: &'static str,
    },
    /// `strata.io/app-containers` names a container the pod lacks.
    #[error("{APP_CONTAINERS} names \"{0}\", which is not a container of this pod")]
    UnknownAppContainer(String),
    /// Web identity was asked for, but the injector has not read the cluster's
    /// service-account keys yet: the sidecar could not verify the app's token.
    #[error("the injector has not yet read the cluster's service-account issuer and keys (/.well-known/openid-configuration, /openid/v1/jwks), so the sidecar could not verify the app's token; retry in a few seconds (see the injector's log and its RBAC: system:service-account-issuer-discovery), or use {CREDENTIALS_SECRET}")]
    NoClusterKeys,
    /// The app's role (default or `strata.io/role-arn`) cannot be declared by the sidecar.
    #[error("{ROLE_ARN}: {0}")]
    Role(String),
    /// The object is not a usable pod.
    #[error("the pod cannot be read: {0}")]
    MalformedPod(&'static str),
}

/// What the webhook answers for one pod.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Allowed with this patch.
    Inject(Vec<PatchOp>),
    /// Allowed unchanged, because the pod carries the status annotation.
    AlreadyInjected,
    /// Allowed unchanged, for this reason (also returned as an admission warning when
    /// the user asked for injection but cannot get it).
    Skip {
        /// Why.
        reason: String,
        /// Whether to tell the user (a warning) or not (not opted in).
        warn: bool,
    },
    /// Refused.
    Reject(Rejection),
}

/// Decides for `pod` (the AdmissionRequest's object) in `namespace`.
pub fn decide(pod: &Value, namespace: &str, cfg: &InjectorConfig) -> Outcome {
    if namespace == cfg.own_namespace || cfg.skip_namespaces.iter().any(|n| n == namespace) {
        return Outcome::Skip {
            reason: format!("namespace {namespace} is never injected"),
            warn: false,
        };
    }
    let meta = &pod["metadata"];
    if meta["labels"][INJECT_LABEL].as_str() != Some("true") {
        return Outcome::Skip {
            reason: format!("label {INJECT_LABEL} is not \"true\""),
            warn: false,
        };
    }
    let annotations: BTreeMap<String, String> = match meta.get("annotations") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect(),
        Some(_) => {
            return Outcome::Reject(Rejection::MalformedPod(
                "metadata.annotations is not an object",
            ))
        }
    };
    if annotations.contains_key(STATUS) {
        return Outcome::AlreadyInjected;
    }
    let spec = &pod["spec"];
    if !spec.is_object() {
        return Outcome::Reject(Rejection::MalformedPod("spec is missing"));
    }
    if spec["hostNetwork"].as_bool() == Some(true) {
        return Outcome::Skip {
            reason: "strata: hostNetwork pods are not injected (the sidecar's loopback port would be the node's)".to_owned(),
            warn: true,
        };
    }
    let req = match annotations::parse(&annotations) {
        Ok(req) => req,
        Err(e) => return Outcome::Reject(e.into()),
    };
    match build(pod, &req, namespace, cfg, &annotations) {
        Ok(ops) => Outcome::Inject(ops),
        Err(e) => Outcome::Reject(e),
    }
}

/// A container of the pod as the patch sees it.
struct Slot<'a> {
    list: &'static str,
    index: usize,
    c: &'a Value,
}

impl Slot<'_> {
    fn name(&self) -> &str {
        self.c["name"].as_str().unwrap_or_default()
    }
}

fn build(
    pod: &Value,
    req: &Request,
    namespace: &str,
    cfg: &InjectorConfig,
    annotations: &BTreeMap<String, String>,
) -> Result<Vec<PatchOp>, Rejection> {
    let spec = &pod["spec"];
    let native = req.native_sidecar.unwrap_or(cfg.native_sidecars);
    let array = |v: &Value, what: &'static str| -> Result<Vec<Value>, Rejection> {
        match v {
            Value::Null => Ok(Vec::new()),
            Value::Array(a) => Ok(a.clone()),
            _ => Err(Rejection::MalformedPod(what)),
        }
    };
    let inits = array(&spec["initContainers"], "spec.initContainers is not a list")?;
    let mains = array(&spec["containers"], "spec.containers is not a list")?;
    let pod_volumes = array(&spec["volumes"], "spec.volumes is not a list")?;
    if mains.is_empty() {
        return Err(Rejection::MalformedPod("spec.containers is empty"));
    }
    let slots: Vec<Slot<'_>> = inits
        .iter()
        .enumerate()
        .map(|(index, c)| Slot {
            list: "initContainers",
            index,
            c,
        })
        .chain(mains.iter().enumerate().map(|(index, c)| Slot {
            list: "containers",
            index,
            c,
        }))
        .collect();

    // Checks, in the order a user fixes things: names, volumes, mounts, ports.
    if let Some(s) = slots.iter().find(|s| s.name() == SIDECAR_NAME) {
        return Err(Rejection::ReservedName {
            kind: "container",
            name: s.name().to_owned(),
        });
    }
    let volume_names: Vec<&str> = pod_volumes
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    let reserved = |n: &&&str| {
        RESERVED_VOLUMES.contains(*n) || n.starts_with(crate::tiers::TIER_VOLUME_PREFIX)
    };
    if let Some(name) = volume_names.iter().find(reserved) {
        return Err(Rejection::ReservedName {
            kind: "volume",
            name: (*name).to_owned(),
        });
    }
    for class in &req.classes {
        for volume in &class.volumes {
            if !volume_names.contains(&volume.as_str()) {
                let available = if volume_names.is_empty() {
                    "none".to_owned()
                } else {
                    volume_names.join(", ")
                };
                return Err(Rejection::MissingVolume {
                    class: class.name.clone(),
                    volume: volume.clone(),
                    available,
                });
            }
        }
    }
    let ours = |v: &str| req.classes.iter().any(|c| c.volumes.iter().any(|n| n == v));
    for s in &slots {
        for mount in s.c["volumeMounts"].as_array().into_iter().flatten() {
            if let Some(volume) = mount["name"].as_str().filter(|v| ours(v)) {
                return Err(Rejection::AppMountsStrataVolume {
                    container: s.name().to_owned(),
                    volume: volume.to_owned(),
                });
            }
        }
        for port in s.c["ports"].as_array().into_iter().flatten() {
            let p = port["containerPort"].as_u64();
            if p == Some(S3_PORT)
                || p == Some(u64::from(req.metrics_port))
                || (req.tls_secret.is_some() && p == Some(TLS_PORT))
            {
                let port = p.unwrap_or_default();
                let hint = if port == u64::from(req.metrics_port) {
                    " (or the sidecar's metrics, with strata.io/metrics-port)"
                } else {
                    ""
                };
                return Err(Rejection::PortConflict {
                    container: s.name().to_owned(),
                    port,
                    hint,
                });
            }
        }
    }
    let apps: Vec<&Slot<'_>> = match &req.app_containers {
        Some(names) => {
            if let Some(missing) = names
                .iter()
                .find(|n| !slots.iter().any(|s| s.name() == n.as_str()))
            {
                return Err(Rejection::UnknownAppContainer(missing.clone()));
            }
            slots
                .iter()
                .filter(|s| names.iter().any(|n| n == s.name()))
                .collect()
        }
        None => slots
            .iter()
            .filter(|s| !FOREIGN_SIDECARS.contains(&s.name()))
            // Without native sidecars, init containers run before the gateway exists.
            .filter(|s| native || s.list == "containers")
            .collect(),
    };

    let sa = spec["serviceAccountName"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or("default");
    let cluster = cfg.cluster.current();
    let role = match &req.credentials {
        Credentials::WebIdentity { role_arn } => {
            Some(PodRole::new(role_arn.as_deref(), cfg, namespace, sa).map_err(Rejection::Role)?)
        }
        Credentials::Secret(_) => None,
    };
    let web = match (&role, &cluster) {
        (Some(role), Some(cluster)) => Some(WebIdentityParts { role, cluster }),
        (Some(_), None) => return Err(Rejection::NoClusterKeys),
        (None, _) => None,
    };
    let rendered = sidecar::render(req, cfg, native, namespace, sa, web);
    let mut profile_used = false;
    let mut ops = Vec::new();

    // App containers first, by their original indexes: the sidecar is inserted at index 0
    // afterwards, which shifts them.
    for s in &apps {
        let base = format!("/spec/{}/{}", s.list, s.index);
        let has = |name: &str| {
            s.c["env"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["name"].as_str() == Some(name))
        };
        // A container with its own AWS role (IRSA, Pod Identity) keeps it: strata's
        // credentials come as the profile `strata` instead.
        let profile = rendered
            .profile
            .as_ref()
            .filter(|_| web_identity::has_aws_credentials(s.c));
        profile_used |= profile.is_some();
        let (app_env, app_mounts) = match profile {
            Some(p) => (
                p.env.clone(),
                [rendered.app_mounts.clone(), p.mounts.clone()].concat(),
            ),
            None => (rendered.app_env.clone(), rendered.app_mounts.clone()),
        };
        // A value the user set wins: they may point one container elsewhere on purpose.
        // The two region variables say one thing: a container that sets either keeps its region.
        let region_set = has("AWS_REGION") || has("AWS_DEFAULT_REGION");
        let env: Vec<Value> = app_env
            .iter()
            .filter(|e| {
                let name = e["name"].as_str().unwrap_or_default();
                !(has(name) || region_set && name.ends_with("REGION"))
            })
            .cloned()
            .collect();
        append_all(
            &mut ops,
            &format!("{base}/env"),
            &mut s.c["env"].is_array(),
            env,
        );
        let mounted = |m: &Value| {
            s.c["volumeMounts"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["mountPath"] == m["mountPath"])
        };
        let mounts: Vec<Value> = app_mounts.iter().filter(|m| !mounted(m)).cloned().collect();
        append_all(
            &mut ops,
            &format!("{base}/volumeMounts"),
            &mut s.c["volumeMounts"].is_array(),
            mounts,
        );
    }
    // The sidecar's remote tiers reach the cloud as the pod's containers do.
    let mut sidecar = rendered.container;
    let containers: Vec<&Value> = slots.iter().map(|s| s.c).collect();
    lend_cloud_identity(&mut sidecar, cloud_identity::borrow(&containers));
    if native {
        insert_first(&mut ops, "/spec/initContainers", !inits.is_empty(), sidecar);
    } else {
        insert_first(&mut ops, "/spec/containers", true, sidecar);
    }
    let mut volumes = rendered.volumes;
    let mut new_annotations = rendered.annotations;
    if let Some(profile) = rendered.profile.filter(|_| profile_used) {
        volumes.push(profile.volume);
        new_annotations.push(profile.annotation);
    }
    append_all(
        &mut ops,
        "/spec/volumes",
        &mut spec["volumes"].is_array(),
        volumes,
    );

    let mut has_sc = spec["securityContext"].is_object();
    let sc = &spec["securityContext"];
    if sc["fsGroup"].is_null() {
        // The volumes' files get this group, so the non-root sidecar can write them.
        set_key(
            &mut ops,
            "/spec/securityContext",
            &mut has_sc,
            "fsGroup",
            json!(sidecar::SIDECAR_UID),
        );
    }
    if sc["fsGroupChangePolicy"].is_null() {
        // Recursive chown of a large volume at every start would delay pods by minutes.
        set_key(
            &mut ops,
            "/spec/securityContext",
            &mut has_sc,
            "fsGroupChangePolicy",
            json!("OnRootMismatch"),
        );
    }

    let mut has_annotations = pod["metadata"]["annotations"].is_object();
    if !annotations.contains_key(DEFAULT_CONTAINER) {
        let app = apps
            .iter()
            .copied()
            .find(|s| s.list == "containers")
            .or_else(|| slots.iter().find(|s| s.list == "containers"));
        if let Some(app) = app {
            set_key(
                &mut ops,
                "/metadata/annotations",
                &mut has_annotations,
                DEFAULT_CONTAINER,
                json!(app.name()),
            );
        }
    }
    // An app's own scrape settings win: with any prometheus.io/* annotation present, none is
    // added or changed, and strata is scraped through its named port (the PodMonitor).
    let mut added: Vec<(&str, String)> = Vec::new();
    if !annotations
        .keys()
        .any(|k| k.starts_with(PROMETHEUS_ANNOTATION_PREFIX))
    {
        added.extend(sidecar::scrape_annotations(req.metrics_port));
    }
    added.extend(new_annotations);
    for (key, value) in added {
        set_key(
            &mut ops,
            "/metadata/annotations",
            &mut has_annotations,
            key,
            json!(value),
        );
    }
    let status = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "sidecar": SIDECAR_NAME,
        "mode": if native { "native" } else { "container" },
        "classes": req.classes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
    });
    set_key(
        &mut ops,
        "/metadata/annotations",
        &mut has_annotations,
        STATUS,
        json!(status.to_string()),
    );
    Ok(ops)
}

/// Adds `lent` to the sidecar container, but no mount over a path it mounts already.
fn lend_cloud_identity(sidecar: &mut Value, lent: cloud_identity::Borrowed) {
    if let Some(env) = sidecar["env"].as_array_mut() {
        env.extend(lent.env);
    }
    if let Some(mounts) = sidecar["volumeMounts"].as_array_mut() {
        for m in lent.mounts {
            if !mounts.iter().any(|x| x["mountPath"] == m["mountPath"]) {
                mounts.push(m);
            }
        }
    }
}

fn insert_first(ops: &mut Vec<PatchOp>, path: &str, exists: bool, container: Value) {
    if exists {
        ops.push(PatchOp::add(format!("{path}/0"), container));
    } else {
        ops.push(PatchOp::add(path, json!([container])));
    }
}
