//! Bucket policies, compiled once per bucket and kept in memory: the authorizer asks on
//! every request to a bucket, and a policy is parsed only when it is put or first read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use strata_policy::{Policy, PolicyKind};
use strata_volume::{Refusal, Store};

use crate::s3::error::{Code, S3Error};

/// Where the policy document is kept among the bucket's configuration documents.
pub const POLICY_CONFIG: &str = "policy";

/// A bucket's policy as the authorizer sees it.
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

#[derive(Clone)]
struct Entry {
    /// The bucket the entry is about: a later bucket of the same name has another time.
    created_ns: u64,
    policy: BucketPolicy,
}

/// The policies of the buckets asked about so far. Clones share the cache.
#[derive(Clone)]
pub struct BucketPolicies {
    store: Store,
    cache: Arc<RwLock<HashMap<String, Entry>>>,
    /// Bumped by every [`BucketPolicies::forget`]: a read that raced with a change does not
    /// put its older answer into the cache.
    changes: Arc<AtomicU64>,
}

impl BucketPolicies {
    /// An empty cache over `store`.
    pub fn new(store: Store) -> BucketPolicies {
        BucketPolicies {
            store,
            cache: Arc::default(),
            changes: Arc::default(),
        }
    }

    /// `bucket`'s policy.
    pub fn get(&self, bucket: &str) -> Result<BucketPolicy, S3Error> {
        let created_ns = match self.store.bucket_created_ns(bucket) {
            Ok(t) => t,
            Err(strata_volume::Error::Refused(Refusal::NoSuchBucket)) => {
                return Ok(BucketPolicy::None)
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(entry) = self.read().get(bucket) {
            if entry.created_ns == created_ns {
                return Ok(entry.policy.clone());
            }
        }
        let changes = self.changes.load(Ordering::Acquire);
        let policy = match self.store.bucket_config_now(bucket, POLICY_CONFIG) {
            Ok(None) | Err(strata_volume::Error::Refused(Refusal::NoSuchBucket)) => {
                BucketPolicy::None
            }
            Ok(Some(doc)) => compile(&doc),
            Err(e) => return Err(e.into()),
        };
        let mut cache = self.write();
        if self.changes.load(Ordering::Acquire) == changes {
            cache.insert(
                bucket.to_string(),
                Entry {
                    created_ns,
                    policy: policy.clone(),
                },
            );
        }
        Ok(policy)
    }

    /// Drops what is known of `bucket`'s policy: call after changing it.
    pub fn forget(&self, bucket: &str) {
        let mut cache = self.write();
        self.changes.fetch_add(1, Ordering::AcqRel);
        cache.remove(bucket);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves a map of whole entries: keep going.
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Entry>> {
        self.cache.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A stored document, compiled as a bucket policy.
fn compile(doc: &[u8]) -> BucketPolicy {
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
/// policies, and no public grant, since every bucket blocks public policies (AWS's default
/// Block Public Access; the settings themselves arrive with ACLs and public access).
pub fn parse_for_put(text: &str) -> Result<Policy, S3Error> {
    let policy = Policy::parse(text, PolicyKind::Resource)
        .map_err(|e| Code::MalformedPolicy.with(e.to_string()))?;
    if text.contains("ExistingObjectTag") {
        return Err(Code::NotImplemented.with(
            "s3:ExistingObjectTag conditions are not evaluated by strata yet; a bucket policy cannot use them",
        ));
    }
    if policy.grants_public_access() {
        return Err(Code::AccessDenied.with(
            "Access Denied: the policy grants public access, and the bucket's Block Public Access setting BlockPublicPolicy is on",
        ));
    }
    Ok(policy)
}
