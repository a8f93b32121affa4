//! The admin routing table: every row reachable, unknown paths 404, wrong methods 405.

use super::*;
use crate::s3::error::Code;

#[test]
fn every_row_routes_to_itself() {
    for e in ENDPOINTS {
        let path = format!("{PREFIX}{}", e.path);
        assert!(addresses(&path), "{path}");
        let routed = route(e.method, &path).unwrap_or_else(|err| panic!("{path}: {err}"));
        assert_eq!(routed.op, e.op);
        assert_eq!(routed.action, e.action);
    }
}

#[test]
fn every_row_is_an_admin_operation_with_a_strata_action_and_a_path_of_its_own() {
    for (i, e) in ENDPOINTS.iter().enumerate() {
        assert!(e.op.is_admin(), "{:?}", e.op);
        assert!(e.op.name().starts_with("Admin"), "{:?}", e.op);
        assert!(e.action.starts_with("strata:"), "{}", e.action);
        assert!(
            ENDPOINTS[i + 1..]
                .iter()
                .all(|o| (o.method, o.path) != (e.method, e.path) && o.op != e.op),
            "{} {} twice",
            e.method,
            e.path
        );
    }
}

#[test]
fn the_endpoints_of_now_have_their_actions() {
    let shutdown = route("POST", "/strata/admin/shutdown").unwrap();
    assert_eq!(shutdown.op, crate::s3::Operation::AdminShutdown);
    assert_eq!(shutdown.action, "strata:Shutdown");
    let status = route("GET", "/strata/admin/status").unwrap();
    assert_eq!(status.op, crate::s3::Operation::AdminGetStatus);
    assert_eq!(status.action, "strata:GetStatus");
    let start = route("POST", "/strata/admin/reseal").unwrap();
    assert_eq!(start.op, crate::s3::Operation::AdminStartReseal);
    assert_eq!(start.action, "strata:StartReseal");
    let progress = route("GET", "/strata/admin/reseal").unwrap();
    assert_eq!(progress.op, crate::s3::Operation::AdminGetResealStatus);
    assert_eq!(progress.action, "strata:GetResealStatus");
    let err = route("DELETE", "/strata/admin/reseal").err().unwrap();
    assert_eq!((err.code, err.status()), (Code::MethodNotAllowed, 405));
}

#[test]
fn unknown_admin_paths_are_not_found_and_name_the_endpoints() {
    for path in [
        "/strata/admin",
        "/strata/admin/",
        "/strata/admin/nope",
        "/strata/admin/status/",
        "/strata/admin/Status",
        "/strata/admin/shutdown/now",
    ] {
        assert!(addresses(path), "{path}");
        let err = route("GET", path).err().unwrap_or_else(|| panic!("{path}"));
        assert_eq!((err.code, err.status()), (Code::NoSuchKey, 404), "{path}");
        assert!(
            err.message.contains("GET /strata/admin/status"),
            "{}",
            err.message
        );
    }
}

#[test]
fn a_known_path_with_another_method_is_method_not_allowed() {
    for (method, path) in [
        ("GET", "/strata/admin/shutdown"),
        ("PUT", "/strata/admin/shutdown"),
        ("POST", "/strata/admin/status"),
        ("DELETE", "/strata/admin/status"),
    ] {
        let err = route(method, path)
            .err()
            .unwrap_or_else(|| panic!("{path}"));
        assert_eq!(
            (err.code, err.status()),
            (Code::MethodNotAllowed, 405),
            "{method} {path}"
        );
    }
}

#[test]
fn only_the_admin_prefix_is_addressed() {
    for path in [
        "/strata",
        "/strata/",
        "/strata/adminx",
        "/strata/health/ready",
        "/bkt/strata/admin/status",
    ] {
        assert!(!addresses(path), "{path}");
    }
}

#[test]
fn the_kms_key_endpoints_name_a_key_except_the_list() {
    for (method, path, action, call) in [
        ("GET", "kms/key/list", "strata:ListKmsKeys", KmsCall::List),
        (
            "GET",
            "kms/key/status",
            "strata:GetKmsKeyStatus",
            KmsCall::Status,
        ),
        (
            "POST",
            "kms/key/create",
            "strata:CreateKmsKey",
            KmsCall::Create,
        ),
        (
            "POST",
            "kms/key/rotate",
            "strata:RotateKmsKey",
            KmsCall::Rotate,
        ),
    ] {
        let e = route(method, &format!("{PREFIX}{path}")).unwrap();
        assert_eq!(e.action, action);
        assert!(matches!(e.handler, Handler::Kms(c) if c == call), "{path}");
        assert_eq!(e.params.contains(&KEY_ID), call.names_key(), "{path}");
    }
}

#[test]
fn query_parameters_an_endpoint_does_not_take_are_refused() {
    let parse = |raw: &str| crate::s3::query::Query::parse(raw).unwrap();
    let rotate = route("POST", "/strata/admin/kms/key/rotate").unwrap();
    assert!(check_params(rotate, &parse("key-id=app")).is_ok());
    // A presigned URL's parameters are authentication's, in any case.
    let presigned = "key-id=app&X-Amz-Signature=ab&x-amz-date=1&X-Amz-Credential=c";
    assert!(check_params(rotate, &parse(presigned)).is_ok());
    let status = route("GET", "/strata/admin/status").unwrap();
    for raw in ["key-id=app", "verbose", "x-am=1", "é=1"] {
        let err = check_params(status, &parse(raw)).err().unwrap();
        assert_eq!(
            (err.code, err.status()),
            (Code::InvalidArgument, 400),
            "{raw}"
        );
    }
    let err = check_params(rotate, &parse("key-id=app&force=true"))
        .err()
        .unwrap();
    assert!(err.message.contains("force"), "{}", err.message);
}
