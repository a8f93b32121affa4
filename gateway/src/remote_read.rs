//! A remote tier's reads with chunks fetched ahead. Clouds hold each connection well below
//! what a pod's link carries (S3 documents about 100 MB/s), so one streamed GET caps a
//! read-through at one connection's rate. With `read_ahead = N` a read streams its first
//! chunk as it arrives while the next chunks are fetched, each by its own ranged GET, at
//! most N at once, and handed on in order. A tier-wide budget bounds the memory those
//! chunks hold: a read that finds it spent streams the rest of its range with one GET.

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{self, StreamExt, TryStreamExt};
use opendal::{Buffer, Operator};
use strata_volume::{RemoteError, RemoteStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use crate::metrics::TierReadAhead;

/// Bytes per ranged GET fetched ahead: what S3's guidance names for parallel ranged reads.
pub const READ_CHUNK: u64 = 8 << 20;
/// Chunks all reads of one tier may hold fetched ahead at once (128 MiB).
const BUDGET_CHUNKS: usize = 16;

/// How one tier reads.
pub struct ReadAhead {
    /// Ranged GETs in flight per read beyond the streamed first chunk (0: one GET).
    per_read: usize,
    /// Chunks that may be held fetched ahead, all reads of the tier together.
    budget: Arc<Semaphore>,
    /// Chunks fetched ahead, and reads that found the budget spent.
    counted: TierReadAhead,
}

impl ReadAhead {
    /// `per_read` chunks ahead per read, within the tier's budget, counted into `counted`.
    pub fn new(per_read: usize, counted: TierReadAhead) -> Self {
        Self::with_budget(per_read, BUDGET_CHUNKS, counted)
    }

    fn with_budget(per_read: usize, chunks: usize, counted: TierReadAhead) -> Self {
        Self {
            per_read,
            budget: Arc::new(Semaphore::new(chunks)),
            counted,
        }
    }

    /// Bytes `range` of object `name`, in order; a failure ends them with its error, never
    /// with bytes from elsewhere in the object.
    pub async fn read(
        &self,
        op: &Operator,
        name: &str,
        range: Range<u64>,
    ) -> Result<RemoteStream<'static>, RemoteError> {
        if self.per_read == 0 || range.end - range.start <= READ_CHUNK {
            return streamed(op, name, range).await;
        }
        let split = range.start + READ_CHUNK;
        let first = streamed(op, name, range.start..split).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(fetch_ahead(
            Fetcher {
                op: op.clone(),
                name: name.to_string(),
            },
            split..range.end,
            Arc::new(Semaphore::new(self.per_read)),
            self.budget.clone(),
            self.counted.clone(),
            tx,
        ));
        let reading = Reading {
            current: Some(first),
            held: Vec::new(),
            queue: rx,
            op: op.clone(),
            name: name.to_string(),
        };
        Ok(stream::unfold(Some(reading), next_piece).boxed())
    }
}

/// One ranged GET streamed through, chunk by chunk as the network gives them.
async fn streamed(
    op: &Operator,
    name: &str,
    range: Range<u64>,
) -> Result<RemoteStream<'static>, RemoteError> {
    let reader = op.reader(name).await.map_err(failed)?;
    let chunks = reader.into_bytes_stream(range).await.map_err(failed)?;
    Ok(chunks.map_err(|e| RemoteError(e.to_string())).boxed())
}

pub(crate) fn failed(e: opendal::Error) -> RemoteError {
    RemoteError(e.to_string())
}

/// What the fetching task hands the read next, in the range's order.
enum Piece {
    /// A chunk being fetched, and the permits it holds until the read has passed it on.
    Chunk(Fetch, [OwnedSemaphorePermit; 2]),
    /// The rest of the range, to stream with one GET: the tier's budget was spent.
    Rest(Range<u64>),
}

/// A spawned ranged GET, cancelled when the read that wanted it goes away.
struct Fetch(JoinHandle<Result<Buffer, RemoteError>>);

impl Drop for Fetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Future for Fetch {
    type Output = Result<Buffer, RemoteError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|joined| {
            joined.unwrap_or_else(|e| Err(RemoteError(format!("a ranged read failed: {e}"))))
        })
    }
}

struct Fetcher {
    op: Operator,
    name: String,
}

/// Starts the GETs of `rest` chunk by chunk, each once the read has a free slot
/// (`slots`) and the tier a free chunk of budget; hands them over in order.
async fn fetch_ahead(
    from: Fetcher,
    rest: Range<u64>,
    slots: Arc<Semaphore>,
    budget: Arc<Semaphore>,
    counted: TierReadAhead,
    tx: mpsc::UnboundedSender<Piece>,
) {
    let mut at = rest.start;
    while at < rest.end {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        if tx.is_closed() {
            return;
        }
        let Ok(memory) = budget.clone().try_acquire_owned() else {
            counted.budget_spent.inc();
            let _ = tx.send(Piece::Rest(at..rest.end));
            return;
        };
        counted.chunks.inc();
        let end = (at + READ_CHUNK).min(rest.end);
        let (op, name) = (from.op.clone(), from.name.clone());
        let fetch = Fetch(tokio::spawn(async move {
            op.read_with(&name).range(at..end).await.map_err(failed)
        }));
        if tx.send(Piece::Chunk(fetch, [slot, memory])).is_err() {
            return;
        }
        at = end;
    }
}

/// A read in progress: the pieces it streams, in order.
struct Reading {
    current: Option<RemoteStream<'static>>,
    /// The permits of the chunk `current` streams.
    held: Vec<OwnedSemaphorePermit>,
    queue: mpsc::UnboundedReceiver<Piece>,
    op: Operator,
    name: String,
}

/// The read's next bytes; after an error, the end.
async fn next_piece(
    state: Option<Reading>,
) -> Option<(Result<bytes::Bytes, RemoteError>, Option<Reading>)> {
    let mut r = state?;
    loop {
        if let Some(current) = r.current.as_mut() {
            match current.next().await {
                Some(Ok(bytes)) => return Some((Ok(bytes), Some(r))),
                Some(Err(e)) => return Some((Err(e), None)),
                None => {
                    r.current = None;
                    r.held.clear();
                }
            }
        }
        let piece = r.queue.recv().await?;
        let opened = match piece {
            Piece::Chunk(fetch, permits) => fetch.await.map(|buffer| {
                r.held = permits.into();
                stream::iter(Iterator::map(buffer, Ok)).boxed()
            }),
            Piece::Rest(range) => streamed(&r.op, &r.name, range).await,
        };
        match opened {
            Ok(next) => r.current = Some(next),
            Err(e) => return Some((Err(e), None)),
        }
    }
}

#[cfg(test)]
#[path = "remote_read_tests.rs"]
mod tests;
