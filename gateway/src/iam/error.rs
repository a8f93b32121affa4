//! What the identity store can fail with.

/// An identity store failure.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// A stored record cannot be read.
    #[error("identity record damaged: {0}")]
    Corrupt(String),
    /// The namespace index refused or failed.
    #[error(transparent)]
    Store(#[from] strata_volume::Error),
}
