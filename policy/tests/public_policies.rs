//! Which bucket policies make a bucket public, per "The meaning of public" in the S3 User
//! Guide: a statement that allows everyone is public unless a condition pins the caller or
//! its source to fixed values.

use strata_policy::{Policy, PolicyKind};

fn policy(effect: &str, principal: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}",{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"{condition}}}]}}"#
    )
}

#[test]
fn each_case_is_public_or_not_as_aws_documents() {
    let cases: &[(&str, &str, &str, &str, bool)] = &[
        ("anyone", "Allow", r#""Principal":"*""#, "", true),
        ("AWS star", "Allow", r#""Principal":{"AWS":"*"}"#, "", true),
        (
            "AWS star among others",
            "Allow",
            r#""Principal":{"AWS":["111122223333","*"]}"#,
            "",
            true,
        ),
        (
            "NotPrincipal",
            "Allow",
            r#""NotPrincipal":{"AWS":"111122223333"}"#,
            "",
            true,
        ),
        (
            "one account",
            "Allow",
            r#""Principal":{"AWS":"111122223333"}"#,
            "",
            false,
        ),
        ("a deny for anyone", "Deny", r#""Principal":"*""#, "", false),
        (
            "pinned to a network",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            false,
        ),
        (
            "every address",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
            true,
        ),
        (
            "negated network",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            true,
        ),
        (
            "pinned account",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
            false,
        ),
        (
            "account pattern",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"StringLike":{"aws:PrincipalAccount":"1111*"}}"#,
            true,
        ),
        (
            "IfExists does not pin",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}"#,
            true,
        ),
        (
            "a key that pins nothing",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"StringEquals":{"aws:UserAgent":"curl"}}"#,
            true,
        ),
        (
            "pinned source ARN",
            "Allow",
            r#""Principal":"*""#,
            r#","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}"#,
            false,
        ),
    ];
    for (name, effect, principal, condition, public) in cases {
        let text = policy(effect, principal, condition);
        let parsed =
            Policy::parse(&text, PolicyKind::Resource).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.grants_public_access(), *public, "{name}: {text}");
    }
}

#[test]
fn identity_policies_are_never_public() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    assert!(!Policy::parse(text, PolicyKind::Identity)
        .unwrap()
        .grants_public_access());
}
