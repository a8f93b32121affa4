//! Who may call the IAM API: an account's root over its own account; anyone else as far as
//! its identity policies (capped by its boundary and session policy) allow `iam:ACTION` on
//! the resource's ARN. The authorizer lets every form POST through (its action is known only
//! here), so this is the only check an IAM action gets.

use std::sync::Arc;

use strata_policy::{decide, ConditionContext, DecisionEffect, Evaluation, Policy, Request};

use crate::auth::Principal;
use crate::identity::{Identity, Temporary};
use crate::metrics::{DenialReason, IdentityMetrics};
use crate::s3::error::{Code, S3Error};

/// The identity of a signed caller; unsigned callers may do nothing with IAM (counted into
/// `metrics` as `anonymous`), nor may the temporary credentials of `GetSessionToken` (AWS
/// lets them only with MFA, which strata does not have) and `GetFederationToken`, answered
/// as AWS answers them.
pub fn signed(principal: &Principal, metrics: &IdentityMetrics) -> Result<Arc<Identity>, S3Error> {
    match principal {
        Principal::Key { identity, .. } => match identity.temporary {
            Some(Temporary::SessionToken) => Err(Code::InvalidClientTokenId.with(
                "the IAM API takes no GetSessionToken credentials without MFA, which strata does not have",
            )),
            Some(Temporary::FederationToken) => Err(Code::AccessDenied
                .with("the IAM API takes no GetFederationToken credentials")),
            Some(Temporary::RoleSession) | None => Ok(identity.clone()),
        },
        Principal::Anonymous => {
            metrics.denied(DenialReason::Anonymous);
            Err(Code::AccessDenied
                .with("IAM requests must be signed")
                .denied_because(DenialReason::Anonymous.as_str()))
        }
    }
}

/// Allows `identity` to do `action` (a whole action name, `iam:CreateUser`) on `arn`, a
/// resource of the caller's own account, or says why not in AWS's words; a refusal is
/// counted into `metrics` by its reason, as the S3 authorizer counts its own. Conditions
/// see the request's keys in `context` (and the caller's, which every request has).
pub fn authorize(
    identity: &Identity,
    action: &str,
    arn: &str,
    context: &dyn ConditionContext,
    metrics: &IdentityMetrics,
) -> Result<(), S3Error> {
    if identity.is_root() {
        return Ok(());
    }
    let mut tags = Vec::new();
    let caller = identity.caller(&mut tags);
    let request = Request {
        action,
        resource: Some(arn),
        caller: &caller,
        context,
    };
    let policies: Vec<&Policy> = identity.policies.iter().map(|p| p.as_ref()).collect();
    let sessions: Vec<&Policy> = identity
        .session_policies
        .iter()
        .map(|p| p.as_ref())
        .collect();
    let decision = decide(&Evaluation {
        request: &request,
        identity: &policies,
        resource_policy: None,
        resource_owner: Some(&identity.account.id),
        session_policies: &sessions,
        boundary: identity.boundary.as_deref(),
        acl_grant: false,
    });
    let Some(reason) = DenialReason::of(decision) else {
        return Ok(());
    };
    metrics.denied(reason);
    let how = match decision.effect {
        DecisionEffect::ExplicitDeny => " with an explicit deny",
        _ => "",
    };
    Err(Code::AccessDenied
        .with(format!(
            "User: {} is not authorized to perform: {action} on resource: {arn}{how}",
            identity.arn
        ))
        .denied_because(reason.as_str()))
}
