//! Request authentication: SigV4 in the `Authorization` header or in a presigned URL.
//!
//! The server never trusts a signature it did not recompute: it rebuilds the canonical
//! request from the headers the client lists as signed, the raw path and the raw query,
//! derives the signing key with `aws-sigv4`'s primitives and compares in constant time.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sigv4::sign::v4::calculate_signature;
use http::HeaderMap;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::canonical::{self, CanonicalInput, QueryParam};
use super::chunked::ChunkSigner;
use super::credentials::{Credential, CredentialProvider};
use super::error::AuthError;
use super::headers::header_str;
use super::parse::{self, Location, SignatureFields, ALGORITHM};
use super::payload::{PayloadMode, PayloadSpec, PayloadVerifier};
use super::presign::{has_param, PresignParams, SIGNATURE_PARAM};
use super::signing_keys::SigningKeys;
use super::time;
use crate::identity::Identity;

/// The longest lifetime of a presigned URL S3 accepts: seven days.
pub const MAX_PRESIGNED_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);
/// How far a request's clock may be from ours: fifteen minutes, as S3.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(15 * 60);

// x-amz-* headers that need not be signed: the SDKs leave them out of presigned URLs, and
// the payload hash is part of the canonical request whether listed or not.
const UNSIGNED_OK: &[&str] = &[
    "x-amz-content-sha256",
    "x-amz-user-agent",
    "x-amz-checksum-mode",
];

/// The services of the query APIs, whose form POSTs share the S3 endpoint.
const QUERY_API_SERVICES: [&str; 2] = ["sts", "iam"];

/// Settings of the verifier; every field has the S3 default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// The region requests must be scoped to; `None` accepts any region (a sidecar has no
    /// real region, and clients default to `us-east-1` or whatever they were told).
    pub region: Option<String>,
    /// Services a credential scope may name (`s3`; later `sts`, `iam`).
    pub services: Vec<String>,
    /// Largest accepted distance between the request time and the server clock.
    pub max_skew: Duration,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            region: None,
            services: vec!["s3".to_owned()],
            max_skew: DEFAULT_MAX_SKEW,
        }
    }
}

/// The request head as the verifier needs it: method, raw path, raw query, headers.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The method, e.g. `PUT`.
    pub method: &'a str,
    /// The path exactly as sent on the wire (still percent-encoded), without the query.
    pub path: &'a str,
    /// The raw query string without `?`; empty if there is none.
    pub query: &'a str,
    /// All request headers.
    pub headers: &'a HeaderMap,
}

impl<'a> RequestParts<'a> {
    /// Borrows the parts of an `http` request head (pingora's `RequestHeader` derefs to one).
    pub fn from_http(parts: &'a http::request::Parts) -> Self {
        Self::new(&parts.method, &parts.uri, &parts.headers)
    }

    /// Borrows a method, URI and header map.
    pub fn new(method: &'a http::Method, uri: &'a http::Uri, headers: &'a HeaderMap) -> Self {
        Self {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or_default(),
            headers,
        }
    }
}

/// How a request was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `Authorization: AWS4-HMAC-SHA256 ...`.
    Header,
    /// `X-Amz-Signature` and friends in the query string.
    Presigned,
    /// The fields of a POST upload's form, signing its policy.
    Post,
}

/// A request whose signature checked out.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Authenticated {
    /// The access key that signed.
    pub access_key: String,
    /// Who the credential belongs to.
    pub identity: Arc<Identity>,
    /// The session token the request carried (verified against the credential's).
    pub session_token: Option<String>,
    /// Header or presigned URL.
    pub method: AuthMethod,
    /// Region of the credential scope.
    pub region: String,
    /// Service of the credential scope (`s3`, ...).
    pub service: String,
    /// The signed request time.
    pub request_time: SystemTime,
    /// For presigned URLs: when the URL stops working.
    pub expires_at: Option<SystemTime>,
    /// How the body is to be verified, from the signed `x-amz-content-sha256`.
    pub payload: PayloadMode,
    /// The chain state for signed `aws-chunked` bodies (seeded with the request signature).
    chunk_signer: Option<ChunkSigner>,
}

impl Authenticated {
    /// An identity a test's stand-in authenticator vouches for, with an unsigned body.
    #[cfg(test)]
    pub(crate) fn vouched(access_key: &str, principal: &str) -> Self {
        Authenticated {
            access_key: access_key.to_string(),
            identity: crate::identity::Identity::test_root(principal),
            session_token: None,
            method: AuthMethod::Header,
            region: "us-east-1".into(),
            service: "s3".into(),
            request_time: SystemTime::now(),
            expires_at: None,
            payload: PayloadMode::Unsigned,
            chunk_signer: None,
        }
    }

    /// A verifier for this request's body; `headers` are the request's headers.
    pub fn payload_verifier(&self, headers: &HeaderMap) -> Result<PayloadVerifier, AuthError> {
        let spec = PayloadSpec::from_headers(self.payload, headers)?;
        PayloadVerifier::new(spec, self.chunk_signer.clone())
    }
}

/// The result of authenticating a request head.
#[derive(Debug, Clone)]
pub enum AuthOutcome {
    /// The request carries no authentication at all; the caller decides (deny until bucket
    /// policies allow anonymous access).
    Anonymous,
    /// The signature is valid.
    Authenticated(Box<Authenticated>),
}

impl AuthOutcome {
    /// The authenticated identity, if any.
    pub fn authenticated(&self) -> Option<&Authenticated> {
        match self {
            AuthOutcome::Anonymous => None,
            AuthOutcome::Authenticated(auth) => Some(auth),
        }
    }

    /// A verifier for the body. For anonymous requests the payload mode still comes from
    /// `x-amz-content-sha256` (unsigned, but a hash or trailer checksum is still checked);
    /// signed `aws-chunked` bodies are refused since there is no seed signature.
    pub fn payload_verifier(&self, headers: &HeaderMap) -> Result<PayloadVerifier, AuthError> {
        match self {
            AuthOutcome::Authenticated(auth) => auth.payload_verifier(headers),
            AuthOutcome::Anonymous => {
                let mode = match header_str(headers, "x-amz-content-sha256")? {
                    Some(value) => PayloadMode::parse(value)?,
                    None => PayloadMode::Unsigned,
                };
                PayloadVerifier::new(PayloadSpec::from_headers(mode, headers)?, None)
            }
        }
    }
}

/// Verifies SigV4 signatures against the credentials of a [`CredentialProvider`].
#[derive(Debug, Clone)]
pub struct Verifier<P> {
    config: VerifierConfig,
    credentials: P,
    pub(super) keys: SigningKeys,
}

impl<P: CredentialProvider> Verifier<P> {
    /// A verifier with the given settings and credential source.
    pub fn new(config: VerifierConfig, credentials: P) -> Self {
        Self {
            config,
            credentials,
            keys: SigningKeys::default(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Authenticates a request head at time `now`. The body is checked afterwards by the
    /// [`PayloadVerifier`] from [`AuthOutcome::payload_verifier`].
    pub fn verify(
        &self,
        req: &RequestParts<'_>,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        self.verify_inner(req, now, None)
    }

    /// Like [`Verifier::verify`], for small bodies the caller has already buffered: when the
    /// request has no `x-amz-content-sha256` (STS and IAM form posts), the signed payload
    /// hash is the SHA-256 of `body`.
    pub fn verify_with_body(
        &self,
        req: &RequestParts<'_>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        let hash = hex::encode(Sha256::digest(body));
        self.verify_inner(req, now, Some(hash))
    }

    fn verify_inner(
        &self,
        req: &RequestParts<'_>,
        now: SystemTime,
        body_hash: Option<String>,
    ) -> Result<AuthOutcome, AuthError> {
        let query = canonical::parse_query(req.query);
        let authorization = header_str(req.headers, "authorization")?;
        let presigning = ["X-Amz-Algorithm", "X-Amz-Credential", SIGNATURE_PARAM]
            .iter()
            .any(|name| has_param(&query, name));
        if authorization.is_some() && presigning {
            return Err(AuthError::InvalidArgument(
                "only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified".into(),
            ));
        }
        let presign = PresignParams::find(&query)?;
        match (authorization, presign) {
            // Both together were refused above.
            (Some(value), _) => self.verify_header(req, &query, value, now, body_hash),
            (None, Some(params)) => self.verify_presigned(req, &query, params, now),
            (None, None) if has_param(&query, "AWSAccessKeyId") => Err(AuthError::InvalidRequest(
                "the authorization mechanism you have provided is not supported; please use AWS4-HMAC-SHA256".into(),
            )),
            (None, None) => Ok(AuthOutcome::Anonymous),
        }
    }

    fn verify_header(
        &self,
        req: &RequestParts<'_>,
        query: &[QueryParam],
        authorization: &str,
        now: SystemTime,
        body_hash: Option<String>,
    ) -> Result<AuthOutcome, AuthError> {
        let fields = parse::parse_authorization(authorization)?;
        // A form body (read before authentication) is a query API request: IAM or STS.
        self.check_scope(&fields, Location::Header, body_hash.is_some())?;
        let (amz_date, request_time) = header_date(req.headers)?;
        check_scope_date(&fields, &amz_date, Location::Header)?;
        if time::distance(now, request_time) > self.config.max_skew {
            return Err(AuthError::RequestTimeTooSkewed);
        }
        check_all_signed(req.headers, &fields.signed_headers)?;
        let payload_hash = match (header_str(req.headers, "x-amz-content-sha256")?, body_hash) {
            (Some(value), _) => value.to_owned(),
            (None, Some(hash)) => hash,
            (None, None) => {
                return Err(AuthError::InvalidRequest(
                    "missing required header for this request: x-amz-content-sha256".into(),
                ))
            }
        };
        let payload = PayloadMode::parse(&payload_hash)?;
        let token = header_str(req.headers, "x-amz-security-token")?;
        let credential = self.credential(&fields.access_key, token, now)?;
        let input = CanonicalInput {
            method: req.method,
            raw_path: req.path,
            query,
            skip_query: &[],
            headers: req.headers,
            signed_headers: &fields.signed_headers,
            signed_headers_line: &fields.signed_headers_line,
            payload_hash: &payload_hash,
        };
        let signature = check_signature(
            &self.keys,
            &credential,
            &fields,
            &input,
            &amz_date,
            request_time,
        )?;
        let chunk_signer = payload.is_signed_streaming().then(|| {
            ChunkSigner::new(
                &credential.secret_key,
                request_time,
                &fields.scope.region,
                &fields.scope.service,
                &signature,
            )
        });
        Ok(authenticated(
            credential,
            fields,
            token,
            AuthMethod::Header,
            request_time,
            None,
            payload,
            chunk_signer,
        ))
    }

    fn verify_presigned(
        &self,
        req: &RequestParts<'_>,
        query: &[QueryParam],
        params: PresignParams,
        now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        let at = Location::Query;
        if params.algorithm != ALGORITHM {
            return Err(at.error(format!(
                "X-Amz-Algorithm only supports \"{ALGORITHM}\", not {:?}",
                params.algorithm
            )));
        }
        let (access_key, scope) = parse::parse_credential(&params.credential, at)?;
        let fields = SignatureFields {
            access_key,
            scope,
            signed_headers: parse::parse_signed_headers(&params.signed_headers, at)?,
            signed_headers_line: params.signed_headers,
            signature: parse::parse_signature(&params.signature, at)?,
        };
        self.check_scope(&fields, at, false)?;
        let request_time = time::parse_amz_date(&params.date).ok_or_else(|| {
            at.error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        })?;
        check_scope_date(&fields, &params.date, at)?;
        let expires = parse_expires(&params.expires)?;
        let not_before = request_time.checked_sub(self.config.max_skew);
        if not_before.is_some_and(|t| t > now) {
            return Err(AuthError::RequestNotYetValid);
        }
        let expires_at = request_time
            .checked_add(expires)
            .ok_or(AuthError::RequestExpired)?;
        if now > expires_at {
            return Err(AuthError::RequestExpired);
        }
        check_all_signed(req.headers, &fields.signed_headers)?;
        let payload_hash = params
            .content_sha256
            .as_deref()
            .unwrap_or("UNSIGNED-PAYLOAD");
        let payload = PayloadMode::parse(payload_hash)?;
        if payload.is_streaming() {
            return Err(AuthError::InvalidRequest(
                "a presigned URL cannot carry an aws-chunked body".into(),
            ));
        }
        let token = params.security_token.as_deref();
        let credential = self.credential(&fields.access_key, token, now)?;
        let input = CanonicalInput {
            method: req.method,
            raw_path: req.path,
            query,
            skip_query: &[SIGNATURE_PARAM],
            headers: req.headers,
            signed_headers: &fields.signed_headers,
            signed_headers_line: &fields.signed_headers_line,
            payload_hash,
        };
        check_signature(
            &self.keys,
            &credential,
            &fields,
            &input,
            &params.date,
            request_time,
        )?;
        Ok(authenticated(
            credential,
            fields,
            token,
            AuthMethod::Presigned,
            request_time,
            Some(expires_at),
            payload,
            None,
        ))
    }

    /// `form`: the request is a form POST, which may also be scoped to a query API service.
    pub(super) fn check_scope(
        &self,
        fields: &SignatureFields,
        at: Location,
        form: bool,
    ) -> Result<(), AuthError> {
        let scope = &fields.scope;
        if let Some(region) = &self.config.region {
            if &scope.region != region {
                return Err(at.error(format!(
                    "the region '{}' is wrong; expecting '{region}'",
                    scope.region
                )));
            }
        }
        let query_api = form && QUERY_API_SERVICES.contains(&scope.service.as_str());
        if !query_api && !self.config.services.iter().any(|s| s == &scope.service) {
            return Err(at.error(format!(
                "the service '{}' in the credential scope is not accepted here",
                scope.service
            )));
        }
        Ok(())
    }

    /// Looks the key up and checks the session token and expiry.
    pub(super) fn credential(
        &self,
        access_key: &str,
        token: Option<&str>,
        now: SystemTime,
    ) -> Result<Credential, AuthError> {
        let token = token.filter(|t| !t.is_empty());
        // A request with a token may sign with a temporary key that only the token holds.
        let credential = match token {
            Some(token) => self.credentials.lookup_session(access_key, token)?,
            None => self
                .credentials
                .lookup(access_key)
                .ok_or(AuthError::InvalidAccessKeyId)?,
        };
        let token_ok = match (&credential.session_token, token) {
            (Some(expected), Some(given)) => {
                bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
            }
            (None, None) => true,
            _ => false,
        };
        if !token_ok {
            return Err(AuthError::InvalidToken);
        }
        if credential.expires_at.is_some_and(|at| now >= at) {
            return Err(AuthError::ExpiredToken);
        }
        Ok(credential)
    }
}

#[allow(clippy::too_many_arguments)] // one constructor call per auth method, all fields named
pub(super) fn authenticated(
    credential: Credential,
    fields: SignatureFields,
    token: Option<&str>,
    method: AuthMethod,
    request_time: SystemTime,
    expires_at: Option<SystemTime>,
    payload: PayloadMode,
    chunk_signer: Option<ChunkSigner>,
) -> AuthOutcome {
    AuthOutcome::Authenticated(Box::new(Authenticated {
        access_key: credential.access_key,
        identity: credential.identity,
        session_token: token.filter(|t| !t.is_empty()).map(str::to_owned),
        method,
        region: fields.scope.region,
        service: fields.scope.service,
        request_time,
        expires_at,
        payload,
        chunk_signer,
    }))
}

/// Recomputes the signature and compares it in constant time; returns it (the seed of a
/// chunk chain) on success.
fn check_signature(
    keys: &SigningKeys,
    credential: &Credential,
    fields: &SignatureFields,
    input: &CanonicalInput<'_>,
    amz_date: &str,
    request_time: SystemTime,
) -> Result<String, AuthError> {
    let creq = canonical::canonical_request(input);
    let sts = canonical::string_to_sign(amz_date, &fields.scope.to_line(), &creq);
    let key = keys.get(
        &credential.secret_key,
        &fields.scope.date,
        request_time,
        &fields.scope.region,
        &fields.scope.service,
    );
    let computed = calculate_signature(key, sts.as_bytes());
    if bool::from(computed.as_bytes().ct_eq(fields.signature.as_bytes())) {
        Ok(computed)
    } else {
        Err(AuthError::SignatureDoesNotMatch)
    }
}

/// The request time from `x-amz-date`, else `Date`, as (ISO basic string, instant).
fn header_date(headers: &HeaderMap) -> Result<(String, SystemTime), AuthError> {
    const INVALID: AuthError =
        AuthError::AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
    if let Some(value) = header_str(headers, "x-amz-date")? {
        let time = time::parse_amz_date(value).ok_or(INVALID)?;
        return Ok((value.to_owned(), time));
    }
    let value = header_str(headers, "date")?.ok_or(INVALID)?;
    let time = time::parse_http_date(value).ok_or(INVALID)?;
    Ok((time::format_amz_date(time), time))
}

/// The scope date must be the day of the request time.
pub(super) fn check_scope_date(
    fields: &SignatureFields,
    amz_date: &str,
    at: Location,
) -> Result<(), AuthError> {
    if amz_date.get(..8) == Some(fields.scope.date.as_str()) {
        Ok(())
    } else {
        Err(at.error(format!(
            "invalid credential date \"{}\"; this date is not the same as the request date",
            fields.scope.date
        )))
    }
}

/// `host` and every `x-amz-*` header present must be covered by the signature, or a third
/// party could add them to a signed request (or a presigned URL).
fn check_all_signed(headers: &HeaderMap, signed: &[String]) -> Result<(), AuthError> {
    let is_signed = |name: &str| signed.iter().any(|s| s == name);
    if !is_signed("host") {
        return Err(AuthError::UnsignedHeaders("host".into()));
    }
    let mut unsigned: Vec<&str> = headers
        .keys()
        .map(|name| name.as_str())
        .filter(|name| {
            name.starts_with("x-amz-") && !UNSIGNED_OK.contains(name) && !is_signed(name)
        })
        .collect();
    if unsigned.is_empty() {
        return Ok(());
    }
    unsigned.sort_unstable();
    unsigned.dedup();
    Err(AuthError::UnsignedHeaders(unsigned.join(", ")))
}

fn parse_expires(value: &str) -> Result<Duration, AuthError> {
    let at = Location::Query;
    if value.is_empty() || value.len() > 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(at.error("X-Amz-Expires should be a non-negative number of seconds"));
    }
    let secs: u64 = value
        .parse()
        .map_err(|_| at.error("X-Amz-Expires should be a number"))?;
    let expires = Duration::from_secs(secs);
    if expires > MAX_PRESIGNED_EXPIRY {
        return Err(at.error("X-Amz-Expires must be less than a week (in seconds) that is 604800"));
    }
    Ok(expires)
}
