//! The typed `Config` tree and the one validation step that builds it from raw layers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::accounts::AccountConfig;
use super::class_names::StorageClassNames;
use super::limits::{Limits, Tuning};
use super::notify::NotifyConfig;
use super::proxies::TrustedProxies;
use super::raw::RawSettings;
use super::roles::RoleConfig;
use super::sse::SseConfig;
use super::sts::StsConfig;
use super::telemetry::Telemetry;
use super::ConfigError;
use crate::audit::AuditConfig;
use crate::bucket_access::BucketDefaults;

/// Default plain listener (the app next to the sidecar talks to loopback).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9000";
/// Default SigV4 region.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Default grace period after SIGTERM.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// Largest `--meta-cache` (MiB per volume): a guard against a unit mistake (bytes for MiB).
pub const MAX_META_CACHE_MIB: usize = 64 * 1024;
/// `--data` default in `--dev` mode.
pub const DEV_DATA_DIR: &str = "./strata-data";
/// Root access key in `--dev` mode when none is given.
pub const DEV_ACCESS_KEY: &str = "strata-dev";
/// Root secret key in `--dev` mode when none is given.
pub const DEV_SECRET_KEY: &str = "strata-dev-secret-key";

/// Everything `strata serve` needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Plain HTTP listener.
    pub listen: SocketAddr,
    /// Optional HTTPS listener.
    pub tls: Option<TlsConfig>,
    /// State directory.
    pub data: PathBuf,
    /// Storage classes in order; the first holds the namespace.
    pub classes: Vec<ClassSpec>,
    /// Each class's S3 storage-class name.
    pub class_names: StorageClassNames,
    /// Buckets made at start if missing.
    pub buckets: Vec<String>,
    /// Root credentials.
    pub credentials: RootCredentials,
    /// SigV4 region.
    pub region: String,
    /// Virtual-host-style base domain.
    pub domain: Option<String>,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// What new buckets start with.
    pub bucket_defaults: BucketDefaults,
    /// Time in-flight requests get after SIGTERM.
    pub shutdown_grace: Duration,
    /// Metadata page cache per namespace volume, in bytes.
    pub meta_cache: usize,
    /// Bounds of what requests may ask for and hold.
    pub limits: Limits,
    /// Threads and batch sizes.
    pub tuning: Tuning,
    /// The healer's and the scanner's schedule and budget.
    pub maintenance: strata_volume::MaintenanceConfig,
    /// How long a lifecycle day lasts (`--lifecycle-day`; a real day but in tests and demos).
    pub lifecycle_day: Duration,
    /// Metrics and logs.
    pub telemetry: Telemetry,
    /// Laptop mode (prints the endpoint and an `aws` command).
    pub dev: bool,
    /// Audit sinks (`[[audit.sinks]]` in the config file only).
    pub audit: AuditConfig,
    /// Bucket-notification targets (config file only).
    pub notify: NotifyConfig,
    /// Accounts besides the root account (`[[accounts]]`, config file only).
    pub accounts: Vec<AccountConfig>,
    /// Declared IAM roles (`[[roles]]`, config file only).
    pub roles: Vec<RoleConfig>,
    /// Remote tiers (`[[tiers]]`, config file only).
    pub tiers: Vec<super::tiers::TierSpec>,
    /// STS: web-identity providers (`[sts]`, plus `--sts-k8s-issuer`).
    pub sts: StsConfig,
    /// How old the session-token sealing key gets before a new one replaces it
    /// (`--session-key-rotation`; `None`: only on demand).
    pub session_key_rotation: Option<Duration>,
    /// The root account's id when the identity store makes it (`--root-account-id`).
    pub root_account_id: Option<String>,
    /// Server-side encryption (`--sse-*`).
    pub sse: SseConfig,
}

/// The HTTPS listener.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// PEM files; `None` means a self-signed certificate made at start.
    pub files: Option<(PathBuf, PathBuf)>,
}

/// The root identity's keys.
#[derive(Clone, PartialEq)]
pub struct RootCredentials {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
}

impl std::fmt::Debug for RootCredentials {
    // Secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootCredentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

/// One storage class: a name, its volume directories and an optional scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSpec {
    /// Class name (`x-amz-storage-class` value).
    pub name: String,
    /// Volume directories.
    pub volumes: Vec<PathBuf>,
    /// `K+M`, `mirror` or `none`; `None` = default by volume count.
    pub scheme: Option<SchemeSpec>,
}

/// A redundancy scheme as written in `--erasure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeSpec {
    /// Reed-Solomon with `data` + `parity` shards.
    Erasure {
        /// Data shards.
        data: usize,
        /// Parity shards.
        parity: usize,
    },
    /// Every volume holds a full copy.
    Mirror,
    /// One copy; the volume is already redundant.
    Single,
}

impl SchemeSpec {
    fn parse(s: &str) -> Option<SchemeSpec> {
        match s.trim() {
            "mirror" => Some(SchemeSpec::Mirror),
            "none" => Some(SchemeSpec::Single),
            other => {
                let (k, m) = other.split_once('+')?;
                let data = k.trim().parse().ok()?;
                let parity = m.trim().parse().ok()?;
                (data > 0).then_some(SchemeSpec::Erasure { data, parity })
            }
        }
    }
}

impl Config {
    /// Validates the merged layers. `read_file` reads credential files (a closure so tests
    /// need no files).
    pub fn from_raw(
        raw: RawSettings,
        read_file: &dyn Fn(&Path) -> std::io::Result<String>,
    ) -> Result<Config, ConfigError> {
        let dev = raw.dev.unwrap_or(false);
        let limits = Limits::from_raw(&raw)?;
        let tuning = Tuning::from_raw(&raw)?;
        let maintenance = super::maintenance::from_raw(&raw)?;
        let lifecycle_day = super::maintenance::lifecycle_day(&raw)?;
        let session_key_rotation = super::maintenance::session_key_rotation(&raw)?;
        let telemetry = Telemetry::from_raw(&raw)?;
        let sse = SseConfig::from_raw(&raw)?;
        let listen = parse_addr("--listen", raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN))?;
        let tls = match raw.tls_listen.as_deref() {
            None => {
                if raw.tls_cert.is_some() || raw.tls_key.is_some() {
                    return Err(invalid("--tls-cert", "", "needs --tls-listen"));
                }
                None
            }
            Some(addr) => {
                let listen = parse_addr("--tls-listen", addr)?;
                let files = match (raw.tls_cert, raw.tls_key) {
                    (Some(c), Some(k)) => Some((c, k)),
                    (None, None) => None,
                    (Some(_), None) => return Err(ConfigError::Missing("--tls-key")),
                    (None, Some(_)) => return Err(ConfigError::Missing("--tls-cert")),
                };
                Some(TlsConfig { listen, files })
            }
        };
        let data = match raw.data {
            Some(d) => d,
            None if dev => PathBuf::from(DEV_DATA_DIR),
            None => return Err(ConfigError::Missing("--data")),
        };
        let mut classes = match raw.volumes.as_deref() {
            Some(spec) => parse_volumes(spec)?,
            None if dev => dev_classes(&data),
            None => return Err(ConfigError::Missing("--volumes")),
        };
        if let Some(spec) = raw.erasure.as_deref() {
            apply_erasure(&mut classes, spec)?;
        }
        let class_names = StorageClassNames::new(
            &classes,
            raw.storage_classes.as_deref(),
            dev && raw.volumes.is_none(),
        )?;
        let buckets = raw
            .buckets
            .as_deref()
            .map(|l| {
                l.split(',')
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let access_key = secret(
            "--access-key",
            raw.access_key,
            raw.access_key_file,
            read_file,
        )?;
        let secret_key = secret(
            "--secret-key",
            raw.secret_key,
            raw.secret_key_file,
            read_file,
        )?;
        let credentials = match (access_key, secret_key) {
            (Some(access_key), Some(secret_key)) => RootCredentials {
                access_key,
                secret_key,
            },
            (None, None) if dev => RootCredentials {
                access_key: DEV_ACCESS_KEY.into(),
                secret_key: DEV_SECRET_KEY.into(),
            },
            // A pod in web-identity mode has no static keys: root gets an unguessable pair that
            // nobody is told, so root access stays closed until an operator configures one.
            (None, None) => RootCredentials {
                access_key: format!("root-{}", uuid::Uuid::new_v4().simple()),
                secret_key: format!(
                    "{}{}",
                    uuid::Uuid::new_v4().simple(),
                    uuid::Uuid::new_v4().simple()
                ),
            },
            (None, _) => return Err(ConfigError::Missing("--access-key")),
            (_, None) => return Err(ConfigError::Missing("--secret-key")),
        };
        if credentials.access_key.len() < 3 || credentials.access_key.contains(['/', ' ']) {
            return Err(invalid(
                "--access-key",
                &credentials.access_key,
                "3 or more characters, no '/' or spaces",
            ));
        }
        if credentials.secret_key.len() < 8 {
            return Err(invalid(
                "--secret-key",
                "<redacted>",
                "8 or more characters",
            ));
        }
        let region = raw.region.unwrap_or_else(|| DEFAULT_REGION.into());
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid("--region", &region, "letters, digits and '-'"));
        }
        let bucket_defaults = match raw.bucket_defaults.as_deref() {
            None => BucketDefaults::default(),
            Some(s) => BucketDefaults::parse(s.trim())
                .ok_or_else(|| invalid("--bucket-defaults", s, "current or legacy"))?,
        };
        let domain = raw
            .domain
            .map(|d| d.trim_end_matches('.').to_ascii_lowercase());
        if let Some(d) = &domain {
            if d.is_empty() || d.contains(['/', ':', ' ']) {
                return Err(invalid("--domain", d, "a DNS name"));
            }
        }
        let trusted_proxies = match raw.trusted_proxies.as_deref() {
            None => TrustedProxies::default(),
            Some(s) => TrustedProxies::parse(s).map_err(|why| {
                invalid(
                    "--trusted-proxies",
                    s,
                    &format!("CIDRs or addresses ({why})"),
                )
            })?,
        };
        let shutdown_grace = match raw.shutdown_grace.as_deref() {
            None => DEFAULT_SHUTDOWN_GRACE,
            Some(s) => Duration::from_secs(
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| invalid("--shutdown-grace", s, "whole seconds"))?,
            ),
        };
        let meta_cache = match raw.meta_cache.as_deref() {
            None => strata_volume::DEFAULT_META_CACHE_PER_VOLUME,
            Some(s) => s
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|mib| *mib <= MAX_META_CACHE_MIB)
                .map(|mib| mib << 20)
                .ok_or_else(|| {
                    invalid(
                        "--meta-cache",
                        s,
                        &format!("whole MiB from 0 to {MAX_META_CACHE_MIB}"),
                    )
                })?,
        };
        if let Some(m) = telemetry.metrics_listen {
            let taken = m == listen || tls.as_ref().is_some_and(|t| t.listen == m);
            if taken {
                return Err(invalid(
                    "--metrics-listen",
                    &m.to_string(),
                    "an address of its own, not an S3 listener's",
                ));
            }
        }
        let sse = sse.under(&data);
        Ok(Config {
            listen,
            tls,
            data,
            classes,
            class_names,
            buckets,
            credentials,
            region,
            domain,
            trusted_proxies,
            bucket_defaults,
            shutdown_grace,
            meta_cache,
            limits,
            tuning,
            maintenance,
            lifecycle_day,
            telemetry,
            dev,
            audit: AuditConfig::default(),
            notify: NotifyConfig::default(),
            accounts: Vec::new(),
            roles: Vec::new(),
            tiers: Vec::new(),
            sts: StsConfig::default(),
            session_key_rotation,
            root_account_id: None,
            sse,
        })
    }
}

pub(super) fn invalid(setting: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

pub(super) fn parse_addr(setting: &'static str, v: &str) -> Result<SocketAddr, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| invalid(setting, v, "expected IP:PORT, e.g. 127.0.0.1:9000"))
}

/// `fast=/a,/b;bulk=/c` -> classes in order.
fn parse_volumes(spec: &str) -> Result<Vec<ClassSpec>, ConfigError> {
    let mut classes: Vec<ClassSpec> = Vec::new();
    for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, dirs) = part
            .split_once('=')
            .ok_or_else(|| invalid("--volumes", part, "expected CLASS=DIR,DIR,..."))?;
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid("--volumes", name, "class names are [A-Za-z0-9_-]+"));
        }
        if classes.iter().any(|c| c.name == name) {
            return Err(invalid("--volumes", name, "class named twice"));
        }
        let volumes: Vec<PathBuf> = dirs
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .collect();
        if volumes.is_empty() {
            return Err(invalid(
                "--volumes",
                part,
                "a class needs at least one volume",
            ));
        }
        classes.push(ClassSpec {
            name: name.to_string(),
            volumes,
            scheme: None,
        });
    }
    if classes.is_empty() {
        return Err(invalid("--volumes", spec, "no storage class given"));
    }
    Ok(classes)
}

/// `fast=2+2;bulk=mirror` applied onto known classes.
fn apply_erasure(classes: &mut [ClassSpec], spec: &str) -> Result<(), ConfigError> {
    for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, scheme) = part
            .split_once('=')
            .ok_or_else(|| invalid("--erasure", part, "expected CLASS=K+M|mirror|none"))?;
        let scheme = SchemeSpec::parse(scheme)
            .ok_or_else(|| invalid("--erasure", scheme, "expected K+M, mirror or none"))?;
        let class = classes
            .iter_mut()
            .find(|c| c.name == name.trim())
            .ok_or_else(|| invalid("--erasure", name, "no such class in --volumes"))?;
        if let SchemeSpec::Erasure { data, parity } = scheme {
            if data + parity != class.volumes.len() {
                return Err(invalid(
                    "--erasure",
                    part,
                    &format!("K+M must equal the class's {} volumes", class.volumes.len()),
                ));
            }
        }
        class.scheme = Some(scheme);
    }
    Ok(())
}

fn dev_classes(data: &Path) -> Vec<ClassSpec> {
    let dirs = |class: &str, n: usize| {
        (0..n)
            .map(|i| data.join("volumes").join(class).join(i.to_string()))
            .collect()
    };
    vec![
        ClassSpec {
            name: "fast".into(),
            volumes: dirs("fast", 4),
            scheme: Some(SchemeSpec::Erasure { data: 2, parity: 2 }),
        },
        ClassSpec {
            name: "bulk".into(),
            volumes: dirs("bulk", 2),
            scheme: Some(SchemeSpec::Mirror),
        },
    ]
}

/// A key given inline or through a file, never both.
pub(super) fn secret(
    setting: &'static str,
    inline: Option<String>,
    file: Option<PathBuf>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Option<String>, ConfigError> {
    match (inline, file) {
        (Some(_), Some(_)) => Err(invalid(setting, "", "given both inline and as a file")),
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => {
            let text = read_file(&path).map_err(|e| ConfigError::Invalid {
                setting,
                value: path.display().to_string(),
                reason: format!("cannot read the file: {e}"),
            })?;
            // Secrets mounted from Kubernetes often end with a newline.
            Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
        }
        (None, None) => Ok(None),
    }
}
