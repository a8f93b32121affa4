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
    /// A channel whose first chunk was taken to see that the read started.
    Started(Option<Bytes>, mpsc::Receiver<Result<Bytes, Error>>),
}

impl ObjectBody {
    /// A body that is already in memory (inline objects, empty ranges).
    pub fn ready(bytes: Bytes) -> Self {
        ObjectBody {
            inner: Inner::Ready((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// Waits for the first bytes, so that a read that cannot start (a remote tier that is
    /// down, too few volumes) fails before a response is sent rather than in its body.
    pub async fn started(self) -> Result<Self, Error> {
        let Inner::Channel(mut rx) = self.inner else {
            return Ok(self);
        };
        let inner = match rx.recv().await {
            Some(Err(e)) => return Err(e),
            Some(Ok(first)) => Inner::Started(Some(first), rx),
            None => Inner::Ready(None),
        };
        Ok(ObjectBody { inner })
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
            Inner::Started(first, rx) => match first.take() {
                Some(b) => Poll::Ready(Some(Ok(b))),
                None => rx.poll_recv(cx),
            },
        }
    }
}

impl std::fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObjectBody")
    }
}
