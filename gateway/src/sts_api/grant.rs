//! What the issuing actions share: the role actions' parameters (`AssumeRole`,
//! `AssumeRoleWithWebIdentity`, `AssumeRoleWithLDAPIdentity`), checked in AWS's terms, and
//! the sealing of a session (theirs, `GetSessionToken`'s and `GetFederationToken`'s).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strata_sts::session::{
    SealError, SessionClaims, SessionGrant, SessionSealer, SessionSource, SessionTag,
};

use super::session_policies::SessionPolicies;
use super::xml::{AssumedRoleUser, Credentials};
use crate::iam::{session_arn, RoleRef, Snapshot};
use crate::query_api::Form;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::iso8601;

/// Shortest session, seconds.
const MIN_DURATION: u64 = 900;
/// Longest session any role may allow, seconds.
const MAX_DURATION: u64 = 43_200;
/// A session without `DurationSeconds`, seconds.
const DEFAULT_DURATION: u64 = 3600;

/// The parameters both actions take.
pub struct Params<'a> {
    /// `RoleArn`.
    pub role_arn: &'a str,
    /// `RoleSessionName`, checked.
    pub session_name: &'a str,
    /// `DurationSeconds`, if given (within 900..=43200).
    pub duration: Option<u64>,
    /// `Policy` and `PolicyArns`, checked and their size within bounds.
    pub policies: SessionPolicies<'a>,
}

impl<'a> Params<'a> {
    /// Reads and checks the parameters of `form`.
    pub fn read(form: &'a Form) -> Result<Params<'a>, S3Error> {
        let role_arn = form.required("RoleArn")?;
        if !(20..=2048).contains(&role_arn.len()) || !role_arn.starts_with("arn:") {
            return Err(validation(
                "RoleArn",
                "must be an ARN of 20 to 2048 characters",
            ));
        }
        let session_name = form.required("RoleSessionName")?;
        if !session_name_ok(session_name) {
            return Err(validation(
                "RoleSessionName",
                "must be 2 to 64 characters of [\\w+=,.@-]",
            ));
        }
        let (duration, policies) = session_terms(form)?;
        Ok(Params {
            role_arn,
            session_name,
            duration,
            policies,
        })
    }

    /// The session's length: as asked (or one hour), within the role's maximum and `cap`.
    pub fn duration_for(&self, role: RoleRef<'_>, cap: Option<u64>) -> Result<u64, S3Error> {
        let duration = self.duration.unwrap_or(DEFAULT_DURATION);
        let max = u64::from(role.record.max_session_secs).min(cap.unwrap_or(MAX_DURATION));
        if duration > max {
            return Err(Code::ValidationError.with(format!(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({max} seconds)."
            )));
        }
        Ok(duration)
    }
}

/// `DurationSeconds` (within 900..=43200) and the session policies (checked, their size
/// within bounds), which the role actions take.
pub fn session_terms(form: &Form) -> Result<(Option<u64>, SessionPolicies<'_>), S3Error> {
    let duration = form.number("DurationSeconds", MIN_DURATION..=MAX_DURATION)?;
    Ok((duration, SessionPolicies::read(form)?))
}

pub(super) fn validation(name: &str, rule: &str) -> S3Error {
    Code::ValidationError.with(format!(
        "1 validation error detected: value at '{name}' failed to satisfy constraint: {rule}"
    ))
}

/// 2 to 64 of `[\w+=,.@-]`.
pub(super) fn session_name_ok(name: &str) -> bool {
    name_ok(name, 64)
}

/// 2 to `max` of `[\w+=,.@-]`: role session and federated user names.
pub(super) fn name_ok(name: &str, max: usize) -> bool {
    (2..=max).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// An issued session: the keys and who they act as.
pub struct Issued {
    /// The credentials element.
    pub credentials: Credentials,
    /// The assumed-role user element.
    pub user: AssumedRoleUser,
    /// `PackedPolicySize`: the session policies' and tags' share of their limit, in percent.
    pub packed_policy_size: u32,
}

/// Seals a session of `role` (of `snapshot`) named `params.session_name`, carrying
/// `carried`, for `duration` seconds; its managed session policies must be the role
/// account's.
pub fn issue(
    sealer: &SessionSealer,
    snapshot: &Snapshot,
    role: RoleRef<'_>,
    params: &Params<'_>,
    source: SessionSource,
    carried: Carried,
    duration: u64,
) -> Result<Issued, S3Error> {
    params.policies.check_managed(snapshot, role.account_id)?;
    let sealed = seal(
        sealer,
        Session {
            account_id: role.account_id,
            role: Some((role.arn(), &role.record.id)),
            name: params.session_name,
            source,
            policies: &params.policies,
            carried,
            duration,
        },
    )?;
    Ok(Issued {
        credentials: sealed.credentials,
        user: AssumedRoleUser {
            assumed_role_id: format!("{}:{}", role.record.id, params.session_name),
            arn: session_arn(role.account_id, role.name, params.session_name),
        },
        packed_policy_size: sealed.packed_policy_size,
    })
}

/// What one session is: what [`SessionGrant`] holds, before the clock is read.
pub struct Session<'a> {
    /// The account the session acts in.
    pub account_id: &'a str,
    /// The role's ARN and unique id, for a role session.
    pub role: Option<(String, &'a str)>,
    /// The role session's or federated user's name; empty for `GetSessionToken`.
    pub name: &'a str,
    /// How it was obtained.
    pub source: SessionSource,
    /// The session policies, checked.
    pub policies: &'a SessionPolicies<'a>,
    /// Session tags and the source identity.
    pub carried: Carried,
    /// Seconds from now.
    pub duration: u64,
}

/// What a session carries besides its policies: session tags (checked), the keys of those
/// that pass on through role chaining, and the source identity.
#[derive(Debug, Default)]
pub struct Carried {
    /// Session tags.
    pub tags: Vec<SessionTag>,
    /// The keys of `tags` that are transitive.
    pub transitive_tag_keys: Vec<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
}

/// Sealed credentials, and the share of the packed limit their policy takes.
pub struct Sealed {
    /// The credentials element.
    pub credentials: Credentials,
    /// `PackedPolicySize`, in percent.
    pub packed_policy_size: u32,
}

/// Seals `session` from now.
pub fn seal(sealer: &SessionSealer, session: Session<'_>) -> Result<Sealed, S3Error> {
    let packed_policy_size = session.policies.packed_size(&session.carried.tags)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let expires_at = now + session.duration;
    let (role_arn, role_id) = session
        .role
        .map_or((String::new(), String::new()), |(arn, id)| {
            (arn, id.to_string())
        });
    let claims = SessionClaims::generate(SessionGrant {
        account_id: session.account_id.to_string(),
        role_arn,
        role_id,
        session_name: session.name.to_string(),
        source: session.source,
        session_policy: session.policies.inline.map(str::to_string),
        policy_arns: session.policies.owned_arns(),
        session_tags: session.carried.tags,
        transitive_tag_keys: session.carried.transitive_tag_keys,
        source_identity: session.carried.source_identity,
        issued_at: now,
        expires_at,
    })
    .map_err(seal_error)?;
    let token = sealer.seal(&claims).map_err(seal_error)?;
    Ok(Sealed {
        credentials: Credentials {
            access_key_id: claims.access_key_id,
            secret_access_key: claims.secret_access_key,
            session_token: token,
            expiration: iso8601(UNIX_EPOCH + Duration::from_secs(expires_at)),
        },
        packed_policy_size,
    })
}

fn seal_error(e: SealError) -> S3Error {
    match e {
        SealError::TooLarge { .. } => Code::PackedPolicyTooLarge.with(e.to_string()),
        _ => Code::InternalError.with(format!("issuing the session: {e}")),
    }
}
