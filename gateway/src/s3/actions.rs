//! Which IAM actions, on which resources, one S3 request needs: AWS authorizes per request,
//! not per operation. A version in the query, a copy source, tags, ACLs or object-lock
//! headers each add to (or change) what the operation alone needs. The operation's own
//! action comes from [`base_action`]; this file adds what the request's query and headers
//! ask for.

use std::borrow::Cow;
use std::fmt;

use http::HeaderMap;

use super::action_table::base_action;
use super::copy_source::{parse_copy_source, CopySource};
use super::error::S3Error;
use super::http::header;
use super::operation::Operation;
use super::query::param;
use super::router::Route;

/// An S3 resource: a bucket, or an object in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource<'a> {
    /// The bucket.
    pub bucket: Cow<'a, str>,
    /// The object's key; `None` for the bucket itself.
    pub key: Option<Cow<'a, str>>,
    /// The object version the request names (`versionId`); not part of the ARN, but whose
    /// ACL and owner decide an object action.
    pub version: Option<Cow<'a, str>>,
}

impl<'a> Resource<'a> {
    /// A bucket.
    pub fn bucket(bucket: &'a str) -> Self {
        Resource {
            bucket: Cow::Borrowed(bucket),
            key: None,
            version: None,
        }
    }

    /// An object.
    pub fn object(bucket: &'a str, key: &'a str) -> Self {
        Resource {
            bucket: Cow::Borrowed(bucket),
            key: Some(Cow::Borrowed(key)),
            version: None,
        }
    }

    /// The same resource, at `version` when one is named.
    pub fn at_version(self, version: Option<&'a str>) -> Self {
        Resource {
            version: version.map(Cow::Borrowed),
            ..self
        }
    }

    /// `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`, the form policies name it by.
    pub fn arn(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Resource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "arn:aws:s3:::{}/{}", self.bucket, key),
            None => write!(f, "arn:aws:s3:::{}", self.bucket),
        }
    }
}

/// When a need applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Always: checked before the operation runs.
    Always,
    /// Only when the copy source turns out to have tags (a copy with
    /// `x-amz-tagging-directive: COPY`, the default). Known only once the source is open, so
    /// the copy operation asks then.
    SourceHasTags,
}

/// One action on one resource that must be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need<'a> {
    /// The IAM action, e.g. `s3:GetObject`.
    pub action: &'static str,
    /// What it acts on; `None` for `s3:ListAllMyBuckets`, which acts on no resource.
    pub resource: Option<Resource<'a>>,
    /// Whether it is checked up front or only in a case the operation discovers.
    pub when: When,
}

/// What the operation decides itself, beyond the needs listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deferred {
    /// `DeleteObjects`: nothing at the bucket; each listed key is checked as it is deleted,
    /// with [`deleted_object_needs`].
    DeletedObjects,
    /// `PostObject`: `s3:PutObject` on the key the form names (and its policy), read from the
    /// body.
    FormKey,
    /// `ServicePost`: an STS or IAM action named in the form body.
    FormAction,
}

/// Needs kept without a heap allocation; no request needs more than seven today.
const INLINE_NEEDS: usize = 8;

/// Every action, on every resource, that one request needs. All must be allowed.
#[derive(Debug, Clone, Default)]
pub struct RequiredActions<'a> {
    inline: [Option<Need<'a>>; INLINE_NEEDS],
    // Never used today; here so that a longer list is kept whole rather than cut short.
    spilled: Vec<Need<'a>>,
    deferred: Option<Deferred>,
}

impl<'a> RequiredActions<'a> {
    /// The needs, in the order they were found (the operation's own action first).
    pub fn iter(&self) -> impl Iterator<Item = &Need<'a>> {
        self.inline.iter().flatten().chain(self.spilled.iter())
    }

    /// The needs checked before the operation runs.
    pub fn up_front(&self) -> impl Iterator<Item = &Need<'a>> {
        self.iter().filter(|n| n.when == When::Always)
    }

    /// What the operation checks itself, if anything.
    pub fn deferred(&self) -> Option<Deferred> {
        self.deferred
    }

    /// How many needs there are.
    pub fn len(&self) -> usize {
        self.inline.iter().flatten().count() + self.spilled.len()
    }

    /// Whether there are none (`DeleteObjects`, and the form posts, before their bodies).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&mut self, action: &'static str, resource: Option<Resource<'a>>, when: When) {
        let need = Need {
            action,
            resource,
            when,
        };
        match self.inline.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(need),
            None => self.spilled.push(need),
        }
    }
}

/// What a routed request needs, from its operation, bucket, key, query and headers. Fails
/// only when a copy's `x-amz-copy-source` cannot be parsed (`InvalidArgument`, as the copy
/// itself would answer).
pub fn required_actions<'a>(
    route: &'a Route,
    headers: &'a HeaderMap,
) -> Result<RequiredActions<'a>, S3Error> {
    use Operation::*;
    let op = route.op;
    let deferred = match op {
        DeleteObjects => Some(Deferred::DeletedObjects),
        PostObject => Some(Deferred::FormKey),
        ServicePost => Some(Deferred::FormAction),
        _ => None,
    };
    let mut needs = RequiredActions {
        deferred,
        ..RequiredActions::default()
    };
    if needs.deferred.is_some() {
        return Ok(needs);
    }
    let target = route
        .bucket
        .as_deref()
        .map(|bucket| match route.key.as_deref() {
            Some(key) => {
                Resource::object(bucket, key).at_version(route.query.get(param::VERSION_ID))
            }
            None => Resource::bucket(bucket),
        });
    let versioned = route.query.has(param::VERSION_ID);
    if let Some(action) = base_action(op, versioned) {
        needs.push(action, target.clone(), When::Always);
    }
    match op {
        // AWS asks for both the attributes action and the read of the object (or version).
        GetObjectAttributes => {
            let read = if versioned {
                "s3:GetObjectVersion"
            } else {
                "s3:GetObject"
            };
            needs.push(read, target.clone(), When::Always);
        }
        CopyObject | UploadPartCopy => add_copy_source(&mut needs, op, headers)?,
        DeleteObject | PutObjectRetention if bypasses_governance(headers) => {
            needs.push("s3:BypassGovernanceRetention", target.clone(), When::Always);
        }
        _ => {}
    }
    // A delete conditioned on the object's ETag reads it: AWS asks for s3:GetObject too.
    if op == DeleteObject && header(headers, "if-match").is_some_and(|m| m.trim() != "*") {
        needs.push("s3:GetObject", target.clone(), When::Always);
    }
    if op == CreateBucket {
        add_bucket_settings(&mut needs, target.clone(), headers);
    }
    if matches!(op, PutObject | CopyObject | CreateMultipartUpload) {
        add_new_object_settings(&mut needs, target, headers);
    }
    Ok(needs)
}

/// The action that deletes one entry of a `DeleteObjects` request.
pub fn deleted_object_action(version_id: Option<&str>) -> &'static str {
    match version_id {
        Some(_) => "s3:DeleteObjectVersion",
        None => "s3:DeleteObject",
    }
}

/// What one entry of a `DeleteObjects` request needs: the delete, the read of the object
/// when the entry is conditioned on its ETag (`etag`), and the governance bypass when the
/// request asks for it.
pub fn deleted_object_needs<'a>(
    bucket: &'a str,
    key: &'a str,
    version_id: Option<&str>,
    etag: Option<&str>,
    headers: &HeaderMap,
) -> RequiredActions<'a> {
    let mut needs = RequiredActions::default();
    let target = Resource::object(bucket, key);
    needs.push(
        deleted_object_action(version_id),
        Some(target.clone()),
        When::Always,
    );
    if etag.is_some_and(|e| e.trim() != "*") {
        needs.push("s3:GetObject", Some(target.clone()), When::Always);
    }
    if bypasses_governance(headers) {
        needs.push("s3:BypassGovernanceRetention", Some(target), When::Always);
    }
    needs
}

/// The read of a copy's source, and of its tags when they are copied along.
fn add_copy_source<'a>(
    needs: &mut RequiredActions<'a>,
    op: Operation,
    headers: &'a HeaderMap,
) -> Result<(), S3Error> {
    // The router sends only requests carrying the header here; one that is unreadable as text
    // is a malformed source.
    let value = header(headers, "x-amz-copy-source").unwrap_or_default();
    let source = parse_copy_source(value)?;
    let versioned = source.version_id.is_some();
    let resource = Resource {
        bucket: source.bucket.clone(),
        key: Some(source.key.clone()),
        version: source.version_id.map(Cow::Borrowed),
    };
    let read = if versioned {
        "s3:GetObjectVersion"
    } else {
        "s3:GetObject"
    };
    needs.push(read, Some(resource), When::Always);
    let copies_tags = op == Operation::CopyObject
        && header(headers, "x-amz-tagging-directive").is_none_or(|d| d == "COPY");
    if copies_tags {
        let need = source_tags_need(&source);
        needs.push(need.action, need.resource, need.when);
    }
    Ok(())
}

/// The read of a copy source's tags, needed when a copy takes them along and the source
/// turns out to have some (the copy checks it once the source is open).
pub fn source_tags_need<'a>(source: &CopySource<'a>) -> Need<'a> {
    Need {
        action: if source.version_id.is_some() {
            "s3:GetObjectVersionTagging"
        } else {
            "s3:GetObjectTagging"
        },
        resource: Some(Resource {
            bucket: source.bucket.clone(),
            key: Some(source.key.clone()),
            version: source.version_id.map(Cow::Borrowed),
        }),
        when: When::SourceHasTags,
    }
}

/// What writing a new object's tags, ACL and object-lock settings needs.
fn add_new_object_settings<'a>(
    needs: &mut RequiredActions<'a>,
    target: Option<Resource<'a>>,
    headers: &HeaderMap,
) {
    if headers.contains_key("x-amz-tagging") {
        needs.push("s3:PutObjectTagging", target.clone(), When::Always);
    }
    if sets_acl(headers) {
        needs.push("s3:PutObjectAcl", target.clone(), When::Always);
    }
    if headers.contains_key("x-amz-object-lock-mode")
        || headers.contains_key("x-amz-object-lock-retain-until-date")
    {
        needs.push("s3:PutObjectRetention", target.clone(), When::Always);
    }
    if headers.contains_key("x-amz-object-lock-legal-hold") {
        needs.push("s3:PutObjectLegalHold", target, When::Always);
    }
}

/// What a new bucket's ACL, object lock and ownership settings need.
fn add_bucket_settings<'a>(
    needs: &mut RequiredActions<'a>,
    target: Option<Resource<'a>>,
    headers: &HeaderMap,
) {
    if sets_acl(headers) {
        needs.push("s3:PutBucketAcl", target.clone(), When::Always);
    }
    let lock = header(headers, "x-amz-bucket-object-lock-enabled")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if lock {
        needs.push(
            "s3:PutBucketObjectLockConfiguration",
            target.clone(),
            When::Always,
        );
        needs.push("s3:PutBucketVersioning", target.clone(), When::Always);
    }
    if headers.contains_key("x-amz-object-ownership") {
        needs.push("s3:PutBucketOwnershipControls", target, When::Always);
    }
}

/// A canned ACL or any explicit grant.
fn sets_acl(headers: &HeaderMap) -> bool {
    headers.contains_key("x-amz-acl")
        || headers
            .keys()
            .any(|name| name.as_str().starts_with("x-amz-grant-"))
}

/// `x-amz-bypass-governance-retention: true`.
/// Whether the request asks to bypass GOVERNANCE retention (`x-amz-bypass-governance-retention`).
pub fn bypasses_governance(headers: &HeaderMap) -> bool {
    header(headers, "x-amz-bypass-governance-retention")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
