//! The command line: `strata-bench run ...`. Values are parsed by [`crate::spec`]; this file
//! only declares the flags and turns them into a [`Workload`] and client settings.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::runner::Workload;
use crate::s3::PayloadMode;
use crate::spec::{parse_duration, parse_size, Mix, OpKind, SizeSpec, SpecError};

/// S3 load generator for strata and any other S3 endpoint.
#[derive(Debug, Parser)]
#[command(name = "strata-bench", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one workload against an endpoint and report.
    Run(Box<RunArgs>),
}

/// Flags of `strata-bench run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// S3 endpoint, e.g. http://127.0.0.1:9000 or https://localhost:9443.
    #[arg(long, env = "STRATA_BENCH_ENDPOINT")]
    pub endpoint: String,
    /// Access key id.
    #[arg(long, env = "STRATA_BENCH_ACCESS_KEY")]
    pub access_key: String,
    /// Secret access key.
    #[arg(long, env = "STRATA_BENCH_SECRET_KEY", hide_env_values = true)]
    pub secret_key: String,
    /// Session token of temporary (STS) credentials.
    #[arg(long, env = "STRATA_BENCH_SESSION_TOKEN", hide_env_values = true)]
    pub session_token: Option<String>,
    /// Region of the SigV4 scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Bucket to use; created if missing.
    #[arg(long, default_value = "strata-bench")]
    pub bucket: String,
    /// Key prefix of every object the run creates (and the LIST prefix).
    #[arg(long, default_value = "bench/")]
    pub prefix: String,

    /// A single operation: put, overwrite (put to an existing key), get, rget (ranged get),
    /// head, list, delete, multipart.
    #[arg(long, conflicts_with = "mix")]
    pub op: Option<OpKind>,
    /// A weighted mix instead of --op, e.g. get=45,put=15,delete=10,head=30.
    #[arg(long)]
    pub mix: Option<Mix>,
    /// Object size: 4KiB, a uniform range 1KiB..1MiB, or weighted 4KiB:70,1MiB:30.
    #[arg(long, default_value = "4KiB")]
    pub size: SizeSpec,
    /// Requests in flight.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Stop after this long (e.g. 20s, 2m). Default 10s when --ops is not given either.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this many operations.
    #[arg(long)]
    pub ops: Option<u64>,
    /// Objects the prepare phase creates for overwrite/get/rget/head/list/delete. Default: 4 per
    /// concurrent request (at least 16), 1000 for list.
    #[arg(long)]
    pub objects: Option<u64>,
    /// Read from the disk, not memory: drop the page cache after the prepare phase (Linux,
    /// root; the server's own caches stay) and read each object once; the run ends when all
    /// have been read.
    #[arg(long)]
    pub cold: bool,
    /// Leave the objects in place after the run.
    #[arg(long)]
    pub no_cleanup: bool,
    /// Length of each ranged GET (rget).
    #[arg(long, value_parser = parse_size, default_value = "64KiB")]
    pub range_size: u64,
    /// Part size of multipart uploads.
    #[arg(long, value_parser = parse_size, default_value = "8MiB")]
    pub part_size: u64,
    /// max-keys of each LIST page.
    #[arg(long, default_value_t = 1000)]
    pub list_max_keys: u32,

    /// Sign the payload's SHA-256 instead of UNSIGNED-PAYLOAD.
    #[arg(long, conflicts_with = "aws_chunked")]
    pub signed_payload: bool,
    /// Send bodies as aws-chunked with a signature per chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).
    #[arg(long)]
    pub aws_chunked: bool,
    /// Chunk size for --aws-chunked.
    #[arg(long, value_parser = parse_size, default_value = "64KiB")]
    pub chunk_size: u64,

    /// Address buckets as BUCKET.DOMAIN (virtual-host style) instead of /BUCKET/.
    #[arg(long)]
    pub virtual_host: bool,
    /// Domain for --virtual-host; default the endpoint's host.
    #[arg(long)]
    pub host_domain: Option<String>,
    /// Trust only the CA certificates in this PEM file (HTTPS).
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
    /// Accept any server certificate (HTTPS).
    #[arg(long)]
    pub insecure: bool,
    /// Allow an endpoint that is not on this machine.
    #[arg(long)]
    pub allow_remote: bool,
    /// Per-request timeout.
    #[arg(long, value_parser = parse_duration, default_value = "120s")]
    pub timeout: Duration,
    /// Runtime worker threads; default the number of CPUs.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Seed for sizes, key choices and payload bytes.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
}

impl RunArgs {
    /// The workload these flags describe.
    pub fn workload(&self) -> Result<Workload, SpecError> {
        let mix = match (&self.mix, self.op) {
            (Some(m), _) => m.clone(),
            (None, Some(op)) => Mix::single(op),
            (None, None) => Mix::single(OpKind::Put),
        };
        let default_objects = if mix.contains(OpKind::List) {
            1000
        } else {
            (self.concurrency as u64 * 4).max(16)
        };
        let duration = match (self.duration, self.ops) {
            (None, None) => Some(Duration::from_secs(10)),
            (d, _) => d,
        };
        Ok(Workload {
            mix,
            sizes: self.size.clone(),
            concurrency: self.concurrency.max(1),
            duration,
            ops: self.ops,
            objects: self.objects.unwrap_or(default_objects),
            cleanup: !self.no_cleanup,
            prefix: self.prefix.clone(),
            range_size: self.range_size,
            part_size: self.part_size,
            list_max_keys: self.list_max_keys.max(1),
            progress: !self.quiet,
            seed: self.seed,
            cold: self.cold,
        })
    }

    /// How payloads are signed.
    pub fn payload_mode(&self) -> PayloadMode {
        if self.aws_chunked {
            PayloadMode::AwsChunked(usize::try_from(self.chunk_size.max(1)).unwrap_or(65536))
        } else if self.signed_payload {
            PayloadMode::Signed
        } else {
            PayloadMode::Unsigned
        }
    }
}
