//! The identity store: records in the namespace index's `iam` table, and the snapshot that
//! requests read. Writes go one at a time (a lock), each as one commit, and the snapshot is
//! rebuilt from the index after each, so memory never holds what the disk does not. Secrets
//! are sealed on the way in and opened on the way out (`secrets`).

use std::sync::{Arc, RwLock};

use strata_volume::{IamWrite, Store};

use super::codec::encode;
use super::error::IamError;
use super::ids;
use super::keys::Kind;
use super::records::AccountRecord;
use super::secrets::{Opened, SecretSeal};
use super::snapshot::Snapshot;
use crate::identity::Account;

/// The store and its current snapshot. Clones share both.
#[derive(Clone)]
pub struct IamStore {
    store: Store,
    seal: SecretSeal,
    snapshot: Arc<RwLock<Arc<Snapshot>>>,
    writes: Arc<tokio::sync::Mutex<()>>,
}

/// A write in progress: holds the store's write lock until applied or dropped.
pub struct Change<'a> {
    iam: &'a IamStore,
    _lock: tokio::sync::MutexGuard<'a, ()>,
    /// What is in the store now (read under the lock, so nothing changes it meanwhile).
    pub current: Arc<Snapshot>,
    writes: Vec<IamWrite>,
}

impl Change<'_> {
    /// Sets a record.
    pub fn put<T: serde::Serialize>(&mut self, kind: Kind, parts: &[&str], record: &T) {
        self.writes.push(IamWrite::Put {
            key: kind.key(parts),
            value: encode(record),
        });
    }

    /// Removes a record.
    pub fn delete(&mut self, kind: Kind, parts: &[&str]) {
        self.writes.push(IamWrite::Delete {
            key: kind.key(parts),
        });
    }

    /// Commits every put and delete at once, secrets sealed, then refreshes the snapshot.
    pub async fn apply(self) -> Result<Arc<Snapshot>, IamError> {
        if !self.writes.is_empty() {
            let writes = self
                .writes
                .into_iter()
                .map(|write| match write {
                    IamWrite::Put { key, value } => {
                        let value = self.iam.seal.seal_stored(&key, value)?;
                        Ok(IamWrite::Put { key, value })
                    }
                    delete => Ok(delete),
                })
                .collect::<Result<Vec<_>, IamError>>()?;
            self.iam.store.iam_write(writes).await?;
        }
        self.iam.reload().await
    }
}

impl IamStore {
    /// Opens the store over `store`'s namespace index, with secrets sealed by `seal`, and
    /// loads the snapshot. Secrets an earlier strata stored in clear are sealed first.
    pub async fn open(store: Store, seal: SecretSeal) -> Result<IamStore, IamError> {
        let iam = IamStore {
            store,
            seal,
            snapshot: Arc::new(RwLock::new(Arc::new(Snapshot::default()))),
            writes: Arc::new(tokio::sync::Mutex::new(())),
        };
        iam.seal_clear_secrets().await?;
        iam.reload().await?;
        Ok(iam)
    }

    /// Seals, in one commit, the secrets stored in clear (by a strata before sealing).
    async fn seal_clear_secrets(&self) -> Result<(), IamError> {
        let _lock = self.writes.lock().await;
        let mut writes = Vec::new();
        for (key, value) in self.store.iam_scan(b"").await? {
            if let Opened::InClear(value) = self.seal.open_stored(&key, value)? {
                let value = self.seal.seal_stored(&key, value)?;
                writes.push(IamWrite::Put { key, value });
            }
        }
        if !writes.is_empty() {
            let count = writes.len();
            self.store.iam_write(writes).await?;
            tracing::info!(count, "identity secrets stored in clear were sealed");
        }
        Ok(())
    }

    /// The current snapshot (cheap: a reference count).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Starts a change; other changes wait until this one is applied or dropped.
    pub async fn change(&self) -> Result<Change<'_>, IamError> {
        let lock = self.writes.lock().await;
        let current = self.reload().await?;
        Ok(Change {
            iam: self,
            _lock: lock,
            current,
            writes: Vec::new(),
        })
    }

    async fn reload(&self) -> Result<Arc<Snapshot>, IamError> {
        let records = self
            .store
            .iam_scan(b"")
            .await?
            .into_iter()
            .map(|(key, value)| {
                let value = self.seal.open_stored(&key, value)?.into_bytes();
                Ok((key, value))
            })
            .collect::<Result<Vec<_>, IamError>>()?;
        let snapshot = Arc::new(Snapshot::from_records(records)?);
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = snapshot.clone();
        Ok(snapshot)
    }

    /// The accounts named `names`, made (with new random ids) where they do not exist yet.
    /// Ids are stored, never derived from keys: an account keeps its id when its keys change.
    /// `fixed` gives some accounts' ids (the root account's `--root-account-id`): used when
    /// the account is made, and a stored account with another id is an error.
    pub async fn ensure_accounts(
        &self,
        names: &[&str],
        fixed: &[(&str, &str)],
    ) -> Result<Vec<Account>, IamError> {
        let mut change = self.change().await?;
        for name in names {
            let wanted = fixed.iter().find(|(n, _)| n == name).map(|(_, id)| *id);
            if let Some(stored) = change.current.account_by_name(name) {
                match wanted {
                    Some(id) if stored.id != id => {
                        return Err(IamError::AccountIdMismatch {
                            account: name.to_string(),
                            stored: stored.id,
                            wanted: id.to_string(),
                        })
                    }
                    _ => continue,
                }
            }
            let id = match wanted {
                Some(id) => match change.current.account_by_id(id) {
                    Some(other) => {
                        return Err(IamError::AccountIdTaken {
                            id: id.to_string(),
                            holder: other.name,
                        })
                    }
                    None => id.to_string(),
                },
                None => unused_account_id(&change.current),
            };
            let record = AccountRecord {
                id,
                canonical_id: ids::canonical_id(),
                created_ns: crate::iam::now_ns(),
            };
            change.put(Kind::Account, &[name], &record);
            tracing::info!(account = name, id = %record.id, "account created");
        }
        let snapshot = change.apply().await?;
        names
            .iter()
            .map(|name| {
                snapshot
                    .account_by_name(name)
                    .ok_or_else(|| IamError::Corrupt(format!("account {name} vanished")))
            })
            .collect()
    }
}

fn unused_account_id(snapshot: &Snapshot) -> String {
    loop {
        let id = ids::account_id();
        if snapshot.account_by_id(&id).is_none() {
            return id;
        }
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
pub(super) mod tests;
