//! `strata`: the S3 sidecar.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use strata_gateway::config::{self, ServeArgs};

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
    Serve(ServeArgs),
}

/// Caps glibc's malloc arenas at one per core. Its default (8 per core) lets every
/// short-lived blocking thread that touched a 1 MiB erasure block keep its own arena of freed
/// blocks, which showed as tens of MiB of extra resident memory per workload in a sidecar
/// whose budget is 256 MiB (bench/RESULTS.md, footprint).
fn cap_malloc_arenas() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other
    // thread exists. A refusal (returns 0) leaves glibc's default, which is still correct.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

fn main() -> anyhow::Result<()> {
    cap_malloc_arenas();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::Serve(args) => {
            let env = |name: &str| std::env::var(name).ok();
            let read = |path: &std::path::Path| std::fs::read_to_string(path);
            let cfg = config::load(&args, &env, &read).context("invalid configuration")?;
            strata_gateway::server::serve(cfg).context("strata serve")?;
        }
    }
    Ok(())
}
