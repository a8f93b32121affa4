//! The admin routing table. Adding an endpoint is one row here and its handler.

use super::kms::KmsCall;
use super::maintenance::{MaintenanceCall, HEAL_PARAMS, SCAN_PARAMS};
use super::server::AdminServer;
use super::session_keys::SessionKeyCall;
use super::{reseal, shutdown, status};
use crate::s3::error::{Code, S3Error};
use crate::s3::operation::Operation;
use crate::s3::query::Query;
use crate::s3::response::Response;

/// Every admin path starts with this.
pub const PREFIX: &str = "/strata/admin/";

/// One admin endpoint.
pub struct Endpoint {
    /// The HTTP method it answers.
    pub method: &'static str,
    /// The path after [`PREFIX`].
    pub path: &'static str,
    /// The operation audit events and metrics name it by.
    pub op: Operation,
    /// The IAM action a caller needs, on `arn:aws:strata:::admin`.
    pub action: &'static str,
    /// The query parameters it takes (besides a presigned URL's `X-Amz-*`); any other is
    /// refused.
    pub params: &'static [&'static str],
    /// What answers it.
    pub handler: Handler,
}

/// How an endpoint is answered.
#[derive(Clone, Copy)]
pub enum Handler {
    /// At once, from the server's state.
    Now(fn(&AdminServer) -> Result<Response, S3Error>),
    /// By a call to the KMS (`admin::kms`).
    Kms(KmsCall),
    /// By the healer or the scanner (`admin::maintenance`).
    Maintenance(MaintenanceCall),
    /// With the STS session keys (`admin::session_keys`).
    SessionKeys(SessionKeyCall),
}

/// The query parameter naming a KMS key.
pub const KEY_ID: &str = "key-id";

/// The table.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "POST",
        path: "shutdown",
        op: Operation::AdminShutdown,
        action: "strata:Shutdown",
        params: &[],
        handler: Handler::Now(shutdown::shutdown),
    },
    Endpoint {
        method: "GET",
        path: "status",
        op: Operation::AdminGetStatus,
        action: "strata:GetStatus",
        params: &[],
        handler: Handler::Now(status::get_status),
    },
    Endpoint {
        method: "POST",
        path: "reseal",
        op: Operation::AdminStartReseal,
        action: "strata:StartReseal",
        params: &[],
        handler: Handler::Now(reseal::start_reseal),
    },
    Endpoint {
        method: "GET",
        path: "reseal",
        op: Operation::AdminGetResealStatus,
        action: "strata:GetResealStatus",
        params: &[],
        handler: Handler::Now(reseal::get_reseal_status),
    },
    Endpoint {
        method: "GET",
        path: "kms/key/list",
        op: Operation::AdminListKmsKeys,
        action: "strata:ListKmsKeys",
        params: &[],
        handler: Handler::Kms(KmsCall::List),
    },
    Endpoint {
        method: "GET",
        path: "kms/key/status",
        op: Operation::AdminGetKmsKeyStatus,
        action: "strata:GetKmsKeyStatus",
        params: &[KEY_ID],
        handler: Handler::Kms(KmsCall::Status),
    },
    Endpoint {
        method: "POST",
        path: "kms/key/create",
        op: Operation::AdminCreateKmsKey,
        action: "strata:CreateKmsKey",
        params: &[KEY_ID],
        handler: Handler::Kms(KmsCall::Create),
    },
    Endpoint {
        method: "POST",
        path: "kms/key/rotate",
        op: Operation::AdminRotateKmsKey,
        action: "strata:RotateKmsKey",
        params: &[KEY_ID],
        handler: Handler::Kms(KmsCall::Rotate),
    },
    Endpoint {
        method: "GET",
        path: "heal",
        op: Operation::AdminGetHealStatus,
        action: "strata:GetHealStatus",
        params: &[],
        handler: Handler::Maintenance(MaintenanceCall::Status),
    },
    Endpoint {
        method: "POST",
        path: "heal",
        op: Operation::AdminHealObject,
        action: "strata:HealObject",
        params: HEAL_PARAMS,
        handler: Handler::Maintenance(MaintenanceCall::HealObject),
    },
    Endpoint {
        method: "POST",
        path: "scan",
        op: Operation::AdminStartScan,
        action: "strata:StartScan",
        params: SCAN_PARAMS,
        handler: Handler::Maintenance(MaintenanceCall::StartScan),
    },
    Endpoint {
        method: "GET",
        path: "sts/keys",
        op: Operation::AdminListSessionKeys,
        action: "strata:ListSessionKeys",
        params: &[],
        handler: Handler::SessionKeys(SessionKeyCall::List),
    },
    Endpoint {
        method: "POST",
        path: "sts/keys/rotate",
        op: Operation::AdminRotateSessionKey,
        action: "strata:RotateSessionKey",
        params: &[],
        handler: Handler::SessionKeys(SessionKeyCall::Rotate),
    },
];

/// Whether `path` (raw, as the request line has it) is the admin API's.
pub fn addresses(path: &str) -> bool {
    path.starts_with(PREFIX) || path == PREFIX.trim_end_matches('/')
}

/// The endpoint of `method path`: `NoSuchKey` (404) for a path the table does not have,
/// `MethodNotAllowed` (405) for a known path asked with another method.
pub fn route(method: &str, path: &str) -> Result<&'static Endpoint, S3Error> {
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    let mut known = ENDPOINTS.iter().filter(|e| e.path == rest).peekable();
    if known.peek().is_none() {
        let names: Vec<String> = ENDPOINTS
            .iter()
            .map(|e| format!("{} {PREFIX}{}", e.method, e.path))
            .collect();
        return Err(Code::NoSuchKey.with(format!(
            "no such admin endpoint: {path}; the admin endpoints are: {}",
            names.join(", ")
        )));
    }
    known.find(|e| e.method == method).ok_or_else(|| {
        Code::MethodNotAllowed.with(format!(
            "the specified method is not allowed against {path}"
        ))
    })
}

/// Refuses a query parameter `endpoint` does not take, so that none is quietly ignored (a
/// presigned URL's `X-Amz-*` are authentication's).
pub fn check_params(endpoint: &Endpoint, query: &Query) -> Result<(), S3Error> {
    for (name, _) in query.pairs() {
        let presigning = name
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"));
        if !presigning && !endpoint.params.contains(&name.as_str()) {
            return Err(Code::InvalidArgument.with(format!(
                "{PREFIX}{} takes no query parameter {name}",
                endpoint.path
            )));
        }
    }
    Ok(())
}
