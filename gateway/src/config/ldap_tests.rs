//! `[ldap]` in the config file: the directory, its files checked at load, and the mappings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

const BASE: &str = r#"
[ldap]
url = "ldaps://ldap.example.org:636"
ca_file = "/etc/ldap-ca.pem"
lookup_bind_dn = "cn=strata,dc=example,dc=org"
lookup_bind_password_file = "/run/ldap-password"
user_search_base = "ou=people,dc=example,dc=org"
user_search_filter = "(uid=%s)"
group_search_base = "ou=groups,dc=example,dc=org"
group_search_filter = "(member=%d)"

[[ldap.role_mappings]]
group = "cn=s3,ou=groups,dc=example,dc=org"
role_arn = "arn:aws:iam::111122223333:role/s3"

[[ldap.role_mappings]]
user = "uid=alice,ou=people,dc=example,dc=org"
role_arn = "arn:aws:iam::111122223333:role/admin"
"#;

fn load_file(text: &str, password: &'static str) -> Result<Config, ConfigError> {
    let args = ServeArgs {
        config: Some(PathBuf::from("/etc/strata.toml")),
        dev: true,
        ..Default::default()
    };
    let text = text.to_string();
    load(&args, &|_| None, &move |p: &Path| match p.to_str() {
        Some("/etc/strata.toml") => Ok(text.clone()),
        Some("/run/ldap-password") => Ok(password.to_string()),
        Some("/etc/ldap-ca.pem") => Ok("-----BEGIN CERTIFICATE-----\n".into()),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        )),
    })
}

fn ldap_error(text: &str) -> String {
    match load_file(text, "secret\n") {
        Err(ConfigError::Ldap { key, .. }) => key,
        other => panic!("expected an [ldap] error, got {other:?}"),
    }
}

#[test]
fn an_ldap_table_becomes_the_sts_directory_with_its_mappings_in_order() {
    let config = load_file(BASE, "secret\n").unwrap();
    let ldap = config.sts.ldap.expect("the [ldap] table");
    assert_eq!(ldap.url, "ldaps://ldap.example.org:636");
    assert!(!ldap.start_tls);
    assert_eq!(ldap.ca_file.as_deref(), Some(Path::new("/etc/ldap-ca.pem")));
    assert_eq!(ldap.connect_timeout, Duration::from_secs(5));
    assert_eq!(ldap.operation_timeout, Duration::from_secs(10));
    assert_eq!(
        ldap.role_mappings,
        [
            RoleMapping {
                dn: "cn=s3,ou=groups,dc=example,dc=org".into(),
                is_user: false,
                role_arn: "arn:aws:iam::111122223333:role/s3".into(),
            },
            RoleMapping {
                dn: "uid=alice,ou=people,dc=example,dc=org".into(),
                is_user: true,
                role_arn: "arn:aws:iam::111122223333:role/admin".into(),
            },
        ]
    );
}

#[test]
fn without_an_ldap_table_there_is_no_directory() {
    let config = load_file("", "").unwrap();
    assert_eq!(config.sts.ldap, None);
}

#[test]
fn each_wrong_key_is_named() {
    let cases = [
        (("url = \"ldaps://", "url = \"https://"), "url"),
        (
            (
                "url = \"ldaps://ldap.example.org:636\"",
                "url = \"ldaps://h\"\nstart_tls = true",
            ),
            "start_tls",
        ),
        (("(uid=%s)", "(uid=alice)"), "user_search_filter"),
        (("(member=%d)", "member=%d"), "group_search_filter"),
        (("ou=people,dc=example,dc=org\"", "\""), "user_search_base"),
        (
            ("/run/ldap-password", "/run/missing"),
            "lookup_bind_password_file",
        ),
        (("/etc/ldap-ca.pem", "/etc/missing.pem"), "ca_file"),
        (
            ("group = \"cn=s3", "user = \"x\"\ngroup = \"cn=s3"),
            "role_mappings #1: group",
        ),
        (
            ("arn:aws:iam::111122223333:role/s3", "s3"),
            "role_mappings #1: role_arn",
        ),
    ];
    for ((from, to), key) in cases {
        let text = BASE.replacen(from, to, 1);
        assert_ne!(text, BASE, "{from:?} is not in the base config");
        assert_eq!(ldap_error(&text), key, "{from:?} -> {to:?}");
    }
    let timeouts = BASE.replace(
        "[[ldap.role_mappings]]\ngroup",
        "operation_timeout_secs = 0\n\n[[ldap.role_mappings]]\ngroup",
    );
    assert_eq!(ldap_error(&timeouts), "operation_timeout_secs");
    let unmapped = BASE.split("[[ldap.role_mappings]]").next().unwrap();
    assert_eq!(ldap_error(unmapped), "role_mappings");
    assert_eq!(ldap_error(&format!("{BASE}\n[ldap.extra]\n")), "");
}

#[test]
fn an_empty_lookup_password_stops_the_start() {
    // It would make the lookup bind an unauthenticated one.
    match load_file(BASE, "\n") {
        Err(ConfigError::Ldap { key, reason }) => {
            assert_eq!(key, "lookup_bind_password_file");
            assert!(reason.contains("empty"), "{reason}");
        }
        other => panic!("expected an [ldap] error, got {other:?}"),
    }
}
