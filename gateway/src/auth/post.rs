//! Browser form uploads (POST Object): the form's `policy` field is what is signed, with the
//! credential's SigV4 signing key; the policy itself (expiry, conditions) is checked by the
//! caller once the signature holds.

use std::time::SystemTime;

use aws_sigv4::sign::v4::calculate_signature;
use subtle::ConstantTimeEq as _;

use super::credentials::CredentialProvider;
use super::error::AuthError;
use super::parse::{self, Location, SignatureFields, ALGORITHM};
use super::payload::PayloadMode;
use super::time;
use super::verify::{authenticated, check_scope_date, AuthMethod, AuthOutcome, Verifier};

/// The form fields that authenticate a POST upload.
#[derive(Debug, Clone, Copy)]
pub struct PostSignature<'a> {
    /// `x-amz-algorithm`.
    pub algorithm: &'a str,
    /// `x-amz-credential`: `AKID/date/region/service/aws4_request`.
    pub credential: &'a str,
    /// `x-amz-date`, ISO 8601 basic.
    pub date: &'a str,
    /// `x-amz-signature`, hex.
    pub signature: &'a str,
    /// `policy`, as sent (base64): the string that is signed.
    pub policy: &'a str,
    /// `x-amz-security-token`, for temporary credentials.
    pub security_token: Option<&'a str>,
}

impl<P: CredentialProvider> Verifier<P> {
    /// Checks a POST form's signature of its policy.
    pub fn verify_post(
        &self,
        form: &PostSignature<'_>,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        let at = Location::Form;
        if form.algorithm != ALGORITHM {
            return Err(at.error(format!(
                "x-amz-algorithm only supports \"{ALGORITHM}\", not {:?}",
                form.algorithm
            )));
        }
        let (access_key, scope) = parse::parse_credential(form.credential, at)?;
        let fields = SignatureFields {
            access_key,
            scope,
            signed_headers_line: String::new(),
            signed_headers: Vec::new(),
            signature: parse::parse_signature(form.signature, at)?,
        };
        self.check_scope(&fields, at, false)?;
        let request_time = time::parse_amz_date(form.date).ok_or_else(|| {
            at.error("x-amz-date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        })?;
        check_scope_date(&fields, form.date, at)?;
        // The policy's expiration, not the request time, bounds when a form may be used.
        let credential = self.credential(&fields.access_key, form.security_token, now)?;
        let key = self.keys.get(
            &credential.secret_key,
            &fields.scope.date,
            request_time,
            &fields.scope.region,
            &fields.scope.service,
        );
        let computed = calculate_signature(key, form.policy.as_bytes());
        if !bool::from(computed.as_bytes().ct_eq(fields.signature.as_bytes())) {
            return Err(AuthError::SignatureDoesNotMatch);
        }
        Ok(authenticated(
            credential,
            fields,
            form.security_token,
            AuthMethod::Post,
            request_time,
            None,
            PayloadMode::Unsigned,
            None,
        ))
    }
}
