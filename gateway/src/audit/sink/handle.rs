//! Starting a sink, pushing to it, and stopping it.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::buffer::{Buffer, BufferStore, DiskStore, MemoryStore};
use super::driver::Driver;
use super::health::{SinkHealth, SinkMetrics};
use super::service::SinkService;
use super::spec::{BufferSettings, SinkSpec};
use super::Record;
use crate::observe::Backpressure;

/// A running sink. Clones share it.
#[derive(Clone)]
pub struct SinkHandle {
    name: Arc<str>,
    buffer: Arc<Buffer>,
    health: SinkHealth,
    stop: Arc<watch::Sender<Option<Instant>>>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

/// Opens the sink's buffer and starts its task on `runtime`. Fails only when a disk
/// buffer's directory cannot be opened.
pub fn spawn(
    spec: SinkSpec,
    service: Arc<dyn SinkService>,
    metrics: &SinkMetrics,
    runtime: &Handle,
) -> io::Result<SinkHandle> {
    let health = metrics.for_sink(&spec.name, spec.kind);
    let store: Box<dyn BufferStore> = match &spec.buffer {
        BufferSettings::Memory {
            max_events,
            max_bytes,
        } => Box::new(MemoryStore::new(*max_events, *max_bytes)),
        BufferSettings::Disk { path, max_bytes } => Box::new(DiskStore::open(path, *max_bytes)?),
    };
    let buffer = Arc::new(Buffer::new(
        store,
        spec.when_full,
        health.clone(),
        &spec.batch,
    ));
    let (stop_tx, stop_rx) = watch::channel(None);
    let name: Arc<str> = spec.name.as_str().into();
    let driver = Driver {
        buffer: Arc::clone(&buffer),
        service,
        spec,
        health: health.clone(),
        stop: stop_rx,
    };
    let task = runtime.spawn(driver.run());
    Ok(SinkHandle {
        name,
        buffer,
        health,
        stop: Arc::new(stop_tx),
        task: Arc::new(Mutex::new(Some(task))),
    })
}

impl SinkHandle {
    /// The configured name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Hands `record` to the sink; `Some` only under policy `block` with a full buffer.
    pub fn push(&self, record: Record) -> Backpressure {
        self.buffer.push(record)
    }

    /// Under policy `block` with a full buffer, the wait until it has room; `None` otherwise.
    pub fn wait_for_room(&self) -> Backpressure {
        self.buffer.wait_for_room()
    }

    /// The sink's counters and gauges.
    pub fn health(&self) -> &SinkHealth {
        &self.health
    }

    /// Sends what is buffered, then stops; gives up after `within` (a disk buffer keeps
    /// what was not delivered for the next start). Later calls return at once.
    pub async fn shutdown(&self, within: Duration) {
        let deadline = Instant::now() + within;
        self.stop.send_replace(Some(deadline));
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut task) = task {
            // The task obeys the deadline; the margin covers a send already under way.
            if tokio::time::timeout(within + Duration::from_secs(1), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}
