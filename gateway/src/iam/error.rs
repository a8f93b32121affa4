//! What the identity store can fail with.

/// An identity store failure.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// A stored record cannot be read.
    #[error("identity record damaged: {0}")]
    Corrupt(String),
    /// The stored id of an account is not the one the settings require.
    #[error("account {account:?} has id {stored} in the identity store, not {wanted} (--root-account-id); an account's id never changes: remove the setting or give the stored id")]
    AccountIdMismatch {
        /// The account's name.
        account: String,
        /// The stored id.
        stored: String,
        /// The id asked for.
        wanted: String,
    },
    /// The id asked for an account is another account's.
    #[error("account id {id} (--root-account-id) is already account {holder:?}'s")]
    AccountIdTaken {
        /// The id.
        id: String,
        /// The account that has it.
        holder: String,
    },
    /// Every session key id is in use: no key can be added until one retires.
    #[error("all 255 session key ids are in use: a key is deleted {after_secs} s after the next one is made")]
    SessionKeyIdsExhausted {
        /// How long after its successor a key is deleted, seconds.
        after_secs: u64,
    },
    /// The namespace index refused or failed.
    #[error(transparent)]
    Store(#[from] strata_volume::Error),
}
