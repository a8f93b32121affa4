//! `strata-bench run ...`: see `strata_bench::cli` for the flags.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser as _;
use strata_bench::cli::{Cli, Command, RunArgs};
use strata_bench::client::{HttpClient, Target, TlsOptions};
use strata_bench::report::render_table;
use strata_bench::runner;
use strata_bench::s3::S3;
use strata_bench::sign::{Credentials, Signer};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(*args),
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: RunArgs) -> anyhow::Result<()> {
    let work = args.workload()?;
    let domain = args
        .virtual_host
        .then(|| args.host_domain.clone().unwrap_or_default());
    let target = Target::parse(&args.endpoint, args.allow_remote, domain)?;
    let tls = TlsOptions {
        ca_cert: args.ca_cert.clone(),
        insecure: args.insecure,
    };
    let http = HttpClient::new(&tls, work.concurrency, args.timeout)?;
    let signer = Arc::new(Signer::new(Credentials {
        access_key: args.access_key.clone(),
        secret_key: args.secret_key.clone(),
        region: args.region.clone(),
        session_token: args.session_token.clone(),
    }));
    let s3 = S3::new(
        http,
        signer,
        target,
        args.bucket.clone(),
        args.payload_mode(),
    );

    // Ctrl-C ends the measured phase early; cleanup and the report still happen.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("interrupted: finishing in-flight requests");
            flag.store(true, Ordering::Relaxed);
        }
    });

    let report = runner::run(s3, work, &args.endpoint, stop).await?;
    print!("{}", render_table(&report));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report).context("encoding the JSON report")?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    }
    let errors = report.run.errors();
    if errors > 0 {
        eprintln!("{errors} operations failed");
    }
    Ok(())
}
