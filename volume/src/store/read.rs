//! Reading objects: find the version first, read its shards only when asked.
//!
//! [`Store::open_object`] resolves the version and says what it is; nothing is read from the
//! shard files until [`StoredObject::read`], so a caller decides preconditions and ranges
//! (and a transform maps them to stored bytes) before any shard is touched.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use super::object::info_of;
use super::resolve::Resolved;
use super::Store;
use crate::erasure::layout::{resolve_range, Layout};
use crate::error::{Error, Refusal, Result};
use crate::object::body::ObjectBody;
use crate::object::read::{self, ReadContext, ReadPlan};
use crate::record::{PartData, RemoteData, RestoredCopy};
use crate::set::ErasureSet;
use crate::tier::Tier;
use crate::types::*;

/// An object version found by [`Store::open_object`], not read yet: what a read of it needs.
pub struct StoredObject {
    info: ObjectInfo,
    parts: Vec<PartData>,
    set: Arc<ErasureSet>,
    layout: Layout,
    rotation: usize,
    /// Inline shards by slot, for inline objects.
    inline: Option<Vec<Option<Bytes>>>,
    ctx: ReadContext,
    /// Where the data was found, so that a move knows what it copied.
    pub(super) place: Place,
    /// The tier and object holding the data, when it is on a remote tier.
    remote: Option<(Arc<Tier>, RemoteData)>,
    /// The local copy of remote data (a restore), as recorded, expired or not.
    pub(super) restored: Option<RestoredCopy>,
    /// Where reads of remote data go while its local copy serves them.
    copy: Option<CopyRead>,
}

/// How the local copy of remote data is read: one part holding all its stored bytes.
struct CopyRead {
    set: Arc<ErasureSet>,
    layout: Layout,
    rotation: usize,
    part: PartData,
}

impl CopyRead {
    fn of(inner: &super::Inner, c: &RestoredCopy) -> Result<Self> {
        let (set, layout) = shape(inner, &c.class, c.k, c.m, c.block_size)?;
        let part = PartData {
            number: 1,
            size: c.size,
            etag: String::new(),
            checksums: Default::default(),
            data_id: Some(c.data_id),
            object_size: None,
        };
        Ok(CopyRead {
            set,
            layout,
            rotation: c.rotation as usize,
            part,
        })
    }

    fn plan(&self, range: Range<u64>, ctx: ReadContext) -> ReadPlan {
        ReadPlan {
            set: self.set.clone(),
            layout: self.layout,
            rotation: self.rotation,
            parts: vec![self.part.clone()],
            inline: None,
            range,
            ctx,
        }
    }
}

/// Where a version's data was when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    pub(super) class: String,
    pub(super) mod_time_ns: u64,
    pub(super) data_ids: Vec<Option<[u8; 16]>>,
    pub(super) remote: Option<[u8; 16]>,
}

impl Store {
    /// Finds the current version of `key`, or the named one.
    pub async fn open_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<StoredObject> {
        let inner = &self.inner;
        let mut r: Resolved = inner.resolve_object(bucket, key, version_id)?;
        let info = info_of(bucket, key, &r);
        let data = r
            .record
            .data
            .take()
            .ok_or_else(|| Error::corrupt("object without data"))?;
        let place = Place {
            class: data.class.clone(),
            mod_time_ns: r.record.mod_time_ns,
            data_ids: data.parts.iter().map(|p| p.data_id).collect(),
            remote: data.remote.as_ref().map(|d| d.id),
        };
        let ctx = ReadContext {
            bucket: bucket.into(),
            key: key.into(),
            version_id: info.version_id.clone(),
            heal: inner.heal.clone(),
        };
        if let Some(remote) = data.remote {
            let tier = inner.tiers.of_data(&remote.tier)?.clone();
            let copy = match &data.restored {
                Some(c) if c.serves_reads() => Some(CopyRead::of(inner, c)?),
                _ => None,
            };
            return Ok(StoredObject {
                parts: data.parts,
                set: inner.ns().clone(),
                layout: Layout::new(1, 0),
                rotation: 0,
                inline: None,
                ctx,
                info,
                place,
                remote: Some((tier, remote)),
                restored: data.restored,
                copy,
            });
        }
        let (set, layout) = shape(inner, &data.class, data.k, data.m, data.block_size)?;
        Ok(StoredObject {
            parts: data.parts,
            set,
            layout,
            rotation: data.rotation as usize,
            inline: r.inline,
            ctx,
            info,
            place,
            remote: None,
            restored: None,
            copy: None,
        })
    }
}

impl StoredObject {
    /// What the version is.
    pub fn info(&self) -> &ObjectInfo {
        &self.info
    }

    /// The client's bytes a part number or a byte range selects (`None`: the whole object),
    /// or S3's error for a part the object does not have or a range outside it.
    pub fn select(
        &self,
        range: Option<&ByteRange>,
        part: Option<u32>,
    ) -> Result<Option<Range<u64>>> {
        let size = self.info.size;
        Ok(match (part, range) {
            (Some(n), _) => Some(self.part_span(n)?),
            (None, Some(range)) => {
                Some(resolve_range(range, size).ok_or(Refusal::InvalidRange { size })?)
            }
            (None, None) => None,
        })
    }

    /// Client bytes of part `n`.
    fn part_span(&self, n: u32) -> Result<Range<u64>> {
        let mut start = 0;
        for p in &self.parts {
            let len = p.object_size();
            if p.number == n {
                return Ok(start..start + len);
            }
            start += len;
        }
        Err(Refusal::InvalidPartNumber {
            part: n,
            parts: self.parts.len(),
        }
        .into())
    }

    /// The remote object holding the data, if it is on a remote tier.
    pub(super) fn remote_data(&self) -> Option<&RemoteData> {
        self.remote.as_ref().map(|(_, d)| d)
    }

    /// All of the remote object, its digest checked before its last chunk is given.
    pub(super) fn read_remote_whole(&self) -> Result<ObjectBody> {
        let (tier, data) = self
            .remote
            .as_ref()
            .ok_or_else(|| Error::argument("the version is not on a remote tier"))?;
        Ok(tier.read(&data.id, 0..data.size, Some(data.xxh3)))
    }

    /// The remote tier reads of the data go to: its tier, unless a restored copy serves them.
    pub fn reads_from_tier(&self) -> Option<&str> {
        self.copy.is_none().then(|| self.tier()).flatten()
    }

    /// The remote tier holding the data, if it is on one.
    pub fn tier(&self) -> Option<&str> {
        self.remote.as_ref().map(|(t, _)| t.name.as_str())
    }

    /// Stored sizes of the parts, in order (the object's single part when not multipart).
    pub fn stored_part_sizes(&self) -> Vec<u64> {
        self.parts.iter().map(|p| p.size).collect()
    }

    /// Starts reading stored bytes `stored` (`None`: all of them). Stored bytes are the
    /// client's bytes unless a caller's transform wrote something else; the caller maps.
    pub fn read(self, stored: Option<Range<u64>>) -> Result<ObjectBody> {
        self.start_read(stored, true)
    }

    /// Like [`Self::read`], for a caller that authenticates every byte it takes (an AEAD
    /// decoder): a whole remote object is then not also hashed against its recorded
    /// digest, which would check the same bytes twice. Local shards keep their own checks:
    /// they say which shard to rebuild.
    pub fn read_authenticated(self, stored: Option<Range<u64>>) -> Result<ObjectBody> {
        self.start_read(stored, false)
    }

    fn start_read(self, stored: Option<Range<u64>>, digest: bool) -> Result<ObjectBody> {
        let total = self.info.stored_size;
        let range = stored.unwrap_or(0..total);
        check_span(&range, total)?;
        if let Some(copy) = &self.copy {
            return read::start(copy.plan(range, self.ctx));
        }
        if let Some((tier, data)) = &self.remote {
            let whole = (digest && range == (0..data.size)).then_some(data.xxh3);
            return Ok(tier.read(&data.id, range, whole));
        }
        read::start(ReadPlan {
            set: self.set,
            layout: self.layout,
            rotation: self.rotation,
            parts: self.parts,
            inline: self.inline,
            range,
            ctx: self.ctx,
        })
    }

    /// Starts reading stored bytes `stored`, keeping the object for further reads (a
    /// caller that needs a few bytes apart before the rest, such as a stream header).
    pub fn read_span(&self, stored: Range<u64>) -> Result<ObjectBody> {
        check_span(&stored, self.info.stored_size)?;
        if let Some(copy) = &self.copy {
            return read::start(copy.plan(stored, self.ctx.clone()));
        }
        if let Some((tier, data)) = &self.remote {
            return Ok(tier.read(&data.id, stored, None));
        }
        read::start(ReadPlan {
            set: self.set.clone(),
            layout: self.layout,
            rotation: self.rotation,
            parts: self.parts.clone(),
            inline: self.inline.clone(),
            range: stored,
            ctx: self.ctx.clone(),
        })
    }
}

/// The erasure set of `class` and the layout `k`+`m` of `block_size` recorded for data in
/// it, which must fit the set.
fn shape(
    inner: &super::Inner,
    class: &str,
    k: u8,
    m: u8,
    block_size: u64,
) -> Result<(Arc<ErasureSet>, Layout)> {
    let set = inner.class(Some(class))?.clone();
    let layout = Layout {
        data: k as usize,
        parity: m as usize,
        block_size,
    };
    if layout.total() != set.width() {
        return Err(Error::corrupt(format!(
            "data layout {k}+{m} does not fit class {}",
            set.name
        )));
    }
    Ok((set, layout))
}

/// Refuses a span outside an object's `total` stored bytes.
fn check_span(range: &Range<u64>, total: u64) -> Result<()> {
    if range.start > range.end || range.end > total {
        return Err(Error::argument(format!(
            "stored bytes {}..{} are outside the object's {total}",
            range.start, range.end
        )));
    }
    Ok(())
}

impl std::fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredObject")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}
