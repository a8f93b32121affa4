//! Verification of web-identity tokens for `AssumeRoleWithWebIdentity`: OpenID Connect
//! provider tokens and Kubernetes service-account tokens.
//!
//! A [`WebIdentityVerifier`] holds the configured providers ([`ProviderConfig`]), each with
//! its issuer, accepted audiences and where its signing keys come from ([`KeySource`]).
//! [`WebIdentityVerifier::verify`] reads the token's unverified `iss` only to choose the
//! provider, picks the key by `kid` (refreshing the provider's JWKS once, rate-limited, when
//! the `kid` is unknown), accepts asymmetric algorithms only and only the one the key allows,
//! checks the signature with `jsonwebtoken`, then `exp`/`nbf`/`iat`, `aud` and `sub`.
//! Errors ([`WebIdentityError`]) map onto STS's `InvalidIdentityToken`, `ExpiredToken` and
//! `IDPCommunicationError`.

mod algorithm;
mod claims;
mod config;
mod error;
mod file;
mod http;
mod identity;
mod jwks;
mod provider;
mod remote;
mod token;
mod verifier;

pub use config::{KeySource, ProviderConfig, VerifierConfig, VerifierSettings};
pub use error::{ConfigError, InvalidIdentityToken, WebIdentityError};
pub use identity::{condition_key_prefix, WebIdentity};
pub use verifier::WebIdentityVerifier;
