//! `strata-injector`: `serve` runs the admission webhook; `probe` is the sidecar's exec probe.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use strata_injector::cluster::{self, ClusterKeys, RunningPods};
use strata_injector::config::InjectorConfig;
use strata_injector::metrics::Metrics;
use strata_injector::server::Server;
use strata_injector::tls::kube::ApiClient;
use strata_injector::tls::managed::{ManagedConfig, Manager};
use strata_injector::tls::store::CertStore;
use strata_injector::{probe, tls};

#[derive(Debug, Parser)]
#[command(
    name = "strata-injector",
    version,
    about = "Admission webhook that adds the strata S3 sidecar to opted-in pods"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the webhook over HTTPS: POST /mutate, GET /healthz, GET /metrics.
    Serve(Box<ServeArgs>),
    /// GET an http://IP:PORT/PATH URL; exit 0 on HTTP 200 (the sidecar's exec probe).
    Probe {
        /// Keep trying for this many seconds (the fallback postStart hook).
        #[arg(long, default_value_t = 0)]
        wait: u64,
        /// URL to probe.
        url: String,
    },
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Listen address.
    #[arg(long, env = "STRATA_INJECTOR_LISTEN", default_value = "0.0.0.0:8443")]
    listen: String,
    /// Serving certificate (PEM), e.g. from cert-manager; reloaded when it changes.
    /// Without --tls-cert/--tls-key the injector manages its own CA and certificate.
    #[arg(long, env = "STRATA_INJECTOR_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Serving key (PEM).
    #[arg(long, env = "STRATA_INJECTOR_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// How often certificate files are checked for changes.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    reload_interval: Duration,
    /// The injector's namespace (never injected; holds the certificate Secret).
    #[arg(long, env = "POD_NAMESPACE", default_value = "strata-system")]
    namespace: String,
    /// Service in front of the injector (the certificate's DNS names).
    #[arg(long, default_value = "strata-injector")]
    service: String,
    /// Secret for self-managed certificates.
    #[arg(long, default_value = "strata-injector-tls")]
    secret: String,
    /// MutatingWebhookConfiguration whose caBundle is kept (self-managed mode).
    #[arg(long, default_value = "strata-injector")]
    webhook_config: String,
    /// Serving certificate lifetime (self-managed); renewed with a third left.
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    cert_lifetime: Duration,
    /// CA lifetime (self-managed); rotated with a third left, the old CA kept in the bundle.
    #[arg(long, default_value = "8760h", value_parser = parse_duration)]
    ca_lifetime: Duration,
    /// How often the Secret and caBundle are checked (self-managed).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    resync: Duration,
    /// API server URL; default: in-cluster (KUBERNETES_SERVICE_HOST).
    #[arg(long, requires_all = ["api_ca", "api_token_file"])]
    api_server: Option<String>,
    /// CA bundle (PEM) of --api-server.
    #[arg(long)]
    api_ca: Option<PathBuf>,
    /// Bearer token file for --api-server.
    #[arg(long)]
    api_token_file: Option<PathBuf>,
    /// Sidecar image (holds `strata` and `strata-injector`).
    #[arg(long, env = "STRATA_INJECTOR_SIDECAR_IMAGE")]
    sidecar_image: Option<String>,
    /// Sidecar imagePullPolicy.
    #[arg(long, default_value = "IfNotPresent")]
    image_pull_policy: String,
    /// Path of strata-injector inside the sidecar image (exec probes).
    #[arg(long, default_value = "/usr/local/bin/strata-injector")]
    probe_command: String,
    /// Inject native sidecars (Kubernetes 1.29+); `false` for older clusters.
    #[arg(long, env = "STRATA_INJECTOR_NATIVE_SIDECARS", default_value_t = true, action = clap::ArgAction::Set)]
    native_sidecars: bool,
    /// Region given to apps and the gateway.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Namespaces never injected (the injector's own is always skipped).
    #[arg(long = "skip-namespace", default_values_t = ["kube-system".to_owned(), "kube-public".to_owned()])]
    skip_namespaces: Vec<String>,
    /// How often the cluster's service-account issuer and keys are re-read (web identity).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    cluster_keys_refresh: Duration,
    /// Give running web-identity pods the cluster's keys when they change (RBAC: `list` and
    /// `patch` on pods); `false` leaves each pod with the keys of its admission.
    #[arg(long, env = "STRATA_INJECTOR_REFRESH_RUNNING_PODS", default_value_t = true, action = clap::ArgAction::Set)]
    refresh_running_pods: bool,
    /// Keep serving this long after SIGTERM, while the Service drops this endpoint.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    shutdown_delay: Duration,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected e.g. 500ms, 30s, 10m, 24h, 90d"))?;
    let secs = |mult: u64| {
        n.checked_mul(mult)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("{text:?} is too long"))
    };
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        "d" => secs(86_400),
        _ => Err(format!("{text:?}: unit must be ms, s, m, h or d")),
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Probe { wait, url } => {
            // No runtime and no logging setup: a probe runs every few seconds in every pod.
            probe::probe_until(&url, Duration::from_secs(wait))?;
            Ok(())
        }
        Command::Serve(args) => {
            init_logging();
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("tokio runtime")?
                .block_on(serve(*args))
        }
    }
}

fn init_logging() {
    let level = std::env::var("STRATA_INJECTOR_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let defaults = InjectorConfig::default();
    let cfg = InjectorConfig {
        sidecar_image: args.sidecar_image.clone().unwrap_or(defaults.sidecar_image),
        image_pull_policy: args.image_pull_policy.clone(),
        probe_command: args.probe_command.clone(),
        native_sidecars: args.native_sidecars,
        region: args.region.clone(),
        own_namespace: args.namespace.clone(),
        skip_namespaces: args.skip_namespaces.clone(),
        role_account: defaults.role_account,
        cluster: ClusterKeys::default(),
    };
    // The API server: for the cluster's keys (always) and self-managed certificates.
    let api = match (&args.api_server, &args.api_ca, &args.api_token_file) {
        (Some(url), Some(ca), Some(token)) => {
            let ca = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
            Some(ApiClient::new(url, &ca, token.clone())?)
        }
        (None, _, _) => match ApiClient::in_cluster() {
            Ok(api) => Some(api),
            Err(e) => {
                tracing::warn!(error = %e, "no Kubernetes API: web-identity pods will be refused (no cluster keys)");
                None
            }
        },
        _ => bail!("--api-server needs --api-ca and --api-token-file"),
    };
    let metrics = Arc::new(Metrics::default());
    if let Some(api) = &api {
        tokio::spawn(cluster::keep_fresh(
            api.clone(),
            cfg.cluster.clone(),
            args.cluster_keys_refresh,
            metrics.clone(),
            if args.refresh_running_pods {
                RunningPods::Refresh
            } else {
                RunningPods::Leave
            },
        ));
    }
    let store = Arc::new(CertStore::new(metrics.clone()));
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            tls::files::load(&store, cert, key).context("loading --tls-cert/--tls-key")?;
            tokio::spawn(tls::files::watch(
                store.clone(),
                cert.clone(),
                key.clone(),
                args.reload_interval,
            ));
            tracing::info!(cert = %cert.display(), "serving certificate from files");
        }
        (None, None) => {
            let Some(api) = api else {
                bail!("self-managed certificates need the Kubernetes API (or pass --tls-cert/--tls-key)");
            };
            let managed = ManagedConfig {
                namespace: args.namespace.clone(),
                secret: args.secret.clone(),
                webhook_config: args.webhook_config.clone(),
                service: args.service.clone(),
                ca_lifetime: args.ca_lifetime,
                cert_lifetime: args.cert_lifetime,
                resync: args.resync,
            };
            tokio::spawn(Manager::new(api, managed, store.clone()).run());
            tracing::info!(secret = %args.secret, "self-managed certificates");
        }
        _ => bail!("--tls-cert and --tls-key go together"),
    }
    let server = Server::bind(&args.listen, cfg, store, metrics).await?;
    tracing::info!(addr = %server.local_addr()?, "strata-injector serving");
    let delay = args.shutdown_delay;
    server
        .run(async move {
            shutdown_signal().await;
            tracing::info!(?delay, "shutting down after the delay");
            tokio::time::sleep(delay).await;
        })
        .await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
