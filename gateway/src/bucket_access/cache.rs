//! Every bucket's access controls, read and compiled once and kept in memory: the authorizer
//! asks on every request to a bucket, and the documents change only through their own
//! operations, which call [`BucketAccess::forget`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use strata_volume::{Refusal, Store};

use super::acl::Acl;
use super::defaults::BucketDefaults;
use super::encryption::{parse_encryption, ENCRYPTION_CONFIG};
use super::ownership::{OwnershipSetting, OWNERSHIP_CONFIG};
use super::policy::{compile, BucketPolicy, POLICY_CONFIG};
use super::public_block::{PublicBlock, PublicBlockSetting, PUBLIC_BLOCK_CONFIG};
use crate::cors::{CorsRules, CORS_CONFIG};
use crate::lifecycle::{Lifecycle, MinSize, LIFECYCLE_CONFIG, MIN_SIZE_CONFIG};
use crate::s3::error::S3Error;
use crate::transform::sse::BucketEncryption;

/// Where the bucket's ACL is kept among its configuration documents.
pub const ACL_CONFIG: &str = "acl";

/// One bucket's controls as the authorizer sees them.
#[derive(Debug, Clone)]
pub struct Controls {
    /// Its policy.
    pub policy: BucketPolicy,
    /// Its Object Ownership.
    pub ownership: OwnershipSetting,
    /// Its Block Public Access settings.
    pub public_block: PublicBlockSetting,
    /// Its stored ACL; `None` is the owner's full control alone (`private`).
    pub acl: Option<Acl>,
    /// Its default encryption; `None` when it has none (the server's default applies).
    pub encryption: Option<BucketEncryption>,
    /// Its CORS rules; `None` when it has none (browsers' cross-origin requests are refused).
    pub cors: Option<CorsRules>,
    /// Its enabled lifecycle rules; `None` when it has none.
    pub lifecycle: Option<Arc<Lifecycle>>,
}

impl Controls {
    /// What a missing bucket has: nothing that grants.
    fn none() -> Controls {
        Controls {
            policy: BucketPolicy::None,
            ownership: OwnershipSetting::ENFORCED,
            public_block: PublicBlockSetting::configured(PublicBlock::ALL),
            acl: None,
            encryption: None,
            cors: None,
            lifecycle: None,
        }
    }

    /// The ACL to evaluate: `None` while ownership is enforced (ACLs disabled).
    pub fn acl_in_force(&self) -> Option<&Acl> {
        self.acl.as_ref().filter(|_| self.ownership.acls_enabled())
    }

    /// Whether the policy's grants are usable only within the owner's account
    /// (`RestrictPublicBuckets` and a public policy).
    pub fn policy_restricted(&self) -> bool {
        self.public_block.block.restrict_public_buckets && self.policy.is_public()
    }
}

#[derive(Clone)]
struct Entry {
    /// The bucket the entry is about: a later bucket of the same name has another time.
    created_ns: u64,
    controls: Arc<Controls>,
}

/// The controls of the buckets asked about so far. Clones share the cache.
#[derive(Clone)]
pub struct BucketAccess {
    store: Store,
    cache: Arc<RwLock<HashMap<String, Entry>>>,
    /// Bumped by every [`BucketAccess::forget`]: a read that raced with a change does not
    /// put its older answer into the cache.
    changes: Arc<AtomicU64>,
    defaults: BucketDefaults,
}

/// What a bucket being made starts with, beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct NewBucket {
    /// `x-amz-object-ownership`, if given.
    pub ownership: Option<OwnershipSetting>,
    /// The ACL its CreateBucket stated, if any.
    pub acl: Option<Acl>,
}

impl BucketAccess {
    /// An empty cache over `store`; new buckets get AWS's current defaults.
    pub fn new(store: Store) -> BucketAccess {
        BucketAccess {
            store,
            cache: Arc::default(),
            changes: Arc::default(),
            defaults: BucketDefaults::default(),
        }
    }

    /// The same, with `defaults` for new buckets.
    pub fn with_defaults(mut self, defaults: BucketDefaults) -> BucketAccess {
        self.defaults = defaults;
        self
    }

    /// What new buckets start with.
    pub fn defaults(&self) -> BucketDefaults {
        self.defaults
    }

    /// The controls a bucket made with `new` would have (to refuse a CreateBucket before
    /// the bucket exists).
    pub fn planned(&self, new: &NewBucket) -> Controls {
        Controls {
            policy: BucketPolicy::None,
            ownership: new.ownership.unwrap_or(self.defaults.ownership()),
            public_block: self.defaults.public_block(),
            acl: new.acl.clone(),
            encryption: None,
            cors: None,
            lifecycle: None,
        }
    }

    /// Writes a just-made bucket's documents. Only what differs from a bucket without
    /// documents is written (such a bucket enforces ownership and blocks public access), so
    /// a crash before this leaves the most restrictive bucket, never a more open one.
    pub async fn initialize(
        &self,
        bucket: &str,
        new: &NewBucket,
    ) -> Result<(), strata_volume::Error> {
        let planned = self.planned(new);
        let none = Controls::none();
        if planned.ownership != none.ownership {
            self.store
                .put_bucket_config(bucket, OWNERSHIP_CONFIG, planned.ownership.encode())
                .await?;
        }
        if planned.public_block != none.public_block {
            self.store
                .put_bucket_config(bucket, PUBLIC_BLOCK_CONFIG, planned.public_block.encode())
                .await?;
        }
        if let Some(acl) = &planned.acl {
            self.store
                .put_bucket_config(bucket, ACL_CONFIG, acl.encode())
                .await?;
        }
        self.forget(bucket);
        Ok(())
    }

    /// `bucket`'s policy.
    pub fn policy(&self, bucket: &str) -> Result<BucketPolicy, S3Error> {
        Ok(self.get(bucket)?.policy.clone())
    }

    /// `bucket`'s controls (a missing bucket's grant nothing).
    pub fn get(&self, bucket: &str) -> Result<Arc<Controls>, S3Error> {
        let created_ns = match self.store.bucket_created_ns(bucket) {
            Ok(t) => t,
            Err(strata_volume::Error::Refused(Refusal::NoSuchBucket)) => {
                return Ok(Arc::new(Controls::none()))
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(entry) = self.read().get(bucket) {
            if entry.created_ns == created_ns {
                return Ok(entry.controls.clone());
            }
        }
        let changes = self.changes.load(Ordering::Acquire);
        let controls = match self.load(bucket) {
            Ok(c) => Arc::new(c),
            Err(strata_volume::Error::Refused(Refusal::NoSuchBucket)) => {
                return Ok(Arc::new(Controls::none()))
            }
            Err(e) => return Err(e.into()),
        };
        let mut cache = self.write();
        if self.changes.load(Ordering::Acquire) == changes {
            cache.insert(
                bucket.to_string(),
                Entry {
                    created_ns,
                    controls: controls.clone(),
                },
            );
        }
        Ok(controls)
    }

    /// Reads and compiles the eight documents. One that cannot be read fails closed: the
    /// policy refuses what depends on it, the others take their most restrictive value.
    fn load(&self, bucket: &str) -> Result<Controls, strata_volume::Error> {
        let doc = |kind| self.store.bucket_config_now(bucket, kind);
        let policy = doc(POLICY_CONFIG)?.map_or(BucketPolicy::None, |d| compile(&d));
        let ownership =
            OwnershipSetting::decode(doc(OWNERSHIP_CONFIG)?.as_deref()).unwrap_or_else(|why| {
                tracing::warn!(bucket, %why, "object ownership unreadable: ACLs stay disabled");
                OwnershipSetting::ENFORCED
            });
        let public_block = PublicBlockSetting::decode(doc(PUBLIC_BLOCK_CONFIG)?.as_deref())
            .unwrap_or_else(|why| {
                tracing::warn!(bucket, %why, "public access block unreadable: everything blocked");
                PublicBlockSetting::configured(PublicBlock::ALL)
            });
        let acl = match doc(ACL_CONFIG)? {
            None => None,
            Some(d) => match Acl::decode(&d) {
                Ok(acl) => Some(acl),
                Err(why) => {
                    tracing::warn!(bucket, %why, "bucket ACL unreadable: it grants nothing");
                    None
                }
            },
        };
        let encryption = doc(ENCRYPTION_CONFIG)?.map(|d| {
            parse_encryption(&d).unwrap_or_else(|why| {
                tracing::warn!(bucket, %why, "default encryption unreadable: SSE-S3 instead");
                BucketEncryption::SSE_S3
            })
        });
        let cors = doc(CORS_CONFIG)?.and_then(|d| {
            CorsRules::decode(&d)
                .inspect_err(|why| {
                    tracing::warn!(bucket, %why, "CORS rules unreadable: cross-origin requests refused")
                })
                .ok()
        });
        // An unreadable configuration expires nothing (an unreadable floor keeps AWS's).
        let min_size = doc(MIN_SIZE_CONFIG)?.map_or(MinSize::Unset, |v| {
            MinSize::parse(&String::from_utf8_lossy(&v)).unwrap_or(MinSize::AllClasses)
        });
        let lifecycle = doc(LIFECYCLE_CONFIG)?.and_then(|d| {
            Lifecycle::decode(&d, min_size)
                .inspect_err(|why| {
                    tracing::warn!(bucket, %why, "lifecycle rules unreadable: nothing expires")
                })
                .ok()
                .map(Arc::new)
        });
        Ok(Controls {
            policy,
            ownership,
            public_block,
            acl,
            encryption,
            cors,
            lifecycle,
        })
    }

    /// Drops what is known of `bucket`'s controls: call after changing any of them.
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
