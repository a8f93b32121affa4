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
//! - `aws:RequestTag/KEY` and `aws:TagKeys`: the `Tags` that `CreateUser`, `CreateRole`,
//!   `CreatePolicy`, `TagUser`, `TagRole` and `TagPolicy` give (`aws:TagKeys` also the
//!   `TagKeys` that `UntagUser`, `UntagRole` and `UntagPolicy` remove).
//! - `iam:ResourceTag/KEY` (and `aws:ResourceTag/KEY`): the tags of the user, role or
//!   managed policy an action is about, as they are now.
//!
//! Tag keys compare in any case, as IAM keeps them unique in any case (and as
//! `aws:PrincipalTag/KEY` compares).

use std::sync::Arc;

use strata_policy::{ConditionContext, Values};

use super::call::Resource;
use crate::iam::Snapshot;
use crate::query_api::Form;
use crate::s3::condition_keys::strip_prefix_ignore_case;

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

/// Actions that give tags (`Tags.member.N.Key`/`.Value`).
const GIVING_TAGS: [&str; 6] = [
    "CreateUser",
    "CreateRole",
    "CreatePolicy",
    "TagUser",
    "TagRole",
    "TagPolicy",
];

/// Actions that remove tags (`TagKeys.member.N`).
const REMOVING_TAGS: [&str; 3] = ["UntagUser", "UntagRole", "UntagPolicy"];

/// The IAM keys of one call: what its form names, borrowed, and what the identity store
/// holds about its user or role, copied.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IamKeys<'f> {
    policy_arn: Option<&'f str>,
    boundary: Option<String>,
    request_tags: Vec<(&'f str, &'f str)>,
    tag_keys: Vec<&'f str>,
    resource_tags: Vec<(String, String)>,
}

impl<'f> IamKeys<'f> {
    /// The keys of `action` (as the form names it) on `resource` of `account`, from its
    /// `form` and the identity store as `snapshot` gives it.
    pub fn of(
        action: &str,
        form: &'f Form,
        account: &str,
        resource: Resource<'_>,
        snapshot: impl FnOnce() -> Arc<Snapshot>,
    ) -> IamKeys<'f> {
        let mut keys = IamKeys::default();
        if NAMING_A_POLICY.contains(&action) {
            keys.policy_arn = form.get("PolicyArn");
        }
        if GIVING_A_BOUNDARY.contains(&action) {
            keys.boundary = form.get("PermissionsBoundary").map(str::to_string);
        }
        if GIVING_TAGS.contains(&action) {
            keys.request_tags = (1..)
                .map_while(|i| {
                    let key = form.get(&format!("Tags.member.{i}.Key"))?;
                    Some((
                        key,
                        form.get(&format!("Tags.member.{i}.Value")).unwrap_or(""),
                    ))
                })
                .collect();
            keys.tag_keys = keys.request_tags.iter().map(|(k, _)| *k).collect();
        }
        if REMOVING_TAGS.contains(&action) {
            keys.tag_keys = form.list("TagKeys");
        }
        if let Some(held) = held(&snapshot(), account, resource) {
            if UNDER_A_BOUNDARY.contains(&action) {
                keys.boundary = held.boundary;
            }
            keys.resource_tags = held.tags;
        }
        keys
    }
}

impl ConditionContext for IamKeys<'_> {
    fn get(&self, key: &str) -> Option<Values<'_>> {
        if key.eq_ignore_ascii_case("iam:PolicyARN") {
            return self.policy_arn.map(Values::One);
        }
        if key.eq_ignore_ascii_case("iam:PermissionsBoundary") {
            return self.boundary.as_deref().map(Values::One);
        }
        if key.eq_ignore_ascii_case("aws:TagKeys") {
            return (!self.tag_keys.is_empty()).then_some(Values::Many(&self.tag_keys));
        }
        if let Some(name) = strip_prefix_ignore_case(key, "aws:RequestTag/") {
            return self
                .request_tags
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| Values::One(v));
        }
        let resource_tag = strip_prefix_ignore_case(key, "iam:ResourceTag/")
            .or_else(|| strip_prefix_ignore_case(key, "aws:ResourceTag/"))?;
        self.resource_tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(resource_tag))
            .map(|(_, v)| Values::One(v.as_str()))
    }
}

/// What the identity store holds about a user or role that bears on conditions.
struct Held {
    boundary: Option<String>,
    tags: Vec<(String, String)>,
}

/// The boundary and tags of the user or role `resource` names, if it exists.
fn held(snapshot: &Snapshot, account: &str, resource: Resource<'_>) -> Option<Held> {
    let key = |name: &str| (account.to_string(), name.to_string());
    let (boundary, tags) = match resource {
        Resource::User(name) => {
            let user = snapshot.users.get(&key(name))?;
            (user.boundary.clone(), &user.tags)
        }
        Resource::Role(name) => {
            let role = snapshot.roles.get(&key(name))?;
            (role.boundary.clone(), &role.tags)
        }
        Resource::Policy(name) => (None, &snapshot.policies.get(&key(name))?.tags),
        _ => return None,
    };
    Some(Held {
        boundary,
        tags: tags.clone(),
    })
}

#[cfg(test)]
mod tests {
    use strata_policy::Values;

    use super::*;
    use crate::iam::records::UserRecord;

    const ARN: &str = "arn:aws:iam::111122223333:policy/b";

    /// The keys of `action` on user `bob`, who has boundary `ARN` and tag `team=blue`.
    fn keys_with(action: &str, body: &str, check: impl FnOnce(&IamKeys<'_>)) {
        let form = Form::parse(body.as_bytes()).unwrap();
        let mut snapshot = Snapshot::default();
        snapshot.users.insert(
            ("111122223333".into(), "bob".into()),
            UserRecord {
                id: "AIDABOB".into(),
                path: "/".into(),
                created_ns: 1,
                tags: vec![("team".into(), "blue".into())],
                policies: Default::default(),
                groups: Vec::new(),
                boundary: Some(ARN.into()),
            },
        );
        let snapshot = Arc::new(snapshot);
        let keys = IamKeys::of(action, &form, "111122223333", Resource::User("bob"), || {
            snapshot
        });
        check(&keys);
    }

    fn one<'a>(keys: &'a IamKeys<'_>, key: &str) -> Option<&'a str> {
        match keys.get(key)? {
            Values::One(v) => Some(v),
            other => panic!("{key}: {other:?}"),
        }
    }

    #[test]
    fn each_key_comes_from_the_actions_that_carry_it() {
        let other = "arn:aws:iam::111122223333:policy/other";
        keys_with("AttachUserPolicy", &format!("PolicyArn={other}"), |k| {
            assert_eq!(one(k, "iam:policyarn"), Some(other));
            assert_eq!(one(k, "iam:PermissionsBoundary"), Some(ARN), "held");
        });
        keys_with("CreateUser", &format!("PermissionsBoundary={other}"), |k| {
            assert_eq!(one(k, "iam:PermissionsBoundary"), Some(other), "given");
            assert!(k.get("iam:PolicyARN").is_none());
        });
        // Parameters of other actions are not keys; the user's tags always are.
        keys_with("CreatePolicyVersion", &format!("PolicyArn={other}"), |k| {
            assert!(k.get("iam:PolicyARN").is_none());
            assert!(k.get("iam:PermissionsBoundary").is_none());
        });
        keys_with("GetUser", "", |k| {
            assert_eq!(one(k, "iam:ResourceTag/team"), Some("blue"));
            assert_eq!(one(k, "aws:ResourceTag/team"), Some("blue"));
            // IAM tag keys are unique in any case, and compare so.
            assert_eq!(one(k, "iam:ResourceTag/Team"), Some("blue"));
            assert!(k.get("iam:ResourceTag/cost").is_none());
            assert!(k.get("aws:TagKeys").is_none());
        });
    }

    #[test]
    fn tags_given_and_removed_are_request_tags_and_tag_keys() {
        let body = "Tags.member.1.Key=team&Tags.member.1.Value=red&Tags.member.2.Key=cost";
        keys_with("TagUser", body, |k| {
            assert_eq!(one(k, "aws:RequestTag/team"), Some("red"));
            assert_eq!(one(k, "aws:RequestTag/cost"), Some(""));
            assert!(k.get("aws:RequestTag/none").is_none());
            let Some(Values::Many(keys)) = k.get("aws:TagKeys") else {
                panic!("{:?}", k.get("aws:TagKeys"))
            };
            assert_eq!(keys, ["team", "cost"]);
        });
        keys_with("UntagUser", "TagKeys.member.1=team", |k| {
            assert!(k.get("aws:RequestTag/team").is_none());
            let Some(Values::Many(keys)) = k.get("aws:TagKeys") else {
                panic!("no tag keys")
            };
            assert_eq!(keys, ["team"]);
        });
    }
}
