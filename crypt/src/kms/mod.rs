//! Key management: the [`Kms`] trait the gateway talks to, and its local implementation.
//!
//! A KMS holds named master keys with numbered versions. It generates data keys (a
//! plaintext 32-byte key to use now plus a blob sealed under the key's current version, to
//! store), unseals blobs of any version it still has, and rewraps blobs to the current
//! version after a rotation, without the data they protect being touched.

mod context;
mod error;
pub mod keyring;
mod service;
pub mod transit;
mod transit_auth;

pub use context::EncryptionContext;
pub use error::KmsError;
pub use keyring::{KeyringLocation, LocalKeyring};
pub use service::{DataKey, KeyInfo, Kms};
pub use transit::{http_client, TransitConfig, TransitKms};
pub use transit_auth::TransitAuth;
