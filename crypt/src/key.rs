//! Key material: 32 bytes, zeroed when dropped, never printed.

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

/// Length in bytes of every key of the format.
pub const KEY_LEN: usize = 32;

/// 32 secret bytes, overwritten with zeros on drop.
#[derive(Clone)]
pub(crate) struct Material([u8; KEY_LEN]);

impl Material {
    pub(crate) fn random() -> Option<Self> {
        let mut bytes = [0u8; KEY_LEN];
        SystemRandom::new().fill(&mut bytes).ok()?;
        Some(Material(bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl Drop for Material {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(pub(crate) Material);

        impl $name {
            /// A key from raw bytes (which the caller should zero after use).
            pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
                $name(Material(bytes))
            }

            /// A key from a slice, if it is exactly 32 bytes.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
                Some(Self::from_bytes(array))
            }

            /// A fresh key from the operating system's generator (`None` if it fails).
            pub fn generate() -> Option<Self> {
                Material::random().map($name)
            }

            /// The raw bytes (to hand to a KEK or to a KMS; do not store them).
            pub fn expose(&self) -> &[u8; KEY_LEN] {
                self.0.bytes()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
}

key_type!(
    /// The random key of one object (or of one multipart upload, shared by its parts).
    ObjectKey
);

key_type!(
    /// A key-encryption key: the SSE-S3 key, a KMS data key, or an SSE-C customer key.
    Kek
);
