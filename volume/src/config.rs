//! What the store is built from: storage classes, their volumes and erasure schemes.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Fault, Result};

/// Largest object stored inline in the metadata index by default.
pub const DEFAULT_INLINE_LIMIT: usize = 128 * 1024;
/// S3's minimum size for every part but the last.
pub const DEFAULT_MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's largest object: 5 TiB.
pub const DEFAULT_MAX_OBJECT_SIZE: u64 = 5 << 40;
/// Metadata commits that share one index transaction (and one fsync) at most.
pub const DEFAULT_COMMIT_BATCH: usize = 512;
/// Space kept free on every volume by default: data writes stop short of it, so that the
/// metadata index (deletes included) can still commit on a volume that data filled.
pub const DEFAULT_RESERVE_BYTES: u64 = 64 * 1024 * 1024;
/// Stored bytes of replaced and deleted shard files that may wait for a pause in writes
/// before they are removed anyway (`store/reclaim.rs`).
pub const DEFAULT_RECLAIM_DEFER_BYTES: u64 = 1 << 30;
/// Default metadata page cache per namespace volume: with 4 volumes, 32 MiB in all. The
/// sidecar's budget is 256 MiB at peak; the OS page cache still holds the index's hot pages.
pub const DEFAULT_META_CACHE_PER_VOLUME: usize = 8 * 1024 * 1024;

/// How long the store goes unused before it gives back memory it keeps for speed: a
/// namespace volume's index page cache (no read, no commit for this long) and the spare
/// write buffers (none taken). An idle sidecar keeps only what it needs.
pub const DEFAULT_IDLE_RELEASE: Duration = Duration::from_secs(30);

/// The whole store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Storage classes; the first holds the namespace (all metadata).
    pub classes: Vec<ClassConfig>,
    /// Objects up to this size in the namespace class live inside the metadata index.
    pub inline_limit: usize,
    /// Smallest allowed size of a multipart part other than the last.
    pub min_part_size: u64,
    /// Page cache of each namespace volume's metadata index, in bytes.
    pub meta_cache_per_volume: usize,
    /// Unused this long, an index empties its page cache and spare write buffers are freed
    /// (`None`: never).
    pub idle_release: Option<Duration>,
    /// Largest object a multipart completion may make.
    pub max_object_size: u64,
    /// Most metadata commits grouped into one index transaction (one fsync).
    pub commit_batch: usize,
    /// Bytes kept free on each volume: a volume with less room takes no shard data.
    pub reserve_bytes: u64,
    /// Stored bytes of unreferenced shard files whose removal may wait for a pause in writes;
    /// above it (or when a volume needs the room) they are removed at once.
    pub reclaim_defer_bytes: u64,
    /// Remote tiers versions may move to.
    pub tiers: Vec<crate::RemoteTier>,
}

impl StoreConfig {
    /// A config with the given classes and default bounds.
    pub fn new(classes: Vec<ClassConfig>) -> Self {
        StoreConfig {
            classes,
            inline_limit: DEFAULT_INLINE_LIMIT,
            min_part_size: DEFAULT_MIN_PART_SIZE,
            meta_cache_per_volume: DEFAULT_META_CACHE_PER_VOLUME,
            idle_release: Some(DEFAULT_IDLE_RELEASE),
            max_object_size: DEFAULT_MAX_OBJECT_SIZE,
            commit_batch: DEFAULT_COMMIT_BATCH,
            reserve_bytes: DEFAULT_RESERVE_BYTES,
            reclaim_defer_bytes: DEFAULT_RECLAIM_DEFER_BYTES,
            tiers: Vec::new(),
        }
    }
}

/// One storage class: one erasure set over its volumes.
#[derive(Debug, Clone)]
pub struct ClassConfig {
    /// Name, as used by `x-amz-storage-class` (matched case-insensitively).
    pub name: String,
    /// Volume directories.
    pub volumes: Vec<PathBuf>,
    /// Explicit scheme; `None` chooses parity by volume count.
    pub scheme: Option<Scheme>,
}

/// How a class spreads an object over its volumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Reed-Solomon with `data` data shards and `parity` parity shards.
    Erasure {
        /// Data shards (k).
        data: usize,
        /// Parity shards (m).
        parity: usize,
    },
    /// A full copy on every volume.
    Mirror,
    /// One volume that is already redundant (a replicated PV).
    Single,
}

impl Scheme {
    /// Parses `K+M`, `mirror` or `none`.
    pub fn parse(text: &str) -> Result<Scheme> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "mirror" => return Ok(Scheme::Mirror),
            "none" | "single" => return Ok(Scheme::Single),
            _ => {}
        }
        let bad = || {
            Error::config(format!(
                "erasure scheme {t:?}: expected K+M, mirror or none"
            ))
        };
        let (k, m) = t.split_once('+').ok_or_else(bad)?;
        let data: usize = k.trim().parse().map_err(|_| bad())?;
        let parity: usize = m.trim().parse().map_err(|_| bad())?;
        Ok(Scheme::Erasure { data, parity })
    }

    /// The default for a class of `volumes` volumes: parity grows with the count like the
    /// established stores do (1 -> none, 2-3 -> 1, 4-5 -> 2, 6-7 -> 3, 8+ -> 4).
    pub fn default_for(volumes: usize) -> Scheme {
        let parity = match volumes {
            0 | 1 => return Scheme::Single,
            2 | 3 => 1,
            4 | 5 => 2,
            6 | 7 => 3,
            _ => 4,
        };
        Scheme::Erasure {
            data: volumes - parity,
            parity,
        }
    }

    /// Data and parity shard counts over `volumes` volumes, after checking that they fit.
    pub fn shards(self, volumes: usize) -> Result<(usize, usize)> {
        let (k, m) = match self {
            Scheme::Single => (1, 0),
            Scheme::Mirror => (1, volumes.saturating_sub(1)),
            Scheme::Erasure { data, parity } => (data, parity),
        };
        if k == 0 {
            return Err(Fault::Config("a class needs at least one data shard".into()).into());
        }
        if k + m != volumes {
            return Err(Error::config(format!(
                "scheme {k}+{m} needs {} volumes, the class has {volumes}",
                k + m
            )));
        }
        if !matches!(self, Scheme::Mirror) && m > k {
            return Err(Error::config(format!(
                "parity {m} is above half of {volumes} volumes"
            )));
        }
        if k + m > 255 {
            return Err(Error::config("at most 255 volumes per class"));
        }
        Ok((k, m))
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scheme::Erasure { data, parity } => write!(f, "{data}+{parity}"),
            Scheme::Mirror => f.write_str("mirror"),
            Scheme::Single => f.write_str("none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parity_follows_volume_count() {
        let parity = |n| match Scheme::default_for(n) {
            Scheme::Erasure { parity, .. } => parity,
            _ => 0,
        };
        assert_eq!(
            [1, 2, 3, 4, 5, 6, 7, 8, 16].map(parity),
            [0, 1, 1, 2, 2, 3, 3, 4, 4]
        );
    }

    #[test]
    fn parity_above_half_is_rejected() {
        assert!(Scheme::parse("1+3").unwrap().shards(4).is_err());
        assert_eq!(Scheme::parse("2+2").unwrap().shards(4).unwrap(), (2, 2));
        assert!(Scheme::parse("2+2").unwrap().shards(5).is_err());
        assert_eq!(Scheme::parse("mirror").unwrap().shards(3).unwrap(), (1, 2));
        assert!(Scheme::parse("two+one").is_err());
    }
}
