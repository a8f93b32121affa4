//! The identity families: STS issuances and answers, LDAP sign-ins by outcome, and policy
//! denials by the layer that denied. Made before the engines that count into them (the STS services, the authorizer)
//! and registered once the registry exists; the families are shared handles, so a count
//! made anywhere shows in the scrape.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use strata_policy::{DecidedBy, Decision, DecisionEffect};

use super::labels::{Denial, LdapOutcome, StsApi, StsOutcome};
use crate::s3::error::S3Error;

/// The STS actions strata answers; anything else counts as `other`.
const STS_APIS: [&str; 6] = [
    "AssumeRole",
    "AssumeRoleWithLDAPIdentity",
    "AssumeRoleWithWebIdentity",
    "GetCallerIdentity",
    "GetFederationToken",
    "GetSessionToken",
];

/// `strata_sts_*` and `strata_iam_policy_denials_total`. Cheap to clone (shared families).
#[derive(Debug, Clone, Default)]
pub struct IdentityMetrics {
    issued: Family<StsApi, Counter>,
    sts_requests: Family<StsOutcome, Counter>,
    denials: Family<Denial, Counter>,
    ldap_sign_ins: Family<LdapOutcome, Counter>,
}

impl IdentityMetrics {
    /// Registers the families (counter names without `_total`: the encoder appends it).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "strata_sts_credentials_issued",
            "Temporary credentials issued, by STS action",
            self.issued.clone(),
        );
        registry.register(
            "strata_sts_requests",
            "STS actions answered, by action and outcome (success or the error code)",
            self.sts_requests.clone(),
        );
        registry.register(
            "strata_iam_policy_denials",
            "Requests refused by policy evaluation, by the layer that refused",
            self.denials.clone(),
        );
        registry.register(
            "strata_sts_ldap_sign_ins",
            "AssumeRoleWithLDAPIdentity sign-ins, by outcome (success or why it was refused or failed)",
            self.ldap_sign_ins.clone(),
        );
    }

    /// Counts one LDAP sign-in's outcome: `success` or a fixed reason (`crate::ldap`).
    pub fn ldap_sign_in(&self, outcome: &'static str) {
        self.ldap_sign_ins
            .get_or_create(&LdapOutcome { outcome })
            .inc();
    }

    /// LDAP sign-ins counted so far with `outcome` (tests).
    #[cfg(test)]
    pub fn ldap_sign_ins(&self, outcome: &'static str) -> u64 {
        self.ldap_sign_ins
            .get_or_create(&LdapOutcome { outcome })
            .get()
    }

    /// Counts one STS action's answer; `issued` when it handed out credentials.
    pub fn sts_answered(&self, action: &str, result: Result<bool, &S3Error>) {
        let api = STS_APIS
            .iter()
            .find(|known| **known == action)
            .copied()
            .unwrap_or("other");
        let outcome = match result {
            Ok(_) => "success",
            Err(e) => e.code.as_str(),
        };
        self.sts_requests
            .get_or_create(&StsOutcome { api, outcome })
            .inc();
        if matches!(result, Ok(true)) {
            self.issued.get_or_create(&StsApi { api }).inc();
        }
    }

    /// Refusals counted so far for `reason` (tests).
    #[cfg(test)]
    pub fn denials(&self, reason: DenialReason) -> u64 {
        self.denials
            .get_or_create(&Denial {
                reason: reason.as_str(),
            })
            .get()
    }

    /// Counts one refusal. Called on the deny path only: allowing costs nothing here.
    pub fn denied(&self, reason: DenialReason) {
        self.denials
            .get_or_create(&Denial {
                reason: reason.as_str(),
            })
            .inc();
    }
}

/// Which layer of the evaluation refused: a fixed set, so the label stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialReason {
    /// A Deny statement in an identity or resource policy.
    ExplicitDeny,
    /// No identity policy allows it (a user or role with no matching Allow).
    NoAllow,
    /// Another account's resource that no resource policy opens to the caller.
    CrossAccount,
    /// The permissions boundary (its Deny, or its lack of an Allow).
    Boundary,
    /// The session policy (its Deny, or its lack of an Allow).
    SessionPolicy,
    /// Nothing was signed: no identity to evaluate.
    Anonymous,
    /// A policy that bears on the request cannot be evaluated (a stored bucket policy that
    /// no longer compiles), so it refuses.
    Unevaluated,
}

impl DenialReason {
    /// Every reason, for documentation and tests.
    pub const ALL: [DenialReason; 7] = [
        DenialReason::ExplicitDeny,
        DenialReason::NoAllow,
        DenialReason::CrossAccount,
        DenialReason::Boundary,
        DenialReason::SessionPolicy,
        DenialReason::Anonymous,
        DenialReason::Unevaluated,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            DenialReason::ExplicitDeny => "explicit_deny",
            DenialReason::NoAllow => "no_allow",
            DenialReason::CrossAccount => "cross_account",
            DenialReason::Boundary => "boundary",
            DenialReason::SessionPolicy => "session_policy",
            DenialReason::Anonymous => "anonymous",
            DenialReason::Unevaluated => "unevaluated",
        }
    }

    /// The reason of a refusing decision; `None` when it allows.
    pub fn of(decision: Decision) -> Option<DenialReason> {
        Some(match (decision.effect, decision.by) {
            (DecisionEffect::Allow, _) => return None,
            (_, DecidedBy::Boundary) => DenialReason::Boundary,
            (_, DecidedBy::Session) => DenialReason::SessionPolicy,
            (DecisionEffect::ExplicitDeny, _) => DenialReason::ExplicitDeny,
            // Only the resource side was missing: the caller's account allowed it.
            (DecisionEffect::ImplicitDeny, DecidedBy::Resource | DecidedBy::Acl) => {
                DenialReason::CrossAccount
            }
            (DecisionEffect::ImplicitDeny, _) => DenialReason::NoAllow,
        })
    }
}
