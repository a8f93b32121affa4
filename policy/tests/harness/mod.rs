//! The shared harness: callers, contexts and one-line evaluation for the table-driven suites.
#![allow(dead_code)]

use strata_policy::{Caller, ContextMap, Outcome, Policy, PolicyKind, PrincipalType, Request};

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const BOB_ARN: &str = "arn:aws:iam::111122223333:user/bob";
pub const EVE_ARN: &str = "arn:aws:iam::111122223333:user/eve";
pub const CAROL_ARN: &str = "arn:aws:iam::444455556666:user/carol";
pub const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/builder";
pub const SESSION_ARN: &str = "arn:aws:sts::111122223333:assumed-role/builder/ci";

/// Who asks, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// IAM user bob in ACCOUNT, tagged team=blue.
    Bob,
    /// IAM user eve in ACCOUNT.
    Eve,
    /// IAM user carol in OTHER_ACCOUNT.
    Carol,
    /// ACCOUNT's root.
    Root,
    /// OTHER_ACCOUNT's root.
    OtherRoot,
    /// A session of role `builder` in ACCOUNT, tagged team=red.
    Session,
    /// A web-identity session federated through accounts.google.com.
    WebIdentity,
    /// Unsigned.
    Anonymous,
}

const BLUE: &[(&str, &str)] = &[("team", "blue")];
const RED: &[(&str, &str)] = &[("Team", "red")];

pub fn caller(who: Who) -> Caller<'static> {
    let base = |arn, account_id, user_id, user_name, kind| Caller {
        arn,
        account_id,
        user_id,
        user_name,
        kind,
        tags: &[],
        role_arn: None,
        federated_provider: None,
        source_identity: None,
        canonical_id: None,
    };
    match who {
        Who::Bob => Caller {
            tags: BLUE,
            ..base(
                BOB_ARN,
                ACCOUNT,
                "AIDABOB",
                Some("bob"),
                PrincipalType::User,
            )
        },
        Who::Eve => base(
            EVE_ARN,
            ACCOUNT,
            "AIDAEVE",
            Some("eve"),
            PrincipalType::User,
        ),
        Who::Carol => base(
            CAROL_ARN,
            OTHER_ACCOUNT,
            "AIDACAROL",
            Some("carol"),
            PrincipalType::User,
        ),
        Who::Root => base(
            "arn:aws:iam::111122223333:root",
            ACCOUNT,
            ACCOUNT,
            None,
            PrincipalType::Root,
        ),
        Who::OtherRoot => base(
            "arn:aws:iam::444455556666:root",
            OTHER_ACCOUNT,
            OTHER_ACCOUNT,
            None,
            PrincipalType::Root,
        ),
        Who::Session => Caller {
            tags: RED,
            role_arn: Some(ROLE_ARN),
            ..base(
                SESSION_ARN,
                ACCOUNT,
                "AROABUILDER:ci",
                None,
                PrincipalType::AssumedRole,
            )
        },
        Who::WebIdentity => Caller {
            federated_provider: Some("accounts.google.com"),
            source_identity: None,
            ..base(
                "arn:aws:sts::111122223333:assumed-role/web/abc",
                ACCOUNT,
                "AROAWEB:abc",
                None,
                PrincipalType::FederatedUser,
            )
        },
        Who::Anonymous => Caller::anonymous(),
    }
}

/// A context from `(key, values)` pairs; one value makes a single-valued key.
pub fn context<'a>(pairs: &'a [(&'a str, &'a [&'a str])]) -> ContextMap<'a> {
    let mut map = ContextMap::new();
    for (key, values) in pairs {
        map = match values {
            [one] => map.with(key, one),
            many => map.with_many(key, many),
        };
    }
    map
}

pub fn parse(doc: &str, kind: PolicyKind) -> Policy {
    Policy::parse(doc, kind).unwrap_or_else(|e| panic!("{doc}: {e}"))
}

/// Evaluates one policy for one request.
pub fn evaluate(
    policy: &Policy,
    who: Who,
    action: &str,
    resource: Option<&str>,
    ctx: &[(&str, &[&str])],
) -> Outcome {
    let caller = caller(who);
    let context = context(ctx);
    let request = Request {
        action,
        resource,
        caller: &caller,
        context: &context,
    };
    policy.evaluate(&request)
}

/// An identity policy of one statement (2012-10-17).
pub fn statement(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{{body}}}]}}"#)
}
