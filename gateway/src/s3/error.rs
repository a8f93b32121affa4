//! The one place where failures become S3 errors: code, HTTP status, extra headers and the
//! XML error document. Volume errors, authentication errors and the gateway's own all pass
//! through here and nowhere else.

use bytes::Bytes;
use strata_volume::Error as VolumeError;

use super::names::NameError;
use super::router::RouteError;
use super::xml::{to_xml, ErrorDoc, XmlError};
use crate::auth::AuthError;

/// S3 error codes the gateway produces itself, each with its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    AccessDenied,
    BadDigest,
    BadRequest,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    EntityTooLarge,
    EntityTooSmall,
    IllegalVersioningConfigurationException,
    IncompleteBody,
    InternalError,
    InvalidArgument,
    InvalidBucketName,
    InvalidDigest,
    InvalidPart,
    InvalidPartOrder,
    InvalidRange,
    InvalidRequest,
    InvalidStorageClass,
    InvalidTag,
    InvalidURI,
    KeyTooLongError,
    MalformedPolicy,
    MalformedXML,
    MethodNotAllowed,
    MissingContentLength,
    NoSuchBucket,
    NoSuchBucketPolicy,
    NoSuchKey,
    NoSuchTagSet,
    NoSuchUpload,
    NoSuchVersion,
    NotImplemented,
    NotModified,
    PreconditionFailed,
    RequestHeaderSectionTooLarge,
    ServiceUnavailable,
}

impl Code {
    /// The wire code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::AccessDenied => "AccessDenied",
            Code::BadDigest => "BadDigest",
            Code::BadRequest => "BadRequest",
            Code::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            Code::BucketNotEmpty => "BucketNotEmpty",
            Code::EntityTooLarge => "EntityTooLarge",
            Code::EntityTooSmall => "EntityTooSmall",
            Code::IllegalVersioningConfigurationException => {
                "IllegalVersioningConfigurationException"
            }
            Code::IncompleteBody => "IncompleteBody",
            Code::InternalError => "InternalError",
            Code::InvalidArgument => "InvalidArgument",
            Code::InvalidBucketName => "InvalidBucketName",
            Code::InvalidDigest => "InvalidDigest",
            Code::InvalidPart => "InvalidPart",
            Code::InvalidPartOrder => "InvalidPartOrder",
            Code::InvalidRange => "InvalidRange",
            Code::InvalidRequest => "InvalidRequest",
            Code::InvalidStorageClass => "InvalidStorageClass",
            Code::InvalidTag => "InvalidTag",
            Code::InvalidURI => "InvalidURI",
            Code::KeyTooLongError => "KeyTooLongError",
            Code::MalformedPolicy => "MalformedPolicy",
            Code::MalformedXML => "MalformedXML",
            Code::MethodNotAllowed => "MethodNotAllowed",
            Code::MissingContentLength => "MissingContentLength",
            Code::NoSuchBucket => "NoSuchBucket",
            Code::NoSuchBucketPolicy => "NoSuchBucketPolicy",
            Code::NoSuchKey => "NoSuchKey",
            Code::NoSuchTagSet => "NoSuchTagSet",
            Code::NoSuchUpload => "NoSuchUpload",
            Code::NoSuchVersion => "NoSuchVersion",
            Code::NotImplemented => "NotImplemented",
            Code::NotModified => "NotModified",
            Code::PreconditionFailed => "PreconditionFailed",
            Code::RequestHeaderSectionTooLarge => "RequestHeaderSectionTooLarge",
            Code::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    /// The HTTP status S3 answers with.
    pub fn status(self) -> u16 {
        match self {
            Code::NotModified => 304,
            Code::AccessDenied => 403,
            Code::NoSuchBucket
            | Code::NoSuchBucketPolicy
            | Code::NoSuchKey
            | Code::NoSuchTagSet
            | Code::NoSuchUpload
            | Code::NoSuchVersion => 404,
            Code::MethodNotAllowed => 405,
            Code::BucketAlreadyOwnedByYou | Code::BucketNotEmpty => 409,
            Code::MissingContentLength => 411,
            Code::PreconditionFailed => 412,
            Code::InvalidRange => 416,
            Code::InternalError => 500,
            Code::NotImplemented => 501,
            Code::ServiceUnavailable => 503,
            _ => 400,
        }
    }

    /// An error of this code with a message.
    pub fn with(self, message: impl Into<String>) -> S3Error {
        S3Error {
            code: self.as_str(),
            status: self.status(),
            message: message.into(),
            headers: Vec::new(),
        }
    }
}

/// A failed request as S3 reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct S3Error {
    /// S3 error code.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Human-readable message.
    pub message: String,
    /// Extra response headers (e.g. `x-amz-delete-marker` on a hidden key).
    pub headers: Vec<(&'static str, String)>,
}

impl S3Error {
    /// Adds a response header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The XML error document. HEAD responses and 304 carry no body; the caller decides.
    pub fn to_document(&self, resource: &str, request_id: &str) -> Bytes {
        let doc = ErrorDoc {
            Code: self.code.to_string(),
            Message: self.message.clone(),
            Resource: Some(resource.to_string()),
            RequestId: request_id.to_string(),
        };
        // A failure to write the error document itself leaves an empty body, never a panic.
        to_xml(&doc).unwrap_or_default()
    }

    /// Whether this is the store's fault (logged as an error, not a client mistake).
    pub fn is_server_error(&self) -> bool {
        self.status >= 500
    }
}

impl From<AuthError> for S3Error {
    fn from(e: AuthError) -> Self {
        S3Error {
            code: e.s3_code(),
            status: e.http_status(),
            message: e.to_string(),
            headers: Vec::new(),
        }
    }
}

impl From<RouteError> for S3Error {
    fn from(e: RouteError) -> Self {
        match e {
            RouteError::MethodNotAllowed => Code::MethodNotAllowed.with(e.to_string()),
            RouteError::InvalidUri => Code::InvalidURI.with(e.to_string()),
            RouteError::Name(n) => n.into(),
        }
    }
}

impl From<NameError> for S3Error {
    fn from(e: NameError) -> Self {
        let code = match e {
            NameError::InvalidBucketName(_) => Code::InvalidBucketName,
            NameError::KeyTooLong => Code::KeyTooLongError,
            NameError::InvalidKey(_) => Code::InvalidArgument,
        };
        code.with(e.to_string())
    }
}

impl From<XmlError> for S3Error {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Malformed(_) => Code::MalformedXML.with(e.to_string()),
            XmlError::Serialize(_) => Code::InternalError.with(e.to_string()),
        }
    }
}

/// Failures of a request body that the gateway raises itself while streaming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The client went away or the connection broke mid-body.
    #[error("the request body ended early: {0}")]
    Truncated(String),
    /// The body is longer than the operation accepts.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(u64),
    /// An `x-amz-checksum-*` value does not match the body.
    #[error("the {0} you specified did not match the calculated checksum")]
    ChecksumMismatch(&'static str),
}

impl From<BodyError> for S3Error {
    fn from(e: BodyError) -> Self {
        let code = match e {
            BodyError::Truncated(_) => Code::IncompleteBody,
            BodyError::TooLarge(_) => Code::EntityTooLarge,
            BodyError::ChecksumMismatch(_) => Code::BadDigest,
        };
        code.with(e.to_string())
    }
}

/// Finds the gateway error carried inside a boxed error from a body stream or body check.
fn from_cause(e: &(dyn std::error::Error + 'static)) -> Option<S3Error> {
    if let Some(a) = e.downcast_ref::<AuthError>() {
        return Some(a.clone().into());
    }
    if let Some(b) = e.downcast_ref::<BodyError>() {
        return Some(b.clone().into());
    }
    if let Some(s) = e.downcast_ref::<S3Error>() {
        return Some(s.clone());
    }
    None
}

impl From<std::io::Error> for S3Error {
    fn from(e: std::io::Error) -> Self {
        if let Some(s) = e.get_ref().and_then(|inner| from_cause(inner)) {
            return s;
        }
        // A copy's source read failing inside the destination's write.
        if e.get_ref().is_some_and(|inner| inner.is::<VolumeError>()) {
            let msg = e.to_string();
            return match e.into_inner().map(|inner| inner.downcast::<VolumeError>()) {
                Some(Ok(v)) => (*v).into(),
                _ => Code::InternalError.with(msg),
            };
        }
        match e.kind() {
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe => Code::IncompleteBody.with(e.to_string()),
            _ => Code::InternalError.with(e.to_string()),
        }
    }
}

impl From<VolumeError> for S3Error {
    fn from(e: VolumeError) -> Self {
        let msg = e.to_string();
        match e {
            VolumeError::NoSuchBucket => Code::NoSuchBucket.with(msg),
            VolumeError::BucketAlreadyOwnedByYou => Code::BucketAlreadyOwnedByYou.with(msg),
            VolumeError::BucketNotEmpty => Code::BucketNotEmpty.with(msg),
            VolumeError::NoSuchKey {
                delete_marker_version,
            } => with_marker(Code::NoSuchKey.with(msg), delete_marker_version),
            VolumeError::NoSuchVersion => Code::NoSuchVersion.with(msg),
            VolumeError::MethodNotAllowed {
                delete_marker_version,
            } => with_marker(Code::MethodNotAllowed.with(msg), delete_marker_version),
            VolumeError::NoSuchUpload => Code::NoSuchUpload.with(msg),
            VolumeError::InvalidPart(_) => Code::InvalidPart.with(msg),
            VolumeError::InvalidPartOrder => Code::InvalidPartOrder.with(msg),
            VolumeError::EntityTooSmall => Code::EntityTooSmall.with(msg),
            VolumeError::InvalidRange { size } => Code::InvalidRange
                .with(msg)
                .header("content-range", format!("bytes */{size}")),
            VolumeError::PreconditionFailed => Code::PreconditionFailed.with(msg),
            VolumeError::InvalidBucketName(_) => Code::InvalidBucketName.with(msg),
            VolumeError::KeyTooLong => Code::KeyTooLongError.with(msg),
            VolumeError::InvalidKey(_) | VolumeError::InvalidArgument(_) => {
                Code::InvalidArgument.with(msg)
            }
            VolumeError::InvalidStorageClass(_) => Code::InvalidStorageClass.with(msg),
            VolumeError::IncompleteBody { .. } => Code::IncompleteBody.with(msg),
            VolumeError::BadDigest => Code::BadDigest.with(msg),
            VolumeError::Body(io) => io.into(),
            VolumeError::BodyRejected(inner) => {
                from_cause(inner.as_ref()).unwrap_or_else(|| Code::BadDigest.with(msg))
            }
            VolumeError::InsufficientWriteQuorum { .. }
            | VolumeError::InsufficientReadQuorum { .. } => Code::ServiceUnavailable.with(msg),
            _ => Code::InternalError.with(msg),
        }
    }
}

/// S3 tells clients when a delete marker hides the key.
fn with_marker(e: S3Error, marker: Option<String>) -> S3Error {
    match marker {
        Some(v) => e
            .header("x-amz-delete-marker", "true")
            .header("x-amz-version-id", v),
        None => e,
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
