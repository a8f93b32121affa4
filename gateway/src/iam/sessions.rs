//! Sessions on the request path: a session token is opened (one AES-GCM open), its
//! claims checked against the request's key and the role (or user) as it is now, and the session's
//! identity built; the result is kept per token while the identity store does not change,
//! so a session's next requests skip all of that. Nothing is written per session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strata_policy::{Policy, PolicyKind};
use strata_sts::session::{SessionClaims, SessionSealer, SessionSource, TokenError};

use super::caller_sessions::{federated_user, session_of};
use super::snapshot::Snapshot;
use crate::auth::{AuthError, Credential};
use crate::identity::Identity;

/// Compiled session policies kept at most (by document text); past it the cache starts over.
const MAX_CACHED_POLICIES: usize = 1024;

/// Opened sessions kept at most (by token); past it the cache starts over.
const MAX_OPENED_SESSIONS: usize = 4096;

/// A token opened against one snapshot of the identity store.
struct Opened {
    snapshot: Arc<Snapshot>,
    credential: Credential,
}

/// Opens session tokens into credentials.
pub struct SessionCredentials {
    sealer: Arc<SessionSealer>,
    // Sessions made with the same policy share one compiled copy, so a request does not
    // parse its session's policy again.
    policies: Mutex<HashMap<String, Arc<Policy>>>,
    // Opening a token and building its identity cost a 4 KiB GET 15% of its CPU; a
    // session signs many requests with one token.
    opened: Mutex<HashMap<String, Opened>>,
}

impl SessionCredentials {
    /// Sessions sealed by `sealer`.
    pub fn new(sealer: Arc<SessionSealer>) -> SessionCredentials {
        SessionCredentials {
            sealer,
            policies: Mutex::default(),
            opened: Mutex::default(),
        }
    }

    /// The credential of the session `token` holds, if it is `access_key`'s and its role
    /// (or the user it is a session of) still exists: the same one, as a role or user
    /// deleted and made again has a new id.
    pub fn open(
        &self,
        snapshot: &Arc<Snapshot>,
        access_key: &str,
        token: &str,
    ) -> Result<Credential, AuthError> {
        if let Some(credential) = self.already_opened(snapshot, access_key, token) {
            return Ok(credential);
        }
        let credential = self.open_token(snapshot, access_key, token)?;
        let mut opened = self.opened.lock().unwrap_or_else(|p| p.into_inner());
        if opened.len() >= MAX_OPENED_SESSIONS {
            opened.clear();
        }
        opened.insert(
            token.to_string(),
            Opened {
                snapshot: Arc::clone(snapshot),
                credential: credential.clone(),
            },
        );
        Ok(credential)
    }

    /// The credential `token` opened to before, if the identity store has not changed since
    /// (a role deleted or its policies edited make a new snapshot), it is `access_key`'s and
    /// it has not expired; anything else is decided by opening the token again.
    fn already_opened(
        &self,
        snapshot: &Arc<Snapshot>,
        access_key: &str,
        token: &str,
    ) -> Option<Credential> {
        let opened = self.opened.lock().unwrap_or_else(|p| p.into_inner());
        let entry = opened.get(token)?;
        let current = Arc::ptr_eq(&entry.snapshot, snapshot)
            && entry.credential.access_key == access_key
            && entry
                .credential
                .expires_at
                .is_some_and(|end| SystemTime::now() < end);
        current.then(|| entry.credential.clone())
    }

    fn open_token(
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
        let session_policies = self.session_policies(snapshot, &claims)?;
        let identity = match &claims.source {
            SessionSource::AssumeRole { .. } | SessionSource::WebIdentity { .. } => {
                let role = snapshot
                    .role_by_arn(&claims.role_arn)
                    .filter(|role| {
                        role.record.id == claims.role_id && role.account_id == claims.account_id
                    })
                    .ok_or(AuthError::InvalidAccessKeyId)?;
                snapshot
                    .role_session(role, &claims.session_name, session_policies)
                    .map(|identity| with_session_terms(identity, &claims))
            }
            SessionSource::SessionToken {
                parent_arn,
                parent_id,
            } => snapshot
                .caller_by_arn(parent_arn, parent_id)
                .map(session_of),
            SessionSource::Federation {
                parent_arn,
                parent_id,
            } => snapshot.caller_by_arn(parent_arn, parent_id).map(|parent| {
                let tags = claims
                    .session_tags
                    .iter()
                    .map(|tag| (tag.key.clone(), tag.value.clone()))
                    .collect();
                federated_user(parent, &claims.session_name, session_policies, tags)
            }),
        }
        .filter(|identity| identity.account.id == claims.account_id)
        .ok_or(AuthError::InvalidAccessKeyId)?;
        Ok(
            Credential::new(access_key, claims.secret_access_key, Arc::new(identity))
                .with_session_token(token, UNIX_EPOCH + Duration::from_secs(claims.expires_at)),
        )
    }

    /// The session's policies, compiled: the inline one, then the managed ones as their
    /// default versions are in `snapshot` (a policy deleted since denies everything).
    fn session_policies(
        &self,
        snapshot: &Snapshot,
        claims: &SessionClaims,
    ) -> Result<Vec<Arc<Policy>>, AuthError> {
        let mut policies = Vec::with_capacity(1 + claims.policy_arns.len());
        if let Some(doc) = &claims.session_policy {
            policies.push(self.inline_policy(doc)?);
        }
        for arn in &claims.policy_arns {
            policies.push(snapshot.managed(&claims.account_id, arn, PolicyKind::Session));
        }
        Ok(policies)
    }

    /// The compiled inline session policy; it was checked when the session was made, so
    /// one that no longer compiles makes the token invalid.
    fn inline_policy(&self, doc: &str) -> Result<Arc<Policy>, AuthError> {
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

/// A role session's identity with what its token adds to the role: session tags (which
/// replace the role's tags of the same key, in any case), the keys of them that are
/// transitive, and the source identity.
fn with_session_terms(mut identity: Identity, claims: &SessionClaims) -> Identity {
    for tag in &claims.session_tags {
        identity
            .tags
            .retain(|(key, _)| !key.eq_ignore_ascii_case(&tag.key));
        identity.tags.push((tag.key.clone(), tag.value.clone()));
    }
    identity.transitive_tag_keys = claims.transitive_tag_keys.clone();
    identity.source_identity = claims.source_identity.clone();
    identity
}
