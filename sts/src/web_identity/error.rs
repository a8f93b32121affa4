//! Errors of web-identity verification, each beside the STS error code it becomes.

use std::path::PathBuf;

/// Why a web-identity token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebIdentityError {
    /// The token is not acceptable; the reason says why.
    #[error("InvalidIdentityToken: {0}")]
    InvalidIdentityToken(#[from] InvalidIdentityToken),
    /// The token is authentic but its `exp` (plus leeway) has passed.
    #[error("ExpiredToken: the token expired at {expired_at} (seconds since the epoch)")]
    ExpiredToken {
        /// The token's `exp`.
        expired_at: u64,
    },
    /// The provider's keys could not be obtained and none are cached (or the cached ones
    /// are older than the maximum staleness).
    #[error("IDPCommunicationError: {issuer}: {detail}")]
    IdpCommunicationError {
        /// The provider's issuer.
        issuer: String,
        /// What failed, e.g. the last fetch's error.
        detail: String,
    },
}

impl WebIdentityError {
    /// The STS error code for this error.
    pub fn aws_code(&self) -> &'static str {
        match self {
            WebIdentityError::InvalidIdentityToken(_) => "InvalidIdentityToken",
            WebIdentityError::ExpiredToken { .. } => "ExpiredTokenException",
            WebIdentityError::IdpCommunicationError { .. } => "IDPCommunicationError",
        }
    }

    /// The HTTP status STS answers with.
    pub fn http_status(&self) -> u16 {
        400
    }
}

/// The precise reason behind [`WebIdentityError::InvalidIdentityToken`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidIdentityToken {
    /// Longer than the configured bound; nothing else was looked at.
    #[error("the token is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// The token's length.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// Not a compact JWS (three base64url parts, JSON header and payload objects).
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The header's `alg` is not an accepted asymmetric algorithm (`none`, HS*, unknown).
    #[error("algorithm {0:?} is not accepted (asymmetric signatures only)")]
    AlgorithmRefused(String),
    /// The payload has no string `iss`.
    #[error("the token has no issuer (iss)")]
    MissingIssuer,
    /// No configured provider has this issuer.
    #[error("issuer {0:?} is not a configured identity provider")]
    UnknownIssuer(String),
    /// The provider has no key with this `kid`, even after refreshing its keys.
    #[error("no key with kid {0:?} in the provider's JWKS")]
    UnknownKeyId(String),
    /// The token has no `kid` and the provider's JWKS has no single key for its algorithm.
    #[error("the token has no kid and the provider has {candidates} keys for its algorithm")]
    NoKeyIdChosen {
        /// Keys that could have been meant.
        candidates: usize,
    },
    /// The key named by `kid` does not allow the token's algorithm (its `kty`, `crv` or
    /// `alg` differ).
    #[error("key {kid:?} does not allow algorithm {alg}")]
    KeyAlgorithmMismatch {
        /// The key's id.
        kid: String,
        /// The token's algorithm.
        alg: String,
    },
    /// The signature does not verify with the provider's key.
    #[error("the signature does not verify")]
    BadSignature,
    /// A registered claim has the wrong type or is missing (`exp` is required).
    #[error("claim {0:?} is missing or has the wrong type")]
    BadClaim(&'static str),
    /// The verified `iss` differs from the provider's issuer.
    #[error("issuer mismatch")]
    IssuerMismatch,
    /// `nbf` (minus leeway) is in the future.
    #[error("the token is not valid before {nbf}")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
    },
    /// `iat` (minus leeway) is in the future.
    #[error("the token claims to be issued in the future ({iat})")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: u64,
    },
    /// The token has no `aud`.
    #[error("the token has no audience (aud)")]
    MissingAudience,
    /// None of the token's audiences is accepted by the provider.
    #[error("audience {0:?} is not accepted by the provider")]
    WrongAudience(Vec<String>),
    /// The token has no non-empty string `sub`.
    #[error("the token has no subject (sub)")]
    MissingSubject,
}

/// Why a verifier could not be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Two providers share an issuer.
    #[error("issuer {0:?} is configured twice")]
    DuplicateIssuer(String),
    /// The issuer is not an http(s) URL.
    #[error("issuer {0:?} is not an http or https URL")]
    BadIssuer(String),
    /// A provider accepts no audience, so it could never accept a token.
    #[error("provider {0:?} has no audience")]
    NoAudience(String),
    /// A JWKS URL is not an http(s) URL.
    #[error("JWKS URL {0:?} is not an http or https URL")]
    BadJwksUrl(String),
    /// The CA bundle could not be read or holds no certificate.
    #[error("CA bundle {path:?}: {reason}")]
    CaBundle {
        /// The bundle's path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    HttpClient(String),
}
