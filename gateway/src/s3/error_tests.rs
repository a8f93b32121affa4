use super::*;

#[test]
fn volume_errors_map_to_s3_codes_and_statuses() {
    let cases: Vec<(VolumeError, &str, u16)> = vec![
        (VolumeError::NoSuchBucket, "NoSuchBucket", 404),
        (
            VolumeError::BucketAlreadyOwnedByYou,
            "BucketAlreadyOwnedByYou",
            409,
        ),
        (VolumeError::BucketNotEmpty, "BucketNotEmpty", 409),
        (
            VolumeError::NoSuchKey {
                delete_marker_version: None,
            },
            "NoSuchKey",
            404,
        ),
        (VolumeError::NoSuchVersion, "NoSuchVersion", 404),
        (VolumeError::NoSuchUpload, "NoSuchUpload", 404),
        (VolumeError::InvalidPart("x".into()), "InvalidPart", 400),
        (VolumeError::InvalidPartOrder, "InvalidPartOrder", 400),
        (VolumeError::EntityTooSmall, "EntityTooSmall", 400),
        (VolumeError::InvalidRange { size: 10 }, "InvalidRange", 416),
        (VolumeError::PreconditionFailed, "PreconditionFailed", 412),
        (VolumeError::KeyTooLong, "KeyTooLongError", 400),
        (
            VolumeError::InvalidStorageClass("X".into()),
            "InvalidStorageClass",
            400,
        ),
        (
            VolumeError::IncompleteBody {
                expected: 5,
                got: 3,
            },
            "IncompleteBody",
            400,
        ),
        (VolumeError::BadDigest, "BadDigest", 400),
        (VolumeError::Corrupt("x".into()), "InternalError", 500),
        (
            VolumeError::InsufficientWriteQuorum {
                class: "fast".into(),
                succeeded: 1,
                needed: 3,
            },
            "ServiceUnavailable",
            503,
        ),
    ];
    for (e, code, status) in cases {
        let s: S3Error = e.into();
        assert_eq!((s.code, s.status), (code, status));
    }
}

#[test]
fn a_hidden_key_reports_its_delete_marker() {
    let s: S3Error = VolumeError::NoSuchKey {
        delete_marker_version: Some("v1".into()),
    }
    .into();
    assert!(s.headers.contains(&("x-amz-delete-marker", "true".into())));
    assert!(s.headers.contains(&("x-amz-version-id", "v1".into())));
    let s: S3Error = VolumeError::MethodNotAllowed {
        delete_marker_version: Some("v2".into()),
    }
    .into();
    assert_eq!((s.code, s.status), ("MethodNotAllowed", 405));
}

#[test]
fn body_stream_errors_keep_their_auth_code() {
    let io = std::io::Error::other(AuthError::SignatureDoesNotMatch);
    let s: S3Error = VolumeError::Body(io).into();
    assert_eq!((s.code, s.status), ("SignatureDoesNotMatch", 403));
    let io = std::io::Error::other(BodyError::Truncated("eof".into()));
    let s: S3Error = VolumeError::Body(io).into();
    assert_eq!((s.code, s.status), ("IncompleteBody", 400));
    let s: S3Error =
        VolumeError::BodyRejected(Box::new(BodyError::ChecksumMismatch("CRC32"))).into();
    assert_eq!((s.code, s.status), ("BadDigest", 400));
    let s: S3Error = VolumeError::BodyRejected(Box::new(AuthError::BadDigest("CRC32C"))).into();
    assert_eq!(s.code, "BadDigest");
}

#[test]
fn router_and_xml_errors_map() {
    let s: S3Error = RouteError::Name(NameError::KeyTooLong).into();
    assert_eq!((s.code, s.status), ("KeyTooLongError", 400));
    let s: S3Error = RouteError::MethodNotAllowed.into();
    assert_eq!(s.status, 405);
    let s: S3Error = XmlError::Malformed("x".into()).into();
    assert_eq!((s.code, s.status), ("MalformedXML", 400));
}

#[test]
fn error_document_names_code_resource_and_request_id() {
    let doc = Code::NoSuchKey
        .with("The specified key does not exist.")
        .to_document("/b/k", "REQ1");
    let text = String::from_utf8(doc.to_vec()).unwrap();
    assert!(text.contains("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>/b/k</Resource><RequestId>REQ1</RequestId></Error>"), "{text}");
}
