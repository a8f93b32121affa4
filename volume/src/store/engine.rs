//! The store handle and the state every operation shares: the classes, the bucket cache,
//! key locks, the heal queue and the MD5 service.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::open;
use super::reclaim::{reclaim_loop, Reclaimer};
use crate::config::StoreConfig;
use crate::disk::meta_db::IndexSettings;
use crate::error::{Error, Fault, Invalid, Refusal, Result};
use crate::etag::Md5Service;
use crate::heal::HealQueue;
use crate::locks::KeyLocks;
use crate::record::BucketRecord;
use crate::set::ErasureSet;
use crate::status::{ReadHealth, Space, VolumeStatus};
use crate::types::{ClassStatus, HealEvent, StoreStatus};

/// The object store over all storage classes. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) classes: Vec<Arc<ErasureSet>>,
    pub(super) inline_limit: usize,
    pub(super) min_part_size: u64,
    pub(super) max_object_size: u64,
    pub(super) buckets: RwLock<BTreeMap<String, BucketRecord>>,
    pub(super) locks: KeyLocks,
    pub(super) heal: Arc<HealQueue>,
    /// Held shared by commits that write the plain tables, exclusively while the healer
    /// repairs them, so that it never copies a value a commit is replacing.
    pub(super) plain_tables: tokio::sync::RwLock<()>,
    /// MD5 (the ETag) of multi-block bodies.
    pub(super) md5: Md5Service,
    /// Shard files waiting for removal while writes run.
    pub(super) reclaim: Arc<Reclaimer>,
    /// Remote tiers.
    pub(super) tiers: crate::tier::Tiers,
    /// Remote objects of versions that are gone, for `remote::reap_loop`.
    pub(super) remote_gone: tokio::sync::mpsc::UnboundedSender<[u8; 16]>,
    /// Ids of moves to remote tiers in flight: never reaped.
    pub(super) moving: std::sync::Mutex<std::collections::HashSet<[u8; 16]>>,
    /// Unused this long, spare write buffers are freed (by the volume watcher's rounds).
    pub(super) idle_release: Option<std::time::Duration>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // What is still queued goes now rather than waiting for the scanner's sweep.
        self.reclaim.drain_now(&self.classes);
    }
}

impl Store {
    /// Opens every class: recognises formatted volumes, formats blank ones, refuses foreign
    /// and stale ones, and loads the bucket list.
    pub async fn open(cfg: StoreConfig) -> Result<Store> {
        if cfg.classes.is_empty() {
            return Err(Error::config("at least one storage class is needed"));
        }
        let mut names = std::collections::HashSet::new();
        for c in &cfg.classes {
            if c.name.is_empty() || !names.insert(c.name.to_ascii_lowercase()) {
                return Err(Error::config(format!(
                    "storage class name {:?} is empty or repeated",
                    c.name
                )));
            }
        }
        if cfg.inline_limit > crate::erasure::layout::BLOCK_SIZE as usize {
            return Err(Fault::Config(
                "inline_limit cannot exceed one erasure block (1 MiB)".into(),
            )
            .into());
        }
        let index = IndexSettings {
            cache_bytes: cfg.meta_cache_per_volume,
            commit_batch: cfg.commit_batch,
            idle_trim: cfg.idle_release,
        };
        let tiers = crate::tier::Tiers::new(&cfg.tiers)?;
        let (remote_gone, gone) = tokio::sync::mpsc::unbounded_channel();
        for t in tiers.names() {
            if names.contains(&t.to_ascii_lowercase()) {
                return Err(Error::config(format!(
                    "tier {t:?} has the name of a storage class"
                )));
            }
        }
        let class_configs = cfg.classes.clone();
        let reserve = cfg.reserve_bytes;
        let classes = tokio::task::spawn_blocking(move || {
            let mut deployment = None;
            class_configs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let index = (i == 0).then_some(index);
                    open::open_class(c, &mut deployment, index, reserve).map(Arc::new)
                })
                .collect::<Result<Vec<_>>>()
        })
        .await
        .map_err(|e| Error::internal(e.to_string()))??;
        let inner = Inner {
            classes,
            inline_limit: cfg.inline_limit,
            min_part_size: cfg.min_part_size,
            max_object_size: cfg.max_object_size,
            buckets: RwLock::new(BTreeMap::new()),
            locks: KeyLocks::default(),
            heal: Arc::new(HealQueue::default()),
            plain_tables: tokio::sync::RwLock::new(()),
            md5: Md5Service::start(),
            reclaim: Arc::new(Reclaimer::new(cfg.reclaim_defer_bytes)),
            tiers,
            remote_gone,
            moving: Default::default(),
            idle_release: cfg.idle_release,
        };
        let loaded = inner.load_buckets()?;
        *inner
            .buckets
            .write()
            .map_err(|_| Error::internal("bucket cache poisoned"))? = loaded;
        let inner = Arc::new(inner);
        tokio::spawn(reclaim_loop(Arc::downgrade(&inner), inner.reclaim.clone()));
        tokio::spawn(super::remote::reap_loop(Arc::downgrade(&inner), gone));
        Ok(Store { inner })
    }

    /// Starts hashing one body with the store's MD5 hasher (AVX2 lanes shared by concurrent
    /// bodies where the CPU has them): for the ETag of bytes a caller transforms before
    /// staging them with [`crate::EtagBy::Caller`].
    pub fn md5_stream(&self) -> crate::Md5Stream {
        self.inner.md5.stream()
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
                total: s.width(),
                refused: s.not_serving(),
                write_quorum: s.write_quorum(),
                read_quorum: s.layout.data,
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

    /// Names of the remote tiers, in configuration order.
    pub fn tier_names(&self) -> Vec<String> {
        self.inner.tiers.names()
    }

    /// What each remote tier has been asked since start, in configuration order.
    pub fn tier_stats(&self) -> Vec<crate::TierStats> {
        self.inner.tiers.stats()
    }

    /// Names of the storage classes, the namespace class first.
    pub fn class_names(&self) -> Vec<String> {
        self.inner.classes.iter().map(|c| c.name.clone()).collect()
    }

    /// Every configured volume: state, and space when online. Asks each filesystem
    /// (`statvfs`), so it is for scrapes and status pages, not the request path.
    pub fn volumes(&self) -> Vec<VolumeStatus> {
        let mut out = Vec::new();
        for set in &self.inner.classes {
            for (_, volume) in set.online() {
                out.push(VolumeStatus {
                    class: set.name.clone(),
                    path: volume.root.clone(),
                    online: true,
                    reason: None,
                    down_since: None,
                    space: Space::of(&volume.root),
                });
            }
            for (path, why, since) in set.down_volumes() {
                out.push(VolumeStatus {
                    class: set.name.clone(),
                    path,
                    online: false,
                    reason: Some(why),
                    down_since: since,
                    space: None,
                });
            }
        }
        out
    }

    /// Shard files of replaced and deleted versions waiting to be removed, and their stored
    /// bytes.
    pub fn reclaim_queue(&self) -> (usize, u64) {
        self.inner.reclaim.queued()
    }

    /// What reads have worked around since start, and the heal queue's depth.
    pub fn read_health(&self) -> ReadHealth {
        self.inner.heal.health()
    }

    /// Takes the shard problems reads have worked around since the last call.
    pub fn take_heal_events(&self) -> Vec<HealEvent> {
        self.inner.heal.drain()
    }
}

impl Inner {
    pub(super) fn ns(&self) -> &Arc<ErasureSet> {
        &self.classes[0]
    }

    pub(super) fn class(&self, name: Option<&str>) -> Result<&Arc<ErasureSet>> {
        match name {
            None => Ok(self.ns()),
            Some(n) => self
                .classes
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
                .or_else(|| n.eq_ignore_ascii_case("STANDARD").then(|| self.ns()))
                .ok_or_else(|| Error::from(Invalid::StorageClass(n.to_string()))),
        }
    }

    pub(super) fn bucket(&self, name: &str) -> Result<BucketRecord> {
        self.buckets
            .read()
            .map_err(|_| Error::internal("bucket cache poisoned"))?
            .get(name)
            .cloned()
            .ok_or(Error::from(Refusal::NoSuchBucket))
    }
}
