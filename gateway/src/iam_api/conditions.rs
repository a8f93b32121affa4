//! The IAM condition keys an IAM action's request carries, as AWS's "Actions, resources,
//! and condition keys for IAM" lists them, so that an account can delegate IAM safely
//! (let an admin make users and roles only with a given permissions boundary, or attach
//! only some policies):
//!
//! - `iam:PolicyARN`: the managed policy an `Attach…Policy`/`Detach…Policy` names.
//! - `iam:PermissionsBoundary`: the boundary `CreateUser`/`CreateRole` or
//!   `Put{User,Role}PermissionsBoundary` gives; for the other actions that change what a
//!   user or role may do (its inline and attached policies, removing its boundary), the
//!   boundary it has now. Absent when there is none, so a condition requiring one fails.

use strata_policy::ContextMap;

use super::call::Resource;
use crate::iam::Snapshot;
use crate::query_api::Form;

/// Actions that carry `iam:PolicyARN`.
const NAMING_A_POLICY: [&str; 6] = [
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "DetachGroupPolicy",
    "DetachRolePolicy",
    "DetachUserPolicy",
];

/// Actions whose `iam:PermissionsBoundary` is the `PermissionsBoundary` they give.
const GIVING_A_BOUNDARY: [&str; 4] = [
    "CreateUser",
    "CreateRole",
    "PutUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
];

/// Actions whose `iam:PermissionsBoundary` is the boundary the user or role has.
const UNDER_A_BOUNDARY: [&str; 10] = [
    "AttachRolePolicy",
    "AttachUserPolicy",
    "DeleteRolePermissionsBoundary",
    "DeleteRolePolicy",
    "DeleteUserPermissionsBoundary",
    "DeleteUserPolicy",
    "DetachRolePolicy",
    "DetachUserPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
];

/// The IAM keys of one call, owned (the context borrows them).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IamKeys {
    policy_arn: Option<String>,
    boundary: Option<String>,
}

impl IamKeys {
    /// The keys of `action` (as the form names it) on `resource` of `account`, from its
    /// `form` and, for a boundary held, the identity store as `snapshot` gives it.
    pub fn of(
        action: &str,
        form: &Form,
        account: &str,
        resource: Resource<'_>,
        snapshot: impl FnOnce() -> std::sync::Arc<Snapshot>,
    ) -> IamKeys {
        let policy_arn = NAMING_A_POLICY
            .contains(&action)
            .then(|| form.get("PolicyArn").map(str::to_string))
            .flatten();
        let boundary = if GIVING_A_BOUNDARY.contains(&action) {
            form.get("PermissionsBoundary").map(str::to_string)
        } else if UNDER_A_BOUNDARY.contains(&action) {
            held_boundary(&snapshot(), account, resource)
        } else {
            None
        };
        IamKeys {
            policy_arn,
            boundary,
        }
    }

    /// The keys as a policy context.
    pub fn context(&self) -> ContextMap<'_> {
        let mut context = ContextMap::new();
        if let Some(arn) = &self.policy_arn {
            context = context.with("iam:PolicyARN", arn);
        }
        if let Some(arn) = &self.boundary {
            context = context.with("iam:PermissionsBoundary", arn);
        }
        context
    }
}

/// The boundary the user or role `resource` names has now, if it exists and has one.
fn held_boundary(snapshot: &Snapshot, account: &str, resource: Resource<'_>) -> Option<String> {
    let key = |name: &str| (account.to_string(), name.to_string());
    match resource {
        Resource::User(name) => snapshot.users.get(&key(name))?.boundary.clone(),
        Resource::Role(name) => snapshot.roles.get(&key(name))?.boundary.clone(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(action: &str, body: &str) -> IamKeys {
        let form = Form::parse(body.as_bytes()).unwrap();
        IamKeys::of(action, &form, "111122223333", Resource::User("bob"), || {
            std::sync::Arc::new(Snapshot::default())
        })
    }

    #[test]
    fn each_key_comes_from_the_actions_that_carry_it() {
        let arn = "arn:aws:iam::111122223333:policy/b";
        let attach = keys("AttachUserPolicy", &format!("PolicyArn={arn}"));
        assert_eq!(attach.policy_arn.as_deref(), Some(arn));
        assert_eq!(attach.boundary, None, "bob does not exist: no boundary");
        let create = keys("CreateUser", &format!("PermissionsBoundary={arn}"));
        assert_eq!(create.boundary.as_deref(), Some(arn));
        assert_eq!(create.policy_arn, None);
        // Parameters of other actions are not keys.
        assert_eq!(
            keys("CreatePolicyVersion", &format!("PolicyArn={arn}")),
            IamKeys::default()
        );
        assert_eq!(
            keys("TagUser", &format!("PermissionsBoundary={arn}")),
            IamKeys::default()
        );
    }
}
