//! The 16-byte stream header and the per-package nonce.

use ring::aead::{Nonce, NONCE_LEN};

use crate::cipher::Cipher;
use crate::error::OpenError;
use crate::layout::HEADER_LEN;
use crate::FORMAT_VERSION;

pub(crate) const HEADER_BYTES: usize = HEADER_LEN as usize;
const PREFIX_LEN: usize = 8;
const FINAL_FLAG: u32 = 1 << 31;

/// What a stream header says: the cipher and the stream's random nonce prefix.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamHeader {
    pub(crate) cipher: Cipher,
    prefix: [u8; PREFIX_LEN],
}

impl StreamHeader {
    pub(crate) fn new(cipher: Cipher, prefix: [u8; PREFIX_LEN]) -> Self {
        StreamHeader { cipher, prefix }
    }

    /// `version | cipher | 6 zero bytes | prefix`; also every package's associated data.
    pub(crate) fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut bytes = [0u8; HEADER_BYTES];
        bytes[0] = FORMAT_VERSION;
        bytes[1] = self.cipher.id();
        bytes[HEADER_BYTES - PREFIX_LEN..].copy_from_slice(&self.prefix);
        bytes
    }

    /// The header at the start of `bytes`, checked.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, OpenError> {
        let header: &[u8; HEADER_BYTES] = bytes
            .get(..HEADER_BYTES)
            .and_then(|head| head.try_into().ok())
            .ok_or(OpenError::BadHeader)?;
        if header[0] != FORMAT_VERSION {
            return Err(OpenError::UnknownVersion(header[0]));
        }
        let cipher = Cipher::from_id(header[1]).ok_or(OpenError::UnknownCipher(header[1]))?;
        if header[2..HEADER_BYTES - PREFIX_LEN].iter().any(|&b| b != 0) {
            return Err(OpenError::BadHeader);
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[HEADER_BYTES - PREFIX_LEN..]);
        Ok(StreamHeader { cipher, prefix })
    }

    /// `prefix | u32 (package | final << 31)`; `package` is below 2^31 (callers check).
    pub(crate) fn nonce(&self, package: u32, last: bool) -> Nonce {
        let mut bytes = [0u8; NONCE_LEN];
        bytes[..PREFIX_LEN].copy_from_slice(&self.prefix);
        let counter = package | if last { FINAL_FLAG } else { 0 };
        bytes[PREFIX_LEN..].copy_from_slice(&counter.to_be_bytes());
        Nonce::assume_unique_for_key(bytes)
    }
}
