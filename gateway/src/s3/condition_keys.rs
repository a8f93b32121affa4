//! One request's condition keys, as policies read them: the S3 keys (`s3:prefix`,
//! `s3:x-amz-acl`, `s3:RequestObjectTag/<key>`, ...) and the global ones (`aws:SourceIp`,
//! `aws:CurrentTime`, ...). Built per request by borrowing the route and the headers; values
//! that need formatting are formatted only when a policy asks for them, and so are an
//! existing object's tags read ([`WithExistingTags`], per action).

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use strata_policy::{ConditionContext, Values};
use time::macros::format_description;
use time::OffsetDateTime;

use super::http::header;
use super::operation::Operation;
use super::query::{param, Query};
use super::router::Route;
use crate::auth::AuthMethod;

/// How a request carried its credentials (`s3:authType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    /// SigV4 in the `Authorization` header.
    Header,
    /// A presigned URL.
    QueryString,
    /// A browser form upload (`PostObject`).
    Post,
}

impl AuthType {
    /// The value of `s3:authType`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::Header => "REST-HEADER",
            AuthType::QueryString => "REST-QUERY-STRING",
            AuthType::Post => "POST",
        }
    }

    /// From how authentication says the request was signed.
    pub fn of(method: AuthMethod) -> Self {
        match method {
            AuthMethod::Header => AuthType::Header,
            AuthMethod::Presigned => AuthType::QueryString,
            AuthMethod::Post => AuthType::Post,
        }
    }
}

/// A signed request's signature, as authentication saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// Header, presigned URL or form.
    pub auth_type: AuthType,
    /// The signed request time (`Authenticated::request_time`), for `s3:signatureAge`.
    pub signed_at: SystemTime,
}

/// What the condition keys need that is not in the route or the headers. Each field is
/// something the request stack holds by the authorization stage.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The client's address (`Peer::addr`'s IP); `None` on a Unix socket.
    pub peer_ip: Option<IpAddr>,
    /// The TLS protocol version (`Peer::tls`'s `version`, e.g. `TLSv1_3`); `None` over plain
    /// HTTP, and behind a proxy (whose TLS strata does not see).
    pub tls_version: Option<&'a str>,
    /// Whether the client's connection is HTTPS: strata's own TLS, or a trusted proxy's
    /// (`X-Forwarded-Proto`).
    pub secure_transport: bool,
    /// The signature; `None` for an anonymous request.
    pub signature: Option<Signature>,
    /// The time of the decision.
    pub now: SystemTime,
    /// The region the request is for (the credential scope's, or the server's).
    pub region: &'a str,
}

/// The tags a request asks to set (`s3:RequestObjectTag/<key>`, `s3:RequestObjectTagKeys`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestTags {
    pairs: Option<Vec<(String, String)>>,
}

impl RequestTags {
    /// From `x-amz-tagging` (URL query form, read as the handlers read it); none when the
    /// header is absent. A header that does not decode gives an empty set: the operation
    /// refuses it anyway.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let pairs = headers.get("x-amz-tagging").map(|value| {
            value
                .to_str()
                .ok()
                .and_then(|v| Query::parse(v).ok())
                .map(|q| q.pairs().to_vec())
                .unwrap_or_default()
        });
        RequestTags { pairs }
    }

    /// Tags known otherwise (`PutObjectTagging`'s body, once read).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        RequestTags { pairs: Some(pairs) }
    }
}

/// An object's tags (`s3:ExistingObjectTag/<key>`), read only when a policy asks.
pub trait ExistingTags: Sync {
    /// The value of tag `key` (compared exactly: object tag keys are case-sensitive).
    fn tag(&self, key: &str) -> Option<&str>;
}

/// [`ExistingTags`] that calls `read` the first time a tag is asked for, and never again. A
/// failed read answers no tag; the caller must then ask [`LazyTags::into_error`] and refuse,
/// or a Deny conditioned on the tags would have been skipped.
pub struct LazyTags<F, E> {
    read: F,
    tags: OnceLock<Result<Vec<(String, String)>, E>>,
}

impl<F, E> LazyTags<F, E>
where
    F: Fn() -> Result<Vec<(String, String)>, E> + Sync,
{
    /// Tags that `read` will fetch on first use.
    pub fn new(read: F) -> Self {
        LazyTags {
            read,
            tags: OnceLock::new(),
        }
    }

    /// Whether the tags have been read.
    pub fn was_read(&self) -> bool {
        self.tags.get().is_some()
    }

    /// Why the read failed, if it was tried and failed.
    pub fn into_error(self) -> Option<E> {
        self.tags.into_inner()?.err()
    }
}

impl<F, E> ExistingTags for LazyTags<F, E>
where
    F: Fn() -> Result<Vec<(String, String)>, E> + Sync + Send,
    E: Sync + Send,
{
    fn tag(&self, key: &str) -> Option<&str> {
        let tags = self.tags.get_or_init(&self.read).as_ref().ok()?;
        tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// A request's condition keys with one object's tags as `s3:ExistingObjectTag/<key>`: the
/// tags belong to the object one action acts on (a copy's source for its read), so they
/// are added per action, not per request.
pub struct WithExistingTags<'a> {
    keys: &'a (dyn ConditionContext + Sync),
    tags: &'a dyn ExistingTags,
}

impl<'a> WithExistingTags<'a> {
    /// `keys`, answering the existing-tag keys from `tags`.
    pub fn new(keys: &'a (dyn ConditionContext + Sync), tags: &'a dyn ExistingTags) -> Self {
        WithExistingTags { keys, tags }
    }
}

impl ConditionContext for WithExistingTags<'_> {
    fn get(&self, key: &str) -> Option<Values<'_>> {
        match strip_prefix_ignore_case(key, EXISTING_TAG) {
            Some(tag) => self.tags.tag(tag).map(Values::One),
            None => self.keys.get(key),
        }
    }
}

/// The keys answered, by name (compared case-insensitively, as AWS compares key names).
#[derive(Debug, Clone, Copy)]
enum Key {
    ListParam(&'static str),
    Header(&'static str),
    VersionId,
    RequestTagKeys,
    SignatureVersion,
    AuthType,
    SignatureAge,
    TlsVersion,
    SecureTransport,
    SourceIp,
    CurrentTime,
    EpochTime,
    RequestedRegion,
}

const KEYS: &[(&str, Key)] = &[
    ("s3:prefix", Key::ListParam(param::PREFIX)),
    ("s3:delimiter", Key::ListParam(param::DELIMITER)),
    ("s3:max-keys", Key::ListParam(param::MAX_KEYS)),
    ("s3:x-amz-acl", Key::Header("x-amz-acl")),
    (
        "s3:x-amz-server-side-encryption",
        Key::Header("x-amz-server-side-encryption"),
    ),
    (
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        Key::Header("x-amz-server-side-encryption-aws-kms-key-id"),
    ),
    ("s3:x-amz-copy-source", Key::Header("x-amz-copy-source")),
    (
        "s3:x-amz-metadata-directive",
        Key::Header("x-amz-metadata-directive"),
    ),
    ("s3:x-amz-storage-class", Key::Header("x-amz-storage-class")),
    (
        "s3:x-amz-content-sha256",
        Key::Header("x-amz-content-sha256"),
    ),
    ("s3:versionid", Key::VersionId),
    ("s3:RequestObjectTagKeys", Key::RequestTagKeys),
    ("s3:signatureversion", Key::SignatureVersion),
    ("s3:authType", Key::AuthType),
    ("s3:signatureAge", Key::SignatureAge),
    ("s3:TlsVersion", Key::TlsVersion),
    ("aws:SecureTransport", Key::SecureTransport),
    ("aws:SourceIp", Key::SourceIp),
    ("aws:CurrentTime", Key::CurrentTime),
    ("aws:EpochTime", Key::EpochTime),
    ("aws:Referer", Key::Header("referer")),
    ("aws:UserAgent", Key::Header("user-agent")),
    ("aws:RequestedRegion", Key::RequestedRegion),
];

const REQUEST_TAG: &str = "s3:RequestObjectTag/";
const EXISTING_TAG: &str = "s3:ExistingObjectTag/";

/// One request's condition keys; implements [`ConditionContext`].
pub struct S3Conditions<'a> {
    route: &'a Route,
    headers: &'a HeaderMap,
    facts: RequestFacts<'a>,
    tags: &'a RequestTags,
    tag_keys: Vec<&'a str>,
    source_ip: OnceLock<String>,
    current_time: OnceLock<String>,
    epoch_time: OnceLock<String>,
    signature_age: OnceLock<String>,
}

impl<'a> S3Conditions<'a> {
    /// The keys of the request `route` + `headers`. Allocates only for the tag key list, and
    /// only when the request sets tags.
    pub fn new(
        route: &'a Route,
        headers: &'a HeaderMap,
        facts: RequestFacts<'a>,
        tags: &'a RequestTags,
    ) -> Self {
        let tag_keys = match &tags.pairs {
            Some(pairs) => pairs.iter().map(|(k, _)| k.as_str()).collect(),
            None => Vec::new(),
        };
        S3Conditions {
            route,
            headers,
            facts,
            tags,
            tag_keys,
            source_ip: OnceLock::new(),
            current_time: OnceLock::new(),
            epoch_time: OnceLock::new(),
            signature_age: OnceLock::new(),
        }
    }

    fn value(&self, key: Key) -> Option<Values<'_>> {
        let one = |v: &'a str| Some(Values::One(v));
        match key {
            Key::ListParam(name) => {
                let lists = matches!(
                    self.route.op,
                    Operation::ListObjects
                        | Operation::ListObjectsV2
                        | Operation::ListObjectVersions
                );
                if lists {
                    self.route.query.get(name).map(Values::One)
                } else {
                    None
                }
            }
            Key::Header(name) => header(self.headers, name).and_then(one),
            Key::VersionId => self.route.query.get(param::VERSION_ID).map(Values::One),
            Key::RequestTagKeys => self
                .tags
                .pairs
                .as_ref()
                .map(|_| Values::Many(&self.tag_keys)),
            Key::SignatureVersion => self
                .facts
                .signature
                .map(|_| Values::One("AWS4-HMAC-SHA256")),
            Key::AuthType => self
                .facts
                .signature
                .map(|s| Values::One(s.auth_type.as_str())),
            Key::SignatureAge => {
                let signed_at = self.facts.signature?.signed_at;
                let age = self.signature_age.get_or_init(|| {
                    let age = self.facts.now.duration_since(signed_at).unwrap_or_default();
                    age.as_millis().to_string()
                });
                Some(Values::One(age))
            }
            Key::TlsVersion => self.facts.tls_version.and_then(tls_number).map(Values::One),
            Key::SecureTransport => Some(Values::One(if self.facts.secure_transport {
                "true"
            } else {
                "false"
            })),
            Key::SourceIp => {
                let ip = self.facts.peer_ip?;
                let text = self.source_ip.get_or_init(|| ip.to_canonical().to_string());
                Some(Values::One(text))
            }
            Key::CurrentTime => Some(Values::One(
                self.current_time
                    .get_or_init(|| iso8601_seconds(self.facts.now)),
            )),
            Key::EpochTime => Some(Values::One(self.epoch_time.get_or_init(|| {
                let since = self
                    .facts
                    .now
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                since.as_secs().to_string()
            }))),
            Key::RequestedRegion => Some(Values::One(self.facts.region)),
        }
    }
}

impl ConditionContext for S3Conditions<'_> {
    fn get(&self, key: &str) -> Option<Values<'_>> {
        if let Some(tag) = strip_prefix_ignore_case(key, REQUEST_TAG) {
            let pairs = self.tags.pairs.as_ref()?;
            return pairs
                .iter()
                .find(|(k, _)| k == tag)
                .map(|(_, v)| Values::One(v.as_str()));
        }
        // An object's tags are not the request's: see [`WithExistingTags`].
        if strip_prefix_ignore_case(key, EXISTING_TAG).is_some() {
            return None;
        }
        let (_, found) = KEYS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))?;
        self.value(*found)
    }
}

/// The keys every request has, whatever its service (AWS's "global condition context
/// keys" that strata knows): what the IAM and STS query APIs, which are not S3, take from
/// the request's [`S3Conditions`].
const GLOBAL_KEYS: [&str; 7] = [
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:Referer",
    "aws:UserAgent",
    "aws:RequestedRegion",
];

/// Of a request's condition keys, only the global ones: an IAM or STS action sees no
/// `s3:` key, as on AWS.
#[derive(Clone, Copy)]
pub struct GlobalKeys<'a>(pub &'a (dyn ConditionContext + Sync));

impl ConditionContext for GlobalKeys<'_> {
    fn get(&self, key: &str) -> Option<Values<'_>> {
        let global = GLOBAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
        if global {
            self.0.get(key)
        } else {
            None
        }
    }
}

/// `key` without `prefix` (compared case-insensitively), when it starts with it and names
/// something after it.
pub fn strip_prefix_ignore_case<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    let head = key.get(..prefix.len())?;
    let rest = &key[prefix.len()..];
    (head.eq_ignore_ascii_case(prefix) && !rest.is_empty()).then_some(rest)
}

/// `s3:TlsVersion` is numeric (`1.2`, `1.3`); the TLS stack names versions `TLSv1_3` and the
/// like.
fn tls_number(version: &str) -> Option<&'static str> {
    let digits = version.trim_start_matches(|c: char| !c.is_ascii_digit());
    match digits {
        "1" | "1.0" | "1_0" => Some("1.0"),
        "1.1" | "1_1" => Some("1.1"),
        "1.2" | "1_2" => Some("1.2"),
        "1.3" | "1_3" => Some("1.3"),
        _ => None,
    }
}

/// `aws:CurrentTime`'s form: ISO 8601 in UTC to the second, e.g. `2024-05-01T12:00:00Z`.
fn iso8601_seconds(t: SystemTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from(t).format(format).unwrap_or_default()
}

#[cfg(test)]
#[path = "condition_keys_tests.rs"]
mod tests;
