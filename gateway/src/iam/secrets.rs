//! The secrets in identity records (an access key's secret, a session-token key) are stored
//! sealed (docs/IAM-STORE.md, "Sealed secrets"): AES-256-GCM under a key derived from the
//! SSE-S3 key, which the KMS keeps. Someone who reads the volumes, but has neither the
//! keyring nor the transit engine, cannot sign as a user or forge a session.
//!
//! Sealing works on a record's stored form, by its kind: every write of a secret-bearing
//! record goes through [`SecretSeal::seal_stored`] (in `Change::apply`) and every read
//! through [`SecretSeal::open_stored`], so no caller can store a secret in clear by
//! forgetting to seal it. In memory the records hold the secret in clear, as SigV4 needs.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{Map, Value};
use strata_crypt::{kek_subkey, open_value, seal_value, Kek, ObjectKey};

use super::codec::{decode, encode};
use super::error::IamError;

/// The label of the key derived from the SSE-S3 key.
const LABEL: &[u8] = b"strata iam secrets";

/// The record kinds that hold a secret: (kind, its member in clear, its sealed member).
const SECRET_MEMBERS: [(&[u8], &str, &str); 2] = [
    (b"accesskey", "secret", "sealed_secret"),
    (b"stskey", "key", "sealed_key"),
];

/// Seals and opens the secrets of identity records.
#[derive(Clone)]
pub struct SecretSeal {
    key: ObjectKey,
}

impl std::fmt::Debug for SecretSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretSeal(..)")
    }
}

/// What a stored record was, once opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened {
    /// A record as it is stored now (no secret, or its secret sealed), its secret in clear.
    Current(Vec<u8>),
    /// A record stored before secrets were sealed, with its secret in clear.
    InClear(Vec<u8>),
}

impl Opened {
    /// The record's bytes, its secret in clear.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Opened::Current(bytes) | Opened::InClear(bytes) => bytes,
        }
    }
}

impl SecretSeal {
    /// Seals with a key of its own derived from the SSE-S3 key `kek`.
    pub fn new(kek: &Kek) -> SecretSeal {
        SecretSeal {
            key: kek_subkey(kek, LABEL),
        }
    }

    /// A seal with a random key, for tests' stores.
    #[cfg(test)]
    pub fn random() -> SecretSeal {
        SecretSeal::new(&Kek::generate().expect("the OS generator"))
    }

    /// `stored` (a record's bytes under `key`) with its secret sealed; a record of a kind
    /// without a secret, or already sealed, is returned as it is.
    pub fn seal_stored(&self, key: &[u8], stored: Vec<u8>) -> Result<Vec<u8>, IamError> {
        let Some((clear, sealed)) = secret_members(key) else {
            return Ok(stored);
        };
        let what = name(key);
        let mut record: Map<String, Value> = decode(&what, &stored)?;
        let Some(secret) = record.remove(clear) else {
            return Ok(stored);
        };
        let Value::String(secret) = secret else {
            return Err(IamError::Corrupt(format!(
                "{what}: `{clear}` is not a string"
            )));
        };
        let sealed_bytes = seal_value(&self.key, &what, secret.as_bytes())
            .map_err(|e| IamError::Corrupt(format!("{what}: sealing its secret: {e}")))?;
        record.insert(sealed.into(), Value::String(BASE64.encode(sealed_bytes)));
        Ok(encode(&record))
    }

    /// `stored` with its secret opened (in memory only), and whether it was stored in
    /// clear. A sealed secret that does not open (another SSE-S3 key, or a value moved
    /// from another record) is an error, never an empty secret.
    pub fn open_stored(&self, key: &[u8], stored: Vec<u8>) -> Result<Opened, IamError> {
        let Some((clear, sealed)) = secret_members(key) else {
            return Ok(Opened::Current(stored));
        };
        let what = name(key);
        let mut record: Map<String, Value> = decode(&what, &stored)?;
        let Some(value) = record.remove(sealed) else {
            return Ok(Opened::InClear(stored));
        };
        if record.contains_key(clear) {
            return Err(IamError::Corrupt(format!(
                "{what}: both `{clear}` and `{sealed}`"
            )));
        }
        let opened = value
            .as_str()
            .and_then(|text| BASE64.decode(text).ok())
            .ok_or_else(|| IamError::Corrupt(format!("{what}: `{sealed}` is not base64")))?;
        let secret = open_value(&self.key, &what, &opened).map_err(|_| {
            IamError::Corrupt(format!(
                "{what}: its sealed secret does not open with this store's SSE-S3 key"
            ))
        })?;
        let secret = String::from_utf8(secret)
            .map_err(|_| IamError::Corrupt(format!("{what}: its secret is not UTF-8")))?;
        record.insert(clear.into(), Value::String(secret));
        Ok(Opened::Current(encode(&record)))
    }
}

/// The clear and sealed members of a secret-bearing record's kind.
fn secret_members(key: &[u8]) -> Option<(&'static str, &'static str)> {
    let kind = key.split(|b| *b == 0).next()?;
    SECRET_MEMBERS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, clear, sealed)| (*clear, *sealed))
}

/// The record's key as text (`accesskey/AKIA...`): what a sealed secret is bound to, so
/// that it opens under no other record's key.
fn name(key: &[u8]) -> String {
    String::from_utf8_lossy(key).replace('\0', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::records::{AccessKeyRecord, KeyStatus, UserRecord};
    use crate::iam::Kind;

    fn access_key(secret: &str) -> AccessKeyRecord {
        AccessKeyRecord {
            account_id: "111122223333".into(),
            user: "alice".into(),
            secret: secret.into(),
            status: KeyStatus::Active,
            created_ns: 1,
        }
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[test]
    fn a_secret_is_stored_sealed_and_opens_only_as_its_own_record() {
        let seal = SecretSeal::random();
        let key = Kind::AccessKey.key(&["AKIAALICE"]);
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let stored = seal.seal_stored(&key, encode(&access_key(secret))).unwrap();
        assert!(!contains(&stored, secret), "the secret is not in clear");
        assert!(contains(&stored, "sealed_secret"));
        // Sealing again changes nothing.
        assert_eq!(seal.seal_stored(&key, stored.clone()).unwrap(), stored);

        let opened = seal.open_stored(&key, stored.clone()).unwrap();
        let Opened::Current(bytes) = opened else {
            panic!("{opened:?}")
        };
        let record: AccessKeyRecord = decode("k", &bytes).unwrap();
        assert_eq!(record, access_key(secret));

        // Under another record's key, or with another SSE-S3 key, it does not open.
        let other = Kind::AccessKey.key(&["AKIAMALLORY"]);
        assert!(matches!(
            seal.open_stored(&other, stored.clone()),
            Err(IamError::Corrupt(_))
        ));
        assert!(matches!(
            SecretSeal::random().open_stored(&key, stored),
            Err(IamError::Corrupt(_))
        ));
    }

    #[test]
    fn records_without_a_secret_pass_and_clear_ones_are_told_apart() {
        let seal = SecretSeal::random();
        let user = encode(&UserRecord {
            id: "AIDAALICE".into(),
            path: "/".into(),
            created_ns: 1,
            tags: Vec::new(),
            policies: Default::default(),
            groups: Vec::new(),
            boundary: None,
        });
        let user_key = Kind::User.key(&["111122223333", "alice"]);
        assert_eq!(seal.seal_stored(&user_key, user.clone()).unwrap(), user);
        assert_eq!(
            seal.open_stored(&user_key, user.clone()).unwrap(),
            Opened::Current(user)
        );
        // A record written before sealing reads as it is, marked so it can be sealed.
        let key = Kind::AccessKey.key(&["AKIAOLD"]);
        let clear = encode(&access_key("old-secret"));
        assert_eq!(
            seal.open_stored(&key, clear.clone()).unwrap(),
            Opened::InClear(clear)
        );
        // A damaged sealed member is an error, not an empty secret.
        let damaged = encode(&serde_json::json!({
            "account_id": "111122223333", "user": "alice", "status": "Active",
            "created_ns": 1, "sealed_secret": "not base64!"
        }));
        assert!(matches!(
            seal.open_stored(&key, damaged),
            Err(IamError::Corrupt(_))
        ));
    }
}
