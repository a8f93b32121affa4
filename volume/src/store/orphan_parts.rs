//! Removing the records of parts whose upload is gone: left on a volume that missed the
//! completion or abort that removed them elsewhere (or an upload record removed since as a
//! write no quorum took). Such a record would keep its shard files from the sweep forever.

use std::collections::HashSet;
use std::time::SystemTime;

use super::Inner;
use crate::disk::meta_db::{MetaOp, Table};
use crate::error::Result;
use crate::keys;
use crate::pace::Pacer;
use crate::record::{self, time_of, PartRecord};

/// Upload keys read per index page.
const PAGE: usize = 256;

impl Inner {
    /// Removes the records of `strays` (parts, key and write time, that a walk met without
    /// their upload) whose upload no online volume holds now and that were written before
    /// `cutoff`: a part is committed after its upload, under the key's lock, so a part
    /// older than the pass whose upload is in no volume's table belongs to an upload that
    /// is gone, and no new one can reuse its random id. Returns the records removed and the
    /// shard files they referenced.
    pub(super) async fn remove_orphan_parts(
        &self,
        strays: &[(Vec<u8>, u64)],
        cutoff: SystemTime,
        pacer: &mut Pacer,
    ) -> Result<(u64, Vec<[u8; 16]>)> {
        let old: Vec<&Vec<u8>> = strays
            .iter()
            .filter(|(_, written)| time_of(*written) < cutoff)
            .map(|(pkey, _)| pkey)
            .collect();
        if old.is_empty() {
            return Ok((0, Vec::new()));
        }
        // Read after the parts: an upload listed here existed when its part was met.
        let live = self.upload_ids().await?;
        let (mut removed, mut files) = (0, Vec::new());
        for pkey in old {
            let Some((upload_id, _)) = keys::upload_of_part(pkey) else {
                continue;
            };
            if live.contains(upload_id) {
                continue;
            }
            for (slot, held) in self.read_all(Table::Parts, pkey)? {
                if let Some(raw) = held {
                    if let Ok(part) = record::decode::<PartRecord>(&raw) {
                        files.extend(part.data.data_id);
                    }
                    let op = MetaOp::Delete {
                        table: Table::Parts,
                        key: pkey.clone(),
                    };
                    self.commit_on(slot, vec![op]).await?;
                    removed += 1;
                }
            }
            pacer.tick().await;
        }
        Ok((removed, files))
    }

    /// The id of every upload any online volume's table holds, whether or not its record
    /// decodes (a record this strata cannot read still owns its parts).
    async fn upload_ids(&self) -> Result<HashSet<String>> {
        let mut ids = HashSet::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .walk_page(Table::Uploads, after.as_deref(), PAGE)
                .await?;
            for (ukey, _) in &page.entries {
                if let Some((_, _, id)) = keys::split_upload(ukey) {
                    ids.insert(id);
                }
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(ids),
            }
        }
    }
}
