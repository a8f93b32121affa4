//! The routing table: (method, bucket/key present, query keyword, a header) -> [`Operation`].
//!
//! Rows are tried in order, so the specific ones come before the default of each
//! (method, target) pair. Bucket and key are taken from the path (path style) or from the
//! `Host` header under `--domain` (virtual-host style).

use percent_encoding::percent_decode_str;

use super::names::{validate_bucket_name, validate_key, NameError};
use super::operation::Operation;
use super::query::Query;

/// What a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Service,
    Bucket,
    Object,
}

/// One row: method, target, an optional query keyword (`name` or `name=value`), an optional
/// second query parameter that must be present, an optional header that must be present.
struct Row {
    method: &'static str,
    target: Target,
    query: Option<&'static str>,
    also: Option<&'static str>,
    header: Option<&'static str>,
    op: Operation,
}

macro_rules! rows {
    ($( $method:literal $target:ident [$($q:literal)?] [$($also:literal)?] [$($h:literal)?] => $op:ident; )*) => {
        &[ $( Row {
            method: $method,
            target: Target::$target,
            query: rows!(@opt $($q)?),
            also: rows!(@opt $($also)?),
            header: rows!(@opt $($h)?),
            op: Operation::$op,
        }, )* ]
    };
    (@opt) => { None };
    (@opt $v:literal) => { Some($v) };
}

/// The table. Query names are declared here and nowhere else.
const ROUTES: &[Row] = rows! {
    "GET" Service [] [] [] => ListBuckets;
    "POST" Service [] [] [] => ServicePost;

    "GET" Bucket ["acl"] [] [] => GetBucketAcl;
    "GET" Bucket ["accelerate"] [] [] => GetBucketAccelerateConfiguration;
    "GET" Bucket ["analytics"] ["id"] [] => GetBucketAnalyticsConfiguration;
    "GET" Bucket ["analytics"] [] [] => ListBucketAnalyticsConfigurations;
    "GET" Bucket ["cors"] [] [] => GetBucketCors;
    "GET" Bucket ["encryption"] [] [] => GetBucketEncryption;
    "GET" Bucket ["intelligent-tiering"] ["id"] [] => GetBucketIntelligentTieringConfiguration;
    "GET" Bucket ["intelligent-tiering"] [] [] => ListBucketIntelligentTieringConfigurations;
    "GET" Bucket ["inventory"] ["id"] [] => GetBucketInventoryConfiguration;
    "GET" Bucket ["inventory"] [] [] => ListBucketInventoryConfigurations;
    "GET" Bucket ["lifecycle"] [] [] => GetBucketLifecycleConfiguration;
    "GET" Bucket ["location"] [] [] => GetBucketLocation;
    "GET" Bucket ["logging"] [] [] => GetBucketLogging;
    "GET" Bucket ["metrics"] ["id"] [] => GetBucketMetricsConfiguration;
    "GET" Bucket ["metrics"] [] [] => ListBucketMetricsConfigurations;
    "GET" Bucket ["notification"] [] [] => GetBucketNotificationConfiguration;
    "GET" Bucket ["object-lock"] [] [] => GetObjectLockConfiguration;
    "GET" Bucket ["ownershipControls"] [] [] => GetBucketOwnershipControls;
    "GET" Bucket ["policyStatus"] [] [] => GetBucketPolicyStatus;
    "GET" Bucket ["policy"] [] [] => GetBucketPolicy;
    "GET" Bucket ["publicAccessBlock"] [] [] => GetPublicAccessBlock;
    "GET" Bucket ["replication"] [] [] => GetBucketReplication;
    "GET" Bucket ["requestPayment"] [] [] => GetBucketRequestPayment;
    "GET" Bucket ["session"] [] [] => CreateSession;
    "GET" Bucket ["tagging"] [] [] => GetBucketTagging;
    "GET" Bucket ["uploads"] [] [] => ListMultipartUploads;
    "GET" Bucket ["versioning"] [] [] => GetBucketVersioning;
    "GET" Bucket ["versions"] [] [] => ListObjectVersions;
    "GET" Bucket ["website"] [] [] => GetBucketWebsite;
    "GET" Bucket ["list-type=2"] [] [] => ListObjectsV2;
    "GET" Bucket [] [] [] => ListObjects;
    "HEAD" Bucket [] [] [] => HeadBucket;

    "PUT" Bucket ["acl"] [] [] => PutBucketAcl;
    "PUT" Bucket ["accelerate"] [] [] => PutBucketAccelerateConfiguration;
    "PUT" Bucket ["analytics"] [] [] => PutBucketAnalyticsConfiguration;
    "PUT" Bucket ["cors"] [] [] => PutBucketCors;
    "PUT" Bucket ["encryption"] [] [] => PutBucketEncryption;
    "PUT" Bucket ["intelligent-tiering"] [] [] => PutBucketIntelligentTieringConfiguration;
    "PUT" Bucket ["inventory"] [] [] => PutBucketInventoryConfiguration;
    "PUT" Bucket ["lifecycle"] [] [] => PutBucketLifecycleConfiguration;
    "PUT" Bucket ["logging"] [] [] => PutBucketLogging;
    "PUT" Bucket ["metrics"] [] [] => PutBucketMetricsConfiguration;
    "PUT" Bucket ["notification"] [] [] => PutBucketNotificationConfiguration;
    "PUT" Bucket ["object-lock"] [] [] => PutObjectLockConfiguration;
    "PUT" Bucket ["ownershipControls"] [] [] => PutBucketOwnershipControls;
    "PUT" Bucket ["policy"] [] [] => PutBucketPolicy;
    "PUT" Bucket ["publicAccessBlock"] [] [] => PutPublicAccessBlock;
    "PUT" Bucket ["replication"] [] [] => PutBucketReplication;
    "PUT" Bucket ["requestPayment"] [] [] => PutBucketRequestPayment;
    "PUT" Bucket ["tagging"] [] [] => PutBucketTagging;
    "PUT" Bucket ["versioning"] [] [] => PutBucketVersioning;
    "PUT" Bucket ["website"] [] [] => PutBucketWebsite;
    "PUT" Bucket [] [] [] => CreateBucket;

    "DELETE" Bucket ["analytics"] [] [] => DeleteBucketAnalyticsConfiguration;
    "DELETE" Bucket ["cors"] [] [] => DeleteBucketCors;
    "DELETE" Bucket ["encryption"] [] [] => DeleteBucketEncryption;
    "DELETE" Bucket ["intelligent-tiering"] [] [] => DeleteBucketIntelligentTieringConfiguration;
    "DELETE" Bucket ["inventory"] [] [] => DeleteBucketInventoryConfiguration;
    "DELETE" Bucket ["lifecycle"] [] [] => DeleteBucketLifecycle;
    "DELETE" Bucket ["metrics"] [] [] => DeleteBucketMetricsConfiguration;
    "DELETE" Bucket ["ownershipControls"] [] [] => DeleteBucketOwnershipControls;
    "DELETE" Bucket ["policy"] [] [] => DeleteBucketPolicy;
    "DELETE" Bucket ["publicAccessBlock"] [] [] => DeletePublicAccessBlock;
    "DELETE" Bucket ["replication"] [] [] => DeleteBucketReplication;
    "DELETE" Bucket ["tagging"] [] [] => DeleteBucketTagging;
    "DELETE" Bucket ["website"] [] [] => DeleteBucketWebsite;
    "DELETE" Bucket [] [] [] => DeleteBucket;

    "POST" Bucket ["delete"] [] [] => DeleteObjects;
    "POST" Bucket [] [] [] => PostObject;

    "GET" Object ["acl"] [] [] => GetObjectAcl;
    "GET" Object ["attributes"] [] [] => GetObjectAttributes;
    "GET" Object ["legal-hold"] [] [] => GetObjectLegalHold;
    "GET" Object ["retention"] [] [] => GetObjectRetention;
    "GET" Object ["tagging"] [] [] => GetObjectTagging;
    "GET" Object ["torrent"] [] [] => GetObjectTorrent;
    "GET" Object ["uploadId"] [] [] => ListParts;
    "GET" Object [] [] [] => GetObject;
    "HEAD" Object [] [] [] => HeadObject;

    "PUT" Object ["acl"] [] [] => PutObjectAcl;
    "PUT" Object ["legal-hold"] [] [] => PutObjectLegalHold;
    "PUT" Object ["retention"] [] [] => PutObjectRetention;
    "PUT" Object ["tagging"] [] [] => PutObjectTagging;
    "PUT" Object ["partNumber"] ["uploadId"] ["x-amz-copy-source"] => UploadPartCopy;
    "PUT" Object ["partNumber"] ["uploadId"] [] => UploadPart;
    "PUT" Object [] [] ["x-amz-copy-source"] => CopyObject;
    "PUT" Object [] [] [] => PutObject;

    "DELETE" Object ["tagging"] [] [] => DeleteObjectTagging;
    "DELETE" Object ["uploadId"] [] [] => AbortMultipartUpload;
    "DELETE" Object [] [] [] => DeleteObject;

    "POST" Object ["uploads"] [] [] => CreateMultipartUpload;
    "POST" Object ["uploadId"] [] [] => CompleteMultipartUpload;
    "POST" Object ["restore"] [] [] => RestoreObject;
    "POST" Object ["select"] [] [] => SelectObjectContent;
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
                && r.query.is_none_or(|q| match q.split_once('=') {
                    Some((name, value)) => query.get(name) == Some(value),
                    None => query.has(q),
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

fn decode(s: &str) -> Result<String, RouteError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| RouteError::InvalidUri)
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
