//! The IAM API's result documents, as serde structs in AWS's element names, and the
//! conversions from stored records. Lists are `<Users><member>...</member></Users>`; times
//! are ISO 8601 in whole seconds; policy documents are URL-encoded, as AWS returns them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::iam::records::{
    AccessKeyRecord, GroupRecord, PolicyRecord, PolicyVersion as VersionRecord, RoleRecord,
    UserRecord,
};

/// A list: `<member>` elements inside the list's own element.
#[derive(Debug, Serialize)]
pub struct Members<T> {
    /// The items.
    pub member: Vec<T>,
}

impl<T> Members<T> {
    /// The items as a list.
    pub fn of(items: impl IntoIterator<Item = T>) -> Members<T> {
        Members {
            member: items.into_iter().collect(),
        }
    }
}

/// `2026-12-03T17:00:00Z` of a record time in nanoseconds since the epoch.
pub fn iso8601(ns: u64) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// Everything but RFC 3986's unreserved characters is escaped.
const URL_ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A policy document as AWS returns it: URL-encoded.
pub fn url_encoded(document: &str) -> String {
    utf8_percent_encode(document, URL_ENCODED).to_string()
}

/// One tag.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Tags as a list, or nothing when there are none (AWS leaves the element out).
pub fn tags(tags: &[(String, String)]) -> Option<Members<Tag>> {
    (!tags.is_empty()).then(|| {
        Members::of(tags.iter().map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        }))
    })
}

/// Tags keyed by their key, for a paged listing.
pub fn tag_pairs(tags: &[(String, String)]) -> impl Iterator<Item = (String, Tag)> + '_ {
    tags.iter().map(|(k, v)| {
        let tag = Tag {
            key: k.clone(),
            value: v.clone(),
        };
        (k.clone(), tag)
    })
}

/// A permissions boundary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    /// Always `PermissionsBoundaryPolicy`.
    pub permissions_boundary_type: &'static str,
    /// The managed policy's ARN.
    pub permissions_boundary_arn: String,
}

fn boundary(arn: &Option<String>) -> Option<Boundary> {
    arn.as_ref().map(|arn| Boundary {
        permissions_boundary_type: "PermissionsBoundaryPolicy",
        permissions_boundary_arn: arn.clone(),
    })
}

/// An IAM user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// The path.
    pub path: String,
    /// The name (absent for an account's root, as AWS answers GetUser).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// `AIDA...`.
    pub user_id: String,
    /// The ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: String,
    /// The boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    /// The tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Members<Tag>>,
}

/// The ARN of an entity of `kind` (`user`, `group`, `role`, `policy`).
pub fn arn(account: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:{kind}{path}{name}")
}

/// A stored user as AWS shows it.
pub fn user(account: &str, name: &str, r: &UserRecord) -> User {
    User {
        path: r.path.clone(),
        user_name: Some(name.to_string()),
        user_id: r.id.clone(),
        arn: arn(account, "user", &r.path, name),
        create_date: iso8601(r.created_ns),
        permissions_boundary: boundary(&r.boundary),
        tags: tags(&r.tags),
    }
}

/// An IAM group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// The path.
    pub path: String,
    /// The name.
    pub group_name: String,
    /// `AGPA...`.
    pub group_id: String,
    /// The ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: String,
}

/// A stored group as AWS shows it.
pub fn group(account: &str, name: &str, r: &GroupRecord) -> Group {
    Group {
        path: r.path.clone(),
        group_name: name.to_string(),
        group_id: r.id.clone(),
        arn: arn(account, "group", &r.path, name),
        create_date: iso8601(r.created_ns),
    }
}

/// An IAM role.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// The path.
    pub path: String,
    /// The name.
    pub role_name: String,
    /// `AROA...`.
    pub role_id: String,
    /// The ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: String,
    /// The trust policy, URL-encoded.
    pub assume_role_policy_document: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Longest session, seconds.
    pub max_session_duration: u32,
    /// The boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    /// The tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Members<Tag>>,
}

/// A stored role as AWS shows it.
pub fn role(account: &str, name: &str, r: &RoleRecord) -> Role {
    Role {
        path: r.path.clone(),
        role_name: name.to_string(),
        role_id: r.id.clone(),
        arn: arn(account, "role", &r.path, name),
        create_date: iso8601(r.created_ns),
        assume_role_policy_document: url_encoded(&r.trust),
        description: r.description.clone(),
        max_session_duration: r.max_session_secs,
        permissions_boundary: boundary(&r.boundary),
        tags: tags(&r.tags),
    }
}

/// An access key's metadata, with its secret only when just created.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    /// The owning user.
    pub user_name: String,
    /// `AKIA...`.
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// The secret: returned once, by CreateAccessKey.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_access_key: Option<String>,
    /// Creation time.
    pub create_date: String,
}

/// A stored key as AWS lists it (without its secret).
pub fn access_key(id: &str, r: &AccessKeyRecord) -> AccessKey {
    AccessKey {
        user_name: r.user.clone(),
        access_key_id: id.to_string(),
        status: format!("{:?}", r.status),
        secret_access_key: None,
        create_date: iso8601(r.created_ns),
    }
}

/// A customer managed policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    /// The name.
    pub policy_name: String,
    /// `ANPA...`.
    pub policy_id: String,
    /// The ARN.
    pub arn: String,
    /// The path.
    pub path: String,
    /// The version in force.
    pub default_version_id: String,
    /// How many users, groups and roles have it attached.
    pub attachment_count: usize,
    /// How many users and roles have it as their boundary.
    pub permissions_boundary_usage_count: usize,
    /// Always true.
    pub is_attachable: bool,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Creation time.
    pub create_date: String,
    /// When its newest version was made.
    pub update_date: String,
    /// The tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Members<Tag>>,
}

/// A stored policy as AWS shows it; `counts` are its attachments and boundary uses.
pub fn managed_policy(
    account: &str,
    name: &str,
    r: &PolicyRecord,
    counts: (usize, usize),
) -> ManagedPolicy {
    let updated = r.versions.iter().map(|v| v.created_ns).max();
    ManagedPolicy {
        policy_name: name.to_string(),
        policy_id: r.id.clone(),
        arn: arn(account, "policy", &r.path, name),
        path: r.path.clone(),
        default_version_id: r.default_version.clone(),
        attachment_count: counts.0,
        permissions_boundary_usage_count: counts.1,
        is_attachable: true,
        description: r.description.clone(),
        create_date: iso8601(r.created_ns),
        update_date: iso8601(updated.unwrap_or(r.created_ns)),
        tags: tags(&r.tags),
    }
}

/// One version of a managed policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// The document, URL-encoded (left out of listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// `v1`, ...
    pub version_id: String,
    /// Whether it is in force.
    pub is_default_version: bool,
    /// Creation time.
    pub create_date: String,
}

/// A stored version; `with_document` for GetPolicyVersion.
pub fn policy_version(r: &PolicyRecord, v: &VersionRecord, with_document: bool) -> PolicyVersion {
    PolicyVersion {
        document: with_document.then(|| url_encoded(&v.document)),
        version_id: v.id.clone(),
        is_default_version: v.id == r.default_version,
        create_date: iso8601(v.created_ns),
    }
}

/// A managed policy as an attachment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// The policy's name.
    pub policy_name: String,
    /// The policy's ARN.
    pub policy_arn: String,
}

/// An attachment by its ARN.
pub fn attached_policy(arn: &str) -> AttachedPolicy {
    AttachedPolicy {
        policy_name: arn.rsplit('/').next().unwrap_or_default().to_string(),
        policy_arn: arn.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::records::{Attached, KeyStatus};

    fn xml<T: Serialize>(root: &str, value: &T) -> String {
        quick_xml::se::to_string_with_root(root, value).unwrap()
    }

    #[test]
    fn times_are_iso8601_in_whole_seconds() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_796_317_200_123_000_000), "2026-12-03T17:00:00Z");
    }

    #[test]
    fn documents_are_url_encoded() {
        assert_eq!(
            url_encoded(r#"{"a": "b/c"}"#),
            "%7B%22a%22%3A%20%22b%2Fc%22%7D"
        );
    }

    #[test]
    fn users_have_aws_shape_and_lists_have_members() {
        let r = UserRecord {
            id: "AIDAEXAMPLE".into(),
            path: "/team/".into(),
            created_ns: 0,
            tags: vec![("k".into(), "v".into())],
            policies: Attached::default(),
            groups: Vec::new(),
            boundary: None,
        };
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct ListUsers {
            users: Members<User>,
            is_truncated: bool,
        }
        let doc = ListUsers {
            users: Members::of([user("111122223333", "alice", &r)]),
            is_truncated: false,
        };
        assert_eq!(
            xml("ListUsersResult", &doc),
            "<ListUsersResult><Users><member><Path>/team/</Path><UserName>alice</UserName>\
             <UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::111122223333:user/team/alice</Arn>\
             <CreateDate>1970-01-01T00:00:00Z</CreateDate><Tags><member><Key>k</Key>\
             <Value>v</Value></member></Tags></member></Users><IsTruncated>false</IsTruncated>\
             </ListUsersResult>"
        );
    }

    #[test]
    fn listed_keys_carry_no_secret() {
        let r = AccessKeyRecord {
            account_id: "111122223333".into(),
            user: "alice".into(),
            secret: "s3cr3t".into(),
            status: KeyStatus::Inactive,
            created_ns: 0,
        };
        let out = xml("member", &access_key("AKIAX", &r));
        assert_eq!(
            out,
            "<member><UserName>alice</UserName><AccessKeyId>AKIAX</AccessKeyId>\
             <Status>Inactive</Status><CreateDate>1970-01-01T00:00:00Z</CreateDate></member>"
        );
    }
}
