//! GetAccountAuthorizationDetails: every user, group, role and customer managed policy of
//! the caller's account with the policies each holds, in one paged listing, as security and
//! audit tools read an account. `Filter` picks the kinds; strata has no AWS managed policies,
//! so `AWSManagedPolicy` alone lists nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::call::{Call, Resource};
use super::paging::page;
use super::policies::shown;
use super::xml::{
    self, attached_policy, policy_version, url_encoded, AttachedPolicy, Boundary, Members,
    PolicyVersion, Tag,
};
use crate::iam::records::{Attached, GroupRecord, PolicyRecord, RoleRecord, UserRecord};
use crate::iam::{Scoped, Snapshot};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// The kinds `Filter` may name.
const FILTERS: [&str; 5] = [
    "User",
    "Group",
    "Role",
    "LocalManagedPolicy",
    "AWSManagedPolicy",
];

/// GetAccountAuthorizationDetails (`Filter`, `MaxItems`, `Marker`).
pub async fn get(call: &Call<'_>) -> Result<Response, S3Error> {
    let filter = call.form.list("Filter");
    if let Some(bad) = filter.iter().find(|f| !FILTERS.contains(f)) {
        return Err(Code::ValidationError.with(format!(
            "Filter member {bad} is not one of {}",
            FILTERS.join(", ")
        )));
    }
    let wants = |kind: &str| filter.is_empty() || filter.contains(&kind);
    call.allow(Resource::Any)?;
    let snapshot = call.store.snapshot();
    let account = call.account.as_str();
    // Keys sort users, then groups, then roles, then policies, each by name: one page
    // resumes after the last entry of the one before, whatever its kind. Only the page's
    // entries are then rendered.
    let mut entries: Vec<(String, Entry<'_>)> = Vec::new();
    if wants("User") {
        entries.extend(of_account(&snapshot.users, account, "1", Entry::User));
    }
    if wants("Group") {
        entries.extend(of_account(&snapshot.groups, account, "2", Entry::Group));
    }
    if wants("Role") {
        entries.extend(of_account(&snapshot.roles, account, "3", Entry::Role));
    }
    if wants("LocalManagedPolicy") {
        entries.extend(of_account(&snapshot.policies, account, "4", Entry::Policy));
    }
    let page = page(call.form, entries)?;
    let mut result = Details {
        user_detail_list: Members::of([]),
        group_detail_list: Members::of([]),
        role_detail_list: Members::of([]),
        policies: Members::of([]),
        is_truncated: page.is_truncated,
        marker: page.marker,
    };
    for entry in page.items {
        match entry {
            Entry::User(name, r) => result.user_detail_list.member.push(user(account, name, r)),
            Entry::Group(name, r) => result
                .group_detail_list
                .member
                .push(group(account, name, r)),
            Entry::Role(name, r) => result.role_detail_list.member.push(role(account, name, r)),
            Entry::Policy(name, r) => {
                let detail = policy(&snapshot, account, name, r);
                result.policies.member.push(detail);
            }
        }
    }
    call.respond(&result)
}

/// One item of the listing: an entity's name and record.
enum Entry<'a> {
    User(&'a str, &'a UserRecord),
    Group(&'a str, &'a GroupRecord),
    Role(&'a str, &'a RoleRecord),
    Policy(&'a str, &'a PolicyRecord),
}

/// The entities of `account` in `map`, keyed for paging by `kind` (which orders the kinds)
/// and their name.
fn of_account<'a, R>(
    map: &'a BTreeMap<Scoped, R>,
    account: &'a str,
    kind: &'a str,
    entry: fn(&'a str, &'a R) -> Entry<'a>,
) -> impl Iterator<Item = (String, Entry<'a>)> + 'a {
    map.iter()
        .filter(move |((a, _), _)| a == account)
        .map(move |((_, name), r)| (format!("{kind}{name}"), entry(name, r)))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Details {
    user_detail_list: Members<UserDetail>,
    group_detail_list: Members<GroupDetail>,
    role_detail_list: Members<RoleDetail>,
    policies: Members<PolicyDetail>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// An inline policy with its document (URL-encoded).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InlinePolicy {
    policy_name: String,
    policy_document: String,
}

fn inline(attached: &Attached) -> Members<InlinePolicy> {
    Members::of(attached.inline.iter().map(|(name, doc)| InlinePolicy {
        policy_name: name.clone(),
        policy_document: url_encoded(doc),
    }))
}

fn managed(attached: &Attached) -> Members<AttachedPolicy> {
    Members::of(attached.managed.iter().map(|arn| attached_policy(arn)))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserDetail {
    path: String,
    user_name: String,
    user_id: String,
    arn: String,
    create_date: String,
    user_policy_list: Members<InlinePolicy>,
    group_list: Members<String>,
    attached_managed_policies: Members<AttachedPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<Boundary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Members<Tag>>,
}

fn user(account: &str, name: &str, r: &UserRecord) -> UserDetail {
    let shown = xml::user(account, name, r);
    UserDetail {
        path: shown.path,
        user_name: name.to_string(),
        user_id: shown.user_id,
        arn: shown.arn,
        create_date: shown.create_date,
        user_policy_list: inline(&r.policies),
        group_list: Members::of(r.groups.iter().cloned()),
        attached_managed_policies: managed(&r.policies),
        permissions_boundary: shown.permissions_boundary,
        tags: shown.tags,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GroupDetail {
    path: String,
    group_name: String,
    group_id: String,
    arn: String,
    create_date: String,
    group_policy_list: Members<InlinePolicy>,
    attached_managed_policies: Members<AttachedPolicy>,
}

fn group(account: &str, name: &str, r: &GroupRecord) -> GroupDetail {
    let shown = xml::group(account, name, r);
    GroupDetail {
        path: shown.path,
        group_name: shown.group_name,
        group_id: shown.group_id,
        arn: shown.arn,
        create_date: shown.create_date,
        group_policy_list: inline(&r.policies),
        attached_managed_policies: managed(&r.policies),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleDetail {
    path: String,
    role_name: String,
    role_id: String,
    arn: String,
    create_date: String,
    assume_role_policy_document: String,
    /// strata has no instance profiles: always empty.
    instance_profile_list: Members<String>,
    role_policy_list: Members<InlinePolicy>,
    attached_managed_policies: Members<AttachedPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<Boundary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Members<Tag>>,
}

fn role(account: &str, name: &str, r: &RoleRecord) -> RoleDetail {
    let shown = xml::role(account, name, r);
    RoleDetail {
        path: shown.path,
        role_name: shown.role_name,
        role_id: shown.role_id,
        arn: shown.arn,
        create_date: shown.create_date,
        assume_role_policy_document: shown.assume_role_policy_document,
        instance_profile_list: Members::of([]),
        role_policy_list: inline(&r.policies),
        attached_managed_policies: managed(&r.policies),
        permissions_boundary: shown.permissions_boundary,
        tags: shown.tags,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyDetail {
    policy_name: String,
    policy_id: String,
    arn: String,
    path: String,
    default_version_id: String,
    attachment_count: usize,
    permissions_boundary_usage_count: usize,
    is_attachable: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    create_date: String,
    update_date: String,
    /// Every version, with its document.
    policy_version_list: Members<PolicyVersion>,
}

fn policy(snapshot: &Snapshot, account: &str, name: &str, r: &PolicyRecord) -> PolicyDetail {
    let shown = shown(snapshot, account, name, r);
    PolicyDetail {
        policy_name: shown.policy_name,
        policy_id: shown.policy_id,
        arn: shown.arn,
        path: shown.path,
        default_version_id: shown.default_version_id,
        attachment_count: shown.attachment_count,
        permissions_boundary_usage_count: shown.permissions_boundary_usage_count,
        is_attachable: shown.is_attachable,
        description: shown.description,
        create_date: shown.create_date,
        update_date: shown.update_date,
        policy_version_list: Members::of(r.versions.iter().map(|v| policy_version(r, v, true))),
    }
}
