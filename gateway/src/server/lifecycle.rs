//! Shutdown: SIGTERM, SIGINT or the admin API's shutdown call stop the listeners; in-flight
//! requests get the grace period; the process exits 0 as soon as none is left.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pingora::server::{ShutdownSignal, ShutdownSignalWatch};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::Notify;

use crate::admin::Stop;

/// Counts requests being served (not idle keep-alive connections).
#[derive(Debug, Default, Clone)]
pub struct Inflight(Arc<AtomicUsize>);

/// Held while a request is served.
pub struct InflightGuard(Arc<AtomicUsize>);

impl Inflight {
    /// Marks a request as started until the guard drops.
    pub fn enter(&self) -> InflightGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        InflightGuard(self.0.clone())
    }

    /// Requests being served now.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Asks for a graceful shutdown from inside the server (the admin endpoint).
#[derive(Debug, Default, Clone)]
pub struct ShutdownTrigger {
    notify: Arc<Notify>,
    requested: Arc<AtomicBool>,
}

impl ShutdownTrigger {
    /// Starts a graceful shutdown.
    pub fn trigger(&self) {
        self.requested.store(true, Ordering::SeqCst);
        // A stored permit wakes the watcher even if it is not waiting yet.
        self.notify.notify_one();
    }

    /// Whether shutdown has begun (readiness turns 503).
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// The admin API's `POST /strata/admin/shutdown` pulls the same trigger.
impl Stop for ShutdownTrigger {
    fn stop(&self) {
        self.trigger();
    }

    fn is_stopping(&self) -> bool {
        self.is_requested()
    }
}

/// pingora's shutdown watch: our signals plus the admin trigger, all graceful. When it fires
/// it also starts the drain watcher that exits early once no request is in flight.
pub struct Signals {
    /// The admin trigger.
    pub trigger: ShutdownTrigger,
    /// In-flight requests.
    pub inflight: Inflight,
}

#[async_trait]
impl ShutdownSignalWatch for Signals {
    async fn recv(&self) -> ShutdownSignal {
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: graceful shutdown"),
                    _ = int.recv() => tracing::info!("SIGINT: graceful shutdown"),
                    _ = self.trigger.notify.notified() => tracing::info!("admin: graceful shutdown"),
                }
            }
            _ => {
                tracing::warn!("cannot watch signals; only the admin endpoint stops the server");
                self.trigger.notify.notified().await;
            }
        }
        self.trigger.requested.store(true, Ordering::SeqCst);
        spawn_drain_watcher(self.inflight.clone());
        ShutdownSignal::GracefulTerminate
    }
}

/// pingora waits out the whole grace period even when nothing is in flight; this thread ends
/// the process as soon as the last request is done. If requests outlive the grace period,
/// pingora's own shutdown ends them and `run` returns.
fn spawn_drain_watcher(inflight: Inflight) {
    let spawned = std::thread::Builder::new()
        .name("strata-drain".into())
        .spawn(move || {
            // Let the listeners close first so no new request slips in after the check.
            std::thread::sleep(Duration::from_millis(200));
            while inflight.count() > 0 {
                std::thread::sleep(Duration::from_millis(20));
            }
            tracing::info!("no request in flight: exiting");
            std::process::exit(0);
        });
    if let Err(e) = spawned {
        tracing::warn!("drain watcher not started ({e}); waiting the full grace period");
    }
}
