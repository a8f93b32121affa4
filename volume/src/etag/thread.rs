//! Scalar MD5 of one body on a blocking thread of its own: the fallback without AVX2.

use bytes::Bytes;
use md5::{Digest, Md5};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::stopped::stopped;
use crate::error::Result;

pub(crate) struct ThreadStream {
    tx: mpsc::Sender<Bytes>,
    hasher: JoinHandle<[u8; 16]>,
}

impl ThreadStream {
    pub(super) fn start(depth: usize) -> ThreadStream {
        let (tx, mut rx) = mpsc::channel::<Bytes>(depth.max(1));
        let hasher = tokio::task::spawn_blocking(move || {
            let mut h = Md5::new();
            while let Some(block) = rx.blocking_recv() {
                h.update(&block);
            }
            h.finalize().into()
        });
        ThreadStream { tx, hasher }
    }

    pub(super) async fn update(&mut self, bytes: Bytes) -> Result<()> {
        self.tx.send(bytes).await.map_err(|_| stopped())
    }

    pub(super) async fn finish(self) -> Result<[u8; 16]> {
        drop(self.tx);
        self.hasher.await.map_err(|_| stopped())
    }
}
