//! Hostile input against the real `strata serve`: each case checks the exact S3 error code
//! and status AWS uses, and that nothing was left behind (no object, no upload, no file).
//!
//! One test binary (`cargo test --test hostile`), one file per family of attack.

mod support;

#[path = "hostile/auth.rs"]
mod auth;
#[path = "hostile/chunked.rs"]
mod chunked;
#[path = "hostile/names.rs"]
mod names;
#[path = "hostile/transport.rs"]
mod transport;
#[path = "hostile/xml.rs"]
mod xml;
