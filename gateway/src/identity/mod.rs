//! Who a request acts as: accounts and the identities inside them (an account's root, IAM
//! users, role sessions), with the policies that speak for each. The identity store
//! (`crate::iam`) makes them; authentication hands one to each signed request; the
//! authorizer asks its policies.

mod account;
mod who;

pub use account::{Account, ROOT_ACCOUNT_NAME};
pub use who::{Identity, IdentityKind, Temporary};
