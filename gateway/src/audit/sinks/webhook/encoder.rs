//! A batch as one JSON array: `[event,event,...]`. The events are already JSON documents,
//! so the array is built by joining them, never by re-encoding.

use crate::audit::sink::Record;

/// The JSON array of the batch's documents.
pub fn encode_array(batch: &[Record]) -> Vec<u8> {
    let len = batch.iter().map(|r| r.doc.len() + 1).sum::<usize>() + 2;
    let mut out = Vec::with_capacity(len);
    out.push(b'[');
    for (i, record) in batch.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&record.doc);
    }
    out.push(b']');
    out
}
