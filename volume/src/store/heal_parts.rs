//! Healing uploaded parts. A part is bytes a client was told are stored, though no version
//! holds them yet: each slot of the upload's class gets an intact shard file, rebuilt from
//! the others where it is not, as a version's files are (`heal`), and each namespace volume
//! gets the part's record that a read quorum agrees on (`heal_tables`' rule). Records of
//! parts whose upload is gone are handed back for `orphan_parts`.

use std::collections::HashMap;
use std::sync::Arc;

use super::heal_tables::PlainHeal;
use super::walk::UploadEntry;
use super::Inner;
use crate::disk::meta_db::Table;
use crate::erasure::layout::rotation_for;
use crate::error::{Error, Result};
use crate::keys;
use crate::object::rebuild::{Depth, PartShards, Rebuilt};
use crate::pace::Pacer;
use crate::record::{self, PartRecord};
use crate::set::ErasureSet;
use crate::types::{HealReport, HealTotals};

/// Entries read per index page.
const PAGE: usize = 256;

/// What a pass over the parts found besides its repairs.
#[derive(Default)]
pub(super) struct PartsHealed {
    /// Parts of no upload the walk listed: key and write time (for `orphan_parts`).
    pub strays: Vec<(Vec<u8>, u64)>,
    /// Shard files of part records the repair removed or overwrote.
    pub unreferenced: Vec<[u8; 16]>,
}

/// Where an upload's parts are: its bucket, its key (which decides the slot rotation) and
/// its class.
struct UploadPlace<'a> {
    bucket: &'a str,
    key: &'a str,
    class: &'a str,
}

impl Inner {
    /// Checks the shard files of every uploaded part at `depth` and rebuilds the bad ones,
    /// and repairs the parts' records, counting each part in `totals`.
    pub(super) async fn heal_parts(
        &self,
        uploads: &[UploadEntry],
        depth: Depth,
        totals: &mut HealTotals,
        pacer: &mut Pacer,
    ) -> Result<PartsHealed> {
        let mut out = PartsHealed::default();
        let places: HashMap<&str, UploadPlace> = uploads
            .iter()
            .map(|u| {
                let place = UploadPlace {
                    bucket: &u.bucket,
                    key: &u.key,
                    class: &u.record.class,
                };
                (u.id.as_str(), place)
            })
            .collect();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self.walk_page(Table::Parts, after.as_deref(), PAGE).await?;
            for (pkey, raw) in &page.entries {
                let Some((upload_id, _)) = keys::upload_of_part(pkey) else {
                    continue;
                };
                let Ok(part) = record::decode::<PartRecord>(raw) else {
                    continue;
                };
                let Some(place) = places.get(upload_id) else {
                    out.strays.push((pkey.clone(), part.mod_time_ns));
                    continue;
                };
                let mut healed = self.heal_part(upload_id, place, &part, depth).await;
                if let Ok(report) = healed.as_mut() {
                    match self.heal_part_record(upload_id, place, pkey).await {
                        Ok(fixed) => {
                            report.records_written += fixed.written as usize;
                            report.records_removed += fixed.removed as usize;
                            out.unreferenced.extend(unreferenced(&fixed));
                        }
                        Err(e) => healed = Err(e),
                    }
                }
                totals.add(&healed);
                pacer.tick().await;
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(out),
            }
        }
    }

    /// Brings one part's record to every namespace volume, under the key's lock (which
    /// uploads of a part, completion and abort hold too).
    async fn heal_part_record(
        &self,
        upload_id: &str,
        place: &UploadPlace<'_>,
        pkey: &[u8],
    ) -> Result<PlainHeal> {
        if self.same_everywhere(Table::Parts, pkey)? {
            return Ok(PlainHeal::default());
        }
        let _g = self.locks.lock(place.bucket, place.key).await;
        if self
            .find_upload(place.bucket, place.key, upload_id)
            .is_err()
        {
            return Ok(PlainHeal::default());
        }
        self.heal_plain(Table::Parts, pkey).await
    }

    /// Heals one part of upload `upload_id`.
    async fn heal_part(
        &self,
        upload_id: &str,
        place: &UploadPlace<'_>,
        part: &PartRecord,
        depth: Depth,
    ) -> Result<HealReport> {
        let Some(data_id) = part.data.data_id else {
            return Ok(HealReport::default());
        };
        let set = self.class(Some(place.class))?.clone();
        let incomplete = set.online_count() < set.width();
        let shards = Shards {
            rotation: rotation_for(place.key.as_bytes(), set.layout.total()),
            set,
            data_id,
            size: part.data.size,
        };
        if shards.check(depth).await?.is_empty() {
            return Ok(HealReport {
                incomplete,
                ..HealReport::default()
            });
        }
        // Repairs run under the key's lock, so that no completion or abort of the upload
        // runs meanwhile; one that ran since the walk read the part leaves nothing to heal (a
        // completed upload's parts are its version's, healed with it).
        let _g = self.locks.lock(place.bucket, place.key).await;
        if self
            .find_upload(place.bucket, place.key, upload_id)
            .is_err()
        {
            return Ok(HealReport::default());
        }
        let rebuilt = shards.repair(depth).await?;
        Ok(HealReport {
            shard_files: rebuilt.files,
            bytes: rebuilt.bytes,
            incomplete,
            ..HealReport::default()
        })
    }
}

/// The shard files of the part records a repair removed or overwrote, but for the ones the
/// record it kept still uses.
fn unreferenced(fixed: &PlainHeal) -> Vec<[u8; 16]> {
    let id = |raw: &[u8]| record::decode::<PartRecord>(raw).ok()?.data.data_id;
    let kept = fixed.kept.as_deref().and_then(id);
    fixed
        .gone
        .iter()
        .filter_map(|raw| id(raw))
        .filter(|gone| Some(*gone) != kept)
        .collect()
}

/// One part's shard files in its class.
#[derive(Clone)]
struct Shards {
    set: Arc<ErasureSet>,
    rotation: usize,
    data_id: [u8; 16],
    size: u64,
}

impl Shards {
    /// The slots whose file is missing (or, deep, damaged).
    async fn check(&self, depth: Depth) -> Result<Vec<usize>> {
        let me = self.clone();
        blocking(move || Ok(me.view().bad_slots(depth))).await
    }

    /// Rebuilds the bad files from the good ones.
    async fn repair(&self, depth: Depth) -> Result<Rebuilt> {
        let me = self.clone();
        blocking(move || {
            let view = me.view();
            let bad = view.bad_slots(depth);
            match bad.is_empty() {
                true => Ok(Rebuilt::default()),
                false => view.rebuild(&bad),
            }
        })
        .await
    }

    fn view(&self) -> PartShards<'_> {
        PartShards {
            set: &self.set,
            layout: self.set.layout,
            rotation: self.rotation,
            data_id: self.data_id,
            size: self.size,
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("part shard rebuild: {e}")))?
}
