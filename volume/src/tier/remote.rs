//! What the volume needs of a remote object store. The volume knows no HTTP: the gateway
//! implements this over OpenDAL (S3, Azure Blob, GCS, a filesystem, ...), and tests may
//! implement it over anything.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

/// Bytes going to or coming from a remote store.
pub type RemoteStream<'a> = BoxStream<'a, Result<Bytes, RemoteError>>;

/// A remote store's failure, as text (the service, the call, the cause).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RemoteError(pub String);

/// A remote object store holding objects by name.
pub trait Remote: Send + Sync + 'static {
    /// Writes `body` as object `name`; done when the store has it durably. A failing
    /// `body` (or store) leaves no object behind as far as the store allows.
    fn put<'a>(
        &'a self,
        name: &'a str,
        body: RemoteStream<'a>,
    ) -> BoxFuture<'a, Result<(), RemoteError>>;

    /// Starts reading bytes `range` of object `name`.
    fn read<'a>(
        &'a self,
        name: &'a str,
        range: Range<u64>,
    ) -> BoxFuture<'a, Result<RemoteStream<'static>, RemoteError>>;

    /// Deletes object `name`; one that is not there is deleted.
    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), RemoteError>>;
}

/// A remote tier: its name (what versions record) and its store.
#[derive(Clone)]
pub struct RemoteTier {
    /// The tier's name.
    pub name: String,
    /// Its store.
    pub client: Arc<dyn Remote>,
}

impl std::fmt::Debug for RemoteTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteTier")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
