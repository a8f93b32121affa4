//! The disk store: records appended to segment files in the sink's buffer directory, and an
//! `ack` file naming the first record not yet delivered.
//!
//! Survives a restart and `kill -9`: appends are `write`s (in the kernel's page cache once
//! they return), and a record is forgotten only after its delivery, by rewriting `ack`
//! (write then rename). Nothing is fsynced, so a power loss may lose the last events.
//! Records delivered just before a crash may be delivered again (at-least-once). A torn or
//! damaged record ends its segment: the rest of that segment is cut off and counted.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::frame::{self, Decoded};
use super::store::{BufferStore, Held};
use crate::audit::sink::Record;

/// Largest segment file; the disk used is at most the bound plus one segment (an
/// acknowledged head not yet deleted).
const MAX_SEGMENT: u64 = 4 * 1024 * 1024;
/// Smallest segment, for tiny bounds.
const MIN_SEGMENT: u64 = 4 * 1024;

/// A position: a segment and a byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cursor {
    segment: u64,
    offset: u64,
}

/// Segment files in a directory; see the module docs.
#[derive(Debug)]
pub struct DiskStore {
    dir: PathBuf,
    max_bytes: u64,
    segment_limit: u64,
    /// Segment ids and lengths, oldest first; the last one is written to.
    segments: VecDeque<(u64, u64)>,
    writer: File,
    read: Cursor,
    ack: Cursor,
    /// Where each taken, unacknowledged record ends, and its frame's size.
    taken: VecDeque<(Cursor, u64)>,
    held: Held,
    waiting: usize,
    waiting_bytes: u64,
    corrupt: u64,
}

impl DiskStore {
    /// Opens (or makes) the buffer in `dir`, checking every record still held.
    pub fn open(dir: &Path, max_bytes: u64) -> io::Result<DiskStore> {
        fs::create_dir_all(dir)?;
        let mut ack = read_ack(dir)?;
        let mut ids = segment_ids(dir)?;
        for id in ids.iter().filter(|id| **id < ack.segment) {
            fs::remove_file(segment_path(dir, *id))?;
        }
        ids.retain(|id| *id >= ack.segment);
        let mut found = Recovered::default();
        let mut segments = VecDeque::new();
        for id in &ids {
            let start = if *id == ack.segment { ack.offset } else { 0 };
            let len = found.segment(&segment_path(dir, *id), start)?;
            segments.push_back((*id, len));
        }
        if segments.is_empty() {
            segments.push_back((ack.segment.max(1), 0));
        }
        if ack.segment < segments[0].0 {
            ack = Cursor {
                segment: segments[0].0,
                offset: 0,
            };
        }
        ack.offset = ack.offset.min(segments[0].1);
        let last = segments.back().expect("one segment at least").0;
        Ok(DiskStore {
            dir: dir.to_path_buf(),
            max_bytes,
            segment_limit: (max_bytes / 8).clamp(MIN_SEGMENT, MAX_SEGMENT),
            segments,
            writer: open_append(&segment_path(dir, last))?,
            read: ack,
            ack,
            taken: VecDeque::new(),
            held: found.held,
            waiting: found.held.events as usize,
            waiting_bytes: found.doc_bytes,
            corrupt: found.corrupt,
        })
    }

    fn rotate(&mut self) -> io::Result<()> {
        let id = self.segments.back().map_or(1, |s| s.0 + 1);
        self.writer = open_append(&segment_path(&self.dir, id))?;
        self.segments.push_back((id, 0));
        Ok(())
    }

    fn segment_len(&self, id: u64) -> u64 {
        self.segments.iter().find(|s| s.0 == id).map_or(0, |s| s.1)
    }

    /// Moves a cursor at a segment's end to the next segment's start.
    fn normalise(&self, c: Cursor) -> Cursor {
        let last = self.segments.back().map_or(0, |s| s.0);
        if c.segment < last && c.offset >= self.segment_len(c.segment) {
            Cursor {
                segment: c.segment + 1,
                offset: 0,
            }
        } else {
            c
        }
    }

    fn write_ack(&self) -> io::Result<()> {
        let mut bytes = self.ack.segment.to_le_bytes().to_vec();
        bytes.extend_from_slice(&self.ack.offset.to_le_bytes());
        let tmp = self.dir.join("ack.tmp");
        fs::write(&tmp, bytes)?;
        fs::rename(tmp, self.dir.join("ack"))
    }
}

impl BufferStore for DiskStore {
    fn has_room(&self, record: &Record) -> bool {
        self.held.bytes + frame::HEADER + record.size() <= self.max_bytes
    }

    fn append(&mut self, record: Record) -> io::Result<()> {
        let bytes = frame::encode(&record);
        let len = bytes.len() as u64;
        let current = self.segments.back().map_or(0, |s| s.1);
        if current > 0 && current + len > self.segment_limit {
            self.rotate()?;
        }
        if let Err(e) = self.writer.write_all(&bytes) {
            // Leave no half record for the next append to follow.
            let current = self.segments.back().map_or(0, |s| s.1);
            let _ = self.writer.set_len(current);
            return Err(e);
        }
        if let Some(last) = self.segments.back_mut() {
            last.1 += len;
        }
        self.held.events += 1;
        self.held.bytes += len;
        self.waiting += 1;
        self.waiting_bytes += record.size();
        Ok(())
    }

    fn take(&mut self, max_events: usize, max_bytes: u64) -> io::Result<Vec<Record>> {
        let mut out = Vec::new();
        let mut bytes = 0;
        while self.waiting > 0 && out.len() < max_events {
            self.read = self.normalise(self.read);
            let len = self.segment_len(self.read.segment);
            let mut file = File::open(segment_path(&self.dir, self.read.segment))?;
            file.seek(SeekFrom::Start(self.read.offset))?;
            let mut data = Vec::new();
            file.take(len - self.read.offset).read_to_end(&mut data)?;
            let mut at = 0usize;
            while out.len() < max_events && at < data.len() {
                let Decoded::Record(record, flen) = frame::decode(&data[at..]) else {
                    // Changed under us: give up on the rest of this segment.
                    self.corrupt += 1;
                    self.waiting = 0;
                    self.waiting_bytes = 0;
                    return Ok(out);
                };
                if !out.is_empty() && bytes + record.size() > max_bytes {
                    return Ok(out);
                }
                at += flen as usize;
                bytes += record.size();
                self.read.offset += flen;
                self.waiting -= 1;
                self.waiting_bytes -= record.size();
                self.taken.push_back((self.read, flen));
                out.push(record);
            }
            if at == data.len() && self.read.segment == self.segments.back().map_or(0, |s| s.0) {
                break;
            }
        }
        Ok(out)
    }

    fn ack(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n {
            let Some((end, len)) = self.taken.pop_front() else {
                break;
            };
            self.ack = end;
            self.held.events -= 1;
            self.held.bytes -= len;
        }
        self.ack = self.normalise(self.ack);
        while self.segments.len() > 1 && self.segments[0].0 < self.ack.segment {
            let (id, _) = self.segments.pop_front().expect("checked");
            fs::remove_file(segment_path(&self.dir, id))?;
        }
        if self.held.events == 0 && self.segments.back().is_some_and(|s| s.1 > 0) {
            // Everything delivered: start a fresh segment so the old one can go.
            self.rotate()?;
            self.ack = Cursor {
                segment: self.segments.back().expect("rotated").0,
                offset: 0,
            };
            self.read = self.ack;
            self.write_ack()?;
            while self.segments.len() > 1 {
                let (id, _) = self.segments.pop_front().expect("checked");
                fs::remove_file(segment_path(&self.dir, id))?;
            }
            return Ok(());
        }
        self.write_ack()
    }

    fn waiting(&self) -> usize {
        self.waiting
    }

    fn waiting_bytes(&self) -> u64 {
        self.waiting_bytes
    }

    fn held(&self) -> Held {
        self.held
    }

    fn limit(&self) -> Held {
        Held {
            events: 0,
            bytes: self.max_bytes,
        }
    }

    fn does_io(&self) -> bool {
        true
    }

    fn take_corrupt_count(&mut self) -> u64 {
        std::mem::take(&mut self.corrupt)
    }
}

fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.seg"))
}

fn segment_ids(dir: &Path) -> io::Result<Vec<u64>> {
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if let Some(id) = name.strip_suffix(".seg").and_then(|s| s.parse().ok()) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// The first record not delivered; a missing or damaged `ack` file means "from the start".
fn read_ack(dir: &Path) -> io::Result<Cursor> {
    let start = Cursor {
        segment: 0,
        offset: 0,
    };
    match fs::read(dir.join("ack")) {
        Ok(b) if b.len() == 16 => Ok(Cursor {
            segment: u64::from_le_bytes(b[0..8].try_into().expect("8 bytes")),
            offset: u64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
        }),
        Ok(_) => Ok(start),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(start),
        Err(e) => Err(e),
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// What reopening found in the segments.
#[derive(Debug, Default)]
struct Recovered {
    held: Held,
    doc_bytes: u64,
    corrupt: u64,
}

impl Recovered {
    /// Counts the intact records of the segment at `path` from `start`, cutting the file at
    /// the first damaged or torn one; returns the length kept.
    fn segment(&mut self, path: &Path, start: u64) -> io::Result<u64> {
        let data = fs::read(path)?;
        let mut at = start.min(data.len() as u64);
        loop {
            match frame::decode(&data[at as usize..]) {
                Decoded::Record(record, len) => {
                    at += len;
                    self.held.events += 1;
                    self.held.bytes += len;
                    self.doc_bytes += record.size();
                }
                Decoded::Short if at as usize == data.len() => break,
                Decoded::Short | Decoded::Damaged => {
                    tracing::warn!(path = %path.display(), offset = at, "sink buffer: damaged tail cut off");
                    self.corrupt += 1;
                    OpenOptions::new().write(true).open(path)?.set_len(at)?;
                    break;
                }
            }
        }
        Ok(at)
    }
}
