//! An upload whose completion reached only some namespace volumes (a crash in the middle of
//! it): the completed version is on some, the upload record and its parts on the others. The
//! completion reuses the parts' shard files (or, for an upload to a remote tier, copied
//! them to the tier), so the upload must never be aborted as if it were still open: its
//! parts are (or were) the object's data.

use std::collections::{HashMap, HashSet};

use super::Inner;
use crate::disk::meta_db::{Step, Table};
use crate::error::Result;
use crate::keys;
use crate::record::{self, PartRecord, VersionRecord};

/// How many volumes hold a version, its shard ids, and the upload that made it.
struct Held {
    votes: usize,
    ids: Vec<[u8; 16]>,
    upload: Option<String>,
}

impl Inner {
    /// The versions of `key` on the online namespace volumes that at least `min_votes`
    /// volumes hold.
    fn held_versions(&self, bucket: &str, key: &str, min_votes: usize) -> Result<Vec<Held>> {
        let prefix = keys::versions_of(bucket, key);
        let mut versions: HashMap<(u64, [u8; 16]), Held> = HashMap::new();
        for (_, v) in self.ns().online() {
            v.meta()?.scan(Table::Versions, &prefix, |k, val| {
                if !k.starts_with(&prefix) {
                    return Ok(Step::Stop);
                }
                if let Ok(rec) = record::decode::<VersionRecord>(val) {
                    let data = rec.data.as_ref();
                    let held = versions.entry(rec.identity()).or_insert_with(|| Held {
                        votes: 0,
                        ids: data
                            .iter()
                            .flat_map(|d| &d.parts)
                            .filter_map(|p| p.data_id)
                            .collect(),
                        upload: data.and_then(|d| d.upload.clone()),
                    });
                    held.votes += 1;
                }
                Ok(Step::Next)
            })?;
        }
        Ok(versions
            .into_values()
            .filter(|h| h.votes >= min_votes)
            .collect())
    }

    /// Shard ids the versions of `key` reference, on the online namespace volumes, from the
    /// versions that at least `min_votes` volumes hold.
    pub(super) fn data_of_key(
        &self,
        bucket: &str,
        key: &str,
        min_votes: usize,
    ) -> Result<HashSet<[u8; 16]>> {
        let held = self.held_versions(bucket, key, min_votes)?;
        Ok(held.into_iter().flat_map(|h| h.ids).collect())
    }

    /// Whether a version a read quorum holds was made by the upload: it names the upload
    /// (record version 5 on), or uses one of its parts' shard files. A completion on fewer
    /// is a write that was never acknowledged: its version goes and the upload stays.
    pub(super) fn upload_completed(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<bool> {
        let held = self.held_versions(bucket, key, self.ns().meta_read_quorum())?;
        if held.iter().any(|h| h.upload.as_deref() == Some(upload_id)) {
            return Ok(true);
        }
        let used: HashSet<[u8; 16]> = held.into_iter().flat_map(|h| h.ids).collect();
        if used.is_empty() {
            return Ok(false);
        }
        let prefix = keys::parts_of(upload_id);
        let mut completed = false;
        for (_, v) in self.ns().online() {
            v.meta()?.scan(Table::Parts, &prefix, |k, val| {
                if !k.starts_with(&prefix) {
                    return Ok(Step::Stop);
                }
                let id = record::decode::<PartRecord>(val)
                    .ok()
                    .and_then(|p| p.data.data_id);
                completed |= id.is_some_and(|id| used.contains(&id));
                Ok(if completed { Step::Stop } else { Step::Next })
            })?;
            if completed {
                break;
            }
        }
        Ok(completed)
    }

    /// Finishes a completion that reached only some volumes: the upload and its parts go from
    /// the others (their shard files stay: the version uses them). Returns the records
    /// removed.
    pub(super) async fn settle_completed(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<u64> {
        let ops = super::multipart::forget_upload(bucket, key, upload_id);
        let slots: Vec<usize> = self.ns().online().map(|(slot, _)| slot).collect();
        for slot in &slots {
            self.commit_on(*slot, ops.clone()).await?;
        }
        tracing::info!(
            bucket,
            key,
            upload_id,
            "settled an upload whose completion a crash cut short"
        );
        Ok(slots.len() as u64)
    }
}
