//! One position of an erasure set: the volume serving it now (swapped at run time when a
//! volume fails, comes back or is replaced), the directory it lives in, and, while it is
//! down, why and when it is tried again.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use crate::disk::volume::Volume;

/// First wait before a down volume is tried again; it doubles up to [`RETRY_MAX`].
pub(crate) const RETRY_FIRST: Duration = Duration::from_secs(1);
/// Longest wait between tries of a down volume (a replaced one is found within it).
pub(crate) const RETRY_MAX: Duration = Duration::from_secs(30);
/// I/O errors of reads and writes (not missing files, failed hashes or a full disk) within
/// [`FAILING_WINDOW`] that make a serving volume failing: taken out of service, as a disk
/// going bad is. Fewer are bad sectors or a passing fault: reads and writes work around
/// them and the healer rewrites what they missed.
pub(crate) const FAILING_ERRORS: u32 = 16;
/// The window [`FAILING_ERRORS`] count in.
pub(crate) const FAILING_WINDOW: Duration = Duration::from_secs(60);

/// One slot.
pub(crate) struct Slot {
    volume: RwLock<Option<Arc<Volume>>>,
    state: Mutex<SlotState>,
    /// An operation failed on the volume: check it at once rather than at the next round.
    suspect: AtomicBool,
}

#[derive(Default)]
struct SlotState {
    /// The directory holding the slot (none when no configured directory was found for it).
    path: Option<PathBuf>,
    /// Whether the directory was a mount point when its volume was last brought up: a
    /// mount point that turns into a blank directory is an unmounted volume, not a new one.
    mount_point: bool,
    down: Option<Down>,
    /// When a serving volume is checked next.
    next_check: Option<Instant>,
    /// The serving volume's I/O errors: since when they are counted, and how many.
    io_errors: Option<(Instant, u32)>,
}

/// Why a slot has no volume, since when, and when it is tried next.
#[derive(Debug, Clone)]
pub(crate) struct Down {
    pub(crate) reason: String,
    pub(crate) since: SystemTime,
    pub(crate) tries: u32,
    pub(crate) next_try: Instant,
}

impl Down {
    fn new(reason: String) -> Down {
        Down {
            reason,
            since: SystemTime::now(),
            tries: 0,
            next_try: Instant::now() + RETRY_FIRST,
        }
    }
}

impl Slot {
    /// A slot served by `volume` from `path`.
    pub(crate) fn up(path: PathBuf, volume: Arc<Volume>, mount_point: bool) -> Slot {
        Slot {
            volume: RwLock::new(Some(volume)),
            state: Mutex::new(SlotState {
                path: Some(path),
                mount_point,
                ..SlotState::default()
            }),
            suspect: AtomicBool::new(false),
        }
    }

    /// A slot no configured directory holds.
    pub(crate) fn empty(reason: String) -> Slot {
        Slot {
            volume: RwLock::new(None),
            state: Mutex::new(SlotState {
                down: Some(Down::new(reason)),
                ..SlotState::default()
            }),
            suspect: AtomicBool::new(false),
        }
    }

    /// The volume serving the slot now.
    pub(crate) fn volume(&self) -> Option<Arc<Volume>> {
        self.volume.read().ok().and_then(|v| v.clone())
    }

    /// The directory holding the slot.
    pub(crate) fn path(&self) -> Option<PathBuf> {
        self.state().path.clone()
    }

    /// Why the slot has no volume (none while it has one).
    pub(crate) fn down(&self) -> Option<Down> {
        self.state().down.clone()
    }

    /// Takes the volume out of service.
    pub(crate) fn take_down(&self, reason: String) {
        self.take_down_for(reason, RETRY_FIRST);
    }

    /// Takes the volume out of service, to be tried again after `wait`.
    pub(crate) fn take_down_for(&self, reason: String, wait: Duration) {
        if let Ok(mut v) = self.volume.write() {
            v.take();
        }
        let mut s = self.state();
        let mut down = Down::new(reason);
        down.next_try = Instant::now() + wait;
        s.down = Some(down);
        s.next_check = None;
        s.io_errors = None;
    }

    /// A read or write on the serving volume failed with an I/O error at `now`: counted, and
    /// the volume checked at once.
    pub(crate) fn io_failed(&self, now: Instant) {
        {
            let mut s = self.state();
            let (since, count) = match s.io_errors {
                Some((since, count)) if now.duration_since(since) < FAILING_WINDOW => {
                    (since, count)
                }
                _ => (now, 0),
            };
            s.io_errors = Some((since, count.saturating_add(1)));
        }
        self.suspect();
    }

    /// The I/O errors counted within the window that ends at `now`, when they make the
    /// volume failing.
    pub(crate) fn failing(&self, now: Instant) -> Option<u32> {
        match self.state().io_errors {
            Some((since, count))
                if now.duration_since(since) < FAILING_WINDOW && count >= FAILING_ERRORS =>
            {
                Some(count)
            }
            _ => None,
        }
    }

    /// Whether the directory was a mount point when its volume was last brought up.
    pub(crate) fn was_mount_point(&self) -> bool {
        self.state().mount_point
    }

    /// Puts `volume` (found at `path`) into service.
    pub(crate) fn bring_up(&self, path: PathBuf, volume: Arc<Volume>, mount_point: bool) {
        {
            let mut s = self.state();
            s.path = Some(path);
            s.mount_point = mount_point;
            s.down = None;
            s.next_check = None;
            s.io_errors = None;
        }
        if let Ok(mut v) = self.volume.write() {
            *v = Some(volume);
        }
    }

    /// A try to bring the slot back failed: record why and wait longer before the next.
    pub(crate) fn retry_later(&self, reason: String) {
        let mut s = self.state();
        let down = s.down.get_or_insert_with(|| Down::new(reason.clone()));
        down.reason = reason;
        down.tries = down.tries.saturating_add(1);
        let wait = RETRY_FIRST
            .saturating_mul(1u32 << down.tries.min(5))
            .min(RETRY_MAX);
        down.next_try = Instant::now() + wait;
    }

    /// Marks the serving volume for a check at once.
    pub(crate) fn suspect(&self) {
        self.suspect.store(true, Ordering::Relaxed);
    }

    /// Whether the slot is due for a check at `now` (`every`: the round for serving
    /// volumes); a suspect serving volume always is. A down slot waits for its next try
    /// whatever reads still in flight on its old volume report.
    pub(crate) fn due(&self, now: Instant, every: Duration) -> bool {
        let suspect = self.suspect.load(Ordering::Relaxed);
        let mut s = self.state();
        match &s.down {
            Some(d) => d.next_try <= now,
            None => suspect || *s.next_check.get_or_insert(now + every) <= now,
        }
    }

    /// When the slot is due next, as [`Slot::due`] sees it.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        let s = self.state();
        match &s.down {
            Some(d) => Some(d.next_try),
            None => s.next_check,
        }
    }

    /// A check of the serving volume passed (or it is in service again): clears the
    /// suspicion and sets the next round.
    pub(crate) fn checked(&self, next: Instant) {
        self.suspect.store(false, Ordering::Relaxed);
        self.state().next_check = Some(next);
    }

    /// Whether the slot was suspected since the last check, clearing it.
    pub(crate) fn take_suspicion(&self) -> bool {
        self.suspect.swap(false, Ordering::Relaxed)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SlotState> {
        // A panic while holding this lock cannot leave it half-updated (each update is one
        // assignment), so a poisoned lock is taken as is.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
