//! Hostile input against the real `strata serve`: each case checks the exact S3 error code
//! and status AWS uses, and that nothing was left behind (no object, no upload, no file).
//!
//! One test binary (`cargo test --test hostile`), one file per family of attack.

use strata_tests::Server;

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

/// The `strata` built with these tests, on one class `fast` of four volumes (2+2).
fn start() -> Server {
    Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"))
}
