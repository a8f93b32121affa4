//! Role sessions on the request path: the session token is opened per request (one
//! AES-GCM open), its claims checked against the request's key and the role as it is now,
//! and the session's identity rebuilt. Nothing is written per session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use strata_policy::{Policy, PolicyKind};
use strata_sts::session::{SessionSealer, TokenError};

use super::snapshot::Snapshot;
use crate::auth::{AuthError, Credential};

/// Compiled session policies kept at most (by document text); past it the cache starts over.
const MAX_CACHED_POLICIES: usize = 1024;

/// Opens session tokens into credentials.
pub struct SessionCredentials {
    sealer: Arc<SessionSealer>,
    // Sessions made with the same policy share one compiled copy, so a request does not
    // parse its session's policy again.
    policies: Mutex<HashMap<String, Arc<Policy>>>,
}

impl SessionCredentials {
    /// Sessions sealed by `sealer`.
    pub fn new(sealer: Arc<SessionSealer>) -> SessionCredentials {
        SessionCredentials {
            sealer,
            policies: Mutex::default(),
        }
    }

    /// The credential of the session `token` holds, if it is `access_key`'s and its role
    /// still exists (the same role: a role deleted and made again has a new id).
    pub fn open(
        &self,
        snapshot: &Snapshot,
        access_key: &str,
        token: &str,
    ) -> Result<Credential, AuthError> {
        let claims = self.sealer.open(token).map_err(|e| match e {
            TokenError::Expired { .. } => AuthError::ExpiredToken,
            _ => AuthError::InvalidToken,
        })?;
        if claims.access_key_id != access_key {
            return Err(AuthError::InvalidToken);
        }
        let role = snapshot
            .role_by_arn(&claims.role_arn)
            .filter(|role| role.record.id == claims.role_id && role.account_id == claims.account_id)
            .ok_or(AuthError::InvalidAccessKeyId)?;
        let session_policy = match claims.session_policy.as_deref() {
            Some(doc) => Some(self.session_policy(doc)?),
            None => None,
        };
        let identity = snapshot
            .role_session(role, &claims.session_name, session_policy)
            .ok_or(AuthError::InvalidAccessKeyId)?;
        Ok(
            Credential::new(access_key, claims.secret_access_key, Arc::new(identity))
                .with_session_token(token, UNIX_EPOCH + Duration::from_secs(claims.expires_at)),
        )
    }

    /// The compiled session policy; it was checked when the session was made, so one
    /// that no longer compiles makes the token invalid.
    fn session_policy(&self, doc: &str) -> Result<Arc<Policy>, AuthError> {
        let mut cache = self.policies.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(policy) = cache.get(doc) {
            return Ok(policy.clone());
        }
        let policy = Policy::parse_with_limit(doc, PolicyKind::Session, usize::MAX)
            .map(Arc::new)
            .map_err(|_| AuthError::InvalidToken)?;
        if cache.len() >= MAX_CACHED_POLICIES {
            cache.clear();
        }
        cache.insert(doc.to_string(), policy.clone());
        Ok(policy)
    }
}
