//! A checksum of bytes a copy streams from its source, for a destination that needs a value
//! the source does not have (UploadPartCopy into an upload created with an algorithm,
//! CopyObject with `x-amz-checksum-algorithm` or of a multipart source).

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::checksum::{ChecksumAlgorithm, ChecksumHasher, ChecksumValue};

/// Passes a stream on unchanged, taking a checksum of its bytes when asked.
pub struct ChecksumTap<S> {
    inner: S,
    hasher: Option<ChecksumHasher>,
    ended: bool,
}

impl<S> ChecksumTap<S> {
    /// Passes `inner` on, computing `algorithm` over it when one is given.
    pub fn new(inner: S, algorithm: Option<ChecksumAlgorithm>) -> Self {
        ChecksumTap {
            inner,
            hasher: algorithm.map(ChecksumAlgorithm::hasher),
            ended: false,
        }
    }

    /// The checksum of every byte passed on; `None` when not asked for or when the stream
    /// did not reach its end.
    pub fn finish(self) -> Option<ChecksumValue> {
        self.hasher
            .filter(|_| self.ended)
            .map(ChecksumHasher::finalize)
    }
}

impl<S, E> Stream for ChecksumTap<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let next = ready!(this.inner.poll_next_unpin(cx));
        match (&next, this.hasher.as_mut()) {
            (Some(Ok(bytes)), Some(hasher)) => hasher.update(bytes),
            (None, _) => this.ended = true,
            _ => {}
        }
        Poll::Ready(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::checksum;

    #[tokio::test]
    async fn the_tap_passes_bytes_on_and_checksums_them_once_they_end() {
        let chunks: Vec<Result<Bytes, ()>> =
            vec![Ok(Bytes::from("hello ")), Ok(Bytes::from("world"))];
        let mut tap = ChecksumTap::new(
            futures::stream::iter(chunks.clone()),
            Some(ChecksumAlgorithm::Crc32c),
        );
        let mut passed = Vec::new();
        while let Some(Ok(b)) = tap.next().await {
            passed.extend_from_slice(&b);
        }
        assert_eq!(passed, b"hello world");
        assert_eq!(
            tap.finish(),
            Some(checksum(ChecksumAlgorithm::Crc32c, b"hello world"))
        );

        let mut unfinished = ChecksumTap::new(
            futures::stream::iter(chunks.clone()),
            Some(ChecksumAlgorithm::Crc32),
        );
        let _ = unfinished.next().await;
        assert_eq!(unfinished.finish(), None, "a stream that did not end");
        let off = ChecksumTap::new(futures::stream::iter(chunks), None);
        assert_eq!(off.finish(), None);
    }
}
