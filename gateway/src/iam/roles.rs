//! Roles as STS uses them: found by ARN, their policies compiled once per snapshot, and the
//! identity of a session of one.

use std::collections::HashMap;
use std::sync::Arc;

use strata_policy::{Policy, PolicyKind};

use super::records::RoleRecord;
use super::snapshot::{Scoped, Snapshot};
use crate::identity::{Account, Identity, IdentityKind, Temporary};

/// A role's identity and boundary policies, compiled when the snapshot was built.
#[derive(Debug, Default)]
pub struct RolePolicies {
    /// Inline and attached policies.
    pub policies: Vec<Arc<Policy>>,
    /// The permissions boundary.
    pub boundary: Option<Arc<Policy>>,
}

/// One role, found by its ARN.
#[derive(Debug, Clone, Copy)]
pub struct RoleRef<'a> {
    /// The role's account id.
    pub account_id: &'a str,
    /// The role's name.
    pub name: &'a str,
    /// The record.
    pub record: &'a RoleRecord,
}

impl RoleRef<'_> {
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    pub fn arn(&self) -> String {
        role_arn(self.account_id, &self.record.path, self.name)
    }
}

/// A role's ARN from its parts (the path starts and ends with `/`).
pub fn role_arn(account_id: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:role{path}{name}")
}

/// The session ARN: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (no path, as AWS).
pub fn session_arn(account_id: &str, role: &str, session: &str) -> String {
    format!("arn:aws:sts::{account_id}:assumed-role/{role}/{session}")
}

impl Snapshot {
    /// The role an ARN names (its path included), if it exists.
    pub fn role_by_arn(&self, arn: &str) -> Option<RoleRef<'_>> {
        let rest = arn.strip_prefix("arn:aws:iam::")?;
        let (account_id, resource) = rest.split_once(':')?;
        let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
        let key = (account_id.to_string(), name.to_string());
        let ((account_id, name), record) = self.roles.get_key_value(&key)?;
        let found = RoleRef {
            account_id,
            name,
            record,
        };
        (found.arn() == arn).then_some(found)
    }

    /// The identity of a session of `role`, with the role's policies of this snapshot and
    /// the session's own policy; `None` when the role's account is gone.
    pub fn role_session(
        &self,
        role: RoleRef<'_>,
        session: &str,
        session_policies: Vec<Arc<Policy>>,
    ) -> Option<Identity> {
        let account: Account = self.account_by_id(role.account_id)?;
        let compiled = self
            .role_policies
            .get(&(role.account_id.to_string(), role.name.to_string()));
        Some(Identity {
            arn: session_arn(role.account_id, role.name, session),
            name: format!("{}/{session}", role.name),
            user_id: format!("{}:{session}", role.record.id),
            kind: IdentityKind::RoleSession {
                role: role.name.to_string(),
                session: session.to_string(),
            },
            role_arn: Some(role.arn()),
            tags: role.record.tags.clone(),
            policies: compiled.map(|c| c.policies.clone()).unwrap_or_default(),
            boundary: compiled.and_then(|c| c.boundary.clone()),
            session_policies,
            temporary: Some(Temporary::RoleSession),
            transitive_tag_keys: Vec::new(),
            source_identity: None,
            account,
        })
    }

    /// Every role's policies, compiled (at snapshot build).
    pub(super) fn compile_roles(&self) -> HashMap<Scoped, RolePolicies> {
        self.roles
            .iter()
            .map(|((account_id, name), role)| {
                let compiled = RolePolicies {
                    policies: self.compile(account_id, &role.policies),
                    boundary: role
                        .boundary
                        .as_deref()
                        .map(|arn| self.managed(account_id, arn, PolicyKind::Boundary)),
                };
                ((account_id.clone(), name.clone()), compiled)
            })
            .collect()
    }
}
