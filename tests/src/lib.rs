//! The one harness for strata's end-to-end tests and benches: start the real `strata serve`
//! (`ServerBuilder`: binary, volume layout, credentials, settings, TLS) on a temp dir and a
//! free port, wait until `/strata/health/ready` answers, kill it by PID on drop; talk to it
//! with hand-made SigV4 requests or real clients; check what hostile input left behind.
//!
//! Used by this crate's real-client tests (`tests/`), the gateway's integration tests, the
//! injector's end-to-end test and, through `strata-testbed`, the bench scripts. A missing
//! tool or `STRATA_BIN` is a failure, never a skip.

mod arn;
mod bao;
mod builder;
mod checks;
mod clients;
mod credentials;
mod data;
mod exposition;
mod http;
mod layout;
mod receiver;
mod requests;
mod server;
mod sign;
mod tls;
mod tools;

pub use arn::kms_key_of_arn;
pub use aws_sigv4::http_request::SignableBody;
pub use bao::{Bao, BAO_TOKEN};
pub use builder::ServerBuilder;
pub use checks::{assert_error, code, listed, send_partial};
pub use clients::{
    aws_cli, aws_ok, aws_run, boto3_ok, crate_dir, create_bucket_with_aws_cli, render_template,
    templates_dir,
};
pub use credentials::{Credentials, ACCESS_KEY, SECRET_KEY};
pub use data::{assert_same_file, pattern, random_bytes, write_random};
pub use exposition::{promtool_check_metrics, scrape, scrape_s3_listener, series_value};
pub use http::{free_port, raw, read_reply, Reply};
pub use layout::{Layout, LayoutSettings, VolumeClass};
pub use receiver::{Answer, Received, Receiver};
pub use server::Server;
pub use sign::{unsigned_chunked, ChunkChain, Signer};
pub use tls::{ca_signed, self_signed, CaSigned, CertAndKey};
pub use tools::{required_env, required_tool, run_ok, run_stdout};
