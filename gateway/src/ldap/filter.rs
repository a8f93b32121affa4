//! Search filters built from templates: every value put into one is escaped as RFC 4515
//! says, so a user name such as `*` or `a)(uid=*` is a value to match, never filter syntax.

use crate::config::{DN_PLACEHOLDER, USER_PLACEHOLDER};

/// `value` as an RFC 4515 assertion value: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
/// `\29`, `\5c` and `\00`; every other character stands for itself (UTF-8 is allowed).
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '*' => out.push_str("\\2a"),
            '(' => out.push_str("\\28"),
            ')' => out.push_str("\\29"),
            '\\' => out.push_str("\\5c"),
            '\0' => out.push_str("\\00"),
            other => out.push(other),
        }
    }
    out
}

/// The user search filter: the template with `%s` replaced by the escaped user name.
pub fn user_filter(template: &str, user_name: &str) -> String {
    template.replace(USER_PLACEHOLDER, &escape_value(user_name))
}

/// The group search filter: the template with `%d` replaced by the escaped user DN and
/// `%s` by the escaped user name. One pass, so an inserted value is never read as a
/// placeholder.
pub fn group_filter(template: &str, user_dn: &str, user_name: &str) -> String {
    let (dn, name) = (escape_value(user_dn), escape_value(user_name));
    let mut out = String::with_capacity(template.len() + dn.len());
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix(DN_PLACEHOLDER) {
            out.push_str(&dn);
            rest = after;
        } else if let Some(after) = tail.strip_prefix(USER_PLACEHOLDER) {
            out.push_str(&name);
            rest = after;
        } else {
            out.push('%');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}
