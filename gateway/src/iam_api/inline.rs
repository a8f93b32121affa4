//! Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy.

use serde::Serialize;
use strata_policy::PolicyKind;

use super::call::Call;
use super::entity::{named, Entity, EntityKind};
use super::paging::page;
use super::validate;
use super::xml::{self, Members};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Document {
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_name: Option<String>,
    policy_name: String,
    policy_document: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Names {
    policy_names: Members<String>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

fn no_such_policy(name: &str) -> S3Error {
    Code::NoSuchEntity.with(format!("The policy with name {name} cannot be found."))
}

/// Put{User,Group,Role}Policy: adds or replaces the named document, checked first.
pub async fn put(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let policy = validate::name(call.form, "PolicyName")?;
    let document = call.required("PolicyDocument")?;
    validate::document(document, PolicyKind::Identity, kind.inline_limit())?;
    let mut change = call.store.change().await?;
    let mut entity = Entity::load(&change.current, kind, &call.account, name)?;
    entity
        .policies_mut()
        .inline
        .insert(policy.to_string(), document.to_string());
    entity.put(&mut change, kind, &call.account, name);
    change.apply().await?;
    call.done()
}

/// Get{User,Group,Role}Policy: the document URL-encoded, as AWS returns it.
pub async fn get(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let policy = validate::name(call.form, "PolicyName")?;
    let snapshot = call.store.snapshot();
    let entity = Entity::load(&snapshot, kind, &call.account, name)?;
    let document = entity
        .policies()
        .inline
        .get(policy)
        .ok_or_else(|| no_such_policy(policy))?;
    let owner = Some(name.to_string());
    call.respond(&Document {
        user_name: owner.clone().filter(|_| kind == EntityKind::User),
        group_name: owner.clone().filter(|_| kind == EntityKind::Group),
        role_name: owner.filter(|_| kind == EntityKind::Role),
        policy_name: policy.to_string(),
        policy_document: xml::url_encoded(document),
    })
}

/// Delete{User,Group,Role}Policy.
pub async fn delete(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let policy = validate::name(call.form, "PolicyName")?;
    let mut change = call.store.change().await?;
    let mut entity = Entity::load(&change.current, kind, &call.account, name)?;
    if entity.policies_mut().inline.remove(policy).is_none() {
        return Err(no_such_policy(policy));
    }
    entity.put(&mut change, kind, &call.account, name);
    change.apply().await?;
    call.done()
}

/// List{User,Group,Role}Policies: the inline policies' names.
pub async fn list(call: &Call<'_>, kind: EntityKind) -> Result<Response, S3Error> {
    let name = named(call, kind)?;
    let snapshot = call.store.snapshot();
    let entity = Entity::load(&snapshot, kind, &call.account, name)?;
    let names = entity
        .policies()
        .inline
        .keys()
        .map(|n| (n.clone(), n.clone()));
    let page = page(call.form, names)?;
    call.respond(&Names {
        policy_names: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}
