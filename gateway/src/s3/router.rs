//! The routing table: (method, bucket/key present, query keyword, a header) -> [`Operation`].
//!
//! Rows are tried in order, so the specific ones come before the default of each
//! (method, target) pair. Bucket and key are taken from the path (path style) or from the
//! `Host` header under `--domain` (virtual-host style).

use super::names::{validate_bucket_name, validate_key, NameError};
use super::operation::Operation;
use super::query::{param, Query};

/// What a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Service,
    Bucket,
    Object,
}

/// One row: method, target, an optional query keyword (a name, or a name and its value), an
/// optional second query parameter that must be present, an optional header that must be
/// present.
struct Row {
    method: &'static str,
    target: Target,
    query: Option<(&'static str, Option<&'static str>)>,
    also: Option<&'static str>,
    header: Option<&'static str>,
    op: Operation,
}

macro_rules! rows {
    ($( $method:literal $target:ident [$($q:ident $(= $qv:literal)?)?] [$($also:ident)?] [$($h:literal)?] => $op:ident; )*) => {
        &[ $( Row {
            method: $method,
            target: Target::$target,
            query: rows!(@keyword $($q $(= $qv)?)?),
            also: rows!(@opt $(param::$also)?),
            header: rows!(@opt $($h)?),
            op: Operation::$op,
        }, )* ]
    };
    (@keyword) => { None };
    (@keyword $q:ident) => { Some((param::$q, None)) };
    (@keyword $q:ident = $v:literal) => { Some((param::$q, Some($v))) };
    (@opt) => { None };
    (@opt $v:expr) => { Some($v) };
}

/// The table. Query names come from [`param`], where every parameter is declared once.
const ROUTES: &[Row] = rows! {
    "GET" Service [] [] [] => ListBuckets;
    "POST" Service [] [] [] => ServicePost;

    "GET" Bucket [ACL] [] [] => GetBucketAcl;
    "GET" Bucket [ACCELERATE] [] [] => GetBucketAccelerateConfiguration;
    "GET" Bucket [ANALYTICS] [ID] [] => GetBucketAnalyticsConfiguration;
    "GET" Bucket [ANALYTICS] [] [] => ListBucketAnalyticsConfigurations;
    "GET" Bucket [CORS] [] [] => GetBucketCors;
    "GET" Bucket [ENCRYPTION] [] [] => GetBucketEncryption;
    "GET" Bucket [INTELLIGENT_TIERING] [ID] [] => GetBucketIntelligentTieringConfiguration;
    "GET" Bucket [INTELLIGENT_TIERING] [] [] => ListBucketIntelligentTieringConfigurations;
    "GET" Bucket [INVENTORY] [ID] [] => GetBucketInventoryConfiguration;
    "GET" Bucket [INVENTORY] [] [] => ListBucketInventoryConfigurations;
    "GET" Bucket [LIFECYCLE] [] [] => GetBucketLifecycleConfiguration;
    "GET" Bucket [LOCATION] [] [] => GetBucketLocation;
    "GET" Bucket [LOGGING] [] [] => GetBucketLogging;
    "GET" Bucket [METRICS] [ID] [] => GetBucketMetricsConfiguration;
    "GET" Bucket [METRICS] [] [] => ListBucketMetricsConfigurations;
    "GET" Bucket [NOTIFICATION] [] [] => GetBucketNotificationConfiguration;
    "GET" Bucket [OBJECT_LOCK] [] [] => GetObjectLockConfiguration;
    "GET" Bucket [OWNERSHIP_CONTROLS] [] [] => GetBucketOwnershipControls;
    "GET" Bucket [POLICY_STATUS] [] [] => GetBucketPolicyStatus;
    "GET" Bucket [POLICY] [] [] => GetBucketPolicy;
    "GET" Bucket [PUBLIC_ACCESS_BLOCK] [] [] => GetPublicAccessBlock;
    "GET" Bucket [REPLICATION] [] [] => GetBucketReplication;
    "GET" Bucket [REQUEST_PAYMENT] [] [] => GetBucketRequestPayment;
    "GET" Bucket [SESSION] [] [] => CreateSession;
    "GET" Bucket [TAGGING] [] [] => GetBucketTagging;
    "GET" Bucket [UPLOADS] [] [] => ListMultipartUploads;
    "GET" Bucket [VERSIONING] [] [] => GetBucketVersioning;
    "GET" Bucket [VERSIONS] [] [] => ListObjectVersions;
    "GET" Bucket [WEBSITE] [] [] => GetBucketWebsite;
    "GET" Bucket [LIST_TYPE = "2"] [] [] => ListObjectsV2;
    "GET" Bucket [] [] [] => ListObjects;
    "HEAD" Bucket [] [] [] => HeadBucket;

    "PUT" Bucket [ACL] [] [] => PutBucketAcl;
    "PUT" Bucket [ACCELERATE] [] [] => PutBucketAccelerateConfiguration;
    "PUT" Bucket [ANALYTICS] [] [] => PutBucketAnalyticsConfiguration;
    "PUT" Bucket [CORS] [] [] => PutBucketCors;
    "PUT" Bucket [ENCRYPTION] [] [] => PutBucketEncryption;
    "PUT" Bucket [INTELLIGENT_TIERING] [] [] => PutBucketIntelligentTieringConfiguration;
    "PUT" Bucket [INVENTORY] [] [] => PutBucketInventoryConfiguration;
    "PUT" Bucket [LIFECYCLE] [] [] => PutBucketLifecycleConfiguration;
    "PUT" Bucket [LOGGING] [] [] => PutBucketLogging;
    "PUT" Bucket [METRICS] [] [] => PutBucketMetricsConfiguration;
    "PUT" Bucket [NOTIFICATION] [] [] => PutBucketNotificationConfiguration;
    "PUT" Bucket [OBJECT_LOCK] [] [] => PutObjectLockConfiguration;
    "PUT" Bucket [OWNERSHIP_CONTROLS] [] [] => PutBucketOwnershipControls;
    "PUT" Bucket [POLICY] [] [] => PutBucketPolicy;
    "PUT" Bucket [PUBLIC_ACCESS_BLOCK] [] [] => PutPublicAccessBlock;
    "PUT" Bucket [REPLICATION] [] [] => PutBucketReplication;
    "PUT" Bucket [REQUEST_PAYMENT] [] [] => PutBucketRequestPayment;
    "PUT" Bucket [TAGGING] [] [] => PutBucketTagging;
    "PUT" Bucket [VERSIONING] [] [] => PutBucketVersioning;
    "PUT" Bucket [WEBSITE] [] [] => PutBucketWebsite;
    "PUT" Bucket [] [] [] => CreateBucket;

    "DELETE" Bucket [ANALYTICS] [] [] => DeleteBucketAnalyticsConfiguration;
    "DELETE" Bucket [CORS] [] [] => DeleteBucketCors;
    "DELETE" Bucket [ENCRYPTION] [] [] => DeleteBucketEncryption;
    "DELETE" Bucket [INTELLIGENT_TIERING] [] [] => DeleteBucketIntelligentTieringConfiguration;
    "DELETE" Bucket [INVENTORY] [] [] => DeleteBucketInventoryConfiguration;
    "DELETE" Bucket [LIFECYCLE] [] [] => DeleteBucketLifecycle;
    "DELETE" Bucket [METRICS] [] [] => DeleteBucketMetricsConfiguration;
    "DELETE" Bucket [OWNERSHIP_CONTROLS] [] [] => DeleteBucketOwnershipControls;
    "DELETE" Bucket [POLICY] [] [] => DeleteBucketPolicy;
    "DELETE" Bucket [PUBLIC_ACCESS_BLOCK] [] [] => DeletePublicAccessBlock;
    "DELETE" Bucket [REPLICATION] [] [] => DeleteBucketReplication;
    "DELETE" Bucket [TAGGING] [] [] => DeleteBucketTagging;
    "DELETE" Bucket [WEBSITE] [] [] => DeleteBucketWebsite;
    "DELETE" Bucket [] [] [] => DeleteBucket;

    "POST" Bucket [DELETE] [] [] => DeleteObjects;
    "POST" Bucket [] [] [] => PostObject;
    "OPTIONS" Bucket [] [] [] => PreflightRequest;

    "GET" Object [ACL] [] [] => GetObjectAcl;
    "GET" Object [ATTRIBUTES] [] [] => GetObjectAttributes;
    "GET" Object [LEGAL_HOLD] [] [] => GetObjectLegalHold;
    "GET" Object [RETENTION] [] [] => GetObjectRetention;
    "GET" Object [TAGGING] [] [] => GetObjectTagging;
    "GET" Object [TORRENT] [] [] => GetObjectTorrent;
    "GET" Object [UPLOAD_ID] [] [] => ListParts;
    "GET" Object [] [] [] => GetObject;
    "HEAD" Object [] [] [] => HeadObject;

    "PUT" Object [ACL] [] [] => PutObjectAcl;
    "PUT" Object [LEGAL_HOLD] [] [] => PutObjectLegalHold;
    "PUT" Object [RETENTION] [] [] => PutObjectRetention;
    "PUT" Object [TAGGING] [] [] => PutObjectTagging;
    "PUT" Object [PART_NUMBER] [UPLOAD_ID] ["x-amz-copy-source"] => UploadPartCopy;
    "PUT" Object [PART_NUMBER] [UPLOAD_ID] [] => UploadPart;
    "PUT" Object [] [] ["x-amz-copy-source"] => CopyObject;
    "PUT" Object [] [] [] => PutObject;

    "DELETE" Object [TAGGING] [] [] => DeleteObjectTagging;
    "DELETE" Object [UPLOAD_ID] [] [] => AbortMultipartUpload;
    "DELETE" Object [] [] [] => DeleteObject;

    "POST" Object [UPLOADS] [] [] => CreateMultipartUpload;
    "POST" Object [UPLOAD_ID] [] [] => CompleteMultipartUpload;
    "POST" Object [RESTORE] [] [] => RestoreObject;
    "POST" Object [SELECT] [] [] => SelectObjectContent;
    "OPTIONS" Object [] [] [] => PreflightRequest;
};

/// A routed request: the operation and what it addresses.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The operation.
    pub op: Operation,
    /// Bucket name, validated.
    pub bucket: Option<String>,
    /// Object key, decoded and validated.
    pub key: Option<String>,
    /// Decoded query parameters.
    pub query: Query,
}

/// Why a request could not be routed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The method has no meaning for what the path addresses.
    #[error("the specified method is not allowed against this resource")]
    MethodNotAllowed,
    /// The bucket or key is not acceptable.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The path or query does not decode to UTF-8.
    #[error("couldn't parse the specified URI")]
    InvalidUri,
    /// The headers and query together are larger than [`MAX_HEAD_BYTES`].
    #[error("your request's headers and query exceed the maximum of {max} bytes")]
    HeadTooLarge {
        /// The limit.
        max: usize,
    },
}

/// The parts of a request the router looks at.
pub struct RequestLine<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// `Host` header (may carry a port).
    pub host: Option<&'a str>,
    /// Raw (still percent-encoded) path.
    pub path: &'a str,
    /// Raw query string, without `?`.
    pub query: Option<&'a str>,
    /// Whether a header is present (names are lowercase).
    pub has_header: &'a dyn Fn(&str) -> bool,
}

/// Routes a request; `domain` enables virtual-host style for `*.domain`.
pub fn route(req: &RequestLine<'_>, domain: Option<&str>) -> Result<Route, RouteError> {
    let query = Query::parse(req.query.unwrap_or("")).map_err(|_| RouteError::InvalidUri)?;
    let path = req.path.strip_prefix('/').unwrap_or(req.path);
    let (bucket, key_raw) = match virtual_host_bucket(req.host, domain) {
        Some(bucket) => (Some(bucket), Some(path)),
        None => match path.split_once('/') {
            Some((b, k)) => (Some(decode(b)?), Some(k)),
            None if path.is_empty() => (None, None),
            None => (Some(decode(path)?), None),
        },
    };
    let key = match key_raw {
        Some(k) if !k.is_empty() => Some(decode(k)?),
        _ => None,
    };
    let target = match (&bucket, &key) {
        (None, _) => Target::Service,
        (Some(_), None) => Target::Bucket,
        (Some(_), Some(_)) => Target::Object,
    };
    let row = ROUTES
        .iter()
        .find(|r| {
            r.method == req.method
                && r.target == target
                && r.query.is_none_or(|(name, value)| match value {
                    Some(value) => query.get(name) == Some(value),
                    None => query.has(name),
                })
                && r.also.is_none_or(|a| query.has(a))
                && r.header.is_none_or(|h| (req.has_header)(h))
        })
        .ok_or(RouteError::MethodNotAllowed)?;
    if let Some(b) = &bucket {
        // Existing buckets are always addressable; creation checks the stricter rules.
        validate_bucket_name(b, row.op == Operation::CreateBucket)?;
    }
    if let Some(k) = &key {
        validate_key(k)?;
    }
    Ok(Route {
        op: row.op,
        bucket,
        key,
        query,
    })
}

/// Largest request head served: header lines (`name: value` and CRLF) plus the query string.
/// AWS documents 8 KiB for a PUT's headers; twice that keeps every client that works against
/// AWS working, while pingora alone would let a peer send 1 MiB of head to parse and sign.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// What the server does with a parsed request head before authentication: refuse an
/// oversized one, then route it. The one entry point from HTTP to an S3 operation.
pub fn route_head(head: &http::request::Parts, domain: Option<&str>) -> Result<Route, RouteError> {
    let header_bytes: usize = head
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes + head.uri.query().map_or(0, str::len) > MAX_HEAD_BYTES {
        return Err(RouteError::HeadTooLarge {
            max: MAX_HEAD_BYTES,
        });
    }
    let has = |name: &str| head.headers.contains_key(name);
    route(
        &RequestLine {
            method: head.method.as_str(),
            host: head.headers.get("host").and_then(|v| v.to_str().ok()),
            path: head.uri.path(),
            query: head.uri.query(),
            has_header: &has,
        },
        domain,
    )
}

fn virtual_host_bucket(host: Option<&str>, domain: Option<&str>) -> Option<String> {
    let domain = domain?;
    let host = host?.to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => host,
    };
    let bucket = host.strip_suffix(domain)?.strip_suffix('.')?;
    (!bucket.is_empty()).then(|| bucket.to_string())
}

/// A path segment decoded (`+` is a plus in a path), as UTF-8.
fn decode(s: &str) -> Result<String, RouteError> {
    String::from_utf8(crate::percent::decode(s.as_bytes(), false))
        .map_err(|_| RouteError::InvalidUri)
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
