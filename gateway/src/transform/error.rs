//! What a transform can report, and the error of a stream it runs over.

/// Why a transform refused a request or failed on its bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransformError {
    /// The request asks for something this transform does not provide (S3 `NotImplemented`).
    #[error("{0} is not implemented by strata")]
    Unsupported(String),
    /// The request's transform parameters are wrong (S3 `InvalidRequest`).
    #[error("{0}")]
    Invalid(String),
    /// A transform parameter's value is wrong (S3 `InvalidArgument`): an unknown algorithm,
    /// a key that is not 32 bytes, a key MD5 that does not match.
    #[error("{0}")]
    BadArgument(String),
    /// The request's key does not open the object (S3 `AccessDenied`).
    #[error("{0}")]
    Denied(String),
    /// The KMS has no such key (S3 `KMS.NotFoundException`).
    #[error("{0}")]
    KmsKeyNotFound(String),
    /// A key to create exists already (`KMS.AlreadyExistsException`).
    #[error("{0}")]
    KmsKeyExists(String),
    /// The KMS cannot be reached or refused to serve for now (S3 `ServiceUnavailable`):
    /// nothing was written, nothing is read without it.
    #[error("the KMS is unavailable: {0}")]
    KmsUnavailable(String),
    /// Stored bytes do not decode (damaged, truncated, or from another object).
    #[error("stored bytes do not decode: {0}")]
    Damaged(String),
}

/// The error of a [`super::Transformed`] stream: its source's, or the codec's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransformedError<E> {
    /// The stream the codec reads from failed.
    #[error(transparent)]
    Source(E),
    /// The codec failed.
    #[error(transparent)]
    Codec(#[from] TransformError),
}
