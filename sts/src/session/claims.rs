//! What a session token carries, and how a new session's key pair is made.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};

use super::error::SealError;

/// Everything the gateway needs to authenticate and authorize a request signed with
/// temporary credentials. Times are seconds since the Unix epoch.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionClaims {
    /// AWS-shaped temporary access key id: `ASIA` and 16 characters of `[A-Z2-7]`.
    pub access_key_id: String,
    /// The 40-character secret the client signs with.
    pub secret_access_key: String,
    /// The account that owns the assumed role (or the caller, for a session of its own).
    pub account_id: String,
    /// ARN of the assumed role; empty for a session of the caller itself
    /// ([`SessionSource::SessionToken`], [`SessionSource::Federation`]).
    pub role_arn: String,
    /// The role's unique id (`AROA...`), which stays distinct across re-created roles;
    /// empty where `role_arn` is.
    pub role_id: String,
    /// `RoleSessionName` given by the caller, or the federated user's `Name`; empty for
    /// [`SessionSource::SessionToken`].
    pub session_name: String,
    /// How the session was obtained.
    pub source: SessionSource,
    /// Inline session policy (the JSON text), intersected with the role's policies.
    pub session_policy: Option<String>,
    /// Managed session policies (`PolicyArns`): ARNs of managed policies in `account_id`;
    /// with the inline one, the session's ceiling.
    pub policy_arns: Vec<String>,
    /// Session tags, in the order given.
    pub session_tags: Vec<SessionTag>,
    /// The keys of `session_tags` that pass on to a session this one makes by `AssumeRole`
    /// (role chaining).
    pub transitive_tag_keys: Vec<String>,
    /// `SourceIdentity`: who is behind the session, kept through role chaining.
    pub source_identity: Option<String>,
    /// When the credentials were issued.
    pub issued_at: u64,
    /// When the credentials stop being accepted.
    pub expires_at: u64,
}

/// How a session was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSource {
    /// `AssumeRole` called by this principal.
    AssumeRole {
        /// ARN of the calling principal.
        principal_arn: String,
    },
    /// `AssumeRoleWithWebIdentity` with a token from this provider.
    WebIdentity {
        /// The provider, as its condition-key prefix (issuer without scheme).
        provider: String,
        /// The token's `sub`.
        subject: String,
    },
    /// `GetSessionToken`: the caller's own permissions, for a while.
    SessionToken {
        /// The caller: an IAM user's ARN, or `arn:aws:iam::ACCOUNT:root`.
        parent_arn: String,
        /// The user's unique id (`AIDA...`), or the account id for its root: a user deleted
        /// and made again under the same name does not inherit the session.
        parent_id: String,
    },
    /// `GetFederationToken`: a federated user named by [`SessionClaims::session_name`],
    /// with at most the caller's permissions.
    Federation {
        /// As in [`SessionSource::SessionToken`].
        parent_arn: String,
        /// As in [`SessionSource::SessionToken`].
        parent_id: String,
    },
}

/// One session tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTag {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// The part of [`SessionClaims`] the caller decides; [`SessionClaims::generate`] adds the
/// key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionGrant {
    /// See [`SessionClaims::account_id`].
    pub account_id: String,
    /// See [`SessionClaims::role_arn`].
    pub role_arn: String,
    /// See [`SessionClaims::role_id`].
    pub role_id: String,
    /// See [`SessionClaims::session_name`].
    pub session_name: String,
    /// See [`SessionClaims::source`].
    pub source: SessionSource,
    /// See [`SessionClaims::session_policy`].
    pub session_policy: Option<String>,
    /// See [`SessionClaims::policy_arns`].
    pub policy_arns: Vec<String>,
    /// See [`SessionClaims::session_tags`].
    pub session_tags: Vec<SessionTag>,
    /// See [`SessionClaims::transitive_tag_keys`].
    pub transitive_tag_keys: Vec<String>,
    /// See [`SessionClaims::source_identity`].
    pub source_identity: Option<String>,
    /// See [`SessionClaims::issued_at`].
    pub issued_at: u64,
    /// See [`SessionClaims::expires_at`].
    pub expires_at: u64,
}

/// RFC 4648 base32 alphabet: what AWS access key ids are made of after the prefix.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl SessionClaims {
    /// Claims for `grant` with a fresh random access key id and secret.
    pub fn generate(grant: SessionGrant) -> Result<Self, SealError> {
        let rng = SystemRandom::new();
        // 10 bytes are exactly 16 base32 characters; 30 bytes exactly 40 base64 ones.
        let mut id_bytes = [0u8; 10];
        let mut secret_bytes = [0u8; 30];
        rng.fill(&mut id_bytes)
            .and_then(|()| rng.fill(&mut secret_bytes))
            .map_err(|_| SealError::Random)?;
        Ok(SessionClaims {
            access_key_id: format!("ASIA{}", base32(&id_bytes)),
            secret_access_key: STANDARD.encode(secret_bytes),
            account_id: grant.account_id,
            role_arn: grant.role_arn,
            role_id: grant.role_id,
            session_name: grant.session_name,
            source: grant.source,
            session_policy: grant.session_policy,
            policy_arns: grant.policy_arns,
            session_tags: grant.session_tags,
            transitive_tag_keys: grant.transitive_tag_keys,
            source_identity: grant.source_identity,
            issued_at: grant.issued_at,
            expires_at: grant.expires_at,
        })
    }
}

/// Base32 without padding of a whole number of 5-byte groups.
fn base32(bytes: &[u8; 10]) -> String {
    let mut out = String::with_capacity(16);
    for group in bytes.chunks(5) {
        let bits = group.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        for i in (0..8).rev() {
            out.push(char::from(BASE32[((bits >> (i * 5)) & 31) as usize]));
        }
    }
    out
}

// The secret stays out of logs.
impl fmt::Debug for SessionClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionClaims")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account_id", &self.account_id)
            .field("role_arn", &self.role_arn)
            .field("role_id", &self.role_id)
            .field("session_name", &self.session_name)
            .field("source", &self.source)
            .field("session_policy", &self.session_policy)
            .field("policy_arns", &self.policy_arns)
            .field("session_tags", &self.session_tags)
            .field("transitive_tag_keys", &self.transitive_tag_keys)
            .field("source_identity", &self.source_identity)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
