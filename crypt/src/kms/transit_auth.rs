//! How the transit client gets its token: a fixed token, a token file (re-read when the
//! server refuses the token, so a token rotated by an agent is picked up), or a login with
//! AppRole or a JWT (the pod's projected service-account token, through the `jwt` or
//! `kubernetes` auth method). Login tokens are renewed by logging in again before their
//! lease ends, and at once when the server refuses them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zeroize::Zeroize;

use super::error::KmsError;

/// Where the token comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum TransitAuth {
    /// A fixed token (tests, or a token handed over in memory).
    Token(String),
    /// A token in a file (a mounted Secret, or an agent's sink file).
    TokenFile(PathBuf),
    /// AppRole login with the role id and secret id in files.
    AppRole {
        /// The auth method's mount path, usually `approle`.
        mount: String,
        /// File holding the role id.
        role_id_file: PathBuf,
        /// File holding the secret id.
        secret_id_file: PathBuf,
    },
    /// JWT login (`jwt` method, verified offline against the issuer's JWKS, or the
    /// `kubernetes` method, through TokenReview) with a token read from a file at each
    /// login, as projected service-account tokens are rotated in place.
    Jwt {
        /// The auth method's mount path: `jwt`, `kubernetes`, ...
        mount: String,
        /// The role to log in as.
        role: String,
        /// File holding the JWT.
        jwt_file: PathBuf,
    },
}

impl std::fmt::Debug for TransitAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitAuth::Token(_) => f.write_str("Token(..)"),
            TransitAuth::TokenFile(p) => f.debug_tuple("TokenFile").field(p).finish(),
            TransitAuth::AppRole { mount, .. } => f
                .debug_struct("AppRole")
                .field("mount", mount)
                .finish_non_exhaustive(),
            TransitAuth::Jwt { mount, role, .. } => f
                .debug_struct("Jwt")
                .field("mount", mount)
                .field("role", role)
                .finish_non_exhaustive(),
        }
    }
}

impl Drop for TransitAuth {
    fn drop(&mut self) {
        if let TransitAuth::Token(token) = self {
            token.zeroize();
        }
    }
}

/// A token in use, and when to get a new one.
pub(super) struct Session {
    pub(super) token: String,
    renew_at: Option<Instant>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

impl Session {
    /// Whether the token should be replaced before it is used again.
    pub(super) fn is_due(&self) -> bool {
        self.renew_at.is_some_and(|at| Instant::now() >= at)
    }
}

fn read_secret(path: &Path) -> Result<String, KmsError> {
    let mut text = std::fs::read_to_string(path).map_err(|source| KmsError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let value = text.trim().to_string();
    text.zeroize();
    if value.is_empty() {
        return Err(KmsError::Rejected {
            status: 0,
            message: format!("{} is empty", path.display()),
        });
    }
    Ok(value)
}

impl TransitAuth {
    /// Fails unless every file this auth reads is readable and not empty.
    pub(super) fn check_files(&self) -> Result<(), KmsError> {
        let files: Vec<&Path> = match self {
            TransitAuth::Token(_) => Vec::new(),
            TransitAuth::TokenFile(path) => vec![path],
            TransitAuth::AppRole {
                role_id_file,
                secret_id_file,
                ..
            } => vec![role_id_file, secret_id_file],
            TransitAuth::Jwt { jwt_file, .. } => vec![jwt_file],
        };
        for file in files {
            read_secret(file)?;
        }
        Ok(())
    }

    /// Whether getting a token again can help after the server refused one.
    pub(super) fn can_renew(&self) -> bool {
        !matches!(self, TransitAuth::Token(_))
    }

    /// A token: the fixed one, the file's, or a login's. `server` is `ADDRESS/v1`.
    pub(super) async fn session(
        &self,
        client: &reqwest::Client,
        server: &str,
    ) -> Result<Session, KmsError> {
        let (mount, mut body) = match self {
            TransitAuth::Token(token) => {
                return Ok(Session {
                    token: token.clone(),
                    renew_at: None,
                })
            }
            TransitAuth::TokenFile(path) => {
                return Ok(Session {
                    token: read_secret(path)?,
                    renew_at: None,
                })
            }
            TransitAuth::AppRole {
                mount,
                role_id_file,
                secret_id_file,
            } => (
                mount,
                json!({
                    "role_id": read_secret(role_id_file)?,
                    "secret_id": read_secret(secret_id_file)?,
                }),
            ),
            TransitAuth::Jwt {
                mount,
                role,
                jwt_file,
            } => (mount, json!({"role": role, "jwt": read_secret(jwt_file)?})),
        };
        let url = format!("{server}/auth/{}/login", mount.trim_matches('/'));
        let sent = client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        forget_secrets(&mut body);
        let reply = sent.map_err(|e| KmsError::Unavailable(format!("login {url}: {e}")))?;
        let status = reply.status();
        let text = reply.text().await.unwrap_or_default();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            let message = answer
                .get("errors")
                .and_then(Value::as_array)
                .map(|e| {
                    e.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            let error = KmsError::Rejected {
                status: status.as_u16(),
                message: format!("login at {url}: {message}"),
            };
            return Err(if status.is_server_error() {
                KmsError::Unavailable(error.to_string())
            } else {
                error
            });
        }
        let auth = answer.get("auth");
        let token = auth
            .and_then(|a| a.get("client_token"))
            .and_then(Value::as_str)
            .ok_or_else(|| KmsError::Rejected {
                status: status.as_u16(),
                message: format!("login at {url}: no client_token in the reply"),
            })?
            .to_string();
        let lease = auth
            .and_then(|a| a.get("lease_duration"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        Ok(Session {
            token,
            // Log in again after three quarters of the lease, as agents do.
            renew_at: (lease > 0).then(|| Instant::now() + Duration::from_secs(lease * 3 / 4)),
        })
    }
}

/// Overwrites the secrets of a login body once sent.
fn forget_secrets(body: &mut Value) {
    if let Some(map) = body.as_object_mut() {
        for value in map.values_mut() {
            if let Value::String(s) = value {
                s.zeroize();
            }
        }
    }
}
