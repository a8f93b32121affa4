//! The hasher a store starts once, and the stream each body hashes through.

use bytes::Bytes;

use super::thread;
#[cfg(target_arch = "x86_64")]
use super::{lanes, x8};
use crate::error::Result;

/// Chunks a body may have queued for a thread of its own before its sender waits.
const QUEUE_DEPTH: usize = 2;
/// Bytes a body may have queued for the lanes before its sender waits (two erasure blocks).
#[cfg(target_arch = "x86_64")]
const QUEUE_BYTES: usize = 2 * crate::BLOCK_SIZE as usize;

/// Hashes the bodies of one store.
pub(crate) enum Md5Service {
    /// AVX2 lanes on one scheduler thread.
    #[cfg(target_arch = "x86_64")]
    Lanes(lanes::LaneService),
    /// One blocking thread per body.
    Threads,
}

impl Md5Service {
    /// Lanes where the CPU allows, else a thread per body.
    pub(crate) fn start() -> Md5Service {
        #[cfg(target_arch = "x86_64")]
        if let Some(x8) = x8::X8::detect() {
            match lanes::LaneService::start(x8, QUEUE_BYTES) {
                Ok(service) => return Md5Service::Lanes(service),
                Err(e) => tracing::warn!(error = %e, "no md5 lane thread; hashing per body"),
            }
        }
        Md5Service::Threads
    }

    /// Starts hashing one body.
    pub(crate) fn stream(&self) -> Md5Stream {
        Md5Stream(match self {
            #[cfg(target_arch = "x86_64")]
            Md5Service::Lanes(s) => Hashing::Lanes(s.stream()),
            Md5Service::Threads => Hashing::Thread(thread::ThreadStream::start(QUEUE_DEPTH)),
        })
    }
}

/// One body being hashed: feed its bytes in order, then take the digest.
pub struct Md5Stream(Hashing);

enum Hashing {
    #[cfg(target_arch = "x86_64")]
    Lanes(lanes::LaneStream),
    Thread(thread::ThreadStream),
}

impl Md5Stream {
    /// Queues the next bytes of the body; waits while the hasher is behind.
    pub async fn update(&mut self, bytes: Bytes) -> Result<()> {
        match &mut self.0 {
            #[cfg(target_arch = "x86_64")]
            Hashing::Lanes(s) => s.update(bytes).await,
            Hashing::Thread(s) => s.update(bytes).await,
        }
    }

    /// The MD5 of every byte queued.
    pub async fn finish(self) -> Result<[u8; 16]> {
        match self.0 {
            #[cfg(target_arch = "x86_64")]
            Hashing::Lanes(s) => s.finish().await,
            Hashing::Thread(s) => s.finish().await,
        }
    }
}
