//! Requests from the S3 API reference's examples, routed.

use super::*;

fn route_of(method: &str, target: &str, headers: &[&str]) -> Result<Route, RouteError> {
    route_host(method, target, headers, Some("s3.amazonaws.com"), None)
}

fn route_host(
    method: &str,
    target: &str,
    headers: &[&str],
    host: Option<&str>,
    domain: Option<&str>,
) -> Result<Route, RouteError> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let has = |h: &str| headers.contains(&h);
    route(
        &RequestLine {
            method,
            host,
            path,
            query,
            has_header: &has,
        },
        domain,
    )
}

fn op(method: &str, target: &str) -> Operation {
    route_of(method, target, &[]).unwrap().op
}

#[test]
fn service_and_bucket_level_examples() {
    assert_eq!(op("GET", "/"), Operation::ListBuckets);
    // The STS and IAM query APIs post their form to the service root.
    assert_eq!(op("POST", "/"), Operation::ServicePost);
    assert_eq!(op("PUT", "/amzn-s3-demo-bucket"), Operation::CreateBucket);
    assert_eq!(op("HEAD", "/amzn-s3-demo-bucket"), Operation::HeadBucket);
    assert_eq!(
        op("DELETE", "/amzn-s3-demo-bucket"),
        Operation::DeleteBucket
    );
    assert_eq!(
        op("GET", "/examplebucket?location"),
        Operation::GetBucketLocation
    );
    assert_eq!(
        op("GET", "/examplebucket?versioning"),
        Operation::GetBucketVersioning
    );
    assert_eq!(
        op("PUT", "/examplebucket?versioning"),
        Operation::PutBucketVersioning
    );
    assert_eq!(
        op(
            "GET",
            "/examplebucket?list-type=2&prefix=photos/2006/&delimiter=/"
        ),
        Operation::ListObjectsV2
    );
    assert_eq!(
        op("GET", "/examplebucket?prefix=N&marker=Ned&max-keys=40"),
        Operation::ListObjects
    );
    assert_eq!(
        op("GET", "/examplebucket?versions&key-marker=key2"),
        Operation::ListObjectVersions
    );
    assert_eq!(
        op("GET", "/examplebucket?uploads&max-uploads=3"),
        Operation::ListMultipartUploads
    );
    assert_eq!(
        op("POST", "/examplebucket?delete"),
        Operation::DeleteObjects
    );
    assert_eq!(
        op("GET", "/examplebucket?tagging"),
        Operation::GetBucketTagging
    );
    assert_eq!(
        op("PUT", "/examplebucket?tagging"),
        Operation::PutBucketTagging
    );
    assert_eq!(
        op("DELETE", "/examplebucket?tagging"),
        Operation::DeleteBucketTagging
    );
    assert_eq!(
        op("GET", "/examplebucket?policy"),
        Operation::GetBucketPolicy
    );
    assert_eq!(
        op("PUT", "/examplebucket?policy"),
        Operation::PutBucketPolicy
    );
    assert_eq!(
        op("DELETE", "/examplebucket?policy"),
        Operation::DeleteBucketPolicy
    );
    assert_eq!(
        op("GET", "/examplebucket?policyStatus"),
        Operation::GetBucketPolicyStatus
    );
}

#[test]
fn object_level_examples() {
    assert_eq!(
        op("PUT", "/examplebucket/my-image.jpg"),
        Operation::PutObject
    );
    assert_eq!(
        op("GET", "/examplebucket/my-image.jpg"),
        Operation::GetObject
    );
    assert_eq!(
        op("HEAD", "/examplebucket/my-image.jpg"),
        Operation::HeadObject
    );
    assert_eq!(
        op(
            "DELETE",
            "/examplebucket/my-image.jpg?versionId=UIORUnfnd89493jJFJ"
        ),
        Operation::DeleteObject
    );
    assert_eq!(
        op("GET", "/examplebucket/my-image.jpg?attributes"),
        Operation::GetObjectAttributes
    );
    assert_eq!(
        op("GET", "/examplebucket/example-object?tagging"),
        Operation::GetObjectTagging
    );
    assert_eq!(
        op("PUT", "/examplebucket/object-key?tagging"),
        Operation::PutObjectTagging
    );
    assert_eq!(
        op("DELETE", "/examplebucket/exampleobject?tagging"),
        Operation::DeleteObjectTagging
    );
    assert_eq!(
        op("POST", "/example-bucket/example-object?uploads"),
        Operation::CreateMultipartUpload
    );
    assert_eq!(
        op("PUT", "/example-bucket/my-movie.m2ts?partNumber=1&uploadId=VCVsb2FkIElEIGZvciBlbZZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZR"),
        Operation::UploadPart
    );
    assert_eq!(op("POST", "/example-bucket/example-object?uploadId=AAAsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIRRwbG9hZA"), Operation::CompleteMultipartUpload);
    assert_eq!(op("DELETE", "/example-bucket/example-object?uploadId=VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZ"), Operation::AbortMultipartUpload);
    assert_eq!(op("GET", "/example-bucket/example-object?uploadId=XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA&max-parts=2&part-number-marker=1"), Operation::ListParts);
}

#[test]
fn copy_source_header_turns_puts_into_copies() {
    let r = route_of(
        "PUT",
        "/examplebucket/my-second-image.jpg",
        &["x-amz-copy-source"],
    )
    .unwrap();
    assert_eq!(r.op, Operation::CopyObject);
    let r = route_of(
        "PUT",
        "/examplebucket/example-object?partNumber=2&uploadId=VCVsb2FkIElEIGZvciBlbZZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZR",
        &["x-amz-copy-source"],
    )
    .unwrap();
    assert_eq!(r.op, Operation::UploadPartCopy);
    assert_eq!(r.query.get("partNumber"), Some("2"));
}

#[test]
fn options_on_a_bucket_or_an_object_is_a_preflight_answered_without_keys() {
    for target in [
        "/examplebucket",
        "/examplebucket/a/b.txt",
        "/examplebucket?cors",
    ] {
        let got = op("OPTIONS", target);
        assert_eq!(got, Operation::PreflightRequest, "{target}");
        assert!(got.is_supported() && got.is_unauthenticated());
    }
    assert!(!Operation::PutBucketCors.is_unauthenticated());
    assert_eq!(
        route_of("OPTIONS", "/", &[]),
        Err(RouteError::MethodNotAllowed)
    );
}

#[test]
fn unsupported_operations_are_routed_and_marked() {
    for (m, t, expected) in [
        ("GET", "/examplebucket?website", Operation::GetBucketWebsite),
        (
            "POST",
            "/examplebucket/my.csv?select&select-type=2",
            Operation::SelectObjectContent,
        ),
    ] {
        let got = op(m, t);
        assert_eq!(got, expected, "{m} {t}");
        assert!(!got.is_supported(), "{m} {t}");
    }
    let restore = op("POST", "/examplebucket/photo.jpg?restore&versionId=1");
    assert_eq!(restore, Operation::RestoreObject);
    assert!(restore.is_supported());
}

#[test]
fn every_operation_names_an_iam_action() {
    use crate::s3::action_table::base_action;
    let action = |op| base_action(op, false);
    assert_eq!(action(Operation::GetObject), Some("s3:GetObject"));
    assert_eq!(action(Operation::HeadObject), Some("s3:GetObject"));
    assert_eq!(action(Operation::ListObjectsV2), Some("s3:ListBucket"));
    assert_eq!(action(Operation::ListBuckets), Some("s3:ListAllMyBuckets"));
    assert_eq!(
        action(Operation::AbortMultipartUpload),
        Some("s3:AbortMultipartUpload")
    );
    // S3's actions; the form posts to the service root name theirs (STS, IAM) in the body,
    // and a CORS preflight is never authorized.
    assert!(ROUTES.iter().all(|r| match action(r.op) {
        Some(a) => a.starts_with("s3"),
        None => matches!(r.op, Operation::ServicePost | Operation::PreflightRequest),
    }));
    assert_eq!(action(Operation::ServicePost), None);
}

#[test]
fn keys_are_percent_decoded_and_keep_their_slashes() {
    let r = route_of("GET", "/b/photos/2006/Jan%20one/sample%2Bplus.jpg", &[]).unwrap();
    assert_eq!(r.bucket.as_deref(), Some("b"));
    assert_eq!(
        r.key.as_deref(),
        Some("photos/2006/Jan one/sample+plus.jpg")
    );
    let r = route_of("GET", "/b//leading/../dots", &[]).unwrap();
    assert_eq!(r.key.as_deref(), Some("/leading/../dots"));
    let r = route_of("GET", "/b/", &[]).unwrap();
    assert_eq!(r.op, Operation::ListObjects);
    assert_eq!(r.key, None);
}

#[test]
fn query_values_are_decoded() {
    let r = route_of(
        "GET",
        "/b?list-type=2&prefix=a%2Fb+c&continuation-token=x%3D%3D",
        &[],
    )
    .unwrap();
    assert_eq!(r.query.get("prefix"), Some("a/b c"));
    assert_eq!(r.query.get("continuation-token"), Some("x=="));
}

#[test]
fn virtual_host_style_takes_the_bucket_from_host() {
    let r = route_host(
        "GET",
        "/puppy.jpg",
        &[],
        Some("my-bucket.s3.local:9000"),
        Some("s3.local"),
    )
    .unwrap();
    assert_eq!(r.op, Operation::GetObject);
    assert_eq!(r.bucket.as_deref(), Some("my-bucket"));
    assert_eq!(r.key.as_deref(), Some("puppy.jpg"));
    let r = route_host(
        "GET",
        "/?list-type=2",
        &[],
        Some("my-bucket.s3.local"),
        Some("s3.local"),
    )
    .unwrap();
    assert_eq!(r.op, Operation::ListObjectsV2);
    // The bare domain is path style.
    let r = route_host(
        "GET",
        "/my-bucket/k",
        &[],
        Some("s3.local:9000"),
        Some("s3.local"),
    )
    .unwrap();
    assert_eq!(r.bucket.as_deref(), Some("my-bucket"));
    // Without --domain, the host is ignored.
    let r = route_host("GET", "/", &[], Some("my-bucket.s3.local"), None).unwrap();
    assert_eq!(r.op, Operation::ListBuckets);
}

#[test]
fn bad_names_are_refused_with_their_reason() {
    assert!(matches!(
        route_of("PUT", "/Bad_Bucket", &[]),
        Err(RouteError::Name(NameError::InvalidBucketName(_)))
    ));
    assert!(matches!(
        route_of("PUT", "/strata", &[]),
        Err(RouteError::Name(NameError::InvalidBucketName(_)))
    ));
    assert!(matches!(
        route_of("PUT", "/192.168.5.4", &[]),
        Err(RouteError::Name(NameError::InvalidBucketName(_)))
    ));
    let long = format!("/b/{}", "k".repeat(1025));
    assert_eq!(
        route_of("PUT", &long, &[]),
        Err(RouteError::Name(NameError::KeyTooLong))
    );
    let ok = format!("/b/{}", "k".repeat(1024));
    assert!(route_of("PUT", &ok, &[]).is_ok());
    assert!(matches!(
        route_of("PUT", "/b/a%00b", &[]),
        Err(RouteError::Name(NameError::InvalidKey(_)))
    ));
    assert_eq!(route_of("GET", "/b/%FF", &[]), Err(RouteError::InvalidUri));
}

#[test]
fn methods_without_a_row_are_not_allowed() {
    assert_eq!(
        route_of("DELETE", "/", &[]),
        Err(RouteError::MethodNotAllowed)
    );
    assert_eq!(
        route_of("PATCH", "/b/k", &[]),
        Err(RouteError::MethodNotAllowed)
    );
    assert_eq!(
        route_of("POST", "/b/k", &[]),
        Err(RouteError::MethodNotAllowed)
    );
}

#[test]
fn route_head_refuses_an_oversized_head_before_routing() {
    let head = |value: &str, query: &str| {
        let (parts, ()) = http::Request::put(format!("/b/k{query}"))
            .header("host", "localhost")
            .header("x-padding", value)
            .body(())
            .unwrap()
            .into_parts();
        parts
    };
    let fits = head(&"v".repeat(1024), "");
    assert_eq!(route_head(&fits, None).unwrap().op, Operation::PutObject);
    let big = route_head(&head(&"v".repeat(MAX_HEAD_BYTES), ""), None).unwrap_err();
    assert_eq!(
        big,
        RouteError::HeadTooLarge {
            max: MAX_HEAD_BYTES
        }
    );
    let query = format!("?x={}", "q".repeat(MAX_HEAD_BYTES));
    let long_query = route_head(&head("v", &query), None).unwrap_err();
    assert_eq!(
        long_query,
        RouteError::HeadTooLarge {
            max: MAX_HEAD_BYTES
        }
    );
}

#[test]
fn acl_ownership_and_public_access_block_routes_are_supported() {
    for (m, t, expected) in [
        ("GET", "/examplebucket?acl", Operation::GetBucketAcl),
        ("PUT", "/examplebucket?acl", Operation::PutBucketAcl),
        ("GET", "/examplebucket/k?acl", Operation::GetObjectAcl),
        ("PUT", "/examplebucket/k?acl", Operation::PutObjectAcl),
        (
            "DELETE",
            "/examplebucket?ownershipControls",
            Operation::DeleteBucketOwnershipControls,
        ),
        (
            "PUT",
            "/examplebucket?publicAccessBlock",
            Operation::PutPublicAccessBlock,
        ),
    ] {
        let got = op(m, t);
        assert_eq!(got, expected, "{m} {t}");
        assert!(got.is_supported(), "{m} {t}");
    }
}
