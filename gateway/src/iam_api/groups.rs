//! IAM groups: CreateGroup, GetGroup (with its users), ListGroups, DeleteGroup, and
//! membership (AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser). Membership is kept
//! on the user's record (its `groups`), so one record changes per membership change.

use serde::Serialize;

use super::call::{Call, Resource};
use super::lookup;
use super::paging::page;
use super::validate;
use super::xml::{self, Group, Members, User};
use crate::iam::ids::{self, UniqueKind};
use crate::iam::records::{Attached, GroupRecord};
use crate::iam::{now_ns, Kind};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OneGroup {
    group: Group,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GroupWithUsers {
    group: Group,
    users: Members<User>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GroupList {
    groups: Members<Group>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// CreateGroup (`Path`).
pub async fn create(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "GroupName")?;
    let path = validate::path(call.form, "Path")?;
    call.allow(Resource::Group(name))?;
    let mut change = call.store.change().await?;
    if lookup::group(&change.current, &call.account, name).is_ok() {
        return Err(
            Code::EntityAlreadyExists.with(format!("Group with name {name} already exists."))
        );
    }
    let record = GroupRecord {
        id: ids::unique_id(UniqueKind::Group),
        path: path.to_string(),
        created_ns: now_ns(),
        policies: Attached::default(),
    };
    change.put(Kind::Group, &[&call.account, name], &record);
    change.apply().await?;
    call.respond(&OneGroup {
        group: xml::group(&call.account, name, &record),
    })
}

/// GetGroup: the group and its users.
pub async fn get(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "GroupName")?;
    call.allow(Resource::Group(name))?;
    let snapshot = call.store.snapshot();
    let record = lookup::group(&snapshot, &call.account, name)?;
    let users = snapshot
        .users
        .iter()
        .filter(|((account, _), u)| *account == call.account && u.groups.iter().any(|g| g == name))
        .map(|((_, user), u)| (user.clone(), xml::user(&call.account, user, u)));
    let page = page(call.form, users)?;
    call.respond(&GroupWithUsers {
        group: xml::group(&call.account, name, record),
        users: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// ListGroups (`PathPrefix`).
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    let prefix = validate::path_prefix(call.form)?;
    call.allow(Resource::Group("*"))?;
    let snapshot = call.store.snapshot();
    let groups = snapshot
        .groups
        .iter()
        .filter(|((account, _), g)| *account == call.account && g.path.starts_with(prefix))
        .map(|((_, name), g)| (name.clone(), xml::group(&call.account, name, g)));
    let page = page(call.form, groups)?;
    call.respond(&GroupList {
        groups: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// DeleteGroup: refused while it has members or policies.
pub async fn delete(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "GroupName")?;
    call.allow(Resource::Group(name))?;
    let mut change = call.store.change().await?;
    let record = lookup::group(&change.current, &call.account, name)?;
    let has_members =
        change.current.users.iter().any(|((account, _), u)| {
            *account == call.account && u.groups.iter().any(|g| g == name)
        });
    let has_policies = !record.policies.inline.is_empty() || !record.policies.managed.is_empty();
    if has_members || has_policies {
        return Err(Code::DeleteConflict.with(format!(
            "Cannot delete entity, must remove users and policies from group {name} first."
        )));
    }
    change.delete(Kind::Group, &[&call.account, name]);
    change.apply().await?;
    call.done()
}

/// AddUserToGroup (adding a member again changes nothing).
pub async fn add_user(call: &Call<'_>) -> Result<Response, S3Error> {
    membership(call, true).await
}

/// RemoveUserFromGroup (removing a non-member changes nothing).
pub async fn remove_user(call: &Call<'_>) -> Result<Response, S3Error> {
    membership(call, false).await
}

async fn membership(call: &Call<'_>, member: bool) -> Result<Response, S3Error> {
    let group = validate::name(call.form, "GroupName")?;
    let user = validate::name(call.form, "UserName")?;
    call.allow(Resource::Group(group))?;
    let mut change = call.store.change().await?;
    lookup::group(&change.current, &call.account, group)?;
    let mut record = lookup::user(&change.current, &call.account, user)?.clone();
    record.groups.retain(|g| g != group);
    if member {
        record.groups.push(group.to_string());
    }
    change.put(Kind::User, &[&call.account, user], &record);
    change.apply().await?;
    call.done()
}

/// ListGroupsForUser.
pub async fn list_for_user(call: &Call<'_>) -> Result<Response, S3Error> {
    let user = validate::name(call.form, "UserName")?;
    call.allow(Resource::User(user))?;
    let snapshot = call.store.snapshot();
    let record = lookup::user(&snapshot, &call.account, user)?;
    let groups = record.groups.iter().filter_map(|g| {
        let found = lookup::group(&snapshot, &call.account, g).ok()?;
        Some((g.clone(), xml::group(&call.account, g, found)))
    });
    let page = page(call.form, groups)?;
    call.respond(&GroupList {
        groups: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}
