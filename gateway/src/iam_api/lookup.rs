//! Finding the entities an action names in a snapshot, with AWS's `NoSuchEntity` when they
//! are not there.

use crate::iam::records::{GroupRecord, PolicyRecord, RoleRecord, UserRecord};
use crate::iam::{Scoped, Snapshot};
use crate::identity::{Identity, IdentityKind};
use crate::s3::error::{Code, S3Error};

fn key(account: &str, name: &str) -> Scoped {
    (account.to_string(), name.to_string())
}

fn missing(what: &str, name: &str) -> S3Error {
    Code::NoSuchEntity.with(format!("The {what} with name {name} cannot be found."))
}

/// A user of `account`.
pub fn user<'s>(s: &'s Snapshot, account: &str, name: &str) -> Result<&'s UserRecord, S3Error> {
    s.users
        .get(&key(account, name))
        .ok_or_else(|| missing("user", name))
}

/// A group of `account`.
pub fn group<'s>(s: &'s Snapshot, account: &str, name: &str) -> Result<&'s GroupRecord, S3Error> {
    s.groups
        .get(&key(account, name))
        .ok_or_else(|| missing("group", name))
}

/// A role of `account`.
pub fn role<'s>(s: &'s Snapshot, account: &str, name: &str) -> Result<&'s RoleRecord, S3Error> {
    s.roles
        .get(&key(account, name))
        .ok_or_else(|| missing("role", name))
}

/// A managed policy of `account` by its ARN: `arn:aws:iam::ACCOUNT:policy/PATH/NAME`, path
/// included. AWS-managed policies (`arn:aws:iam::aws:policy/...`) do not exist in strata.
pub fn policy<'s>(
    s: &'s Snapshot,
    account: &str,
    arn: &str,
) -> Result<(String, &'s PolicyRecord), S3Error> {
    if arn.starts_with("arn:aws:iam::aws:policy/") {
        return Err(Code::NoSuchEntity.with(format!(
            "Policy {arn} does not exist: strata has no AWS managed policies"
        )));
    }
    let prefix = format!("arn:aws:iam::{account}:policy/");
    let not_found =
        || Code::NoSuchEntity.with(format!("Policy {arn} does not exist or is not attachable."));
    let Some(rest) = arn.strip_prefix(&prefix) else {
        return Err(not_found());
    };
    let (path, name) = match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_string(), rest),
    };
    match s.policies.get(&key(account, name)) {
        Some(r) if r.path == path => Ok((name.to_string(), r)),
        _ => Err(not_found()),
    }
}

/// The user an action is about: `UserName` if given, else the calling user itself (an
/// account root or a role session must name one).
pub fn user_name_or_caller<'a>(
    given: Option<&'a str>,
    caller: &'a Identity,
) -> Result<&'a str, S3Error> {
    match (given, &caller.kind) {
        (Some(name), _) => {
            super::validate::check_name("UserName", name)?;
            Ok(name)
        }
        (None, IdentityKind::User { name }) => Ok(name),
        (None, _) => Err(Code::ValidationError
            .with("Must specify userName when calling with non-User credentials")),
    }
}
