//! Quorum commits and reads on the namespace class.

use std::sync::Arc;

use futures::future::join_all;

use super::Inner;
use crate::disk::meta_db::{MetaOp, Removed, Table};
use crate::disk::volume::Volume;
use crate::error::{Error, Result, Unavailable};

impl Inner {
    /// Applies `ops(slot)` on every namespace volume at once; succeeds on a write quorum.
    /// Returns what the commit removed, as the first successful volume saw it.
    pub(super) async fn commit(&self, ops: impl Fn(usize) -> Vec<MetaOp>) -> Result<Removed> {
        let ns = self.ns();
        // Fail before writing anything when a quorum cannot be reached anyway.
        if ns.online_count() < ns.write_quorum() {
            return Err(Unavailable::WriteQuorum {
                class: ns.name.clone(),
                succeeded: ns.online_count(),
                needed: ns.write_quorum(),
            }
            .into());
        }
        // The volumes serving now; one taken out of service meanwhile still gets its write
        // (it fails, or lands on a volume the refill pass revisits anyway).
        let slots: Vec<(usize, Arc<Volume>, Vec<MetaOp>)> =
            ns.online().map(|(slot, v)| (slot, v, ops(slot))).collect();
        // Writes to the plain tables wait while the healer repairs them (see `heal_tables`).
        let _healing = match slots.first() {
            Some((_, _, ops)) if ops.iter().any(touches_plain_table) => {
                Some(self.plain_tables.read().await)
            }
            _ => None,
        };
        let futs = slots
            .iter()
            .map(|(_, v, ops)| async move { v.meta()?.commit(ops.clone()).await });
        let results = join_all(futs).await;
        let ok = results.iter().filter(|r| r.is_ok()).count();
        let full = results
            .iter()
            .filter(|r| r.as_ref().is_err_and(Error::is_disk_full))
            .count();
        for ((slot, _, _), r) in slots.iter().zip(&results) {
            if let Err(e) = r {
                tracing::warn!(error = %e, "metadata commit failed on a volume");
                if e.is_volume_fault() {
                    ns.io_failed(*slot);
                } else if !e.is_disk_full() {
                    ns.suspect(*slot);
                }
            }
        }
        if ok < ns.write_quorum() {
            // Take back what the minority applied, so that a failed write leaves nothing.
            for ((slot, v, ops), r) in slots.iter().zip(&results) {
                let (Ok(removed), Ok(m)) = (r, v.meta()) else {
                    continue;
                };
                let undo = undo_ops(ops, removed);
                if !undo.is_empty() {
                    if let Err(e) = m.commit(undo).await {
                        tracing::error!(error = %e, slot, "could not take back a failed commit; the healer must");
                    }
                }
            }
            return Err(Unavailable::quorum_lost(&ns.name, ok, ns.write_quorum(), full).into());
        }
        Ok(results.into_iter().find_map(|r| r.ok()).unwrap_or_default())
    }

    /// Same ops on every volume.
    pub(super) async fn commit_all(&self, ops: Vec<MetaOp>) -> Result<Removed> {
        self.commit(|_| ops.clone()).await
    }

    /// Reads `key` of `table` from every namespace volume: `(slot, value)` per volume that
    /// answered. Fails below the metadata read quorum.
    pub(super) fn read_all(
        &self,
        table: Table,
        key: &[u8],
    ) -> Result<Vec<(usize, Option<Vec<u8>>)>> {
        let ns = self.ns();
        let mut out = Vec::new();
        for (slot, v) in ns.online() {
            match v.meta().and_then(|m| m.get(table, key)) {
                Ok(val) => out.push((slot, val)),
                Err(e) => tracing::warn!(error = %e, "metadata read failed on a volume"),
            }
        }
        self.enough(out.len())?;
        Ok(out)
    }

    /// Checks that `answered` volumes make a metadata read quorum.
    pub(super) fn enough(&self, answered: usize) -> Result<()> {
        let ns = self.ns();
        if answered < ns.meta_read_quorum() {
            return Err(Unavailable::ReadQuorum {
                class: ns.name.clone(),
                available: answered,
                needed: ns.meta_read_quorum(),
            }
            .into());
        }
        Ok(())
    }

    /// The value most volumes agree on, if at least a read quorum does.
    pub(super) fn agreed(&self, answers: Vec<Option<Vec<u8>>>) -> Option<Vec<u8>> {
        let q = self.ns().meta_read_quorum();
        let mut counts: Vec<(Vec<u8>, usize)> = Vec::new();
        for v in answers.into_iter().flatten() {
            match counts.iter_mut().find(|(x, _)| *x == v) {
                Some((_, c)) => *c += 1,
                None => counts.push((v, 1)),
            }
        }
        counts
            .into_iter()
            .filter(|(_, c)| *c >= q)
            .max_by_key(|(_, c)| *c)
            .map(|(v, _)| v)
    }
}

/// Whether `op` writes a table other than versions and parts.
fn touches_plain_table(op: &MetaOp) -> bool {
    match op {
        MetaOp::Put { table, .. }
        | MetaOp::Delete { table, .. }
        | MetaOp::DeletePrefix { table, .. } => super::heal_tables::PLAIN.contains(table),
        _ => false,
    }
}

/// The ops that take back `ops` on a volume where they applied and removed `removed`.
/// Versions are restored exactly; plain puts and deletes of other tables are left for the
/// healer (they are bucket settings and upload bookkeeping, not object data).
fn undo_ops(ops: &[MetaOp], removed: &Removed) -> Vec<MetaOp> {
    let mut undo = Vec::new();
    for op in ops {
        let (bucket, key) = match op {
            MetaOp::PutVersion {
                bucket,
                key,
                record,
                ..
            } => {
                undo.push(MetaOp::DeleteVersion {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    version_id: record.version_id,
                });
                (bucket, key)
            }
            MetaOp::DeleteVersion { bucket, key, .. } | MetaOp::SetData { bucket, key, .. } => {
                (bucket, key)
            }
            _ => continue,
        };
        // Both a put and a delete may have removed versions: put them back.
        undo.extend(removed.iter().map(|r| MetaOp::PutVersion {
            bucket: bucket.clone(),
            key: key.clone(),
            record: Box::new(r.clone()),
            replace_null: false,
        }));
    }
    undo
}
