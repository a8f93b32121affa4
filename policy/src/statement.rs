//! A compiled statement and whether it applies to a request.

use crate::arn::ArnPattern;
use crate::condition::Clause;
use crate::pattern::Pattern;
use crate::principal::{PrincipalMatch, Principals};
use crate::request::Request;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants when matched.
    Allow,
    /// Refuses when matched, overriding every Allow.
    Deny,
}

/// A list that is either positive (`Action`) or negated (`NotAction`).
#[derive(Debug, Clone)]
pub(crate) struct Element<T> {
    pub items: Vec<T>,
    pub negated: bool,
}

/// A compiled statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub effect: Effect,
    /// Lower-cased action patterns, matched case-insensitively.
    pub actions: Element<Pattern>,
    /// `None` for trust policies, which have no Resource.
    pub resources: Option<Element<ArnPattern>>,
    /// `None` for identity-shaped policies: the caller is the principal.
    pub principals: Option<Element<Principals>>,
    pub conditions: Vec<Clause>,
}

impl Statement {
    /// How the statement applies to `req`, or `None` when it does not.
    pub fn applies(&self, req: &Request<'_>) -> Option<PrincipalMatch> {
        let principal = self.principal_match(req)?;
        if !self.action_matches(req.action) {
            return None;
        }
        if let Some(resources) = &self.resources {
            let lookup = |key: &str| req.variable(key);
            let mut any = false;
            for pattern in &resources.items {
                // An unresolved variable makes the whole statement not match.
                if pattern.matches(req.resource, &lookup)? {
                    any = true;
                    break;
                }
            }
            if any == resources.negated {
                return None;
            }
        }
        for clause in &self.conditions {
            if !clause.holds(req)? {
                return None;
            }
        }
        Some(principal)
    }

    /// Whether the statement grants everyone (a `"*"` principal, or a `NotPrincipal`) with
    /// no condition that pins the caller or its source.
    pub fn grants_public_access(&self) -> bool {
        let Some(principals) = &self.principals else {
            return false;
        };
        self.effect == Effect::Allow
            && (principals.negated || principals.items.iter().any(Principals::names_everyone))
            && !self.conditions.iter().any(Clause::pins_caller)
    }

    fn principal_match(&self, req: &Request<'_>) -> Option<PrincipalMatch> {
        let Some(element) = &self.principals else {
            return Some(PrincipalMatch::Exact);
        };
        let best = element
            .items
            .iter()
            .filter_map(|p| p.matches(req.caller))
            .max();
        match (element.negated, best) {
            (false, best) => best,
            (true, None) => Some(PrincipalMatch::Wildcard),
            (true, Some(_)) => None,
        }
    }

    fn action_matches(&self, action: &str) -> bool {
        let none = |_: &str| None;
        let any = self
            .actions
            .items
            .iter()
            .any(|p| p.matches(action, true, &none) == Some(true));
        any != self.actions.negated
    }
}
