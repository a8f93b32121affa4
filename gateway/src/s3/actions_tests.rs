//! Requests, routed by the real router, and the actions AWS authorizes them with.

use std::collections::HashSet;

use super::*;
use crate::s3::error::Code;
use crate::s3::router::route_head;

fn routed(method: &str, target: &str, headers: &[(&str, &str)]) -> (Route, HeaderMap) {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", "s3.amazonaws.com");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let (head, ()) = builder.body(()).unwrap().into_parts();
    let route = route_head(&head, None).unwrap();
    (route, head.headers)
}

/// Each need as `action arn` (`-` for no resource), `?` in front of a need that applies only
/// when the copy source has tags, and `deferred X` for what the operation checks itself.
fn render(needs: &RequiredActions<'_>) -> Vec<String> {
    let mut out: Vec<String> = needs
        .iter()
        .map(|n| {
            let when = match n.when {
                When::Always => "",
                When::SourceHasTags => "?",
            };
            let arn = n.resource.as_ref().map_or("-".to_string(), Resource::arn);
            format!("{when}{} {arn}", n.action)
        })
        .collect();
    if let Some(d) = needs.deferred() {
        out.push(format!("deferred {d:?}"));
    }
    out
}

type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

const B: &str = "arn:aws:s3:::bkt";
const COPY: (&str, &str) = ("x-amz-copy-source", "/src/photos/a.jpg");
const COPY_VERSION: (&str, &str) = ("x-amz-copy-source", "src/photos/a.jpg?versionId=v1");

/// (method, target, headers) -> needs. Every operation appears at least once.
const ROWS: &[Row] = &[
    // service
    ("GET", "/", &[], &["s3:ListAllMyBuckets -"]),
    ("POST", "/", &[], &["deferred FormAction"]),
    // a CORS preflight is answered from the bucket's rules, never authorized
    ("OPTIONS", "/bkt/k", &[], &[]),
    // bucket reads
    (
        "GET",
        "/bkt?acl",
        &[],
        &["s3:GetBucketAcl arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?accelerate",
        &[],
        &["s3:GetAccelerateConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?analytics&id=a",
        &[],
        &["s3:GetAnalyticsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?analytics",
        &[],
        &["s3:GetAnalyticsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?cors",
        &[],
        &["s3:GetBucketCORS arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?encryption",
        &[],
        &["s3:GetEncryptionConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?intelligent-tiering&id=a",
        &[],
        &["s3:GetIntelligentTieringConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?intelligent-tiering",
        &[],
        &["s3:GetIntelligentTieringConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?inventory&id=a",
        &[],
        &["s3:GetInventoryConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?inventory",
        &[],
        &["s3:GetInventoryConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?lifecycle",
        &[],
        &["s3:GetLifecycleConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?location",
        &[],
        &["s3:GetBucketLocation arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?logging",
        &[],
        &["s3:GetBucketLogging arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?metrics&id=a",
        &[],
        &["s3:GetMetricsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?metrics",
        &[],
        &["s3:GetMetricsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?notification",
        &[],
        &["s3:GetBucketNotification arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?object-lock",
        &[],
        &["s3:GetBucketObjectLockConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?ownershipControls",
        &[],
        &["s3:GetBucketOwnershipControls arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?policyStatus",
        &[],
        &["s3:GetBucketPolicyStatus arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?policy",
        &[],
        &["s3:GetBucketPolicy arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?publicAccessBlock",
        &[],
        &["s3:GetBucketPublicAccessBlock arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?replication",
        &[],
        &["s3:GetReplicationConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?requestPayment",
        &[],
        &["s3:GetBucketRequestPayment arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?session",
        &[],
        &["s3express:CreateSession arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?tagging",
        &[],
        &["s3:GetBucketTagging arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?uploads",
        &[],
        &["s3:ListBucketMultipartUploads arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?versioning",
        &[],
        &["s3:GetBucketVersioning arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?versions&prefix=a",
        &[],
        &["s3:ListBucketVersions arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?website",
        &[],
        &["s3:GetBucketWebsite arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?list-type=2&prefix=a/",
        &[],
        &["s3:ListBucket arn:aws:s3:::bkt"],
    ),
    (
        "GET",
        "/bkt?prefix=a/&max-keys=2",
        &[],
        &["s3:ListBucket arn:aws:s3:::bkt"],
    ),
    ("HEAD", "/bkt", &[], &["s3:ListBucket arn:aws:s3:::bkt"]),
    // bucket writes
    (
        "PUT",
        "/bkt?acl",
        &[],
        &["s3:PutBucketAcl arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?accelerate",
        &[],
        &["s3:PutAccelerateConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?analytics&id=a",
        &[],
        &["s3:PutAnalyticsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?cors",
        &[],
        &["s3:PutBucketCORS arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?encryption",
        &[],
        &["s3:PutEncryptionConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?intelligent-tiering&id=a",
        &[],
        &["s3:PutIntelligentTieringConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?inventory&id=a",
        &[],
        &["s3:PutInventoryConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?lifecycle",
        &[],
        &["s3:PutLifecycleConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?logging",
        &[],
        &["s3:PutBucketLogging arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?metrics&id=a",
        &[],
        &["s3:PutMetricsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?notification",
        &[],
        &["s3:PutBucketNotification arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?object-lock",
        &[],
        &["s3:PutBucketObjectLockConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?ownershipControls",
        &[],
        &["s3:PutBucketOwnershipControls arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?policy",
        &[],
        &["s3:PutBucketPolicy arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?publicAccessBlock",
        &[],
        &["s3:PutBucketPublicAccessBlock arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?replication",
        &[],
        &["s3:PutReplicationConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?requestPayment",
        &[],
        &["s3:PutBucketRequestPayment arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?tagging",
        &[],
        &["s3:PutBucketTagging arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?versioning",
        &[],
        &["s3:PutBucketVersioning arn:aws:s3:::bkt"],
    ),
    (
        "PUT",
        "/bkt?website",
        &[],
        &["s3:PutBucketWebsite arn:aws:s3:::bkt"],
    ),
    ("PUT", "/bkt", &[], &["s3:CreateBucket arn:aws:s3:::bkt"]),
    (
        "PUT",
        "/bkt",
        &[
            ("x-amz-acl", "private"),
            ("x-amz-bucket-object-lock-enabled", "True"),
            ("x-amz-object-ownership", "BucketOwnerEnforced"),
        ],
        &[
            "s3:CreateBucket arn:aws:s3:::bkt",
            "s3:PutBucketAcl arn:aws:s3:::bkt",
            "s3:PutBucketObjectLockConfiguration arn:aws:s3:::bkt",
            "s3:PutBucketVersioning arn:aws:s3:::bkt",
            "s3:PutBucketOwnershipControls arn:aws:s3:::bkt",
        ],
    ),
    (
        "PUT",
        "/bkt",
        &[("x-amz-grant-full-control", "id=abc")],
        &[
            "s3:CreateBucket arn:aws:s3:::bkt",
            "s3:PutBucketAcl arn:aws:s3:::bkt",
        ],
    ),
    // a delete conditioned on the ETag reads the object; on any object (`*`), not
    (
        "DELETE",
        "/bkt/k",
        &[("if-match", "\"e\"")],
        &[
            "s3:DeleteObject arn:aws:s3:::bkt/k",
            "s3:GetObject arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "DELETE",
        "/bkt/k",
        &[("if-match", "*")],
        &["s3:DeleteObject arn:aws:s3:::bkt/k"],
    ),
    // bucket deletes: most are the Put action of the configuration
    (
        "DELETE",
        "/bkt?analytics&id=a",
        &[],
        &["s3:PutAnalyticsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?cors",
        &[],
        &["s3:PutBucketCORS arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?encryption",
        &[],
        &["s3:PutEncryptionConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?intelligent-tiering&id=a",
        &[],
        &["s3:PutIntelligentTieringConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?inventory&id=a",
        &[],
        &["s3:PutInventoryConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?lifecycle",
        &[],
        &["s3:PutLifecycleConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?metrics&id=a",
        &[],
        &["s3:PutMetricsConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?ownershipControls",
        &[],
        &["s3:PutBucketOwnershipControls arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?policy",
        &[],
        &["s3:DeleteBucketPolicy arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?publicAccessBlock",
        &[],
        &["s3:PutBucketPublicAccessBlock arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?replication",
        &[],
        &["s3:PutReplicationConfiguration arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?tagging",
        &[],
        &["s3:PutBucketTagging arn:aws:s3:::bkt"],
    ),
    (
        "DELETE",
        "/bkt?website",
        &[],
        &["s3:DeleteBucketWebsite arn:aws:s3:::bkt"],
    ),
    ("DELETE", "/bkt", &[], &["s3:DeleteBucket arn:aws:s3:::bkt"]),
    // decided inside the operation
    ("POST", "/bkt?delete", &[], &["deferred DeletedObjects"]),
    ("POST", "/bkt", &[], &["deferred FormKey"]),
    // object reads, plain and of a named version
    ("GET", "/bkt/k", &[], &["s3:GetObject arn:aws:s3:::bkt/k"]),
    (
        "GET",
        "/bkt/k?versionId=v1",
        &[],
        &["s3:GetObjectVersion arn:aws:s3:::bkt/k"],
    ),
    ("HEAD", "/bkt/k", &[], &["s3:GetObject arn:aws:s3:::bkt/k"]),
    (
        "HEAD",
        "/bkt/k?versionId=v1",
        &[],
        &["s3:GetObjectVersion arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/dir/a%20b.txt",
        &[],
        &["s3:GetObject arn:aws:s3:::bkt/dir/a b.txt"],
    ),
    (
        "GET",
        "/bkt/k?acl",
        &[],
        &["s3:GetObjectAcl arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?acl&versionId=v1",
        &[],
        &["s3:GetObjectVersionAcl arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?attributes",
        &[],
        &[
            "s3:GetObjectAttributes arn:aws:s3:::bkt/k",
            "s3:GetObject arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "GET",
        "/bkt/k?attributes&versionId=v1",
        &[],
        &[
            "s3:GetObjectVersionAttributes arn:aws:s3:::bkt/k",
            "s3:GetObjectVersion arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "GET",
        "/bkt/k?legal-hold",
        &[],
        &["s3:GetObjectLegalHold arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?retention",
        &[],
        &["s3:GetObjectRetention arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?tagging",
        &[],
        &["s3:GetObjectTagging arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?tagging&versionId=v1",
        &[],
        &["s3:GetObjectVersionTagging arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?torrent",
        &[],
        &["s3:GetObjectTorrent arn:aws:s3:::bkt/k"],
    ),
    (
        "GET",
        "/bkt/k?uploadId=u",
        &[],
        &["s3:ListMultipartUploadParts arn:aws:s3:::bkt/k"],
    ),
    // object writes
    ("PUT", "/bkt/k", &[], &["s3:PutObject arn:aws:s3:::bkt/k"]),
    (
        "PUT",
        "/bkt/k",
        &[
            ("x-amz-tagging", "a=1"),
            ("x-amz-acl", "private"),
            ("x-amz-object-lock-mode", "GOVERNANCE"),
            (
                "x-amz-object-lock-retain-until-date",
                "2030-01-01T00:00:00Z",
            ),
            ("x-amz-object-lock-legal-hold", "ON"),
        ],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:PutObjectTagging arn:aws:s3:::bkt/k",
            "s3:PutObjectAcl arn:aws:s3:::bkt/k",
            "s3:PutObjectRetention arn:aws:s3:::bkt/k",
            "s3:PutObjectLegalHold arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "PUT",
        "/bkt/k",
        &[("x-amz-grant-read", "id=abc")],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:PutObjectAcl arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "PUT",
        "/bkt/k",
        &[(
            "x-amz-object-lock-retain-until-date",
            "2030-01-01T00:00:00Z",
        )],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:PutObjectRetention arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "PUT",
        "/bkt/k?acl",
        &[],
        &["s3:PutObjectAcl arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?acl&versionId=v1",
        &[],
        &["s3:PutObjectVersionAcl arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?legal-hold",
        &[],
        &["s3:PutObjectLegalHold arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?retention",
        &[],
        &["s3:PutObjectRetention arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?retention",
        &[("x-amz-bypass-governance-retention", "true")],
        &[
            "s3:PutObjectRetention arn:aws:s3:::bkt/k",
            "s3:BypassGovernanceRetention arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "PUT",
        "/bkt/k?tagging",
        &[],
        &["s3:PutObjectTagging arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?tagging&versionId=v1",
        &[],
        &["s3:PutObjectVersionTagging arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?partNumber=1&uploadId=u",
        &[],
        &["s3:PutObject arn:aws:s3:::bkt/k"],
    ),
    (
        "PUT",
        "/bkt/k?partNumber=1&uploadId=u",
        &[COPY],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:GetObject arn:aws:s3:::src/photos/a.jpg",
        ],
    ),
    (
        "PUT",
        "/bkt/k?partNumber=1&uploadId=u",
        &[COPY_VERSION],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:GetObjectVersion arn:aws:s3:::src/photos/a.jpg",
        ],
    ),
    // copies: read the source (and its tags, when copied and there are any), write the target
    (
        "PUT",
        "/bkt/k",
        &[COPY],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:GetObject arn:aws:s3:::src/photos/a.jpg",
            "?s3:GetObjectTagging arn:aws:s3:::src/photos/a.jpg",
        ],
    ),
    (
        "PUT",
        "/bkt/k",
        &[COPY_VERSION, ("x-amz-tagging-directive", "COPY")],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:GetObjectVersion arn:aws:s3:::src/photos/a.jpg",
            "?s3:GetObjectVersionTagging arn:aws:s3:::src/photos/a.jpg",
        ],
    ),
    (
        "PUT",
        "/bkt/k",
        &[
            ("x-amz-copy-source", "src/a%20b%2Bc.jpg"),
            ("x-amz-tagging-directive", "REPLACE"),
            ("x-amz-tagging", "a=1"),
            ("x-amz-acl", "private"),
        ],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:GetObject arn:aws:s3:::src/a b+c.jpg",
            "s3:PutObjectTagging arn:aws:s3:::bkt/k",
            "s3:PutObjectAcl arn:aws:s3:::bkt/k",
        ],
    ),
    // deletes
    (
        "DELETE",
        "/bkt/k",
        &[],
        &["s3:DeleteObject arn:aws:s3:::bkt/k"],
    ),
    (
        "DELETE",
        "/bkt/k?versionId=v1",
        &[],
        &["s3:DeleteObjectVersion arn:aws:s3:::bkt/k"],
    ),
    (
        "DELETE",
        "/bkt/k?versionId=v1",
        &[("x-amz-bypass-governance-retention", "TRUE")],
        &[
            "s3:DeleteObjectVersion arn:aws:s3:::bkt/k",
            "s3:BypassGovernanceRetention arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "DELETE",
        "/bkt/k",
        &[("x-amz-bypass-governance-retention", "false")],
        &["s3:DeleteObject arn:aws:s3:::bkt/k"],
    ),
    (
        "DELETE",
        "/bkt/k?tagging",
        &[],
        &["s3:DeleteObjectTagging arn:aws:s3:::bkt/k"],
    ),
    (
        "DELETE",
        "/bkt/k?tagging&versionId=v1",
        &[],
        &["s3:DeleteObjectVersionTagging arn:aws:s3:::bkt/k"],
    ),
    (
        "DELETE",
        "/bkt/k?uploadId=u",
        &[],
        &["s3:AbortMultipartUpload arn:aws:s3:::bkt/k"],
    ),
    // multipart and the rest
    (
        "POST",
        "/bkt/k?uploads",
        &[],
        &["s3:PutObject arn:aws:s3:::bkt/k"],
    ),
    (
        "POST",
        "/bkt/k?uploads",
        &[("x-amz-tagging", "a=1")],
        &[
            "s3:PutObject arn:aws:s3:::bkt/k",
            "s3:PutObjectTagging arn:aws:s3:::bkt/k",
        ],
    ),
    (
        "POST",
        "/bkt/k?uploadId=u",
        &[],
        &["s3:PutObject arn:aws:s3:::bkt/k"],
    ),
    (
        "POST",
        "/bkt/k?restore",
        &[],
        &["s3:RestoreObject arn:aws:s3:::bkt/k"],
    ),
    (
        "POST",
        "/bkt/k?select&select-type=2",
        &[],
        &["s3:GetObject arn:aws:s3:::bkt/k"],
    ),
];

#[test]
fn each_request_needs_what_aws_authorizes_it_with() {
    for (method, target, headers, expected) in ROWS {
        let (route, headers) = routed(method, target, headers);
        let needs = required_actions(&route, &headers).unwrap();
        assert_eq!(
            render(&needs),
            *expected,
            "{method} {target} ({:?})",
            route.op
        );
    }
}

#[test]
fn the_table_covers_every_operation() {
    let covered: HashSet<Operation> = ROWS
        .iter()
        .map(|(method, target, headers, _)| routed(method, target, headers).0.op)
        .collect();
    // The admin endpoints are not S3 requests: `admin::router`'s tests cover them.
    let missing: Vec<_> = Operation::ALL
        .iter()
        .filter(|op| !op.is_admin() && !covered.contains(op))
        .collect();
    assert!(missing.is_empty(), "no row for {missing:?}");
}

#[test]
fn no_request_spills_out_of_the_inline_list() {
    for (method, target, headers, _) in ROWS {
        let (route, headers) = routed(method, target, headers);
        let needs = required_actions(&route, &headers).unwrap();
        assert!(needs.spilled.is_empty(), "{method} {target}");
    }
}

#[test]
fn a_list_longer_than_the_inline_one_is_kept_whole() {
    let mut needs = RequiredActions::default();
    for _ in 0..INLINE_NEEDS + 2 {
        needs.push("s3:GetObject", None, When::Always);
    }
    assert_eq!(needs.len(), INLINE_NEEDS + 2);
    assert_eq!(needs.iter().count(), INLINE_NEEDS + 2);
}

#[test]
fn only_unconditional_needs_are_checked_up_front() {
    let (route, headers) = routed("PUT", "/bkt/k", &[COPY]);
    let needs = required_actions(&route, &headers).unwrap();
    let up_front: Vec<_> = needs.up_front().map(|n| n.action).collect();
    assert_eq!(up_front, ["s3:PutObject", "s3:GetObject"]);
    assert_eq!(needs.len(), 3);
}

#[test]
fn an_unreadable_copy_source_is_refused_as_the_copy_would_refuse_it() {
    for source in [
        "nobucketkey",
        "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k",
        "/bkt/k?versionId=",
    ] {
        let (route, headers) = routed("PUT", "/bkt/k", &[("x-amz-copy-source", source)]);
        let err = required_actions(&route, &headers).unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{source}");
    }
}

#[test]
fn each_deleted_object_is_checked_as_its_own_delete() {
    let plain = HeaderMap::new();
    let needs = deleted_object_needs("bkt", "k", None, None, &plain);
    assert_eq!(render(&needs), ["s3:DeleteObject arn:aws:s3:::bkt/k"]);
    // Conditioned on its ETag, the entry reads the object too; on any object (`*`), not.
    let needs = deleted_object_needs("bkt", "k", None, Some("\"e\""), &plain);
    assert_eq!(
        render(&needs),
        [
            "s3:DeleteObject arn:aws:s3:::bkt/k",
            "s3:GetObject arn:aws:s3:::bkt/k"
        ]
    );
    let needs = deleted_object_needs("bkt", "k", None, Some("*"), &plain);
    assert_eq!(render(&needs), ["s3:DeleteObject arn:aws:s3:::bkt/k"]);
    let needs = deleted_object_needs("bkt", "k", Some("v1"), None, &plain);
    assert_eq!(
        render(&needs),
        ["s3:DeleteObjectVersion arn:aws:s3:::bkt/k"]
    );
    let mut bypass = HeaderMap::new();
    bypass.insert("x-amz-bypass-governance-retention", "true".parse().unwrap());
    let needs = deleted_object_needs("bkt", "k", Some("v1"), None, &bypass);
    assert_eq!(
        render(&needs),
        [
            "s3:DeleteObjectVersion arn:aws:s3:::bkt/k",
            "s3:BypassGovernanceRetention arn:aws:s3:::bkt/k"
        ]
    );
    assert_eq!(deleted_object_action(None), "s3:DeleteObject");
    assert_eq!(deleted_object_action(Some("v")), "s3:DeleteObjectVersion");
}

#[test]
fn resources_render_as_s3_arns() {
    assert_eq!(Resource::bucket("bkt").arn(), B);
    assert_eq!(
        Resource::object("bkt", "a/b c.txt").arn(),
        "arn:aws:s3:::bkt/a/b c.txt"
    );
}
