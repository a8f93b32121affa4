//! The AWS IAM query API (`aws iam --endpoint-url`): users, access keys, groups, inline and
//! managed policies, roles, permissions boundaries and OpenID Connect providers of the
//! caller's account.
//!
//! - `dispatch`: the one table from action to handler.
//! - `call`, `authorize`, `conditions`: who is calling, and whether its policies allow
//!   `iam:ACTION` on the resource, with the action's IAM condition keys (an account's root
//!   may do anything in its own account).
//! - `users`, `keys`, `groups`, `inline`, `policies`, `policy_tags`, `attach`, `roles`, `oidc`:
//!   one family each; `authorization_details`: all of an account's at once;
//!   every write is one `Change` of the identity store (read, put/delete, apply), so writers
//!   never interleave and a crash never leaves half an action.
//! - `parameters`, `validate`, `lookup`, `entity`, `tagging`, `xml`, `paging`: which parameters
//!   each action takes, parameter rules, finding entities, what users, groups and roles share,
//!   what tagging shares, the result documents, and pages of listings.

mod attach;
mod authorization_details;
mod authorize;
mod call;
mod conditions;
mod dispatch;
mod entity;
mod groups;
mod inline;
mod keys;
pub(crate) mod lookup;
mod oidc;
mod paging;
mod parameters;
mod policies;
mod policy_tags;
mod roles;
mod tagging;
mod users;
mod validate;
mod xml;

pub use authorize::authorize;
pub use dispatch::handle;
