//! Writing one shard file, block by block; `finish` makes it durable.
//!
//! Shard files are written once and read later, so the page cache gains nothing from holding
//! them while they are written. Where the filesystem allows it the file is opened with
//! `O_DIRECT`: bytes go from an aligned staging buffer straight to the disk, which saves the
//! kernel's copy into the page cache and its write-back work (on a 2-core machine that CPU
//! is what the MD5 of the body competes with). Elsewhere (tmpfs, some network filesystems)
//! the file is written through the page cache and write-back is started early.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::format::sync_dir;
use crate::erasure::codec::ShardBlock;
use crate::error::{Error, Result};

/// Alignment of offsets, lengths and memory for direct I/O (covers 512 and 4096-byte
/// logical blocks).
const ALIGN: usize = 4096;
/// Bytes staged before one direct write.
const STAGE_LEN: usize = 1 << 20;
/// Buffered mode: bytes written between two write-back kicks.
const WRITEBACK_EVERY: u64 = 1 << 20;

pub struct ShardWriter {
    path: PathBuf,
    file: File,
    /// Logical length written so far.
    written: u64,
    mode: Mode,
}

enum Mode {
    Direct(Stage),
    /// Through the page cache; `kicked` = bytes already handed to write-back.
    Buffered {
        kicked: u64,
    },
}

/// An `ALIGN`-aligned window of `STAGE_LEN` bytes inside a plain `Vec`.
struct Stage {
    buf: Vec<u8>,
    start: usize,
    /// Bytes staged.
    len: usize,
    /// File offset of the stage's first byte (a multiple of `ALIGN`).
    at: u64,
}

/// Spare stages kept for reuse: a fresh megabyte per file costs page faults and zeroing.
/// The pool is shared and bounded (four 2+2 puts at once), not one per thread: writers run
/// on tokio's blocking pool, which can hold dozens of threads after a burst of small puts,
/// and a stage parked on each of them was resident memory nobody used.
/// They are freed once none has been taken for a while (`release_idle_spares`).
static SPARES: Mutex<Spares> = Mutex::new(Spares {
    stages: Vec::new(),
    last_taken: None,
});
pub const MAX_SPARES: usize = 16;

struct Spares {
    stages: Vec<Vec<u8>>,
    last_taken: Option<Instant>,
}

impl Spares {
    /// A parked stage, if any; a take at `now` either way.
    fn take(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.last_taken = Some(now);
        self.stages.pop()
    }

    /// Parks a stage's buffer unless `MAX_SPARES` are parked.
    fn park(&mut self, buf: Vec<u8>) {
        if self.stages.len() < MAX_SPARES {
            self.stages.push(buf);
        }
    }

    /// Frees every parked stage if none was taken within `idle` before `now`.
    fn release_idle(&mut self, now: Instant, idle: Duration) -> usize {
        if self
            .last_taken
            .is_some_and(|t| now.saturating_duration_since(t) < idle)
        {
            return 0;
        }
        std::mem::take(&mut self.stages).len()
    }
}

/// Spare stages held now.
pub fn spare_stages() -> usize {
    SPARES.lock().map(|s| s.stages.len()).unwrap_or(0)
}

/// Frees the spare stages if none was taken for `idle`; returns how many were freed.
pub fn release_idle_spares(idle: Duration) -> usize {
    SPARES
        .lock()
        .map(|mut s| s.release_idle(Instant::now(), idle))
        .unwrap_or(0)
}

impl Stage {
    fn new() -> Stage {
        let spare = SPARES.lock().ok().and_then(|mut s| s.take(Instant::now()));
        let buf = spare.unwrap_or_else(|| vec![0u8; STAGE_LEN + ALIGN]);
        let start = buf.as_ptr().align_offset(ALIGN);
        Stage {
            buf,
            start,
            len: 0,
            at: 0,
        }
    }

    fn window(&mut self) -> &mut [u8] {
        &mut self.buf[self.start..self.start + STAGE_LEN]
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Ok(mut spares) = SPARES.lock() {
            spares.park(std::mem::take(&mut self.buf));
        }
    }
}

impl ShardWriter {
    /// Creates the file (it must not exist: data ids are fresh).
    pub fn create(path: PathBuf) -> Result<ShardWriter> {
        Self::create_with(path, rustix::fs::OFlags::DIRECT)
    }

    /// `create` with the open flags to try first (tests use none, to cover the buffered path
    /// on filesystems that have direct I/O).
    fn create_with(path: PathBuf, first_try: rustix::fs::OFlags) -> Result<ShardWriter> {
        let direct = File::options()
            .write(true)
            .create_new(true)
            .custom_flags(first_try.bits() as i32)
            .open(&path);
        let (file, mode) = match direct {
            Ok(f) if first_try.contains(rustix::fs::OFlags::DIRECT) => {
                (f, Mode::Direct(Stage::new()))
            }
            Ok(f) => (f, Mode::Buffered { kicked: 0 }),
            // EINVAL: the filesystem has no direct I/O. Linux checks that after creating the
            // file, so it may exist now (empty): open it again without create_new. The id
            // is fresh, so nothing else can be at this path.
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => {
                let f = File::options()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(&path)
                    .map_err(|e| Error::io(&path, e))?;
                (f, Mode::Buffered { kicked: 0 })
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(ShardWriter {
            path,
            file,
            written: 0,
            mode,
        })
    }

    /// Appends one hashed shard block.
    pub fn write(&mut self, block: &ShardBlock) -> Result<()> {
        self.append(&block.hash)?;
        self.append(&block.data)?;
        if let Mode::Buffered { kicked } = &mut self.mode {
            if self.written - *kicked >= WRITEBACK_EVERY {
                let len = std::num::NonZeroU64::new(self.written - *kicked);
                // POSIX_FADV_DONTNEED starts asynchronous write-back of dirty pages on Linux,
                // so the disk works while the next blocks are encoded. Only a hint: if it
                // fails, the final fsync still writes everything.
                let _ = rustix::fs::fadvise(&self.file, *kicked, len, rustix::fs::Advice::DontNeed);
                *kicked = self.written;
            }
        }
        Ok(())
    }

    fn append(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.written += bytes.len() as u64;
        let stage = match &mut self.mode {
            Mode::Buffered { .. } => {
                return self
                    .file
                    .write_all(bytes)
                    .map_err(|e| Error::io(&self.path, e))
            }
            Mode::Direct(stage) => stage,
        };
        while !bytes.is_empty() {
            let take = (STAGE_LEN - stage.len).min(bytes.len());
            let from = stage.len;
            stage.window()[from..from + take].copy_from_slice(&bytes[..take]);
            stage.len += take;
            bytes = &bytes[take..];
            if stage.len == STAGE_LEN {
                let at = stage.at;
                self.file
                    .write_all_at(stage.window(), at)
                    .map_err(|e| Error::io(&self.path, e))?;
                stage.at += STAGE_LEN as u64;
                stage.len = 0;
            }
        }
        Ok(())
    }

    /// Writes what is staged, fsyncs the file and its directory.
    pub fn finish(mut self) -> Result<()> {
        if let Mode::Direct(stage) = &mut self.mode {
            if stage.len > 0 {
                // Direct writes take whole aligned blocks: write the tail zero-padded, then
                // cut the file back to its length.
                let padded = stage.len.next_multiple_of(ALIGN);
                let (from, at) = (stage.len, stage.at);
                stage.window()[from..padded].fill(0);
                self.file
                    .write_all_at(&stage.window()[..padded], at)
                    .and_then(|_| self.file.set_len(self.written))
                    .map_err(|e| Error::io(&self.path, e))?;
            }
        }
        // The file is new: its size is metadata fdatasync must write anyway.
        self.file
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))?;
        match self.path.parent() {
            Some(dir) => sync_dir(dir),
            None => Ok(()),
        }
    }

    /// Whether this file is written with direct I/O.
    #[cfg(test)]
    fn is_direct(&self) -> bool {
        matches!(self.mode, Mode::Direct(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erasure::codec::shard_hash;
    use bytes::Bytes;

    fn block(len: usize, seed: u8) -> ShardBlock {
        let data: Bytes = (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect();
        ShardBlock {
            hash: shard_hash(&data),
            data,
        }
    }

    /// However many writers ran at once, at most `MAX_SPARES` stages stay parked afterwards.
    #[test]
    fn parked_stages_are_bounded() {
        let stages: Vec<Stage> = (0..MAX_SPARES + 8).map(|_| Stage::new()).collect();
        drop(stages);
        assert!(spare_stages() <= MAX_SPARES);
    }

    #[test]
    fn parked_stages_are_freed_only_once_none_was_taken_for_the_idle_time() {
        let idle = Duration::from_secs(30);
        let t0 = Instant::now();
        let mut spares = Spares {
            stages: Vec::new(),
            last_taken: None,
        };
        assert_eq!(spares.take(t0), None);
        for _ in 0..3 {
            spares.park(vec![0; 8]);
        }
        assert_eq!(spares.release_idle(t0 + idle / 2, idle), 0);
        assert_eq!(spares.take(t0 + idle / 2).map(|b| b.len()), Some(8));
        // Idle counts from the last take, not the first.
        assert_eq!(spares.release_idle(t0 + idle, idle), 0);
        assert_eq!(spares.release_idle(t0 + idle * 3 / 2, idle), 2);
        assert_eq!(spares.take(t0 + idle * 2), None);
    }

    /// Lengths around the stage and alignment edges come back byte-exact, direct and
    /// buffered, on the real disk and on whatever the temp dir is.
    #[test]
    fn writes_read_back_exactly() {
        let home_cache = std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache"))
            .filter(|p| p.is_dir());
        let mut roots = vec![tempfile::tempdir().expect("temp dir")];
        if let Some(c) = home_cache {
            roots.push(tempfile::tempdir_in(c).expect("temp dir in ~/.cache"));
        }
        let sizes: [&[usize]; 5] = [
            &[0],
            &[1],
            &[ALIGN - 16],
            &[STAGE_LEN - 16, 5],
            &[524_288, 524_288, 524_288, 100_000, 3],
        ];
        let modes = [rustix::fs::OFlags::DIRECT, rustix::fs::OFlags::empty()];
        for (root, flags) in roots.iter().flat_map(|r| modes.map(|m| (r, m))) {
            for (n, blocks) in sizes.iter().enumerate() {
                let path = root.path().join(format!("shard-{n}-{:x}", flags.bits()));
                let mut w = ShardWriter::create_with(path.clone(), flags).expect("create");
                let mut expected = Vec::new();
                for (i, len) in blocks.iter().enumerate() {
                    let b = block(*len, i as u8);
                    expected.extend_from_slice(&b.hash);
                    expected.extend_from_slice(&b.data);
                    w.write(&b).expect("write");
                }
                w.finish().expect("finish");
                let got = std::fs::read(&path).expect("read back");
                assert_eq!(
                    got.len(),
                    expected.len(),
                    "{} sizes {blocks:?}",
                    path.display()
                );
                assert!(got == expected, "{} sizes {blocks:?}", path.display());
            }
        }
    }

    #[test]
    fn direct_io_on_an_ext4_or_xfs_disk() {
        let Some(cache) = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")) else {
            panic!("HOME is not set");
        };
        std::fs::create_dir_all(&cache).expect("~/.cache");
        let dir = tempfile::tempdir_in(&cache).expect("temp dir");
        let w = ShardWriter::create(dir.path().join("f")).expect("create");
        let fs = rustix::fs::statfs(dir.path()).expect("statfs").f_type;
        // ext4 and xfs: the filesystems strata's volumes are expected on.
        if fs == 0xEF53 || fs == 0x5846_5342 {
            assert!(w.is_direct(), "direct I/O not used on {fs:#x}");
        } else {
            panic!("~/.cache is on filesystem {fs:#x}; this test needs ext4 or xfs");
        }
    }
}
