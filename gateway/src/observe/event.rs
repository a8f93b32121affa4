//! What one request was, as observers see it.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use crate::auth::Principal;
use crate::s3::error::Code;
use crate::s3::operation::Operation;
use crate::s3::response::{Removal, Written};

/// The client's end of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peer {
    /// The client's address (`None` on a Unix socket).
    pub addr: Option<SocketAddr>,
    /// The TLS session, on the HTTPS listener.
    pub tls: Option<TlsInfo>,
    /// The trusted proxy (`--trusted-proxies`) the request came through; `addr` is then the
    /// client its `X-Forwarded-For` names.
    pub proxy: Option<SocketAddr>,
    /// Whether that proxy says the client's connection is HTTPS (`X-Forwarded-Proto`).
    pub forwarded_https: bool,
}

impl Peer {
    /// Whether the client's connection is HTTPS: to strata, or to a trusted proxy.
    pub fn is_secure(&self) -> bool {
        self.tls.is_some() || self.forwarded_https
    }

    /// Whether secrets may travel on this connection: HTTPS, a loopback address (a sidecar's
    /// own pod), or a Unix socket.
    pub fn is_confidential(&self) -> bool {
        self.is_secure()
            || self
                .addr
                .is_none_or(|a| a.ip().to_canonical().is_loopback())
    }
}

/// What a request's TLS session was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// Protocol version, e.g. `TLSv1_3`.
    pub version: String,
    /// Cipher suite.
    pub cipher: String,
}

/// One request, from its head to its last byte.
#[derive(Debug, Clone)]
pub struct RequestEvent {
    /// `x-amz-request-id`, also in the response and the log.
    pub request_id: String,
    /// `x-amz-id-2`.
    pub host_id: String,
    /// When the head was read.
    pub started: SystemTime,
    /// Head read to answer written.
    pub duration: Duration,
    /// HTTP method.
    pub method: http::Method,
    /// Raw path (percent-encoded, without the query).
    pub path: String,
    /// The S3 operation, once routed (`None` for strata's own endpoints and unroutable ones).
    pub op: Option<Operation>,
    /// Bucket addressed.
    pub bucket: Option<String>,
    /// Key addressed.
    pub key: Option<String>,
    /// The object version: the request's `versionId`, else the `x-amz-version-id` answered.
    pub version_id: Option<String>,
    /// The last stage of the stack the request entered; on an error, the one that refused it.
    pub stage: Stage,
    /// Who the request acted as, once authenticated.
    pub principal: Option<Principal>,
    /// Status sent; `None` when the connection failed before the answer was complete.
    pub status: Option<u16>,
    /// The S3 error answered, if any.
    pub error: Option<Code>,
    /// Why access was refused, when it was (`S3Error::denial`).
    pub denial: Option<&'static str>,
    /// Request body bytes read off the connection.
    pub bytes_in: u64,
    /// Response body bytes written.
    pub bytes_out: u64,
    /// The client.
    pub peer: Peer,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// What a DeleteObject or DeleteObjects removed, as its handler reported it.
    pub removed: Vec<Removal>,
    /// The version a write made (size and ETag), as its handler reported it.
    pub written: Option<Written>,
    /// How the object written or read is encrypted, as the answer says: `AES256`,
    /// `aws:kms` or `SSE-C`.
    pub sse: Option<&'static str>,
    /// The KMS key of an SSE-KMS object, as the answer names it.
    pub kms_key_id: Option<String>,
    /// The remote tier the object's bytes were read from or written to (a read-through, a
    /// write naming a tier's class), or whose failure the error is.
    pub tier: Option<String>,
}

/// The stages of the request stack, in order (`server::stack`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// strata's own endpoints (health, admin, metrics).
    Internal,
    /// The concurrency limit.
    Admission,
    /// Parsing the head into an operation.
    Route,
    /// Checking the signature.
    Authenticate,
    /// Checking what the principal may do.
    Authorize,
    /// Refusing what strata does not do, and checking sizes.
    Refusal,
    /// The operation's handler (reading the body included).
    Handler,
}

impl Stage {
    /// Lower-case name, as in metric labels and audit events.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Internal => "internal",
            Stage::Admission => "admission",
            Stage::Route => "route",
            Stage::Authenticate => "authenticate",
            Stage::Authorize => "authorize",
            Stage::Refusal => "refusal",
            Stage::Handler => "handler",
        }
    }
}
