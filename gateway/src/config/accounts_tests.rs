//! `[[accounts]]` in the config file: keys inline or from files, and errors that name the
//! account and the key.

use std::path::{Path, PathBuf};

use super::*;

fn load_file(text: &str) -> Result<Config, ConfigError> {
    let args = ServeArgs {
        config: Some(PathBuf::from("/etc/strata.toml")),
        dev: true,
        ..Default::default()
    };
    let text = text.to_string();
    load(&args, &|_| None, &move |p: &Path| match p.to_str() {
        Some("/etc/strata.toml") => Ok(text.clone()),
        Some("/run/secrets/team-b-secret") => Ok("team-b-secret-key\n".into()),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        )),
    })
}

fn account_error(text: &str) -> (String, String) {
    match load_file(text) {
        Err(ConfigError::Account { account, key, .. }) => (account, key),
        other => panic!("expected an account error, got {other:?}"),
    }
}

#[test]
fn accounts_take_keys_inline_or_from_files() {
    let c = load_file(
        r#"
region = "eu-west-1"

[[accounts]]
name = "team-a"
access_key = "TEAMAKEY"
secret_key = "team-a-secret"

[[accounts]]
name = "team-b"
access_key = "TEAMBKEY"
secret_key_file = "/run/secrets/team-b-secret"
"#,
    )
    .unwrap();
    assert_eq!(c.region, "eu-west-1");
    let got: Vec<_> = c
        .accounts
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.credentials.access_key.as_str(),
                a.credentials.secret_key.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("team-a", "TEAMAKEY", "team-a-secret"),
            ("team-b", "TEAMBKEY", "team-b-secret-key")
        ]
    );
    // Secrets never reach a log line.
    assert!(!format!("{:?}", c.accounts).contains("team-a-secret"));
}

#[test]
fn a_file_without_accounts_declares_none() {
    assert!(load_file("region = \"eu-west-1\"\n")
        .unwrap()
        .accounts
        .is_empty());
}

#[test]
fn errors_name_the_account_and_the_key() {
    let table = |body: &str| format!("[[accounts]]\n{body}");
    let cases: &[(&str, (&str, &str))] = &[
        ("access_key = \"AAAA\"\nsecret_key = \"12345678\"\n", ("#1", "")),
        ("name = \"a b\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\n", ("a b", "name")),
        ("name = \"root\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\n", ("root", "name")),
        ("name = \"a\"\nsecret_key = \"12345678\"\n", ("a", "access_key")),
        ("name = \"a\"\naccess_key = \"AAAA\"\n", ("a", "secret_key")),
        ("name = \"a\"\naccess_key = \"AAAA\"\nsecret_key = \"short\"\n", ("a", "secret_key")),
        (
            "name = \"a\"\naccess_key = \"AAAA\"\nsecret_key_file = \"/missing\"\n",
            ("a", "secret_key"),
        ),
        (
            "name = \"a\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\nsecret_key_file = \"/x\"\n",
            ("a", "secret_key"),
        ),
        (
            "name = \"a\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\npolicy = \"x\"\n",
            ("#1", ""),
        ),
    ];
    for (body, want) in cases {
        let got = account_error(&table(body));
        assert_eq!((got.0.as_str(), got.1.as_str()), *want, "{body}");
    }
    // Two accounts may not share a name or an access key, nor take root's key.
    let twice = "[[accounts]]\nname = \"a\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\n\
                 [[accounts]]\nname = \"a\"\naccess_key = \"BBBB\"\nsecret_key = \"12345678\"\n";
    assert_eq!(account_error(twice), ("a".into(), "name".into()));
    let same_key = "[[accounts]]\nname = \"a\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\n\
                    [[accounts]]\nname = \"b\"\naccess_key = \"AAAA\"\nsecret_key = \"12345678\"\n";
    assert_eq!(account_error(same_key), ("b".into(), "access_key".into()));
    let roots = format!(
        "[[accounts]]\nname = \"a\"\naccess_key = \"{DEV_ACCESS_KEY}\"\nsecret_key = \"12345678\"\n"
    );
    assert_eq!(account_error(&roots), ("a".into(), "access_key".into()));
}
