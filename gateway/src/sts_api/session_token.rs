//! `GetSessionToken`: the caller's own permissions as temporary credentials. It needs no
//! permission (as on AWS); the credentials may not call the IAM API, nor STS beyond
//! `AssumeRole` and `GetCallerIdentity` (`handle`).

use strata_sts::session::SessionSource;

use super::grant::{seal, Carried, Session};
use super::long_term::{duration, long_term_caller};
use super::session_policies::SessionPolicies;
use super::xml::GetSessionTokenResult;
use crate::query_api::{respond, QueryRequest};
use crate::s3::error::S3Error;
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Issues a session of the signer itself.
pub fn get_session_token(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let caller = long_term_caller(req, "GetSessionToken")?;
    let duration = duration(req.form, caller)?;
    let sealed = seal(
        &ctx.sts.sealer,
        Session {
            account_id: &caller.account.id,
            role: None,
            name: "",
            source: SessionSource::SessionToken {
                parent_arn: caller.arn.clone(),
                parent_id: caller.user_id.clone(),
            },
            policies: &SessionPolicies::default(),
            carried: Carried::default(),
            duration,
        },
    )?;
    tracing::info!(caller = %caller.arn, duration, "session token issued");
    let result = GetSessionTokenResult {
        credentials: sealed.credentials,
    };
    respond(
        req.service,
        "GetSessionToken",
        req.request_id,
        Some(&result),
    )
}
