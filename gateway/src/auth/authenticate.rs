//! The request stack's authentication stage, as a narrow trait: the stack does not know
//! which credentials exist or where they come from.

use std::time::SystemTime;

use super::credentials::CredentialProvider;
use super::error::AuthError;
use super::post::PostSignature;
use super::verify::{AuthOutcome, RequestParts, Verifier};

/// Authenticates requests.
pub trait Authenticate: Send + Sync {
    /// Checks a request from its head alone (SigV4 header or presigned query); the body is
    /// verified while it streams.
    fn authenticate(
        &self,
        req: &RequestParts<'_>,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError>;

    /// Checks a request whose credentials cover a small body read first (the STS and IAM form
    /// posts): without `x-amz-content-sha256`, the signed payload hash is the body's.
    fn authenticate_with_body(
        &self,
        req: &RequestParts<'_>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError>;

    /// Checks a POST upload's form: its signature of its policy.
    fn authenticate_post(
        &self,
        form: &PostSignature<'_>,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError>;
}

impl<P: CredentialProvider + Send + Sync> Authenticate for Verifier<P> {
    fn authenticate(
        &self,
        req: &RequestParts<'_>,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        self.verify(req, now)
    }

    fn authenticate_with_body(
        &self,
        req: &RequestParts<'_>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        self.verify_with_body(req, body, now)
    }

    fn authenticate_post(
        &self,
        form: &PostSignature<'_>,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        self.verify_post(form, now)
    }
}
