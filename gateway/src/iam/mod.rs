//! The identity store: accounts, IAM users and their access keys, groups, roles and managed
//! policies, kept in the namespace index (docs/IAM-STORE.md) and served from an in-memory
//! snapshot with every identity's policies compiled.

mod caller_sessions;
mod codec;
mod credentials;
mod declared;
mod error;
pub mod ids;
mod key_files;
#[cfg(test)]
mod key_files_tests;
mod key_rotation;
mod keys;
mod owners;
pub mod records;
mod roles;
mod secrets;
mod session_keys;
mod sessions;
mod snapshot;
mod store;

pub use codec::{decode, encode};
pub use credentials::IamCredentials;
pub use declared::DECLARED_POLICY;
pub use error::IamError;
pub use key_files::{KeyFileError, KeyFiles};
pub use key_rotation::{rotate_into, rotate_on_schedule, Rotated};
pub use keys::Kind;
pub use owners::Owners;
pub use roles::{role_arn, session_arn, RolePolicies, RoleRef};
pub use secrets::SecretSeal;
pub use session_keys::{session_keys, Rotation, SessionKeyInfo, LONGEST_SESSION_SECS};
pub use snapshot::{Scoped, Snapshot};
pub use store::{Change, IamStore};

/// Nanoseconds since the Unix epoch: the records' times.
pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
