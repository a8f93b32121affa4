//! Starts a strata for the bench scripts and leaves it running.
//!
//!   strata-testbed BIN DIR BUCKETS ACCESS_KEY SECRET_KEY
//!
//! Makes the 2+2 layout (`fast0..fast3`) and `data` under DIR, logs to DIR/server.log,
//! listens on a free loopback port, creates BUCKETS (a comma list), waits until it is ready,
//! then prints `STRATA_PID=<pid>` and `STRATA_EP=http://127.0.0.1:<port>` for `eval` and
//! exits. The caller stops the server by that PID. If it exits or is not ready within 60 s,
//! this prints the log's tail, stops it and exits non-zero (the harness's panic).
//! The server keeps the caller's environment (`RUST_LOG`, `STRATA_*` tuning) under its own
//! settings, as a server started by the scripts always did.

use strata_tests::{Credentials, Layout, Server};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bin, dir, buckets, access_key, secret_key] = args.as_slice() else {
        eprintln!("usage: strata-testbed BIN DIR BUCKETS ACCESS_KEY SECRET_KEY");
        std::process::exit(2);
    };
    let server = Server::builder()
        .binary(bin)
        .layout(Layout::fast_2x2())
        .credentials(Credentials::new(access_key, secret_key))
        .buckets(buckets)
        .inherit_env()
        .dir(dir)
        .start();
    let endpoint = server.endpoint();
    let pid = server.detach();
    println!("STRATA_PID={pid}");
    println!("STRATA_EP={endpoint}");
}
