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

/// Parses a document given to PutBucketPolicy: AWS's grammar and limits for bucket
/// policies, and no public grant while the bucket's `BlockPublicPolicy` is on.
pub fn parse_for_put(text: &str, block: PublicBlock) -> Result<Policy, S3Error> {
    let policy = Policy::parse(text, PolicyKind::Resource)
        .map_err(|e| Code::MalformedPolicy.with(e.to_string()))?;
    if text.contains("ExistingObjectTag") {
        return Err(Code::NotImplemented.with(
            "s3:ExistingObjectTag conditions are not evaluated by strata yet; a bucket policy cannot use them",
        ));
    }
    if block.block_public_policy && policy.grants_public_access() {
        return Err(Code::AccessDenied.with(
            "Access Denied: the policy grants public access, and the bucket's Block Public Access setting BlockPublicPolicy is on",
        ));
    }
    Ok(policy)
}
