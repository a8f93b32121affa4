//! What a new role session carries: for `AssumeRole`, the `Tags`, `TransitiveTagKeys` and
//! `SourceIdentity` asked for, and what a calling role session passes on (its transitive
//! tags and its source identity, which the new session may not change); for
//! `AssumeRoleWithWebIdentity`, the token's tags and source identity claims. Checked in
//! AWS's terms.

use serde_json::Value;
use strata_sts::session::SessionTag;

use super::grant::{name_ok, validation, Carried};
use super::session_tags::{aws_reserved, checked_tags, session_tags, MAX_TAGS};
use crate::identity::Identity;
use crate::query_api::Form;
use crate::s3::error::{Code, S3Error};

/// The tags and source identity of a session `caller` asks for with `form`.
pub fn carried_by(form: &Form, caller: &Identity) -> Result<Carried, S3Error> {
    let asked = session_tags(form)?;
    let mut tags = Vec::new();
    let mut transitive_tag_keys = Vec::new();
    for key in &caller.transitive_tag_keys {
        if asked.iter().any(|tag| tag.key.eq_ignore_ascii_case(key)) {
            return Err(validation(
                "Tags",
                &format!("must not set {key}, a transitive tag of the calling session"),
            ));
        }
        let value = caller
            .tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        tags.push(SessionTag {
            key: key.clone(),
            value,
        });
        transitive_tag_keys.push(key.clone());
    }
    for key in form.list("TransitiveTagKeys") {
        let tag = asked
            .iter()
            .find(|tag| tag.key.eq_ignore_ascii_case(key))
            .ok_or_else(|| {
                validation(
                    "TransitiveTagKeys",
                    &format!("must name keys of Tags ({key} is not one)"),
                )
            })?;
        if !transitive_tag_keys.contains(&tag.key) {
            transitive_tag_keys.push(tag.key.clone());
        }
    }
    tags.extend(asked);
    if tags.len() > MAX_TAGS {
        return Err(validation(
            "Tags",
            &format!(
                "with the calling session's transitive tags, must have at most {MAX_TAGS} members"
            ),
        ));
    }
    Ok(Carried {
        tags,
        transitive_tag_keys,
        source_identity: source_identity(form, caller)?,
    })
}

/// The calling session's source identity, or the one asked for.
fn source_identity(form: &Form, caller: &Identity) -> Result<Option<String>, S3Error> {
    let asked = form.get("SourceIdentity");
    if let Some(asked) = asked {
        check_source_identity(asked)?;
    }
    match (&caller.source_identity, asked) {
        (Some(kept), Some(asked)) if kept != asked => Err(validation(
            "SourceIdentity",
            &format!("cannot change the calling session's source identity {kept}"),
        )),
        (Some(kept), _) => Ok(Some(kept.clone())),
        (None, asked) => Ok(asked.map(str::to_string)),
    }
}

/// 2 to 64 of `[\w+=,.@-]`, not beginning with `aws:`.
fn check_source_identity(value: &str) -> Result<(), S3Error> {
    if !name_ok(value, 64) || aws_reserved(value) {
        return Err(validation(
            "SourceIdentity",
            "must be 2 to 64 characters of [\\w+=,.@-], not beginning with aws:",
        ));
    }
    Ok(())
}

/// The claim of session tags, as AWS reads it from a web-identity token.
const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";
/// The claim of the source identity.
const SOURCE_IDENTITY_CLAIM: &str = "https://aws.amazon.com/source_identity";

/// What a verified web-identity token's `claims` carry into its session: the tags claim
/// (`principal_tags`: key to a one-value array or a string; `transitive_tag_keys`) and the
/// source identity claim, checked as AssumeRole's parameters are. A claim strata cannot
/// honour whole is `InvalidIdentityToken`, never partly applied.
pub fn carried_by_token(claims: &Value) -> Result<Carried, S3Error> {
    let invalid = |why: &str| {
        Code::InvalidIdentityToken.with(format!("the token's {TAGS_CLAIM} claim {why}"))
    };
    let mut pairs = Vec::new();
    let mut transitive = Vec::new();
    if let Some(claim) = claims.get(TAGS_CLAIM) {
        let claim = claim
            .as_object()
            .ok_or_else(|| invalid("is not an object"))?;
        for (name, value) in claim {
            match (name.as_str(), value) {
                ("principal_tags", Value::Object(tags)) => {
                    for (key, value) in tags {
                        let value = match value {
                            Value::String(one) => one,
                            Value::Array(values) => match values.as_slice() {
                                [Value::String(one)] => one,
                                _ => {
                                    return Err(invalid(
                                        "has a tag without exactly one string value",
                                    ))
                                }
                            },
                            _ => return Err(invalid("has a tag whose value is not a string")),
                        };
                        pairs.push((key.clone(), value.clone()));
                    }
                }
                ("transitive_tag_keys", Value::Array(keys)) => {
                    for key in keys {
                        let key = key
                            .as_str()
                            .ok_or_else(|| invalid("has a transitive key that is not a string"))?;
                        transitive.push(key.to_string());
                    }
                }
                _ => {
                    return Err(invalid(&format!(
                        "has a member {name} strata does not know or of the wrong type"
                    )))
                }
            }
        }
    }
    let to_token_error = |e: S3Error| {
        Code::InvalidIdentityToken.with(format!(
            "the token's session tags or source identity: {}",
            e.message
        ))
    };
    let tags = checked_tags(pairs).map_err(to_token_error)?;
    let mut transitive_tag_keys = Vec::new();
    for key in transitive {
        let tag = tags
            .iter()
            .find(|tag| tag.key.eq_ignore_ascii_case(&key))
            .ok_or_else(|| {
                invalid(&format!(
                    "names the transitive key {key}, which is not one of its tags"
                ))
            })?;
        transitive_tag_keys.push(tag.key.clone());
    }
    let source_identity = match claims.get(SOURCE_IDENTITY_CLAIM) {
        None => None,
        Some(Value::String(value)) => {
            check_source_identity(value).map_err(to_token_error)?;
            Some(value.clone())
        }
        Some(_) => {
            return Err(Code::InvalidIdentityToken.with(format!(
                "the token's {SOURCE_IDENTITY_CLAIM} claim is not a string"
            )))
        }
    };
    Ok(Carried {
        tags,
        transitive_tag_keys,
        source_identity,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn carried(claims: Value) -> Result<Carried, String> {
        carried_by_token(&claims).map_err(|e| format!("{}: {}", e.code.as_str(), e.message))
    }

    #[test]
    fn a_tokens_tag_and_source_identity_claims_are_read_as_aws_reads_them() {
        let c = carried(json!({
            "sub": "x",
            "https://aws.amazon.com/tags": {
                "principal_tags": {"team": ["blue"], "cost": "7"},
                "transitive_tag_keys": ["TEAM"]
            },
            "https://aws.amazon.com/source_identity": "alice@example.com"
        }))
        .unwrap();
        let tags: Vec<(&str, &str)> = c
            .tags
            .iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(tags, vec![("cost", "7"), ("team", "blue")]);
        assert_eq!(c.transitive_tag_keys, vec!["team".to_string()]);
        assert_eq!(c.source_identity.as_deref(), Some("alice@example.com"));
        let none = carried(json!({"sub": "x"})).unwrap();
        assert!(none.tags.is_empty() && none.source_identity.is_none());
    }

    #[test]
    fn claims_strata_cannot_honour_whole_are_invalid_tokens() {
        for claims in [
            json!({"https://aws.amazon.com/tags": "team=blue"}),
            json!({"https://aws.amazon.com/tags": {"principal_tags": {"team": ["a", "b"]}}}),
            json!({"https://aws.amazon.com/tags": {"principal_tags": {"team": 1}}}),
            json!({"https://aws.amazon.com/tags": {"principal_tags": {}, "other": []}}),
            json!({"https://aws.amazon.com/tags": {"principal_tags": {"a": ["1"]}, "transitive_tag_keys": ["b"]}}),
            json!({"https://aws.amazon.com/tags": {"principal_tags": {"aws:x": ["1"]}}}),
            json!({"https://aws.amazon.com/source_identity": 7}),
            json!({"https://aws.amazon.com/source_identity": "aws:alice"}),
            json!({"https://aws.amazon.com/source_identity": "aéé"}),
        ] {
            let e = carried(claims.clone()).unwrap_err();
            assert!(e.starts_with("InvalidIdentityToken"), "{claims}: {e}");
        }
    }
}
