//! `AssumeRoleWithLDAPIdentity` (MinIO's extension): a directory user signs in with its
//! user name and password (`LDAPUsername`, `LDAPPassword`); its groups (and its own DN)
//! map to roles in `[ldap]`, and it gets a session of one of them. Unsigned, like
//! `AssumeRoleWithWebIdentity`: the password is the credential.
//!
//! An unknown user, several matching entries and a wrong password answer the same
//! AccessDenied; only the metric and the log tell them apart. A directory that cannot be
//! asked answers 503: never a session.

use strata_sts::session::SessionSource;

use super::grant::{issue, session_terms, validation, Carried, Params};
use super::ldap_session::{choose_role, session_name, NoRole};
use super::xml::AssumeRoleWithLdapIdentityResult;
use crate::ldap::{mapped_roles, LoginError};
use crate::query_api::{respond, QueryRequest};
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

const ACTION: &str = "AssumeRoleWithLDAPIdentity";

/// The one answer to a refused user name or password, whichever it was.
pub const SIGN_IN_REFUSED: &str = "LDAP sign-in failed: the user name or password is not valid";

/// The longest `LDAPUsername` taken (MinIO and directories take far less in practice).
const MAX_USER_NAME: usize = 256;

/// An error answer and the reason the metric counts it under.
struct Refusal {
    reason: &'static str,
    error: S3Error,
}

fn refuse(reason: &'static str, error: S3Error) -> Refusal {
    Refusal { reason, error }
}

/// Signs the user in, chooses the role, issues; counts the outcome.
pub async fn assume_role_with_ldap_identity(
    ctx: &Ctx,
    req: &QueryRequest<'_>,
) -> Result<Response, S3Error> {
    match sign_in_and_issue(ctx, req).await {
        Ok(response) => {
            ctx.sts.metrics.ldap_sign_in("success");
            Ok(response)
        }
        Err(Refusal { reason, error }) => {
            ctx.sts.metrics.ldap_sign_in(reason);
            tracing::info!(reason, code = error.code.as_str(), "LDAP sign-in refused");
            Err(error.denied_because(reason))
        }
    }
}

async fn sign_in_and_issue(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, Refusal> {
    let invalid = |e| refuse("invalid_request", e);
    let directory = ctx.sts.ldap.as_ref().ok_or_else(|| {
        refuse(
            "not_configured",
            Code::InvalidAction.with(
                "AssumeRoleWithLDAPIdentity is not enabled: strata's config file has no [ldap] table",
            ),
        )
    })?;
    let user_name = req.form.required("LDAPUsername").map_err(invalid)?;
    if user_name.is_empty() || user_name.len() > MAX_USER_NAME {
        return Err(invalid(validation(
            "LDAPUsername",
            "must be 1 to 256 characters",
        )));
    }
    let password = req.form.required("LDAPPassword").map_err(invalid)?;
    let (duration, policies) = session_terms(req.form).map_err(invalid)?;
    let asked_role = req.form.get("RoleArn");

    let signed_in = directory
        .sign_in(user_name, password)
        .await
        .map_err(|e| sign_in_error(&e))?;
    let mapped = mapped_roles(
        &directory.config().role_mappings,
        &signed_in.user_dn,
        &signed_in.group_dns,
    );
    let role_arn = choose_role(&mapped, asked_role).map_err(|no| {
        let error = match no {
            NoRole::NoneMapped => Code::AccessDenied.with(
                "LDAP sign-in refused: the user is in no group mapped to a role ([[ldap.role_mappings]])",
            ),
            NoRole::NotMapped => Code::AccessDenied.with(format!(
                "Not authorized to perform sts:AssumeRoleWithLDAPIdentity on resource: {}",
                asked_role.unwrap_or_default()
            )),
            NoRole::ChoiceNeeded(n) => Code::ValidationError.with(format!(
                "the user's groups map to {n} roles: give RoleArn to choose one"
            )),
        };
        refuse(no.reason(), error)
    })?;
    let snapshot = ctx.owners.store().snapshot();
    let role = snapshot.role_by_arn(role_arn).ok_or_else(|| {
        tracing::warn!(
            role = role_arn,
            "[[ldap.role_mappings]] names a role that does not exist"
        );
        refuse(
            "role_missing",
            Code::AccessDenied.with(format!(
                "Not authorized to perform sts:AssumeRoleWithLDAPIdentity on resource: {role_arn}"
            )),
        )
    })?;
    let session_name = session_name(user_name);
    let params = Params {
        role_arn,
        session_name: &session_name,
        duration,
        policies,
    };
    let duration = params.duration_for(role, None).map_err(invalid)?;
    let source = SessionSource::WebIdentity {
        provider: directory.config().url.clone(),
        subject: signed_in.user_dn.clone(),
    };
    let issued = issue(
        &ctx.sts.sealer,
        &snapshot,
        role,
        &params,
        source,
        Carried::default(),
        duration,
    )
    .map_err(|e| refuse("issue_failed", e))?;
    tracing::info!(role = %role.arn(), session = %session_name, user_dn = %signed_in.user_dn, groups = signed_in.group_dns.len(), duration, "LDAP session issued");
    let result = AssumeRoleWithLdapIdentityResult {
        credentials: issued.credentials,
        assumed_role_user: issued.user,
        packed_policy_size: issued.packed_policy_size,
    };
    respond(req.service, ACTION, req.request_id, Some(&result))
        .map_err(|e| refuse("issue_failed", e))
}

/// The answer to a failed sign-in: refusals alike (no user enumeration), the directory's
/// failures as 503 with what failed, an empty password as the invalid request it is.
fn sign_in_error(e: &LoginError) -> Refusal {
    let reason = e.reason();
    if !e.is_refusal() {
        tracing::warn!(reason, error = %e, "LDAP directory failure: no session issued");
    }
    let error = match e {
        LoginError::EmptyPassword => validation("LDAPPassword", "must not be empty"),
        e if e.is_refusal() => Code::AccessDenied.with(SIGN_IN_REFUSED),
        LoginError::Unreachable { detail, .. } => Code::ServiceUnavailable.with(format!(
            "the LDAP directory is unreachable ({detail}); no session was issued"
        )),
        LoginError::Tls { detail, .. } => Code::ServiceUnavailable.with(format!(
            "TLS with the LDAP directory failed ({detail}); no session was issued"
        )),
        _ => Code::ServiceUnavailable.with(
            "the LDAP directory could not check the sign-in (see strata's log); no session was issued",
        ),
    };
    refuse(reason, error)
}
