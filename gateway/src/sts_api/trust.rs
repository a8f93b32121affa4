//! Whether a role's trust policy lets a caller assume it. The trust policy is the role's
//! resource policy for `sts:AssumeRole*`: it must allow the caller itself (a role nobody
//! is trusted with cannot be assumed, even by its account's root), and where it delegates
//! to an account (or the caller is of another account) the caller's own policies must
//! allow the action too, as AWS's evaluation says.

use strata_policy::{
    decide, Caller, ContextMap, Evaluation, Outcome, Policy, PolicyKind, PrincipalType, Request,
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
/// `aws:RequestTag/*`, `aws:TagKeys`, `sts:TransitiveTagKeys` and `sts:SourceIdentity`).
pub fn allows_assume_role(
    role: RoleRef<'_>,
    caller: &Identity,
    session_name: &str,
    external_id: Option<&str>,
    carried: &Carried,
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
    let request_tag_keys: Vec<String> = carried
        .tags
        .iter()
        .map(|tag| format!("aws:RequestTag/{}", tag.key))
        .collect();
    for (key, tag) in request_tag_keys.iter().zip(&carried.tags) {
        context = context.with(key, &tag.value);
    }
    let tag_keys: Vec<&str> = carried.tags.iter().map(|tag| tag.key.as_str()).collect();
    let transitive: Vec<&str> = carried
        .transitive_tag_keys
        .iter()
        .map(String::as_str)
        .collect();
    if !carried.tags.is_empty() {
        context = context
            .with_many("aws:TagKeys", &tag_keys)
            .with_many("sts:TransitiveTagKeys", &transitive);
    }
    if let Some(source_identity) = &carried.source_identity {
        context = context.with("sts:SourceIdentity", source_identity);
    }
    let mut actions = vec!["sts:AssumeRole"];
    if !carried.tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if carried.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    let identity: Vec<&Policy> = caller.policies.iter().map(|p| p.as_ref()).collect();
    let sessions: Vec<&Policy> = caller.session_policy.iter().map(|p| p.as_ref()).collect();
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

/// Whether the holder of `web` may `sts:AssumeRoleWithWebIdentity` into `role`: the trust
/// policy must allow the provider as a `Federated` principal, named by its IAM ARN
/// (`arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`) or by `HOST/PATH`, with the token's
/// `HOST/PATH:sub` and `HOST/PATH:aud` as condition keys. A federated caller has no
/// policies of its own: the trust policy alone decides, and a Deny in it wins.
pub fn allows_web_identity(role: RoleRef<'_>, web: &WebIdentity, session_name: &str) -> bool {
    let Some(trust) = trust_policy(role) else {
        return false;
    };
    let role_arn = role.arn();
    let prefix = web.condition_key_prefix.as_str();
    let provider_arn = format!("arn:aws:iam::{}:oidc-provider/{prefix}", role.account_id);
    let (sub_key, aud_key) = (format!("{prefix}:sub"), format!("{prefix}:aud"));
    let context = ContextMap::new()
        .with(&sub_key, &web.subject)
        .with(&aud_key, &web.audience)
        .with("sts:RoleSessionName", session_name);
    let mut allowed = false;
    for provider in [provider_arn.as_str(), prefix] {
        let context = context.clone().with("aws:FederatedProvider", provider);
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
            action: "sts:AssumeRoleWithWebIdentity",
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
}
