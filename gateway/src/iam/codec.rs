//! How an identity record is stored: one version byte, then the record as JSON.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::IamError;

/// The only record version so far.
const RECORD_V1: u8 = 1;

/// The stored bytes of `record`.
pub fn encode<T: Serialize>(record: &T) -> Vec<u8> {
    let mut out = vec![RECORD_V1];
    // Plain structs with string keys: serialising into a Vec cannot fail.
    if serde_json::to_writer(&mut out, record).is_err() {
        out.truncate(1);
    }
    out
}

/// The record stored as `bytes`; `what` names it in the error.
pub fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, IamError> {
    match bytes.split_first() {
        Some((&RECORD_V1, json)) => {
            serde_json::from_slice(json).map_err(|e| IamError::Corrupt(format!("{what}: {e}")))
        }
        Some((v, _)) => Err(IamError::Corrupt(format!(
            "{what}: record version {v} is unknown"
        ))),
        None => Err(IamError::Corrupt(format!("{what}: empty record"))),
    }
}
