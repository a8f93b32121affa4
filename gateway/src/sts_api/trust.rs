//! Whether a role's trust policy lets a caller assume it. The trust policy is the role's
//! resource policy for `sts:AssumeRole*`: it must allow the caller itself (a role nobody
//! is trusted with cannot be assumed, even by its account's root), and where it delegates
//! to an account (or the caller is of another account) the caller's own policies must
//! allow the action too, as AWS's evaluation says.

use strata_policy::{
    decide, Caller, ConditionContext, ContextMap, Evaluation, Layered, Outcome, Policy, PolicyKind,
    PrincipalType, Request,
};
use strata_sts::web_identity::WebIdentity;

use super::grant::Carried;
use crate::iam::RoleRef;
use crate::identity::Identity;

/// The role's trust policy, compiled; a stored one that no longer compiles trusts nobody.
fn trust_policy(role: RoleRef<'_>) -> Option<Policy> {
    match Policy::parse_with_limit(&role.record.trust, PolicyKind::Trust, usize::MAX) {
        Ok(policy) => Some(policy),
        Err(e) => {
            tracing::warn!(role = %role.arn(), error = %e, "trust policy does not compile: nobody may assume the role");
            None
        }
    }
}

/// Whether `caller` may `sts:AssumeRole` into `role` as `session_name` (with the
/// `ExternalId` it gave, which conditions see as `sts:ExternalId`), carrying `carried`: session
/// tags need `sts:TagSession` too, a source identity `sts:SetSourceIdentity` (conditions see
/// `aws:RequestTag/*`, `aws:TagKeys`, `sts:TransitiveTagKeys` and `sts:SourceIdentity`,
/// then the request's `global` keys).
pub fn allows_assume_role(
    role: RoleRef<'_>,
    caller: &Identity,
    session_name: &str,
    external_id: Option<&str>,
    carried: &Carried,
    global: &dyn ConditionContext,
) -> bool {
    let Some(trust) = trust_policy(role) else {
        return false;
    };
    let role_arn = role.arn();
    let mut tags = Vec::new();
    let who = caller.caller(&mut tags);
    let mut context = ContextMap::new().with("sts:RoleSessionName", session_name);
    if let Some(external_id) = external_id {
        context = context.with("sts:ExternalId", external_id);
    }
    let asks = Asks::new(carried);
    let context = asks.context(context);
    let context = Layered {
        first: &context,
        then: global,
    };
    let actions = asks.actions("sts:AssumeRole");
    let identity: Vec<&Policy> = caller.policies.iter().map(|p| p.as_ref()).collect();
    let sessions: Vec<&Policy> = caller.session_policies.iter().map(|p| p.as_ref()).collect();
    actions.into_iter().all(|action| {
        let request = Request {
            action,
            resource: Some(&role_arn),
            caller: &who,
            context: &context,
        };
        // The trust policy must allow the caller itself: an account root's implicit rights
        // over its own account do not stand in for it.
        trust.evaluate(&request) == Outcome::Allow
            && decide(&Evaluation {
                request: &request,
                identity: &identity,
                resource_policy: Some(&trust),
                resource_owner: Some(role.account_id),
                session_policies: &sessions,
                boundary: caller.boundary.as_deref(),
                acl_grant: false,
            })
            .is_allowed()
    })
}

/// Whether the holder of `web` may `sts:AssumeRoleWithWebIdentity` into `role`, carrying
/// what its token carries (`carried`, which needs `sts:TagSession` and
/// `sts:SetSourceIdentity` as for AssumeRole): the trust policy must allow the provider as a
/// `Federated` principal, named by its IAM ARN (`arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`)
/// or by `HOST/PATH`, with the token's `HOST/PATH:sub` and `HOST/PATH:aud` as condition
/// keys (and the request's `global` keys). A federated caller has no policies of its own:
/// the trust policy alone decides, and a Deny in it wins.
pub fn allows_web_identity(
    role: RoleRef<'_>,
    web: &WebIdentity,
    session_name: &str,
    carried: &Carried,
    global: &dyn ConditionContext,
) -> bool {
    let Some(trust) = trust_policy(role) else {
        return false;
    };
    let role_arn = role.arn();
    let prefix = web.condition_key_prefix.as_str();
    let provider_arn = format!("arn:aws:iam::{}:oidc-provider/{prefix}", role.account_id);
    let (sub_key, aud_key) = (format!("{prefix}:sub"), format!("{prefix}:aud"));
    let asks = Asks::new(carried);
    let context = asks.context(
        ContextMap::new()
            .with(&sub_key, &web.subject)
            .with(&aud_key, &web.audience)
            .with("sts:RoleSessionName", session_name),
    );
    asks.actions("sts:AssumeRoleWithWebIdentity")
        .into_iter()
        .all(|action| {
            let mut allowed = false;
            for provider in [provider_arn.as_str(), prefix] {
                let own = context.clone().with("aws:FederatedProvider", provider);
                let context = Layered {
                    first: &own,
                    then: global,
                };
                let who = Caller {
                    arn: "",
                    account_id: "",
                    user_id: &web.subject,
                    user_name: None,
                    kind: PrincipalType::FederatedUser,
                    tags: &[],
                    role_arn: None,
                    federated_provider: Some(provider),
                    source_identity: None,
                    canonical_id: None,
                };
                let request = Request {
                    action,
                    resource: Some(&role_arn),
                    caller: &who,
                    context: &context,
                };
                match trust.evaluate(&request) {
                    Outcome::Deny => return false,
                    Outcome::Allow => allowed = true,
                    _ => {}
                }
            }
            allowed
        })
}

/// What a session's tags and source identity ask of a trust policy: `sts:TagSession` and
/// `sts:SetSourceIdentity` beside the assume itself, with `aws:RequestTag/*`,
/// `aws:TagKeys`, `sts:TransitiveTagKeys` and `sts:SourceIdentity` for conditions.
struct Asks<'a> {
    carried: &'a Carried,
    request_tag_names: Vec<String>,
    tag_keys: Vec<&'a str>,
    transitive: Vec<&'a str>,
}

impl<'a> Asks<'a> {
    fn new(carried: &'a Carried) -> Asks<'a> {
        Asks {
            carried,
            request_tag_names: carried
                .tags
                .iter()
                .map(|tag| format!("aws:RequestTag/{}", tag.key))
                .collect(),
            tag_keys: carried.tags.iter().map(|tag| tag.key.as_str()).collect(),
            transitive: carried
                .transitive_tag_keys
                .iter()
                .map(String::as_str)
                .collect(),
        }
    }

    /// `assume`, then the actions the tags and the source identity need.
    fn actions(&self, assume: &'static str) -> Vec<&'static str> {
        let mut actions = vec![assume];
        if !self.carried.tags.is_empty() {
            actions.push("sts:TagSession");
        }
        if self.carried.source_identity.is_some() {
            actions.push("sts:SetSourceIdentity");
        }
        actions
    }

    /// `context` with the condition keys of the tags and the source identity.
    fn context<'c>(&'c self, mut context: ContextMap<'c>) -> ContextMap<'c>
    where
        'a: 'c,
    {
        for (name, tag) in self.request_tag_names.iter().zip(&self.carried.tags) {
            context = context.with(name, &tag.value);
        }
        if !self.carried.tags.is_empty() {
            context = context
                .with_many("aws:TagKeys", &self.tag_keys)
                .with_many("sts:TransitiveTagKeys", &self.transitive);
        }
        if let Some(source_identity) = &self.carried.source_identity {
            context = context.with("sts:SourceIdentity", source_identity);
        }
        context
    }
}
