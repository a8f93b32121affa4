//! Sealing claims into a token and opening a token back into claims.

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::aead::{Aad, Nonce, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use super::claims::SessionClaims;
use super::codec;
use super::error::{InvalidToken, SealError, TokenError};
use super::keyring::SessionKeyring;

/// The token format this build writes; it reads this one and the ones before it. See
/// `sts/FORMAT.md`.
pub const FORMAT_VERSION: u8 = 3;

/// The oldest format still opened: tokens it sealed may be unexpired after an upgrade.
const OLDEST_READABLE: u8 = 1;

/// Upper bound on a token's length in characters, checked before decoding. Sealing refuses
/// claims that would exceed it.
pub const MAX_TOKEN_CHARS: usize = 8192;

/// Version byte and key id byte, in clear; they are also the associated data.
const HEADER_LEN: usize = 2;
const TAG_LEN: usize = 16;
const MIN_TOKEN_BYTES: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;
/// Room for the decoding of any token within the bound (3 bytes per 4 characters).
const MAX_TOKEN_BYTES: usize = MAX_TOKEN_CHARS / 4 * 3;

/// Seals and opens session tokens with a [`SessionKeyring`], which a key rotation replaces
/// while tokens are being sealed and opened.
#[derive(Debug)]
pub struct SessionSealer {
    keyring: RwLock<Arc<SessionKeyring>>,
    rng: SystemRandom,
}

impl SessionSealer {
    /// A sealer over `keyring`.
    pub fn new(keyring: SessionKeyring) -> Self {
        SessionSealer {
            keyring: RwLock::new(Arc::new(keyring)),
            rng: SystemRandom::new(),
        }
    }

    /// The keys in use.
    pub fn keyring(&self) -> Arc<SessionKeyring> {
        // A panic elsewhere cannot leave a half-replaced `Arc` behind: the lock's data is
        // always whole.
        Arc::clone(&self.keyring.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Seals with `keyring`'s current key from now on, and opens with its keys only.
    pub fn replace_keyring(&self, keyring: SessionKeyring) {
        *self.keyring.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keyring);
    }

    /// The token for `claims`, sealed with the current key under a fresh random nonce.
    pub fn seal(&self, claims: &SessionClaims) -> Result<String, SealError> {
        let keyring = self.keyring();
        let key = keyring.current();
        let header = [FORMAT_VERSION, key.id()];
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| SealError::Random)?;

        let mut bytes = Vec::with_capacity(512);
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&nonce);
        let body = bytes.len();
        codec::encode(claims, &mut bytes)?;
        let chars = ((bytes.len() + TAG_LEN) * 4).div_ceil(3);
        if chars > MAX_TOKEN_CHARS {
            return Err(SealError::TooLarge { chars });
        }
        let tag = key
            .aead()
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(header),
                &mut bytes[body..],
            )
            .map_err(|_| SealError::TooLarge { chars })?;
        bytes.extend_from_slice(tag.as_ref());
        Ok(URL_SAFE_NO_PAD.encode(&bytes))
    }

    /// The claims of `token`, if it is authentic and not expired now.
    pub fn open(&self, token: &str) -> Result<SessionClaims, TokenError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        self.open_at(token, now)
    }

    /// [`Self::open`] at `now` (seconds since the epoch). The token is decoded and
    /// decrypted in a stack buffer: the only allocations are the claims' own.
    pub fn open_at(&self, token: &str, now: u64) -> Result<SessionClaims, TokenError> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(InvalidToken::TooLong.into());
        }
        let mut buffer = [0u8; MAX_TOKEN_BYTES];
        let len = URL_SAFE_NO_PAD
            .decode_slice(token.as_bytes(), &mut buffer)
            .map_err(|_| InvalidToken::Encoding)?;
        let bytes = &mut buffer[..len];
        if bytes.len() < MIN_TOKEN_BYTES {
            return Err(InvalidToken::Truncated.into());
        }
        let (header, rest) = bytes.split_at_mut(HEADER_LEN);
        let (version, key_id) = (header[0], header[1]);
        if !(OLDEST_READABLE..=FORMAT_VERSION).contains(&version) {
            return Err(InvalidToken::UnknownVersion(version).into());
        }
        let keyring = self.keyring();
        let key = keyring
            .find(key_id)
            .ok_or(InvalidToken::UnknownKeyId(key_id))?;
        let (nonce, sealed) = rest.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| InvalidToken::Truncated)?;
        let payload = key
            .aead()
            .open_in_place(nonce, Aad::from([version, key_id]), sealed)
            .map_err(|_| InvalidToken::Authentication)?;

        let (issued_at, expires_at) = codec::decode_times(payload)?;
        if issued_at > expires_at {
            return Err(InvalidToken::Payload.into());
        }
        if now >= expires_at {
            return Err(TokenError::Expired {
                expired_at: expires_at,
            });
        }
        Ok(codec::decode(payload, version)?)
    }
}
