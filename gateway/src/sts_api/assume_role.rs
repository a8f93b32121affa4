//! `AssumeRole`: a signed caller asks for a session of a role its trust policy names, with
//! session tags and a source identity if it likes (and if the trust policy allows them).

use strata_sts::session::SessionSource;

use super::carried::carried_by;
use super::grant::{issue, Params};
use super::trust::allows_assume_role;
use super::xml::AssumeRoleResult;
use crate::auth::Principal;
use crate::identity::IdentityKind;
use crate::query_api::{respond, QueryRequest};
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// A session of a session ("role chaining") lasts at most an hour, as on AWS.
const CHAINED_MAX: u64 = 3600;

/// Checks the parameters, the trust policy and the caller's own policies, then issues.
pub fn assume_role(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let Principal::Key { identity, .. } = req.caller else {
        return Err(Code::AccessDenied.with("AssumeRole must be signed"));
    };
    let params = Params::read(req.form)?;
    let snapshot = ctx.owners.store().snapshot();
    let denied = || {
        Code::AccessDenied.with(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
            identity.arn, params.role_arn
        ))
    };
    // A missing role and a refused one answer alike: the caller learns nothing of roles
    // it may not assume.
    let carried = carried_by(req.form, identity)?;
    let role = snapshot.role_by_arn(params.role_arn).ok_or_else(denied)?;
    let external_id = req.form.get("ExternalId");
    let trusted = allows_assume_role(
        role,
        identity,
        params.session_name,
        external_id,
        &carried,
        req.global_keys,
    );
    if !trusted {
        return Err(denied());
    }
    let chained = matches!(identity.kind, IdentityKind::RoleSession { .. });
    let duration = params.duration_for(role, chained.then_some(CHAINED_MAX))?;
    let source = SessionSource::AssumeRole {
        principal_arn: identity.arn.clone(),
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
    tracing::info!(role = %role.arn(), session = params.session_name, caller = %identity.arn, duration, "role session issued");
    let result = AssumeRoleResult {
        credentials: issued.credentials,
        assumed_role_user: issued.user,
        packed_policy_size: issued.packed_policy_size,
    };
    respond(req.service, "AssumeRole", req.request_id, Some(&result))
}
