//! IAM roles: CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy,
//! UpdateRole and their tags. A role's trust policy is checked as a trust policy.

use serde::Serialize;
use strata_policy::{limits, PolicyKind};

use super::attach;
use super::call::{Call, Resource};
use super::lookup;
use super::paging::page;
use super::tagging::{self, TagChange};
use super::validate;
use super::xml::{self, Members, Role};
use crate::iam::ids::{self, UniqueKind};
use crate::iam::records::{Attached, RoleRecord};
use crate::iam::{now_ns, Kind};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// The shortest and longest role session, seconds.
const SESSION_SECS: std::ops::RangeInclusive<u64> = 3600..=43200;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OneRole {
    role: Role,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleList {
    roles: Members<Role>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// An empty `<ActionResult/>`, as UpdateRole answers.
#[derive(Serialize)]
struct Empty {}

fn trust(call: &Call<'_>, param: &str) -> Result<String, S3Error> {
    let text = call.required(param)?;
    validate::document(text, PolicyKind::Trust, limits::ROLE_TRUST)?;
    Ok(text.to_string())
}

fn description(call: &Call<'_>) -> Result<Option<String>, S3Error> {
    match call.form.get("Description") {
        Some(d) if d.chars().count() > 1000 => {
            Err(Code::ValidationError.with("Description is longer than 1000 characters"))
        }
        other => Ok(other.map(str::to_string)),
    }
}

fn max_session(call: &Call<'_>) -> Result<Option<u32>, S3Error> {
    let secs = call.form.number("MaxSessionDuration", SESSION_SECS)?;
    // Within 3600..=43200, so it fits.
    Ok(secs.map(|s| s as u32))
}

/// CreateRole (`AssumeRolePolicyDocument`, `Path`, `Description`, `MaxSessionDuration`,
/// `Tags`, `PermissionsBoundary`).
pub async fn create(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "RoleName")?;
    let path = validate::path(call.form, "Path")?;
    let trust = trust(call, "AssumeRolePolicyDocument")?;
    let description = description(call)?.unwrap_or_default();
    let max_session_secs = max_session(call)?.unwrap_or(3600);
    let tags = validate::merge_tags(&[], validate::tags(call.form)?)?;
    call.allow(Resource::Role(name))?;
    let mut change = call.store.change().await?;
    if lookup::role(&change.current, &call.account, name).is_ok() {
        return Err(
            Code::EntityAlreadyExists.with(format!("Role with name {name} already exists."))
        );
    }
    let boundary = attach::boundary_at_create(call, &change.current)?;
    let record = RoleRecord {
        id: ids::unique_id(UniqueKind::Role),
        path: path.to_string(),
        created_ns: now_ns(),
        trust,
        description,
        max_session_secs,
        tags,
        policies: Attached::default(),
        boundary,
    };
    change.put(Kind::Role, &[&call.account, name], &record);
    change.apply().await?;
    call.respond(&OneRole {
        role: xml::role(&call.account, name, &record),
    })
}

/// GetRole.
pub async fn get(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "RoleName")?;
    call.allow(Resource::Role(name))?;
    let snapshot = call.store.snapshot();
    let record = lookup::role(&snapshot, &call.account, name)?;
    call.respond(&OneRole {
        role: xml::role(&call.account, name, record),
    })
}

/// ListRoles (`PathPrefix`).
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    let prefix = validate::path_prefix(call.form)?;
    call.allow(Resource::Role("*"))?;
    let snapshot = call.store.snapshot();
    let roles = snapshot
        .roles
        .iter()
        .filter(|((account, _), r)| *account == call.account && r.path.starts_with(prefix))
        .map(|((_, name), r)| (name.clone(), xml::role(&call.account, name, r)));
    let page = page(call.form, roles)?;
    call.respond(&RoleList {
        roles: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// DeleteRole: refused while it has inline or attached policies.
pub async fn delete(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "RoleName")?;
    call.allow(Resource::Role(name))?;
    let mut change = call.store.change().await?;
    let record = lookup::role(&change.current, &call.account, name)?;
    if !record.policies.inline.is_empty() || !record.policies.managed.is_empty() {
        return Err(Code::DeleteConflict.with(format!(
            "Cannot delete entity, must remove policies from role {name} first."
        )));
    }
    change.delete(Kind::Role, &[&call.account, name]);
    change.apply().await?;
    call.done()
}

/// Changes the role `RoleName` with `edit`, as one change.
async fn edit(
    call: &Call<'_>,
    edit: impl FnOnce(&mut RoleRecord) -> Result<(), S3Error>,
) -> Result<(), S3Error> {
    let name = validate::name(call.form, "RoleName")?;
    call.allow(Resource::Role(name))?;
    let mut change = call.store.change().await?;
    let mut record = lookup::role(&change.current, &call.account, name)?.clone();
    edit(&mut record)?;
    change.put(Kind::Role, &[&call.account, name], &record);
    change.apply().await?;
    Ok(())
}

/// UpdateAssumeRolePolicy (`PolicyDocument`).
pub async fn update_trust(call: &Call<'_>) -> Result<Response, S3Error> {
    let trust = trust(call, "PolicyDocument")?;
    edit(call, |r| {
        r.trust = trust;
        Ok(())
    })
    .await?;
    call.done()
}

/// UpdateRole (`Description`, `MaxSessionDuration`).
pub async fn update(call: &Call<'_>) -> Result<Response, S3Error> {
    let description = description(call)?;
    let max_session = max_session(call)?;
    edit(call, |r| {
        if let Some(d) = description {
            r.description = d;
        }
        if let Some(s) = max_session {
            r.max_session_secs = s;
        }
        Ok(())
    })
    .await?;
    call.respond(&Empty {})
}

/// TagRole or UntagRole.
pub async fn retag(call: &Call<'_>, change: TagChange<'_>) -> Result<Response, S3Error> {
    edit(call, |r| change.apply(&mut r.tags)).await?;
    call.done()
}

/// ListRoleTags.
pub async fn list_tags(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "RoleName")?;
    call.allow(Resource::Role(name))?;
    let snapshot = call.store.snapshot();
    let record = lookup::role(&snapshot, &call.account, name)?;
    tagging::list(call, &record.tags)
}
