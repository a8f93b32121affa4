//! What an LDAP sign-in's session is: which of the user's mapped roles, and its name.

/// Why no role could be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRole {
    /// The user and its groups map to no role.
    NoneMapped,
    /// `RoleArn` names a role the user is not mapped to.
    NotMapped,
    /// Several roles are mapped and `RoleArn` does not say which.
    ChoiceNeeded(usize),
}

impl NoRole {
    /// The metric label and log field.
    pub fn reason(self) -> &'static str {
        match self {
            NoRole::NoneMapped => "no_mapped_role",
            NoRole::NotMapped => "role_not_mapped",
            NoRole::ChoiceNeeded(_) => "role_choice_needed",
        }
    }
}

/// The role of the session: the one `asked` (`RoleArn`) if it is mapped, else the only
/// mapped one.
pub fn choose_role<'m>(mapped: &[&'m str], asked: Option<&str>) -> Result<&'m str, NoRole> {
    match (mapped, asked) {
        ([], _) => Err(NoRole::NoneMapped),
        (_, Some(asked)) => mapped
            .iter()
            .find(|arn| **arn == asked)
            .copied()
            .ok_or(NoRole::NotMapped),
        ([only], None) => Ok(only),
        (many, None) => Err(NoRole::ChoiceNeeded(many.len())),
    }
}

/// The session name of `user_name`: STS's `[\w+=,.@-]{2,64}`, every other character
/// replaced by `_`, cut at 64 characters and padded with `_` to two.
pub fn session_name(user_name: &str) -> String {
    let mut name: String = user_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    while name.len() < 2 {
        name.push('_');
    }
    name
}
