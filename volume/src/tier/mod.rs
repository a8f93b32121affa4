//! Remote tiers: object stores the caller reaches (the gateway, through OpenDAL: S3 and
//! S3-compatibles, Azure Blob, GCS, a filesystem). A version moved to a tier is one remote
//! object named by a random id (`FORMAT.md`, "Remote tiers"); this module writes, reads and
//! deletes such objects, checks their digests, counts, and turns the store's failures into
//! "tier unavailable" (503), never into wrong bytes.

mod remote;
mod stats;

use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Invalid, Result, Unavailable};
use crate::object::body::ObjectBody;
pub use remote::{Remote, RemoteError, RemoteStream, RemoteTier};
pub use stats::TierStats;
use stats::{Counted, TierCounters};

/// The configured tiers.
#[derive(Default)]
pub(crate) struct Tiers {
    tiers: Vec<Arc<Tier>>,
}

/// After a failed write, moves to the tier wait this long before trying it again, so that a
/// tier that is down costs each object of a pass nothing (no intent record, no request).
const WRITE_BACKOFF: Duration = Duration::from_secs(10);

/// One tier's client.
pub(crate) struct Tier {
    pub(crate) name: String,
    client: Arc<dyn Remote>,
    /// When the last write failed.
    write_failed: Mutex<Option<Instant>>,
    counters: TierCounters,
}

impl Tiers {
    /// The tiers of `configs`; names must be distinct.
    pub(crate) fn new(configs: &[RemoteTier]) -> Result<Self> {
        let mut tiers: Vec<Arc<Tier>> = Vec::new();
        for c in configs {
            if c.name.is_empty() || tiers.iter().any(|t| t.name.eq_ignore_ascii_case(&c.name)) {
                return Err(Error::config(format!(
                    "tier name {:?} is empty or repeated",
                    c.name
                )));
            }
            tiers.push(Arc::new(Tier {
                name: c.name.clone(),
                client: c.client.clone(),
                write_failed: Mutex::new(None),
                counters: TierCounters::default(),
            }));
        }
        Ok(Tiers { tiers })
    }

    /// The tier named `name` (case-insensitive).
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<Tier>> {
        self.tiers
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The tier a version's data names: it must still be configured.
    pub(crate) fn of_data(&self, name: &str) -> Result<&Arc<Tier>> {
        self.get(name).ok_or_else(|| {
            Unavailable::Tier {
                tier: name.to_string(),
                reason: "the tier is no longer configured".into(),
            }
            .into()
        })
    }

    /// The tier a caller asked for by name.
    pub(crate) fn named(&self, name: &str) -> Result<&Arc<Tier>> {
        self.get(name)
            .ok_or_else(|| Invalid::StorageClass(name.to_string()).into())
    }

    /// Names, in configuration order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.tiers.iter().map(|t| t.name.clone()).collect()
    }

    /// Each tier's counts, in configuration order.
    pub(crate) fn stats(&self) -> Vec<TierStats> {
        self.tiers.iter().map(|t| t.stats()).collect()
    }
}

/// The remote name of object `id`: its hex, nothing else.
fn path_of(id: &[u8; 16]) -> String {
    hex::encode(id)
}

impl Tier {
    fn down(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Unavailable::Tier {
            tier: self.name.clone(),
            reason: format!("{what}: {e}"),
        }
        .into()
    }

    /// Refuses a write while the tier is backing off after a failed one.
    pub(crate) fn writable(&self) -> Result<()> {
        let failed = *self.write_failed.lock().unwrap_or_else(|e| e.into_inner());
        match failed {
            Some(at) if at.elapsed() < WRITE_BACKOFF => Err(Unavailable::Tier {
                tier: self.name.clone(),
                reason: format!(
                    "a write failed {} s ago; the next is tried after {} s",
                    at.elapsed().as_secs(),
                    WRITE_BACKOFF.as_secs()
                ),
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Writes `body` as object `id`; returns its length and XXH3-128. A failed write is
    /// aborted (the service removes what it had), and the caller's error wins over the
    /// tier's; a tier's failure starts the write backoff.
    pub(crate) async fn put<S>(&self, id: &[u8; 16], body: S) -> Result<(u64, [u8; 16])>
    where
        S: Stream<Item = Result<Bytes>> + Send + Unpin,
    {
        let written = self.write(id, body).await;
        if let Err(Error::Unavailable(_)) = &written {
            *self.write_failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        }
        self.counters.count(Counted::Write {
            ok: written.is_ok(),
            bytes: written.as_ref().map_or(0, |w| w.0),
        });
        written
    }

    async fn write<S>(&self, id: &[u8; 16], body: S) -> Result<(u64, [u8; 16])>
    where
        S: Stream<Item = Result<Bytes>> + Send + Unpin,
    {
        let mut hash = Xxh3::new();
        let mut size = 0u64;
        // The body's own failure (a local read) is kept apart: it wins over the tier's.
        let failed: Mutex<Option<Error>> = Mutex::new(None);
        let counted = body.map(|chunk| match chunk {
            Ok(chunk) => {
                hash.update(&chunk);
                size += chunk.len() as u64;
                Ok(chunk)
            }
            Err(e) => {
                let text = e.to_string();
                *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                Err(RemoteError(text))
            }
        });
        let put = self.client.put(&path_of(id), counted.boxed()).await;
        if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e);
        }
        put.map_err(|e| self.down("writing", e))?;
        Ok((size, hash.digest128().to_le_bytes()))
    }

    /// Streams bytes `range` of object `id`. With `whole` (its length and digest) the range
    /// is the whole object and its digest is checked before the last chunk goes out, so a
    /// damaged object ends the body with an error rather than with wrong bytes.
    pub(crate) fn read(
        self: &Arc<Self>,
        id: &[u8; 16],
        range: Range<u64>,
        whole: Option<[u8; 16]>,
    ) -> ObjectBody {
        if range.is_empty() {
            return ObjectBody::ready(Bytes::new());
        }
        let (tx, rx) = mpsc::channel(2);
        let (tier, path) = (self.clone(), path_of(id));
        tokio::spawn(async move {
            let streamed = tier.stream(&path, range, whole, &tx).await;
            tier.counters.count(Counted::Read {
                ok: streamed.is_ok(),
                bytes: *streamed.as_ref().unwrap_or(&0),
            });
            if let Err(e) = streamed {
                let _ = tx.send(Err(e)).await;
            }
        });
        ObjectBody::channel(rx)
    }

    async fn stream(
        &self,
        path: &str,
        range: Range<u64>,
        whole: Option<[u8; 16]>,
        tx: &mpsc::Sender<Result<Bytes>>,
    ) -> Result<u64> {
        let want = range.end - range.start;
        let mut chunks = self
            .client
            .read(path, range)
            .await
            .map_err(|e| self.down("reading", e))?;
        let mut hash = whole.map(|_| Xxh3::new());
        let mut held: Option<Bytes> = None;
        let mut got = 0u64;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| self.down("reading", e))?;
            got += chunk.len() as u64;
            if let Some(h) = hash.as_mut() {
                h.update(&chunk);
            }
            if let Some(prev) = held.replace(chunk) {
                if tx.send(Ok(prev)).await.is_err() {
                    // The reader went away: what it took is what was read.
                    return Ok(got);
                }
            }
        }
        if got != want {
            return Err(Error::corrupt(format!(
                "tier {}: object {path} gave {got} bytes where {want} were asked",
                self.name
            )));
        }
        if let (Some(h), Some(expected)) = (hash, whole) {
            if h.digest128().to_le_bytes() != expected {
                return Err(Error::corrupt(format!(
                    "tier {}: object {path} does not match its digest",
                    self.name
                )));
            }
        }
        if let Some(last) = held {
            let _ = tx.send(Ok(last)).await;
        }
        Ok(got)
    }

    /// Deletes object `id` (absent is fine).
    pub(crate) async fn delete(&self, id: &[u8; 16]) -> Result<()> {
        let deleted = self.client.delete(&path_of(id)).await;
        self.counters.count(Counted::Delete {
            ok: deleted.is_ok(),
        });
        deleted.map_err(|e| self.down("deleting", e))
    }

    /// What the tier has been asked since start.
    pub(crate) fn stats(&self) -> TierStats {
        self.counters.stats(&self.name)
    }
}
