//! Who owns a bucket, as listings show it: the stored owner id resolved to its account.

use super::store::IamStore;
use crate::identity::Account;

/// Resolves bucket owner ids to accounts; buckets made before accounts existed are the root
/// account's.
#[derive(Clone)]
pub struct Owners {
    iam: IamStore,
    root: Account,
}

impl Owners {
    /// Owners over the store, with `root` for buckets that recorded none.
    pub fn new(iam: IamStore, root: Account) -> Owners {
        Owners { iam, root }
    }

    /// The root account.
    pub fn root(&self) -> &Account {
        &self.root
    }

    /// The store.
    pub fn store(&self) -> &IamStore {
        &self.iam
    }

    /// The account a bucket's recorded owner id names (an id whose account record is gone
    /// still shows, with the id as its name).
    pub fn account(&self, owner: Option<&str>) -> Account {
        let Some(id) = owner else {
            return self.root.clone();
        };
        if id == self.root.id {
            return self.root.clone();
        }
        self.iam
            .snapshot()
            .account_by_id(id)
            .unwrap_or_else(|| Account {
                id: id.to_string(),
                name: id.to_string(),
                canonical_id: String::new(),
            })
    }

    /// The owning account's id of a bucket's recorded owner.
    pub fn owner_id<'a>(&'a self, owner: Option<&'a str>) -> &'a str {
        owner.unwrap_or(&self.root.id)
    }
}
