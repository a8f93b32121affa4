//! Documents AWS refuses, with the error and its message (what the gateway sends back as
//! `MalformedPolicy` / `MalformedPolicyDocument`, or `LimitExceeded` for size).

mod harness;

use harness::statement;
use strata_policy::{limits, policy_len, Policy, PolicyError, PolicyKind};
use PolicyKind::{Identity as I, Resource as R, Session as S, Trust as T};

const GET: &str = r#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#;

fn doc(body: &str) -> String {
    if body.starts_with('{') || !body.contains(':') {
        body.to_string()
    } else {
        statement(body)
    }
}

fn rows() -> Vec<(PolicyKind, String, PolicyError, &'static str)> {
    use PolicyError as E;
    let syntax = |d: &str| E::Syntax {
        detail: d.to_string(),
    };
    let wrong = |field, expected| E::WrongType { field, expected };
    vec![
        (I, "not json".into(), syntax("expected ident at line 1 column 2"), "Syntax errors in policy."),
        (I, "[]".into(), syntax("the document is not a JSON object"), "Syntax errors in policy."),
        (I, r#"{"Version":"2012-10-17","Statement":[],"Extra":1}"#.into(), E::UnknownField("Extra".into()), "Unknown field Extra"),
        (I, doc(r#""Effect":"Allow","Actions":"s3:GetObject","Resource":"*""#), E::UnknownField("Actions".into()), "Unknown field Actions"),
        (I, r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), E::InvalidVersion("2012-10-18".into()), "The policy must contain a valid version string"),
        (I, r#"{"Version":2012,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), E::InvalidVersion("2012".into()), "The policy must contain a valid version string"),
        (I, r#"{"Version":"2012-10-17","Statement":[]}"#.into(), E::EmptyStatement, "Could not parse the policy: Statement is empty!"),
        (I, r#"{"Version":"2012-10-17"}"#.into(), E::EmptyStatement, "Could not parse the policy: Statement is empty!"),
        (I, r#"{"Version":"2012-10-17","Statement":{}}"#.into(), E::EmptyStatement, "Could not parse the policy: Statement is empty!"),
        (I, r#"{"Version":"2012-10-17","Statement":"Allow"}"#.into(), wrong("Statement", "an object or an array of objects"), "Syntax errors in policy: Statement must be an object or an array of objects"),
        (I, doc(r#""Effect":"Permit","Action":"s3:*","Resource":"*""#), E::InvalidEffect("Permit".into()), "Invalid effect: Permit"),
        (I, doc(r#""Effect":"allow","Action":"s3:*","Resource":"*""#), E::InvalidEffect("allow".into()), "Invalid effect: allow"),
        (I, doc(r#""Action":"s3:*","Resource":"*""#), E::MissingEffect, "Missing required field Effect"),
        (I, r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#.into(), E::DuplicateSid("A".into()), "Statement IDs (SID) in a single policy must be unique."),
        (I, doc(r#""Sid":7,"Effect":"Allow","Action":"s3:*","Resource":"*""#), wrong("Sid", "a string"), "Syntax errors in policy: Sid must be a string"),
        (I, doc(r#""Effect":"Allow","Resource":"*""#), E::MissingAction, "Policy statement must contain actions."),
        (I, doc(r#""Effect":"Allow","Action":[],"Resource":"*""#), E::MissingAction, "Policy statement must contain actions."),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*""#), E::ActionAndNotAction, "Policy statement must contain only one of Action or NotAction."),
        (I, doc(r#""Effect":"Allow","Action":"GetObject","Resource":"*""#), E::MissingVendor("GetObject".into()), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        (I, doc(r#""Effect":"Allow","Action":":GetObject","Resource":"*""#), E::MissingVendor(":GetObject".into()), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        (I, doc(r#""Effect":"Allow","Action":5,"Resource":"*""#), wrong("Action", "a string or an array of strings"), "Syntax errors in policy: Action must be a string or an array of strings"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*""#), E::MissingResource, "Policy statement must contain resources."),
        (S, doc(r#""Effect":"Allow","Action":"s3:*""#), E::MissingResource, "Policy statement must contain resources."),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*""#), E::ResourceAndNotResource, "Policy statement must contain only one of Resource or NotResource."),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"photos/*""#), E::InvalidResource("photos/*".into()), "Resource photos/* must be in ARN format or \"*\"."),
        (I, doc(r#""Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*""#), E::ProhibitedPrincipal, "Policy document should not specify a principal."),
        (R, doc(GET), E::MissingPrincipal, "Missing required field Principal"),
        (T, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#.into(), E::MissingPrincipal, "Missing required field Principal"),
        (T, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}"#.into(), E::ProhibitedResource, "Has prohibited field Resource"),
        (R, doc(r#""Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:*","Resource":"*""#), E::PrincipalAndNotPrincipal, "Policy statement must contain only one of Principal or NotPrincipal."),
        (R, doc(r#""Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"*""#), E::InvalidPrincipal { field: "AWS".into(), value: "bob".into() }, "Invalid principal in policy: \"AWS\":\"bob\""),
        (R, doc(r#""Effect":"Allow","Principal":{"Martian":"x"},"Action":"s3:*","Resource":"*""#), E::InvalidPrincipal { field: "Martian".into(), value: "x".into() }, "Invalid principal in policy: \"Martian\":\"x\""),
        (R, doc(r#""Effect":"Allow","Principal":"everyone","Action":"s3:*","Resource":"*""#), E::InvalidPrincipal { field: "Principal".into(), value: "everyone".into() }, "Invalid principal in policy: \"Principal\":\"everyone\""),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"s3:prefix":"a"}}"#), E::UnknownConditionOperator("StringEqualz".into()), "Invalid Condition type : StringEqualz"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{}}"#), E::UnknownConditionOperator("StringEqualz".into()), "Invalid Condition type : StringEqualz"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"prefix":"a"}}"#), E::MissingVendor("prefix".into()), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}"#), E::InvalidConditionValue { operator: "NumericLessThan".into(), value: "ten".into() }, "Invalid Condition value for NumericLessThan: ten"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}"#), E::InvalidConditionValue { operator: "DateGreaterThan".into(), value: "yesterday".into() }, "Invalid Condition value for DateGreaterThan: yesterday"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}"#), E::InvalidConditionValue { operator: "IpAddress".into(), value: "300.1.1.1/8".into() }, "Invalid Condition value for IpAddress: 300.1.1.1/8"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}"#), E::InvalidConditionValue { operator: "Bool".into(), value: "yes".into() }, "Invalid Condition value for Bool: yes"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"maybe"}}"#), E::InvalidConditionValue { operator: "Null".into(), value: "maybe".into() }, "Invalid Condition value for Null: maybe"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:prefix":{"a":1}}}"#), wrong("Condition", "a string, number or boolean, or an array of them"), "Syntax errors in policy: Condition must be a string, number or boolean, or an array of them"),
        (I, doc(r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":["StringEquals"]"#), wrong("Condition", "an object of operators to objects of keys to values"), "Syntax errors in policy: Condition must be an object of operators to objects of keys to values"),
    ]
}

#[test]
fn every_malformed_document_is_refused_with_its_reason() {
    let rows = rows();
    let mut failures = Vec::new();
    for (kind, text, want, message) in &rows {
        match Policy::parse(text, *kind) {
            Ok(_) => failures.push(format!("{text}: accepted")),
            Err(got) => {
                let same = match (&got, want) {
                    // The JSON parser's wording is not ours to pin; the variant and message are.
                    (PolicyError::Syntax { .. }, PolicyError::Syntax { .. }) => true,
                    _ => got == *want,
                };
                if !same || got.to_string() != *message {
                    failures.push(format!(
                        "{text}: expected {want:?} / {message:?}, got {got:?} / {:?}",
                        got.to_string()
                    ));
                }
                if got.is_limit_exceeded() {
                    failures.push(format!("{text}: a malformed document is not a size error"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// A valid identity policy of exactly `len` non-whitespace characters (padding in the Sid).
fn policy_of_len(len: usize) -> String {
    let base = statement(r#""Sid":"","Effect":"Allow","Action":"s3:*","Resource":"*""#);
    let pad = len - policy_len(&base);
    statement(&format!(
        r#""Sid":"{}","Effect":"Allow","Action":"s3:*","Resource":"*""#,
        "x".repeat(pad)
    ))
}

#[test]
fn a_document_over_the_kinds_limit_is_a_limit_error_not_a_malformed_one() {
    let text = policy_of_len(limits::SESSION + 1);
    let err = Policy::parse(&text, PolicyKind::Session).unwrap_err();
    assert_eq!(
        err,
        PolicyError::TooLarge {
            kind: PolicyKind::Session,
            len: limits::SESSION + 1,
            max: limits::SESSION
        }
    );
    assert!(err.is_limit_exceeded());
    assert_eq!(err.to_string(), "Cannot exceed quota for PolicySize: 2048");
}

#[test]
fn a_document_at_the_limit_is_accepted() {
    let text = policy_of_len(limits::SESSION);
    assert!(Policy::parse(&text, PolicyKind::Session).is_ok());
}

#[test]
fn whitespace_does_not_count_towards_the_limit() {
    // `"Principal":"*"` is one character longer than `"Resource":"*"`.
    let trust =
        policy_of_len(limits::ROLE_TRUST - 1).replace(r#""Resource":"*""#, r#""Principal":"*""#);
    assert_eq!(policy_len(&trust), limits::ROLE_TRUST);
    let spaced = format!("{}\n{}", trust.replace(',', " ,\n\t "), " ".repeat(100));
    assert!(spaced.len() > limits::ROLE_TRUST + 100);
    assert!(Policy::parse(&spaced, PolicyKind::Trust).is_ok());
    let one_more = spaced.replacen(r#""Sid":""#, r#""Sid":"y"#, 1);
    assert!(Policy::parse(&one_more, PolicyKind::Trust)
        .unwrap_err()
        .is_limit_exceeded());
}

#[test]
fn each_kind_has_awss_limit() {
    assert_eq!(PolicyKind::Identity.max_len(), 6144);
    assert_eq!(PolicyKind::Boundary.max_len(), 6144);
    assert_eq!(PolicyKind::Trust.max_len(), 2048);
    assert_eq!(PolicyKind::Session.max_len(), 2048);
    assert_eq!(PolicyKind::Resource.max_len(), 20 * 1024);
    assert_eq!(limits::USER_INLINE, 2048);
}

#[test]
fn inline_limits_go_through_parse_with_limit() {
    let text = policy_of_len(limits::USER_INLINE + 1);
    assert!(Policy::parse(&text, PolicyKind::Identity).is_ok());
    let err =
        Policy::parse_with_limit(&text, PolicyKind::Identity, limits::USER_INLINE).unwrap_err();
    assert!(err.is_limit_exceeded());
}

#[test]
fn the_original_text_is_kept() {
    let text = "{ \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Sid\": \"One\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"} }";
    let policy = Policy::parse(text, PolicyKind::Identity).unwrap();
    assert_eq!(policy.text(), text);
    assert_eq!(policy.sids().collect::<Vec<_>>(), vec![Some("One")]);
}
