//! The MD5 of client bytes that a transform stores in another form (their ETag). A large
//! body's is taken off the request's task: each chunk passed on is also queued to the store's
//! MD5 hasher, whose AVX2 lanes hash concurrent bodies side by side on one thread. A body of
//! at most one erasure block is hashed in place, as the store hashes its own small bodies:
//! handing it to another thread would cost more than hashing it.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use strata_volume::{Md5Stream, Store, BLOCK_SIZE};

use crate::checksum::Md5Hasher;

type Queued = Pin<Box<dyn Future<Output = (Md5Stream, strata_volume::Result<()>)> + Send>>;

enum Hasher {
    /// Not hashing.
    Off,
    /// Hashing in place.
    Inline(Md5Hasher),
    /// Ready for the next chunk.
    Idle(Md5Stream),
    /// Queuing a chunk (waits while the hasher is behind: the body waits with it).
    Queuing(Queued),
    /// The hasher stopped; the digest reports it.
    Failed(strata_volume::Error),
}

/// Passes a stream on unchanged, taking the MD5 of its bytes when asked.
pub struct Md5Tap<S> {
    inner: S,
    hasher: Hasher,
    ended: bool,
}

impl<S> Md5Tap<S> {
    /// Passes `inner` on, hashing it when `hash`: in place when its announced length `len`
    /// fits one erasure block, else with `store`'s MD5 hasher.
    pub fn new(inner: S, hash: bool, len: Option<u64>, store: &Store) -> Self {
        let hasher = match (hash, len) {
            (false, _) => Hasher::Off,
            (true, Some(n)) if n <= BLOCK_SIZE => Hasher::Inline(Md5Hasher::new()),
            (true, _) => Hasher::Idle(store.md5_stream()),
        };
        Md5Tap {
            inner,
            hasher,
            ended: false,
        }
    }

    /// The MD5 of every byte passed on: `None` when not hashing or when the stream did not
    /// end (a failed body), an error when the hasher failed.
    pub async fn digest(self) -> strata_volume::Result<Option<[u8; 16]>> {
        let stream = match self.hasher {
            Hasher::Off => return Ok(None),
            Hasher::Inline(h) => return Ok(self.ended.then(|| h.finalize())),
            Hasher::Failed(e) => return Err(e),
            Hasher::Idle(s) => s,
            Hasher::Queuing(queued) => {
                let (s, queued) = queued.await;
                queued?;
                s
            }
        };
        if !self.ended {
            return Ok(None);
        }
        stream.finish().await.map(Some)
    }

    /// Waits for the chunk being queued, if any.
    fn poll_queued(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Hasher::Queuing(queued) = &mut self.hasher {
            let (s, queued) = ready!(queued.as_mut().poll(cx));
            self.hasher = match queued {
                Ok(()) => Hasher::Idle(s),
                Err(e) => Hasher::Failed(e),
            };
        }
        Poll::Ready(())
    }

    /// Starts queuing `bytes` (a cheap clone of the chunk passed on).
    fn queue(&mut self, bytes: &Bytes, cx: &mut Context<'_>) {
        self.hasher = match std::mem::replace(&mut self.hasher, Hasher::Off) {
            Hasher::Inline(mut h) => {
                h.update(bytes);
                Hasher::Inline(h)
            }
            Hasher::Idle(mut s) => {
                let bytes = bytes.clone();
                Hasher::Queuing(Box::pin(async move {
                    let queued = s.update(bytes).await;
                    (s, queued)
                }))
            }
            other => other,
        };
        // Hand the chunk over now rather than at the next poll.
        let _ = self.poll_queued(cx);
    }
}

impl<S, E> Stream for Md5Tap<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        ready!(this.poll_queued(cx));
        let next = ready!(this.inner.poll_next_unpin(cx));
        match &next {
            Some(Ok(bytes)) => this.queue(bytes, cx),
            None => this.ended = true,
            Some(Err(_)) => {}
        }
        Poll::Ready(next)
    }
}
