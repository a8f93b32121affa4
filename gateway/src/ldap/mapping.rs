//! Which roles a signed-in user may get: the `[[ldap.role_mappings]]` whose DN is the user's
//! or one of its groups'. DNs are compared as the directory compares them for these
//! attributes, near enough: case-insensitively, ignoring spaces around `,` and `=`.

use crate::config::RoleMapping;

/// A DN in a comparable form.
fn normal(dn: &str) -> String {
    dn.split(',')
        .map(|rdn| {
            let (attr, value) = rdn.split_once('=').unwrap_or((rdn, ""));
            format!("{}={}", attr.trim(), value.trim())
        })
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// The role ARNs mapped to `user_dn` or to one of `group_dns`, each once, in the order the
/// mappings are declared.
pub fn mapped_roles<'m>(
    mappings: &'m [RoleMapping],
    user_dn: &str,
    group_dns: &[String],
) -> Vec<&'m str> {
    let user = normal(user_dn);
    let groups: Vec<String> = group_dns.iter().map(|g| normal(g)).collect();
    let mut roles: Vec<&str> = Vec::new();
    for m in mappings {
        let dn = normal(&m.dn);
        let matches = if m.is_user {
            dn == user
        } else {
            groups.contains(&dn)
        };
        if matches && !roles.contains(&m.role_arn.as_str()) {
            roles.push(&m.role_arn);
        }
    }
    roles
}
