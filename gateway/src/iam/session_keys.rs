//! The keys that seal STS session tokens, kept in the identity store so that every gateway
//! of a namespace, and every restart, opens the tokens the others sealed.

use rand::rngs::OsRng;
use rand::Rng;
use strata_sts::session::{SessionKey, SessionKeyring};

use super::error::IamError;
use super::keys::Kind;
use super::records::SessionKeyRecord;
use super::snapshot::Snapshot;
use super::store::IamStore;

/// The id of the key a namespace's first start makes.
const FIRST_KEY_ID: u8 = 1;

impl IamStore {
    /// The session keyring: the stored keys, the newest sealing; at the first start one
    /// new random key, stored before it seals anything.
    pub async fn session_keyring(&self) -> Result<SessionKeyring, IamError> {
        let mut change = self.change().await?;
        if change.current.session_keys.is_empty() {
            let record = SessionKeyRecord {
                key: hex::encode(random_key()),
                created_ns: crate::iam::now_ns(),
            };
            change.put(Kind::SessionKey, &[&FIRST_KEY_ID.to_string()], &record);
            tracing::info!(key_id = FIRST_KEY_ID, "session token key created");
        }
        let snapshot = change.apply().await?;
        keyring(&snapshot)
    }
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    OsRng.fill(&mut key);
    key
}

/// The keyring of the snapshot's keys: the newest seals, the others open.
fn keyring(snapshot: &Snapshot) -> Result<SessionKeyring, IamError> {
    let mut keys = Vec::new();
    for (id, record) in &snapshot.session_keys {
        let what = format!("stskey/{id}");
        let id: u8 = id
            .parse()
            .map_err(|_| IamError::Corrupt(format!("{what}: id is not 0-255")))?;
        let bytes: [u8; 32] = hex::decode(&record.key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| IamError::Corrupt(format!("{what}: key is not 64 hex digits")))?;
        keys.push((record.created_ns, SessionKey::new(id, bytes)));
    }
    keys.sort_by_key(|(created, key)| (*created, key.id()));
    let (_, current) = keys
        .pop()
        .ok_or_else(|| IamError::Corrupt("no session token key".into()))?;
    SessionKeyring::new(current, keys.into_iter().map(|(_, key)| key))
        .map_err(|e| IamError::Corrupt(format!("session token keys: {e}")))
}
