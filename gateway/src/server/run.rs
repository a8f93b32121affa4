//! `strata serve`: open the store, build the app, start pingora, wait for shutdown.

use std::sync::Arc;

use pingora::listeners::tls::TlsSettings;
use pingora::listeners::ListenerConfig;
use pingora::protocols::l4::stream::{L4BufferSettings, DEFAULT_L4_READ_BUFFER_SIZE};
use pingora::server::configuration::ServerConf;
use pingora::server::{RunArgs, Server};
use pingora::services::listening::Service;
use prometheus_client::registry::Registry;
use strata_crypt::kms::TransitConfig;
use strata_sts::session::SessionSealer;
use strata_volume::{ClassConfig, Scheme, Store, StoreConfig};

use super::app::Gateway;
use super::lifecycle::{Inflight, ShutdownTrigger, Signals};
use super::metrics_listener::MetricsApp;
use super::notifications;
use super::scan_hooks::ScanHooks;
use super::stack::{build, StackParts};
use super::tls::{CertResolver, TlsError};
use crate::admin::KmsAdmin;
use crate::audit::sink::SinkMetrics;
use crate::auth::{Verifier, VerifierConfig};
use crate::authorize::PolicyAuthorizer;
use crate::bucket_access::{BucketAccess, NewBucket};
use crate::config::{Config, RoleConfig, SchemeSpec};
use crate::config::{KmsSetting, SseDefault};
use crate::iam::{
    rotate_on_schedule, IamCredentials, IamError, IamStore, KeyFileError, KeyFiles, Owners,
    SecretSeal,
};
use crate::identity::ROOT_ACCOUNT_NAME;
use crate::lifecycle::{LifecycleClock, LifecycleOnScan, TierMover};
use crate::metrics::{
    AdmissionMetrics, Exposition, IdentityMetrics, KmsMetrics, LifecycleMetrics,
    MaintenanceMetrics, ProcessMetrics, ReadAheadMetrics, RequestMetrics, StoreMetrics,
    TierMetrics, TlsExpiry,
};
use crate::observe::{Observe, Observers, RequestLog};
use crate::remote_tier::remote_tiers;
use crate::reseal::{Progress, Reseal, ResealParts};
use crate::s3::restore_on_scan::RestoreOnScan;
use crate::s3::restoring::Restoring;
use crate::sts_api::StsServices;
use crate::transform::sse::{KmsKeys, KmsSet, S3KeyError, S3KeySource, Sse};
use crate::transform::{BodyTransform, TierSeal};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The volumes could not be opened.
    #[error("opening the volumes: {0}")]
    Store(#[from] strata_volume::Error),
    /// The identity store could not be read or the accounts made.
    #[error("identity store: {0}")]
    Iam(#[from] IamError),
    /// The `[sts]` identity providers could not be set up.
    #[error("[sts]: {0}")]
    Sts(#[from] strata_sts::web_identity::ConfigError),
    /// A bucket from `--buckets` could not be created.
    #[error("--buckets: creating {bucket:?}: {source}")]
    Bucket {
        /// The bucket.
        bucket: String,
        /// Why.
        source: strata_volume::Error,
    },
    /// The TLS listener could not be set up.
    /// A remote tier's client could not be built.
    #[error(transparent)]
    Tier(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The async runtime or a directory could not be made.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The SSE-S3 key could not be unsealed or made.
    #[error(transparent)]
    Sse(#[from] S3KeyError),
    /// The encryption key files could not be restored or saved.
    #[error("encryption keys: {0}")]
    KeyFiles(#[from] KeyFileError),
    /// pingora refused the setup.
    #[error("server: {0}")]
    Server(String),
    /// An audit sink could not be started.
    #[error(transparent)]
    Audit(#[from] crate::audit::StartError),
    /// A notification target could not be started.
    #[error("notification target {target:?}: {reason}")]
    NotifyTarget {
        /// The target's name.
        target: String,
        /// Why.
        reason: String,
    },
}

/// How long the audit sinks get to deliver what they hold once the server has stopped.
const AUDIT_FLUSH: std::time::Duration = std::time::Duration::from_secs(5);
/// Bound on each call to the transit KMS (retries make a failing call take up to ~3x).
const KMS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The volume engine's config from ours.
fn store_config(cfg: &Config) -> StoreConfig {
    let classes = cfg
        .classes
        .iter()
        .map(|c| ClassConfig {
            name: c.name.clone(),
            volumes: c.volumes.clone(),
            scheme: c.scheme.map(|s| match s {
                SchemeSpec::Erasure { data, parity } => Scheme::Erasure { data, parity },
                SchemeSpec::Mirror => Scheme::Mirror,
                SchemeSpec::Single => Scheme::Single,
            }),
        })
        .collect();
    StoreConfig {
        meta_cache_per_volume: cfg.meta_cache,
        max_object_size: cfg.limits.max_object_size,
        commit_batch: cfg.tuning.commit_batch,
        reserve_bytes: cfg.tuning.volume_reserve,
        ..StoreConfig::new(classes)
    }
}

/// Runs the server until shutdown. Blocks the calling thread.
pub fn serve(cfg: Config) -> Result<(), ServeError> {
    // The store lives on its own small runtime: pingora builds its runtimes inside `run`,
    // and the store's background work must not depend on a service runtime.
    let store_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cfg.tuning.store_threads)
        .thread_name("strata-store")
        .enable_all()
        .build()?;
    if cfg.dev {
        for class in &cfg.classes {
            for v in &class.volumes {
                std::fs::create_dir_all(v)?;
            }
        }
    }
    std::fs::create_dir_all(&cfg.data)?;
    // Counted into by the tiers' reads, registered below with the other families.
    let read_ahead_metrics = ReadAheadMetrics::default();
    let store_cfg = StoreConfig {
        tiers: remote_tiers(&cfg.tiers, &read_ahead_metrics)?,
        ..store_config(&cfg)
    };
    let store = store_rt.block_on(Store::open(store_cfg))?;
    // Counted into by SSE-KMS, registered below with the other families.
    let kms_metrics = KmsMetrics::default();
    let (transform, reseal, kms, secrets) =
        store_rt.block_on(encryption(&cfg, &store, kms_metrics.clone()))?;
    if reseal.unfinished() {
        tracing::info!("a re-seal was cut off: it goes on");
        reseal.start();
    }
    // Accounts: the root account and every `[[accounts]]` one, with ids that outlive keys.
    let iam = store_rt.block_on(IamStore::open(store.clone(), secrets))?;
    let names: Vec<&str> = std::iter::once(ROOT_ACCOUNT_NAME)
        .chain(cfg.accounts.iter().map(|a| a.name.as_str()))
        .collect();
    let fixed: Vec<(&str, &str)> = cfg
        .root_account_id
        .as_deref()
        .map(|id| (ROOT_ACCOUNT_NAME, id))
        .into_iter()
        .collect();
    let accounts = store_rt.block_on(iam.ensure_accounts(&names, &fixed))?;
    let root_account = accounts[0].clone();
    let root_account_id = root_account.id.clone();
    let transform: Arc<dyn BodyTransform> =
        Arc::new(transform.with_key_arns(&cfg.region, &root_account_id));
    let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    let roots = accounts
        .into_iter()
        .zip(std::iter::once(&cfg.credentials).chain(cfg.accounts.iter().map(|a| &a.credentials)))
        .map(|(account, keys)| (account, keys.access_key.clone(), keys.secret_key.clone()))
        .collect();
    // Declared roles, written before anything can assume them.
    let declared: Vec<(String, &RoleConfig)> = cfg
        .roles
        .iter()
        .map(|role| {
            let account = names
                .iter()
                .position(|name| *name == role.account)
                .map_or_else(|| root_account.id.clone(), |i| ids[i].clone());
            (account, role)
        })
        .collect();
    store_rt.block_on(iam.apply_declared_roles(&declared))?;
    // STS: one keyring, stored with the identities, seals sessions and opens them.
    let sealer = Arc::new(SessionSealer::new(
        store_rt.block_on(iam.session_keyring())?,
    ));
    // Counted into by STS and the authorizer, registered below with the other families.
    let identity_metrics = IdentityMetrics::default();
    let sts = Arc::new(
        StsServices::new(sealer.clone(), &cfg.sts)?.counting_into(identity_metrics.clone()),
    );
    if let Some(every) = cfg.session_key_rotation {
        store_rt.spawn(rotate_on_schedule(iam.clone(), sealer.clone(), every));
    }
    let credentials = IamCredentials::new(roots, iam.clone()).with_sessions(sealer);
    let bucket_access = BucketAccess::new(store.clone()).with_defaults(cfg.bucket_defaults);
    // Counted into by the lifecycle hook, registered below with the other families.
    let lifecycle_metrics = LifecycleMetrics::default();
    store_rt.block_on(async {
        for bucket in &cfg.buckets {
            let made = store
                .create_bucket_owned(bucket, None, Some(&root_account.id))
                .await;
            let made = match made {
                Ok(()) => {
                    bucket_access
                        .initialize(bucket, &NewBucket::default())
                        .await
                }
                other => other,
            };
            match made {
                Ok(())
                | Err(strata_volume::Error::Refused(
                    strata_volume::Refusal::BucketAlreadyOwnedByYou,
                )) => {}
                Err(source) => {
                    return Err(ServeError::Bucket {
                        bucket: bucket.clone(),
                        source,
                    })
                }
            }
        }
        Ok(())
    })?;
    // The healer and the scanner run on the store's runtime; a replaced volume's refill
    // starts now.
    let tier_seal = TierSeal::new(
        cfg.tiers
            .iter()
            .map(|t| (t.name.clone(), t.kms_key.clone())),
    );
    let restoring = Restoring::default();
    let (maintenance, lifecycle) = {
        let _rt = store_rt.enter();
        // Lifecycle rules and key re-sealing ride the scanner's passes.
        let lifecycle = LifecycleOnScan::new(
            store.clone(),
            bucket_access.clone(),
            cfg.class_names.clone(),
            LifecycleClock::new(cfg.lifecycle_day),
            lifecycle_metrics.clone(),
        );
        let mover = TierMover::new(store.clone(), transform.clone(), tier_seal.clone());
        lifecycle.move_to_tiers_with(mover);
        let lifecycle = Arc::new(lifecycle);
        let resume = Arc::new(RestoreOnScan::new(store.clone(), restoring.clone()));
        let hook = ScanHooks::new(vec![lifecycle.clone(), reseal.scan_hook(), resume]);
        let maintenance = store.start_maintenance(cfg.maintenance.clone(), Some(Arc::new(hook)));
        (Arc::new(maintenance), lifecycle)
    };
    let inflight = Inflight::default();
    let trigger = ShutdownTrigger::default();
    let mut registry = Registry::default();
    let exposition = Exposition::default();
    let tls_expiry = cfg.tls.as_ref().map(|_| TlsExpiry::default());
    ProcessMetrics::register(&mut registry, tls_expiry.as_ref());
    registry.register_collector(Box::new(StoreMetrics::new(store.clone(), cfg.meta_cache)));
    registry.register_collector(Box::new(TierMetrics::new(store.clone())));
    registry.register_collector(Box::new(MaintenanceMetrics::new(
        maintenance.clone(),
        store.class_names(),
        cfg.telemetry.metrics_per_bucket,
    )));
    let request_metrics = RequestMetrics::register(&mut registry, cfg.telemetry.metrics_per_bucket);
    identity_metrics.register(&mut registry);
    kms_metrics.register(&mut registry);
    read_ahead_metrics.register(&mut registry);
    lifecycle_metrics.register(&mut registry);
    // Audit sinks and notification targets run on the store's runtime too; every sink shares
    // the `strata_sink_*` families.
    let sink_metrics = SinkMetrics::register(&mut registry);
    let auditor = cfg.audit.start(&sink_metrics, store_rt.handle())?;
    // Bucket notifications: targets from the config file, rules from the store.
    let (targets, notify_sinks) = notifications::targets(&cfg, &sink_metrics, store_rt.handle())?;
    let rules = store_rt.block_on(notifications::load_registry(&store, targets));
    let notifier = notifications::notifier(&rules, &store, &cfg.region, store_rt.handle());
    if let Some(n) = &notifier {
        lifecycle.notify_through(n.clone());
    }
    if let Some(a) = &auditor {
        lifecycle.audit_through(a.clone());
    }
    let mut observers: Vec<Arc<dyn Observe>> = vec![
        Arc::new(RequestLog::new(cfg.telemetry.access_log)),
        request_metrics,
    ];
    observers.extend(auditor.clone().map(|a| Arc::new(a) as Arc<dyn Observe>));
    observers.extend(notifier.clone().map(|n| n as Arc<dyn Observe>));
    let owners = Owners::new(iam, root_account);
    let authorize = PolicyAuthorizer::new(store.clone(), owners.clone(), bucket_access.clone())
        .counting_into(identity_metrics);
    let stack = build(StackParts {
        store,
        bucket_access,
        owners,
        sts,
        shutdown: trigger.clone(),
        reseal: Some(reseal),
        kms: Some(kms),
        maintenance: Some(maintenance),
        domain: cfg.domain.clone(),
        trusted_proxies: cfg.trusted_proxies.clone(),
        // Any scope region is accepted: a sidecar has no real region, and clients such as
        // restic sign with `aws-global` unless told otherwise. `--region` is what we report.
        // Scopes name `s3`; a form POST may name `iam` or `sts` (the query APIs on this
        // endpoint), which the verifier allows for form POSTs only.
        authenticate: Arc::new(Verifier::new(VerifierConfig::default(), credentials)),
        authorize: Arc::new(authorize),
        transform,
        observe: Arc::new(Observers::new(observers)),
        metrics: exposition.clone(),
        notify: rules,
        region: cfg.region.clone(),
        class_names: cfg.class_names.clone(),
        tier_seal,
        restoring,
        lifecycle_clock: LifecycleClock::new(cfg.lifecycle_day),
        limits: cfg.limits,
    });
    registry.register_collector(Box::new(AdmissionMetrics(stack.admission().clone())));
    exposition.publish(registry);
    let gateway = Gateway::new(stack, inflight.clone());

    let conf = ServerConf {
        threads: cfg.tuning.server_threads,
        // After SIGTERM in-flight requests get the grace period; the drain watcher exits
        // earlier when none is left.
        grace_period_seconds: Some(cfg.shutdown_grace.as_secs()),
        graceful_shutdown_timeout_seconds: Some(1),
        ..ServerConf::default()
    };
    let mut server =
        Server::new_with_opt_and_conf(None::<pingora::server::configuration::Opt>, conf);
    server.bootstrap();
    let mut service = Service::new("strata S3".to_string(), gateway);
    service.add_listener(ListenerConfig::tcp(cfg.listen.to_string()).l4_buffer(l4_buffers()));
    if let Some(tls) = &cfg.tls {
        let resolver = CertResolver::new(tls.files.clone(), tls_expiry.unwrap_or_default())?;
        let mut settings =
            TlsSettings::intermediate("", "").map_err(|e| ServeError::Server(e.to_string()))?;
        settings.set_cert_resolver(Arc::new(resolver));
        service.add_listener(
            ListenerConfig::tcp(tls.listen.to_string())
                .tls(settings)
                .l4_buffer(l4_buffers()),
        );
    }
    if let Some(addr) = cfg.telemetry.metrics_listen {
        let mut metrics = Service::new("strata metrics".to_string(), MetricsApp::new(exposition));
        metrics.add_tcp(&addr.to_string());
        server.add_service(metrics);
    }
    server.add_service(service);
    if cfg.dev {
        print_dev_banner(&cfg);
    }
    tracing::info!(listen = %cfg.listen, tls = ?cfg.tls.as_ref().map(|t| t.listen), metrics = ?cfg.telemetry.metrics_listen, "serving S3");
    server.run(RunArgs {
        shutdown_signal: Box::new(Signals { trigger, inflight }),
    });
    if let Some(auditor) = &auditor {
        store_rt.block_on(auditor.shutdown(AUDIT_FLUSH));
    }
    if let Some(notifier) = &notifier {
        // What the notifier still holds goes to the targets, then they flush like audit sinks.
        store_rt.block_on(async {
            notifier.settle(AUDIT_FLUSH).await;
            futures::future::join_all(notify_sinks.iter().map(|s| s.shutdown(AUDIT_FLUSH))).await;
        });
    }
    drop(store_rt);
    Ok(())
}

/// Per-connection socket buffers. pingora's default write buffer (1,460 bytes) sends a
/// response head and a small body in two syscalls; 16 KiB lets a small object's whole answer
/// go out in one, and costs 16 KiB per open connection.
fn l4_buffers() -> L4BufferSettings {
    L4BufferSettings::new(DEFAULT_L4_READ_BUFFER_SIZE, 16 * 1024)
}

/// What a person trying `--dev` needs to copy.
fn print_dev_banner(cfg: &Config) {
    let endpoint = format!("http://{}", cfg.listen);
    let env = format!(
        "AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} AWS_DEFAULT_REGION={}",
        cfg.credentials.access_key, cfg.credentials.secret_key, cfg.region
    );
    println!("strata dev server");
    println!("  endpoint: {endpoint}");
    println!("  data:     {}", cfg.data.display());
    for c in &cfg.classes {
        println!("  class {:<6} {} volumes", c.name, c.volumes.len());
    }
    println!("try:");
    println!("  {env} /usr/bin/aws --endpoint-url {endpoint} s3 ls");
}

/// Server-side encryption: the SSE-S3 key unsealed once, here, and kept in memory; SSE-KMS
/// over the local keyring or the transit engine of `--kms-address`, which also seals a new
/// store's SSE-S3 key. A
/// keyring under `--data` (the default) is made at first start; production mounts one from
/// a Secret (`--sse-keyring`), so that the key is not on the same disk as the data. The
/// identity store's secrets are sealed under a key derived from the SSE-S3 key.
async fn encryption(
    cfg: &Config,
    store: &Store,
    kms_metrics: KmsMetrics,
) -> Result<(Sse, Arc<Reseal>, KmsAdmin, SecretSeal), ServeError> {
    if cfg.sse.keyring_is_default && !cfg.dev {
        tracing::warn!(
            keyring = %cfg.sse.keyring.display(),
            "the SSE keyring is a file under --data; mount one from a Secret with --sse-keyring"
        );
    }
    // `--data` may be an emptyDir (in a pod): the key files under it live on in the store.
    let mut files = vec![cfg.sse.sealed_s3_key.clone()];
    if cfg.sse.keyring_is_default {
        files.push(cfg.sse.keyring.clone());
    }
    let key_files = KeyFiles::new(store.clone(), files);
    key_files.restore().await?;
    let transit = match &cfg.sse.kms {
        KmsSetting::Keyring => None,
        KmsSetting::Transit {
            address,
            mount,
            auth,
            ca_file,
        } => Some((
            TransitConfig {
                address: address.clone(),
                mount: mount.clone(),
                ca_bundle: ca_file.clone(),
                timeout: KMS_TIMEOUT,
            },
            auth.clone(),
        )),
    };
    let transit_configured = transit.is_some();
    let kmses = Arc::new(KmsSet::open(&cfg.sse.keyring, transit)?);
    let source = S3KeySource {
        key_id: cfg.sse.s3_key.clone(),
        sealed_file: cfg.sse.sealed_s3_key.clone(),
    };
    let kek = source.load(&kmses).await?;
    let mut keys = KmsKeys::new(
        kmses.for_sse_kms(&cfg.sse.kms_key).await?,
        cfg.sse.kms_key.clone(),
        kms_metrics,
    );
    if let Some(earlier) = kmses.earlier_for_sse_kms() {
        keys = keys.with_earlier(earlier);
    }
    let kms = Arc::new(keys);
    key_files.save().await?;
    let secrets = SecretSeal::new(&kek);
    let sse = Sse::new(kek, cfg.sse.default == SseDefault::Aes256)
        .with_cipher(cfg.sse.cipher.cipher())
        .with_kms(kms.clone());
    tracing::info!(cipher = ?cfg.sse.cipher.cipher(), "new objects' streams are sealed with");
    let stored = Progress::load(store).await?;
    let parts = ResealParts {
        store: store.clone(),
        keys: kms.clone(),
        kmses,
        s3_key: source,
        key_files: Arc::new(key_files),
    };
    let frozen = (cfg.sse.keyring_is_default && !transit_configured).then_some(
        "the keyring under --data (its copy in the store would go stale) cannot be changed \
         at runtime: give --sse-keyring a file or directory, or use a transit engine",
    );
    Ok((
        sse,
        Reseal::new(parts, tokio::runtime::Handle::current(), stored),
        KmsAdmin { keys: kms, frozen },
        secrets,
    ))
}
