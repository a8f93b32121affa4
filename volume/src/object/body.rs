//! The body of a get: a stream of byte chunks fed by a reader thread (or one ready chunk).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use tokio::sync::mpsc;

use crate::error::Error;

/// Bytes of an object, in order. Dropping it stops the reader.
pub struct ObjectBody {
    inner: Inner,
}

enum Inner {
    Ready(Option<Bytes>),
    Channel(mpsc::Receiver<Result<Bytes, Error>>),
}

impl ObjectBody {
    /// A body that is already in memory (inline objects, empty ranges).
    pub fn ready(bytes: Bytes) -> Self {
        ObjectBody {
            inner: Inner::Ready((!bytes.is_empty()).then_some(bytes)),
        }
    }

    pub(crate) fn channel(rx: mpsc::Receiver<Result<Bytes, Error>>) -> Self {
        ObjectBody {
            inner: Inner::Channel(rx),
        }
    }
}

impl Stream for ObjectBody {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.get_mut().inner {
            Inner::Ready(b) => Poll::Ready(b.take().map(Ok)),
            Inner::Channel(rx) => rx.poll_recv(cx),
        }
    }
}

impl std::fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObjectBody")
    }
}
