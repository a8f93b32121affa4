//! The raw layers of settings: flags, environment and file, before validation.
//!
//! Every layer has the same shape (`RawSettings`, all optional) so precedence is a plain
//! field-by-field `or`: flag, then environment, then file.

use std::path::PathBuf;

use clap::Args;
use serde::Deserialize;

use super::ConfigError;

/// `strata serve` flags. Each has an environment variable of the same name (see
/// `docs/CLI-CONTRACT.md`); the environment is read by [`RawSettings::from_env`], not by clap,
/// so tests can feed a map.
#[derive(Debug, Default, Clone, Args)]
pub struct ServeArgs {
    /// TOML config file (names in snake_case). Env: STRATA_CONFIG.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Plain HTTP listener [default: 127.0.0.1:9000]. Env: STRATA_LISTEN.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Optional HTTPS listener (pod port). Env: STRATA_TLS_LISTEN.
    #[arg(long, value_name = "ADDR")]
    pub tls_listen: Option<String>,
    /// PEM certificate chain, reloaded when it changes. Env: STRATA_TLS_CERT.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key, reloaded when it changes. Env: STRATA_TLS_KEY.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// State directory. Env: STRATA_DATA.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Storage classes: `fast=/v/f0,/v/f1;bulk=/v/b0,/v/b1`. Env: STRATA_VOLUMES.
    #[arg(long, value_name = "SPEC")]
    pub volumes: Option<String>,
    /// Scheme per class: `fast=2+2;bulk=mirror`. Env: STRATA_ERASURE.
    #[arg(long, value_name = "SPEC")]
    pub erasure: Option<String>,
    /// Buckets created at start if missing: `uploads,reports`. Env: STRATA_BUCKETS.
    #[arg(long, value_name = "LIST")]
    pub buckets: Option<String>,
    /// Root access key. Env: STRATA_ACCESS_KEY.
    #[arg(long, value_name = "KEY")]
    pub access_key: Option<String>,
    /// Root secret key. Env: STRATA_SECRET_KEY.
    #[arg(long, value_name = "KEY")]
    pub secret_key: Option<String>,
    /// Root access key from a file. Env: STRATA_ACCESS_KEY_FILE.
    #[arg(long, value_name = "FILE")]
    pub access_key_file: Option<PathBuf>,
    /// Root secret key from a file. Env: STRATA_SECRET_KEY_FILE.
    #[arg(long, value_name = "FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// Region in SigV4 scopes [default: us-east-1]. Env: STRATA_REGION.
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Enables virtual-host-style addressing for `*.NAME`. Env: STRATA_DOMAIN.
    #[arg(long, value_name = "NAME")]
    pub domain: Option<String>,
    /// Seconds in-flight requests get after SIGTERM [default: 30]. Env: STRATA_SHUTDOWN_GRACE.
    #[arg(long, value_name = "SECS")]
    pub shutdown_grace: Option<String>,
    /// Metadata page cache per namespace volume, in MiB [default: 8]. Env: STRATA_META_CACHE.
    #[arg(long, value_name = "MIB")]
    pub meta_cache: Option<String>,
    /// Laptop mode: local volumes, dev credentials. Env: STRATA_DEV.
    #[arg(long)]
    pub dev: bool,
}

/// One layer of settings, every field optional. Values stay strings where parsing can fail so
/// the validation step can name the setting in its error.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    /// `--listen`
    pub listen: Option<String>,
    /// `--tls-listen`
    pub tls_listen: Option<String>,
    /// `--tls-cert`
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key`
    pub tls_key: Option<PathBuf>,
    /// `--data`
    pub data: Option<PathBuf>,
    /// `--volumes`
    pub volumes: Option<String>,
    /// `--erasure`
    pub erasure: Option<String>,
    /// `--buckets`
    pub buckets: Option<String>,
    /// `--access-key`
    pub access_key: Option<String>,
    /// `--secret-key`
    pub secret_key: Option<String>,
    /// `--access-key-file`
    pub access_key_file: Option<PathBuf>,
    /// `--secret-key-file`
    pub secret_key_file: Option<PathBuf>,
    /// `--region`
    pub region: Option<String>,
    /// `--domain`
    pub domain: Option<String>,
    /// `--shutdown-grace`; a number in TOML, a string elsewhere.
    #[serde(default, deserialize_with = "string_or_number")]
    pub shutdown_grace: Option<String>,
    /// `--meta-cache`; a number in TOML, a string elsewhere.
    #[serde(default, deserialize_with = "string_or_number")]
    pub meta_cache: Option<String>,
    /// `--dev`
    pub dev: Option<bool>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(i64),
    }
    Ok(Option::<Either>::deserialize(d)?.map(|v| match v {
        Either::S(s) => s,
        Either::N(n) => n.to_string(),
    }))
}

impl RawSettings {
    /// The flag layer. `--dev` is a switch, so "not given" means "no opinion".
    pub fn from_args(a: &ServeArgs) -> Self {
        RawSettings {
            listen: a.listen.clone(),
            tls_listen: a.tls_listen.clone(),
            tls_cert: a.tls_cert.clone(),
            tls_key: a.tls_key.clone(),
            data: a.data.clone(),
            volumes: a.volumes.clone(),
            erasure: a.erasure.clone(),
            buckets: a.buckets.clone(),
            access_key: a.access_key.clone(),
            secret_key: a.secret_key.clone(),
            access_key_file: a.access_key_file.clone(),
            secret_key_file: a.secret_key_file.clone(),
            region: a.region.clone(),
            domain: a.domain.clone(),
            shutdown_grace: a.shutdown_grace.clone(),
            meta_cache: a.meta_cache.clone(),
            dev: a.dev.then_some(true),
        }
    }

    /// The environment layer, read through `lookup` (the process env in `main`, a map in
    /// tests). Empty values count as unset.
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
            listen: get("STRATA_LISTEN"),
            tls_listen: get("STRATA_TLS_LISTEN"),
            tls_cert: get("STRATA_TLS_CERT").map(PathBuf::from),
            tls_key: get("STRATA_TLS_KEY").map(PathBuf::from),
            data: get("STRATA_DATA").map(PathBuf::from),
            volumes: get("STRATA_VOLUMES"),
            erasure: get("STRATA_ERASURE"),
            buckets: get("STRATA_BUCKETS"),
            access_key: get("STRATA_ACCESS_KEY"),
            secret_key: get("STRATA_SECRET_KEY"),
            access_key_file: get("STRATA_ACCESS_KEY_FILE").map(PathBuf::from),
            secret_key_file: get("STRATA_SECRET_KEY_FILE").map(PathBuf::from),
            region: get("STRATA_REGION"),
            domain: get("STRATA_DOMAIN"),
            shutdown_grace: get("STRATA_SHUTDOWN_GRACE"),
            meta_cache: get("STRATA_META_CACHE"),
            dev,
        })
    }

    /// The file layer: TOML with the flag names in snake_case.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::File(e.to_string()))
    }

    /// Field-by-field precedence: `self` wins over `lower`.
    pub fn or(self, lower: RawSettings) -> RawSettings {
        RawSettings {
            listen: self.listen.or(lower.listen),
            tls_listen: self.tls_listen.or(lower.tls_listen),
            tls_cert: self.tls_cert.or(lower.tls_cert),
            tls_key: self.tls_key.or(lower.tls_key),
            data: self.data.or(lower.data),
            volumes: self.volumes.or(lower.volumes),
            erasure: self.erasure.or(lower.erasure),
            buckets: self.buckets.or(lower.buckets),
            access_key: self.access_key.or(lower.access_key),
            secret_key: self.secret_key.or(lower.secret_key),
            access_key_file: self.access_key_file.or(lower.access_key_file),
            secret_key_file: self.secret_key_file.or(lower.secret_key_file),
            region: self.region.or(lower.region),
            domain: self.domain.or(lower.domain),
            shutdown_grace: self.shutdown_grace.or(lower.shutdown_grace),
            meta_cache: self.meta_cache.or(lower.meta_cache),
            dev: self.dev.or(lower.dev),
        }
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}
