//! Managed policies on users, groups and roles: Attach/Detach{User,Group,Role}Policy,
//! ListAttached{User,Group,Role}Policies, ListEntitiesForPolicy, and permissions boundaries
//! (Put/Delete{User,Role}PermissionsBoundary).

use serde::Serialize;

use super::call::{Call, Resource};
use super::entity::{named, Entity, EntityKind};
use super::lookup;
use super::paging::page;
use super::xml::{self, AttachedPolicy, Members};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// AWS's default limit of managed policies attached to one entity.
pub const MAX_ATTACHED: usize = 10;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AttachedList {
    attached_policies: Members<AttachedPolicy>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyGroup {
    group_name: String,
    group_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyUser {
    user_name: String,
    user_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyRole {
    role_name: String,
    role_id: String,
}

/// One holder of a managed policy, in the combined listing.
enum Holder {
    Group(PolicyGroup),
    User(PolicyUser),
    Role(PolicyRole),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Entities {
    policy_groups: Members<PolicyGroup>,
    policy_users: Members<PolicyUser>,
    policy_roles: Members<PolicyRole>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// The policy `PolicyArn` names (it must exist), by its ARN as stored.
fn policy_arn(call: &Call<'_>, snapshot: &crate::iam::Snapshot) -> Result<String, S3Error> {
    let arn = call.required("PolicyArn")?;
    lookup::policy(snapshot, &call.account, arn)?;
    Ok(arn.to_string())
}

/// Attach{User,Group,Role}Policy (attaching it again changes nothing).
pub async fn attach(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let mut change = call.store.change().await?;
    let arn = policy_arn(call, &change.current)?;
    let mut entity = Entity::load(&change.current, kind, &call.account, name)?;
    let managed = &mut entity.policies_mut().managed;
    if !managed.contains(&arn) {
        if managed.len() >= MAX_ATTACHED {
            return Err(Code::LimitExceeded.with(format!(
                "Cannot exceed quota for PoliciesPerEntity: {MAX_ATTACHED}"
            )));
        }
        managed.push(arn);
    }
    entity.put(&mut change, kind, &call.account, name);
    change.apply().await?;
    call.done()
}

/// Detach{User,Group,Role}Policy.
pub async fn detach(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let arn = call.required("PolicyArn")?;
    let mut change = call.store.change().await?;
    let mut entity = Entity::load(&change.current, kind, &call.account, name)?;
    let managed = &mut entity.policies_mut().managed;
    let before = managed.len();
    managed.retain(|m| m != arn);
    if managed.len() == before {
        return Err(Code::NoSuchEntity.with(format!("Policy {arn} was not found.")));
    }
    entity.put(&mut change, kind, &call.account, name);
    change.apply().await?;
    call.done()
}

/// ListAttached{User,Group,Role}Policies.
pub async fn list(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let snapshot = call.store.snapshot();
    let entity = Entity::load(&snapshot, kind, &call.account, name)?;
    let attached = entity
        .policies()
        .managed
        .iter()
        .map(|a| (a.clone(), xml::attached_policy(a)));
    let page = page(call.form, attached)?;
    call.respond(&AttachedList {
        attached_policies: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// ListEntitiesForPolicy (`EntityFilter`: `User`, `Group` or `Role`, or all).
pub async fn entities(call: &Call<'_>) -> Result<Response, S3Error> {
    let snapshot = call.store.snapshot();
    let arn = policy_arn(call, &snapshot)?;
    let (name, _) = lookup::policy(&snapshot, &call.account, &arn)?;
    call.allow(Resource::Policy(&name))?;
    let filter = call.form.get("EntityFilter");
    let wanted = |kind: &str| filter.is_none_or(|f| f == kind);
    let has = |m: &Vec<String>| m.contains(&arn);
    let mine = |a: &String| *a == call.account;
    // One listing of the three kinds, paged together as AWS pages it.
    let users = snapshot
        .users
        .iter()
        .filter(|((a, _), r)| wanted("User") && mine(a) && has(&r.policies.managed))
        .map(|((_, n), r)| {
            let user = PolicyUser {
                user_name: n.clone(),
                user_id: r.id.clone(),
            };
            (format!("user/{n}"), Holder::User(user))
        });
    let groups = snapshot
        .groups
        .iter()
        .filter(|((a, _), r)| wanted("Group") && mine(a) && has(&r.policies.managed))
        .map(|((_, n), r)| {
            let group = PolicyGroup {
                group_name: n.clone(),
                group_id: r.id.clone(),
            };
            (format!("group/{n}"), Holder::Group(group))
        });
    let roles = snapshot
        .roles
        .iter()
        .filter(|((a, _), r)| wanted("Role") && mine(a) && has(&r.policies.managed))
        .map(|((_, n), r)| {
            let role = PolicyRole {
                role_name: n.clone(),
                role_id: r.id.clone(),
            };
            (format!("role/{n}"), Holder::Role(role))
        });
    let page = page(call.form, users.chain(groups).chain(roles))?;
    let (mut policy_groups, mut policy_users, mut policy_roles) = (vec![], vec![], vec![]);
    for holder in page.items {
        match holder {
            Holder::Group(g) => policy_groups.push(g),
            Holder::User(u) => policy_users.push(u),
            Holder::Role(r) => policy_roles.push(r),
        }
    }
    call.respond(&Entities {
        policy_groups: Members::of(policy_groups),
        policy_users: Members::of(policy_users),
        policy_roles: Members::of(policy_roles),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// Put{User,Role}PermissionsBoundary (`PermissionsBoundary`: a managed policy's ARN).
pub async fn put_boundary(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let arn = call.required("PermissionsBoundary")?;
    set_boundary(call, kind, name, Some(arn)).await
}

/// The `PermissionsBoundary` a CreateUser or CreateRole gives, if any: a managed policy of
/// the caller's account (`snapshot` being the change's current state).
pub fn boundary_at_create(
    call: &Call<'_>,
    snapshot: &crate::iam::Snapshot,
) -> Result<Option<String>, S3Error> {
    let Some(arn) = call.form.get("PermissionsBoundary") else {
        return Ok(None);
    };
    lookup::policy(snapshot, &call.account, arn)?;
    Ok(Some(arn.to_string()))
}

/// Delete{User,Role}PermissionsBoundary.
pub async fn delete_boundary(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    set_boundary(call, kind, name, None).await
}

async fn set_boundary(
    call: &Call<'_>,
    kind: EntityKind,
    name: &str,
    arn: Option<&str>,
) -> Result<Response, S3Error> {
    let mut change = call.store.change().await?;
    if let Some(arn) = arn {
        lookup::policy(&change.current, &call.account, arn)?;
    }
    let mut entity = Entity::load(&change.current, kind, &call.account, name)?;
    let Some(boundary) = entity.boundary_mut() else {
        return Err(Code::InvalidInput.with("groups have no permissions boundary"));
    };
    *boundary = arn.map(str::to_string);
    entity.put(&mut change, kind, &call.account, name);
    change.apply().await?;
    call.done()
}
