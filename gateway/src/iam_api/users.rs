//! IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and their tags.

use serde::Serialize;

use super::attach;
use super::call::{Call, Resource};
use super::lookup;
use super::paging::page;
use super::tagging::{self, TagChange};
use super::validate;
use super::xml::{self, Members, User};
use crate::iam::ids::{self, UniqueKind};
use crate::iam::records::{Attached, UserRecord};
use crate::iam::{now_ns, Kind};
use crate::identity::IdentityKind;
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OneUser {
    user: User,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserList {
    users: Members<User>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// CreateUser (`Path`, `Tags`, `PermissionsBoundary`).
pub async fn create(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "UserName")?;
    let path = validate::path(call.form, "Path")?;
    let tags = validate::merge_tags(&[], validate::tags(call.form)?)?;
    call.allow(Resource::User(name))?;
    let mut change = call.store.change().await?;
    if lookup::user(&change.current, &call.account, name).is_ok() {
        return Err(
            Code::EntityAlreadyExists.with(format!("User with name {name} already exists."))
        );
    }
    let boundary = attach::boundary_at_create(call, &change.current)?;
    let record = UserRecord {
        id: ids::unique_id(UniqueKind::User),
        path: path.to_string(),
        created_ns: now_ns(),
        tags,
        policies: Attached::default(),
        groups: Vec::new(),
        boundary,
    };
    change.put(Kind::User, &[&call.account, name], &record);
    change.apply().await?;
    call.respond(&OneUser {
        user: xml::user(&call.account, name, &record),
    })
}

/// GetUser; without `UserName`, the caller itself (an account root is shown as AWS shows
/// it: its ARN and account id, no name).
pub async fn get(call: &Call<'_>) -> Result<Response, S3Error> {
    let snapshot = call.store.snapshot();
    let name = match (call.form.get("UserName"), &call.caller.kind) {
        (Some(name), _) => name,
        (None, IdentityKind::User { name }) => name.as_str(),
        (None, IdentityKind::Root) => {
            let created = snapshot
                .accounts
                .get(&call.caller.account.name)
                .map_or(0, |a| a.created_ns);
            return call.respond(&OneUser {
                user: User {
                    path: "/".into(),
                    user_name: None,
                    user_id: call.account.clone(),
                    arn: call.caller.arn.clone(),
                    create_date: xml::iso8601(created),
                    permissions_boundary: None,
                    tags: None,
                },
            });
        }
        (None, IdentityKind::RoleSession { .. } | IdentityKind::FederatedUser { .. }) => {
            return Err(Code::ValidationError
                .with("Must specify userName when calling with non-User credentials"))
        }
    };
    validate::check_name("UserName", name)?;
    call.allow(Resource::User(name))?;
    let record = lookup::user(&snapshot, &call.account, name)?;
    call.respond(&OneUser {
        user: xml::user(&call.account, name, record),
    })
}

/// ListUsers (`PathPrefix`, paged by user name).
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    let prefix = validate::path_prefix(call.form)?;
    call.allow(Resource::User("*"))?;
    let snapshot = call.store.snapshot();
    let users = snapshot
        .users
        .iter()
        .filter(|((account, _), r)| *account == call.account && r.path.starts_with(prefix))
        .map(|((_, name), r)| (name.clone(), xml::user(&call.account, name, r)));
    let page = page(call.form, users)?;
    call.respond(&UserList {
        users: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// UpdateUser (`NewUserName`, `NewPath`): renames or moves a user. Its id, access keys,
/// groups, policies, boundary and tags go with it; the caller needs `iam:UpdateUser` on
/// both names, as on AWS. Sessions the user got from GetSessionToken or GetFederationToken
/// name its old ARN and end.
pub async fn update(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "UserName")?;
    let target = match call.form.get("NewUserName") {
        Some(_) => validate::name(call.form, "NewUserName")?,
        None => name,
    };
    let new_path = match call.form.get("NewPath") {
        Some(_) => Some(validate::path(call.form, "NewPath")?),
        None => None,
    };
    call.allow(Resource::User(name))?;
    if target != name {
        call.allow(Resource::User(target))?;
    }
    let mut change = call.store.change().await?;
    let current = change.current.clone();
    let mut record = lookup::user(&current, &call.account, name)?.clone();
    if let Some(path) = new_path {
        record.path = path.to_string();
    }
    if target != name {
        if lookup::user(&current, &call.account, target).is_ok() {
            return Err(
                Code::EntityAlreadyExists.with(format!("User with name {target} already exists."))
            );
        }
        let owned = current
            .keys
            .iter()
            .filter(|(_, k)| k.account_id == call.account && k.user == name);
        for (id, key) in owned {
            let mut key = key.clone();
            key.user = target.to_string();
            change.put(Kind::AccessKey, &[id], &key);
        }
        change.delete(Kind::User, &[&call.account, name]);
    }
    change.put(Kind::User, &[&call.account, target], &record);
    change.apply().await?;
    call.done()
}

/// DeleteUser: refused (`DeleteConflict`) while the user has access keys, policies or
/// groups, as AWS refuses it.
pub async fn delete(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "UserName")?;
    call.allow(Resource::User(name))?;
    let mut change = call.store.change().await?;
    let record = lookup::user(&change.current, &call.account, name)?;
    let has_keys = change
        .current
        .keys
        .values()
        .any(|k| k.account_id == call.account && k.user == name);
    let conflict = if has_keys {
        Some("it has access keys")
    } else if !record.policies.inline.is_empty() {
        Some("it has inline policies")
    } else if !record.policies.managed.is_empty() {
        Some("it has attached policies")
    } else if !record.groups.is_empty() {
        Some("it belongs to groups")
    } else {
        None
    };
    if let Some(why) = conflict {
        return Err(Code::DeleteConflict.with(format!(
            "Cannot delete entity, must remove referenced entities first: user {name}: {why}."
        )));
    }
    change.delete(Kind::User, &[&call.account, name]);
    change.apply().await?;
    call.done()
}

/// TagUser or UntagUser.
pub async fn retag(call: &Call<'_>, change: TagChange<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "UserName")?;
    call.allow(Resource::User(name))?;
    let mut change_set = call.store.change().await?;
    let mut record = lookup::user(&change_set.current, &call.account, name)?.clone();
    change.apply(&mut record.tags)?;
    change_set.put(Kind::User, &[&call.account, name], &record);
    change_set.apply().await?;
    call.done()
}

/// ListUserTags.
pub async fn list_tags(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "UserName")?;
    call.allow(Resource::User(name))?;
    let snapshot = call.store.snapshot();
    let record = lookup::user(&snapshot, &call.account, name)?;
    tagging::list(call, &record.tags)
}
