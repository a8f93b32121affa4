//! strata-gateway
pub mod auth;
pub mod checksum;
pub mod config;
pub mod s3;
pub mod server;
