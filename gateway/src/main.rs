//! `strata`: the S3 sidecar.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use strata_gateway::admin_cli::AdminArgs;
use strata_gateway::config::{self, LogFormat, ServeArgs};

/// strata: an S3 object store for one pod, built from its volumes.
#[derive(Debug, Parser)]
#[command(name = "strata", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve S3 (see docs/CLI-CONTRACT.md for every setting and its variable).
    Serve(Box<ServeArgs>),
    /// Call a running server's admin API (docs/ADMIN.md), signed with the credentials in
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
    Admin(AdminArgs),
}

/// jemalloc rather than glibc's malloc: a small GET or PUT allocates a few hundred short-lived
/// buffers, and glibc spent a fifth of the server's CPU on them. Measured on the compare.sh
/// workloads (bench/RESULTS.md, allocator): jemalloc 1.5-2x glibc's small-object ops/s, peak RSS
/// within the 256 MiB sidecar budget; mimalloc was as fast but kept ~1 GiB resident after the
/// mixed-size workload (erasure blocks freed on other threads than the ones that made them).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Freed memory goes back to the OS within about a second, by a background thread rather than
/// on the request path: the pod pays for what stays resident.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8] =
    b"background_thread:true,max_background_threads:1,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let env = |name: &str| std::env::var(name).ok();
            let read = |path: &std::path::Path| std::fs::read_to_string(path);
            let cfg = config::load(&args, &env, &read).context("invalid configuration")?;
            init_logs(cfg.telemetry.log_format);
            strata_gateway::server::serve(cfg).context("strata serve")?;
        }
        Command::Admin(args) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("a runtime for the call")?;
            runtime
                .block_on(strata_gateway::admin_cli::run(args))
                .context("strata admin")?;
        }
    }
    Ok(())
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`), as text or one JSON object per line.
fn init_logs(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}
