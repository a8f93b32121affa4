//! Healing the plain tables of the namespace index (buckets, bucket configuration, identity
//! records, uploads, remote objects): each key's value that a read quorum agrees on goes to
//! the volumes that lack it or hold another, and a value too few volumes hold to have ever
//! been acknowledged goes away. Versions are healed one by one (`heal`), parts with their upload's key locked
//! (`heal_parts`).

use super::Inner;
use crate::disk::meta_db::{MetaOp, Table};
use crate::error::Result;
use crate::keys;
use crate::pace::Pacer;

/// The tables healed here.
pub(super) const PLAIN: [Table; 5] = [
    Table::Buckets,
    Table::BucketConfig,
    Table::Iam,
    Table::Uploads,
    Table::Remote,
];

/// Keys per page.
const PAGE: usize = 256;

/// What the repair of one key did.
#[derive(Default)]
pub(super) struct PlainHeal {
    /// Copies written where the agreed value was missing or another.
    pub written: u64,
    /// Copies removed (a value never acknowledged).
    pub removed: u64,
    /// The values removed or overwritten.
    pub gone: Vec<Vec<u8>>,
    /// The value every volume now holds, when one was agreed.
    pub kept: Option<Vec<u8>>,
}

impl Inner {
    /// Heals every plain table; returns `(records written, records removed)`.
    pub(super) async fn heal_tables(&self, pacer: &mut Pacer) -> Result<(u64, u64)> {
        let mut done = (0, 0);
        for table in PLAIN {
            let mut after: Option<Vec<u8>> = None;
            loop {
                let page = self.walk_page(table, after.as_deref(), PAGE).await?;
                if table == Table::Uploads {
                    // Before the tables' lock: this takes key locks, which commits take
                    // before it.
                    for (key, _) in &page.entries {
                        done.1 += self.settle_if_completed(key).await?;
                    }
                }
                {
                    // No commit to these tables runs while a page is repaired.
                    let _g = self.plain_tables.write().await;
                    for (key, _) in &page.entries {
                        let healed = self.heal_plain(table, key).await?;
                        done.0 += healed.written;
                        done.1 += healed.removed;
                    }
                }
                pacer.tick().await;
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
        }
        Ok(done)
    }

    /// An upload whose completion reached some volumes is settled as completed (under its
    /// key's lock, which completion and abort hold too); returns the records removed.
    async fn settle_if_completed(&self, ukey: &[u8]) -> Result<u64> {
        let Some((bucket, object, id)) = keys::split_upload(ukey) else {
            return Ok(0);
        };
        let _g = self.locks.lock(&bucket, &object).await;
        if self.upload_completed(&bucket, &object, &id)? {
            return self.settle_completed(&bucket, &object, &id).await;
        }
        Ok(0)
    }

    /// Whether every namespace volume holds the same value for `key` (or none), all online.
    pub(super) fn same_everywhere(&self, table: Table, key: &[u8]) -> Result<bool> {
        let answers = self.read_all(table, key)?;
        let first = answers.first().map(|(_, v)| v);
        Ok(answers.len() == self.ns().width() && answers.iter().all(|(_, v)| Some(v) == first))
    }

    /// Repairs one key of `table` on every volume (see the module's rule). The caller keeps
    /// commits to the key out meanwhile.
    pub(super) async fn heal_plain(&self, table: Table, key: &[u8]) -> Result<PlainHeal> {
        let ns = self.ns();
        let answers = self.read_all(table, key)?;
        let (q, w) = (ns.meta_read_quorum(), ns.write_quorum());
        let unanswered = ns.width() - answers.len();
        let mut values: Vec<(&Vec<u8>, usize)> = Vec::new();
        for v in answers.iter().filter_map(|(_, v)| v.as_ref()) {
            match values.iter_mut().find(|(x, _)| *x == v) {
                Some((_, c)) => *c += 1,
                None => values.push((v, 1)),
            }
        }
        let agreed: Vec<&Vec<u8>> = values
            .iter()
            .filter(|(_, c)| *c >= q)
            .map(|(v, _)| *v)
            .collect();
        let mut done = PlainHeal::default();
        match agreed.as_slice() {
            [value] => {
                done.kept = Some(value.to_vec());
                for (slot, held) in &answers {
                    if held.as_ref() != Some(*value) {
                        done.gone.extend(held.clone());
                        let op = MetaOp::Put {
                            table,
                            key: key.to_vec(),
                            value: value.to_vec(),
                        };
                        self.commit_on(*slot, vec![op]).await?;
                        done.written += 1;
                    }
                }
            }
            // Two values each on a read quorum: a write failed halfway; which one the
            // client was told about cannot be known here.
            [_, _, ..] => {}
            [] => {
                let acknowledged = values.iter().any(|(_, c)| c + unanswered >= w);
                if !acknowledged {
                    for (slot, held) in &answers {
                        let Some(held) = held else { continue };
                        let op = MetaOp::Delete {
                            table,
                            key: key.to_vec(),
                        };
                        self.commit_on(*slot, vec![op]).await?;
                        done.removed += 1;
                        done.gone.push(held.clone());
                    }
                }
            }
        }
        Ok(done)
    }
}
