//! The errors of the format: one small enum per job.

use thiserror::Error;

/// Sealing a stream failed.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The operating system's random generator failed.
    #[error("the random generator failed")]
    Random,
    /// The plaintext needs more packages than a stream may hold (2^31).
    #[error("the plaintext is too large for one stream")]
    TooLarge,
}

/// Opening a stream failed: the stored bytes are not what this key sealed.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenError {
    /// The stream header names a format version this build does not read.
    #[error("unknown stream version {0}")]
    UnknownVersion(u8),
    /// The stream header names an unknown cipher.
    #[error("unknown cipher {0}")]
    UnknownCipher(u8),
    /// The stream header's reserved bytes are not zero, or it is shorter than its length.
    #[error("malformed stream header")]
    BadHeader,
    /// A package failed authentication: wrong key, changed bytes, reordered, spliced, or a
    /// final package that is not where the stream ends.
    #[error("package {package} failed authentication")]
    Authentication {
        /// The package number (0-based) in the stream.
        package: u64,
    },
    /// The stream ended before its final package.
    #[error("the stream is truncated")]
    Truncated,
    /// Bytes followed the end of the stream or of the requested range.
    #[error("unexpected bytes after the end of the stream")]
    TrailingData,
    /// The stream holds more packages than the format allows.
    #[error("too many packages")]
    TooManyPackages,
    /// An earlier call failed; the opener refuses to go on.
    #[error("the opener already failed")]
    Poisoned,
}

/// A size is not the stored size of any plaintext, or a plaintext is too large.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizeError {
    /// No plaintext has this stored size.
    #[error("{0} is not a stored size")]
    NotAStoredSize(u64),
    /// The plaintext needs more than the maximum number of packages.
    #[error("plaintext of {0} bytes is too large for one stream")]
    TooLarge(u64),
}

/// A requested range does not fit the object.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeError {
    /// The range is empty or reversed.
    #[error("empty range")]
    Empty,
    /// The range ends after the plaintext.
    #[error("range end {end} is past the plaintext size {size}")]
    OutOfBounds {
        /// The range's exclusive end.
        end: u64,
        /// The plaintext size.
        size: u64,
    },
    /// The plaintext size is too large for one stream.
    #[error(transparent)]
    Size(#[from] SizeError),
}

/// Sealing or opening a sealed key or a sealed value failed.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The first byte names a version this build does not read.
    #[error("unknown envelope version {0}")]
    UnknownVersion(u8),
    /// The mode byte is not a known SSE mode.
    #[error("unknown SSE mode {0}")]
    UnknownMode(u8),
    /// The envelope has the wrong length.
    #[error("malformed envelope of {0} bytes")]
    Length(usize),
    /// Wrong key-encryption key, another bucket, object or mode, or changed bytes.
    #[error("the envelope failed authentication")]
    Authentication,
    /// A bucket or object name is too long to bind.
    #[error("name too long to bind")]
    NameTooLong,
    /// The operating system's random generator failed.
    #[error("the random generator failed")]
    Random,
}
