//! The `[ldap]` table of the config file: the directory `AssumeRoleWithLDAPIdentity` signs
//! users in against, and which of its groups (and users) become which roles. Documented in
//! docs/IDENTITY.md ("LDAP").

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

/// The placeholder of a user search filter that stands for the (escaped) user name.
pub const USER_PLACEHOLDER: &str = "%s";
/// The placeholder of a group search filter that stands for the (escaped) user DN.
pub const DN_PLACEHOLDER: &str = "%d";

/// Seconds to open the connection (TCP and TLS) when none is declared.
const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;
/// Seconds each LDAP operation (bind, search) may take when none is declared.
const DEFAULT_OPERATION_TIMEOUT_SECS: u64 = 10;

/// The directory and its mappings.
#[derive(Debug, Clone, PartialEq)]
pub struct LdapConfig {
    /// `ldap://HOST[:PORT]` or `ldaps://HOST[:PORT]`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before any bind.
    pub start_tls: bool,
    /// PEM CA bundle the server's certificate must chain to; the system roots without it.
    pub ca_file: Option<PathBuf>,
    /// The DN strata binds as to search for users and groups.
    pub lookup_bind_dn: String,
    /// The lookup DN's password, re-read at each sign-in (a mounted Secret may rotate).
    pub lookup_bind_password_file: PathBuf,
    /// Where users are searched (whole subtree).
    pub user_search_base: String,
    /// Filter with `%s` for the escaped user name, e.g. `(uid=%s)`.
    pub user_search_filter: String,
    /// Where groups are searched (whole subtree).
    pub group_search_base: String,
    /// Filter with `%d` for the escaped user DN (and optionally `%s`), e.g. `(member=%d)`.
    pub group_search_filter: String,
    /// To open the connection, TLS included.
    pub connect_timeout: Duration,
    /// Each bind and search.
    pub operation_timeout: Duration,
    /// Which groups and users become which roles, in the order declared.
    pub role_mappings: Vec<RoleMapping>,
}

/// One mapping: members of `group` (or the user `user`) may get a session of `role_arn`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleMapping {
    /// A group's or a user's DN, as the directory spells it (compared case-insensitively).
    pub dn: String,
    /// Whether `dn` is a user (else a group).
    pub is_user: bool,
    /// The role's ARN, declared in `[[roles]]` or through IAM.
    pub role_arn: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLdap {
    url: String,
    start_tls: Option<bool>,
    ca_file: Option<PathBuf>,
    lookup_bind_dn: String,
    lookup_bind_password_file: PathBuf,
    user_search_base: String,
    user_search_filter: String,
    group_search_base: String,
    group_search_filter: String,
    connect_timeout_secs: Option<u64>,
    operation_timeout_secs: Option<u64>,
    #[serde(default)]
    role_mappings: Vec<RawMapping>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    group: Option<String>,
    user: Option<String>,
    role_arn: String,
}

fn error(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Ldap {
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Parses the `ldap` table, if the file has one. The password and CA files must be
/// readable now, so a typo stops the start rather than every sign-in.
pub fn parse(
    ldap: Option<toml::Value>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Option<LdapConfig>, ConfigError> {
    let Some(ldap) = ldap else {
        return Ok(None);
    };
    let raw = RawLdap::deserialize(ldap).map_err(|e| error("", e.message()))?;
    let start_tls = raw.start_tls.unwrap_or(false);
    match raw.url.split_once("://").map(|(scheme, _)| scheme) {
        Some("ldap") => {}
        Some("ldaps") if !start_tls => {}
        Some("ldaps") => {
            return Err(error(
                "start_tls",
                "StartTLS is for ldap:// URLs; ldaps:// is TLS already",
            ))
        }
        _ => return Err(error("url", "an ldap:// or ldaps:// URL")),
    }
    for (key, value) in [
        ("lookup_bind_dn", &raw.lookup_bind_dn),
        ("user_search_base", &raw.user_search_base),
        ("group_search_base", &raw.group_search_base),
    ] {
        if value.trim().is_empty() {
            return Err(error(key, "a DN (not empty)"));
        }
    }
    filter_template(
        "user_search_filter",
        &raw.user_search_filter,
        USER_PLACEHOLDER,
    )?;
    filter_template(
        "group_search_filter",
        &raw.group_search_filter,
        DN_PLACEHOLDER,
    )?;
    let password = read_file(&raw.lookup_bind_password_file).map_err(|e| {
        error(
            "lookup_bind_password_file",
            format!(
                "cannot read {}: {e}",
                raw.lookup_bind_password_file.display()
            ),
        )
    })?;
    if password.trim_end_matches(['\r', '\n']).is_empty() {
        // An empty password would make the lookup bind an unauthenticated one.
        return Err(error("lookup_bind_password_file", "the file is empty"));
    }
    if let Some(ca) = &raw.ca_file {
        read_file(ca)
            .map_err(|e| error("ca_file", format!("cannot read {}: {e}", ca.display())))?;
    }
    let connect_timeout = seconds(
        "connect_timeout_secs",
        raw.connect_timeout_secs,
        DEFAULT_CONNECT_TIMEOUT_SECS,
    )?;
    let operation_timeout = seconds(
        "operation_timeout_secs",
        raw.operation_timeout_secs,
        DEFAULT_OPERATION_TIMEOUT_SECS,
    )?;
    let mut role_mappings = Vec::new();
    for (i, m) in raw.role_mappings.into_iter().enumerate() {
        let key = |name: &str| format!("role_mappings #{}: {name}", i + 1);
        let (dn, is_user) = match (m.group, m.user) {
            (Some(group), None) => (group, false),
            (None, Some(user)) => (user, true),
            _ => return Err(error(&key("group"), "one of group or user (a DN)")),
        };
        if dn.trim().is_empty() {
            return Err(error(&key(if is_user { "user" } else { "group" }), "a DN"));
        }
        if !m.role_arn.starts_with("arn:") || !m.role_arn.contains(":role/") {
            return Err(error(
                &key("role_arn"),
                "a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
            ));
        }
        role_mappings.push(RoleMapping {
            dn,
            is_user,
            role_arn: m.role_arn,
        });
    }
    if role_mappings.is_empty() {
        return Err(error(
            "role_mappings",
            "at least one [[ldap.role_mappings]]: without one nobody could sign in",
        ));
    }
    Ok(Some(LdapConfig {
        url: raw.url,
        start_tls,
        ca_file: raw.ca_file,
        lookup_bind_dn: raw.lookup_bind_dn,
        lookup_bind_password_file: raw.lookup_bind_password_file,
        user_search_base: raw.user_search_base,
        user_search_filter: raw.user_search_filter,
        group_search_base: raw.group_search_base,
        group_search_filter: raw.group_search_filter,
        connect_timeout,
        operation_timeout,
        role_mappings,
    }))
}

/// A filter template must be parenthesised and name its placeholder.
fn filter_template(key: &str, template: &str, placeholder: &str) -> Result<(), ConfigError> {
    let t = template.trim();
    if !(t.starts_with('(') && t.ends_with(')') && t.contains(placeholder)) {
        return Err(error(
            key,
            format!("a parenthesised LDAP filter with {placeholder}, e.g. (uid=%s) or (member=%d)"),
        ));
    }
    Ok(())
}

fn seconds(key: &str, value: Option<u64>, default: u64) -> Result<Duration, ConfigError> {
    match value.unwrap_or(default) {
        n @ 1..=300 => Ok(Duration::from_secs(n)),
        _ => Err(error(key, "1 to 300 seconds")),
    }
}
