//! What the admin handlers act on: the store, the way to stop the server, its start time.

use std::sync::Arc;
use std::time::Instant;

use strata_volume::{Maintenance, Store};

use crate::reseal::Reseal;
use crate::transform::sse::KmsKeys;

/// A graceful stop of the whole server (the server's shutdown trigger).
pub trait Stop: Send + Sync {
    /// Begins a graceful shutdown.
    fn stop(&self);

    /// Whether shutdown has begun.
    fn is_stopping(&self) -> bool;
}

/// The server as the admin handlers see it.
#[derive(Clone)]
pub struct AdminServer {
    /// The volume engine.
    pub store: Store,
    /// Stops the server.
    pub stop: Arc<dyn Stop>,
    /// When the server started (for uptime).
    pub started: Instant,
    /// The re-seal after a KMS key rotation (`None`: no encryption keys in this server).
    pub reseal: Option<Arc<Reseal>>,
    /// The KMS that SSE-KMS uses (`None`: encryption is not set up).
    pub kms: Option<KmsAdmin>,
    /// The healer and the scanner (`None`: not started, as in some tests).
    pub maintenance: Option<Arc<Maintenance>>,
}

/// The KMS as the admin API manages it.
#[derive(Clone)]
pub struct KmsAdmin {
    /// Its keys.
    pub keys: Arc<KmsKeys>,
    /// Why its keys may not be created or rotated here, if so: the default keyring under
    /// `--data` is also kept as a copy in the store, which a change at runtime would leave
    /// behind (a restart would then refuse the file, or an emptyDir get the old keys back).
    pub frozen: Option<&'static str>,
}
