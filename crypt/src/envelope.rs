//! The sealed key: an object key sealed under a key-encryption key, bound to its object.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

use crate::error::EnvelopeError;
use crate::key::{Kek, ObjectKey, KEY_LEN};
use crate::FORMAT_VERSION;

const TAG: usize = 16;
/// Bytes of a sealed key: version, mode, nonce, sealed object key, tag.
pub const SEALED_KEY_LEN: usize = 2 + NONCE_LEN + KEY_LEN + TAG;
const AAD_LABEL: &[u8] = b"strata-crypt v1 sealed key";

/// Which kind of key-encryption key sealed an object key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SseMode {
    /// SSE-S3 (`AES256`): the store's own key.
    S3,
    /// SSE-KMS (`aws:kms`): a data key from the KMS.
    Kms,
    /// SSE-C: the customer's key from the request.
    Customer,
}

impl SseMode {
    /// The id written in sealed keys.
    pub fn id(self) -> u8 {
        match self {
            SseMode::S3 => 1,
            SseMode::Kms => 2,
            SseMode::Customer => 3,
        }
    }

    /// The mode with this id.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(SseMode::S3),
            2 => Some(SseMode::Kms),
            3 => Some(SseMode::Customer),
            _ => None,
        }
    }
}

/// What a sealed key is bound to: it opens only for this bucket, object name and mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBinding<'a> {
    /// The bucket name.
    pub bucket: &'a str,
    /// The object's name (its S3 key).
    pub object: &'a str,
    /// The SSE mode.
    pub mode: SseMode,
}

impl KeyBinding<'_> {
    fn aad(&self, version: u8) -> Result<Vec<u8>, EnvelopeError> {
        let bucket_len =
            u16::try_from(self.bucket.len()).map_err(|_| EnvelopeError::NameTooLong)?;
        let object_len =
            u32::try_from(self.object.len()).map_err(|_| EnvelopeError::NameTooLong)?;
        let mut aad =
            Vec::with_capacity(AAD_LABEL.len() + 8 + self.bucket.len() + self.object.len());
        aad.extend_from_slice(AAD_LABEL);
        aad.extend_from_slice(&[version, self.mode.id()]);
        aad.extend_from_slice(&bucket_len.to_be_bytes());
        aad.extend_from_slice(self.bucket.as_bytes());
        aad.extend_from_slice(&object_len.to_be_bytes());
        aad.extend_from_slice(self.object.as_bytes());
        Ok(aad)
    }
}

/// A sealed object key, as stored in the object's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedKey([u8; SEALED_KEY_LEN]);

impl SealedKey {
    /// The stored bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The mode byte, unauthenticated (for reports; [`open_key`] checks it).
    pub fn mode(&self) -> Option<SseMode> {
        SseMode::from_id(self.0[1])
    }
}

/// Seals `object_key` under `kek`, bound to `binding`, with a fresh random nonce.
pub fn seal_key(
    kek: &Kek,
    object_key: &ObjectKey,
    binding: &KeyBinding<'_>,
) -> Result<SealedKey, EnvelopeError> {
    let aad = binding.aad(FORMAT_VERSION)?;
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| EnvelopeError::Random)?;
    let mut out = [0u8; SEALED_KEY_LEN];
    out[0] = FORMAT_VERSION;
    out[1] = binding.mode.id();
    out[2..2 + NONCE_LEN].copy_from_slice(&nonce);
    let (body, tag_out) = out[2 + NONCE_LEN..].split_at_mut(KEY_LEN);
    body.copy_from_slice(object_key.expose());
    let tag = aead(kek)
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), body)
        .map_err(|_| EnvelopeError::Authentication)?;
    tag_out.copy_from_slice(tag.as_ref());
    Ok(SealedKey(out))
}

/// Opens a sealed key's stored bytes under `kek`, if it was sealed for `binding`.
pub fn open_key(
    kek: &Kek,
    sealed: &[u8],
    binding: &KeyBinding<'_>,
) -> Result<ObjectKey, EnvelopeError> {
    if sealed.len() != SEALED_KEY_LEN {
        return match sealed.first() {
            Some(&version) if version != FORMAT_VERSION => {
                Err(EnvelopeError::UnknownVersion(version))
            }
            _ => Err(EnvelopeError::Length(sealed.len())),
        };
    }
    if sealed[0] != FORMAT_VERSION {
        return Err(EnvelopeError::UnknownVersion(sealed[0]));
    }
    let mode = SseMode::from_id(sealed[1]).ok_or(EnvelopeError::UnknownMode(sealed[1]))?;
    if mode != binding.mode {
        return Err(EnvelopeError::Authentication);
    }
    let aad = binding.aad(sealed[0])?;
    let nonce = Nonce::try_assume_unique_for_key(&sealed[2..2 + NONCE_LEN])
        .map_err(|_| EnvelopeError::Length(sealed.len()))?;
    let mut body = [0u8; KEY_LEN + TAG];
    body.copy_from_slice(&sealed[2 + NONCE_LEN..]);
    let opened = aead(kek)
        .open_in_place(nonce, Aad::from(&aad), &mut body)
        .map_err(|_| EnvelopeError::Authentication)
        .and_then(|plain| ObjectKey::from_slice(plain).ok_or(EnvelopeError::Authentication));
    body.zeroize();
    opened
}

pub(crate) fn aead(kek: &Kek) -> LessSafeKey {
    match UnboundKey::new(&AES_256_GCM, kek.expose()) {
        Ok(key) => LessSafeKey::new(key),
        Err(_) => unreachable!("AES-256-GCM takes a 32-byte key"),
    }
}
