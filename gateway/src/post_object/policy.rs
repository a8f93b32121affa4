//! The POST policy: a base64 JSON document, signed by the form's credential, that says until
//! when the form may be used and what its fields may hold. Checked as AWS checks it: an
//! expired policy, a failed condition or a field no condition covers refuses the upload.

use std::time::SystemTime;

use base64::Engine as _;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::s3::error::{Code, S3Error};

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    /// `{"field": "value"}` or `["eq", "$field", "value"]`.
    Eq { field: String, value: String },
    /// `["starts-with", "$field", "prefix"]`.
    StartsWith { field: String, prefix: String },
    /// `["content-length-range", min, max]`.
    Length { min: u64, max: u64 },
}

/// The sizes a policy allows the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthRange {
    /// Fewest bytes.
    pub min: u64,
    /// Most bytes.
    pub max: u64,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    expiration: SystemTime,
    conditions: Vec<Condition>,
}

/// Fields no condition needs to name.
fn exempt(field: &str) -> bool {
    matches!(field, "x-amz-signature" | "file" | "policy") || field.starts_with("x-ignore-")
}

fn invalid(why: impl std::fmt::Display) -> S3Error {
    Code::InvalidPolicyDocument.with(format!("Invalid Policy: {why}"))
}

fn refused(why: impl std::fmt::Display) -> S3Error {
    Code::AccessDenied.with(format!("Invalid according to Policy: {why}"))
}

impl PostPolicy {
    /// The `policy` field's value.
    pub fn parse(encoded: &str) -> Result<PostPolicy, S3Error> {
        let json = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| invalid("the policy is not base64"))?;
        let doc: Value =
            serde_json::from_slice(&json).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let expiration = doc
            .get("expiration")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("Policy missing expiration."))?;
        let expiration = OffsetDateTime::parse(expiration, &Rfc3339)
            .map_err(|_| invalid(format!("Invalid 'expiration' value: '{expiration}'")))?
            .into();
        let list = doc
            .get("conditions")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("Policy missing conditions."))?;
        let conditions = list
            .iter()
            .map(condition)
            .collect::<Result<Vec<_>, S3Error>>()?;
        Ok(PostPolicy {
            expiration,
            conditions,
        })
    }

    /// Checks the form's `fields` (names lowercase) for an upload to `bucket` at `now`;
    /// returns the sizes allowed for the file.
    pub fn check(
        &self,
        fields: &[(String, String)],
        bucket: &str,
        now: SystemTime,
    ) -> Result<LengthRange, S3Error> {
        if now > self.expiration {
            return Err(refused("Policy expired."));
        }
        let value_of = |field: &str| -> Option<&str> {
            if field == "bucket" {
                return Some(bucket);
            }
            fields
                .iter()
                .find(|(n, _)| n == field)
                .map(|(_, v)| v.as_str())
        };
        let mut range = LengthRange {
            min: 0,
            max: u64::MAX,
        };
        for c in &self.conditions {
            let holds = match c {
                Condition::Eq { field, value } => value_of(field) == Some(value.as_str()),
                Condition::StartsWith { field, prefix } => {
                    value_of(field).is_some_and(|v| v.starts_with(prefix.as_str()))
                }
                Condition::Length { min, max } => {
                    range = LengthRange {
                        min: range.min.max(*min),
                        max: range.max.min(*max),
                    };
                    true
                }
            };
            if !holds {
                return Err(refused(format!("Policy Condition failed: {}", describe(c))));
            }
        }
        let extra: Vec<&str> = fields
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !exempt(n) && !self.names(n))
            .collect();
        if !extra.is_empty() {
            return Err(refused(format!("Extra input fields: {}", extra.join(", "))));
        }
        Ok(range)
    }

    fn names(&self, field: &str) -> bool {
        self.conditions.iter().any(|c| match c {
            Condition::Eq { field: f, .. } | Condition::StartsWith { field: f, .. } => f == field,
            Condition::Length { .. } => false,
        })
    }
}

fn describe(c: &Condition) -> String {
    match c {
        Condition::Eq { field, value } => format!("[\"eq\", \"${field}\", \"{value}\"]"),
        Condition::StartsWith { field, prefix } => {
            format!("[\"starts-with\", \"${field}\", \"{prefix}\"]")
        }
        Condition::Length { min, max } => format!("[\"content-length-range\", {min}, {max}]"),
    }
}

/// One entry of `conditions`.
fn condition(v: &Value) -> Result<Condition, S3Error> {
    if let Some(map) = v.as_object() {
        let mut entries = map.iter();
        return match (entries.next(), entries.next()) {
            (Some((field, Value::String(value))), None) => Ok(Condition::Eq {
                field: field.to_ascii_lowercase(),
                value: value.clone(),
            }),
            _ => Err(invalid(format!(
                "condition {v} must name one field and its string"
            ))),
        };
    }
    let list = v
        .as_array()
        .ok_or_else(|| invalid(format!("condition {v} is neither an object nor a list")))?;
    let op = list
        .first()
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    match (op.as_deref(), list.len()) {
        (Some("content-length-range"), 3) => {
            let (min, max) = (number(&list[1])?, number(&list[2])?);
            if min > max {
                return Err(invalid(
                    "content-length-range: the minimum exceeds the maximum",
                ));
            }
            Ok(Condition::Length { min, max })
        }
        (Some(op @ ("eq" | "starts-with")), 3) => {
            let field = list[1]
                .as_str()
                .and_then(|f| f.strip_prefix('$'))
                .ok_or_else(|| invalid(format!("condition {v}: the field must be \"$name\"")))?
                .to_ascii_lowercase();
            let value = list[2]
                .as_str()
                .ok_or_else(|| invalid(format!("condition {v}: the value must be a string")))?
                .to_string();
            Ok(if op == "eq" {
                Condition::Eq { field, value }
            } else {
                Condition::StartsWith {
                    field,
                    prefix: value,
                }
            })
        }
        _ => Err(invalid(format!("condition {v} is not one S3 knows"))),
    }
}

/// A size, as a JSON number or a string of digits.
fn number(v: &Value) -> Result<u64, S3Error> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| invalid(format!("{v} is not a size in bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn encode(doc: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(doc)
    }

    fn fields(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    const DOC: &str = r#"{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [
        {"bucket": "photos"}, ["starts-with", "$key", "user/"], {"acl": "private"},
        ["content-length-range", 1, "1048576"], ["eq", "$Content-Type", "image/png"],
        {"x-amz-credential": "AK/20300101/us-east-1/s3/aws4_request"}]}"#;

    fn good() -> Vec<(String, String)> {
        fields(&[
            ("key", "user/a.png"),
            ("acl", "private"),
            ("content-type", "image/png"),
            ("x-amz-credential", "AK/20300101/us-east-1/s3/aws4_request"),
            ("x-amz-signature", "ab"),
            ("policy", "..."),
            ("x-ignore-submit", "Upload"),
        ])
    }

    #[test]
    fn a_form_within_its_policy_gets_the_length_range() {
        let p = PostPolicy::parse(&encode(DOC)).unwrap();
        let range = p.check(&good(), "photos", SystemTime::now()).unwrap();
        assert_eq!(
            range,
            LengthRange {
                min: 1,
                max: 1_048_576
            }
        );
    }

    #[test]
    fn expiry_conditions_and_uncovered_fields_refuse_the_form() {
        let p = PostPolicy::parse(&encode(DOC)).unwrap();
        let denied = |f: &[(String, String)], bucket: &str, now: SystemTime| {
            let e = p.check(f, bucket, now).unwrap_err();
            assert_eq!(e.code, Code::AccessDenied);
            e.message
        };
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
        assert!(denied(&good(), "photos", later).contains("Policy expired"));
        assert!(denied(&good(), "other", SystemTime::now()).contains("bucket"));
        let mut f = good();
        f[0].1 = "admin/a.png".into();
        assert!(denied(&f, "photos", SystemTime::now()).contains("starts-with"));
        let mut f = good();
        f.retain(|(n, _)| n != "acl");
        assert!(denied(&f, "photos", SystemTime::now()).contains("acl"));
        let mut f = good();
        f.push(("x-amz-meta-who".into(), "me".into()));
        assert!(
            denied(&f, "photos", SystemTime::now()).contains("Extra input fields: x-amz-meta-who")
        );
    }

    #[test]
    fn malformed_policies_are_invalid_documents() {
        for doc in [
            "not base64 !".to_string(),
            encode("{"),
            encode(r#"{"conditions": []}"#),
            encode(r#"{"expiration": "tomorrow", "conditions": []}"#),
            encode(r#"{"expiration": "2030-01-01T00:00:00Z"}"#),
            encode(
                r#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["in", "$key", "a"]]}"#,
            ),
            encode(r#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "key", "a"]]}"#),
            encode(
                r#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"a": "1", "b": "2"}]}"#,
            ),
            encode(
                r#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 5, 1]]}"#,
            ),
        ] {
            let e = PostPolicy::parse(&doc).unwrap_err();
            assert_eq!(e.code, Code::InvalidPolicyDocument, "{doc}");
        }
    }
}
