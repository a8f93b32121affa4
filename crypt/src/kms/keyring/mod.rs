//! The local keyring: master keys in a file or a mounted Secret directory (the format is in
//! `volume/ENCRYPTION.md`, "Local keyring").

mod blob;
mod local;
mod model;
mod store;

pub use local::LocalKeyring;
pub use store::KeyringLocation;
