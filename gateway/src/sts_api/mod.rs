//! The AWS STS query API: `GetCallerIdentity`, `AssumeRole`, `AssumeRoleWithWebIdentity`,
//! `GetSessionToken`, `GetFederationToken`, and MinIO's `AssumeRoleWithLDAPIdentity` (a
//! directory's users sign in with their password).
//!
//! Sessions are not stored: a session's whole grant is sealed into its session token
//! (`strata-sts`), which the request path opens per request (`crate::iam`'s credentials).
//! A role's trust policy decides who may assume it; its permissions (and the session
//! policies given at issue, inline and managed) decide what the session may do. A session of the caller itself
//! (`GetSessionToken`, `GetFederationToken`) has the caller's permissions, a federated
//! user's capped by its session policy.

mod assume_role;
mod caller_identity;
mod carried;
mod federation_token;
mod grant;
mod handle;
mod ldap_identity;
mod ldap_session;
#[cfg(test)]
mod ldap_session_tests;
mod long_term;
mod parameters;
mod services;
mod session_policies;
mod session_tags;
mod session_token;
#[cfg(test)]
mod tests;
mod trust;
mod web_identity;
mod xml;

pub use handle::handle;
pub use services::StsServices;
