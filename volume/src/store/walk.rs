//! Walking a table of the namespace index in pages, over the union of every online volume's
//! copy: a record that only some volumes hold is still visited (to be healed there, or removed
//! as a stray), and a volume that lost its index (a replacement) hides nothing.

use std::collections::BTreeMap;

use futures::future::join_all;

use super::Inner;
use crate::disk::meta_db::{Step, Table};
use crate::error::Result;
use crate::keys;
use crate::record::{self, UploadRecord};

/// Entries of one table, key and value.
type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// One page of a walk: entries in key order (each with the value of the first volume that
/// had it), and the key to continue after (`None`: the walk is done).
pub(super) struct WalkPage {
    pub entries: Entries,
    pub next: Option<Vec<u8>>,
}

impl Inner {
    /// Up to about `limit` entries of `table` with keys after `after` (from the start when
    /// `None`).
    pub(super) async fn walk_page(
        &self,
        table: Table,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<WalkPage> {
        let start = match after {
            // The smallest key greater than `after`.
            Some(a) => [a, &[0]].concat(),
            None => Vec::new(),
        };
        let tasks = self.ns().online().map(|(_, v)| {
            let (v, start) = (v.clone(), start.clone());
            tokio::task::spawn_blocking(move || -> Result<(Entries, bool)> {
                let mut out = Vec::new();
                let mut more = false;
                v.meta()?.scan(table, &start, |k, val| {
                    if out.len() == limit {
                        more = true;
                        return Ok(Step::Stop);
                    }
                    out.push((k.to_vec(), val.to_vec()));
                    Ok(Step::Next)
                })?;
                Ok((out, more))
            })
        });
        let mut union: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        // Past the last key of a volume that stopped early, that volume has not spoken.
        let mut bound: Option<Vec<u8>> = None;
        let mut answered = 0;
        for r in join_all(tasks).await {
            let (entries, more) = match r {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "scan: index walk failed on a volume");
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "scan: index walk task failed");
                    continue;
                }
            };
            answered += 1;
            if more {
                if let Some((last, _)) = entries.last() {
                    if bound.as_ref().is_none_or(|b| last < b) {
                        bound = Some(last.clone());
                    }
                }
            }
            for (k, v) in entries {
                union.entry(k).or_insert(v);
            }
        }
        self.enough(answered)?;
        let entries: Entries = match &bound {
            Some(b) => union.into_iter().filter(|(k, _)| k <= b).collect(),
            None => union.into_iter().collect(),
        };
        Ok(WalkPage {
            entries,
            next: bound,
        })
    }
}

/// An upload in progress as the uploads table holds it.
pub(super) struct UploadEntry {
    /// Its bucket.
    pub bucket: String,
    /// Its key.
    pub key: String,
    /// Its id.
    pub id: String,
    /// Its record.
    pub record: UploadRecord,
}

impl Inner {
    /// Every upload in progress (records that do not decode are left out).
    pub(super) async fn uploads_in_progress(&self) -> Result<Vec<UploadEntry>> {
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .walk_page(Table::Uploads, after.as_deref(), 256)
                .await?;
            for (ukey, raw) in &page.entries {
                if let (Some((bucket, key, id)), Ok(record)) = (
                    keys::split_upload(ukey),
                    record::decode::<UploadRecord>(raw),
                ) {
                    out.push(UploadEntry {
                        bucket,
                        key,
                        id,
                        record,
                    });
                }
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(out),
            }
        }
    }
}
