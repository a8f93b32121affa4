//! A storage class in use: one erasure set over its volumes, with its quorums.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Scheme;
use crate::disk::volume::Volume;
use crate::erasure::layout::Layout;

/// One class: volumes by slot (`None` where a volume is missing or refused).
pub struct ErasureSet {
    /// Class name.
    pub name: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Shard shape.
    pub layout: Layout,
    /// Volumes by slot.
    pub slots: Vec<Option<Arc<Volume>>>,
    /// Volumes refused at start, with the reason.
    pub refused: Vec<(PathBuf, String)>,
    /// Bytes each volume keeps free (see [`crate::StoreConfig::reserve_bytes`]).
    pub reserve: u64,
}

impl ErasureSet {
    /// Volumes that must take a write: k, or k+1 when k == m so that two halves of a set
    /// can never both accept writes; a majority for mirrors.
    pub fn write_quorum(&self) -> usize {
        let (k, m) = (self.layout.data, self.layout.parity);
        match self.scheme {
            Scheme::Single => 1,
            Scheme::Mirror => self.slots.len() / 2 + 1,
            Scheme::Erasure { .. } if k == m => k + 1,
            Scheme::Erasure { .. } => k,
        }
    }

    /// Metadata copies that must agree on a version for a read to trust it: any read set then
    /// overlaps every acknowledged write set.
    pub fn meta_read_quorum(&self) -> usize {
        self.slots.len() - self.write_quorum() + 1
    }

    /// Volumes in use, with their slot.
    pub fn online(&self) -> impl Iterator<Item = (usize, &Arc<Volume>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i, v)))
    }

    /// Volumes in use that have room for `bytes` more above the reserve, and how many in
    /// use do not.
    pub fn with_room(&self, bytes: u64) -> (Vec<(usize, &Arc<Volume>)>, usize) {
        let need = self.reserve.saturating_add(bytes);
        let (room, full): (Vec<_>, Vec<_>) = self.online().partition(|(_, v)| v.has_room(need));
        (room, full.len())
    }

    /// Count of volumes in use.
    pub fn online_count(&self) -> usize {
        self.slots.iter().filter(|v| v.is_some()).count()
    }
}
