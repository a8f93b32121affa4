//! Server-side encryption settings: whether new objects are encrypted by default, and where
//! the SSE-S3 key comes from. Documented in docs/ENCRYPTION.md.

use std::path::{Path, PathBuf};

use super::raw::RawSettings;
use super::settings::invalid;
use super::ConfigError;

/// The keyring key that seals the SSE-S3 key unless `--sse-s3-key` names another.
pub const DEFAULT_SSE_S3_KEY: &str = "strata-sse-s3";
/// The keyring file under `--data` when `--sse-keyring` is not given.
pub const DEFAULT_KEYRING_FILE: &str = "sse-keyring.json";
/// The SSE-S3 key, sealed by the keyring, under `--data`.
pub const SEALED_S3_KEY_FILE: &str = "sse-s3.key";

/// What a new object without encryption headers becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SseDefault {
    /// SSE-S3, as AWS does since 2023.
    #[default]
    Aes256,
    /// Plaintext (a baseline for benchmarks); requests may still ask for encryption.
    None,
}

/// Encryption settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseConfig {
    /// What new objects without encryption headers become.
    pub default: SseDefault,
    /// The local keyring: a JSON file (created if missing) or a directory of key files (a
    /// mounted Secret). Default: `sse-keyring.json` under `--data`, created at first start
    /// with mode 0600; production should mount a Secret instead.
    pub keyring: PathBuf,
    /// Whether `keyring` is the default under `--data`.
    pub keyring_is_default: bool,
    /// The keyring key that seals the SSE-S3 key.
    pub s3_key: String,
    /// The SSE-S3 key sealed by the keyring (made at first start).
    pub sealed_s3_key: PathBuf,
}

impl SseConfig {
    /// Reads `--sse-default`, `--sse-keyring` and `--sse-s3-key`; `data` is `--data`
    /// (`None` until known: call [`SseConfig::under`] then).
    pub fn from_raw(raw: &RawSettings) -> Result<Self, ConfigError> {
        let default = match raw.sse_default.as_deref().map(str::trim) {
            None | Some("AES256") => SseDefault::Aes256,
            Some("none") => SseDefault::None,
            Some(other) => return Err(invalid("--sse-default", other, "AES256 or none")),
        };
        let s3_key = raw
            .sse_s3_key
            .clone()
            .unwrap_or_else(|| DEFAULT_SSE_S3_KEY.into());
        let valid = !s3_key.is_empty()
            && s3_key.len() <= 64
            && !s3_key.starts_with('.')
            && s3_key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !valid {
            return Err(invalid(
                "--sse-s3-key",
                &s3_key,
                "1 to 64 of A-Z a-z 0-9 - _ . (not starting with '.')",
            ));
        }
        Ok(SseConfig {
            default,
            keyring: raw.sse_keyring.clone().unwrap_or_default(),
            keyring_is_default: raw.sse_keyring.is_none(),
            s3_key,
            sealed_s3_key: PathBuf::new(),
        })
    }

    /// The files kept under the state directory `data`: the sealed SSE-S3 key, and the
    /// keyring unless `--sse-keyring` named one.
    pub fn under(mut self, data: &Path) -> Self {
        if self.keyring_is_default {
            self.keyring = data.join(DEFAULT_KEYRING_FILE);
        }
        self.sealed_s3_key = data.join(SEALED_S3_KEY_FILE);
        self
    }
}
