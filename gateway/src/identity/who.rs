//! One identity: what authentication proves and what authorization asks about.

use std::sync::Arc;

use strata_policy::{Caller, Policy, PrincipalType};

use super::Account;

/// The kind of identity, with what each kind has of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityKind {
    /// The account's root user: every right over the account's own resources.
    Root,
    /// An IAM user.
    User {
        /// The user name.
        name: String,
    },
    /// A temporary session of a role.
    RoleSession {
        /// The role's name.
        role: String,
        /// The session name the caller chose.
        session: String,
    },
    /// A federated user of `GetFederationToken`.
    FederatedUser {
        /// The `Name` the caller gave.
        name: String,
    },
}

/// How temporary credentials were obtained, where that limits which APIs they may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporary {
    /// A role session (`AssumeRole*`): the role's permissions, IAM and STS included.
    RoleSession,
    /// `GetSessionToken`: no IAM API; of STS only `AssumeRole` and `GetCallerIdentity`.
    SessionToken,
    /// `GetFederationToken`: no IAM API; of STS only `GetCallerIdentity`.
    FederationToken,
}

/// Who a credential authenticates as, with the policies that apply to it, compiled once
/// when the identity store last changed (not per request).
#[derive(Debug, Clone)]
pub struct Identity {
    /// The account it belongs to.
    pub account: Account,
    /// Root, user or role session.
    pub kind: IdentityKind,
    /// The name logs and audit events show: the account's name for its root, the user
    /// name, `role/session`, or the federated user's name.
    pub name: String,
    /// The principal ARN (`...:root`, `...:user/NAME`, `arn:aws:sts::ID:assumed-role/R/S`,
    /// `arn:aws:sts::ID:federated-user/NAME`).
    pub arn: String,
    /// `aws:userid`: the account id for root, the user's unique id, `ROLEID:session`, or
    /// `ACCOUNT:NAME` for a federated user.
    pub user_id: String,
    /// For a role session: the role's ARN.
    pub role_arn: Option<String>,
    /// The principal's tags (`aws:PrincipalTag/*`).
    pub tags: Vec<(String, String)>,
    /// Identity policies: the user's (inline, attached, its groups') or the role's.
    pub policies: Vec<Arc<Policy>>,
    /// The permissions boundary, if one is set.
    pub boundary: Option<Arc<Policy>>,
    /// A role session's or a federated user's session policies (inline and managed), if
    /// it was given any: together its ceiling.
    pub session_policies: Vec<Arc<Policy>>,
    /// For temporary credentials, how they were obtained; `None` for long-term keys.
    pub temporary: Option<Temporary>,
    /// A role session's keys of `tags` that pass on to the sessions it makes (role chaining).
    pub transitive_tag_keys: Vec<String>,
    /// A role session's `SourceIdentity`, kept through role chaining.
    pub source_identity: Option<String>,
}

/// Two identities are equal when they are the same principal (the same ARN and unique
/// id), whatever snapshot of their policies each carries.
impl PartialEq for Identity {
    fn eq(&self, other: &Identity) -> bool {
        self.arn == other.arn && self.user_id == other.user_id
    }
}

impl Eq for Identity {}

impl Identity {
    /// The root user of `account`.
    pub fn root(account: Account) -> Identity {
        Identity {
            arn: account.root_arn(),
            name: account.name.clone(),
            user_id: account.id.clone(),
            account,
            kind: IdentityKind::Root,
            role_arn: None,
            tags: Vec::new(),
            policies: Vec::new(),
            boundary: None,
            session_policies: Vec::new(),
            temporary: None,
            transitive_tag_keys: Vec::new(),
            source_identity: None,
        }
    }

    /// The root of a made-up account named `name`, for tests that need some identity.
    #[cfg(test)]
    pub fn test_root(name: &str) -> Arc<Identity> {
        Arc::new(Identity::root(Account {
            id: "111122223333".into(),
            name: name.into(),
            canonical_id: "0".repeat(64),
        }))
    }

    /// Whether this is an account's root user.
    pub fn is_root(&self) -> bool {
        self.kind == IdentityKind::Root
    }

    /// The policy engine's view of the caller; `tags` is scratch space the caller keeps
    /// alive (borrowed tag pairs), filled here.
    pub fn caller<'a>(&'a self, tags: &'a mut Vec<(&'a str, &'a str)>) -> Caller<'a> {
        tags.clear();
        tags.extend(self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Caller {
            arn: &self.arn,
            account_id: &self.account.id,
            user_id: &self.user_id,
            user_name: match &self.kind {
                IdentityKind::User { name } => Some(name),
                _ => None,
            },
            kind: match self.kind {
                IdentityKind::Root => PrincipalType::Root,
                IdentityKind::User { .. } => PrincipalType::User,
                IdentityKind::RoleSession { .. } => PrincipalType::AssumedRole,
                IdentityKind::FederatedUser { .. } => PrincipalType::FederatedUser,
            },
            tags,
            role_arn: self.role_arn.as_deref(),
            federated_provider: None,
            source_identity: self.source_identity.as_deref(),
            canonical_id: Some(&self.account.canonical_id),
        }
    }
}
