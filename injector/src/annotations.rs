//! What a pod asks for: the `strata.io/*` annotations, parsed and checked.
//!
//! Parsing is pure (no pod, no API server): it turns annotation strings into a typed
//! [`Request`] or an [`AnnotationError`] whose message names the annotation and says what
//! to write instead, because that message is what `kubectl apply` shows the user.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::quantity::Quantity;

#[path = "annotations_kms.rs"]
mod kms;

pub use kms::{
    parse as parse_kms, KmsRequest, DEFAULT_AUDIENCE as DEFAULT_KMS_AUDIENCE, KMS_ADDRESS,
    KMS_AUDIENCE, KMS_AUTH, KMS_AUTH_MOUNT, KMS_CA_CONFIGMAP, KMS_KEY, KMS_MOUNT, KMS_ROLE,
};

/// The label that opts a pod in; the webhook's objectSelector filters on it too.
pub const INJECT_LABEL: &str = "strata.io/inject";
/// Storage classes and the pod volumes that make them: `fast=a,b,c,d; bulk=e,f`.
pub const VOLUMES: &str = "strata.io/volumes";
/// Optional erasure scheme per class: `fast=2+2; bulk=mirror`.
pub const ERASURE: &str = "strata.io/erasure";
/// Buckets created at first start: `uploads,reports`.
pub const BUCKETS: &str = "strata.io/buckets";
/// Secret (`tls.crt`, `tls.key`) for the optional HTTPS listener on the pod port.
pub const TLS_SECRET: &str = "strata.io/tls-secret";
/// ConfigMap holding `strata.toml` with further settings.
pub const CONFIG: &str = "strata.io/config";
/// Secret holding static keys (`access-key`, `secret-key`) instead of web identity.
pub const CREDENTIALS_SECRET: &str = "strata.io/credentials-secret";
/// Role the app assumes with its projected token (web identity mode).
pub const ROLE_ARN: &str = "strata.io/role-arn";
/// Permissions of the app's role (web identity mode): an IAM policy document (JSON).
pub const ROLE_POLICY: &str = "strata.io/role-policy";
/// `"false"` forces the fallback (plain container) sidecar on clusters before 1.29.
pub const NATIVE_SIDECAR: &str = "strata.io/native-sidecar";
/// Comma list of the containers that get the AWS settings (default: all but known sidecars).
pub const APP_CONTAINERS: &str = "strata.io/app-containers";
/// The sidecar's metrics port on the pod IP (default 9464), for an app that uses 9464 itself.
pub const METRICS_PORT: &str = "strata.io/metrics-port";
/// Sidecar CPU request (default `100m`).
pub const CPU_REQUEST: &str = "strata.io/cpu-request";
/// Sidecar memory request (default `128Mi`).
pub const MEMORY_REQUEST: &str = "strata.io/memory-request";
/// Sidecar CPU limit (default: none, so the sidecar is never throttled below its request).
pub const CPU_LIMIT: &str = "strata.io/cpu-limit";
/// Sidecar memory limit (default `1Gi`).
pub const MEMORY_LIMIT: &str = "strata.io/memory-limit";
/// Written by the webhook: what it injected. Its presence makes a second call a no-op.
pub const STATUS: &str = "strata.io/status";

/// Data keys the credentials Secret must hold.
pub const ACCESS_KEY_ITEM: &str = "access-key";
/// See [`ACCESS_KEY_ITEM`].
pub const SECRET_KEY_ITEM: &str = "secret-key";

/// A malformed annotation. The message is shown to the user verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AnnotationError {
    /// A required annotation is absent.
    #[error("annotation {annotation} is required: {hint}")]
    Missing {
        /// The annotation's name.
        annotation: &'static str,
        /// What to write.
        hint: &'static str,
    },
    /// An annotation is present but does not parse or contradicts another.
    #[error("annotation {annotation}: {problem}")]
    Invalid {
        /// The annotation's name.
        annotation: &'static str,
        /// What is wrong, and how to fix it.
        problem: String,
    },
}

pub(crate) fn invalid(annotation: &'static str, problem: impl Into<String>) -> AnnotationError {
    AnnotationError::Invalid {
        annotation,
        problem: problem.into(),
    }
}

/// How a storage class protects its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Reed-Solomon with `data` + `parity` shards.
    Erasure {
        /// Data shards (K).
        data: u32,
        /// Parity shards (M).
        parity: u32,
    },
    /// Every volume holds a full copy.
    Mirror,
    /// No redundancy (the volumes are already redundant).
    None,
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scheme::Erasure { data, parity } => write!(f, "{data}+{parity}"),
            Scheme::Mirror => f.write_str("mirror"),
            Scheme::None => f.write_str("none"),
        }
    }
}

/// One storage class: its name, the pod volumes behind it, and an optional scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageClass {
    /// Class name as S3 `x-amz-storage-class` sees it (lower-cased by strata).
    pub name: String,
    /// Names of pod volumes, in order: volume `n` is mounted at `/volumes/<class>/<n>`.
    pub volumes: Vec<String>,
    /// Scheme from `strata.io/erasure`; `None` lets the gateway choose by volume count.
    pub scheme: Option<Scheme>,
}

/// Where the app's credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Projected service-account token (audience `strata`) + role ARN.
    WebIdentity {
        /// Explicit role, or `None` for the default derived from the service account.
        role_arn: Option<String>,
    },
    /// Static keys from a Secret, shared by the sidecar (root keys) and the app.
    Secret(String),
}

/// Sidecar resources, always with requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// CPU request.
    pub cpu_request: String,
    /// Memory request.
    pub memory_request: String,
    /// Optional CPU limit.
    pub cpu_limit: Option<String>,
    /// Memory limit.
    pub memory_limit: Option<String>,
}

/// Everything a pod asked for, checked for syntax and internal consistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Storage classes; the first holds the namespace.
    pub classes: Vec<StorageClass>,
    /// Buckets to create at start.
    pub buckets: Vec<String>,
    /// Secret for the pod-port HTTPS listener.
    pub tls_secret: Option<String>,
    /// ConfigMap with `strata.toml`.
    pub config_map: Option<String>,
    /// How the app authenticates.
    pub credentials: Credentials,
    /// The policy of the app's role (web identity), checked; `None` for the default.
    pub role_policy: Option<String>,
    /// Pod-level override of the native sidecar mode.
    pub native_sidecar: Option<bool>,
    /// Explicit list of app containers.
    pub app_containers: Option<Vec<String>>,
    /// The sidecar's KMS (`strata.io/kms-*`), if any.
    pub kms: Option<KmsRequest>,
    /// Remote tiers' credentials (`strata.io/tier-secrets`).
    pub tier_secrets: Vec<crate::tiers::TierSecret>,
    /// Sidecar resources.
    pub resources: Resources,
    /// The sidecar's metrics port on the pod IP.
    pub metrics_port: u16,
}

/// Parses the annotations of a pod. `annotations` holds every annotation of the pod.
pub fn parse(annotations: &BTreeMap<String, String>) -> Result<Request, AnnotationError> {
    let get = |k: &str| value(annotations, k);
    let volumes = get(VOLUMES).ok_or(AnnotationError::Missing {
        annotation: VOLUMES,
        hint: "name the pod volumes of each storage class, e.g. \"fast=data-0,data-1,data-2,data-3; bulk=hdd-0,hdd-1\"",
    })?;
    let mut classes = parse_volumes(volumes)?;
    if let Some(erasure) = get(ERASURE) {
        apply_erasure(&mut classes, erasure)?;
    }
    let buckets = match get(BUCKETS) {
        Some(list) => parse_buckets(list)?,
        None => Vec::new(),
    };
    let tls_secret = get(TLS_SECRET)
        .map(|n| object_name(TLS_SECRET, n))
        .transpose()?;
    let config_map = get(CONFIG).map(|n| object_name(CONFIG, n)).transpose()?;
    let credentials = match get(CREDENTIALS_SECRET) {
        Some(name) => {
            if get(ROLE_ARN).is_some() {
                return Err(invalid(
                    ROLE_ARN,
                    format!("cannot be combined with {CREDENTIALS_SECRET}: choose web identity (role) or static keys (Secret)"),
                ));
            }
            Credentials::Secret(object_name(CREDENTIALS_SECRET, name)?)
        }
        None => Credentials::WebIdentity {
            role_arn: get(ROLE_ARN).map(role_arn).transpose()?,
        },
    };
    let role_policy = get(ROLE_POLICY).map(role_policy).transpose()?;
    if role_policy.is_some() && matches!(credentials, Credentials::Secret(_)) {
        return Err(invalid(
            ROLE_POLICY,
            format!("cannot be combined with {CREDENTIALS_SECRET}: static keys are the root account's, with no role"),
        ));
    }
    let native_sidecar = get(NATIVE_SIDECAR)
        .map(|v| boolean(NATIVE_SIDECAR, v))
        .transpose()?;
    let app_containers = get(APP_CONTAINERS)
        .map(|list| {
            list.split(',')
                .map(|c| dns_label(APP_CONTAINERS, "container name", c.trim()))
                .collect()
        })
        .transpose()?;
    let resources = parse_resources(annotations)?;
    let metrics_port = get(METRICS_PORT)
        .map(metrics_port)
        .transpose()?
        .unwrap_or(crate::sidecar::DEFAULT_METRICS_PORT);
    let kms = parse_kms(annotations)?;
    let tier_secrets = match get(crate::tiers::TIER_SECRETS) {
        Some(v) => crate::tiers::parse(v)?,
        None => Vec::new(),
    };
    if !tier_secrets.is_empty() && config_map.is_none() {
        return Err(invalid(
            crate::tiers::TIER_SECRETS,
            format!("needs {CONFIG}: the tiers are declared in its strata.toml ([[tiers]])"),
        ));
    }
    Ok(Request {
        classes,
        buckets,
        tls_secret,
        config_map,
        credentials,
        role_policy,
        native_sidecar,
        app_containers,
        resources,
        kms,
        tier_secrets,
        metrics_port,
    })
}

/// A pod port the sidecar may listen on: unprivileged (the sidecar drops every capability)
/// and not one of its own other ports.
fn metrics_port(value: &str) -> Result<u16, AnnotationError> {
    use crate::sidecar::{S3_PORT, TLS_PORT};
    let port: u16 = value.trim().parse().map_err(|_| {
        invalid(
            METRICS_PORT,
            format!("\"{value}\" is not a port number; write e.g. \"9465\""),
        )
    })?;
    if port < 1024 {
        return Err(invalid(
            METRICS_PORT,
            format!("{port} is a privileged port, which the sidecar (no capabilities) cannot bind; use 1024-65535"),
        ));
    }
    if u64::from(port) == S3_PORT || u64::from(port) == TLS_PORT {
        return Err(invalid(
            METRICS_PORT,
            format!("{port} is the sidecar's S3 port; choose another"),
        ));
    }
    Ok(port)
}

fn parse_volumes(spec: &str) -> Result<Vec<StorageClass>, AnnotationError> {
    let mut classes: Vec<StorageClass> = Vec::new();
    for segment in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((class, list)) = segment.split_once('=') else {
            return Err(invalid(
                VOLUMES,
                format!(
                    "\"{segment}\" must be CLASS=VOLUME[,VOLUME...], e.g. \"fast=data-0,data-1\""
                ),
            ));
        };
        let class = dns_label(VOLUMES, "storage class name", class.trim())?;
        if classes.iter().any(|c| c.name == class) {
            return Err(invalid(
                VOLUMES,
                format!("storage class \"{class}\" is listed twice"),
            ));
        }
        let mut volumes = Vec::new();
        for volume in list.split(',').map(str::trim) {
            if volume.is_empty() {
                return Err(invalid(
                    VOLUMES,
                    format!("storage class \"{class}\" has an empty volume name"),
                ));
            }
            let volume = dns_label(VOLUMES, "volume name", volume)?;
            if volumes.contains(&volume) || classes.iter().any(|c| c.volumes.contains(&volume)) {
                return Err(invalid(VOLUMES, format!("volume \"{volume}\" is listed twice; each volume belongs to one class once")));
            }
            volumes.push(volume);
        }
        classes.push(StorageClass {
            name: class,
            volumes,
            scheme: None,
        });
    }
    if classes.is_empty() {
        return Err(invalid(
            VOLUMES,
            "names no storage class; write e.g. \"fast=data-0,data-1\"",
        ));
    }
    Ok(classes)
}

fn apply_erasure(classes: &mut [StorageClass], spec: &str) -> Result<(), AnnotationError> {
    for segment in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((name, scheme)) = segment.split_once('=') else {
            return Err(invalid(
                ERASURE,
                format!("\"{segment}\" must be CLASS=K+M, CLASS=mirror or CLASS=none"),
            ));
        };
        let (name, scheme) = (name.trim(), scheme.trim());
        let Some(class) = classes.iter_mut().find(|c| c.name == name) else {
            return Err(invalid(
                ERASURE,
                format!("storage class \"{name}\" is not in {VOLUMES}"),
            ));
        };
        if class.scheme.is_some() {
            return Err(invalid(
                ERASURE,
                format!("storage class \"{name}\" is listed twice"),
            ));
        }
        let count = class.volumes.len();
        let parsed = match scheme {
            "mirror" if count < 2 => {
                return Err(invalid(
                    ERASURE,
                    format!("storage class \"{name}\" has {count} volume; mirror needs at least 2"),
                ));
            }
            "mirror" => Scheme::Mirror,
            "none" => Scheme::None,
            _ => {
                let numbers = scheme.split_once('+').and_then(|(k, m)| {
                    Some((k.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?))
                });
                let Some((data, parity)) = numbers else {
                    return Err(invalid(
                        ERASURE,
                        format!("\"{scheme}\" for class \"{name}\" is not K+M, mirror or none"),
                    ));
                };
                if data == 0 {
                    return Err(invalid(
                        ERASURE,
                        format!(
                            "\"{scheme}\" for class \"{name}\": K (data shards) must be at least 1"
                        ),
                    ));
                }
                if (data + parity) as usize != count {
                    return Err(invalid(
                        ERASURE,
                        format!("class \"{name}\" has {count} volumes but \"{scheme}\" needs {}: K+M must equal the number of volumes", data + parity),
                    ));
                }
                Scheme::Erasure { data, parity }
            }
        };
        class.scheme = Some(parsed);
    }
    Ok(())
}

/// Reserved for the gateway's own endpoints (`/strata/...`), see docs/CLI-CONTRACT.md.
const RESERVED_BUCKET: &str = "strata";

fn parse_buckets(list: &str) -> Result<Vec<String>, AnnotationError> {
    let mut buckets: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let bytes = name.as_bytes();
        let allowed = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.');
        let edges = bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
        let ip_like =
            name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok());
        if !(3..=63).contains(&name.len()) || !allowed || !edges || name.contains("..") || ip_like {
            return Err(invalid(
                BUCKETS,
                format!("\"{name}\" is not a valid bucket name (3-63 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)"),
            ));
        }
        if name == RESERVED_BUCKET {
            return Err(invalid(
                BUCKETS,
                "\"strata\" is reserved for the gateway's own endpoints; choose another name",
            ));
        }
        if !buckets.iter().any(|b| b == name) {
            buckets.push(name.to_owned());
        }
    }
    Ok(buckets)
}

/// The trimmed value of annotation `key`; empty counts as absent.
pub(crate) fn value<'a>(annotations: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    annotations
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

fn parse_resources(annotations: &BTreeMap<String, String>) -> Result<Resources, AnnotationError> {
    let quantity = |annotation: &'static str,
                    default: Option<&str>|
     -> Result<Option<(String, Quantity)>, AnnotationError> {
        match value(annotations, annotation).or(default) {
            None => Ok(None),
            Some(text) => match Quantity::parse(text) {
                Some(q) => Ok(Some((text.to_owned(), q))),
                None => Err(invalid(
                    annotation,
                    format!("\"{text}\" is not a Kubernetes quantity (e.g. 250m, 1, 512Mi, 2Gi)"),
                )),
            },
        }
    };
    let cpu_request = quantity(CPU_REQUEST, Some("100m"))?;
    let memory_request = quantity(MEMORY_REQUEST, Some("128Mi"))?;
    let cpu_limit = quantity(CPU_LIMIT, None)?;
    let memory_limit = quantity(MEMORY_LIMIT, Some("1Gi"))?;
    // Defaults always exist for requests, so these `else` branches are unreachable in
    // practice; they keep the code free of unwrap.
    let (Some(cpu_request), Some(memory_request)) = (cpu_request, memory_request) else {
        return Err(invalid(CPU_REQUEST, "missing request"));
    };
    for (limit_name, limit, request) in [
        (CPU_LIMIT, &cpu_limit, &cpu_request),
        (MEMORY_LIMIT, &memory_limit, &memory_request),
    ] {
        if let Some((text, q)) = limit {
            if q < &request.1 {
                return Err(invalid(limit_name, format!("limit {text} is below the request {}; raise the limit or lower the request", request.0)));
            }
        }
    }
    Ok(Resources {
        cpu_request: cpu_request.0,
        memory_request: memory_request.0,
        cpu_limit: cpu_limit.map(|l| l.0),
        memory_limit: memory_limit.map(|l| l.0),
    })
}

fn boolean(annotation: &'static str, value: &str) -> Result<bool, AnnotationError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(invalid(
            annotation,
            format!("\"{other}\" must be \"true\" or \"false\""),
        )),
    }
}

fn role_arn(value: &str) -> Result<String, AnnotationError> {
    if value.starts_with("arn:")
        && value.split(':').count() >= 6
        && !value.chars().any(char::is_whitespace)
    {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            ROLE_ARN,
            format!("\"{value}\" is not an ARN like arn:aws:iam::000000000000:role/NAME"),
        ))
    }
}

/// An IAM policy document, compiled as strata will (a role's inline policy, AWS's size limit).
fn role_policy(value: &str) -> Result<String, AnnotationError> {
    strata_policy::Policy::parse_with_limit(
        value,
        strata_policy::PolicyKind::Identity,
        strata_policy::limits::ROLE_INLINE,
    )
    .map(|_| value.trim().to_owned())
    .map_err(|e| invalid(ROLE_POLICY, format!("not a valid IAM policy document: {e}")))
}

/// A DNS-1123 label (container, volume and class names).
fn dns_label(annotation: &'static str, what: &str, value: &str) -> Result<String, AnnotationError> {
    if is_dns_label(value) {
        Ok(value.to_owned())
    } else {
        Err(invalid(annotation, format!("{what} \"{value}\" must be a DNS label (lowercase letters, digits and '-', at most 63)")))
    }
}

/// A DNS-1123 subdomain (Secret and ConfigMap names).
pub(crate) fn object_name(
    annotation: &'static str,
    value: &str,
) -> Result<String, AnnotationError> {
    if value.len() <= 253 && value.split('.').all(is_dns_label) {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            annotation,
            format!(
                "\"{value}\" is not a valid object name (lowercase letters, digits, '-' and '.')"
            ),
        ))
    }
}

fn is_dns_label(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

#[cfg(test)]
#[path = "annotations_tests.rs"]
mod tests;
