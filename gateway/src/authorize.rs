//! The request stack's authorization stage, as a narrow trait: whether a principal may do
//! each action a request needs (`s3::actions`), with the request's condition keys.
//! [`PolicyAuthorizer`] decides with the identity's policies, the buckets' owners, their
//! bucket policies and ACLs, and their Block Public Access settings. The admin API's actions
//! are decided here too, on the server as a resource of the root account.

use strata_policy::{decide, Caller, ConditionContext, Evaluation, Outcome, Policy, Request};
use strata_volume::{Refusal, Store};

use crate::auth::Principal;
use crate::bucket_access::{
    bucket_permission, object_permission, Acl, AclCaller, AclMatch, BucketAccess, BucketPolicy,
    Controls,
};
use crate::iam::Owners;
use crate::identity::Identity;
use crate::metrics::{DenialReason, IdentityMetrics};
use crate::s3::actions::{Deferred, Need, RequiredActions};
use crate::s3::condition_keys::{LazyTags, WithExistingTags};
use crate::s3::error::{Code, S3Error};
use crate::s3::operation::Operation;
use object::{acts_on_existing_object, ForeignObject};

/// One request's question to the authorizer.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    /// Who asks.
    pub principal: &'a Principal,
    /// The routed operation.
    pub op: Operation,
    /// Every action on every resource the request needs (the up-front ones are checked).
    pub needs: &'a RequiredActions<'a>,
    /// The request's condition keys.
    pub context: &'a (dyn ConditionContext + Sync),
}

/// Decides whether a request may proceed.
pub trait Authorize: Send + Sync {
    /// `Ok` to proceed; S3's `AccessDenied` (or another refusal) otherwise.
    fn authorize(&self, access: &Access<'_>) -> Result<(), S3Error>;

    /// One need an operation discovers itself (a `DeleteObjects` entry, a copy source's
    /// tags), for the same principal and condition keys.
    fn authorize_need(
        &self,
        principal: &Principal,
        need: &Need<'_>,
        context: &(dyn ConditionContext + Sync),
    ) -> Result<(), S3Error>;

    /// An admin action (`strata:Shutdown`, ...) on the server ([`ADMIN_RESOURCE`]).
    fn authorize_admin(
        &self,
        principal: &Principal,
        action: &str,
        context: &(dyn ConditionContext + Sync),
    ) -> Result<(), S3Error>;
}

/// The resource admin actions (`strata:*`) act on: the server itself.
pub const ADMIN_RESOURCE: &str = "arn:aws:strata:::admin";

/// AWS's evaluation: identity policies, bucket policies and bucket ACLs, same-account and
/// cross-account (another account's principal needs both its own policies' Allow and the
/// bucket's grant, by policy or ACL); an account's root may do everything with its own
/// account's buckets that their bucket policy does not explicitly deny, except with
/// objects another account owns there, which their owner grants (`authorize_object.rs`);
/// anonymous callers
/// what a bucket policy or ACL grants everyone. The server itself ([`ADMIN_RESOURCE`]) belongs to the root
/// account: its root may administer it, and its users and roles as far as their policies
/// grant `strata:*` actions; other accounts never (no resource policy opens it).
pub struct PolicyAuthorizer {
    store: Store,
    access: BucketAccess,
    /// The accounts by id and canonical id; its root owns buckets made before accounts
    /// existed, and the server.
    owners: Owners,
    metrics: IdentityMetrics,
}

impl PolicyAuthorizer {
    /// An authorizer reading bucket owners from `store`, the buckets' policies, ACLs and
    /// settings from `access`, and accounts from `owners`.
    pub fn new(store: Store, owners: Owners, access: BucketAccess) -> PolicyAuthorizer {
        PolicyAuthorizer {
            store,
            access,
            owners,
            metrics: IdentityMetrics::default(),
        }
    }

    /// The same, counting refusals into `metrics` (`strata_iam_policy_denials_total`).
    pub fn counting_into(mut self, metrics: IdentityMetrics) -> PolicyAuthorizer {
        self.metrics = metrics;
        self
    }

    /// The account owning `bucket`; `None` when there is no such bucket (the caller's own to
    /// create, or to be told `NoSuchBucket` about once its policies allow the action).
    fn owner(&self, bucket: &str) -> Result<Option<String>, S3Error> {
        match self.store.bucket_owner(bucket) {
            Ok(owner) => Ok(Some(self.owners.owner_id(owner.as_deref()).to_string())),
            Err(strata_volume::Error::Refused(Refusal::NoSuchBucket)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// One need of `principal`'s request: the identity's policies, the bucket's policy, ACL
    /// and owner, combined as AWS combines them.
    fn check(
        &self,
        principal: &Principal,
        need: &Need<'_>,
        context: &(dyn ConditionContext + Sync),
        creating: bool,
    ) -> Result<(), S3Error> {
        let object = need
            .resource
            .as_ref()
            .filter(|_| acts_on_existing_object(need.action))
            .and_then(|r| Some((r, r.key.as_deref()?)));
        let Some((resource, key)) = object else {
            return self.check_with(principal, need, context, creating);
        };
        // The object's tags answer `s3:ExistingObjectTag/*`, read only if a policy asks.
        let tags = LazyTags::new(|| {
            match self
                .store
                .object_tags_now(&resource.bucket, key, resource.version.as_deref())
            {
                Ok(tags) => Ok(tags),
                // No such object: no tags; the handler answers NoSuchKey if allowed.
                Err(strata_volume::Error::Refused(_)) => Ok(Vec::new()),
                Err(e) => Err(S3Error::from(e)),
            }
        });
        let decided = self.check_with(
            principal,
            need,
            &WithExistingTags::new(context, &tags),
            creating,
        );
        // Tags that could not be read decide nothing: a Deny on them would have been skipped.
        match tags.into_error() {
            Some(e) => Err(e),
            None => decided,
        }
    }

    /// [`PolicyAuthorizer::check`] with the condition keys of this need.
    fn check_with(
        &self,
        principal: &Principal,
        need: &Need<'_>,
        context: &(dyn ConditionContext + Sync),
        creating: bool,
    ) -> Result<(), S3Error> {
        // Creating asks the caller's own account; a name another account holds is the
        // handler's `BucketAlreadyExists`, as on AWS.
        let (owner, controls) = match &need.resource {
            Some(resource) if !creating => (
                self.owner(&resource.bucket)?,
                Some(self.access.get(&resource.bucket)?),
            ),
            _ => (None, None),
        };
        let controls = controls.as_deref();
        let object_acl = match controls {
            Some(c) => self.object_acl(c, need)?,
            None => None,
        };
        let Principal::Key { identity, .. } = principal else {
            return self.check_anonymous(need, context, owner.as_deref(), controls, object_acl);
        };
        let owner = owner.as_deref().unwrap_or(&identity.account.id);
        if let (Some(controls), Some(acl)) = (controls, &object_acl) {
            if let Some(object_owner) = self.foreign_owner(acl, owner) {
                let object = ForeignObject {
                    owner: &object_owner,
                    acl,
                };
                return self.check_foreign_object(identity, need, context, controls, object);
            }
        }
        let own_root = identity.is_root() && owner == identity.account.id;
        let policy = controls.map_or(&BucketPolicy::None, |c| &c.policy);
        let resource_policy = match policy {
            BucketPolicy::None => None,
            // As on AWS, the owner's root can always manage the policy, so that a policy
            // that denies everyone cannot lock the bucket for good.
            _ if own_root && BUCKET_POLICY_ACTIONS.contains(&need.action) => return Ok(()),
            BucketPolicy::Some(policy) => Some(policy.as_ref()),
            BucketPolicy::Unreadable(_) => {
                self.refuse(DenialReason::Unevaluated);
                return Err(unreadable_policy().denied_because(DenialReason::Unevaluated.as_str()));
            }
        };
        let resource = match &need.resource {
            // An account's root over its own resources with no bucket policy needs no ARN:
            // nothing to build.
            _ if own_root && resource_policy.is_none() => None,
            Some(resource) => Some(resource.arn()),
            None => None,
        };
        let same_account = owner == identity.account.id;
        // An account grant speaks for the account: its root, or (across accounts, where the
        // caller's own policies must allow too) any of its principals. Within the owner's
        // account, users need their policies.
        let acl_grant = match controls {
            Some(c) if !own_root => {
                let found = self.acl_match(
                    c,
                    need,
                    object_acl.as_ref(),
                    Some(&identity.account.canonical_id),
                );
                grants_caller(found, identity, same_account)
            }
            _ => false,
        };
        // RestrictPublicBuckets: a public policy grants nothing outside the owner's account
        // (its Deny still binds).
        let restricted = !same_account && controls.is_some_and(Controls::policy_restricted);
        let evaluate = |resource_policy| {
            self.evaluate(
                identity,
                need.action,
                resource.as_deref(),
                Grants {
                    owner,
                    resource_policy,
                    acl_grant,
                },
                context,
            )
        };
        let mut decided = evaluate(resource_policy);
        if restricted && decided.is_ok() {
            decided = evaluate(None);
        }
        decided.map_err(refused)
    }

    /// The decision for `action` on `resource` (owned by `owner`, under `resource_policy`);
    /// the reason when refused, counted.
    fn evaluate(
        &self,
        identity: &Identity,
        action: &str,
        resource: Option<&str>,
        grants: Grants<'_>,
        context: &(dyn ConditionContext + Sync),
    ) -> Result<(), DenialReason> {
        let Grants {
            owner,
            resource_policy,
            acl_grant,
        } = grants;
        // An account's root over its own resources: allowed, with nothing to build, unless
        // the resource's policy has its say (its explicit Deny binds root too).
        if identity.is_root() && owner == identity.account.id && resource_policy.is_none() {
            return Ok(());
        }
        let mut tags = Vec::new();
        let caller = identity.caller(&mut tags);
        let request = Request {
            action,
            resource,
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
            resource_policy,
            resource_owner: Some(owner),
            session_policies: &sessions,
            boundary: identity.boundary.as_deref(),
            acl_grant,
        });
        match DenialReason::of(decision) {
            None => Ok(()),
            Some(reason) => Err(self.refuse(reason)),
        }
    }

    /// An unsigned request: allowed only by a bucket policy statement for everyone (one
    /// pinned to the caller's source while public policies are blocked) or an `AllUsers`
    /// grant of the bucket's ACL (unless public ACLs are ignored).
    fn check_anonymous(
        &self,
        need: &Need<'_>,
        context: &(dyn ConditionContext + Sync),
        owner: Option<&str>,
        controls: Option<&Controls>,
        object_acl: Option<Acl>,
    ) -> Result<(), S3Error> {
        let Some(controls) = controls else {
            return Err(self.anonymous());
        };
        let mut policy = match &controls.policy {
            BucketPolicy::Some(policy) => Some(policy.as_ref()),
            BucketPolicy::None => None,
            BucketPolicy::Unreadable(_) => {
                self.refuse(DenialReason::Anonymous);
                return Err(unreadable_policy().denied_because(DenialReason::Anonymous.as_str()));
            }
        };
        let acl_grant = self
            .acl_match(controls, need, object_acl.as_ref(), None)
            .is_some();
        if policy.is_none() && !acl_grant {
            return Err(self.anonymous());
        }
        let resource = need.resource.as_ref().map(|r| r.arn());
        let caller = Caller::anonymous();
        let request = Request {
            action: need.action,
            resource: resource.as_deref(),
            caller: &caller,
            context,
        };
        // Another account's object: the bucket policy can refuse, never grant.
        let foreign = owner
            .zip(object_acl.as_ref())
            .is_some_and(|(owner, acl)| self.foreign_owner(acl, owner).is_some());
        if foreign {
            if policy.is_some_and(|p| p.evaluate(&request) == Outcome::Deny) {
                return Err(self.anonymous());
            }
            policy = None;
        }
        let decide_with = |resource_policy| {
            decide(&Evaluation {
                request: &request,
                identity: &[],
                resource_policy,
                resource_owner: owner,
                session_policies: &[],
                boundary: None,
                acl_grant,
            })
        };
        let mut decision = decide_with(policy);
        // RestrictPublicBuckets: the public policy grants anonymous callers nothing.
        if decision.is_allowed() && controls.policy_restricted() {
            decision = decide_with(None);
        }
        if decision.is_allowed() {
            Ok(())
        } else {
            Err(self.anonymous())
        }
    }

    /// How the bucket's ACL, or for an object action the object's own (`object_acl`, see
    /// [`PolicyAuthorizer::object_acl`]), grants `need` to a caller of the account with
    /// `canonical_id` (`None`: anonymous), if it does. Public grants count unless
    /// IgnorePublicAcls is on; nothing counts where ownership is enforced.
    fn acl_match(
        &self,
        controls: &Controls,
        need: &Need<'_>,
        object_acl: Option<&Acl>,
        canonical_id: Option<&str>,
    ) -> Option<AclMatch> {
        if !controls.ownership.acls_enabled() {
            return None;
        }
        let caller = AclCaller { canonical_id };
        let ignore_public = controls.public_block.block.ignore_public_acls;
        if let Some(permission) = bucket_permission(need.action) {
            return controls
                .acl_in_force()
                .and_then(|acl| acl.allows(caller, permission, ignore_public));
        }
        let permission = object_permission(need.action)?;
        object_acl?.allows(caller, permission, ignore_public)
    }

    fn refuse(&self, reason: DenialReason) -> DenialReason {
        self.metrics.denied(reason);
        reason
    }

    fn anonymous(&self) -> S3Error {
        self.refuse(DenialReason::Anonymous);
        denied().denied_because(DenialReason::Anonymous.as_str())
    }
}

/// What the resource side contributes to one decision.
#[derive(Clone, Copy)]
struct Grants<'a> {
    /// The resource's owning account.
    owner: &'a str,
    /// The bucket policy, if it applies.
    resource_policy: Option<&'a Policy>,
    /// Whether an ACL grants the action.
    acl_grant: bool,
}

/// Whether an ACL match grants the caller: a public grant does; a grant to the caller's
/// account speaks for the account (its root, or across accounts, where the caller's own
/// policies must allow too, any of its principals), while within the owner's account users
/// need their policies.
fn grants_caller(found: Option<AclMatch>, identity: &Identity, same_account: bool) -> bool {
    match found {
        Some(AclMatch::Public) => true,
        Some(AclMatch::Account) => identity.is_root() || !same_account,
        None => false,
    }
}

/// The answer to a refused need.
fn refused(reason: DenialReason) -> S3Error {
    denied().denied_because(reason.as_str())
}

/// What the owner's root may always do, whatever the bucket policy says.
const BUCKET_POLICY_ACTIONS: &[&str] = &[
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
];

fn unreadable_policy() -> S3Error {
    Code::AccessDenied
        .with("Access Denied: the bucket policy stored for this bucket does not compile; its owner can replace or delete it")
}

fn denied() -> S3Error {
    Code::AccessDenied.with("Access Denied")
}

impl Authorize for PolicyAuthorizer {
    fn authorize(&self, access: &Access<'_>) -> Result<(), S3Error> {
        // The IAM and STS query APIs decide per action in their handlers (one form POST
        // carries any action; some STS actions are unsigned by design).
        if access.needs.deferred() == Some(Deferred::FormAction) {
            return Ok(());
        }
        let creating = access.op == Operation::CreateBucket;
        for need in access.needs.up_front() {
            self.check(access.principal, need, access.context, creating)?;
        }
        Ok(())
    }

    fn authorize_need(
        &self,
        principal: &Principal,
        need: &Need<'_>,
        context: &(dyn ConditionContext + Sync),
    ) -> Result<(), S3Error> {
        self.check(principal, need, context, false)
    }

    fn authorize_admin(
        &self,
        principal: &Principal,
        action: &str,
        context: &(dyn ConditionContext + Sync),
    ) -> Result<(), S3Error> {
        let Principal::Key { identity, .. } = principal else {
            self.refuse(DenialReason::Anonymous);
            return Err(Code::AccessDenied
                .with("Access Denied: admin requests must be signed")
                .denied_because(DenialReason::Anonymous.as_str()));
        };
        let owner = self.owners.root().id.as_str();
        let grants = Grants {
            owner,
            resource_policy: None,
            acl_grant: false,
        };
        self.evaluate(identity, action, Some(ADMIN_RESOURCE), grants, context)
            .map_err(|_| {
                Code::AccessDenied.with(format!(
                    "User: {} is not authorized to perform: {action} on resource: {ADMIN_RESOURCE}",
                    identity.arn
                ))
            })
    }
}

/// Authorizes `method target` (routed as the stack routes it, no condition keys) for
/// `principal`: the tests' way to ask about a whole request.
#[cfg(test)]
pub(crate) fn authorize_request(
    authorizer: &dyn Authorize,
    principal: &Principal,
    method: &str,
    target: &str,
) -> Result<(), S3Error> {
    authorize_request_in(
        authorizer,
        principal,
        method,
        target,
        &strata_policy::ContextMap::new(),
    )
}

/// [`authorize_request`] with condition keys.
#[cfg(test)]
pub(crate) fn authorize_request_in(
    authorizer: &dyn Authorize,
    principal: &Principal,
    method: &str,
    target: &str,
    context: &(dyn ConditionContext + Sync),
) -> Result<(), S3Error> {
    let (head, ()) = http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", "localhost")
        .body(())
        .map_err(|e| Code::InvalidRequest.with(e.to_string()))?
        .into_parts();
    let route = crate::s3::route_head(&head, None)?;
    let needs = crate::s3::actions::required_actions(&route, &head.headers)?;
    authorizer.authorize(&Access {
        principal,
        op: route.op,
        needs: &needs,
        context,
    })
}

#[path = "authorize_object.rs"]
mod object;

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
