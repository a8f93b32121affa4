//! Errors of session tokens: opening (what the gateway answers), sealing, keyring setup.

/// Why a session token was not accepted. The gateway answers `ExpiredToken` for
/// [`TokenError::Expired`] and `InvalidToken` for everything else.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Authentic, but past its expiry.
    #[error("the session token expired at {expired_at}")]
    Expired {
        /// The token's `expires_at` (seconds since the epoch).
        expired_at: u64,
    },
    /// Not a token this gateway sealed (or one it can no longer open).
    #[error("invalid session token: {0}")]
    Invalid(#[from] InvalidToken),
}

/// The precise reason behind [`TokenError::Invalid`], for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidToken {
    /// Longer than [`crate::session::MAX_TOKEN_CHARS`]; rejected before decoding.
    #[error("longer than the size bound")]
    TooLong,
    /// Not URL-safe base64 without padding.
    #[error("not unpadded URL-safe base64")]
    Encoding,
    /// Too short to hold a header, a nonce and a tag.
    #[error("truncated")]
    Truncated,
    /// A format version this build does not know.
    #[error("unknown format version {0}")]
    UnknownVersion(u8),
    /// Sealed with a key id that is not in the keyring.
    #[error("unknown key id {0}")]
    UnknownKeyId(u8),
    /// The AEAD tag does not match: tampered, or sealed with another key.
    #[error("authentication failed")]
    Authentication,
    /// Authentic but its payload does not parse (never sealed by this code).
    #[error("malformed payload")]
    Payload,
}

/// Why sealing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The system's random source failed.
    #[error("the system random source failed")]
    Random,
    /// The claims would make a token longer than [`crate::session::MAX_TOKEN_CHARS`]
    /// (or a field longer than 65535 bytes): such a token could never be opened.
    #[error("the claims are too large for a session token ({chars} characters)")]
    TooLarge {
        /// Length the token would have had (or `usize::MAX` for an oversized field).
        chars: usize,
    },
}

/// Why a keyring could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyringError {
    /// Two keys share an id, so a token's key id would be ambiguous.
    #[error("key id {0} is used twice")]
    DuplicateKeyId(u8),
    /// A key is not 32 bytes of base64.
    #[error("key {id}: {reason}")]
    BadKey {
        /// The key's id.
        id: u8,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The system's random source failed while generating a key.
    #[error("the system random source failed")]
    Random,
}
