//! strata-gateway: the HTTP surface of strata. The request path is one stack
//! (`server::stack`): route, authenticate, authorize, body transform, handler, respond,
//! observe; each stage is a narrow trait or struct of its own module.
pub mod admin;
pub mod admin_cli;
pub mod audit;
pub mod auth;
pub mod authorize;
pub mod bucket_access;
pub mod checksum;
pub mod config;
pub mod cors;
pub mod iam;
pub mod iam_api;
pub mod identity;
pub mod ldap;
pub mod lifecycle;
pub mod metrics;
pub mod notify;
pub mod observe;
pub mod percent;
pub mod post_object;
pub mod query_api;
pub mod remote_read;
pub mod remote_tier;
pub mod reseal;
pub mod s3;
pub mod secret_file;
pub mod server;
pub mod sts_api;
pub mod transform;

#[cfg(test)]
mod testing;
