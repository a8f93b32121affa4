//! The store: storage classes, buckets and objects, with quorum commits on the namespace
//! class. Each operation is a whole operation (it owns its commit order); callers never
//! sequence metadata writes.

mod bucket;
mod commit;
mod list;
mod merge;
mod multipart;
mod object;
mod open;
mod resolve;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::config::StoreConfig;
use crate::error::{Error, Result};
use crate::etag::Md5Service;
use crate::heal::HealQueue;
use crate::locks::KeyLocks;
use crate::record::BucketRecord;
use crate::set::ErasureSet;
use crate::types::{ClassStatus, HealEvent, StoreStatus};

pub use object::{ObjectHead, ObjectRead};

/// The object store over all storage classes. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    classes: Vec<Arc<ErasureSet>>,
    inline_limit: usize,
    min_part_size: u64,
    buckets: RwLock<BTreeMap<String, BucketRecord>>,
    locks: KeyLocks,
    heal: Arc<HealQueue>,
    /// MD5 (the ETag) of multi-block bodies.
    md5: Md5Service,
}

impl Store {
    /// Opens every class: recognises formatted volumes, formats blank ones, refuses foreign
    /// and stale ones, and loads the bucket list.
    pub async fn open(cfg: StoreConfig) -> Result<Store> {
        if cfg.classes.is_empty() {
            return Err(Error::Config("at least one storage class is needed".into()));
        }
        let mut names = std::collections::HashSet::new();
        for c in &cfg.classes {
            if c.name.is_empty() || !names.insert(c.name.to_ascii_lowercase()) {
                return Err(Error::Config(format!(
                    "storage class name {:?} is empty or repeated",
                    c.name
                )));
            }
        }
        if cfg.inline_limit > crate::erasure::layout::BLOCK_SIZE as usize {
            return Err(Error::Config(
                "inline_limit cannot exceed one erasure block (1 MiB)".into(),
            ));
        }
        let classes = tokio::task::spawn_blocking(move || {
            let mut deployment = None;
            cfg.classes
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    open::open_class(c, &mut deployment, i == 0, cfg.meta_cache_per_volume)
                        .map(Arc::new)
                })
                .collect::<Result<Vec<_>>>()
                .map(|c| (c, cfg.inline_limit, cfg.min_part_size))
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
        let (classes, inline_limit, min_part_size) = classes;
        let inner = Inner {
            classes,
            inline_limit,
            min_part_size,
            buckets: RwLock::new(BTreeMap::new()),
            locks: KeyLocks::default(),
            heal: Arc::new(HealQueue::default()),
            md5: Md5Service::start(),
        };
        let loaded = inner.load_buckets()?;
        *inner
            .buckets
            .write()
            .map_err(|_| Error::Internal("bucket cache poisoned".into()))? = loaded;
        Ok(Store {
            inner: Arc::new(inner),
        })
    }

    /// Health of every class.
    pub fn status(&self) -> StoreStatus {
        let classes: Vec<ClassStatus> = self
            .inner
            .classes
            .iter()
            .map(|s| ClassStatus {
                name: s.name.clone(),
                scheme: s.scheme.to_string(),
                online: s.online_count(),
                total: s.slots.len(),
                refused: s.refused.clone(),
                writable: s.online_count() >= s.write_quorum(),
            })
            .collect();
        StoreStatus {
            ready: classes.iter().all(|c| c.writable),
            classes,
        }
    }

    /// Whether a storage class of that name exists (case-insensitive).
    pub fn has_class(&self, name: &str) -> bool {
        self.inner.class(Some(name)).is_ok()
    }

    /// Names of the storage classes, the namespace class first.
    pub fn class_names(&self) -> Vec<String> {
        self.inner.classes.iter().map(|c| c.name.clone()).collect()
    }

    /// Takes the shard problems reads have worked around since the last call.
    pub fn take_heal_events(&self) -> Vec<HealEvent> {
        self.inner.heal.drain()
    }
}

impl Inner {
    fn ns(&self) -> &Arc<ErasureSet> {
        &self.classes[0]
    }

    fn class(&self, name: Option<&str>) -> Result<&Arc<ErasureSet>> {
        match name {
            None => Ok(self.ns()),
            Some(n) => self
                .classes
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
                .or_else(|| n.eq_ignore_ascii_case("STANDARD").then(|| self.ns()))
                .ok_or_else(|| Error::InvalidStorageClass(n.to_string())),
        }
    }

    fn bucket(&self, name: &str) -> Result<BucketRecord> {
        self.buckets
            .read()
            .map_err(|_| Error::Internal("bucket cache poisoned".into()))?
            .get(name)
            .cloned()
            .ok_or(Error::NoSuchBucket)
    }
}
