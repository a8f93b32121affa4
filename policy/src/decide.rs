//! AWS's evaluation logic over every policy that bears on one request: explicit denies
//! first, then the allows each path needs (same account, cross-account, anonymous), with
//! permissions boundaries and session policies as ceilings.

use crate::policy::{Policy, Verdict};
use crate::principal::PrincipalMatch;
use crate::request::{PrincipalType, Request};

/// Everything that bears on one request.
#[derive(Clone, Copy)]
pub struct Evaluation<'a> {
    /// The request. Whether the caller is an account root comes from `request.caller.kind`.
    pub request: &'a Request<'a>,
    /// The identity policies: the user's and its groups', or the role's.
    pub identity: &'a [&'a Policy],
    /// The resource policy (bucket policy; a role's trust policy for `sts:AssumeRole*`).
    pub resource_policy: Option<&'a Policy>,
    /// The account that owns the resource; `None` means the caller's own account.
    pub resource_owner: Option<&'a str>,
    /// Session policies passed when the session was created; together they are the
    /// session's ceiling (an action needs an Allow in at least one of them).
    pub session_policies: &'a [&'a Policy],
    /// The caller's permissions boundary, if it has one.
    pub boundary: Option<&'a Policy>,
    /// Whether an ACL grants this request to the caller (computed by the caller); counts as
    /// a resource-side Allow that does not name the caller itself.
    pub acl_grant: bool,
}

/// The final answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionEffect {
    /// Allowed.
    Allow,
    /// A Deny statement matched somewhere.
    ExplicitDeny,
    /// Nothing allowed it (or a ceiling did not).
    ImplicitDeny,
}

/// Which kind of policy decided, for the audit trail and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecidedBy {
    /// An identity policy: its Allow granted, its Deny refused, or none allowed.
    Identity,
    /// The resource (or trust) policy.
    Resource,
    /// An ACL grant.
    Acl,
    /// A session policy (its Deny, or its lack of Allow).
    Session,
    /// The permissions boundary (its Deny, or its lack of Allow).
    Boundary,
    /// The account root's implicit full access to its own account's resources.
    Root,
}

/// The effect and which kind of policy decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Allow or which kind of deny.
    pub effect: DecisionEffect,
    /// Which kind of policy decided.
    pub by: DecidedBy,
}

impl Decision {
    fn allow(by: DecidedBy) -> Decision {
        Decision {
            effect: DecisionEffect::Allow,
            by,
        }
    }
    fn explicit_deny(by: DecidedBy) -> Decision {
        Decision {
            effect: DecisionEffect::ExplicitDeny,
            by,
        }
    }
    fn implicit_deny(by: DecidedBy) -> Decision {
        Decision {
            effect: DecisionEffect::ImplicitDeny,
            by,
        }
    }

    /// Whether the request may proceed.
    pub fn is_allowed(&self) -> bool {
        self.effect == DecisionEffect::Allow
    }
}

/// Decides a request the way AWS does ("Policy evaluation logic" and "Cross-account policy
/// evaluation logic" in the IAM User Guide).
pub fn decide(ev: &Evaluation<'_>) -> Decision {
    let req = ev.request;
    let verdict = |p: &Policy| p.verdict(req);

    // 1. An explicit Deny in any policy ends it.
    let resource = ev.resource_policy.map(verdict);
    if resource == Some(Verdict::Deny) {
        return Decision::explicit_deny(DecidedBy::Resource);
    }
    let identity: Allowed = scan(ev.identity.iter().map(|p| verdict(p)));
    if identity == Allowed::Denied {
        return Decision::explicit_deny(DecidedBy::Identity);
    }
    let boundary = ev.boundary.map(|p| scan(std::iter::once(verdict(p))));
    if boundary == Some(Allowed::Denied) {
        return Decision::explicit_deny(DecidedBy::Boundary);
    }
    let session = if ev.session_policies.is_empty() {
        None
    } else {
        Some(scan(ev.session_policies.iter().map(|p| verdict(p))))
    };
    if session == Some(Allowed::Denied) {
        return Decision::explicit_deny(DecidedBy::Session);
    }

    let caller = req.caller;
    let resource_allow = match resource {
        Some(Verdict::Allow(m)) => Some(m),
        _ => None,
    };
    // An ACL grant is a resource-side Allow that does not name the caller itself.
    let resource_side = resource_allow.or(ev.acl_grant.then_some(PrincipalMatch::Wildcard));
    let resource_by = if resource_allow.is_some() {
        DecidedBy::Resource
    } else {
        DecidedBy::Acl
    };

    // Anonymous callers have no identity: only the resource side can grant.
    if caller.kind == PrincipalType::Anonymous {
        return match resource_side {
            Some(_) => Decision::allow(resource_by),
            None => Decision::implicit_deny(DecidedBy::Resource),
        };
    }

    // Boundaries and session policies are ceilings; the root user has neither.
    let root = caller.is_root();
    let ceilings = || -> Result<(), Decision> {
        if root {
            return Ok(());
        }
        if boundary.is_some_and(|b| b != Allowed::Granted) {
            return Err(Decision::implicit_deny(DecidedBy::Boundary));
        }
        if session.is_some_and(|s| s != Allowed::Granted) {
            return Err(Decision::implicit_deny(DecidedBy::Session));
        }
        Ok(())
    };
    let identity_allows = root || identity == Allowed::Granted;
    let identity_by = if root {
        DecidedBy::Root
    } else {
        DecidedBy::Identity
    };
    let same_account = ev
        .resource_owner
        .is_none_or(|owner| owner == caller.account_id);

    if same_account {
        if root {
            return Decision::allow(DecidedBy::Root);
        }
        match resource_side {
            // Naming the user or the session itself: boundaries and session policies do
            // not limit it.
            Some(PrincipalMatch::Exact) => return Decision::allow(resource_by),
            // Naming the role, or everyone: the ceilings still apply.
            Some(PrincipalMatch::Role | PrincipalMatch::Wildcard) => {
                return match ceilings() {
                    Ok(()) => Decision::allow(resource_by),
                    Err(deny) => deny,
                }
            }
            // Naming the account delegates to the identity policies.
            Some(PrincipalMatch::Account) | None => {}
        }
        if !identity_allows {
            return Decision::implicit_deny(DecidedBy::Identity);
        }
        return match ceilings() {
            Ok(()) => Decision::allow(identity_by),
            Err(deny) => deny,
        };
    }

    // Cross-account: the caller's account must allow it and so must the resource.
    if !identity_allows {
        return Decision::implicit_deny(DecidedBy::Identity);
    }
    if let Err(deny) = ceilings() {
        return deny;
    }
    match resource_side {
        Some(_) => Decision::allow(resource_by),
        None => Decision::implicit_deny(DecidedBy::Resource),
    }
}

/// What a set of policies says together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Allowed {
    Denied,
    Granted,
    Silent,
}

fn scan(verdicts: impl Iterator<Item = Verdict>) -> Allowed {
    let mut result = Allowed::Silent;
    for v in verdicts {
        match v {
            Verdict::Deny => return Allowed::Denied,
            Verdict::Allow(_) => result = Allowed::Granted,
            Verdict::NotApplicable => {}
        }
    }
    result
}
