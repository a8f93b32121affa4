//! Keeping a set's slots true to the disks while the store runs: a serving volume whose
//! directory is gone, unreadable, wiped or failing is taken out of service; a down slot's
//! directory is tried again with backoff and brought back when its volume returns, or
//! formatted into the slot when it comes back blank (a new PV where a lost one was). A volume
//! that comes back or joins gets a rebuild mark: it missed writes, and the scanner's refill
//! pass restores them. All of it is blocking file system work, for a blocking thread.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::slot::FAILING_WINDOW;
use super::ErasureSet;
use crate::disk::format::{self, Found, VolumeFormat, STRATA_DIR};
use crate::disk::rebuild_mark::{self, RebuildMark};
use crate::disk::volume::Volume;

/// File the write probe of a suspect volume creates and removes.
const PROBE_FILE: &str = "probe.tmp";
/// A volume taken out as failing is tried again after this many check intervals.
const FAILING_RETRY_ROUNDS: u32 = 6;

impl ErasureSet {
    /// Checks every slot that is due at `now`: serving volumes every `every` (at once when
    /// suspected), down slots at their backoff. Returns how many volumes it put (back) into
    /// service (each with a rebuild mark).
    pub(crate) fn watch_round(&self, now: Instant, every: Duration) -> usize {
        let mut up = 0;
        let mut free_slots = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            if !slot.due(now, every) {
                if slot.volume().is_none() && slot.path().is_none() {
                    free_slots.push(i);
                }
                continue;
            }
            match (slot.volume(), slot.failing(now)) {
                (Some(v), Some(errors)) => {
                    let why = format!(
                        "failing: {errors} I/O errors within {}s",
                        FAILING_WINDOW.as_secs()
                    );
                    tracing::warn!(class = %self.name, slot = i, path = %v.root.display(), reason = %why, "volume taken out of service");
                    // Tried again only after a while: its bad reads would otherwise be back
                    // at once (a volume that comes back is refilled, and read again).
                    slot.take_down_for(why, every.saturating_mul(FAILING_RETRY_ROUNDS));
                }
                (Some(v), None) => {
                    let deep = slot.take_suspicion();
                    match self.serving_problem(i, &v, deep) {
                        None => slot.checked(now + every),
                        Some(why) => {
                            tracing::warn!(class = %self.name, slot = i, path = %v.root.display(), reason = %why, "volume taken out of service");
                            slot.take_down(why);
                        }
                    }
                }
                (None, _) => match slot.path() {
                    Some(path) => match self.revive(i, &path) {
                        Ok(()) => up += 1,
                        Err(why) => slot.retry_later(why),
                    },
                    None => {
                        free_slots.push(i);
                        slot.retry_later("no configured directory holds this slot".into());
                    }
                },
            }
        }
        if !free_slots.is_empty() {
            up += self.adopt_unplaced(&free_slots);
        }
        up
    }

    /// When the next slot is due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.slots.iter().filter_map(|s| s.next_due()).min()
    }

    /// Why the volume serving `slot` must stop serving, if it must: its format record no
    /// longer names it (gone, unreadable, wiped, another volume mounted there), or, when
    /// `write` (it was suspected), a small file cannot be written and fsynced. A full disk
    /// is not a reason: it still serves reads and deletes.
    fn serving_problem(&self, slot: usize, v: &Volume, write: bool) -> Option<String> {
        let id = self.member(slot)?;
        match format::inspect(&v.root) {
            Found::Formatted(f) if f.this == id => {}
            found => return Some(not_this_volume(&found, id)),
        }
        if !write {
            return None;
        }
        match write_probe(&v.root) {
            Ok(()) => None,
            Err(e) if crate::error::io_is_full(&e) => None,
            Err(e) => Some(format!("a test write failed: {e}")),
        }
    }

    /// Tries to bring `slot` back from `path`: its own volume returned, or a blank directory
    /// to format into the slot.
    fn revive(&self, slot: usize, path: &Path) -> Result<(), String> {
        let id = self
            .member(slot)
            .ok_or_else(|| "the slot has no member id".to_string())?;
        match format::inspect(path) {
            Found::Formatted(mut f) if f.this == id && f.deployment == self.deployment => {
                // It may have missed a replacement in another slot: it learns the set now, so
                // that a restart's majority agrees.
                let members = self
                    .membership
                    .lock()
                    .map(|m| m.clone())
                    .unwrap_or_default();
                if !members.is_empty() && f.set != members {
                    f.set = members;
                    format::write(path, &f).map_err(|e| e.to_string())?;
                }
                self.serve(slot, path, "came back")
            }
            Found::Blank => {
                if self.slots[slot].was_mount_point() && !is_mount_point(path) {
                    return Err("blank, and no longer a mount point: not formatted (is the volume unmounted?)".into());
                }
                self.format_into(slot, path)?;
                self.serve(slot, path, "formatted as a replacement")
            }
            found => Err(not_this_volume(&found, id)),
        }
    }

    /// Offers directories that hold no slot to the free slots: a formatted volume to its
    /// own slot, a blank one to the first free slot. Returns how many joined.
    fn adopt_unplaced(&self, free: &[usize]) -> usize {
        let mut joined = 0;
        let unplaced = self.unplaced();
        let mut left = Vec::new();
        let mut free: Vec<usize> = free.to_vec();
        for (path, old_why) in unplaced {
            let found = format::inspect(&path);
            let slot = match &found {
                Found::Formatted(f) if f.deployment == self.deployment => {
                    free.iter().position(|s| self.member(*s) == Some(f.this))
                }
                Found::Blank => (!free.is_empty()).then_some(0),
                _ => None,
            };
            let Some(at) = slot else {
                left.push((path, refusal(&found).unwrap_or(old_why)));
                continue;
            };
            let s = free[at];
            let done = match found {
                Found::Blank => self.format_into(s, &path),
                _ => Ok(()),
            }
            .and_then(|()| self.serve(s, &path, "joined"));
            match done {
                Ok(()) => {
                    free.remove(at);
                    joined += 1;
                }
                Err(why) => left.push((path, why)),
            }
        }
        if let Ok(mut u) = self.unplaced.lock() {
            *u = left;
        }
        joined
    }

    /// Marks the volume at `path` for a refill, opens it and puts it into `slot`.
    fn serve(&self, slot: usize, path: &Path, how: &str) -> Result<(), String> {
        // It missed the writes made while it was away: the refill pass restores them. A
        // refill it had not finished starts again from the beginning for the same reason,
        // under a new `since_ns` so that the pass that was running does not clear it.
        let mark = RebuildMark {
            since_ns: crate::record::now_ns(),
            after: None,
        };
        rebuild_mark::write(path, &mark).map_err(|e| e.to_string())?;
        let v = Volume::open(path, self.index).map_err(|e| e.to_string())?;
        tracing::info!(class = %self.name, slot, path = %path.display(), "volume {how}; it is refilled now");
        self.slots[slot].bring_up(path.to_path_buf(), Arc::new(v), is_mount_point(path));
        Ok(())
    }

    /// Formats the blank directory `path` into `slot` with a new id. The members serving
    /// now learn the new set first: a crash before the new volume's record is written
    /// leaves a slot whose id no volume has, and the blank directory is formatted into it
    /// again at the next start.
    fn format_into(&self, slot: usize, path: &Path) -> Result<(), String> {
        let mut members = self
            .membership
            .lock()
            .map_err(|_| "the set's membership lock is poisoned".to_string())?;
        let mut set = members.clone();
        let id = Uuid::new_v4();
        set[slot] = id;
        for (i, v) in self.online() {
            if i == slot {
                continue;
            }
            let Found::Formatted(mut f) = format::inspect(&v.root) else {
                continue;
            };
            f.set = set.clone();
            if let Err(e) = format::write(&v.root, &f) {
                tracing::warn!(path = %v.root.display(), error = %e, "could not record the new set on a volume");
            }
        }
        rebuild_mark::write(
            path,
            &RebuildMark {
                since_ns: crate::record::now_ns(),
                after: None,
            },
        )
        .map_err(|e| e.to_string())?;
        let f = VolumeFormat::member(
            self.deployment,
            &self.name,
            &self.scheme.to_string(),
            id,
            set.clone(),
        );
        format::write(path, &f).map_err(|e| e.to_string())?;
        *members = set;
        Ok(())
    }

    fn member(&self, slot: usize) -> Option<Uuid> {
        self.membership.lock().ok()?.get(slot).copied()
    }
}

/// Why what was found at a volume's directory is not the volume `id`.
fn not_this_volume(found: &Found, id: Uuid) -> String {
    match found {
        Found::Formatted(f) if f.this == id => "another deployment's volume".into(),
        Found::Formatted(f) => format!("the directory holds volume {}, not {id}", f.this),
        other => refusal(other).unwrap_or_default(),
    }
}

/// Why a directory cannot serve, for what is not a formatted volume.
fn refusal(found: &Found) -> Option<String> {
    match found {
        Found::Missing => Some("the directory does not exist".into()),
        Found::Blank => Some("the format record is gone (the volume was wiped or replaced)".into()),
        Found::Unreadable(why) => Some(why.clone()),
        Found::Formatted(_) => None,
    }
}

/// Writes, fsyncs and removes a small file in the volume's `.strata` directory.
fn write_probe(root: &Path) -> std::io::Result<()> {
    let path = root.join(STRATA_DIR).join(PROBE_FILE);
    let mut f = std::fs::File::create(&path)?;
    f.write_all(b"strata volume check\n")?;
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(&path)
}

/// Whether `path` is the root of a file system of its own (a mounted PV), not a directory
/// of its parent's.
pub(crate) fn is_mount_point(path: &Path) -> bool {
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    match (dev(path), path.parent().and_then(dev)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_system_root_is_a_mount_point_and_a_plain_directory_is_not() {
        assert!(is_mount_point(Path::new("/proc")));
        let tmp = tempfile::tempdir().unwrap();
        let plain = tmp.path().join("vol");
        std::fs::create_dir(&plain).unwrap();
        assert!(!is_mount_point(&plain));
        assert!(!is_mount_point(&tmp.path().join("missing")));
    }

    #[test]
    fn what_is_found_where_a_volume_was_is_named_in_the_reason() {
        let id = Uuid::new_v4();
        assert!(not_this_volume(&Found::Missing, id).contains("does not exist"));
        assert!(not_this_volume(&Found::Blank, id).contains("wiped or replaced"));
        let other = VolumeFormat::member(Uuid::new_v4(), "fast", "2+2", Uuid::new_v4(), vec![]);
        assert!(not_this_volume(&Found::Formatted(other), id).contains("not"));
    }
}
