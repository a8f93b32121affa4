//! SSE-C objects' checksums: each value sealed with the object's key, so that the store
//! keeps nothing of the plaintext in clear (`volume/ENCRYPTION.md`, "SSE-C checksums").
//! The purpose names the algorithm, so a sealed value cannot pass for another one's.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use strata_crypt::{open_value, seal_value, ObjectKey};
use strata_volume::Checksums;

use crate::transform::TransformError;

fn purpose(algorithm: &str) -> String {
    format!("checksum:{algorithm}")
}

/// Whether `checksums` has a value to seal or open (names alone stay as they are).
pub(super) fn any_value(checksums: &Checksums) -> bool {
    checksums.values().any(|v| !v.is_empty())
}

/// `checksums` with every value sealed under `key`.
pub(super) fn seal(key: &ObjectKey, checksums: Checksums) -> Result<Checksums, TransformError> {
    checksums
        .into_iter()
        .map(|(algorithm, value)| {
            if value.is_empty() {
                return Ok((algorithm, value));
            }
            let sealed = seal_value(key, &purpose(&algorithm), value.as_bytes())
                .map_err(|e| TransformError::Damaged(format!("sealing a checksum: {e}")))?;
            Ok((algorithm, STANDARD.encode(sealed)))
        })
        .collect()
}

/// `checksums` sealed by [`seal`], opened with `key`.
pub(super) fn open(key: &ObjectKey, checksums: Checksums) -> Result<Checksums, TransformError> {
    checksums
        .into_iter()
        .map(|(algorithm, value)| {
            if value.is_empty() {
                return Ok((algorithm, value));
            }
            let damaged = |why: String| {
                TransformError::Damaged(format!("the object's {algorithm} checksum: {why}"))
            };
            let sealed = STANDARD
                .decode(&value)
                .map_err(|e| damaged(e.to_string()))?;
            let opened = open_value(key, &purpose(&algorithm), &sealed)
                .map_err(|e| damaged(e.to_string()))?;
            let text = String::from_utf8(opened).map_err(|e| damaged(e.to_string()))?;
            Ok((algorithm, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> ObjectKey {
        ObjectKey::from_bytes([byte; 32])
    }

    #[test]
    fn values_seal_and_open_under_their_key_and_algorithm_only() {
        let clear: Checksums = [
            ("CRC32".to_string(), "Q9QVIA==".to_string()),
            ("SHA256".to_string(), String::new()),
        ]
        .into();
        let sealed = seal(&key(1), clear.clone()).unwrap();
        assert_ne!(sealed["CRC32"], clear["CRC32"]);
        assert_eq!(sealed["SHA256"], "", "a name alone stays as it is");
        assert_eq!(open(&key(1), sealed.clone()).unwrap(), clear);
        // Another object's key, or the value under another algorithm's name: refused.
        assert!(open(&key(2), sealed.clone()).is_err());
        let moved: Checksums = [("CRC32C".to_string(), sealed["CRC32"].clone())].into();
        assert!(open(&key(1), moved).is_err());
        assert!(any_value(&clear));
        assert!(!any_value(&[("CRC32".to_string(), String::new())].into()));
    }
}
