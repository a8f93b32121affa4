//! Durable file contents. A file's durable bytes live in the shadow directory as
//! `<shadow>/inodes/<id>`, except for files untouched since mount, whose durable bytes are
//! still the live file's. Each file also keeps the byte ranges written since its last
//! fsync: at fsync only those are copied into the shadow copy.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::namespace::NodeId;
use crate::ranges::RangeSet;

/// Where a file's durable bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durable {
    /// In the live file: it is unchanged since mount.
    AtMount,
    /// Nothing was ever synced: an empty file.
    Empty,
    /// In the shadow copy.
    Shadow,
}

#[derive(Debug)]
pub(crate) struct Content {
    pub(crate) durable: Durable,
    /// Live byte ranges changed since the last fsync. `[size, MAX)` after a truncate.
    pub(crate) dirty: RangeSet,
}

#[derive(Debug)]
pub(crate) struct Store {
    dir: PathBuf,
    contents: HashMap<NodeId, Content>,
}

const CHUNK: usize = 1 << 20;

impl Store {
    pub(crate) fn new(shadow: &Path) -> io::Result<Store> {
        let dir = shadow.join("inodes");
        fs::create_dir_all(&dir)?;
        Ok(Store {
            dir,
            contents: HashMap::new(),
        })
    }

    pub(crate) fn shadow_path(&self, id: NodeId) -> PathBuf {
        self.dir.join(id.to_string())
    }

    pub(crate) fn get(&self, id: NodeId) -> Option<&Content> {
        self.contents.get(&id)
    }

    pub(crate) fn insert(&mut self, id: NodeId, durable: Durable) {
        let dirty = RangeSet::default();
        self.contents.insert(id, Content { durable, dirty });
    }

    /// Before the first change to a file untouched since mount: keep its bytes.
    pub(crate) fn before_change(&mut self, id: NodeId, live: &File) -> io::Result<()> {
        let shadow = self.shadow_path(id);
        let Some(c) = self.contents.get_mut(&id) else {
            return Ok(());
        };
        if c.durable == Durable::AtMount {
            let dst = create(&shadow)?;
            copy_range(live, &dst, 0, live.metadata()?.len())?;
            c.durable = Durable::Shadow;
        }
        Ok(())
    }

    /// Before the last live name of a file untouched since mount goes away (unlink, or a
    /// rename over it). A second hard link keeps the bytes without a copy; an open file
    /// could still be written through its handle, so it is copied.
    /// Returns whether it did anything, for [`Store::undo_removal`].
    pub(crate) fn before_removal(
        &mut self,
        id: NodeId,
        live: &Path,
        open: bool,
    ) -> io::Result<bool> {
        let shadow = self.shadow_path(id);
        let Some(c) = self.contents.get_mut(&id) else {
            return Ok(false);
        };
        if c.durable != Durable::AtMount {
            return Ok(false);
        }
        if open || fs::hard_link(live, &shadow).is_err() {
            let src = File::open(live)?;
            let dst = create(&shadow)?;
            copy_range(&src, &dst, 0, src.metadata()?.len())?;
        }
        c.durable = Durable::Shadow;
        Ok(true)
    }

    /// The removal failed after [`Store::before_removal`] kept the bytes: the live file is
    /// still there, and a hard-linked shadow copy must not follow its later changes.
    pub(crate) fn undo_removal(&mut self, id: NodeId) {
        if let Some(c) = self.contents.get_mut(&id) {
            c.durable = Durable::AtMount;
            let _ = fs::remove_file(self.dir.join(id.to_string()));
        }
    }

    /// Records a change of the live bytes in `[start, end)`.
    pub(crate) fn mark(&mut self, id: NodeId, start: u64, end: u64) {
        if let Some(c) = self.contents.get_mut(&id) {
            c.dirty.insert(start, end);
        }
    }

    /// fsync: the live bytes and size become the durable ones.
    pub(crate) fn sync(&mut self, id: NodeId, live: &File) -> io::Result<()> {
        let shadow = self.shadow_path(id);
        let Some(c) = self.contents.get_mut(&id) else {
            return Ok(());
        };
        if c.durable == Durable::AtMount {
            return Ok(()); // nothing changed since mount
        }
        let dst = if c.durable == Durable::Empty {
            create(&shadow)?
        } else {
            OpenOptions::new().write(true).open(&shadow)?
        };
        let size = live.metadata()?.len();
        for (start, end) in c.dirty.clipped(size) {
            copy_range(live, &dst, start, end)?;
        }
        dst.set_len(size)?;
        c.dirty.clear();
        c.durable = Durable::Shadow;
        Ok(())
    }
}

fn create(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

/// Copies `[start, end)` of `src` to the same offsets of `dst`, stopping early at EOF.
pub(crate) fn copy_range(src: &File, dst: &File, start: u64, end: u64) -> io::Result<()> {
    if end <= start {
        return Ok(());
    }
    let mut buf = vec![0u8; CHUNK.min((end - start) as usize)];
    let mut pos = start;
    while pos < end {
        let want = ((end - pos) as usize).min(buf.len());
        let n = src.read_at(&mut buf[..want], pos)?;
        if n == 0 {
            break;
        }
        dst.write_all_at(&buf[..n], pos)?;
        pos += n as u64;
    }
    Ok(())
}
