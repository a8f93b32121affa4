//! Authentication failures. Their S3 codes and statuses are decided with every other error's
//! in `crate::s3::error`.

/// Why a request or its body failed authentication. Several variants share S3's
/// `AccessDenied`: S3 answers them with that code and a different message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Denied for the reason given (anonymous request, signed chunks without a signature, ...).
    #[error("access denied: {0}")]
    AccessDenied(&'static str),
    /// A presigned URL used after its `X-Amz-Date + X-Amz-Expires`.
    #[error("Request has expired")]
    RequestExpired,
    /// A presigned URL dated further in the future than the allowed clock skew.
    #[error("request is not valid yet")]
    RequestNotYetValid,
    /// `x-amz-*` headers (or `host`) present in the request but not covered by the signature.
    #[error("there were headers present in the request which were not signed: {0}")]
    UnsignedHeaders(String),
    /// No credential is known for the access key.
    #[error("the AWS access key id you provided does not exist in our records")]
    InvalidAccessKeyId,
    /// The signature of the request, of a chunk or of the trailer is wrong.
    #[error("the request signature we calculated does not match the signature you provided")]
    SignatureDoesNotMatch,
    /// The request time is more than the allowed skew away from the server's clock.
    #[error("the difference between the request time and the current time is too large")]
    RequestTimeTooSkewed,
    /// The `Authorization` header cannot be parsed or its scope is wrong.
    #[error("the authorization header is malformed: {0}")]
    AuthorizationHeaderMalformed(String),
    /// The `X-Amz-*` query parameters of a presigned URL are missing or malformed.
    #[error("error parsing the X-Amz-Credential parameters: {0}")]
    AuthorizationQueryParametersError(String),
    /// The session token does not belong to the credential (or is missing).
    #[error("the provided token is malformed or otherwise invalid")]
    InvalidToken,
    /// The temporary credential has expired.
    #[error("the provided token has expired")]
    ExpiredToken,
    /// A header that authentication needs (a date) is absent.
    #[error("your request is missing a required header: {0}")]
    MissingSecurityHeader(&'static str),
    /// The body does not hash to the signed `x-amz-content-sha256`.
    #[error("the provided 'x-amz-content-sha256' header does not match what was computed")]
    XAmzContentSha256Mismatch,
    /// `Content-MD5` is not base64 of 16 bytes.
    #[error("the Content-MD5 you specified is not valid")]
    InvalidDigest,
    /// The body does not match `Content-MD5` or an `x-amz-checksum-*` value.
    #[error("the {0} you specified did not match the calculated checksum")]
    BadDigest(&'static str),
    /// The body ended before the length it announced or before its final chunk.
    #[error("you did not provide the number of bytes specified by the Content-Length header")]
    IncompleteBody,
    /// A streaming upload without `x-amz-decoded-content-length`.
    #[error("you must provide the x-amz-decoded-content-length header")]
    MissingContentLength,
    /// A header or parameter has a value S3 refuses (`InvalidArgument`).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The request is malformed in a way S3 reports as `InvalidRequest` (bad framing, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The request uses a mechanism strata does not implement (SigV4a, ...).
    #[error("not implemented: {0}")]
    NotImplemented(&'static str),
}
