//! A codec run over a stream of bytes, trimmed to a span: the bytes a store write consumes,
//! or the bytes a read sends.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::stream::{Stream, StreamExt};

use super::{Codec, TransformError, TransformedError};

/// `inner` through `codec` (or unchanged), then `skip` bytes dropped and at most `take` kept.
pub struct Transformed<S> {
    inner: S,
    codec: Option<Box<dyn Codec>>,
    out: BytesMut,
    skip: u64,
    take: Option<u64>,
    ended: bool,
}

impl<S> Transformed<S> {
    /// The whole output of `codec` over `inner`.
    pub fn new(inner: S, codec: Option<Box<dyn Codec>>) -> Self {
        Transformed {
            inner,
            codec,
            out: BytesMut::new(),
            skip: 0,
            take: None,
            ended: false,
        }
    }

    /// Only `len` bytes of the output, after the first `skip`.
    pub fn span(mut self, skip: u64, len: u64) -> Self {
        self.skip = skip;
        self.take = Some(len);
        self
    }

    /// Applies skip and take to a piece of output; `None` when nothing of it is kept.
    fn trim(&mut self, mut bytes: Bytes) -> Option<Bytes> {
        if self.skip > 0 {
            let drop = self.skip.min(bytes.len() as u64) as usize;
            self.skip -= drop as u64;
            bytes = bytes.slice(drop..);
        }
        if let Some(left) = self.take.as_mut() {
            let keep = (*left).min(bytes.len() as u64) as usize;
            *left -= keep as u64;
            bytes.truncate(keep);
        }
        (!bytes.is_empty()).then_some(bytes)
    }

    fn satisfied(&self) -> bool {
        self.take == Some(0)
    }
}

impl<S, E> Stream for Transformed<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, TransformedError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.ended || this.satisfied() {
                return Poll::Ready(None);
            }
            let next = ready!(this.inner.poll_next_unpin(cx));
            let produced: Result<Bytes, TransformError> = match (next, this.codec.as_mut()) {
                (Some(Err(e)), _) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(TransformedError::Source(e))));
                }
                (Some(Ok(bytes)), None) => Ok(bytes),
                (Some(Ok(bytes)), Some(codec)) => codec
                    .push(bytes, &mut this.out)
                    .map(|()| this.out.split().freeze()),
                (None, Some(codec)) => {
                    this.ended = true;
                    codec
                        .finish(&mut this.out)
                        .map(|()| this.out.split().freeze())
                }
                (None, None) => {
                    this.ended = true;
                    Ok(Bytes::new())
                }
            };
            match produced {
                Ok(bytes) => {
                    if let Some(kept) = this.trim(bytes) {
                        return Poll::Ready(Some(Ok(kept)));
                    }
                }
                Err(e) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
            }
        }
    }
}
