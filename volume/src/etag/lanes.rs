//! The lane scheduler: one thread that runs the MD5 of every concurrent multi-block body,
//! up to eight of them at a time in the lanes of [`X8`]. A body's blocks arrive in order over
//! a shared channel; each stream holds a few permits so a slow hasher pushes back on its
//! sender. With one runnable stream the thread uses scalar MD5, which is faster per stream.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use bytes::Bytes;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use super::stopped::stopped;
use super::x8::X8;
use crate::error::Result;

/// Blocks each lane runs before the scheduler looks for new work (64 KiB).
const ROUND_BLOCKS: usize = 1024;
/// Lanes of one compression call.
const LANES: usize = 8;
const INIT: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

enum Job {
    Data {
        id: u64,
        bytes: Bytes,
        permit: OwnedSemaphorePermit,
    },
    Finish {
        id: u64,
        reply: oneshot::Sender<[u8; 16]>,
    },
    Abandon {
        id: u64,
    },
}

/// The unit of a stream's queue permits: queued bytes are counted in KiB, so that a body fed
/// in small chunks (a request body as it comes off the socket) may queue as many bytes as one
/// fed in erasure blocks, and waits as rarely.
const PERMIT_BYTES: usize = 1024;

/// Handle on one scheduler thread; the thread ends when the handle and its streams are gone.
pub(crate) struct LaneService {
    tx: mpsc::Sender<Job>,
    next_id: AtomicU64,
    /// Permits of each stream (KiB it may have queued).
    depth: usize,
}

impl LaneService {
    /// Starts the thread. `depth` is how many bytes a stream may have queued.
    pub(super) fn start(x8: X8, depth: usize) -> std::io::Result<LaneService> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("strata-md5".into())
            .spawn(move || Scheduler::new(x8).run(rx))?;
        Ok(LaneService {
            tx,
            next_id: AtomicU64::new(0),
            depth: depth.div_ceil(PERMIT_BYTES).max(1),
        })
    }

    pub(super) fn stream(&self) -> LaneStream {
        LaneStream {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            tx: self.tx.clone(),
            permits: Arc::new(Semaphore::new(self.depth)),
            depth: self.depth,
            finished: false,
        }
    }
}

/// One body's MD5 on the scheduler thread.
pub(crate) struct LaneStream {
    id: u64,
    tx: mpsc::Sender<Job>,
    permits: Arc<Semaphore>,
    depth: usize,
    finished: bool,
}

impl LaneStream {
    pub(super) async fn update(&mut self, bytes: Bytes) -> Result<()> {
        // A chunk larger than the whole queue waits until the queue is empty.
        let needed = bytes.len().div_ceil(PERMIT_BYTES).clamp(1, self.depth);
        let permit = self
            .permits
            .clone()
            .acquire_many_owned(needed as u32) // at most `depth`, which fits a u32
            .await
            .map_err(|_| stopped())?;
        let id = self.id;
        self.tx
            .send(Job::Data { id, bytes, permit })
            .map_err(|_| stopped())
    }

    pub(super) async fn finish(mut self) -> Result<[u8; 16]> {
        self.finished = true;
        let (reply, answer) = oneshot::channel();
        let id = self.id;
        self.tx
            .send(Job::Finish { id, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

impl Drop for LaneStream {
    fn drop(&mut self) {
        if !self.finished {
            // The thread may already be gone; then there is nothing to free.
            let _ = self.tx.send(Job::Abandon { id: self.id });
        }
    }
}

/// A body's bytes not hashed yet, and the permit its sender is waiting for.
struct Chunk {
    bytes: Bytes,
    pos: usize,
    _permit: OwnedSemaphorePermit,
}

impl Chunk {
    fn rest(&self) -> &[u8] {
        &self.bytes[self.pos..]
    }
}

struct Stream {
    id: u64,
    state: [u32; 4],
    len: u64,
    /// Bytes of a block that spans two chunks.
    tail: [u8; 64],
    tail_len: usize,
    queue: VecDeque<Chunk>,
    finish: Option<oneshot::Sender<[u8; 16]>>,
}

impl Stream {
    fn new(id: u64) -> Stream {
        Stream {
            id,
            state: INIT,
            len: 0,
            tail: [0; 64],
            tail_len: 0,
            queue: VecDeque::new(),
            finish: None,
        }
    }

    /// Whole blocks ready in the front chunk, once [`Stream::settle`] has run.
    fn ready(&self) -> &[[u8; 64]] {
        self.queue.front().map_or(&[], |c| c.rest().as_chunks().0)
    }

    /// Moves bytes that do not make a whole block in their chunk into the tail, hashes a full
    /// tail, drops consumed chunks; afterwards the front chunk (if any) starts a whole block.
    fn settle(&mut self) {
        while let Some(front) = self.queue.front_mut() {
            if self.tail_len == 0 && front.rest().len() >= 64 {
                return;
            }
            let take = (64 - self.tail_len).min(front.rest().len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&front.rest()[..take]);
            self.tail_len += take;
            front.pos += take;
            if front.rest().is_empty() {
                self.queue.pop_front();
            }
            if self.tail_len == 64 {
                md5_asm::compress(&mut self.state, &[self.tail]);
                self.tail_len = 0;
            }
        }
    }

    fn advance(&mut self, blocks: usize) {
        if let Some(front) = self.queue.front_mut() {
            front.pos += blocks * 64;
            if front.rest().is_empty() {
                self.queue.pop_front();
            }
        }
    }

    /// Pads the tail (RFC 1321: 0x80, zeros, the length in bits) and returns the digest.
    fn digest(&mut self) -> [u8; 16] {
        let mut last = [[0u8; 64]; 2];
        let flat = last.as_flattened_mut();
        flat[..self.tail_len].copy_from_slice(&self.tail[..self.tail_len]);
        flat[self.tail_len] = 0x80;
        let blocks = if self.tail_len < 56 { 1 } else { 2 };
        flat[blocks * 64 - 8..blocks * 64]
            .copy_from_slice(&(self.len.wrapping_mul(8)).to_le_bytes());
        md5_asm::compress(&mut self.state, &last[..blocks]);
        let mut out = [0u8; 16];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_le_bytes());
        }
        out
    }
}

struct Scheduler {
    x8: X8,
    streams: Vec<Stream>,
}

impl Scheduler {
    fn new(x8: X8) -> Scheduler {
        Scheduler {
            x8,
            streams: Vec::new(),
        }
    }

    fn run(mut self, rx: mpsc::Receiver<Job>) {
        loop {
            // Answer finished streams first, before sleeping: a round (or a `Finish` just
            // taken) may have left a stream drained and done.
            self.finish_ready();
            if !self.streams.iter().any(|s| !s.ready().is_empty()) {
                match rx.recv() {
                    Ok(job) => self.take(job),
                    Err(_) => return,
                }
            }
            while let Ok(job) = rx.try_recv() {
                self.take(job);
            }
            self.hash_round();
        }
    }

    fn take(&mut self, job: Job) {
        let id = match &job {
            Job::Data { id, .. } | Job::Finish { id, .. } | Job::Abandon { id } => *id,
        };
        let at = match self.streams.iter().position(|s| s.id == id) {
            Some(at) => at,
            None => {
                self.streams.push(Stream::new(id));
                self.streams.len() - 1
            }
        };
        let stream = &mut self.streams[at];
        match job {
            Job::Data { bytes, permit, .. } => {
                stream.len += bytes.len() as u64;
                stream.queue.push_back(Chunk {
                    bytes,
                    pos: 0,
                    _permit: permit,
                });
                stream.settle();
            }
            Job::Finish { reply, .. } => stream.finish = Some(reply),
            Job::Abandon { .. } => {
                self.streams.swap_remove(at);
            }
        }
    }

    /// Answers the streams whose every byte is hashed and whose sender said it is done.
    fn finish_ready(&mut self) {
        let mut at = 0;
        while at < self.streams.len() {
            let s = &mut self.streams[at];
            if s.queue.is_empty() && s.finish.is_some() {
                let digest = s.digest();
                if let Some(reply) = s.finish.take() {
                    // The sender may have given up waiting; nothing else to do then.
                    let _ = reply.send(digest);
                }
                self.streams.swap_remove(at);
            } else {
                at += 1;
            }
        }
    }

    /// Hashes one round: up to eight streams side by side, or one alone with scalar MD5.
    fn hash_round(&mut self) {
        let runnable: Vec<usize> = (0..self.streams.len())
            .filter(|&i| !self.streams[i].ready().is_empty())
            .take(LANES)
            .collect();
        match runnable.as_slice() {
            [] => return,
            [one] => {
                let s = &mut self.streams[*one];
                let ready = s.ready();
                let blocks = &ready[..ready.len().min(ROUND_BLOCKS)];
                let n = blocks.len();
                let mut state = s.state;
                md5_asm::compress(&mut state, blocks);
                s.state = state;
                s.advance(n);
                s.settle();
            }
            many => {
                let n = many
                    .iter()
                    .map(|&i| self.streams[i].ready().len())
                    .min()
                    .unwrap_or(0)
                    .min(ROUND_BLOCKS);
                let mut states = [INIT; LANES];
                for (lane, &i) in many.iter().enumerate() {
                    states[lane] = self.streams[i].state;
                }
                // Idle lanes re-read the first stream's blocks; their results are dropped.
                let lanes: [&[[u8; 64]]; LANES] = std::array::from_fn(|lane| {
                    let i = many.get(lane).copied().unwrap_or(many[0]);
                    &self.streams[i].ready()[..n]
                });
                self.x8.compress(&mut states, lanes);
                for (lane, &i) in many.iter().enumerate() {
                    let s = &mut self.streams[i];
                    s.state = states[lane];
                    s.advance(n);
                    s.settle();
                }
            }
        }
        if let Some(&last) = runnable.last() {
            // The streams that just ran go to the back, so more than eight take turns.
            if self.streams.len() > LANES {
                self.streams.rotate_left(last + 1);
            }
        }
    }
}
