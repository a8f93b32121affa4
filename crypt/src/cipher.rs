//! The two AEADs of the format and the choice between them.

use ring::aead::{Algorithm, AES_256_GCM, CHACHA20_POLY1305};

/// The AEAD that seals a stream's packages; its id is written in the stream header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cipher {
    /// AES-256-GCM, id 1: the default where the CPU has AES instructions.
    Aes256Gcm,
    /// ChaCha20-Poly1305, id 2: faster in software, the default without AES instructions.
    ChaCha20Poly1305,
}

impl Cipher {
    /// The id written in stream headers.
    pub fn id(self) -> u8 {
        match self {
            Cipher::Aes256Gcm => 1,
            Cipher::ChaCha20Poly1305 => 2,
        }
    }

    /// The cipher with this header id.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(Cipher::Aes256Gcm),
            2 => Some(Cipher::ChaCha20Poly1305),
            _ => None,
        }
    }

    /// AES-256-GCM when this CPU has AES instructions (constant-time and fast), otherwise
    /// ChaCha20-Poly1305 (AES in software is slow and prone to cache-timing leaks).
    pub fn preferred() -> Self {
        if has_aes_instructions() {
            Cipher::Aes256Gcm
        } else {
            Cipher::ChaCha20Poly1305
        }
    }

    pub(crate) fn algorithm(self) -> &'static Algorithm {
        match self {
            Cipher::Aes256Gcm => &AES_256_GCM,
            Cipher::ChaCha20Poly1305 => &CHACHA20_POLY1305,
        }
    }
}

/// Whether this CPU has the instructions that make AES-GCM fast (x86-64: AES-NI and
/// PCLMULQDQ; aarch64: the AES extension, which includes PMULL).
pub fn has_aes_instructions() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("aes")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
    }
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("aes")
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}
