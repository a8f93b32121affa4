//! The checks IAM makes of its parameters: names, paths, tags and policy documents.

use strata_policy::{Policy, PolicyKind};

use crate::config::iam_name;
use crate::query_api::Form;
use crate::s3::error::{Code, S3Error};

/// The most tags a user or role may have.
pub const MAX_TAGS: usize = 50;

/// A required name parameter (`UserName`, `GroupName`, ...), checked against IAM's rules.
pub fn name<'a>(form: &'a Form, param: &str) -> Result<&'a str, S3Error> {
    let value = form.required(param)?;
    check_name(param, value)?;
    Ok(value)
}

/// IAM's name rule: 1 to 64 of `A-Z a-z 0-9 + = , . @ _ -`.
pub fn check_name(param: &str, value: &str) -> Result<(), S3Error> {
    if iam_name(value) {
        Ok(())
    } else {
        Err(Code::ValidationError.with(format!(
            "The specified value for '{param}' is invalid. It must contain only alphanumeric \
             characters and/or the following: +=,.@_- and be 1 to 64 characters long"
        )))
    }
}

/// The `Path` parameter: `/` when not given, otherwise `/`, or `/` + segments + `/`, of
/// printable ASCII, at most 512 characters.
pub fn path<'a>(form: &'a Form, param: &str) -> Result<&'a str, S3Error> {
    let Some(value) = form.get(param) else {
        return Ok("/");
    };
    let printable = value.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if value.len() <= 512
        && value.starts_with('/')
        && value.ends_with('/')
        && printable
        && !value.contains("//")
    {
        Ok(value)
    } else {
        Err(Code::ValidationError.with(format!(
            "The specified value for '{param}' is invalid. It must begin and end with / and \
             contain only printable ASCII characters"
        )))
    }
}

/// The `PathPrefix` of a listing: `/` when not given.
pub fn path_prefix(form: &Form) -> Result<&str, S3Error> {
    let value = form.get("PathPrefix").unwrap_or("/");
    if value.starts_with('/') && value.len() <= 512 {
        Ok(value)
    } else {
        Err(Code::ValidationError.with("PathPrefix must begin with /"))
    }
}

/// A policy document of `kind`, no longer than `limit` (whitespace not counted): a bad
/// one is `MalformedPolicyDocument` with the parser's reason, a long one `LimitExceeded`.
pub fn document(text: &str, kind: PolicyKind, limit: usize) -> Result<(), S3Error> {
    match Policy::parse_with_limit(text, kind, limit) {
        Ok(_) => Ok(()),
        Err(e) if e.is_limit_exceeded() => Err(Code::LimitExceeded.with(e.to_string())),
        Err(e) => Err(Code::MalformedPolicyDocument.with(e.to_string())),
    }
}

/// The `Tags` parameter, checked: keys 1 to 128 characters, values at most 256, no key
/// twice.
pub fn tags(form: &Form) -> Result<Vec<(String, String)>, S3Error> {
    let tags = form.pairs("Tags")?;
    for (i, (key, value)) in tags.iter().enumerate() {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(Code::ValidationError
                .with(format!("tag key {key:?} must be 1 to 128 characters long")));
        }
        if value.chars().count() > 256 {
            return Err(Code::ValidationError.with(format!(
                "the value of tag {key:?} is longer than 256 characters"
            )));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            return Err(Code::InvalidInput.with(format!("tag key {key:?} is given twice")));
        }
    }
    Ok(tags)
}

/// `existing` with `new` merged in (a key already there takes the new value), at most
/// [`MAX_TAGS`].
pub fn merge_tags(
    existing: &[(String, String)],
    new: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, S3Error> {
    let mut out = existing.to_vec();
    for (key, value) in new {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    if out.len() > MAX_TAGS {
        return Err(Code::LimitExceeded.with(format!("an entity may have at most {MAX_TAGS} tags")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Form {
        Form::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn names_follow_iam_rules() {
        assert_eq!(
            name(&form("UserName=al.ice%2B1"), "UserName").unwrap(),
            "al.ice+1"
        );
        let bad = name(&form("UserName=a%2Fb"), "UserName").unwrap_err();
        assert_eq!(bad.code, Code::ValidationError);
        assert_eq!(
            name(&form(""), "UserName").unwrap_err().code,
            Code::MissingParameter
        );
        assert_eq!(
            check_name("UserName", &"a".repeat(65)).unwrap_err().code,
            Code::ValidationError
        );
    }

    #[test]
    fn paths_begin_and_end_with_a_slash() {
        assert_eq!(path(&form(""), "Path").unwrap(), "/");
        assert_eq!(path(&form("Path=%2Fa%2Fb%2F"), "Path").unwrap(), "/a/b/");
        for bad in ["Path=a%2F", "Path=%2Fa", "Path=%2Fa%20b%2F", "Path=%2F%2F"] {
            assert_eq!(
                path(&form(bad), "Path").unwrap_err().code,
                Code::ValidationError,
                "{bad}"
            );
        }
    }

    #[test]
    fn documents_are_malformed_or_too_long() {
        let ok = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        document(ok, PolicyKind::Identity, 2048).unwrap();
        let e = document("{", PolicyKind::Identity, 2048).unwrap_err();
        assert_eq!(e.code, Code::MalformedPolicyDocument);
        assert!(!e.message.is_empty());
        let e = document(ok, PolicyKind::Identity, 20).unwrap_err();
        assert_eq!(e.code, Code::LimitExceeded);
        // A trust policy needs a Principal.
        assert_eq!(
            document(ok, PolicyKind::Trust, 2048).unwrap_err().code,
            Code::MalformedPolicyDocument
        );
    }

    #[test]
    fn tags_are_checked_and_merged() {
        let t = tags(&form("Tags.member.1.Key=a&Tags.member.1.Value=1")).unwrap();
        let merged = merge_tags(&[("a".into(), "0".into()), ("b".into(), "2".into())], t).unwrap();
        assert_eq!(
            merged,
            [("a".into(), "1".into()), ("b".into(), "2".to_string())]
        );
        assert_eq!(
            tags(&form("Tags.member.1.Key=a&Tags.member.2.Key=a"))
                .unwrap_err()
                .code,
            Code::InvalidInput
        );
        let many: Vec<_> = (0..51).map(|i| (i.to_string(), String::new())).collect();
        assert_eq!(merge_tags(&[], many).unwrap_err().code, Code::LimitExceeded);
    }
}
