//! Customer managed policies and their versions: CreatePolicy, GetPolicy, ListPolicies,
//! DeletePolicy, CreatePolicyVersion (at most five), GetPolicyVersion, ListPolicyVersions,
//! DeletePolicyVersion, SetDefaultPolicyVersion. AWS managed policies do not exist here.

use serde::Serialize;
use strata_policy::{limits, PolicyKind};

use super::call::{Call, Resource};
use super::lookup;
use super::paging::page;
use super::validate;
use super::xml::{self, ManagedPolicy, Members, PolicyVersion};
use crate::iam::ids::{self, UniqueKind};
use crate::iam::records::{PolicyRecord, PolicyVersion as VersionRecord};
use crate::iam::{now_ns, Kind, Snapshot};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// AWS's limit of versions per managed policy.
pub const MAX_VERSIONS: usize = 5;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OnePolicy {
    policy: ManagedPolicy,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyList {
    policies: Members<ManagedPolicy>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OneVersion {
    policy_version: PolicyVersion,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VersionList {
    versions: Members<PolicyVersion>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// How many users, groups and roles attach `arn`, and how many users and roles have it as
/// their boundary.
pub fn usage(s: &Snapshot, account: &str, arn: &str) -> (usize, usize) {
    let mine = |a: &String| a == account;
    let attached = s
        .users
        .iter()
        .filter(|((a, _), r)| mine(a) && r.policies.managed.iter().any(|m| m == arn))
        .count()
        + s.groups
            .iter()
            .filter(|((a, _), r)| mine(a) && r.policies.managed.iter().any(|m| m == arn))
            .count()
        + s.roles
            .iter()
            .filter(|((a, _), r)| mine(a) && r.policies.managed.iter().any(|m| m == arn))
            .count();
    let boundary = s
        .users
        .iter()
        .filter(|((a, _), r)| mine(a) && r.boundary.as_deref() == Some(arn))
        .count()
        + s.roles
            .iter()
            .filter(|((a, _), r)| mine(a) && r.boundary.as_deref() == Some(arn))
            .count();
    (attached, boundary)
}

/// A stored policy as AWS shows it, with its attachment and boundary counts.
pub fn shown(s: &Snapshot, account: &str, name: &str, r: &PolicyRecord) -> ManagedPolicy {
    let arn = xml::arn(account, "policy", &r.path, name);
    xml::managed_policy(account, name, r, usage(s, account, &arn))
}

fn document(call: &Call<'_>) -> Result<String, S3Error> {
    let text = call.required("PolicyDocument")?;
    validate::document(text, PolicyKind::Identity, limits::MANAGED)?;
    Ok(text.to_string())
}

/// CreatePolicy (`Path`, `Description`, `Tags`).
pub async fn create(call: &Call<'_>) -> Result<Response, S3Error> {
    let name = validate::name(call.form, "PolicyName")?;
    let path = validate::path(call.form, "Path")?;
    let tags = validate::merge_tags(&[], validate::tags(call.form)?)?;
    let description = call.form.get("Description").unwrap_or_default();
    if description.chars().count() > 1000 {
        return Err(Code::ValidationError.with("Description is longer than 1000 characters"));
    }
    let text = document(call)?;
    call.allow(Resource::Policy(name))?;
    let mut change = call.store.change().await?;
    if change
        .current
        .policies
        .contains_key(&(call.account.clone(), name.to_string()))
    {
        return Err(Code::EntityAlreadyExists.with(format!(
            "A policy called {name} already exists. Duplicate names are not allowed."
        )));
    }
    let now = now_ns();
    let record = PolicyRecord {
        id: ids::unique_id(UniqueKind::Policy),
        path: path.to_string(),
        created_ns: now,
        description: description.to_string(),
        default_version: "v1".into(),
        versions: vec![VersionRecord {
            id: "v1".into(),
            document: text,
            created_ns: now,
        }],
        next_version: 2,
        tags,
    };
    change.put(Kind::Policy, &[&call.account, name], &record);
    let snapshot = change.apply().await?;
    call.respond(&OnePolicy {
        policy: shown(&snapshot, &call.account, name, &record),
    })
}

/// GetPolicy.
pub async fn get(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let snapshot = call.store.snapshot();
    let (name, record) = lookup::policy(&snapshot, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    call.respond(&OnePolicy {
        policy: shown(&snapshot, &call.account, &name, record),
    })
}

/// ListPolicies (`Scope`: `All` and `Local` list the account's own, `AWS` nothing;
/// `OnlyAttached`; `PathPrefix`).
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    let prefix = validate::path_prefix(call.form)?;
    let scope = call.form.get("Scope").unwrap_or("All");
    if !["All", "Local", "AWS"].contains(&scope) {
        return Err(Code::ValidationError.with("Scope must be All, AWS or Local"));
    }
    let only_attached = call.form.get("OnlyAttached") == Some("true");
    call.allow(Resource::Policy("*"))?;
    let snapshot = call.store.snapshot();
    let policies = snapshot
        .policies
        .iter()
        .filter(|((account, _), r)| {
            scope != "AWS" && *account == call.account && r.path.starts_with(prefix)
        })
        .map(|((_, name), r)| (name.clone(), shown(&snapshot, &call.account, name, r)))
        .filter(|(_, p)| !only_attached || p.attachment_count > 0);
    let page = page(call.form, policies)?;
    call.respond(&PolicyList {
        policies: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// DeletePolicy: refused while attached anywhere (or a boundary) or while it has versions
/// besides the default one, as AWS refuses it.
pub async fn delete(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let mut change = call.store.change().await?;
    let (name, record) = lookup::policy(&change.current, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    let (attached, boundary) = usage(&change.current, &call.account, arn);
    if attached + boundary > 0 {
        return Err(Code::DeleteConflict.with("Cannot delete a policy attached to entities."));
    }
    if record.versions.len() > 1 {
        return Err(Code::DeleteConflict.with(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    change.delete(Kind::Policy, &[&call.account, &name]);
    change.apply().await?;
    call.done()
}

/// CreatePolicyVersion (`SetAsDefault`).
pub async fn create_version(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let text = document(call)?;
    let set_default = call.form.get("SetAsDefault") == Some("true");
    let mut change = call.store.change().await?;
    let (name, record) = lookup::policy(&change.current, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    if record.versions.len() >= MAX_VERSIONS {
        return Err(Code::LimitExceeded.with(format!(
            "A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version."
        )));
    }
    let mut record = record.clone();
    let version = VersionRecord {
        id: format!("v{}", record.next_version),
        document: text,
        created_ns: now_ns(),
    };
    record.next_version += 1;
    if set_default {
        record.default_version = version.id.clone();
    }
    record.versions.push(version.clone());
    change.put(Kind::Policy, &[&call.account, &name], &record);
    change.apply().await?;
    call.respond(&OneVersion {
        policy_version: xml::policy_version(&record, &version, false),
    })
}

fn version<'r>(record: &'r PolicyRecord, id: &str) -> Result<&'r VersionRecord, S3Error> {
    record
        .versions
        .iter()
        .find(|v| v.id == id)
        .ok_or_else(|| Code::NoSuchEntity.with(format!("Policy version {id} does not exist.")))
}

/// GetPolicyVersion: with its document, URL-encoded.
pub async fn get_version(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let id = call.required("VersionId")?;
    let snapshot = call.store.snapshot();
    let (name, record) = lookup::policy(&snapshot, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    call.respond(&OneVersion {
        policy_version: xml::policy_version(record, version(record, id)?, true),
    })
}

/// ListPolicyVersions (newest first, as AWS lists them).
pub async fn list_versions(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let snapshot = call.store.snapshot();
    let (name, record) = lookup::policy(&snapshot, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    let versions = record
        .versions
        .iter()
        .rev()
        .enumerate()
        // Newest first, as listed: keyed by that position.
        .map(|(i, v)| (format!("{i:06}"), xml::policy_version(record, v, false)));
    let page = page(call.form, versions)?;
    call.respond(&VersionList {
        versions: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// DeletePolicyVersion: never the default one.
pub async fn delete_version(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let id = call.required("VersionId")?;
    let mut change = call.store.change().await?;
    let (name, record) = lookup::policy(&change.current, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    version(record, id)?;
    if record.default_version == id {
        return Err(Code::DeleteConflict.with("Cannot delete the default version of a policy."));
    }
    let mut record = record.clone();
    record.versions.retain(|v| v.id != id);
    change.put(Kind::Policy, &[&call.account, &name], &record);
    change.apply().await?;
    call.done()
}

/// SetDefaultPolicyVersion.
pub async fn set_default_version(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let id = call.required("VersionId")?;
    let mut change = call.store.change().await?;
    let (name, record) = lookup::policy(&change.current, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    version(record, id)?;
    let mut record = record.clone();
    record.default_version = id.to_string();
    change.put(Kind::Policy, &[&call.account, &name], &record);
    change.apply().await?;
    call.done()
}
