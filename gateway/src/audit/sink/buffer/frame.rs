//! One record on disk: `len u32 | crc32c u32 | time_ns u64 | doc`, little-endian; the CRC
//! covers the time and the document, so a torn or flipped record is recognised.

use crate::audit::sink::Record;

/// Bytes before the document.
pub const HEADER: u64 = 16;
/// Largest document a frame may claim: larger lengths are damage, not data.
pub const MAX_DOC: u64 = 64 * 1024 * 1024;

/// The frame of `record`.
pub fn encode(record: &Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER as usize + record.doc.len());
    out.extend_from_slice(&(record.doc.len() as u32).to_le_bytes());
    out.extend_from_slice(&checksum(record.time_ns, &record.doc).to_le_bytes());
    out.extend_from_slice(&record.time_ns.to_le_bytes());
    out.extend_from_slice(&record.doc);
    out
}

/// What the bytes at the start of `buf` hold.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A whole, intact record and its frame's length.
    Record(Record, u64),
    /// Fewer bytes than the frame needs (a torn tail, if nothing follows).
    Short,
    /// A frame that fails its length or CRC check.
    Damaged,
}

/// Reads one frame from the start of `buf`.
pub fn decode(buf: &[u8]) -> Decoded {
    if (buf.len() as u64) < HEADER {
        return Decoded::Short;
    }
    let len = u32::from_le_bytes(buf[0..4].try_into().expect("4 bytes")) as u64;
    if len > MAX_DOC {
        return Decoded::Damaged;
    }
    let crc = u32::from_le_bytes(buf[4..8].try_into().expect("4 bytes"));
    let time_ns = u64::from_le_bytes(buf[8..16].try_into().expect("8 bytes"));
    let end = HEADER + len;
    if (buf.len() as u64) < end {
        return Decoded::Short;
    }
    let doc = &buf[HEADER as usize..end as usize];
    if checksum(time_ns, doc) != crc {
        return Decoded::Damaged;
    }
    Decoded::Record(Record::new(time_ns, doc.to_vec()), end)
}

fn checksum(time_ns: u64, doc: &[u8]) -> u32 {
    let mut d = crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc32Iscsi);
    d.update(&time_ns.to_le_bytes());
    d.update(doc);
    d.finalize() as u32
}
