//! The filter escaping (RFC 4515 §3) and the role mapping.

use super::*;
use crate::config::RoleMapping;

#[test]
fn the_five_filter_metacharacters_are_escaped_as_rfc_4515_says() {
    assert_eq!(escape_value("*"), "\\2a");
    assert_eq!(escape_value("("), "\\28");
    assert_eq!(escape_value(")"), "\\29");
    assert_eq!(escape_value("\\"), "\\5c");
    assert_eq!(escape_value("\0"), "\\00");
    assert_eq!(escape_value("a*)(uid=*\\"), "a\\2a\\29\\28uid=\\2a\\5c");
}

#[test]
fn other_characters_stand_for_themselves() {
    assert_eq!(escape_value("alice"), "alice");
    assert_eq!(escape_value("o'brien=x,y"), "o'brien=x,y");
    assert_eq!(escape_value("zoë 李"), "zoë 李");
    assert_eq!(escape_value(""), "");
}

#[test]
fn an_escaped_value_cannot_close_the_template_filter() {
    let filter = user_filter("(&(objectClass=inetOrgPerson)(uid=%s))", "x)(uid=*");
    assert_eq!(
        filter,
        "(&(objectClass=inetOrgPerson)(uid=x\\29\\28uid=\\2a))"
    );
    // Exactly the template's own parentheses remain.
    let open = filter.matches('(').count();
    let close = filter.matches(')').count();
    assert_eq!((open, close), (3, 3));
}

#[test]
fn group_filters_take_the_escaped_dn_and_user_name_in_one_pass() {
    let dn = "uid=a(1),ou=people,dc=example,dc=org";
    assert_eq!(
        group_filter("(|(member=%d)(memberUid=%s))", dn, "a%d"),
        "(|(member=uid=a\\281\\29,ou=people,dc=example,dc=org)(memberUid=a%d))"
    );
    // A lone `%` is kept.
    assert_eq!(
        group_filter("(cn=100%)(member=%d)", "x", "u"),
        "(cn=100%)(member=x)"
    );
}

fn mapping(dn: &str, is_user: bool, role: &str) -> RoleMapping {
    RoleMapping {
        dn: dn.into(),
        is_user,
        role_arn: role.into(),
    }
}

#[test]
fn roles_come_from_the_users_groups_and_its_own_dn_in_declared_order() {
    let mappings = [
        mapping(
            "cn=admins,ou=groups,dc=ex",
            false,
            "arn:aws:iam::1:role/admin",
        ),
        mapping("uid=bob,ou=people,dc=ex", true, "arn:aws:iam::1:role/bob"),
        mapping(
            "cn=readers,ou=groups,dc=ex",
            false,
            "arn:aws:iam::1:role/reader",
        ),
        mapping(
            "cn=writers,ou=groups,dc=ex",
            false,
            "arn:aws:iam::1:role/admin",
        ),
    ];
    let groups = vec![
        "CN=Writers, OU=groups, DC=ex".to_string(),
        "cn=readers,ou=groups,dc=ex".to_string(),
    ];
    assert_eq!(
        mapped_roles(&mappings, "uid=bob,ou=people,dc=ex", &groups),
        [
            "arn:aws:iam::1:role/bob",
            "arn:aws:iam::1:role/reader",
            "arn:aws:iam::1:role/admin"
        ]
    );
    assert!(mapped_roles(&mappings, "uid=carol,ou=people,dc=ex", &[]).is_empty());
    // A user mapping is not a group mapping: a group of that DN maps nothing.
    assert!(mapped_roles(
        &mappings,
        "uid=carol,ou=people,dc=ex",
        &["uid=bob,ou=people,dc=ex".to_string()]
    )
    .is_empty());
}

#[test]
fn an_empty_password_is_refused_before_the_directory_is_asked() {
    // The URL points nowhere: reaching it would be an `Unreachable` error, not this one.
    let config = crate::config::LdapConfig {
        url: "ldap://127.0.0.1:1".into(),
        start_tls: false,
        ca_file: None,
        lookup_bind_dn: "cn=lookup".into(),
        lookup_bind_password_file: "/nonexistent".into(),
        user_search_base: "ou=people".into(),
        user_search_filter: "(uid=%s)".into(),
        group_search_base: "ou=groups".into(),
        group_search_filter: "(member=%d)".into(),
        connect_timeout: std::time::Duration::from_secs(1),
        operation_timeout: std::time::Duration::from_secs(1),
        role_mappings: Vec::new(),
    };
    let directory = Directory::new(config).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(directory.sign_in("alice", ""));
    assert!(
        matches!(result, Err(LoginError::EmptyPassword)),
        "{result:?}"
    );
    assert_eq!(LoginError::EmptyPassword.reason(), "empty_password");
}
