//! LDAP sign-in for `AssumeRoleWithLDAPIdentity` (`crate::sts_api`): the directory client
//! (`ldap3` over rustls with the ring provider), the RFC 4515 escaping of the values put
//! into search filters, and the mapping of users and groups to roles (`[ldap]` in the
//! config file, docs/IDENTITY.md).

mod directory;
mod error;
mod filter;
mod mapping;
#[cfg(test)]
mod tests;
mod tls;

pub use directory::{Directory, SignedIn};
pub use error::LoginError;
pub use filter::{escape_value, group_filter, user_filter};
pub use mapping::mapped_roles;
