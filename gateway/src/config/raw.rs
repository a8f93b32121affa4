//! The raw layers of settings: flags, environment and file, before validation.
//!
//! Every setting is declared once, in [`settings!`] below: its flag, its environment variable,
//! its TOML name and its help text all come from that one line. Every layer has the same shape
//! ([`RawSettings`], all optional, values as text) so precedence is a plain field-by-field
//! `or`: flag, then environment, then file. Validation ([`super::settings`]) names the setting
//! in its errors.

use std::path::PathBuf;

use clap::Args;
use serde::Deserialize;

use super::ConfigError;

macro_rules! settings {
    ($( $(#[doc = $doc:literal])* $name:ident: $ty:ty, $env:literal, $value:literal; )*) => {
        /// `strata serve` flags. Each has an environment variable (see
        /// `docs/CLI-CONTRACT.md`); the environment is read by [`RawSettings::from_env`], not by
        /// clap, so tests can feed a map.
        #[derive(Debug, Default, Clone, Args)]
        pub struct ServeArgs {
            /// TOML config file (names in snake_case). Env: STRATA_CONFIG.
            #[arg(long, value_name = "FILE")]
            pub config: Option<PathBuf>,
            $(
                $(#[doc = $doc])*
                #[doc = concat!(" Env: ", $env, ".")]
                #[arg(long, value_name = $value)]
                pub $name: Option<$ty>,
            )*
            /// Laptop mode: local volumes, dev credentials. Env: STRATA_DEV.
            #[arg(long)]
            pub dev: bool,
        }

        /// One layer of settings, every field optional. Values stay text where parsing can
        /// fail so the validation step can name the setting in its error.
        #[derive(Debug, Default, Clone, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        pub struct RawSettings {
            $(
                #[doc = concat!("`--", stringify!($name), "`")]
                #[serde(default, deserialize_with = "text_or_number")]
                pub $name: Option<$ty>,
            )*
            /// `--dev`
            pub dev: Option<bool>,
        }

        impl RawSettings {
            /// The flag layer. `--dev` is a switch, so "not given" means "no opinion".
            pub fn from_args(a: &ServeArgs) -> Self {
                RawSettings {
                    $( $name: a.$name.clone(), )*
                    dev: a.dev.then_some(true),
                }
            }

            /// The environment layer, read through `lookup` (the process env in `main`, a map
            /// in tests). Empty values count as unset.
            pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
                let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
                let dev = match get("STRATA_DEV") {
                    None => None,
                    Some(v) => Some(parse_bool(&v).ok_or_else(|| ConfigError::Invalid {
                        setting: "STRATA_DEV",
                        value: v.clone(),
                        reason: "expected true/false/1/0".into(),
                    })?),
                };
                Ok(RawSettings {
                    $( $name: get($env).map(<$ty>::from), )*
                    dev,
                })
            }

            /// Field-by-field precedence: `self` wins over `lower`.
            pub fn or(self, lower: RawSettings) -> RawSettings {
                RawSettings {
                    $( $name: self.$name.or(lower.$name), )*
                    dev: self.dev.or(lower.dev),
                }
            }
        }
    };
}

settings! {
    /// Plain HTTP listener [default: 127.0.0.1:9000].
    listen: String, "STRATA_LISTEN", "ADDR";
    /// Optional HTTPS listener (pod port).
    tls_listen: String, "STRATA_TLS_LISTEN", "ADDR";
    /// PEM certificate chain, reloaded when it changes.
    tls_cert: PathBuf, "STRATA_TLS_CERT", "FILE";
    /// PEM private key, reloaded when it changes.
    tls_key: PathBuf, "STRATA_TLS_KEY", "FILE";
    /// State directory.
    data: PathBuf, "STRATA_DATA", "DIR";
    /// Storage classes: `fast=/v/f0,/v/f1;bulk=/v/b0,/v/b1`.
    volumes: String, "STRATA_VOLUMES", "SPEC";
    /// Scheme per class: `fast=2+2;bulk=mirror`.
    erasure: String, "STRATA_ERASURE", "SPEC";
    /// S3 storage-class name per class: `bulk=STANDARD_IA;cold=GLACIER_IR` (the first class is STANDARD; others keep their own name; `--dev` makes bulk STANDARD_IA).
    storage_classes: String, "STRATA_STORAGE_CLASSES", "SPEC";
    /// Buckets created at start if missing: `uploads,reports`.
    buckets: String, "STRATA_BUCKETS", "LIST";
    /// Root access key.
    access_key: String, "STRATA_ACCESS_KEY", "KEY";
    /// Root secret key.
    secret_key: String, "STRATA_SECRET_KEY", "KEY";
    /// Root access key from a file.
    access_key_file: PathBuf, "STRATA_ACCESS_KEY_FILE", "FILE";
    /// Root secret key from a file.
    secret_key_file: PathBuf, "STRATA_SECRET_KEY_FILE", "FILE";
    /// Region in SigV4 scopes [default: us-east-1].
    region: String, "STRATA_REGION", "NAME";
    /// What new buckets start with: `current` (ownership enforced, public access blocked) or `legacy` (ACLs, nothing blocked) [default: current].
    bucket_defaults: String, "STRATA_BUCKET_DEFAULTS", "current|legacy";
    /// Enables virtual-host-style addressing for `*.NAME`.
    domain: String, "STRATA_DOMAIN", "NAME";
    /// Seconds in-flight requests get after SIGTERM [default: 30].
    shutdown_grace: String, "STRATA_SHUTDOWN_GRACE", "SECS";
    /// Metadata page cache per namespace volume, in MiB [default: 8].
    meta_cache: String, "STRATA_META_CACHE", "MIB";
    /// S3 requests served at once; more get 503 SlowDown [default: 256].
    max_requests: String, "STRATA_MAX_REQUESTS", "N";
    /// Request-body memory of all requests at once, in MiB; past it 503 SlowDown [default: 128].
    max_body_memory: String, "STRATA_MAX_BODY_MEMORY", "MIB";
    /// Largest PutObject and CopyObject source [default: 5GiB].
    max_put_size: String, "STRATA_MAX_PUT_SIZE", "SIZE";
    /// Largest multipart part [default: 5GiB].
    max_part_size: String, "STRATA_MAX_PART_SIZE", "SIZE";
    /// Largest object a multipart upload completes into [default: 5TiB].
    max_object_size: String, "STRATA_MAX_OBJECT_SIZE", "SIZE";
    /// Time a slow request (a copy, a multipart completion to a remote tier) may run before its 200 goes out, then between the spaces that keep its connection alive [default: 5s].
    keep_alive_interval: String, "STRATA_KEEP_ALIVE_INTERVAL", "DURATION";
    /// Threads serving HTTP [default: 2].
    server_threads: String, "STRATA_SERVER_THREADS", "N";
    /// Threads of the store's own runtime (opening volumes, background work) [default: 2].
    store_threads: String, "STRATA_STORE_THREADS", "N";
    /// Most metadata commits sharing one index transaction and fsync [default: 512].
    commit_batch: String, "STRATA_COMMIT_BATCH", "N";
    /// Space kept free on every volume; a PUT that would eat into it gets 507 XStrataStorageFull [default: 64MiB].
    volume_reserve: String, "STRATA_VOLUME_RESERVE", "SIZE";
    /// Time between cheap scanner passes (every shard file there), e.g. `6h`, or `off` [default: 6h].
    scan_interval: String, "STRATA_SCAN_INTERVAL", "DURATION";
    /// Time between deep scanner passes (every shard block's hash read), or `off` [default: 30d].
    deep_scan_interval: String, "STRATA_DEEP_SCAN_INTERVAL", "DURATION";
    /// Age at which the scanner removes a shard file nothing references [default: 1h].
    orphan_grace: String, "STRATA_ORPHAN_GRACE", "DURATION";
    /// Age at which the scanner aborts an unfinished multipart upload, or `off` [default: 7d].
    upload_expiry: String, "STRATA_UPLOAD_EXPIRY", "DURATION";
    /// Seconds a lifecycle day lasts, for tests and demos of lifecycle rules [default: 86400].
    lifecycle_day: String, "STRATA_LIFECYCLE_DAY", "SECONDS";
    /// Percent of wall time the scanner and the healer may work; they sleep the rest [default: 5].
    scan_share: String, "STRATA_SCAN_SHARE", "PERCENT";
    /// Time between checks that each volume is still there and still itself (a failing one is checked at once) [default: 10s].
    volume_check_interval: String, "STRATA_VOLUME_CHECK_INTERVAL", "DURATION";
    /// Load balancers whose X-Forwarded-For and X-Forwarded-Proto are believed (they set aws:SourceIp and aws:SecureTransport): comma-separated CIDRs or addresses [default: none].
    trusted_proxies: String, "STRATA_TRUSTED_PROXIES", "CIDRS";
    /// Prometheus `/metrics` listener, e.g. the pod IP and 9464 [default: none].
    metrics_listen: String, "STRATA_METRICS_LISTEN", "ADDR";
    /// Per-bucket series (`strata_bucket_*`): `true` or `false` [default: false].
    metrics_per_bucket: String, "STRATA_METRICS_PER_BUCKET", "BOOL";
    /// Log line format: `text` or `json` [default: text].
    log_format: String, "STRATA_LOG_FORMAT", "FORMAT";
    /// Level of the access line per request: off, error, warn, info, debug, trace [default: debug].
    access_log_level: String, "STRATA_ACCESS_LOG_LEVEL", "LEVEL";
    /// 12-digit id of the root account when the identity store is first made; a different stored id stops the start.
    root_account_id: String, "STRATA_ROOT_ACCOUNT_ID", "ID";
    /// Kubernetes service-account issuer trusted by STS (audience `strata`), e.g. `https://kubernetes.default.svc`.
    sts_k8s_issuer: String, "STRATA_STS_K8S_ISSUER", "URL";
    /// JWKS file of `--sts-k8s-issuer` (re-read when it changes) [default: issuer discovery].
    sts_k8s_jwks_file: PathBuf, "STRATA_STS_K8S_JWKS_FILE", "FILE";
    /// Age at which the key that seals STS session tokens is replaced by a new one (the old one opens its tokens until they expire), or `off` [default: 30d].
    session_key_rotation: String, "STRATA_SESSION_KEY_ROTATION", "DURATION";
    /// Role declared at start for the pod's service account: `arn:aws:iam::ID:role/PATH/NAME`.
    pod_role_arn: String, "STRATA_POD_ROLE_ARN", "ARN";
    /// The subject `--pod-role-arn` trusts: `system:serviceaccount:NAMESPACE:NAME`.
    pod_service_account: String, "STRATA_POD_SERVICE_ACCOUNT", "SUBJECT";
    /// Policy document of `--pod-role-arn` [default: the `[[roles]]` entry of that name, else s3:* on the account's buckets].
    pod_role_policy: String, "STRATA_POD_ROLE_POLICY", "JSON";
    /// What a new object without encryption headers becomes: `AES256` (SSE-S3) or `none` (plaintext) [default: AES256].
    sse_default: String, "STRATA_SSE_DEFAULT", "AES256|none";
    /// Cipher of new objects' streams: `auto` (AES-256-GCM where the CPU has AES instructions, else ChaCha20-Poly1305), `AES-256-GCM` or `ChaCha20-Poly1305`; stored objects read whatever they were written with [default: auto].
    sse_cipher: String, "STRATA_SSE_CIPHER", "auto|AES-256-GCM|ChaCha20-Poly1305";
    /// Local keyring holding the key that seals the SSE-S3 key: a JSON file, or a directory such as a mounted Secret [default: sse-keyring.json under --data].
    sse_keyring: PathBuf, "STRATA_SSE_KEYRING", "FILE|DIR";
    /// KMS key (local keyring, or the transit engine of --kms-address) that seals a new store's SSE-S3 key [default: strata-sse-s3].
    sse_s3_key: String, "STRATA_SSE_S3_KEY", "NAME";
    /// KMS key of SSE-KMS requests that name none (`aws:kms` alone), made in the local keyring at first start [default: strata-sse-kms].
    sse_kms_key: String, "STRATA_SSE_KMS_KEY", "NAME";
    /// Vault-compatible transit engine (OpenBao, Vault) serving SSE-KMS, e.g. `https://openbao.vault:8200` [default: none: the local keyring serves SSE-KMS].
    kms_address: String, "STRATA_KMS_ADDRESS", "URL";
    /// Mount path of the transit engine [default: transit].
    kms_mount: String, "STRATA_KMS_MOUNT", "PATH";
    /// How strata authenticates to the transit engine: `token` (--kms-token-file), `approle` (--kms-role-id-file, --kms-secret-id-file), `jwt` or `kubernetes` (--kms-role, --kms-jwt-file) [default: token].
    kms_auth: String, "STRATA_KMS_AUTH", "METHOD";
    /// Mount path of the auth method [default: the method's name: approle, jwt, kubernetes].
    kms_auth_mount: String, "STRATA_KMS_AUTH_MOUNT", "PATH";
    /// File holding the token strata authenticates to the transit engine with (a mounted Secret, or an agent's sink file; re-read when refused).
    kms_token_file: PathBuf, "STRATA_KMS_TOKEN_FILE", "FILE";
    /// AppRole: file holding the role id.
    kms_role_id_file: PathBuf, "STRATA_KMS_ROLE_ID_FILE", "FILE";
    /// AppRole: file holding the secret id.
    kms_secret_id_file: PathBuf, "STRATA_KMS_SECRET_ID_FILE", "FILE";
    /// jwt / kubernetes: the role to log in as.
    kms_role: String, "STRATA_KMS_ROLE", "ROLE";
    /// jwt / kubernetes: file holding the JWT, e.g. a projected service-account token with the KMS's audience (re-read at each login).
    kms_jwt_file: PathBuf, "STRATA_KMS_JWT_FILE", "FILE";
    /// CA bundle (PEM) trusted for --kms-address besides the system's.
    kms_ca_file: PathBuf, "STRATA_KMS_CA_FILE", "FILE";
}

/// A value as text, whether the TOML file wrote it as a string or a number.
fn text_or_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: From<String>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(i64),
    }
    Ok(Option::<Either>::deserialize(d)?.map(|v| match v {
        Either::S(s) => T::from(s),
        Either::N(n) => T::from(n.to_string()),
    }))
}

impl RawSettings {
    /// The file layer: TOML with the flag names in snake_case.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::File(e.to_string()))
    }
}

pub(super) fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}
