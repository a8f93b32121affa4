//! Roles declared in the config file (`[[roles]]`), written into the identity store at each
//! start. A declared role wins over IAM API edits of the same name: its trust policy,
//! maximum session and permissions are put back as declared; its id, creation time and tags
//! are kept, so its sessions stay valid across restarts.

use std::collections::BTreeMap;

use super::error::IamError;
use super::ids::{self, UniqueKind};
use super::keys::Kind;
use super::records::{Attached, RoleRecord};
use super::store::IamStore;
use crate::config::RoleConfig;

/// The name of the inline policy that holds a declared role's `policy`.
pub const DECLARED_POLICY: &str = "declared";

impl IamStore {
    /// Writes each declared role (with the id of the account it names) where it differs
    /// from what is stored.
    pub async fn apply_declared_roles(
        &self,
        roles: &[(String, &RoleConfig)],
    ) -> Result<(), IamError> {
        if roles.is_empty() {
            return Ok(());
        }
        let mut change = self.change().await?;
        for (account_id, declared) in roles {
            let current = change
                .current
                .roles
                .get(&(account_id.clone(), declared.name.clone()));
            let wanted = declared_record(current, declared);
            if current != Some(&wanted) {
                tracing::info!(role = %declared.name, account = %account_id, "declared role written");
                change.put(Kind::Role, &[account_id, &declared.name], &wanted);
            }
        }
        change.apply().await?;
        Ok(())
    }
}

fn declared_record(current: Option<&RoleRecord>, declared: &RoleConfig) -> RoleRecord {
    let inline: BTreeMap<String, String> = declared
        .policy
        .iter()
        .map(|doc| (DECLARED_POLICY.to_string(), doc.clone()))
        .collect();
    let policies = Attached {
        inline,
        managed: Vec::new(),
    };
    match current {
        Some(role) => RoleRecord {
            path: declared.path.clone(),
            trust: declared.trust.clone(),
            max_session_secs: declared.max_session_secs,
            policies,
            boundary: None,
            ..role.clone()
        },
        None => RoleRecord {
            id: ids::unique_id(UniqueKind::Role),
            path: declared.path.clone(),
            created_ns: crate::iam::now_ns(),
            trust: declared.trust.clone(),
            description: "declared in the config file".into(),
            max_session_secs: declared.max_session_secs,
            tags: Vec::new(),
            policies,
            boundary: None,
        },
    }
}
