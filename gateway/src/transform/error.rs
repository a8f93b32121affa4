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
