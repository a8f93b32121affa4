//! Session tags (the `Tags` parameter of an issuing action, or a web-identity token's
//! tags claim), checked in AWS's terms: they become the session's `aws:PrincipalTag/*`.

use strata_sts::session::SessionTag;

use super::grant::validation;
use crate::query_api::Form;
use crate::s3::error::S3Error;

/// At most this many tags per session, as on AWS.
pub const MAX_TAGS: usize = 50;

/// The session tags of `form`, in the order given.
pub fn session_tags(form: &Form) -> Result<Vec<SessionTag>, S3Error> {
    checked_tags(form.pairs("Tags")?)
}

/// `pairs` as session tags, if each is one AWS would take (else `ValidationError`).
pub fn checked_tags(pairs: Vec<(String, String)>) -> Result<Vec<SessionTag>, S3Error> {
    if pairs.len() > MAX_TAGS {
        return Err(validation(
            "Tags",
            &format!("must have at most {MAX_TAGS} members"),
        ));
    }
    let mut tags: Vec<SessionTag> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if !(1..=128).contains(&key.chars().count()) || !tag_text(&key) {
            return Err(validation(
                "Tags.member.N.Key",
                "must be 1 to 128 characters of letters, digits, spaces and _.:/=+-@",
            ));
        }
        if aws_reserved(&key) {
            return Err(validation(
                "Tags.member.N.Key",
                "must not begin with the reserved prefix aws:",
            ));
        }
        if value.chars().count() > 256 || !tag_text(&value) {
            return Err(validation(
                "Tags.member.N.Value",
                "must be at most 256 characters of letters, digits, spaces and _.:/=+-@",
            ));
        }
        // Tag keys are case-insensitive in conditions, so two that differ only in case
        // would be one key with two values.
        if tags.iter().any(|t| t.key.eq_ignore_ascii_case(&key)) {
            return Err(validation(
                "Tags",
                &format!("has the key {key} twice (tag keys are case-insensitive)"),
            ));
        }
        tags.push(SessionTag { key, value });
    }
    Ok(tags)
}

/// Whether `text` begins with AWS's reserved `aws:`, in any case (and without slicing
/// inside a character: tag keys may be any letters).
pub fn aws_reserved(text: &str) -> bool {
    text.get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case("aws:"))
}

/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`.
fn tag_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(body: &str) -> Result<Vec<(String, String)>, String> {
        let form = Form::parse(body.as_bytes()).unwrap();
        session_tags(&form)
            .map(|t| t.into_iter().map(|t| (t.key, t.value)).collect())
            .map_err(|e| e.message.clone())
    }

    #[test]
    fn tags_are_read_in_order_and_checked() {
        assert_eq!(
            tags("Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=cost%20centre&Tags.member.2.Value="),
            Ok(vec![
                ("team".into(), "blue".into()),
                ("cost centre".into(), String::new())
            ])
        );
        assert!(tags("Tags.member.1.Key=team&Tags.member.1.Value=a&Tags.member.2.Key=TEAM&Tags.member.2.Value=b")
            .unwrap_err()
            .contains("twice"));
        assert!(tags("Tags.member.1.Key=aws:x&Tags.member.1.Value=a")
            .unwrap_err()
            .contains("aws:"));
        assert!(tags("Tags.member.1.Key=a%3Cb&Tags.member.1.Value=a").is_err());
        // Letters of several bytes: the reserved-prefix check must not cut one in two.
        assert_eq!(
            tags("Tags.member.1.Key=a%C3%A9%C3%A9&Tags.member.1.Value=v"),
            Ok(vec![("aéé".into(), "v".into())])
        );
        assert!(tags("Tags.member.1.Key=a&Tags.member.1.Value=%22").is_err());
        let many: String = (1..=51)
            .map(|i| format!("Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v&"))
            .collect();
        assert!(tags(&many).unwrap_err().contains("at most 50"));
    }
}
