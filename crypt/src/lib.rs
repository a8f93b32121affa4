//! strata-crypt: encryption at rest for strata objects.
//!
//! The format is a promise, written down in `volume/ENCRYPTION.md`:
//!
//! - [`Sealer`] / [`Opener`]: a plaintext stream cut into fixed 64 KiB packages, each sealed
//!   with AES-256-GCM or ChaCha20-Poly1305 under a nonce that carries a per-stream random
//!   prefix, the package number and a final flag; chunks in and out are `Bytes` of any size.
//! - [`RangePlan`] / [`RangedOpener`]: which stored bytes an S3 range needs (O(1)) and the
//!   exact plaintext slice out of them; [`split_range`] cuts a multipart range by part.
//! - [`ObjectKey`], [`Kek`], [`seal_key`] / [`open_key`]: a random key per object, sealed
//!   under a key-encryption key and bound to bucket, object name and SSE mode; stream keys
//!   per part are derived from it with HKDF-SHA256.
//! - [`seal_value`] / [`open_value`]: small values sealed with an object's key (SSE-C checksums).
//! - [`kms`]: the [`kms::Kms`] trait and the local keyring.
//!
//! Key material ([`ObjectKey`], [`Kek`], derived key bytes) is zeroed when dropped. Two
//! limits: ring keeps its own expanded key schedules (AES round keys) and does not zero
//! them; and plaintext buffers are not zeroed, since plaintext leaves as `Bytes` anyway.
//!
//! Wiring (headers, metadata, the request path) lives in the gateway, not here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cipher;
mod derive;
mod envelope;
mod error;
mod header;
mod key;
pub mod kms;
mod layout;
mod opener;
mod parts;
mod ranged;
mod sealer;
mod value;

pub use cipher::{has_aes_instructions, Cipher};
pub use derive::kek_subkey;
pub use envelope::{open_key, seal_key, KeyBinding, SealedKey, SseMode, SEALED_KEY_LEN};
pub use error::{EnvelopeError, OpenError, RangeError, SealError, SizeError};
pub use key::{Kek, ObjectKey, KEY_LEN};
pub use layout::{
    package_count, plaintext_size, stored_size, HEADER_LEN, MAX_PACKAGES, PACKAGE_SIZE, TAG_LEN,
};
pub use opener::Opener;
pub use parts::{split_range, PartRange};
pub use ranged::{RangePlan, RangedOpener};
pub use sealer::Sealer;
pub use value::{open_value, seal_value};

/// The format version this build writes and reads (streams, sealed keys, sealed values).
pub const FORMAT_VERSION: u8 = 1;

/// The stream number of an object put in one request; parts use their part number (1..).
pub const WHOLE_OBJECT: u32 = 0;
