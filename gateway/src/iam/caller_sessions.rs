//! Sessions of the caller itself (`GetSessionToken`, `GetFederationToken`): the IAM user or
//! account root behind one, found again by ARN and unique id each time its token is opened,
//! and the federated user's identity made from it.

use std::sync::{Arc, LazyLock};

use strata_policy::{Policy, PolicyKind};

use super::snapshot::Snapshot;
use crate::identity::{Identity, IdentityKind, Temporary};

/// What a root's federated user may do before its session policy caps it: everything, as
/// its root may.
static ROOT_GRANTS: LazyLock<Arc<Policy>> = LazyLock::new(|| {
    compiled(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
});

/// A federated user given no session policy has no permissions (as on AWS): a ceiling that
/// allows no action.
static NO_GRANTS: LazyLock<Arc<Policy>> = LazyLock::new(|| {
    compiled(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}"#,
    )
});

fn compiled(doc: &str) -> Arc<Policy> {
    // Constant documents, checked by this file's tests.
    Arc::new(Policy::parse(doc, PolicyKind::Identity).expect("a constant policy compiles"))
}

impl Snapshot {
    /// The IAM user or account root `arn` names, if it is still the one whose unique id is
    /// `id` (a user deleted and made again under its name has a new id).
    pub fn caller_by_arn(&self, arn: &str, id: &str) -> Option<Identity> {
        let (account_id, resource) = arn.strip_prefix("arn:aws:iam::")?.split_once(':')?;
        let account = self.account_by_id(account_id)?;
        if resource == "root" {
            return (id == account.id).then(|| Identity::root(account));
        }
        let name = resource.strip_prefix("user/")?.rsplit('/').next()?;
        let user = self
            .users
            .get(&(account_id.to_string(), name.to_string()))?;
        let identity = self.user_identity(account, name, user);
        (user.id == id && identity.arn == arn).then_some(identity)
    }
}

/// `parent` itself, for the life of a `GetSessionToken` session.
pub fn session_of(parent: Identity) -> Identity {
    Identity {
        temporary: Some(Temporary::SessionToken),
        ..parent
    }
}

/// `parent`'s federated user `name`: the parent's permissions (all of them for a root),
/// capped by `session_policies` (nothing without one), tagged with `tags`.
pub fn federated_user(
    parent: Identity,
    name: &str,
    mut session_policies: Vec<Arc<Policy>>,
    tags: Vec<(String, String)>,
) -> Identity {
    let account_id = &parent.account.id;
    if session_policies.is_empty() {
        session_policies.push(Arc::clone(&NO_GRANTS));
    }
    let policies = if parent.is_root() {
        vec![Arc::clone(&ROOT_GRANTS)]
    } else {
        parent.policies
    };
    Identity {
        arn: format!("arn:aws:sts::{account_id}:federated-user/{name}"),
        user_id: format!("{account_id}:{name}"),
        name: name.to_string(),
        kind: IdentityKind::FederatedUser {
            name: name.to_string(),
        },
        role_arn: None,
        tags,
        policies,
        boundary: parent.boundary,
        session_policies,
        temporary: Some(Temporary::FederationToken),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        account: parent.account,
    }
}

#[cfg(test)]
mod tests {
    use strata_policy::{Caller, ContextMap, Outcome, PrincipalType, Request};

    use super::*;

    fn outcome(policy: &Policy, action: &str) -> Outcome {
        let tags = [];
        let caller = Caller {
            arn: "arn:aws:sts::111122223333:federated-user/bob",
            account_id: "111122223333",
            user_id: "111122223333:bob",
            user_name: None,
            kind: PrincipalType::FederatedUser,
            tags: &tags,
            role_arn: None,
            federated_provider: None,
            source_identity: None,
            canonical_id: None,
        };
        policy.evaluate(&Request {
            action,
            resource: Some("arn:aws:s3:::bkt/key"),
            caller: &caller,
            context: &ContextMap::new(),
        })
    }

    #[test]
    fn a_root_grants_everything_and_no_session_policy_grants_nothing() {
        for action in ["s3:GetObject", "s3:PutObject", "iam:CreateUser"] {
            assert_eq!(outcome(&ROOT_GRANTS, action), Outcome::Allow, "{action}");
            assert_ne!(outcome(&NO_GRANTS, action), Outcome::Allow, "{action}");
        }
    }
}
