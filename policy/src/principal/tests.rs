use super::*;

fn user(arn: &'static str, account: &'static str) -> Caller<'static> {
    Caller {
        arn,
        account_id: account,
        user_id: "AIDAEXAMPLE",
        user_name: Some("bob"),
        kind: PrincipalType::User,
        tags: &[],
        role_arn: None,
        federated_provider: None,
        source_identity: None,
        canonical_id: None,
    }
}

fn with(field: &str, value: &str) -> Principals {
    let mut p = Principals::default();
    p.add(field, value).unwrap();
    p
}

const BOB: &str = "arn:aws:iam::111122223333:user/bob";

#[test]
fn an_account_id_means_the_account_root_and_matches_its_principals() {
    let bob = user(BOB, "111122223333");
    assert_eq!(
        with("AWS", "111122223333").matches(&bob),
        Some(PrincipalMatch::Account)
    );
    assert_eq!(
        with("AWS", "arn:aws:iam::111122223333:root").matches(&bob),
        Some(PrincipalMatch::Account)
    );
    assert_eq!(with("AWS", "444455556666").matches(&bob), None);
}

#[test]
fn a_user_arn_matches_that_user_only() {
    assert_eq!(
        with("AWS", BOB).matches(&user(BOB, "111122223333")),
        Some(PrincipalMatch::Exact)
    );
    assert_eq!(
        with("AWS", BOB).matches(&user("arn:aws:iam::111122223333:user/eve", "111122223333")),
        None
    );
}

#[test]
fn a_role_arn_matches_its_sessions() {
    let mut session = user("arn:aws:sts::111122223333:assumed-role/r/s", "111122223333");
    session.kind = PrincipalType::AssumedRole;
    session.role_arn = Some("arn:aws:iam::111122223333:role/r");
    assert_eq!(
        with("AWS", "arn:aws:iam::111122223333:role/r").matches(&session),
        Some(PrincipalMatch::Role)
    );
    assert_eq!(
        with("AWS", "arn:aws:sts::111122223333:assumed-role/r/s").matches(&session),
        Some(PrincipalMatch::Exact)
    );
}

#[test]
fn star_matches_even_anonymous_but_accounts_do_not() {
    let anon = Caller::anonymous();
    assert_eq!(
        Principals::any().matches(&anon),
        Some(PrincipalMatch::Wildcard)
    );
    assert_eq!(
        with("AWS", "*").matches(&anon),
        Some(PrincipalMatch::Wildcard)
    );
    assert_eq!(with("AWS", "111122223333").matches(&anon), None);
}

#[test]
fn federated_providers_match_by_name() {
    let mut fed = user("arn:aws:sts::111122223333:federated-user/x", "111122223333");
    fed.federated_provider = Some("accounts.google.com");
    assert_eq!(
        with("Federated", "accounts.google.com").matches(&fed),
        Some(PrincipalMatch::Exact)
    );
    assert_eq!(
        with("Federated", "cognito-identity.amazonaws.com").matches(&fed),
        None
    );
}

#[test]
fn malformed_aws_principals_are_refused() {
    for bad in [
        "bob",
        "12345",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::notanaccount:user/x",
        "",
    ] {
        assert!(Principals::default().add("AWS", bad).is_err(), "{bad}");
    }
    assert!(Principals::default().add("Martian", "x").is_err());
}
