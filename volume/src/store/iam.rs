//! The identity table: the gateway's IAM records, opaque bytes here, kept on the namespace
//! class with the same quorum rules as bucket configuration (a write commits on a write
//! quorum of namespace volumes; a read trusts what a read quorum agrees on).

use std::collections::BTreeMap;

use super::{Inner, Store};
use crate::disk::meta_db::{MetaOp, Step, Table};
use crate::error::Result;

/// One change to the identity table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamWrite {
    /// Set `key` to `value`.
    Put {
        /// Key.
        key: Vec<u8>,
        /// Value.
        value: Vec<u8>,
    },
    /// Remove `key` (absent is fine).
    Delete {
        /// Key.
        key: Vec<u8>,
    },
}

impl Store {
    /// Applies `writes` in one commit: on each volume, all of them or none.
    pub async fn iam_write(&self, writes: Vec<IamWrite>) -> Result<()> {
        let ops = writes
            .into_iter()
            .map(|w| match w {
                IamWrite::Put { key, value } => MetaOp::Put {
                    table: Table::Iam,
                    key,
                    value,
                },
                IamWrite::Delete { key } => MetaOp::Delete {
                    table: Table::Iam,
                    key,
                },
            })
            .collect();
        self.inner.commit_all(ops).await.map(|_| ())
    }

    /// The value of `key`, as a read quorum agrees on it.
    pub async fn iam_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let answers = self.inner.read_all(Table::Iam, key)?;
        Ok(self
            .inner
            .agreed(answers.into_iter().map(|(_, v)| v).collect()))
    }

    /// Every entry whose key starts with `prefix`, in key order, as a read quorum agrees.
    pub async fn iam_scan(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner.scan_agreed(Table::Iam, prefix)
    }
}

impl Inner {
    /// Entries under `prefix` of `table` that a read quorum of namespace volumes holds.
    pub(super) fn scan_agreed(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut seen: BTreeMap<Vec<u8>, Vec<Option<Vec<u8>>>> = BTreeMap::new();
        let mut answered = 0;
        for (_, v) in self.ns().online() {
            let mut found = Vec::new();
            let r = v.meta().and_then(|m| {
                m.scan(table, prefix, |k, val| {
                    if !k.starts_with(prefix) {
                        return Ok(Step::Stop);
                    }
                    found.push((k.to_vec(), val.to_vec()));
                    Ok(Step::Next)
                })
            });
            match r {
                Ok(()) => {
                    answered += 1;
                    for (k, val) in found {
                        seen.entry(k).or_default().push(Some(val));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "identity records unreadable on a volume"),
            }
        }
        self.enough(answered)?;
        Ok(seen
            .into_iter()
            .filter_map(|(k, answers)| self.agreed(answers).map(|v| (k, v)))
            .collect())
    }
}
