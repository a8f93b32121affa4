//! `TransitKms`: the [`Kms`] over a Vault-compatible transit engine (OpenBao, Vault).
//!
//! Keys are created as `aes256-gcm96` with `derived: true`, so the encryption context is
//! the transit `context` (its canonical bytes, base64): a blob only unseals with the same
//! context, as with the local keyring. Blobs are transit's `vault:vN:...` ciphertexts.
//! Authentication ([`TransitAuth`]): a token, a token file, or an AppRole or JWT
//! (Kubernetes service-account) login, renewed before its lease ends.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};
use zeroize::Zeroize;

use super::context::EncryptionContext;
use super::error::KmsError;
use super::service::{DataKey, KeyInfo, Kms};
use super::transit_auth::{Session, TransitAuth};
use crate::key::Kek;

/// Attempts per call when the KMS is unreachable or answers 5xx.
const ATTEMPTS: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(100);

/// Where the transit engine is and how to reach it.
#[derive(Clone, Debug)]
pub struct TransitConfig {
    /// The server's base address, e.g. `https://openbao.vault.svc:8200`.
    pub address: String,
    /// The transit engine's mount path, e.g. `transit`.
    pub mount: String,
    /// A CA bundle (PEM) to trust besides the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Bound on each request (connect and whole exchange).
    pub timeout: Duration,
}

/// The transit engine client.
pub struct TransitKms {
    client: reqwest::Client,
    /// `ADDRESS/v1`.
    server: String,
    /// `ADDRESS/v1/MOUNT`.
    base: String,
    auth: TransitAuth,
    session: Mutex<Option<Arc<Session>>>,
}

impl std::fmt::Debug for TransitKms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransitKms")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl TransitKms {
    /// A client authenticating with `token`.
    pub fn new(config: &TransitConfig, token: String) -> Result<Self, KmsError> {
        Self::with_auth(config, TransitAuth::Token(token))
    }

    /// A client authenticating with the token in `path` (e.g. a mounted Secret), read when
    /// first needed and again whenever the server refuses it.
    pub fn with_token_file(config: &TransitConfig, path: &Path) -> Result<Self, KmsError> {
        Self::with_auth(config, TransitAuth::TokenFile(path.to_path_buf()))
    }

    /// A client getting its token as `auth` says. The files `auth` names must be readable
    /// now (they are read again at each login).
    pub fn with_auth(config: &TransitConfig, auth: TransitAuth) -> Result<Self, KmsError> {
        auth.check_files()?;
        let server = format!("{}/v1", config.address.trim_end_matches('/'));
        Ok(TransitKms {
            client: http_client(config.ca_bundle.as_deref(), config.timeout)?,
            base: format!("{server}/{}", config.mount.trim_matches('/')),
            server,
            auth,
            session: Mutex::new(None),
        })
    }

    /// The token to use: the one held, unless it is due for renewal.
    async fn token(&self) -> Result<Arc<Session>, KmsError> {
        let held = self.held().clone().filter(|s| !s.is_due());
        if let Some(held) = held {
            return Ok(held);
        }
        let fresh = Arc::new(self.auth.session(&self.client, &self.server).await?);
        *self.held() = Some(fresh.clone());
        Ok(fresh)
    }

    /// Drops `session` unless another call replaced it already.
    fn forget(&self, session: &Arc<Session>) {
        let mut held = self.held();
        if held.as_ref().is_some_and(|h| Arc::ptr_eq(h, session)) {
            *held = None;
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Option<Arc<Session>>> {
        // A panic while holding the lock leaves a whole value: keep going.
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One call; when the server refuses the token (403) and a new one can be had, once
    /// more with a new one.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, KmsError> {
        let session = self.token().await?;
        match self.send(&method, path, body, &session.token).await {
            Err(KmsError::Rejected { status: 403, .. }) if self.auth.can_renew() => {
                self.forget(&session);
                let session = self.token().await?;
                self.send(&method, path, body, &session.token).await
            }
            other => other,
        }
    }

    /// One call with `token`, retried on transport errors and 5xx answers; the `data` of
    /// the reply.
    async fn send(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        token: &str,
    ) -> Result<Value, KmsError> {
        let url = format!("{}/{path}", self.base);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(BACKOFF * attempt).await;
            }
            let mut request = self
                .client
                .request(method.clone(), &url)
                .header("X-Vault-Token", token);
            if let Some(body) = body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            let reply = match request.send().await {
                Ok(reply) => reply,
                Err(e) => {
                    last = format!("{method} {url}: {e}");
                    continue;
                }
            };
            let status = reply.status();
            let text = reply.text().await.unwrap_or_default();
            if status.is_server_error() {
                last = format!("{method} {url}: HTTP {}", status.as_u16());
                continue;
            }
            return answer(status, &text);
        }
        Err(KmsError::Unavailable(last))
    }

    async fn read_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        let data = self
            .call(Method::GET, &format!("keys/{id}"), None)
            .await
            .map_err(|e| missing_key(e, id))?;
        key_info(id, &data)
    }
}

/// The `data` of a 2xx reply, or the error it stands for.
fn answer(status: StatusCode, text: &str) -> Result<Value, KmsError> {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body.get("data").cloned().unwrap_or(Value::Null));
    }
    let message = body
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    Err(KmsError::Rejected {
        status: status.as_u16(),
        message,
    })
}

/// A 404, or transit's "encryption key not found", as [`KmsError::NoSuchKey`].
fn missing_key(error: KmsError, id: &str) -> KmsError {
    match error {
        KmsError::Rejected { status: 404, .. } => KmsError::NoSuchKey(id.into()),
        KmsError::Rejected { ref message, .. } if message.contains("key not found") => {
            KmsError::NoSuchKey(id.into())
        }
        other => other,
    }
}

/// A failed unseal (wrong context, changed ciphertext) as [`KmsError::InvalidBlob`].
fn unseal_error(error: KmsError, id: &str) -> KmsError {
    match missing_key(error, id) {
        KmsError::Rejected { status: 400, .. } => KmsError::InvalidBlob,
        other => other,
    }
}

fn key_info(id: &str, data: &Value) -> Result<KeyInfo, KmsError> {
    let bad = || KmsError::Rejected {
        status: 200,
        message: format!("unexpected key description for {id:?}"),
    };
    let current_version = data
        .get("latest_version")
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(bad)?;
    let min = data
        .get("min_decryption_version")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    let mut versions: Vec<u32> = data
        .get("keys")
        .and_then(Value::as_object)
        .ok_or_else(bad)?
        .keys()
        .filter_map(|v| v.parse::<u32>().ok())
        .filter(|&v| u64::from(v) >= min)
        .collect();
    versions.sort_unstable();
    Ok(KeyInfo {
        id: id.to_string(),
        current_version,
        versions,
    })
}

fn check_id(id: &str) -> Result<(), KmsError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(KmsError::InvalidKeyId(id.into()))
    }
}

fn context_field(context: &EncryptionContext) -> String {
    STANDARD.encode(context.canonical_bytes())
}

fn ciphertext_of(sealed: &[u8]) -> Result<&str, KmsError> {
    std::str::from_utf8(sealed)
        .ok()
        .filter(|text| text.starts_with("vault:v"))
        .ok_or(KmsError::InvalidBlob)
}

fn string_field<'a>(data: &'a Value, field: &str) -> Result<&'a str, KmsError> {
    data.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| KmsError::Rejected {
            status: 200,
            message: format!("reply without {field}"),
        })
}

fn key_from_base64(text: &str) -> Result<Kek, KmsError> {
    let mut bytes = STANDARD.decode(text).map_err(|_| KmsError::InvalidBlob)?;
    let key = Kek::from_slice(&bytes);
    bytes.zeroize();
    key.ok_or(KmsError::InvalidBlob)
}

#[async_trait]
impl Kms for TransitKms {
    async fn create_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        check_id(id)?;
        // Transit's create is an upsert: look first, so that an existing key is reported.
        match self.read_key(id).await {
            Ok(_) => return Err(KmsError::KeyExists(id.into())),
            Err(KmsError::NoSuchKey(_)) => {}
            Err(other) => return Err(other),
        }
        let body = json!({"type": "aes256-gcm96", "derived": true});
        self.call(Method::POST, &format!("keys/{id}"), Some(&body))
            .await?;
        self.read_key(id).await
    }

    async fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError> {
        let list = Method::from_bytes(b"LIST").map_err(|e| KmsError::Unavailable(e.to_string()))?;
        let names = match self.call(list, "keys", None).await {
            Ok(data) => data
                .get("keys")
                .and_then(Value::as_array)
                .map(|keys| {
                    keys.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            Err(KmsError::Rejected { status: 404, .. }) => Vec::<String>::new(),
            Err(other) => return Err(other),
        };
        let mut keys = Vec::with_capacity(names.len());
        for name in names {
            keys.push(self.read_key(&name).await?);
        }
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(keys)
    }

    async fn key_info(&self, id: &str) -> Result<KeyInfo, KmsError> {
        check_id(id)?;
        self.read_key(id).await
    }

    fn sealed_version(&self, sealed: &[u8]) -> Option<u32> {
        let text = std::str::from_utf8(sealed).ok()?;
        let (version, _) = text.strip_prefix("vault:v")?.split_once(':')?;
        version.parse().ok()
    }

    async fn rotate_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        check_id(id)?;
        self.call(Method::POST, &format!("keys/{id}/rotate"), None)
            .await
            .map_err(|e| missing_key(e, id))?;
        self.read_key(id).await
    }

    async fn generate_data_key(
        &self,
        id: &str,
        context: &EncryptionContext,
    ) -> Result<DataKey, KmsError> {
        check_id(id)?;
        let body = json!({"context": context_field(context)});
        let data = self
            .call(
                Method::POST,
                &format!("datakey/plaintext/{id}"),
                Some(&body),
            )
            .await
            .map_err(|e| missing_key(e, id))?;
        let plaintext = key_from_base64(string_field(&data, "plaintext")?)?;
        let sealed = string_field(&data, "ciphertext")?.as_bytes().to_vec();
        let key_version = data
            .get("key_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
        Ok(DataKey {
            plaintext,
            sealed,
            key_version,
        })
    }

    async fn seal(
        &self,
        id: &str,
        data_key: &Kek,
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError> {
        check_id(id)?;
        let body = json!({
            "plaintext": STANDARD.encode(data_key.expose()),
            "context": context_field(context),
        });
        let data = self
            .call(Method::POST, &format!("encrypt/{id}"), Some(&body))
            .await
            .map_err(|e| missing_key(e, id))?;
        Ok(string_field(&data, "ciphertext")?.as_bytes().to_vec())
    }

    async fn decrypt(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Kek, KmsError> {
        check_id(id)?;
        let body = json!({"ciphertext": ciphertext_of(sealed)?, "context": context_field(context)});
        let data = self
            .call(Method::POST, &format!("decrypt/{id}"), Some(&body))
            .await
            .map_err(|e| unseal_error(e, id))?;
        key_from_base64(string_field(&data, "plaintext")?)
    }

    async fn rewrap(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError> {
        check_id(id)?;
        let body = json!({"ciphertext": ciphertext_of(sealed)?, "context": context_field(context)});
        let data = self
            .call(Method::POST, &format!("rewrap/{id}"), Some(&body))
            .await
            .map_err(|e| unseal_error(e, id))?;
        Ok(string_field(&data, "ciphertext")?.as_bytes().to_vec())
    }
}

/// An HTTP client on rustls with ring, trusting the system's CAs and `ca_bundle`, with
/// `timeout` on connecting and on each call, and no proxy.
pub fn http_client(
    ca_bundle: Option<&Path>,
    timeout: Duration,
) -> Result<reqwest::Client, KmsError> {
    let setup = |reason: String| KmsError::Unavailable(format!("HTTP client: {reason}"));
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = ca_bundle {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| setup(format!("CA bundle {}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(setup(format!(
                "CA bundle {}: no certificate",
                path.display()
            )));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| setup(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| setup(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(timeout)
        // Key material must come from the configured server, never through a proxy.
        .no_proxy()
        .build()
        .map_err(|e| setup(e.to_string()))
}
