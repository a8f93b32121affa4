//! The sealing keys: one current key for new tokens, older ones still accepted.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::aead::{LessSafeKey, UnboundKey, AES_256_GCM};
use ring::rand::{SecureRandom, SystemRandom};

use super::error::KeyringError;

/// A 32-byte AES-256-GCM key and the one-byte id written in clear in every token it seals.
pub struct SessionKey {
    id: u8,
    // Prepared once: opening a token must not redo the key schedule.
    aead: LessSafeKey,
}

impl SessionKey {
    /// A key from its raw bytes.
    pub fn new(id: u8, secret: [u8; 32]) -> Self {
        let unbound = match UnboundKey::new(&AES_256_GCM, &secret) {
            Ok(key) => key,
            // ring only refuses a key of the wrong length, and the type fixes it at 32.
            Err(_) => unreachable!("AES-256-GCM takes a 32-byte key"),
        };
        SessionKey {
            id,
            aead: LessSafeKey::new(unbound),
        }
    }

    /// A key from 32 bytes in standard base64 (how configuration holds it).
    pub fn from_base64(id: u8, text: &str) -> Result<Self, KeyringError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyringError::BadKey {
                id,
                reason: "not standard base64",
            })?;
        let secret: [u8; 32] = bytes.try_into().map_err(|_| KeyringError::BadKey {
            id,
            reason: "not 32 bytes",
        })?;
        Ok(SessionKey::new(id, secret))
    }

    /// A fresh random key.
    pub fn generate(id: u8) -> Result<Self, KeyringError> {
        let mut secret = [0u8; 32];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| KeyringError::Random)?;
        Ok(SessionKey::new(id, secret))
    }

    /// The key's id.
    pub fn id(&self) -> u8 {
        self.id
    }

    pub(super) fn aead(&self) -> &LessSafeKey {
        &self.aead
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The current key and the older keys still accepted.
#[derive(Debug)]
pub struct SessionKeyring {
    current: SessionKey,
    previous: Vec<SessionKey>,
}

impl SessionKeyring {
    /// A keyring sealing with `current` and also opening tokens of `previous`.
    /// Key ids must be distinct.
    pub fn new(
        current: SessionKey,
        previous: impl IntoIterator<Item = SessionKey>,
    ) -> Result<Self, KeyringError> {
        let previous: Vec<SessionKey> = previous.into_iter().collect();
        let mut seen = [false; 256];
        seen[usize::from(current.id)] = true;
        for key in &previous {
            let slot = &mut seen[usize::from(key.id)];
            if *slot {
                return Err(KeyringError::DuplicateKeyId(key.id));
            }
            *slot = true;
        }
        Ok(SessionKeyring { current, previous })
    }

    /// The key new tokens are sealed with.
    pub fn current(&self) -> &SessionKey {
        &self.current
    }

    /// The key with this id, current or previous.
    pub fn find(&self, id: u8) -> Option<&SessionKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == id)
    }
}
