//! After a power cut: rebuild the backing directory as the durable state (plus, in Partial
//! mode, a seeded part of what was still in flight).
//!
//! The new tree is assembled in `<shadow>/restore` (same filesystem as the backing
//! directory, so files move by rename or hard link, never by copy), then swapped in.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::content::{copy_range, Durable};
use crate::error::Error;
use crate::fs::State;
use crate::namespace::{walk, Kind, NodeId};
use crate::options::{RestoreMode, RestoreReport};
use crate::rng::Rng;

/// Unsynced data reaches the disk in blocks of this size, each one or not.
const BLOCK: u64 = 4096;

pub(crate) fn restore(
    st: &State,
    shadow: &Path,
    mode: RestoreMode,
) -> Result<RestoreReport, Error> {
    let mut rng = match mode {
        RestoreMode::Partial { seed } => Some(Rng::new(seed)),
        RestoreMode::Strict => None,
    };
    let (dirs, applied_dir_ops) = st.ns.durable_view(rng.as_mut());
    let mut report = RestoreReport {
        applied_dir_ops,
        ..RestoreReport::default()
    };
    let staging = shadow.join("restore");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(Error::restore(&staging))?;
    }
    fs::create_dir(&staging).map_err(Error::restore(&staging))?;

    let mut first: HashMap<NodeId, PathBuf> = HashMap::new();
    for placed in walk(&st.ns, &dirs) {
        let dst = staging.join(&placed.path);
        let r = match &placed.kind {
            Kind::Dir => {
                report.dirs += 1;
                fs::create_dir(&dst)
            }
            Kind::Symlink(target) => std::os::unix::fs::symlink(target, &dst),
            Kind::File => {
                report.files += 1;
                match first.get(&placed.id) {
                    Some(path) => fs::hard_link(path, &dst),
                    None => {
                        first.insert(placed.id, dst.clone());
                        place_file(st, placed.id, &dst, rng.as_mut(), &mut report)
                    }
                }
            }
        };
        r.map_err(Error::restore(&dst))?;
    }

    swap_in(&staging, &st.backing)?;
    fs::remove_dir(&staging).map_err(Error::restore(&staging))?;
    Ok(report)
}

/// Puts a file's durable bytes at `dst`, then (Partial) some of its unsynced blocks.
fn place_file(
    st: &State,
    id: NodeId,
    dst: &Path,
    rng: Option<&mut Rng>,
    report: &mut RestoreReport,
) -> io::Result<()> {
    let Some(content) = st.store.get(id) else {
        File::create(dst)?;
        return Ok(());
    };
    match content.durable {
        Durable::AtMount => {
            // Untouched since mount: the live file is the durable one.
            // (Its last name cannot have gone: removals keep the bytes in the shadow first.)
            let Ok(live) = st.path(id) else {
                File::create(dst)?;
                return Ok(());
            };
            if fs::hard_link(&live, dst).is_err() {
                fs::copy(&live, dst)?;
            }
            return Ok(());
        }
        Durable::Empty => {
            File::create(dst)?;
        }
        Durable::Shadow => fs::rename(st.store.shadow_path(id), dst)?,
    }
    let Some(rng) = rng else { return Ok(()) };
    if content.dirty.is_empty() {
        return Ok(());
    }
    let Some(live) = live_source(st, id) else {
        return Ok(()); // unlinked and closed: its unsynced bytes are gone
    };
    let out = OpenOptions::new().write(true).open(dst)?;
    let durable_size = out.metadata()?.len();
    let live_size = live.metadata()?.len();
    let size = if rng.coin() { live_size } else { durable_size };
    for (start, end) in content.dirty.clipped(size) {
        let mut block = start - start % BLOCK;
        while block < end {
            let (from, to) = (block.max(start), (block + BLOCK).min(end));
            if rng.coin() {
                copy_range(&live, &out, from, to)?;
                report.applied_blocks += 1;
            }
            block += BLOCK;
        }
    }
    out.set_len(size)
}

/// The live bytes of a file: an open handle if any, else its live name.
fn live_source(st: &State, id: NodeId) -> Option<File> {
    let open = st.handles.values().find(|h| h.id == id);
    if let Some(file) = open.and_then(|h| h.file.as_ref()) {
        return file.try_clone().ok();
    }
    File::open(st.path(id).ok()?).ok()
}

/// Empties `backing` and moves the staged tree into it.
fn swap_in(staging: &Path, backing: &Path) -> Result<(), Error> {
    for entry in fs::read_dir(backing).map_err(Error::restore(backing))? {
        let path = entry.map_err(Error::restore(backing))?.path();
        let r = if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        r.map_err(Error::restore(&path))?;
    }
    for entry in fs::read_dir(staging).map_err(Error::restore(staging))? {
        let entry = entry.map_err(Error::restore(staging))?;
        let to = backing.join(entry.file_name());
        fs::rename(entry.path(), &to).map_err(Error::restore(&to))?;
    }
    Ok(())
}
