//! The one place where failures become S3 errors: code, HTTP status, extra headers and the
//! XML error document. Every error type that can reach the wire (authentication, routing,
//! names, XML, request bodies, transforms, the volume engine) is mapped here by exhaustive
//! matches: a new variant anywhere does not compile until it has its S3 answer.

use bytes::Bytes;
use strata_volume::{Error as VolumeError, Fault, Invalid, Refusal, Unavailable, WriteError};

use super::body::BodyError;
use super::names::NameError;
use super::router::RouteError;
use super::xml::{to_xml, ErrorDoc, XmlError};
use crate::auth::AuthError;
use crate::iam::IamError;
use crate::notify::RuleError;
use crate::transform::{TransformError, TransformedError};

macro_rules! codes {
    (@wire $code:ident) => { stringify!($code) };
    (@wire $code:ident $wire:literal) => { $wire };
    ($( $(#[$doc:meta])* $code:ident $(as $wire:literal)? => $status:literal, )*) => {
        /// Every S3 error code strata answers with, each with its HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$doc])* $code, )*
        }

        impl Code {
            /// Every code, for tests and documentation.
            pub const ALL: &'static [Code] = &[ $( Code::$code, )* ];

            /// The wire code.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$code => codes!(@wire $code $($wire)?), )* }
            }

            /// The HTTP status S3 answers with.
            pub fn status(self) -> u16 {
                match self { $( Code::$code => $status, )* }
            }
        }
    };
}

codes! {
    /// Refused by policy (or nothing signed).
    AccessDenied => 403,
    /// A CORS preflight that the bucket's rules (or their absence) do not allow.
    AccessForbidden => 403,
    /// An ACL other than private on a bucket whose owner enforces ownership.
    AccessControlListNotSupported => 400,
    /// The `Authorization` header cannot be parsed or names a wrong scope.
    AuthorizationHeaderMalformed => 400,
    /// The presigned URL's `X-Amz-*` parameters are missing or malformed.
    AuthorizationQueryParametersError => 400,
    /// The body does not match its `Content-MD5` or checksum.
    BadDigest => 400,
    /// The request head does not parse.
    BadRequest => 400,
    /// CreateBucket of a name another account holds.
    BucketAlreadyExists => 409,
    /// CreateBucket of a bucket the caller's account owns.
    BucketAlreadyOwnedByYou => 409,
    /// DeleteBucket of a bucket with objects.
    BucketNotEmpty => 409,
    /// IAM: the entity still has what must be removed first (keys, policies, members).
    DeleteConflict => 409,
    /// IAM: an entity of that name exists.
    EntityAlreadyExists => 409,
    /// A body larger than the operation takes.
    EntityTooLarge => 400,
    /// A part (not the last) below the minimum part size.
    EntityTooSmall => 400,
    /// The temporary credential has expired.
    ExpiredToken => 400,
    /// STS: the web-identity token has expired.
    ExpiredTokenException => 400,
    /// STS: the identity provider's keys could not be fetched.
    IDPCommunicationError => 400,
    /// STS: the identity provider's token was refused by the role's trust.
    IDPRejectedClaim => 403,
    /// A versioning document S3 refuses.
    IllegalVersioningConfigurationException => 400,
    /// The body ended before its announced length.
    IncompleteBody => 400,
    /// strata failed.
    InternalError => 500,
    /// No credential has this access key.
    InvalidAccessKeyId => 403,
    /// IAM/STS: no such `Action`.
    InvalidAction => 400,
    /// A parameter or header value S3 refuses.
    InvalidArgument => 400,
    /// CreateBucket with an ACL while ownership is enforced.
    InvalidBucketAclWithObjectOwnership => 400,
    /// The bucket name breaks the naming rules.
    InvalidBucketName => 400,
    /// A change the bucket's state does not allow (versioning of a bucket with object lock).
    InvalidBucketState => 409,
    /// IAM/STS: the access key or session token is not valid.
    InvalidClientTokenId => 403,
    /// `Content-MD5` is not base64 of 16 bytes.
    InvalidDigest => 400,
    /// STS: the web-identity token is not valid.
    InvalidIdentityToken => 400,
    /// IAM: a parameter value IAM refuses.
    InvalidInput => 400,
    /// A POST upload's policy that is not a policy document.
    InvalidPolicyDocument => 400,
    /// The object's storage class does not allow the operation (a GET of an archived
    /// object that is not restored, a restore of one that is not archived).
    InvalidObjectState => 403,
    /// A part that is not there (completion, or `partNumber` of a read).
    InvalidPart => 400,
    /// Completion parts out of order.
    InvalidPartOrder => 400,
    /// A byte range outside the object.
    InvalidRange => 416,
    /// A request S3 refuses as a whole.
    InvalidRequest => 400,
    /// An unknown storage class.
    InvalidStorageClass => 400,
    /// A tag set S3 refuses.
    InvalidTag => 400,
    /// The session token does not fit the credential.
    InvalidToken => 400,
    /// The path or query does not decode.
    InvalidURI => 400,
    /// A key longer than 1024 bytes.
    KeyTooLongError => 400,
    /// SSE-KMS names a key the KMS does not have.
    KmsNotFound as "KMS.NotFoundException" => 400,
    /// The admin API was asked to create a KMS key that exists (AWS KMS's name and status).
    KmsAlreadyExists as "KMS.AlreadyExistsException" => 400,
    /// IAM: a quota (keys per user, policy versions, policy size) would be passed.
    LimitExceeded => 409,
    /// An ACL body that is not a valid `AccessControlPolicy`.
    MalformedACLError => 400,
    /// A POST upload whose body is not multipart/form-data.
    MalformedPOSTRequest => 400,
    /// A bucket policy that is not a policy.
    MalformedPolicy => 400,
    /// IAM/STS: a policy document that is not a policy.
    MalformedPolicyDocument => 400,
    /// An XML body that is not the expected document.
    MalformedXML => 400,
    /// A POST upload's fields before the file are longer than strata reads.
    MaxPostPreDataLengthExceededError => 400,
    /// The method does not apply to the resource.
    MethodNotAllowed => 405,
    /// A write without a length.
    MissingContentLength => 411,
    /// IAM/STS: the form has no `Action`.
    MissingAction => 400,
    /// IAM/STS: a required parameter is absent.
    MissingParameter => 400,
    /// A header authentication needs is absent.
    MissingSecurityHeader => 400,
    /// No such bucket.
    NoSuchBucket => 404,
    /// The bucket has no policy.
    NoSuchBucketPolicy => 404,
    /// GetPublicAccessBlock on a bucket without Block Public Access settings.
    NoSuchPublicAccessBlockConfiguration => 404,
    /// GetBucketCors on a bucket without a CORS configuration.
    NoSuchCORSConfiguration => 404,
    /// No such key.
    NoSuchKey => 404,
    /// GetBucketLifecycleConfiguration on a bucket without lifecycle rules.
    NoSuchLifecycleConfiguration => 404,
    /// GetObjectRetention / GetObjectLegalHold of a version without one.
    NoSuchObjectLockConfiguration => 404,
    /// The object or bucket has no tags.
    NoSuchTagSet => 404,
    /// No such multipart upload.
    NoSuchUpload => 404,
    /// IAM: no such user, group, role, policy, key or provider.
    NoSuchEntity => 404,
    /// No such version.
    NoSuchVersion => 404,
    /// An operation or feature strata does not implement.
    NotImplemented => 501,
    /// A conditional read whose object did not change.
    NotModified => 304,
    /// GetObjectLockConfiguration of a bucket without object lock.
    ObjectLockConfigurationNotFoundError => 404,
    /// A conflicting change to the bucket happened while the request ran; retry it.
    OperationAborted => 409,
    /// GetBucketOwnershipControls on a bucket without Object Ownership settings.
    OwnershipControlsNotFoundError => 404,
    /// STS: a session policy (with the session's other packed data) is too large.
    PackedPolicyTooLarge => 400,
    /// A precondition did not hold.
    PreconditionFailed => 412,
    /// The request's headers and query are too large.
    RequestHeaderSectionTooLarge => 400,
    /// The request time is too far from the server's.
    RequestTimeTooSkewed => 403,
    /// RestoreObject of an object whose restore is running.
    RestoreAlreadyInProgress => 409,
    /// GetBucketEncryption of a bucket without default encryption (`--sse-default none`).
    ServerSideEncryptionConfigurationNotFoundError => 404,
    /// Too few volumes to serve the request now.
    ServiceUnavailable => 503,
    /// Too few volumes have room for the write (strata's own code: SDKs retry a 503, and a
    /// full disk does not empty itself; deletes still work).
    XStrataStorageFull => 507,
    /// The signature is wrong.
    SignatureDoesNotMatch => 403,
    /// strata is at its configured limit of concurrent requests or body memory.
    SlowDown => 503,
    /// A body where the request allows none (an ACL given both in headers and a body).
    UnexpectedContent => 400,
    /// An ACL grant by e-mail address (strata's accounts have none).
    UnresolvableGrantByEmailAddress => 400,
    /// IAM/STS: a parameter fails its constraints (length, pattern, range).
    ValidationError => 400,
    /// The body does not hash to the signed `x-amz-content-sha256`.
    XAmzContentSHA256Mismatch => 400,
}

impl Code {
    /// An error of this code with a message.
    pub fn with(self, message: impl Into<String>) -> S3Error {
        S3Error {
            code: self,
            message: message.into(),
            headers: Vec::new(),
            denial: None,
            tier: None,
        }
    }
}

/// A failed request as S3 reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct S3Error {
    /// S3 error code (its status is `code.status()`).
    pub code: Code,
    /// Human-readable message.
    pub message: String,
    /// Extra response headers (e.g. `x-amz-delete-marker` on a hidden key).
    pub headers: Vec<(&'static str, String)>,
    /// Why access was refused (`explicit_deny`, `no_allow`, ... or an LDAP sign-in's
    /// outcome), for the audit trail; never sent to the client.
    pub denial: Option<&'static str>,
    /// The remote tier whose failure this is, for the audit trail; never sent.
    pub tier: Option<String>,
}

impl S3Error {
    /// Records why access was refused (audited as `denial_reason`).
    pub fn denied_because(mut self, reason: &'static str) -> Self {
        self.denial = Some(reason);
        self
    }

    /// Records the remote tier the request read from or wrote to (audited as `tier`).
    pub fn at_tier(mut self, tier: Option<&str>) -> Self {
        self.tier = tier.map(str::to_string);
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The XML error document. HEAD responses and 304 carry no body; the caller decides.
    pub fn to_document(&self, resource: &str, request_id: &str) -> Bytes {
        let doc = ErrorDoc {
            Code: self.code.as_str().to_string(),
            Message: self.message.clone(),
            Resource: Some(resource.to_string()),
            RequestId: request_id.to_string(),
        };
        // A failure to write the error document itself leaves an empty body, never a panic.
        to_xml(&doc).unwrap_or_default()
    }

    /// Whether this is strata's fault (logged as an error, not a client mistake).
    pub fn is_server_error(&self) -> bool {
        self.status() >= 500
    }
}

impl From<AuthError> for S3Error {
    fn from(e: AuthError) -> Self {
        let code = match &e {
            AuthError::AccessDenied(_)
            | AuthError::RequestExpired
            | AuthError::RequestNotYetValid
            | AuthError::UnsignedHeaders(_) => Code::AccessDenied,
            AuthError::InvalidAccessKeyId => Code::InvalidAccessKeyId,
            AuthError::SignatureDoesNotMatch => Code::SignatureDoesNotMatch,
            AuthError::RequestTimeTooSkewed => Code::RequestTimeTooSkewed,
            AuthError::AuthorizationHeaderMalformed(_) => Code::AuthorizationHeaderMalformed,
            AuthError::AuthorizationQueryParametersError(_) => {
                Code::AuthorizationQueryParametersError
            }
            AuthError::InvalidToken => Code::InvalidToken,
            AuthError::ExpiredToken => Code::ExpiredToken,
            AuthError::MissingSecurityHeader(_) => Code::MissingSecurityHeader,
            AuthError::XAmzContentSha256Mismatch => Code::XAmzContentSHA256Mismatch,
            AuthError::InvalidDigest => Code::InvalidDigest,
            AuthError::BadDigest(_) => Code::BadDigest,
            AuthError::IncompleteBody => Code::IncompleteBody,
            AuthError::MissingContentLength => Code::MissingContentLength,
            AuthError::InvalidArgument(_) => Code::InvalidArgument,
            AuthError::InvalidRequest(_) => Code::InvalidRequest,
            AuthError::NotImplemented(_) => Code::NotImplemented,
        };
        code.with(e.to_string())
    }
}

impl From<RouteError> for S3Error {
    fn from(e: RouteError) -> Self {
        match e {
            RouteError::MethodNotAllowed => Code::MethodNotAllowed.with(e.to_string()),
            RouteError::InvalidUri => Code::InvalidURI.with(e.to_string()),
            RouteError::HeadTooLarge { .. } => {
                Code::RequestHeaderSectionTooLarge.with(e.to_string())
            }
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
        let code = match e {
            XmlError::Malformed(_) => Code::MalformedXML,
            XmlError::Serialize(_) => Code::InternalError,
        };
        code.with(e.to_string())
    }
}

impl From<BodyError> for S3Error {
    fn from(e: BodyError) -> Self {
        let code = match e {
            BodyError::Verify(auth) => return auth.into(),
            BodyError::Truncated(_) => Code::IncompleteBody,
            BodyError::TooLarge(_) => Code::EntityTooLarge,
            BodyError::Empty => Code::MalformedXML,
            BodyError::Unfinished => Code::InternalError,
        };
        code.with(e.to_string())
    }
}

impl From<TransformError> for S3Error {
    fn from(e: TransformError) -> Self {
        let code = match e {
            TransformError::Unsupported(_) => Code::NotImplemented,
            TransformError::Invalid(_) => Code::InvalidRequest,
            TransformError::BadArgument(_) => Code::InvalidArgument,
            TransformError::Denied(_) => Code::AccessDenied,
            TransformError::Damaged(_) => Code::InternalError,
            TransformError::KmsKeyNotFound(_) => Code::KmsNotFound,
            TransformError::KmsKeyExists(_) => Code::KmsAlreadyExists,
            TransformError::KmsUnavailable(_) => Code::ServiceUnavailable,
        };
        code.with(e.to_string())
    }
}

impl From<RuleError> for S3Error {
    fn from(e: RuleError) -> Self {
        let code = match e {
            RuleError::NeverEmitted(_) | RuleError::UnsupportedDestination(_) => {
                Code::NotImplemented
            }
            _ => Code::InvalidArgument,
        };
        code.with(e.to_string())
    }
}

impl<E: Into<S3Error>> From<TransformedError<E>> for S3Error {
    fn from(e: TransformedError<E>) -> Self {
        match e {
            TransformedError::Source(source) => source.into(),
            TransformedError::Codec(codec) => codec.into(),
        }
    }
}

impl<E: Into<S3Error>> From<WriteError<E>> for S3Error {
    fn from(e: WriteError<E>) -> Self {
        match e {
            WriteError::Body(body) => body.into(),
            WriteError::Store(store) => store.into(),
        }
    }
}

impl From<IamError> for S3Error {
    fn from(e: IamError) -> Self {
        match e {
            // Start-time checks of the settings; never met while serving.
            IamError::Corrupt(_)
            | IamError::AccountIdMismatch { .. }
            | IamError::AccountIdTaken { .. } => Code::InternalError.with(e.to_string()),
            IamError::SessionKeyIdsExhausted { .. } => Code::InvalidRequest.with(e.to_string()),
            IamError::Store(v) => v.into(),
        }
    }
}

impl From<VolumeError> for S3Error {
    fn from(e: VolumeError) -> Self {
        match e {
            VolumeError::Refused(r) => r.into(),
            VolumeError::Invalid(i) => i.into(),
            VolumeError::Unavailable(u) => u.into(),
            VolumeError::Fault(f) => f.into(),
        }
    }
}

impl From<Refusal> for S3Error {
    fn from(e: Refusal) -> Self {
        let msg = e.to_string();
        match e {
            Refusal::NoSuchBucket => Code::NoSuchBucket.with(msg),
            Refusal::BucketAlreadyOwnedByYou => Code::BucketAlreadyOwnedByYou.with(msg),
            Refusal::BucketNotEmpty => Code::BucketNotEmpty.with(msg),
            Refusal::NoSuchKey {
                delete_marker_version,
            } => with_marker(Code::NoSuchKey.with(msg), delete_marker_version),
            Refusal::NoSuchVersion => Code::NoSuchVersion.with(msg),
            Refusal::MethodNotAllowed {
                delete_marker_version,
            } => with_marker(Code::MethodNotAllowed.with(msg), delete_marker_version),
            Refusal::NoSuchUpload => Code::NoSuchUpload.with(msg),
            Refusal::InvalidPart(_) => Code::InvalidPart.with(msg),
            Refusal::InvalidPartOrder => Code::InvalidPartOrder.with(msg),
            Refusal::EntityTooSmall => Code::EntityTooSmall.with(msg),
            Refusal::EntityTooLarge { .. } => Code::EntityTooLarge.with(msg),
            Refusal::InvalidRange { size } => Code::InvalidRange
                .with(msg)
                .header("content-range", format!("bytes */{size}")),
            // Sources differ (MinIO: 416 InvalidPartNumber); Ceph RGW, whose s3-tests are
            // checked against AWS, answers 400 InvalidPart, and so does AWS by every account
            // we found. A part that is not there is a client error either way, never a 500.
            Refusal::InvalidPartNumber { .. } => Code::InvalidPart.with(msg),
            Refusal::PreconditionFailed => Code::PreconditionFailed.with(msg),
            Refusal::ObjectLocked(_) => Code::AccessDenied.with(msg),
            Refusal::ObjectLockNotEnabled => Code::InvalidRequest.with(msg),
            Refusal::InvalidBucketState(_) => Code::InvalidBucketState.with(msg),
            Refusal::VersioningChanged => Code::OperationAborted.with(msg),
        }
    }
}

impl From<Invalid> for S3Error {
    fn from(e: Invalid) -> Self {
        let code = match e {
            Invalid::BucketName(_) => Code::InvalidBucketName,
            Invalid::KeyTooLong => Code::KeyTooLongError,
            Invalid::Key(_) | Invalid::Argument(_) => Code::InvalidArgument,
            Invalid::StorageClass(_) => Code::InvalidStorageClass,
            Invalid::BodyLength { .. } => Code::IncompleteBody,
        };
        code.with(e.to_string())
    }
}

impl From<Fault> for S3Error {
    fn from(e: Fault) -> Self {
        // Every fault is strata's: the client gets 500 and the log gets the detail.
        let code = match e {
            Fault::Corrupt(_)
            | Fault::Io { .. }
            | Fault::Index { .. }
            | Fault::Format { .. }
            | Fault::Config(_)
            | Fault::Internal(_) => Code::InternalError,
        };
        code.with(e.to_string())
    }
}

impl From<Unavailable> for S3Error {
    fn from(e: Unavailable) -> Self {
        let code = match e {
            Unavailable::WriteQuorum { .. }
            | Unavailable::ReadQuorum { .. }
            | Unavailable::Undecided { .. }
            | Unavailable::Tier { .. } => Code::ServiceUnavailable,
            Unavailable::StorageFull { .. } => Code::XStrataStorageFull,
        };
        code.with(e.to_string())
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
