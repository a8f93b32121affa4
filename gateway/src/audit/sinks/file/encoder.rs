//! A batch as JSON lines: each document followed by a newline.

use crate::audit::sink::Record;

/// The batch's documents, one per line.
pub fn encode_lines(batch: &[Record]) -> Vec<u8> {
    let mut out = Vec::with_capacity(batch.iter().map(|r| r.doc.len() + 1).sum());
    for record in batch {
        out.extend_from_slice(&record.doc);
        out.push(b'\n');
    }
    out
}
