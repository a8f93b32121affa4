//! Everything the identity store holds, in memory, with each access key's identity resolved
//! and its policies compiled: rebuilt after each change, read per request without I/O.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use strata_policy::{Policy, PolicyKind};

use super::codec::decode;
use super::error::IamError;
use super::keys::components;
use super::records::{
    AccessKeyRecord, AccountRecord, Attached, GroupRecord, KeyStatus, OidcProviderRecord,
    PolicyRecord, RoleRecord, SessionKeyRecord, UserRecord,
};
use crate::identity::{Account, Identity, IdentityKind};

/// (account id, name): how users, groups, roles and policies are keyed.
pub type Scoped = (String, String);

/// The identity store's contents at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Accounts by configured name.
    pub accounts: BTreeMap<String, AccountRecord>,
    /// Users.
    pub users: BTreeMap<Scoped, UserRecord>,
    /// Groups.
    pub groups: BTreeMap<Scoped, GroupRecord>,
    /// Roles.
    pub roles: BTreeMap<Scoped, RoleRecord>,
    /// Customer managed policies.
    pub policies: BTreeMap<Scoped, PolicyRecord>,
    /// Access keys by id.
    pub keys: BTreeMap<String, AccessKeyRecord>,
    /// OpenID Connect providers, by their URL without `https://`.
    pub oidc: BTreeMap<Scoped, OidcProviderRecord>,
    /// Session-token sealing keys by id (decimal).
    pub session_keys: BTreeMap<String, SessionKeyRecord>,
    /// Active keys' identities, resolved once.
    identities: HashMap<String, Arc<Identity>>,
    /// Roles' policies, compiled once (for their sessions).
    pub(super) role_policies: HashMap<Scoped, super::roles::RolePolicies>,
}

impl Snapshot {
    /// Decodes every stored record, then resolves the identities of active keys.
    pub fn from_records(records: Vec<(Vec<u8>, Vec<u8>)>) -> Result<Snapshot, IamError> {
        let mut s = Snapshot::default();
        for (key, value) in records {
            let parts = components(&key);
            let kind = key.split(|b| *b == 0).next().unwrap_or_default();
            let what = String::from_utf8_lossy(&key).replace('\0', "/");
            let scoped = || -> Result<Scoped, IamError> {
                match parts.as_slice() {
                    [account, name] => Ok((account.clone(), name.clone())),
                    _ => Err(IamError::Corrupt(format!("{what}: key"))),
                }
            };
            let single = || -> Result<String, IamError> {
                match parts.as_slice() {
                    [name] => Ok(name.clone()),
                    _ => Err(IamError::Corrupt(format!("{what}: key"))),
                }
            };
            match kind {
                b"account" => {
                    s.accounts.insert(single()?, decode(&what, &value)?);
                }
                b"accesskey" => {
                    s.keys.insert(single()?, decode(&what, &value)?);
                }
                b"user" => {
                    s.users.insert(scoped()?, decode(&what, &value)?);
                }
                b"group" => {
                    s.groups.insert(scoped()?, decode(&what, &value)?);
                }
                b"role" => {
                    s.roles.insert(scoped()?, decode(&what, &value)?);
                }
                b"policy" => {
                    s.policies.insert(scoped()?, decode(&what, &value)?);
                }
                b"oidc" => {
                    s.oidc.insert(scoped()?, decode(&what, &value)?);
                }
                b"stskey" => {
                    s.session_keys.insert(single()?, decode(&what, &value)?);
                }
                // Kinds a later strata adds are not this one's to judge.
                _ => tracing::debug!(record = %what, "identity record of an unknown kind skipped"),
            }
        }
        s.resolve();
        Ok(s)
    }

    /// The account with id `id`.
    pub fn account_by_id(&self, id: &str) -> Option<Account> {
        self.accounts
            .iter()
            .find(|(_, r)| r.id == id)
            .map(|(name, r)| account(name, r))
    }

    /// The account whose canonical user id is `canonical_id` (ACL grants name accounts so).
    pub fn account_by_canonical_id(&self, canonical_id: &str) -> Option<Account> {
        self.accounts
            .iter()
            .find(|(_, r)| r.canonical_id == canonical_id)
            .map(|(name, r)| account(name, r))
    }

    /// The account named `name`.
    pub fn account_by_name(&self, name: &str) -> Option<Account> {
        self.accounts.get(name).map(|r| account(name, r))
    }

    /// The identity an active access key signs as.
    pub fn identity_of_key(&self, access_key: &str) -> Option<(&AccessKeyRecord, &Arc<Identity>)> {
        let record = self.keys.get(access_key)?;
        Some((record, self.identities.get(access_key)?))
    }

    fn resolve(&mut self) {
        let mut identities = HashMap::new();
        for (key_id, key) in &self.keys {
            if key.status != KeyStatus::Active {
                continue;
            }
            let scoped = (key.account_id.clone(), key.user.clone());
            let (Some(user), Some(account)) =
                (self.users.get(&scoped), self.account_by_id(&key.account_id))
            else {
                tracing::warn!(access_key = %key_id, "access key of a missing user or account: refused");
                continue;
            };
            identities.insert(
                key_id.clone(),
                Arc::new(self.user_identity(account, &key.user, user)),
            );
        }
        self.identities = identities;
        self.role_policies = self.compile_roles();
    }

    pub(super) fn user_identity(
        &self,
        account: Account,
        name: &str,
        user: &UserRecord,
    ) -> Identity {
        let mut policies = self.compile(&account.id, &user.policies);
        for group in &user.groups {
            match self.groups.get(&(account.id.clone(), group.clone())) {
                Some(g) => policies.extend(self.compile(&account.id, &g.policies)),
                None => tracing::warn!(user = name, group, "member of a missing group"),
            }
        }
        let boundary = user
            .boundary
            .as_deref()
            .map(|arn| self.managed(&account.id, arn, PolicyKind::Boundary));
        Identity {
            arn: format!("arn:aws:iam::{}:user{}{name}", account.id, user.path),
            name: name.to_string(),
            user_id: user.id.clone(),
            kind: IdentityKind::User {
                name: name.to_string(),
            },
            role_arn: None,
            tags: user.tags.clone(),
            policies,
            boundary,
            session_policies: Vec::new(),
            temporary: None,
            transitive_tag_keys: Vec::new(),
            source_identity: None,
            account,
        }
    }

    /// Compiles an entity's inline and attached policies.
    pub fn compile(&self, account_id: &str, attached: &Attached) -> Vec<Arc<Policy>> {
        let inline = attached
            .inline
            .values()
            .map(|doc| parsed(doc, PolicyKind::Identity));
        let managed = attached
            .managed
            .iter()
            .map(|arn| self.managed(account_id, arn, PolicyKind::Identity));
        inline.chain(managed).collect()
    }

    /// A managed policy's document in force, compiled; a missing or unreadable one denies
    /// everything (failing closed: skipping a policy could skip a Deny).
    pub(super) fn managed(&self, account_id: &str, arn: &str, kind: PolicyKind) -> Arc<Policy> {
        let name = arn.rsplit('/').next().unwrap_or_default();
        let prefix = format!("arn:aws:iam::{account_id}:policy/");
        let doc = arn
            .starts_with(&prefix)
            .then(|| {
                self.policies
                    .get(&(account_id.to_string(), name.to_string()))
            })
            .flatten()
            .and_then(PolicyRecord::default_document);
        match doc {
            Some(doc) => parsed(doc, kind),
            None => {
                tracing::warn!(
                    policy = arn,
                    "attached policy is missing: it denies everything"
                );
                deny_all()
            }
        }
    }
}

fn account(name: &str, r: &AccountRecord) -> Account {
    Account {
        id: r.id.clone(),
        name: name.to_string(),
        canonical_id: r.canonical_id.clone(),
    }
}

/// A stored document compiled; documents were checked when written, so a failure here means
/// damage or a newer grammar: deny everything rather than skip it.
fn parsed(doc: &str, kind: PolicyKind) -> Arc<Policy> {
    match Policy::parse_with_limit(doc, kind, usize::MAX) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            tracing::warn!(error = %e, "stored policy does not compile: it denies everything");
            deny_all()
        }
    }
}

fn deny_all() -> Arc<Policy> {
    static DENY: OnceLock<Arc<Policy>> = OnceLock::new();
    DENY.get_or_init(|| {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        Arc::new(Policy::parse(doc, PolicyKind::Identity).expect("a fixed, valid document"))
    })
    .clone()
}
