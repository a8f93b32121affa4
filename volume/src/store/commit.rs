//! Quorum commits and reads on the namespace class.

use futures::future::join_all;

use super::Inner;
use crate::disk::meta_db::{MetaOp, Removed, Table};
use crate::error::{Error, Result};

impl Inner {
    /// Applies `ops(slot)` on every namespace volume at once; succeeds on a write quorum.
    /// Returns what the commit removed, as the first successful volume saw it.
    pub(super) async fn commit(&self, ops: impl Fn(usize) -> Vec<MetaOp>) -> Result<Removed> {
        let ns = self.ns();
        let futs = ns.online().map(|(slot, v)| {
            let ops = ops(slot);
            async move {
                match v.meta() {
                    Ok(m) => m.commit(ops).await,
                    Err(e) => Err(e),
                }
            }
        });
        let results = join_all(futs).await;
        let mut removed = None;
        let mut ok = 0;
        for r in results {
            match r {
                Ok(rem) => {
                    ok += 1;
                    removed.get_or_insert(rem);
                }
                Err(e) => tracing::warn!(error = %e, "metadata commit failed on a volume"),
            }
        }
        if ok < ns.write_quorum() {
            return Err(Error::InsufficientWriteQuorum {
                class: ns.name.clone(),
                succeeded: ok,
                needed: ns.write_quorum(),
            });
        }
        Ok(removed.unwrap_or_default())
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
            return Err(Error::InsufficientReadQuorum {
                class: ns.name.clone(),
                available: answered,
                needed: ns.meta_read_quorum(),
            });
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
