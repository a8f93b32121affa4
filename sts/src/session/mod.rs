//! Sealed session tokens: the temporary credentials of an assumed role, encrypted and
//! authenticated into the `x-amz-security-token` value.
//!
//! [`SessionClaims::generate`] makes the key pair, [`SessionSealer::seal`] turns claims into
//! a token, and [`SessionSealer::open`] (called per request) authenticates a token and gives
//! the claims back, telling an expired token ([`TokenError::Expired`]) from a bad one
//! ([`TokenError::Invalid`]). Keys rotate through a [`SessionKeyring`]: new tokens use the
//! current key, older keys still open the tokens they sealed.

mod claims;
mod codec;
mod error;
mod keyring;
mod sealer;

pub use claims::{SessionClaims, SessionGrant, SessionSource, SessionTag};
pub use error::{InvalidToken, KeyringError, SealError, TokenError};
pub use keyring::{SessionKey, SessionKeyring};
pub use sealer::{SessionSealer, FORMAT_VERSION, MAX_TOKEN_CHARS};
