//! `strata-bench`: an S3 load generator in the manner of MinIO's warp, frugal enough to share
//! two cores with the server it measures.
//!
//! The binary (`src/main.rs`) parses [`cli::Cli`] and calls [`runner::run`]. Modules, one job
//! each:
//!
//! - [`spec`]: the value languages of the command line (sizes, durations, size specs, mixes).
//! - [`sign`]: SigV4 on `aws-sigv4`'s primitives; [`body`]: request bodies incl. aws-chunked.
//! - [`client`]: target, loopback guard, TLS and the pooled hyper client.
//! - [`s3`]: S3 operations as signed requests; [`xml`]: the bits of S3 XML we read.
//! - [`pool`]: the live objects shared by workers; [`runner`]: prepare, run, cleanup.
//! - [`stats`]: per-worker recording; [`report`]: percentiles, rates, table and JSON.

#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, rust_2018_idioms)]

pub mod body;
pub mod cli;
pub mod client;
pub mod pool;
pub mod report;
pub mod runner;
pub mod s3;
pub mod sign;
pub mod spec;
pub mod stats;
pub mod xml;
