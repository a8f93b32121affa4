//! Keys derived from an object key with HKDF-SHA256 (stream keys and value keys).

use ring::aead::{LessSafeKey, UnboundKey};
use ring::hkdf::{KeyType, Salt, HKDF_SHA256};
use zeroize::Zeroize;

use crate::cipher::Cipher;
use crate::key::{Kek, ObjectKey, KEY_LEN};

const SALT: &[u8] = b"strata-crypt v1";
const STREAM_INFO: &[u8] = b"strata-crypt v1 stream";
const VALUE_INFO: &[u8] = b"strata-crypt v1 value";
const SUBKEY_INFO: &[u8] = b"strata-crypt v1 kek subkey";

struct KeyLen;

impl KeyType for KeyLen {
    fn len(&self) -> usize {
        KEY_LEN
    }
}

/// The AEAD key of stream `stream` (0 = whole object, `p` = part `p`) under `cipher`.
pub(crate) fn stream_key(object_key: &ObjectKey, stream: u32, cipher: Cipher) -> LessSafeKey {
    let stream = stream.to_be_bytes();
    let cipher_id = [cipher.id()];
    expand(object_key, &[STREAM_INFO, &stream, &cipher_id], cipher)
}

/// The AES-256-GCM key for small values of `purpose` belonging to the object.
pub(crate) fn value_key(object_key: &ObjectKey, purpose: &[u8]) -> LessSafeKey {
    expand(object_key, &[VALUE_INFO, purpose], Cipher::Aes256Gcm)
}

/// A key of its own for `label`, derived from `kek` (which then need not serve two uses):
/// for values that belong to no object, sealed with [`crate::seal_value`].
pub fn kek_subkey(kek: &Kek, label: &[u8]) -> ObjectKey {
    let prk = Salt::new(HKDF_SHA256, SALT).extract(kek.expose());
    let mut bytes = [0u8; KEY_LEN];
    let filled = prk
        .expand(&[SUBKEY_INFO, label], KeyLen)
        .and_then(|okm| okm.fill(&mut bytes));
    if filled.is_err() {
        unreachable!("HKDF-SHA256 yields 32 bytes");
    }
    let key = ObjectKey::from_bytes(bytes);
    bytes.zeroize();
    key
}

fn expand(object_key: &ObjectKey, info: &[&[u8]], cipher: Cipher) -> LessSafeKey {
    let prk = Salt::new(HKDF_SHA256, SALT).extract(object_key.expose());
    let mut bytes = [0u8; KEY_LEN];
    // Both calls only fail for an output longer than 255 hashes or a key of the wrong
    // length; the lengths here are constants that fit.
    let filled = prk
        .expand(info, KeyLen)
        .and_then(|okm| okm.fill(&mut bytes));
    if filled.is_err() {
        unreachable!("HKDF-SHA256 yields 32 bytes");
    }
    let unbound = UnboundKey::new(cipher.algorithm(), &bytes);
    bytes.zeroize();
    match unbound {
        Ok(key) => LessSafeKey::new(key),
        Err(_) => unreachable!("both AEADs take 32-byte keys"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{open_value, seal_value};

    #[test]
    fn a_kek_subkey_is_fixed_by_its_kek_and_label_and_is_neither_the_kek_nor_another_label() {
        let kek = Kek::from_bytes([7; KEY_LEN]);
        let a = kek_subkey(&kek, b"iam secrets");
        assert_eq!(a.expose(), kek_subkey(&kek, b"iam secrets").expose());
        assert_ne!(a.expose(), kek.expose());
        assert_ne!(a.expose(), kek_subkey(&kek, b"other").expose());
        let other_kek = Kek::from_bytes([8; KEY_LEN]);
        assert_ne!(a.expose(), kek_subkey(&other_kek, b"iam secrets").expose());
        // What one subkey seals, only it opens.
        let sealed = seal_value(&a, "p", b"secret").unwrap();
        assert_eq!(open_value(&a, "p", &sealed).unwrap(), b"secret");
        let b = kek_subkey(&other_kek, b"iam secrets");
        assert!(open_value(&b, "p", &sealed).is_err());
    }
}
