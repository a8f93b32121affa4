//! The `Principal` / `NotPrincipal` element of resource and trust policies.

use crate::request::{Caller, PrincipalType};
use crate::PolicyError;

/// How a caller matched a principal, weakest first. The combining logic needs it: within an
/// account, a resource policy that names the account delegates to identity policies, one
/// that names the role is limited by boundaries and session policies, and one that names
/// the user or the session itself stands alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PrincipalMatch {
    /// The caller's account root (`"AWS": "123456789012"`).
    Account,
    /// `"*"` (or a `NotPrincipal` that did not name the caller).
    Wildcard,
    /// The role whose session the caller is.
    Role,
    /// The caller itself: user ARN, session ARN, federated provider, service, canonical id.
    Exact,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum AwsPrincipal {
    Any,
    Account(String),
    Arn(String),
}

/// A compiled principal element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Principals {
    any: bool,
    aws: Vec<AwsPrincipal>,
    federated: Vec<String>,
    service: Vec<String>,
    canonical: Vec<String>,
}

impl Principals {
    /// `"*"`.
    pub fn any() -> Principals {
        Principals {
            any: true,
            ..Principals::default()
        }
    }

    /// Adds a value under `field` (`AWS`, `Federated`, `Service`, `CanonicalUser`).
    pub fn add(&mut self, field: &str, value: &str) -> Result<(), PolicyError> {
        let invalid = || PolicyError::InvalidPrincipal {
            field: field.to_string(),
            value: value.to_string(),
        };
        if value.is_empty() {
            return Err(invalid());
        }
        match field {
            "AWS" => self.aws.push(aws_principal(value).ok_or_else(invalid)?),
            "Federated" => self.federated.push(value.to_string()),
            "Service" => self.service.push(value.to_string()),
            "CanonicalUser" => self.canonical.push(value.to_string()),
            _ => return Err(invalid()),
        }
        Ok(())
    }

    /// Whether the element names everyone (`"*"` or `"AWS": "*"`).
    pub fn names_everyone(&self) -> bool {
        self.any || self.aws.contains(&AwsPrincipal::Any)
    }

    /// The strongest way `caller` matches, if any.
    pub fn matches(&self, caller: &Caller<'_>) -> Option<PrincipalMatch> {
        if self.any {
            return Some(PrincipalMatch::Wildcard);
        }
        let anonymous = caller.kind == PrincipalType::Anonymous;
        let mut best = None;
        for p in &self.aws {
            let m = match p {
                AwsPrincipal::Any => Some(PrincipalMatch::Wildcard),
                _ if anonymous => None,
                AwsPrincipal::Account(id) if *id == caller.account_id => {
                    Some(PrincipalMatch::Account)
                }
                AwsPrincipal::Arn(arn) if *arn == caller.arn => Some(PrincipalMatch::Exact),
                AwsPrincipal::Arn(arn) if Some(arn.as_str()) == caller.role_arn => {
                    Some(PrincipalMatch::Role)
                }
                _ => None,
            };
            best = best.max(m);
        }
        let named = |list: &[String], value: Option<&str>| {
            value.is_some_and(|v| list.iter().any(|p| p == v))
        };
        if named(&self.federated, caller.federated_provider)
            || named(&self.canonical, caller.canonical_id)
        {
            best = Some(PrincipalMatch::Exact);
        }
        best
    }
}

/// `*`, a 12-digit account id, an account root ARN, or another IAM/STS ARN.
fn aws_principal(value: &str) -> Option<AwsPrincipal> {
    if value == "*" {
        return Some(AwsPrincipal::Any);
    }
    if is_account_id(value) {
        return Some(AwsPrincipal::Account(value.to_string()));
    }
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    match fields.as_slice() {
        ["arn", _, "iam", "", account, "root"] if is_account_id(account) => {
            Some(AwsPrincipal::Account(account.to_string()))
        }
        ["arn", partition, "iam" | "sts", "", account, resource]
            if !partition.is_empty() && is_account_id(account) && !resource.is_empty() =>
        {
            Some(AwsPrincipal::Arn(value.to_string()))
        }
        _ => None,
    }
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests;
