//! Namespace operations: lookups, creating and removing names, renames, links, directory
//! listing and fsyncdir. Each change is made on the backing directory first, then recorded
//! in the live tree and the journal; fsyncdir makes a directory's entries durable.

use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use fuser::{FileAttr, FileType};
use libc::{EEXIST, EINVAL, EIO, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM};

use super::{errno, file_type, FaultFsImpl, Handle, Op, Res, State};
use crate::namespace::{Kind, NodeId, ROOT};

/// `renameat2` flags we honour; RENAME_EXCHANGE and RENAME_WHITEOUT get EINVAL.
const RENAME_NOREPLACE: u32 = 1;

/// What `statfs` reports.
pub(crate) struct Statfs {
    pub(crate) blocks: u64,
    pub(crate) bfree: u64,
    pub(crate) bavail: u64,
    pub(crate) files: u64,
    pub(crate) ffree: u64,
    pub(crate) bsize: u32,
    pub(crate) namelen: u32,
    pub(crate) frsize: u32,
}

impl FaultFsImpl {
    pub(crate) fn lookup(&self, parent: NodeId, name: &OsStr) -> Res<FileAttr> {
        let (st, _) = self.begin(Op::Lookup)?;
        let id = st.ns.child(parent, name).ok_or(ENOENT)?;
        st.attr(id, None)
    }

    pub(crate) fn getattr(&self, ino: NodeId, fh: Option<u64>) -> Res<FileAttr> {
        let (st, _) = self.begin(Op::Other)?;
        st.attr(ino, fh)
    }

    pub(crate) fn mkdir(
        &self,
        parent: NodeId,
        name: &OsStr,
        mode: u32,
        umask: u32,
    ) -> Res<FileAttr> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        self.check_space()?;
        let path = new_name(&st, parent, name)?;
        DirBuilder::new()
            .mode(mode & !umask & 0o7777)
            .create(&path)
            .map_err(errno)?;
        let id = st.ns.new_node(Kind::Dir);
        let change = st.ns.begin_change();
        st.ns.add(change, parent, name, id);
        st.attr(id, None)
    }

    pub(crate) fn symlink(&self, parent: NodeId, name: &OsStr, target: &Path) -> Res<FileAttr> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        self.check_space()?;
        let path = new_name(&st, parent, name)?;
        std::os::unix::fs::symlink(target, &path).map_err(errno)?;
        let id = st.ns.new_node(Kind::Symlink(target.to_owned()));
        let change = st.ns.begin_change();
        st.ns.add(change, parent, name, id);
        st.attr(id, None)
    }

    pub(crate) fn link(&self, ino: NodeId, parent: NodeId, name: &OsStr) -> Res<FileAttr> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        self.check_space()?;
        if st.ns.kind(ino) == Some(&Kind::Dir) {
            return Err(EPERM);
        }
        let path = new_name(&st, parent, name)?;
        fs::hard_link(st.path(ino)?, &path).map_err(errno)?;
        let change = st.ns.begin_change();
        st.ns.add(change, parent, name, ino);
        st.attr(ino, None)
    }

    pub(crate) fn unlink(&self, parent: NodeId, name: &OsStr) -> Res<()> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        let id = st.ns.child(parent, name).ok_or(ENOENT)?;
        if st.ns.kind(id) == Some(&Kind::Dir) {
            return Err(EISDIR);
        }
        let path = st.path(parent)?.join(name);
        let kept = keep_before_removal(&mut st, id, &path)?;
        if let Err(e) = fs::remove_file(&path) {
            if kept {
                st.store.undo_removal(id);
            }
            return Err(errno(e));
        }
        let change = st.ns.begin_change();
        st.ns.remove(change, parent, name);
        Ok(())
    }

    pub(crate) fn rmdir(&self, parent: NodeId, name: &OsStr) -> Res<()> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        let id = st.ns.child(parent, name).ok_or(ENOENT)?;
        if st.ns.kind(id) != Some(&Kind::Dir) {
            return Err(ENOTDIR);
        }
        if st.ns.children(id).is_some_and(|c| !c.is_empty()) {
            return Err(ENOTEMPTY);
        }
        fs::remove_dir(st.path(parent)?.join(name)).map_err(errno)?;
        let change = st.ns.begin_change();
        st.ns.remove(change, parent, name);
        Ok(())
    }

    pub(crate) fn rename(
        &self,
        parent: NodeId,
        name: &OsStr,
        new_parent: NodeId,
        new_name: &OsStr,
        flags: u32,
    ) -> Res<()> {
        if flags & !RENAME_NOREPLACE != 0 {
            return Err(EINVAL);
        }
        let (mut st, _) = self.begin(Op::Mutate)?;
        let src = st.ns.child(parent, name).ok_or(ENOENT)?;
        let dst = st.ns.child(new_parent, new_name);
        if dst.is_some() && flags & RENAME_NOREPLACE != 0 {
            return Err(EEXIST);
        }
        if dst == Some(src) {
            return Ok(()); // two names of one file: POSIX says do nothing
        }
        let src_dir = st.ns.kind(src) == Some(&Kind::Dir);
        if src_dir && is_within(&st, new_parent, src) {
            return Err(EINVAL);
        }
        let old_path = st.path(parent)?.join(name);
        let new_path = st.path(new_parent)?.join(new_name);
        let mut kept = false;
        if let Some(dst) = dst {
            match (src_dir, st.ns.kind(dst) == Some(&Kind::Dir)) {
                (true, false) => return Err(ENOTDIR),
                (false, true) => return Err(EISDIR),
                (true, true) if st.ns.children(dst).is_some_and(|c| !c.is_empty()) => {
                    return Err(ENOTEMPTY)
                }
                _ => {}
            }
            kept = keep_before_removal(&mut st, dst, &new_path)?;
        }
        if let Err(e) = fs::rename(&old_path, &new_path) {
            if let (true, Some(dst)) = (kept, dst) {
                st.store.undo_removal(dst);
            }
            return Err(errno(e));
        }
        let change = st.ns.begin_change();
        if dst.is_some() {
            st.ns.remove(change, new_parent, new_name);
        }
        st.ns.remove(change, parent, name);
        st.ns.add(change, new_parent, new_name, src);
        Ok(())
    }

    pub(crate) fn opendir(&self, ino: NodeId) -> Res<u64> {
        let (mut st, _) = self.begin(Op::Other)?;
        let children = st.ns.children(ino).ok_or(ENOTDIR)?;
        let mut entries = vec![
            (ino, FileType::Directory, ".".into()),
            (st.ns.parent(ino), FileType::Directory, "..".into()),
        ];
        for (name, &id) in children {
            let kind = st.ns.kind(id).map_or(FileType::RegularFile, file_type);
            entries.push((id, kind, name.clone()));
        }
        let handle = Handle {
            id: ino,
            file: None,
            sync_writes: false,
            entries,
        };
        Ok(st.add_handle(handle))
    }

    /// The entries of an open directory from `offset` on (offsets count from 1).
    pub(crate) fn readdir(&self, fh: u64, offset: i64) -> Res<Vec<(NodeId, FileType, OsString)>> {
        let (st, _) = self.begin(Op::Other)?;
        let handle = st.handles.get(&fh).ok_or(libc::EBADF)?;
        Ok(handle
            .entries
            .iter()
            .skip(offset.max(0) as usize)
            .cloned()
            .collect())
    }

    pub(crate) fn fsyncdir(&self, ino: NodeId) -> Res<()> {
        let (mut st, faults) = self.begin(Op::Mutate)?;
        if let Some(m) = &faults.fail_fsync {
            if m.matches(&st.ns.match_path(ino)) {
                return Err(EIO);
            }
        }
        st.ns.sync_dir(ino);
        Ok(())
    }

    pub(crate) fn access(&self, ino: NodeId, mask: i32) -> Res<()> {
        let (st, _) = self.begin(Op::Other)?;
        let access = rustix::fs::Access::from_bits_retain(mask as u32);
        rustix::fs::access(st.path(ino)?, access).map_err(|e| e.raw_os_error())
    }

    /// The backing filesystem's numbers, with free space cut to the ENOSPC budget.
    pub(crate) fn statfs(&self) -> Res<Statfs> {
        let (st, faults) = self.begin(Op::Other)?;
        let s = rustix::fs::statvfs(&st.backing).map_err(|e| e.raw_os_error())?;
        let frsize = s.f_frsize.max(1);
        let (mut bfree, mut bavail) = (s.f_bfree, s.f_bavail);
        if let Some(left) = faults.space_left {
            bfree = bfree.min(left / frsize);
            bavail = bavail.min(left / frsize);
        }
        Ok(Statfs {
            blocks: s.f_blocks,
            bfree,
            bavail,
            files: s.f_files,
            ffree: s.f_ffree,
            bsize: s.f_bsize as u32,
            namelen: s.f_namemax as u32,
            frsize: frsize as u32,
        })
    }
}

/// The backing path for a new name, refusing names already taken.
fn new_name(st: &State, parent: NodeId, name: &OsStr) -> Res<PathBuf> {
    if st.ns.child(parent, name).is_some() {
        return Err(EEXIST);
    }
    Ok(st.path(parent)?.join(name))
}

/// Keeps the durable bytes of a file untouched since mount before its last name goes.
fn keep_before_removal(st: &mut State, id: NodeId, path: &Path) -> Res<bool> {
    let last = st.ns.node(id).is_some_and(|n| n.links.len() == 1);
    if !last || st.ns.kind(id) != Some(&Kind::File) {
        return Ok(false);
    }
    let open = st.is_open(id);
    st.store.before_removal(id, path, open).map_err(errno)
}

/// Whether `dir` is `ancestor` or lies below it.
fn is_within(st: &State, mut dir: NodeId, ancestor: NodeId) -> bool {
    loop {
        if dir == ancestor {
            return true;
        }
        if dir == ROOT {
            return false;
        }
        dir = st.ns.parent(dir);
    }
}
