//! Small values sealed with an object's key (SSE-C objects' checksums).

use ring::aead::{Aad, Nonce, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::derive::value_key;
use crate::error::EnvelopeError;
use crate::key::ObjectKey;
use crate::FORMAT_VERSION;

const TAG: usize = 16;
const AAD_LABEL: &[u8] = b"strata-crypt v1 value";

fn aad(purpose: &str) -> Vec<u8> {
    [AAD_LABEL, purpose.as_bytes()].concat()
}

/// Seals `value` for `purpose` (e.g. `checksum`) with a key derived from `object_key`:
/// `version | nonce | ciphertext | tag`.
pub fn seal_value(
    object_key: &ObjectKey,
    purpose: &str,
    value: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| EnvelopeError::Random)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + value.len() + TAG);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(value);
    let tag = value_key(object_key, purpose.as_bytes())
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(purpose)),
            &mut out[1 + NONCE_LEN..],
        )
        .map_err(|_| EnvelopeError::Length(value.len()))?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens a value sealed by [`seal_value`] for the same object and purpose.
pub fn open_value(
    object_key: &ObjectKey,
    purpose: &str,
    sealed: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let Some(&version) = sealed.first() else {
        return Err(EnvelopeError::Length(0));
    };
    if version != FORMAT_VERSION {
        return Err(EnvelopeError::UnknownVersion(version));
    }
    if sealed.len() < 1 + NONCE_LEN + TAG {
        return Err(EnvelopeError::Length(sealed.len()));
    }
    let nonce = Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN])
        .map_err(|_| EnvelopeError::Length(sealed.len()))?;
    let mut body = sealed[1 + NONCE_LEN..].to_vec();
    let len = value_key(object_key, purpose.as_bytes())
        .open_in_place(nonce, Aad::from(aad(purpose)), &mut body)
        .map_err(|_| EnvelopeError::Authentication)?
        .len();
    body.truncate(len);
    Ok(body)
}
