//! Remote tiers: object stores reached through OpenDAL (S3 and S3-compatibles, Azure Blob,
//! GCS, a filesystem). A version moved to a tier is one remote object named by a random id
//! (`FORMAT.md`, "Remote tiers"); this module writes, reads and deletes such objects and
//! turns the service's failures into "tier unavailable" (503), never into wrong bytes.

use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use opendal::layers::{RetryLayer, TimeoutLayer};
use opendal::Operator;
use tokio::sync::mpsc;
use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Invalid, Result, Unavailable};
use crate::object::body::ObjectBody;

/// Bytes per remote write request (S3 multipart part, Azure block): big enough for
/// throughput, small enough that two in flight stay a small share of memory.
const WRITE_CHUNK: usize = 8 << 20;
/// Remote write requests in flight per object.
const WRITES_IN_FLIGHT: usize = 2;

/// One remote tier as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierConfig {
    /// The tier's name: what versions record and lifecycle rules target (through the
    /// gateway's S3 storage-class name).
    pub name: String,
    /// The OpenDAL service: `s3`, `azblob`, `gcs`, `fs`, ...
    pub service: String,
    /// The service's options (`bucket`, `endpoint`, `root`, credentials, ...).
    pub options: Vec<(String, String)>,
}

/// The configured tiers.
#[derive(Default)]
pub(crate) struct Tiers {
    tiers: Vec<Arc<Tier>>,
}

/// Longest wait for one remote call that moves no data (stat, delete, opening a read).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for one read or write of data.
const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// Retries of a failed remote call, the first after `RETRY_DELAY`, doubling.
const RETRIES: usize = 2;
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// After a failed write, moves to the tier wait this long before trying it again, so that a
/// tier that is down costs each object of a pass nothing (no intent record, no request).
const WRITE_BACKOFF: Duration = Duration::from_secs(10);

/// One tier's client.
pub(crate) struct Tier {
    pub(crate) name: String,
    op: Operator,
    /// When the last write failed.
    write_failed: Mutex<Option<Instant>>,
}

impl Tiers {
    /// Builds a client per tier; a service OpenDAL does not know or an option it refuses is
    /// a configuration error.
    pub(crate) fn open(configs: &[TierConfig]) -> Result<Self> {
        opendal::init_default_registry();
        let mut tiers: Vec<Arc<Tier>> = Vec::new();
        for c in configs {
            if c.name.is_empty() || tiers.iter().any(|t| t.name.eq_ignore_ascii_case(&c.name)) {
                return Err(Error::config(format!(
                    "tier name {:?} is empty or repeated",
                    c.name
                )));
            }
            let op = Operator::via_iter(&c.service, c.options.clone())
                .map_err(|e| Error::config(format!("tier {} ({}): {e}", c.name, c.service)))?
                // Each attempt is bounded (a hung tier must not hang a GET), and transient
                // failures are tried again briefly before a request answers 503.
                .layer(
                    TimeoutLayer::new()
                        .with_timeout(CALL_TIMEOUT)
                        .with_io_timeout(IO_TIMEOUT),
                )
                .layer(
                    RetryLayer::new()
                        .with_max_times(RETRIES)
                        .with_min_delay(RETRY_DELAY)
                        .with_jitter(),
                );
            tiers.push(Arc::new(Tier {
                name: c.name.clone(),
                op,
                write_failed: Mutex::new(None),
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
    /// tier's.
    pub(crate) async fn put<S>(&self, id: &[u8; 16], body: S) -> Result<(u64, [u8; 16])>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        let opened = self
            .op
            .writer_with(&path_of(id))
            .chunk(WRITE_CHUNK)
            .concurrent(WRITES_IN_FLIGHT)
            .await;
        let mut w = match opened {
            Ok(w) => w,
            Err(e) => {
                *self.write_failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                return Err(self.down("opening a write", e));
            }
        };
        let mut hash = Xxh3::new();
        let mut size = 0u64;
        let mut body = body;
        let written: Result<()> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                hash.update(&chunk);
                size += chunk.len() as u64;
                w.write(chunk).await.map_err(|e| self.down("writing", e))?;
            }
            w.close()
                .await
                .map_err(|e| self.down("finishing a write", e))?;
            Ok(())
        }
        .await;
        if let Err(e) = written {
            if matches!(e, Error::Unavailable(_)) {
                *self.write_failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            }
            if let Err(abort) = w.abort().await {
                tracing::debug!(tier = %self.name, error = %abort, "aborting a remote write failed");
            }
            return Err(e);
        }
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
            if let Err(e) = tier.stream(&path, range, whole, &tx).await {
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
    ) -> Result<()> {
        let want = range.end - range.start;
        let reader = self
            .op
            .reader_with(path)
            .chunk(WRITE_CHUNK)
            .await
            .map_err(|e| self.down("opening a read", e))?;
        let mut chunks = reader
            .into_bytes_stream(range)
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
                    return Ok(());
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
        Ok(())
    }

    /// Deletes object `id` (absent is fine).
    pub(crate) async fn delete(&self, id: &[u8; 16]) -> Result<()> {
        self.op
            .delete(&path_of(id))
            .await
            .map_err(|e| self.down("deleting", e))
    }
}
