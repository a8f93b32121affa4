//! Bucket policies as the authorizer sees them: compiled from the stored document, and the
//! checks PutBucketPolicy makes.

use std::sync::Arc;

use strata_policy::{Policy, PolicyKind};

use super::public_block::PublicBlock;
use crate::s3::error::{Code, S3Error};

/// Where the policy document is kept among the bucket's configuration documents.
pub const POLICY_CONFIG: &str = "policy";

/// A bucket's policy.
#[derive(Debug, Clone)]
pub enum BucketPolicy {
    /// No policy (or no such bucket).
    None,
    /// The compiled policy.
    Some(Arc<Policy>),
    /// A stored document that no longer compiles (written by an older strata that only
    /// checked its JSON): nothing it might say can be evaluated, so requests that depend on it
    /// are refused; the owner's root can still replace or delete it.
    Unreadable(String),
}

impl BucketPolicy {
    /// Whether it grants public access ("The meaning of public" in AWS's documentation).
    pub fn is_public(&self) -> bool {
        matches!(self, BucketPolicy::Some(p) if p.grants_public_access())
    }
}

/// A stored document, compiled as a bucket policy.
pub(super) fn compile(doc: &[u8]) -> BucketPolicy {
    let parsed = std::str::from_utf8(doc)
        .map_err(|e| e.to_string())
        .and_then(|text| Policy::parse(text, PolicyKind::Resource).map_err(|e| e.to_string()));
    match parsed {
        Ok(policy) => BucketPolicy::Some(Arc::new(policy)),
        Err(why) => {
            tracing::warn!(%why, "a stored bucket policy does not compile; requests that need it are refused");
            BucketPolicy::Unreadable(why)
        }
    }
}

/// Parses a document given to PutBucketPolicy for `bucket`: AWS's grammar and limits for
/// bucket policies, resources within the bucket, and no public grant while the bucket's
/// `BlockPublicPolicy` is on.
pub fn parse_for_put(text: &str, bucket: &str, block: PublicBlock) -> Result<Policy, S3Error> {
    let policy = Policy::parse(text, PolicyKind::Resource)
        .map_err(|e| Code::MalformedPolicy.with(e.to_string()))?;
    resources_within(text, bucket)?;
    if block.block_public_policy && policy.grants_public_access() {
        return Err(Code::AccessDenied.with(
            "Access Denied: the policy grants public access, and the bucket's Block Public Access setting BlockPublicPolicy is on",
        ));
    }
    Ok(policy)
}

/// Every `Resource` and `NotResource` names `bucket` or objects in it, as AWS requires of a
/// bucket policy ("Policy has invalid resource"). The document already parsed as a policy.
fn resources_within(text: &str, bucket: &str) -> Result<(), S3Error> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Code::MalformedPolicy.with(e.to_string()))?;
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(list) => list.iter().collect(),
        one => vec![one],
    };
    let arn = format!("arn:aws:s3:::{bucket}");
    for statement in statements {
        for element in ["Resource", "NotResource"] {
            let resources = match &statement[element] {
                serde_json::Value::String(one) => vec![one.as_str()],
                serde_json::Value::Array(list) => list.iter().filter_map(|v| v.as_str()).collect(),
                _ => vec![],
            };
            for resource in resources {
                let inside = resource
                    .strip_prefix(&arn)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
                if !inside {
                    return Err(Code::MalformedPolicy.with(format!(
                        "Policy has invalid resource: {resource:?} is not the bucket {bucket:?} or its objects"
                    )));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(resource: &str) -> Result<Policy, S3Error> {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":{resource}}}]}}"#
        );
        parse_for_put(&doc, "bkt", PublicBlock::ALL)
    }

    #[test]
    fn resources_must_be_the_bucket_or_its_objects() {
        for ok in [
            r#""arn:aws:s3:::bkt""#,
            r#""arn:aws:s3:::bkt/*""#,
            r#"["arn:aws:s3:::bkt","arn:aws:s3:::bkt/a/${aws:username}/*"]"#,
        ] {
            assert!(put(ok).is_ok(), "{ok}");
        }
        for bad in [
            r#""arn:aws:s3:::other/*""#,
            r#""arn:aws:s3:::bkt2/*""#,
            r#""arn:aws:s3:::*""#,
            r#"["arn:aws:s3:::bkt","*"]"#,
            r#""arn:aws:iam::123456789012:root""#,
        ] {
            let e = put(bad).unwrap_err();
            assert_eq!(e.code, Code::MalformedPolicy, "{bad}");
            assert!(
                e.message.contains("invalid resource"),
                "{bad}: {}",
                e.message
            );
        }
    }
}
