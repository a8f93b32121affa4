//! `[[roles]]` and `[sts]` in the config file: declared roles with their policies checked at
//! load, and web-identity providers with one key source each.

use std::path::{Path, PathBuf};

use strata_sts::web_identity::KeySource;

use super::*;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;

fn load_file(text: &str) -> Result<Config, ConfigError> {
    let args = ServeArgs {
        config: Some(PathBuf::from("/etc/strata.toml")),
        dev: true,
        ..Default::default()
    };
    let text = text.to_string();
    load(&args, &|_| None, &move |p: &Path| match p.to_str() {
        Some("/etc/strata.toml") => Ok(text.clone()),
        Some("/etc/trust.json") => Ok(format!("{TRUST}\n")),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        )),
    })
}

fn role_error(text: &str) -> (String, String) {
    match load_file(text) {
        Err(ConfigError::Role { role, key, .. }) => (role, key),
        other => panic!("expected a role error, got {other:?}"),
    }
}

fn sts_error(text: &str) -> String {
    match load_file(text) {
        Err(ConfigError::Sts { key, .. }) => key,
        other => panic!("expected an [sts] error, got {other:?}"),
    }
}

#[test]
fn roles_take_documents_inline_or_from_files_with_defaults() {
    let c = load_file(&format!(
        "[[accounts]]\nname = \"team-b\"\naccess_key = \"TEAMBKEY\"\nsecret_key = \"team-b-secret\"\n\n\
         [[roles]]\nname = \"reader\"\ntrust_policy_file = \"/etc/trust.json\"\n\n\
         [[roles]]\nname = \"writer\"\naccount = \"team-b\"\ntrust_policy = '{TRUST}'\n\
         policy = '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}]}}'\n\
         max_session_secs = 43200\n"
    ))
    .unwrap();
    assert_eq!(c.roles.len(), 2);
    assert_eq!(c.roles[0].name, "reader");
    assert_eq!(c.roles[0].account, "root");
    assert_eq!(c.roles[0].trust, TRUST);
    assert_eq!(c.roles[0].policy, None);
    assert_eq!(c.roles[0].max_session_secs, DEFAULT_MAX_SESSION_SECS);
    assert_eq!(c.roles[1].account, "team-b");
    assert_eq!(c.roles[1].max_session_secs, 43200);
    assert!(c.roles[1].policy.is_some());
}

#[test]
fn role_mistakes_name_the_role_and_the_key() {
    let role = |body: &str| format!("[[roles]]\nname = \"r\"\n{body}\n");
    assert_eq!(role_error(&role("")), ("r".into(), "trust_policy".into()));
    // An identity policy is not a trust policy (no Principal).
    assert_eq!(
        role_error(&role(
            r#"trust_policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'"#
        )),
        ("r".into(), "trust_policy".into())
    );
    let trusted = format!("trust_policy = '{TRUST}'");
    assert_eq!(
        role_error(&role(&format!("{trusted}\npolicy = '{{not json'"))),
        ("r".into(), "policy".into())
    );
    assert_eq!(
        role_error(&role(&format!("{trusted}\naccount = \"nobody\""))),
        ("r".into(), "account".into())
    );
    assert_eq!(
        role_error(&role(&format!("{trusted}\nmax_session_secs = 900"))),
        ("r".into(), "max_session_secs".into())
    );
    assert_eq!(
        role_error(&format!("{}{}", role(&trusted), role(&trusted))),
        ("r".into(), "name".into())
    );
    assert_eq!(
        role_error(&format!("[[roles]]\nname = \"bad name\"\n{trusted}\n")),
        ("bad name".into(), "name".into())
    );
}

#[test]
fn providers_take_one_key_source_and_default_to_discovery() {
    let c = load_file(
        "[[sts.providers]]\nissuer = \"https://kubernetes.default.svc\"\naudiences = [\"sts.amazonaws.com\"]\n\
         jwks_file = \"/var/run/jwks.json\"\n\n\
         [[sts.providers]]\nissuer = \"https://oidc.example/id/X\"\naudiences = [\"a\", \"b\"]\n",
    )
    .unwrap();
    let p = &c.sts.providers;
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].keys, KeySource::JwksFile("/var/run/jwks.json".into()));
    assert_eq!(p[1].keys, KeySource::Discovery);
    assert_eq!(p[1].audiences, ["a", "b"]);
    assert!(load_file("").unwrap().sts.providers.is_empty());

    let provider = |body: &str| format!("[[sts.providers]]\n{body}\n");
    assert!(
        sts_error(&provider("issuer = \"kubernetes\"\naudiences = [\"a\"]")).ends_with("issuer")
    );
    assert!(sts_error(&provider("issuer = \"https://x\"\naudiences = []")).ends_with("audiences"));
    assert!(sts_error(&provider(
        "issuer = \"https://x\"\naudiences = [\"a\"]\njwks_file = \"/f\"\njwks_url = \"https://x/k\""
    ))
    .ends_with("jwks_file"));
    let twice = provider("issuer = \"https://x\"\naudiences = [\"a\"]");
    assert!(sts_error(&format!("{twice}{twice}")).ends_with("issuer"));
    assert_eq!(
        sts_error(&provider(
            "issuer = \"https://x\"\naudiences = [\"a\"]\nsecret = 1"
        )),
        ""
    );
}
