//! A storage class in use: one erasure set over its volumes, with its quorums. Which volume
//! serves which slot can change while the store runs (see `watch.rs`); operations take a
//! snapshot of the serving volumes and keep it for their duration.

mod slot;
pub(crate) mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use uuid::Uuid;

use crate::config::Scheme;
use crate::disk::meta_db::IndexSettings;
use crate::disk::volume::Volume;
use crate::erasure::layout::Layout;
pub(crate) use slot::Slot;

/// One class: its scheme and its slots.
pub struct ErasureSet {
    /// Class name.
    pub name: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Shard shape.
    pub layout: Layout,
    /// Bytes each volume keeps free (see [`crate::StoreConfig::reserve_bytes`]).
    pub reserve: u64,
    slots: Vec<Slot>,
    /// Configured directories that hold no slot, with the reason.
    unplaced: Mutex<Vec<(PathBuf, String)>>,
    /// Who may join: the deployment, the volume ids by slot, and the index settings a
    /// volume of this class opens with.
    membership: Mutex<Vec<Uuid>>,
    deployment: Uuid,
    index: Option<IndexSettings>,
    /// Woken when an operation suspects a volume.
    pub(crate) suspicion: Arc<tokio::sync::Notify>,
}

/// How a class was found at start, for [`ErasureSet::new`].
pub(crate) struct SetParts {
    pub(crate) name: String,
    pub(crate) scheme: Scheme,
    pub(crate) layout: Layout,
    pub(crate) reserve: u64,
    pub(crate) slots: Vec<Slot>,
    pub(crate) unplaced: Vec<(PathBuf, String)>,
    pub(crate) members: Vec<Uuid>,
    pub(crate) deployment: Uuid,
    pub(crate) index: Option<IndexSettings>,
}

impl ErasureSet {
    pub(crate) fn new(p: SetParts) -> ErasureSet {
        ErasureSet {
            name: p.name,
            scheme: p.scheme,
            layout: p.layout,
            reserve: p.reserve,
            slots: p.slots,
            unplaced: Mutex::new(p.unplaced),
            membership: Mutex::new(p.members),
            deployment: p.deployment,
            index: p.index,
            suspicion: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Volumes that must take a write: k, or k+1 when k == m so that two halves of a set
    /// can never both accept writes; a majority for mirrors.
    pub fn write_quorum(&self) -> usize {
        let (k, m) = (self.layout.data, self.layout.parity);
        match self.scheme {
            Scheme::Single => 1,
            Scheme::Mirror => self.width() / 2 + 1,
            Scheme::Erasure { .. } if k == m => k + 1,
            Scheme::Erasure { .. } => k,
        }
    }

    /// Metadata copies that must agree on a version for a read to trust it: any read set then
    /// overlaps every acknowledged write set.
    pub fn meta_read_quorum(&self) -> usize {
        self.width() - self.write_quorum() + 1
    }

    /// Slots in the set.
    pub fn width(&self) -> usize {
        self.slots.len()
    }

    /// The volume serving `slot` now.
    pub fn volume(&self, slot: usize) -> Option<Arc<Volume>> {
        self.slots.get(slot)?.volume()
    }

    /// The volumes serving now, with their slot.
    pub fn online(&self) -> std::vec::IntoIter<(usize, Arc<Volume>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.volume()?)))
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// Volumes serving now that have room for `bytes` more above the reserve, and how many
    /// serving do not.
    pub fn with_room(&self, bytes: u64) -> (Vec<(usize, Arc<Volume>)>, usize) {
        let need = self.reserve.saturating_add(bytes);
        let (room, full): (Vec<_>, Vec<_>) = self.online().partition(|(_, v)| v.has_room(need));
        (room, full.len())
    }

    /// Count of volumes serving now.
    pub fn online_count(&self) -> usize {
        self.slots.iter().filter(|s| s.volume().is_some()).count()
    }

    /// An operation failed on the volume of `slot` in a way a whole volume can fail (an I/O
    /// error, not a missing file or a full disk): have it checked now.
    pub fn suspect(&self, slot: usize) {
        if let Some(s) = self.slots.get(slot) {
            s.suspect();
            self.suspicion.notify_one();
        }
    }

    /// A read or write on the volume of `slot` failed with an I/O error (not a missing file,
    /// a failed hash or a full disk): counted towards taking it out of service as failing,
    /// and checked now.
    pub fn io_failed(&self, slot: usize) {
        if let Some(s) = self.slots.get(slot) {
            s.io_failed(std::time::Instant::now());
            self.suspicion.notify_one();
        }
    }

    /// Configured directories that are not serving, with the reason: those of down slots,
    /// then those holding no slot (a slot no directory holds is explained by one of them).
    pub fn not_serving(&self) -> Vec<(PathBuf, String)> {
        self.down_volumes()
            .into_iter()
            .map(|(path, why, _)| (path, why))
            .collect()
    }

    /// As [`ErasureSet::not_serving`], with when each of a down slot's volume went down
    /// (none for directories that never held a slot since the start).
    pub(crate) fn down_volumes(&self) -> Vec<(PathBuf, String, Option<SystemTime>)> {
        let down = self.slots.iter().filter_map(|s| {
            let d = s.down()?;
            Some((s.path()?, d.reason, Some(d.since)))
        });
        let unplaced = self.unplaced().into_iter().map(|(p, why)| (p, why, None));
        down.chain(unplaced).collect()
    }

    /// Configured directories that hold no slot, with the reason.
    pub(crate) fn unplaced(&self) -> Vec<(PathBuf, String)> {
        self.unplaced.lock().map(|u| u.clone()).unwrap_or_default()
    }
}
