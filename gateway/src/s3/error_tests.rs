//! Every error that reaches the wire, with the S3 code and status it answers. The mapping
//! itself is exhaustive (a new variant does not compile without one); these tables state it.

use std::path::PathBuf;

use strata_volume::IndexError;

use super::*;

fn answer(e: impl Into<S3Error>) -> (&'static str, u16) {
    let s: S3Error = e.into();
    (s.code.as_str(), s.status())
}

#[test]
fn every_code_has_its_status_and_its_name_on_the_wire() {
    for code in Code::ALL {
        let status = code.status();
        assert!(
            matches!(status, 304 | 400..=416 | 500 | 501 | 503 | 507),
            "{code:?} {status}"
        );
        assert!(!code.as_str().is_empty());
    }
    assert_eq!(Code::SlowDown.status(), 503);
    // Not 503: SDKs retry that, and a full disk does not empty itself.
    assert_eq!(Code::XStrataStorageFull.status(), 507);
    assert_eq!(
        Code::XAmzContentSHA256Mismatch.as_str(),
        "XAmzContentSHA256Mismatch"
    );
    assert_eq!(Code::MissingContentLength.status(), 411);
    assert_eq!(Code::InvalidRange.status(), 416);
}

#[test]
fn every_authentication_error_maps_to_its_s3_code_and_status() {
    let table: Vec<(AuthError, &str, u16)> = vec![
        (AuthError::AccessDenied("anonymous"), "AccessDenied", 403),
        (AuthError::RequestExpired, "AccessDenied", 403),
        (AuthError::RequestNotYetValid, "AccessDenied", 403),
        (
            AuthError::UnsignedHeaders("x-amz-acl".into()),
            "AccessDenied",
            403,
        ),
        (AuthError::InvalidAccessKeyId, "InvalidAccessKeyId", 403),
        (
            AuthError::SignatureDoesNotMatch,
            "SignatureDoesNotMatch",
            403,
        ),
        (AuthError::RequestTimeTooSkewed, "RequestTimeTooSkewed", 403),
        (
            AuthError::AuthorizationHeaderMalformed(String::new()),
            "AuthorizationHeaderMalformed",
            400,
        ),
        (
            AuthError::AuthorizationQueryParametersError(String::new()),
            "AuthorizationQueryParametersError",
            400,
        ),
        (AuthError::InvalidToken, "InvalidToken", 400),
        (AuthError::ExpiredToken, "ExpiredToken", 400),
        (
            AuthError::MissingSecurityHeader("x-amz-date"),
            "MissingSecurityHeader",
            400,
        ),
        (
            AuthError::XAmzContentSha256Mismatch,
            "XAmzContentSHA256Mismatch",
            400,
        ),
        (AuthError::InvalidDigest, "InvalidDigest", 400),
        (AuthError::BadDigest("CRC32"), "BadDigest", 400),
        (AuthError::IncompleteBody, "IncompleteBody", 400),
        (AuthError::MissingContentLength, "MissingContentLength", 411),
        (
            AuthError::InvalidArgument(String::new()),
            "InvalidArgument",
            400,
        ),
        (
            AuthError::InvalidRequest(String::new()),
            "InvalidRequest",
            400,
        ),
        (AuthError::NotImplemented("x"), "NotImplemented", 501),
    ];
    for (err, code, status) in table {
        assert_eq!(answer(err.clone()), (code, status), "{err:?}");
    }
}

#[test]
fn every_volume_error_maps_to_its_s3_code_and_status() {
    let table: Vec<(VolumeError, &str, u16)> = vec![
        (Refusal::NoSuchBucket.into(), "NoSuchBucket", 404),
        (
            Refusal::BucketAlreadyOwnedByYou.into(),
            "BucketAlreadyOwnedByYou",
            409,
        ),
        (Refusal::BucketNotEmpty.into(), "BucketNotEmpty", 409),
        (
            Refusal::NoSuchKey {
                delete_marker_version: None,
            }
            .into(),
            "NoSuchKey",
            404,
        ),
        (Refusal::NoSuchVersion.into(), "NoSuchVersion", 404),
        (
            Refusal::MethodNotAllowed {
                delete_marker_version: None,
            }
            .into(),
            "MethodNotAllowed",
            405,
        ),
        (Refusal::NoSuchUpload.into(), "NoSuchUpload", 404),
        (Refusal::InvalidPart("x".into()).into(), "InvalidPart", 400),
        (Refusal::InvalidPartOrder.into(), "InvalidPartOrder", 400),
        (Refusal::EntityTooSmall.into(), "EntityTooSmall", 400),
        (
            Refusal::EntityTooLarge { size: 9, max: 8 }.into(),
            "EntityTooLarge",
            400,
        ),
        (
            Refusal::InvalidRange { size: 10 }.into(),
            "InvalidRange",
            416,
        ),
        (
            Refusal::InvalidPartNumber { part: 3, parts: 2 }.into(),
            "InvalidPart",
            400,
        ),
        (
            Refusal::PreconditionFailed.into(),
            "PreconditionFailed",
            412,
        ),
        (
            Invalid::BucketName("x".into()).into(),
            "InvalidBucketName",
            400,
        ),
        (Invalid::KeyTooLong.into(), "KeyTooLongError", 400),
        (Invalid::Key("x".into()).into(), "InvalidArgument", 400),
        (
            Invalid::StorageClass("X".into()).into(),
            "InvalidStorageClass",
            400,
        ),
        (Invalid::Argument("x".into()).into(), "InvalidArgument", 400),
        (
            Invalid::BodyLength {
                expected: 5,
                got: 3,
            }
            .into(),
            "IncompleteBody",
            400,
        ),
        (
            Unavailable::WriteQuorum {
                class: "fast".into(),
                succeeded: 1,
                needed: 3,
            }
            .into(),
            "ServiceUnavailable",
            503,
        ),
        (
            Unavailable::ReadQuorum {
                class: "fast".into(),
                available: 1,
                needed: 2,
            }
            .into(),
            "ServiceUnavailable",
            503,
        ),
        (
            Unavailable::StorageFull {
                class: "fast".into(),
                full: 2,
                succeeded: 2,
                needed: 3,
            }
            .into(),
            "XStrataStorageFull",
            507,
        ),
        (Fault::Corrupt("x".into()).into(), "InternalError", 500),
        (
            Fault::Io {
                path: PathBuf::from("/v"),
                source: std::io::Error::other("disk"),
            }
            .into(),
            "InternalError",
            500,
        ),
        (
            Fault::Index {
                path: PathBuf::from("/v/meta.redb"),
                source: IndexError::PreviousIo,
            }
            .into(),
            "InternalError",
            500,
        ),
        (
            Fault::Format {
                path: PathBuf::from("/v"),
                reason: "x".into(),
            }
            .into(),
            "InternalError",
            500,
        ),
        (Fault::Config("x".into()).into(), "InternalError", 500),
        (Fault::Internal("x".into()).into(), "InternalError", 500),
    ];
    for (err, code, status) in table {
        let text = format!("{err:?}");
        assert_eq!(answer(err), (code, status), "{text}");
    }
}

#[test]
fn a_range_outside_the_object_names_its_size() {
    let s: S3Error = Refusal::InvalidRange { size: 10 }.into();
    assert!(s.headers.contains(&("content-range", "bytes */10".into())));
}

#[test]
fn a_hidden_key_reports_its_delete_marker() {
    let s: S3Error = Refusal::NoSuchKey {
        delete_marker_version: Some("v1".into()),
    }
    .into();
    assert!(s.headers.contains(&("x-amz-delete-marker", "true".into())));
    assert!(s.headers.contains(&("x-amz-version-id", "v1".into())));
    let s: S3Error = Refusal::MethodNotAllowed {
        delete_marker_version: Some("v2".into()),
    }
    .into();
    assert_eq!((s.code, s.status()), (Code::MethodNotAllowed, 405));
    assert!(s.headers.contains(&("x-amz-version-id", "v2".into())));
}

#[test]
fn body_route_xml_and_transform_errors_map() {
    let table: Vec<(S3Error, &str, u16)> = vec![
        (
            BodyError::Verify(AuthError::SignatureDoesNotMatch).into(),
            "SignatureDoesNotMatch",
            403,
        ),
        (
            BodyError::Truncated("eof".into()).into(),
            "IncompleteBody",
            400,
        ),
        (BodyError::TooLarge(10).into(), "EntityTooLarge", 400),
        (BodyError::Empty.into(), "MalformedXML", 400),
        (BodyError::Unfinished.into(), "InternalError", 500),
        (RouteError::MethodNotAllowed.into(), "MethodNotAllowed", 405),
        (RouteError::InvalidUri.into(), "InvalidURI", 400),
        (
            RouteError::HeadTooLarge { max: 1 }.into(),
            "RequestHeaderSectionTooLarge",
            400,
        ),
        (
            RouteError::Name(NameError::KeyTooLong).into(),
            "KeyTooLongError",
            400,
        ),
        (
            NameError::InvalidBucketName("x".into()).into(),
            "InvalidBucketName",
            400,
        ),
        (NameError::InvalidKey("x").into(), "InvalidArgument", 400),
        (XmlError::Malformed("x".into()).into(), "MalformedXML", 400),
        (XmlError::Serialize("x".into()).into(), "InternalError", 500),
        (
            TransformError::Unsupported("sse".into()).into(),
            "NotImplemented",
            501,
        ),
        (
            TransformError::Invalid("x".into()).into(),
            "InvalidRequest",
            400,
        ),
        (
            TransformError::Damaged("x".into()).into(),
            "InternalError",
            500,
        ),
    ];
    for (err, code, status) in table {
        assert_eq!((err.code.as_str(), err.status()), (code, status), "{err:?}");
    }
}

#[test]
fn wrapped_errors_keep_the_answer_of_what_they_wrap() {
    // A body failure inside a store write, inside a transform's stream.
    let nested: WriteError<TransformedError<BodyError>> = WriteError::Body(
        TransformedError::Source(BodyError::Verify(AuthError::BadDigest("CRC32C"))),
    );
    assert_eq!(answer(nested), ("BadDigest", 400));
    let store: WriteError<BodyError> = WriteError::Store(Refusal::NoSuchBucket.into());
    assert_eq!(answer(store), ("NoSuchBucket", 404));
    let codec: TransformedError<VolumeError> = TransformError::Damaged("x".into()).into();
    assert_eq!(answer(codec), ("InternalError", 500));
}

#[test]
fn error_document_names_code_resource_and_request_id() {
    let doc = Code::NoSuchKey
        .with("The specified key does not exist.")
        .to_document("/b/k", "REQ1");
    let text = String::from_utf8(doc.to_vec()).unwrap();
    assert!(text.contains("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>/b/k</Resource><RequestId>REQ1</RequestId></Error>"), "{text}");
}
