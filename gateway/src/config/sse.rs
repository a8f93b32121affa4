//! Server-side encryption settings: whether new objects are encrypted by default, and where
//! the SSE-S3 key comes from. Documented in docs/ENCRYPTION.md.

use std::path::{Path, PathBuf};

use strata_crypt::kms::TransitAuth;
use strata_crypt::Cipher;

use super::raw::RawSettings;
use super::settings::invalid;
use super::ConfigError;

/// The keyring key that seals the SSE-S3 key unless `--sse-s3-key` names another.
pub const DEFAULT_SSE_S3_KEY: &str = "strata-sse-s3";
/// The KMS key of `aws:kms` requests that name none, unless `--sse-kms-key` names another.
pub const DEFAULT_SSE_KMS_KEY: &str = "strata-sse-kms";
/// The transit engine's mount path unless `--kms-mount` names another.
pub const DEFAULT_KMS_MOUNT: &str = "transit";
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

/// The cipher of new objects' streams (`--sse-cipher`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CipherSetting {
    /// AES-256-GCM where the CPU has AES instructions, else ChaCha20-Poly1305.
    #[default]
    Auto,
    /// This one, whatever the CPU.
    Fixed(Cipher),
}

impl CipherSetting {
    /// The cipher new streams use on this machine.
    pub fn cipher(self) -> Cipher {
        match self {
            CipherSetting::Auto => Cipher::preferred(),
            CipherSetting::Fixed(cipher) => cipher,
        }
    }
}

/// Where SSE-KMS's keys live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsSetting {
    /// The local keyring (`--sse-keyring`), which also holds the SSE-S3 key's sealing key.
    Keyring,
    /// A Vault-compatible transit engine.
    Transit {
        /// Its base address.
        address: String,
        /// The engine's mount path.
        mount: String,
        /// How strata gets its token.
        auth: TransitAuth,
        /// A CA bundle to trust besides the system's.
        ca_file: Option<PathBuf>,
    },
}

/// Encryption settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseConfig {
    /// What new objects without encryption headers become.
    pub default: SseDefault,
    /// The cipher of new objects' streams.
    pub cipher: CipherSetting,
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
    /// Where SSE-KMS's keys live.
    pub kms: KmsSetting,
    /// The KMS key of `aws:kms` requests that name none.
    pub kms_key: String,
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
        let cipher = match raw.sse_cipher.as_deref().map(str::trim) {
            None => CipherSetting::Auto,
            Some(name) if name.eq_ignore_ascii_case("auto") => CipherSetting::Auto,
            Some(name) if name.eq_ignore_ascii_case("AES-256-GCM") => {
                CipherSetting::Fixed(Cipher::Aes256Gcm)
            }
            Some(name) if name.eq_ignore_ascii_case("ChaCha20-Poly1305") => {
                CipherSetting::Fixed(Cipher::ChaCha20Poly1305)
            }
            Some(other) => {
                return Err(invalid(
                    "--sse-cipher",
                    other,
                    "auto, AES-256-GCM or ChaCha20-Poly1305",
                ))
            }
        };
        let s3_key = key_id(
            "--sse-s3-key",
            raw.sse_s3_key.as_deref().unwrap_or(DEFAULT_SSE_S3_KEY),
        )?;
        let kms_key = key_id(
            "--sse-kms-key",
            raw.sse_kms_key.as_deref().unwrap_or(DEFAULT_SSE_KMS_KEY),
        )?;
        Ok(SseConfig {
            default,
            cipher,
            keyring: raw.sse_keyring.clone().unwrap_or_default(),
            keyring_is_default: raw.sse_keyring.is_none(),
            s3_key,
            sealed_s3_key: PathBuf::new(),
            kms: kms_setting(raw)?,
            kms_key,
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

/// A key id as the keyring takes it (`volume/ENCRYPTION.md`), in either keyring form.
fn key_id(setting: &'static str, id: &str) -> Result<String, ConfigError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid {
        return Err(invalid(
            setting,
            id,
            "1 to 64 of A-Z a-z 0-9 - _ . (not starting with '.')",
        ));
    }
    Ok(id.to_string())
}

/// `--kms-address` and its companions; without an address, the transit settings are refused
/// rather than ignored.
fn kms_setting(raw: &RawSettings) -> Result<KmsSetting, ConfigError> {
    let Some(address) = raw.kms_address.as_deref().map(str::trim) else {
        let stray = [
            ("--kms-mount", raw.kms_mount.is_some()),
            ("--kms-ca-file", raw.kms_ca_file.is_some()),
            ("--kms-auth", raw.kms_auth.is_some()),
        ];
        let set = stray.into_iter().chain(login_settings(raw));
        if let Some((name, _)) = set.into_iter().find(|(_, on)| *on) {
            return Err(invalid(name, "", "needs --kms-address"));
        }
        return Ok(KmsSetting::Keyring);
    };
    let scheme_ok = address.starts_with("https://") || address.starts_with("http://");
    if !scheme_ok || address.len() <= "https://".len() {
        return Err(invalid(
            "--kms-address",
            address,
            "an http:// or https:// URL",
        ));
    }
    let mount = mount_path(
        "--kms-mount",
        raw.kms_mount.as_deref().unwrap_or(DEFAULT_KMS_MOUNT),
    )?;
    Ok(KmsSetting::Transit {
        address: address.trim_end_matches('/').to_string(),
        mount,
        auth: transit_auth(raw)?,
        ca_file: raw.kms_ca_file.clone(),
    })
}

/// `--kms-auth` and the settings of its method; those of another method are refused.
fn transit_auth(raw: &RawSettings) -> Result<TransitAuth, ConfigError> {
    let method = raw.kms_auth.as_deref().map(str::trim).unwrap_or("token");
    let given = |name: &'static str, value: &Option<PathBuf>| {
        value
            .clone()
            .ok_or_else(|| invalid(name, "", &format!("required with --kms-auth {method}")))
    };
    let mount = || {
        mount_path(
            "--kms-auth-mount",
            raw.kms_auth_mount.as_deref().unwrap_or(method),
        )
    };
    let (auth, used): (TransitAuth, &[&str]) = match method {
        "token" => (
            TransitAuth::TokenFile(given("--kms-token-file", &raw.kms_token_file)?),
            &["--kms-token-file"],
        ),
        "approle" => (
            TransitAuth::AppRole {
                mount: mount()?,
                role_id_file: given("--kms-role-id-file", &raw.kms_role_id_file)?,
                secret_id_file: given("--kms-secret-id-file", &raw.kms_secret_id_file)?,
            },
            &[
                "--kms-auth-mount",
                "--kms-role-id-file",
                "--kms-secret-id-file",
            ],
        ),
        "jwt" | "kubernetes" => (
            TransitAuth::Jwt {
                mount: mount()?,
                role: raw
                    .kms_role
                    .clone()
                    .filter(|r| !r.trim().is_empty())
                    .ok_or_else(|| {
                        invalid(
                            "--kms-role",
                            "",
                            &format!("required with --kms-auth {method}"),
                        )
                    })?,
                jwt_file: given("--kms-jwt-file", &raw.kms_jwt_file)?,
            },
            &["--kms-auth-mount", "--kms-role", "--kms-jwt-file"],
        ),
        other => {
            return Err(invalid(
                "--kms-auth",
                other,
                "token, approle, jwt or kubernetes",
            ))
        }
    };
    let other = login_settings(raw)
        .into_iter()
        .find(|(n, on)| *on && !used.contains(n));
    if let Some((name, _)) = other {
        return Err(invalid(
            name,
            "",
            &format!("not used by --kms-auth {method}"),
        ));
    }
    Ok(auth)
}

/// Each login setting, and whether it is given.
fn login_settings(raw: &RawSettings) -> [(&'static str, bool); 6] {
    [
        ("--kms-auth-mount", raw.kms_auth_mount.is_some()),
        ("--kms-token-file", raw.kms_token_file.is_some()),
        ("--kms-role-id-file", raw.kms_role_id_file.is_some()),
        ("--kms-secret-id-file", raw.kms_secret_id_file.is_some()),
        ("--kms-role", raw.kms_role.is_some()),
        ("--kms-jwt-file", raw.kms_jwt_file.is_some()),
    ]
}

/// A mount path such as `transit` or `auth-k8s/cluster-1`.
fn mount_path(setting: &'static str, path: &str) -> Result<String, ConfigError> {
    let path = path.trim().trim_matches('/');
    let ok = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !path.split('/').any(|seg| seg.is_empty() || seg == "..");
    if !ok {
        return Err(invalid(setting, path, "a mount path such as transit"));
    }
    Ok(path.to_string())
}
