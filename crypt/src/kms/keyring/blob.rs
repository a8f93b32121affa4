//! The keyring's sealed data key: `version | id len | id | key version | nonce | sealed | tag`.

use ring::aead::{Aad, Nonce, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

use crate::envelope::aead;
use crate::key::{Kek, KEY_LEN};
use crate::kms::context::EncryptionContext;
use crate::kms::error::KmsError;

const BLOB_VERSION: u8 = 1;
const TAG: usize = 16;
const AAD_LABEL: &[u8] = b"strata-crypt v1 kms";

/// The parts of a blob, borrowed from its bytes.
pub(super) struct Blob<'a> {
    pub(super) key_id: &'a str,
    pub(super) key_version: u32,
    head: &'a [u8],
    nonce: &'a [u8],
    sealed: &'a [u8],
}

fn head(key_id: &str, key_version: u32) -> Result<Vec<u8>, KmsError> {
    let id_len = u8::try_from(key_id.len()).map_err(|_| KmsError::InvalidKeyId(key_id.into()))?;
    let mut head = Vec::with_capacity(6 + key_id.len());
    head.push(BLOB_VERSION);
    head.push(id_len);
    head.extend_from_slice(key_id.as_bytes());
    head.extend_from_slice(&key_version.to_be_bytes());
    Ok(head)
}

fn aad(head: &[u8], context: &EncryptionContext) -> Vec<u8> {
    [AAD_LABEL, head, &context.canonical_bytes()].concat()
}

/// Seals `data_key` under `master` (version `key_version` of `key_id`), bound to `context`.
pub(super) fn seal(
    master: &Kek,
    key_id: &str,
    key_version: u32,
    data_key: &Kek,
    context: &EncryptionContext,
) -> Result<Vec<u8>, KmsError> {
    let mut out = head(key_id, key_version)?;
    let aad = aad(&out, context);
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| KmsError::Random)?;
    out.extend_from_slice(&nonce);
    let start = out.len();
    out.extend_from_slice(data_key.expose());
    let tag = aead(master)
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut out[start..],
        )
        .map_err(|_| KmsError::InvalidBlob)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

impl<'a> Blob<'a> {
    /// Splits `bytes` into its parts; nothing is authenticated yet.
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Self, KmsError> {
        let (&version, rest) = bytes.split_first().ok_or(KmsError::InvalidBlob)?;
        if version != BLOB_VERSION {
            return Err(KmsError::InvalidBlob);
        }
        let (&id_len, rest) = rest.split_first().ok_or(KmsError::InvalidBlob)?;
        let id_len = usize::from(id_len);
        if rest.len() != id_len + 4 + NONCE_LEN + KEY_LEN + TAG {
            return Err(KmsError::InvalidBlob);
        }
        let (id, rest) = rest.split_at(id_len);
        let key_id = std::str::from_utf8(id).map_err(|_| KmsError::InvalidBlob)?;
        let (version_bytes, rest) = rest.split_at(4);
        let mut key_version = [0u8; 4];
        key_version.copy_from_slice(version_bytes);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        Ok(Blob {
            key_id,
            key_version: u32::from_be_bytes(key_version),
            head: &bytes[..2 + id_len + 4],
            nonce,
            sealed,
        })
    }

    /// The data key, if `master` sealed it with `context`.
    pub(super) fn open(&self, master: &Kek, context: &EncryptionContext) -> Result<Kek, KmsError> {
        let nonce =
            Nonce::try_assume_unique_for_key(self.nonce).map_err(|_| KmsError::InvalidBlob)?;
        let mut body = self.sealed.to_vec();
        let opened = aead(master)
            .open_in_place(nonce, Aad::from(aad(self.head, context)), &mut body)
            .map_err(|_| KmsError::InvalidBlob)
            .and_then(|plain| Kek::from_slice(plain).ok_or(KmsError::InvalidBlob));
        body.zeroize();
        opened
    }
}
