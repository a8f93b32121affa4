//! Authentication of S3 requests, independent of the HTTP server and of I/O.
//!
//! A request goes through two steps:
//!
//! 1. [`Verifier::verify`] checks the head (SigV4 in the `Authorization` header or in a
//!    presigned URL, clock skew, expiry, session token) and returns an [`AuthOutcome`]:
//!    [`AuthOutcome::Anonymous`] when nothing was signed, or the [`Authenticated`] identity.
//! 2. [`AuthOutcome::payload_verifier`] gives a [`PayloadVerifier`] for the body, chosen by
//!    `x-amz-content-sha256`: unsigned, a SHA-256 to match, or one of the `aws-chunked`
//!    streaming modes (chunk signatures, trailing checksums). The server pushes body bytes
//!    in as they arrive, forwards the decoded payload, and calls
//!    [`PayloadVerifier::finish`] before it commits anything.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::SystemTime;
//! use bytes::BytesMut;
//! use strata_gateway::auth::{
//!     AuthOutcome, Credential, RequestParts, StaticCredentials, Verifier, VerifierConfig,
//! };
//! use strata_gateway::identity::{Account, Identity};
//!
//! let account = Account { id: "111122223333".into(), name: "root".into(), canonical_id: "0".repeat(64) };
//! let root = Arc::new(Identity::root(account));
//! let creds = StaticCredentials::new([Credential::new("AKID", "secret", root)]);
//! let verifier = Verifier::new(VerifierConfig::default(), creds);
//! let request = http::Request::put("/bucket/key").body(()).unwrap();
//! let (head, ()) = request.into_parts();
//! let outcome = verifier.verify(&RequestParts::from_http(&head), SystemTime::now()).unwrap();
//! assert!(matches!(outcome, AuthOutcome::Anonymous)); // the caller denies it
//!
//! let mut body = outcome.payload_verifier(&head.headers).unwrap();
//! let mut decoded = BytesMut::new();
//! body.push(b"hello", &mut decoded).unwrap();
//! let summary = body.finish().unwrap();
//! assert_eq!(summary.decoded_length, 5);
//! ```

mod authenticate;
mod canonical;
mod chunked;
mod credentials;
mod error;
mod headers;
mod parse;
mod payload;
mod post;
mod presign;
mod principal;
mod signing_keys;
mod time;
mod verify;

#[cfg(test)]
mod tests;

pub use authenticate::Authenticate;
pub use chunked::{ChunkSigner, MAX_CHUNK_SIZE, MAX_LINE, MAX_TRAILER_BYTES};
pub use credentials::{Credential, CredentialProvider, StaticCredentials};
pub use error::AuthError;
pub use payload::{PayloadMode, PayloadSpec, PayloadSummary, PayloadVerifier};
pub use post::PostSignature;
pub use principal::Principal;
pub use verify::{
    AuthMethod, AuthOutcome, Authenticated, RequestParts, Verifier, VerifierConfig,
    DEFAULT_MAX_SKEW, MAX_PRESIGNED_EXPIRY,
};
