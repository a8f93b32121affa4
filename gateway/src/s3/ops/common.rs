//! What every handler shares: its context and request, and the header conventions of
//! objects (metadata, storage class, tags, checksums).

use crate::bucket_access::BucketAccess;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;
use strata_volume::{ObjectInfo, ObjectMeta, Store, WritePrecondition};

use crate::auth::Principal;
use crate::authorize::Authorize;
use crate::checksum::ChecksumAlgorithm;
use crate::config::{StorageClassNames, STANDARD_CLASS};
use crate::iam::Owners;
use crate::identity::Account;
use crate::lifecycle::{abort_headers, expiration_header, LifecycleClock};
use crate::notify::Registry;
use crate::s3::actions::Need;
use crate::s3::body::Body;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{header, http_date, quote_etag};
use crate::s3::operation::Operation;
use crate::s3::query::param;
use crate::s3::query::Query;
use crate::s3::restoring::{self, Restoring};
use crate::s3::xml::{Owner, Tag};
use crate::sts_api::StsServices;
use crate::transform::{BodyTransform, TierSeal};
use strata_policy::ConditionContext;

/// Size limits of object writes (the store checks the completed object's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteLimits {
    /// Largest single PutObject, and largest CopyObject source.
    pub max_put_size: u64,
    /// Largest part, uploaded or copied.
    pub max_part_size: u64,
}

/// What handlers need: the store, the body transform, a few names and the write limits.
/// Nothing else of the config.
#[derive(Clone)]
pub struct Ctx {
    /// The volume engine.
    pub store: Store,
    /// How object bytes are stored (encryption, later).
    pub transform: Arc<dyn BodyTransform>,
    /// Region reported by GetBucketLocation and HeadBucket.
    pub region: String,
    /// Each class's S3 storage-class name (the first class is `STANDARD`).
    pub class_names: StorageClassNames,
    /// What plaintext written to a remote tier is sealed under.
    pub tier_seal: TierSeal,
    /// RestoreObject copies running now.
    pub restoring: Restoring,
    /// How long a lifecycle day lasts (`--lifecycle-day`).
    pub lifecycle_clock: LifecycleClock,
    /// Size limits of writes.
    pub limits: WriteLimits,
    /// Longest a slow answer goes unsent, then between its keep-alive spaces
    /// (`--keep-alive-interval`).
    pub keep_alive: Duration,
    /// Notification targets and the buckets' rules.
    pub notify: Arc<Registry>,
    /// Bucket owners' accounts.
    pub owners: Owners,
    /// STS: the session sealer and the web-identity verifier.
    pub sts: Arc<StsServices>,
    /// The buckets' access controls (policies, ACLs, ownership, public access blocks),
    /// shared with the authorizer.
    pub bucket_access: BucketAccess,
}

/// Where a restore (RestoreObject) of an archived version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreState {
    /// Its bytes are being copied.
    Ongoing,
    /// A restored copy serves reads until then.
    Restored(SystemTime),
}

impl Ctx {
    /// The owner listings show for a bucket (and its objects and uploads: the bucket owner
    /// owns every object, as under AWS's default `BucketOwnerEnforced`).
    pub fn owner(&self, bucket: &str) -> Result<Owner, S3Error> {
        let recorded = self.store.bucket_owner(bucket)?;
        Ok(owner_xml(&self.owners.account(recorded.as_deref())))
    }

    /// `x-amz-expiration` for `info`, when its bucket's lifecycle rules expire it.
    pub fn expiration_header(&self, info: &ObjectInfo) -> Option<(String, String)> {
        let controls = self.bucket_access.get(&info.bucket).ok()?;
        let rules = controls.lifecycle.as_ref()?;
        let value = expiration_header(rules, &self.lifecycle_clock, info)?;
        Some(("x-amz-expiration".to_string(), value))
    }

    /// `x-amz-abort-date` and `x-amz-abort-rule-id` for an upload of `bucket/key` starting
    /// now, when its bucket's lifecycle rules abort it.
    pub fn abort_headers(&self, bucket: &str, key: &str) -> Vec<(String, String)> {
        let Ok(controls) = self.bucket_access.get(bucket) else {
            return Vec::new();
        };
        match controls.lifecycle.as_ref() {
            Some(rules) => abort_headers(rules, &self.lifecycle_clock, key, SystemTime::now()),
            None => Vec::new(),
        }
    }

    /// Refuses reading the bytes of `info` while it is on an archive tier and not restored.
    pub fn check_readable(&self, info: &ObjectInfo) -> Result<(), S3Error> {
        if self.class_names.is_archive(&info.storage_class) && info.restored_until.is_none() {
            return Err(Code::InvalidObjectState.with(
                "the operation is not valid for the object's storage class: restore it first (RestoreObject)",
            ));
        }
        Ok(())
    }

    /// Where a restore of `info`'s version stands (`None`: never restored, or its copy
    /// expired): running, or asked for and not finished (cut by a restart or a tier that was
    /// down: the scanner resumes it), or done.
    pub fn restore_state(&self, info: &ObjectInfo) -> Option<RestoreState> {
        let running = self
            .restoring
            .is_running(&info.bucket, &info.key, &info.version_id);
        if running || restoring::pending(&info.internal).is_some() {
            return Some(RestoreState::Ongoing);
        }
        info.restored_until.map(RestoreState::Restored)
    }

    /// `x-amz-restore` of `info`: a restore running, or the restored copy's expiry.
    pub fn restore_header(&self, info: &ObjectInfo) -> Option<(String, String)> {
        let value = match self.restore_state(info)? {
            RestoreState::Ongoing => "ongoing-request=\"true\"".to_string(),
            RestoreState::Restored(until) => format!(
                "ongoing-request=\"false\", expiry-date=\"{}\"",
                http_date(until)
            ),
        };
        Some(("x-amz-restore".to_string(), value))
    }

    /// The storage-class name clients see for a stored class (`--storage-classes`).
    pub fn class_for_client(&self, class: &str) -> String {
        self.class_names.for_client(class)
    }

    /// The store class (or remote tier) for an `x-amz-storage-class` value (`None`: the
    /// namespace class, `STANDARD`); a name no class has is InvalidStorageClass.
    pub fn class_from_client(&self, value: Option<&str>) -> Result<Option<String>, S3Error> {
        match value.map(str::trim) {
            None | Some("") | Some(STANDARD_CLASS) => Ok(None),
            Some(name) => match self.class_names.from_client(name) {
                Some(class) => Ok(Some(class.to_string())),
                None => Err(Code::InvalidStorageClass
                    .with(format!("the storage class {name:?} is not configured"))),
            },
        }
    }
}

/// The authorizer and the request's condition keys, for needs found inside an operation.
#[derive(Clone, Copy)]
pub struct Authorizing<'a> {
    /// The stack's authorizer.
    pub authorizer: &'a dyn Authorize,
    /// The request's condition keys.
    pub context: &'a (dyn ConditionContext + Sync),
}

impl Authorizing<'_> {
    /// Whether the request's principal may do `need`.
    pub fn need(&self, caller: &Principal, need: &Need<'_>) -> Result<(), S3Error> {
        self.authorizer.authorize_need(caller, need, self.context)
    }
}

/// An account as listings show an owner: canonical id and display name.
pub fn owner_xml(account: &Account) -> Owner {
    Owner {
        ID: account.canonical_id.clone(),
        DisplayName: account.name.clone(),
    }
}

/// One request as a handler sees it: authenticated, authorized, its body verified as it is
/// read.
pub struct Request<'a> {
    /// The routed operation.
    pub op: Operation,
    /// Bucket, if addressed.
    pub bucket: Option<&'a str>,
    /// Key, if addressed.
    pub key: Option<&'a str>,
    /// Decoded query.
    pub query: &'a Query,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Who asks (authenticated and authorized).
    pub caller: &'a Principal,
    /// The SigV4 scope's service of a signed request (`s3`, `iam`, `sts`).
    pub signed_service: Option<&'a str>,
    /// For the needs an operation discovers itself (a `DeleteObjects` entry, a copy
    /// source's tags).
    pub authorize: Authorizing<'a>,
    /// The response's `x-amz-request-id`.
    pub request_id: &'a str,
    /// The verified, decoded body.
    pub body: Body<'a>,
}

impl<'a> Request<'a> {
    /// The bucket; the router guarantees one for bucket and object operations.
    pub fn bucket(&self) -> Result<&'a str, S3Error> {
        self.bucket
            .ok_or_else(|| Code::InvalidRequest.with("a bucket is required"))
    }

    /// The key; the router guarantees one for object operations.
    pub fn key(&self) -> Result<&'a str, S3Error> {
        self.key
            .ok_or_else(|| Code::InvalidRequest.with("an object key is required"))
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        header(self.headers, name)
    }

    /// `?versionId=`, with `null` meaning the null version.
    pub fn version_id(&self) -> Option<String> {
        self.query.get(param::VERSION_ID).map(str::to_string)
    }
}

/// Largest number of tags on one object or bucket.
const MAX_TAGS: usize = 50;

/// Checks S3's tag rules (object tags allow 10, buckets 50; keys 128, values 256 chars).
pub fn validate_tags(tags: &[(String, String)], max: usize) -> Result<(), S3Error> {
    if tags.len() > max.min(MAX_TAGS) {
        return Err(Code::InvalidTag.with(format!("at most {max} tags are allowed")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(Code::InvalidTag.with("tag keys are 1-128 and values 0-256 characters"));
        }
        if !seen.insert(k) {
            return Err(Code::InvalidTag.with("cannot provide multiple tags with the same key"));
        }
    }
    Ok(())
}

/// `x-amz-tagging: k1=v1&k2=v2` (URL-encoded like a query).
pub fn tags_from_header(value: Option<&str>) -> Result<Vec<(String, String)>, S3Error> {
    let Some(v) = value else {
        return Ok(Vec::new());
    };
    let q = Query::parse(v).map_err(|_| Code::InvalidTag.with("x-amz-tagging is not UTF-8"))?;
    let tags: Vec<(String, String)> = q.pairs().to_vec();
    validate_tags(&tags, 10)?;
    Ok(tags)
}

/// Tag pairs to XML tags.
pub fn tags_to_xml(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag {
            Key: k.clone(),
            Value: v.clone(),
        })
        .collect()
}

/// System and user metadata from request headers.
pub fn meta_from_headers(headers: &HeaderMap) -> Result<ObjectMeta, S3Error> {
    let get = |n: &str| header(headers, n).map(str::to_string);
    // `aws-chunked` is transport framing, not a property of the object.
    let content_encoding = get("content-encoding").and_then(|v| {
        let rest: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|e| !e.eq_ignore_ascii_case("aws-chunked") && !e.is_empty())
            .collect();
        (!rest.is_empty()).then(|| rest.join(","))
    });
    let mut user = BTreeMap::new();
    let mut user_bytes = 0;
    for (name, value) in headers {
        if let Some(suffix) = name.as_str().strip_prefix("x-amz-meta-") {
            let value = crate::s3::rfc2047::decode(value.as_bytes()).ok_or_else(|| {
                Code::InvalidArgument.with(format!(
                    "x-amz-meta-{suffix} is neither UTF-8 nor RFC 2047 encoded words of UTF-8, US-ASCII or ISO-8859-1"
                ))
            })?;
            user_bytes += suffix.len() + value.len();
            user.insert(suffix.to_string(), value);
        }
    }
    if user_bytes > 2048 {
        return Err(Code::InvalidArgument.with("user metadata is limited to 2 KB"));
    }
    Ok(ObjectMeta {
        content_type: get("content-type"),
        cache_control: get("cache-control"),
        content_disposition: get("content-disposition"),
        content_encoding,
        content_language: get("content-language"),
        expires: get("expires"),
        user,
    })
}

/// `If-None-Match: *` / `If-Match: etag` on a write.
pub fn write_precondition(headers: &HeaderMap) -> Result<Option<WritePrecondition>, S3Error> {
    if headers.contains_key("if-none-match") && headers.contains_key("if-match") {
        // S3 takes one condition per write, and so does the store's commit.
        return Err(Code::NotImplemented
            .with("If-Match and If-None-Match together are not supported on writes"));
    }
    if let Some(v) = header(headers, "if-none-match") {
        return if v.trim() == "*" {
            Ok(Some(WritePrecondition::IfNoneMatchAny))
        } else {
            Err(Code::NotImplemented.with("If-None-Match on writes supports only '*'"))
        };
    }
    Ok(header(headers, "if-match")
        .map(|v| WritePrecondition::IfMatch(v.trim().trim_matches('"').to_string())))
}

/// The algorithm named by `x-amz-sdk-checksum-algorithm` / `x-amz-checksum-algorithm`.
pub fn declared_algorithm(headers: &HeaderMap) -> Result<Option<ChecksumAlgorithm>, S3Error> {
    let v = header(headers, "x-amz-sdk-checksum-algorithm")
        .or_else(|| header(headers, "x-amz-checksum-algorithm"));
    match v {
        None => Ok(None),
        Some(name) => ChecksumAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name.trim()))
            .map(Some)
            .ok_or_else(|| Code::InvalidRequest.with(format!("unknown checksum algorithm {name}"))),
    }
}

/// Headers describing an object version, shared by GET, HEAD and the writes.
pub fn object_headers(ctx: &Ctx, info: &ObjectInfo, checksum_mode: bool) -> Vec<(String, String)> {
    let described = ctx.transform.describe(&info.internal);
    let mut h: Vec<(String, String)> = vec![
        ("etag".into(), quote_etag(&info.etag)),
        ("last-modified".into(), http_date(info.last_modified)),
        ("accept-ranges".into(), "bytes".into()),
        (
            "content-type".into(),
            info.meta
                .content_type
                .clone()
                .unwrap_or_else(|| "binary/octet-stream".into()),
        ),
    ];
    let m = &info.meta;
    for (name, value) in [
        ("cache-control", &m.cache_control),
        ("content-disposition", &m.content_disposition),
        ("content-encoding", &m.content_encoding),
        ("content-language", &m.content_language),
        ("expires", &m.expires),
    ] {
        if let Some(v) = value {
            h.push((name.into(), v.clone()));
        }
    }
    h.extend(super::lock_headers::lock_headers(info.lock.as_ref()));
    for (k, v) in &m.user {
        h.push((format!("x-amz-meta-{k}"), crate::s3::rfc2047::encode(v)));
    }
    if info.version_id != "null" {
        h.push(("x-amz-version-id".into(), info.version_id.clone()));
    }
    let class = ctx.class_for_client(&info.storage_class);
    if class != STANDARD_CLASS {
        h.push(("x-amz-storage-class".into(), class));
    }
    if !info.tags.is_empty() {
        h.push(("x-amz-tagging-count".into(), info.tags.len().to_string()));
    }
    h.extend(described);
    if checksum_mode {
        // Multipart objects report the checksum made from their parts (`object_checksum`).
        let reported = super::object_checksum::reported_checksums(info);
        h.extend(checksum_headers(&reported));
        if let Some(kind) = super::object_checksum::checksum_type(&reported) {
            h.push(("x-amz-checksum-type".into(), kind.into()));
        }
    }
    h
}

/// `x-amz-checksum-*` response headers for stored checksums.
pub fn checksum_headers(checksums: &BTreeMap<String, String>) -> Vec<(String, String)> {
    checksums
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(name, v)| {
            ChecksumAlgorithm::ALL
                .into_iter()
                .find(|a| a.as_str() == name)
                .map(|a| (a.header_name().to_string(), v.clone()))
        })
        .collect()
}

/// The stored checksum of an algorithm, by its XML element name's suffix.
pub fn checksum_of(checksums: &BTreeMap<String, String>, name: &str) -> Option<String> {
    checksums.get(name).filter(|v| !v.is_empty()).cloned()
}

/// Parses a bounded integer query parameter (`max-keys`, `max-parts`, ...).
pub fn query_number(
    req: &Request<'_>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, S3Error> {
    match req.query.get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<usize>().map(|n| n.min(max)).map_err(|_| {
            Code::InvalidArgument.with(format!("{name} must be a non-negative integer"))
        }),
    }
}
