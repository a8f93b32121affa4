//! The keys that seal STS session tokens, kept in the identity store so that every gateway
//! of a namespace, and every restart, opens the tokens the others sealed; and their
//! rotation: a new key seals from the moment it is stored, the older ones only open, and
//! each is deleted once every token it can have sealed has expired.

use rand::rngs::OsRng;
use rand::Rng;
use strata_sts::session::{SessionKey, SessionKeyring};

use super::error::IamError;
use super::keys::Kind;
use super::records::SessionKeyRecord;
use super::snapshot::Snapshot;
use super::store::{Change, IamStore};

/// The id of the key a namespace's first start makes.
const FIRST_KEY_ID: u8 = 1;

/// The longest a session issued here lives, seconds (`GetSessionToken`'s and
/// `GetFederationToken`'s longest `DurationSeconds`): a key that stopped sealing this long
/// ago opens no unexpired token.
pub const LONGEST_SESSION_SECS: u64 = 129_600;

const NS_PER_SEC: u64 = 1_000_000_000;

/// One stored key as the admin API shows it: never its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKeyInfo {
    /// The token's key id.
    pub id: u8,
    /// When it was made, ns since the epoch.
    pub created_ns: u64,
    /// Whether it seals new tokens (the newest); the others only open.
    pub current: bool,
    /// For a key that no longer seals: from when it may be deleted (its last tokens have
    /// expired), ns since the epoch.
    pub retires_at_ns: Option<u64>,
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    /// The keyring to seal and open with from now on.
    pub keyring: SessionKeyring,
    /// The keys after it.
    pub keys: Vec<SessionKeyInfo>,
    /// The ids of the keys it deleted (every token they sealed had expired).
    pub retired: Vec<u8>,
}

impl IamStore {
    /// The session keyring: the stored keys, the newest sealing; at the first start one
    /// new random key, stored before it seals anything. Keys whose tokens have all expired
    /// are deleted.
    pub async fn session_keyring(&self) -> Result<SessionKeyring, IamError> {
        let mut change = self.change().await?;
        if change.current.session_keys.is_empty() {
            put_key(&mut change, FIRST_KEY_ID, crate::iam::now_ns());
            tracing::info!(key_id = FIRST_KEY_ID, "session token key created");
        } else {
            retire(&mut change, crate::iam::now_ns())?;
        }
        let snapshot = change.apply().await?;
        keyring(&snapshot)
    }

    /// Stores a new random key, which seals every token from now on, and deletes the keys
    /// whose tokens have all expired.
    pub async fn rotate_session_key(&self) -> Result<Rotation, IamError> {
        let mut change = self.change().await?;
        let keys = session_keys(&change.current)?;
        let newest = keys.last().map_or(0, |k| k.created_ns);
        // After every older key even if the clock went back: the newest seals.
        let now = crate::iam::now_ns().max(newest + 1);
        let id = next_id(&keys)?;
        put_key(&mut change, id, now);
        let retired = retire(&mut change, now)?;
        let snapshot = change.apply().await?;
        tracing::info!(key_id = id, ?retired, "session token key rotated");
        Ok(Rotation {
            keyring: keyring(&snapshot)?,
            keys: session_keys(&snapshot)?,
            retired,
        })
    }
}

fn put_key(change: &mut Change<'_>, id: u8, created_ns: u64) {
    let record = SessionKeyRecord {
        key: hex::encode(random_key()),
        created_ns,
    };
    change.put(Kind::SessionKey, &[&id.to_string()], &record);
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    OsRng.fill(&mut key);
    key
}

/// Deletes the keys that can open no unexpired token at `now_ns`; answers their ids.
fn retire(change: &mut Change<'_>, now_ns: u64) -> Result<Vec<u8>, IamError> {
    let retired: Vec<u8> = session_keys(&change.current)?
        .iter()
        .filter(|k| k.retires_at_ns.is_some_and(|at| at <= now_ns))
        .map(|k| k.id)
        .collect();
    for id in &retired {
        change.delete(Kind::SessionKey, &[&id.to_string()]);
    }
    Ok(retired)
}

/// The id after the current key's, skipping ids in use (1 to 255, then 1 again).
fn next_id(keys: &[SessionKeyInfo]) -> Result<u8, IamError> {
    let current = keys.last().map_or(0, |k| k.id);
    (1..=255u16)
        .map(|step| ((u16::from(current) + step - 1) % 255 + 1) as u8)
        .find(|id| keys.iter().all(|k| k.id != *id))
        .ok_or(IamError::SessionKeyIdsExhausted {
            after_secs: LONGEST_SESSION_SECS,
        })
}

/// The snapshot's keys, oldest first; the last is the current one.
pub fn session_keys(snapshot: &Snapshot) -> Result<Vec<SessionKeyInfo>, IamError> {
    let mut keys = Vec::new();
    for (id, record) in &snapshot.session_keys {
        keys.push(SessionKeyInfo {
            id: key_id(id)?,
            created_ns: record.created_ns,
            current: false,
            retires_at_ns: None,
        });
    }
    keys.sort_by_key(|k| (k.created_ns, k.id));
    let successors: Vec<u64> = keys.iter().skip(1).map(|k| k.created_ns).collect();
    for (key, successor) in keys.iter_mut().zip(successors) {
        key.retires_at_ns = Some(successor.saturating_add(LONGEST_SESSION_SECS * NS_PER_SEC));
    }
    if let Some(last) = keys.last_mut() {
        last.current = true;
    }
    Ok(keys)
}

fn key_id(id: &str) -> Result<u8, IamError> {
    id.parse()
        .map_err(|_| IamError::Corrupt(format!("stskey/{id}: id is not 0-255")))
}

/// The keyring of the snapshot's keys: the newest seals, the others open.
fn keyring(snapshot: &Snapshot) -> Result<SessionKeyring, IamError> {
    let mut keys = Vec::new();
    for (id, record) in &snapshot.session_keys {
        let bytes: [u8; 32] = hex::decode(&record.key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| IamError::Corrupt(format!("stskey/{id}: key is not 64 hex digits")))?;
        keys.push((record.created_ns, SessionKey::new(key_id(id)?, bytes)));
    }
    keys.sort_by_key(|(created, key)| (*created, key.id()));
    let (_, current) = keys
        .pop()
        .ok_or_else(|| IamError::Corrupt("no session token key".into()))?;
    SessionKeyring::new(current, keys.into_iter().map(|(_, key)| key))
        .map_err(|e| IamError::Corrupt(format!("session token keys: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: u8, created_ns: u64) -> SessionKeyInfo {
        SessionKeyInfo {
            id,
            created_ns,
            current: false,
            retires_at_ns: None,
        }
    }

    #[test]
    fn the_next_id_follows_the_current_key_and_skips_ids_in_use() {
        assert_eq!(next_id(&[info(1, 1)]).unwrap(), 2);
        assert_eq!(next_id(&[info(3, 1), info(4, 2)]).unwrap(), 5);
        assert_eq!(next_id(&[info(1, 1), info(255, 2)]).unwrap(), 2);
        assert_eq!(next_id(&[info(2, 1), info(1, 2)]).unwrap(), 3);
        assert_eq!(next_id(&[]).unwrap(), 1);
        let all: Vec<SessionKeyInfo> = (1..=255).map(|id| info(id, u64::from(id))).collect();
        assert!(matches!(
            next_id(&all),
            Err(IamError::SessionKeyIdsExhausted { .. })
        ));
    }

    #[tokio::test]
    async fn rotation_adds_a_sealing_key_and_deletes_keys_whose_tokens_have_expired() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::store::tests::store(dir.path()).await;
        let seal = crate::iam::SecretSeal::random();
        let iam = IamStore::open(store.clone(), seal.clone()).await.unwrap();
        let first = iam.session_keyring().await.unwrap();
        assert_eq!(first.current().id(), FIRST_KEY_ID);

        // Rotated: key 2 seals, key 1 still opens until 36 h after key 2 was made.
        let rotation = iam.rotate_session_key().await.unwrap();
        assert_eq!(rotation.keyring.current().id(), 2);
        assert!(rotation.keyring.find(1).is_some());
        assert!(rotation.retired.is_empty());
        let [one, two] = &rotation.keys[..] else {
            panic!("{:?}", rotation.keys)
        };
        assert!(!one.current && two.current && two.retires_at_ns.is_none());
        assert_eq!(
            one.retires_at_ns,
            Some(two.created_ns + LONGEST_SESSION_SECS * NS_PER_SEC)
        );
        // A restart opens with both and seals with the newest.
        let reopened = IamStore::open(store.clone(), seal).await.unwrap();
        let keyring = reopened.session_keyring().await.unwrap();
        assert_eq!(keyring.current().id(), 2);
        assert!(keyring.find(1).is_some());

        // Keys that stopped sealing more than 36 h ago are deleted by the next rotation
        // (or start); the one that has just stopped is kept.
        let mut change = reopened.change().await.unwrap();
        for (id, created_ns) in [("1", 1), ("2", 2)] {
            let record = SessionKeyRecord {
                key: "ab".repeat(32),
                created_ns,
            };
            change.put(Kind::SessionKey, &[id], &record);
        }
        change.apply().await.unwrap();
        let rotation = reopened.rotate_session_key().await.unwrap();
        assert_eq!(rotation.retired, vec![1]);
        assert_eq!(rotation.keyring.current().id(), 3);
        assert!(rotation.keyring.find(1).is_none());
        assert!(rotation.keyring.find(2).is_some());
        let ids: Vec<u8> = rotation.keys.iter().map(|k| k.id).collect();
        assert_eq!(ids, vec![2, 3]);
    }
}
