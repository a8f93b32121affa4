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

/// mimalloc rather than glibc's malloc: a small GET or PUT allocates a few hundred short-lived
/// buffers, and glibc spent a fifth of the server's CPU on them; mimalloc measured 6-48% more
/// small-object ops/s and less CPU per op (bench/RESULTS.md). It also returns freed memory
/// without glibc's per-thread arenas keeping it, which the 256 MiB sidecar budget needs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
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
