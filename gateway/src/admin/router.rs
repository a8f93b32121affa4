//! The admin routing table. Adding an endpoint is one row here and its handler.

use super::server::AdminServer;
use super::{reseal, shutdown, status};
use crate::s3::error::{Code, S3Error};
use crate::s3::operation::Operation;
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
    /// What answers it.
    pub handler: fn(&AdminServer) -> Result<Response, S3Error>,
}

/// The table.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "POST",
        path: "shutdown",
        op: Operation::AdminShutdown,
        action: "strata:Shutdown",
        handler: shutdown::shutdown,
    },
    Endpoint {
        method: "GET",
        path: "status",
        op: Operation::AdminGetStatus,
        action: "strata:GetStatus",
        handler: status::get_status,
    },
    Endpoint {
        method: "POST",
        path: "reseal",
        op: Operation::AdminStartReseal,
        action: "strata:StartReseal",
        handler: reseal::start_reseal,
    },
    Endpoint {
        method: "GET",
        path: "reseal",
        op: Operation::AdminGetResealStatus,
        action: "strata:GetResealStatus",
        handler: reseal::get_reseal_status,
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
