//! A batch as a `_bulk` body: per event an action line and the document, each ended by a
//! newline (the body's last newline included, as the API requires).

use crate::audit::sink::Record;

/// The NDJSON body; `action` is the action line (e.g. `{"create":{"_index":"x"}}`).
pub fn encode_bulk(action: &[u8], batch: &[Record]) -> Vec<u8> {
    let len = batch.iter().map(|r| action.len() + r.doc.len() + 2).sum();
    let mut out = Vec::with_capacity(len);
    for record in batch {
        out.extend_from_slice(action);
        out.push(b'\n');
        out.extend_from_slice(&record.doc);
        out.push(b'\n');
    }
    out
}
