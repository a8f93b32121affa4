//! `AssumeRoleWithWebIdentity`: the holder of a token from a configured OpenID Connect (or
//! Kubernetes service-account) issuer asks for a session of a role that trusts the issuer.
//! The request needs no signature: the token is the credential.

use strata_sts::session::SessionSource;
use strata_sts::web_identity::WebIdentityError;

use super::carried::carried_by_token;
use super::grant::{issue, Params};
use super::trust::allows_web_identity;
use super::xml::AssumeRoleWithWebIdentityResult;
use crate::query_api::{respond, QueryRequest};
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Verifies the token, checks the trust policy, then issues.
pub async fn assume_role_with_web_identity(
    ctx: &Ctx,
    req: &QueryRequest<'_>,
) -> Result<Response, S3Error> {
    let params = Params::read(req.form)?;
    let token = req.form.required("WebIdentityToken")?;
    let verifier = ctx.sts.web_identity.as_ref().ok_or_else(|| {
        Code::InvalidIdentityToken.with("no identity provider is configured ([[sts.providers]])")
    })?;
    let web = verifier.verify(token).await.map_err(token_error)?;
    let snapshot = ctx.owners.store().snapshot();
    let denied = || {
        Code::AccessDenied.with(format!(
            "Not authorized to perform sts:AssumeRoleWithWebIdentity on resource: {}",
            params.role_arn
        ))
    };
    let carried = carried_by_token(&web.claims)?;
    let role = snapshot.role_by_arn(params.role_arn).ok_or_else(denied)?;
    if !allows_web_identity(role, &web, params.session_name, &carried, req.global_keys) {
        return Err(denied());
    }
    let duration = params.duration_for(role, None)?;
    let source = SessionSource::WebIdentity {
        provider: web.condition_key_prefix.clone(),
        subject: web.subject.clone(),
    };
    let issued = issue(
        &ctx.sts.sealer,
        &snapshot,
        role,
        &params,
        source,
        carried,
        duration,
    )?;
    tracing::info!(role = %role.arn(), session = params.session_name, provider = %web.condition_key_prefix, subject = %web.subject, duration, "web identity session issued");
    let result = AssumeRoleWithWebIdentityResult {
        credentials: issued.credentials,
        subject_from_web_identity_token: web.subject,
        assumed_role_user: issued.user,
        packed_policy_size: issued.packed_policy_size,
        provider: web.condition_key_prefix,
        audience: web.audience,
    };
    respond(
        req.service,
        "AssumeRoleWithWebIdentity",
        req.request_id,
        Some(&result),
    )
}

/// The STS error of a refused token, beside the verifier's own code for it.
fn token_error(e: WebIdentityError) -> S3Error {
    let code = match e {
        WebIdentityError::ExpiredToken { .. } => Code::ExpiredTokenException,
        WebIdentityError::IdpCommunicationError { .. } => Code::IDPCommunicationError,
        _ => Code::InvalidIdentityToken,
    };
    code.with(e.to_string())
}
