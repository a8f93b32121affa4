//! The FUSE filesystem: a passthrough to the backing directory that also keeps the durable
//! state up to date. `dispatch` answers the kernel; `files` and `dirs` do the work.

mod dirs;
mod dispatch;
mod files;

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fuser::{FileAttr, FileType};
use libc::{c_int, EBADF, EIO, ENOENT, ENOSPC};

use crate::content::Store;
use crate::faults::Faults;
use crate::namespace::{Kind, Namespace, NodeId};
use crate::power::PowerSupply;

/// An errno for the kernel.
pub(crate) type Errno = c_int;
pub(crate) type Res<T> = Result<T, Errno>;

pub(crate) fn errno(e: io::Error) -> Errno {
    e.raw_os_error().unwrap_or(EIO)
}

/// Locks, ignoring poisoning: a panic on the filesystem thread must not wedge the test
/// thread that then unmounts and restores.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the filesystem thread and the test's handle share.
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) faults: Mutex<Faults>,
    /// Possibly shared with other mounts.
    pub(crate) power: PowerSupply,
}

pub(crate) struct State {
    pub(crate) backing: PathBuf,
    pub(crate) ns: Namespace,
    pub(crate) store: Store,
    pub(crate) handles: HashMap<u64, Handle>,
    next_fh: u64,
    /// Unmounting: nothing may touch the backing directory any more.
    pub(crate) closed: bool,
    pub(crate) ttl: Duration,
}

/// An open file or directory.
pub(crate) struct Handle {
    pub(crate) id: NodeId,
    /// The backing file (files only).
    pub(crate) file: Option<File>,
    /// Opened with O_SYNC or O_DSYNC: each write is durable when it returns.
    pub(crate) sync_writes: bool,
    /// A directory's entries as of opendir.
    pub(crate) entries: Vec<(NodeId, FileType, OsString)>,
}

impl State {
    pub(crate) fn new(backing: PathBuf, ns: Namespace, store: Store, ttl: Duration) -> State {
        State {
            backing,
            ns,
            store,
            handles: HashMap::new(),
            next_fh: 1,
            closed: false,
            ttl,
        }
    }

    /// The backing path of a node that still has a name.
    pub(crate) fn path(&self, id: NodeId) -> Res<PathBuf> {
        self.ns.path(id).map(|p| self.backing.join(p)).ok_or(ENOENT)
    }

    pub(crate) fn add_handle(&mut self, handle: Handle) -> u64 {
        let fh = self.next_fh;
        self.next_fh += 1;
        self.handles.insert(fh, handle);
        fh
    }

    pub(crate) fn file(&self, fh: u64) -> Res<&File> {
        self.handles
            .get(&fh)
            .and_then(|h| h.file.as_ref())
            .ok_or(EBADF)
    }

    pub(crate) fn is_open(&self, id: NodeId) -> bool {
        self.handles.values().any(|h| h.id == id)
    }

    /// Metadata through a handle if one is given (or the node has no name), else the path.
    pub(crate) fn metadata(&self, id: NodeId, fh: Option<u64>) -> Res<Metadata> {
        if let Some(file) = fh.and_then(|fh| self.file(fh).ok()) {
            return file.metadata().map_err(errno);
        }
        match self.path(id) {
            Ok(p) => p.symlink_metadata().map_err(errno),
            Err(e) => self
                .handles
                .values()
                .find(|h| h.id == id && h.file.is_some())
                .and_then(|h| h.file.as_ref())
                .ok_or(e)?
                .metadata()
                .map_err(errno),
        }
    }

    pub(crate) fn attr(&self, id: NodeId, fh: Option<u64>) -> Res<FileAttr> {
        Ok(attr(id, &self.metadata(id, fh)?))
    }
}

/// How an operation is gated by faults and the power model.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Name lookups: ENOENT when the disk has vanished.
    Lookup,
    /// Changes the disk: counted, and where a power cut strikes.
    Mutate,
    /// Everything else.
    Other,
}

/// The filesystem as fuser sees it.
pub(crate) struct FaultFsImpl {
    pub(crate) shared: Arc<Shared>,
}

impl FaultFsImpl {
    /// Every operation starts here: delay, vanish, power state, op counting.
    pub(crate) fn begin(&self, op: Op) -> Res<(MutexGuard<'_, State>, Faults)> {
        let faults = lock(&self.shared.faults).clone();
        if !faults.delay.is_zero() {
            std::thread::sleep(faults.delay);
        }
        if faults.vanished {
            return Err(if op == Op::Lookup { ENOENT } else { EIO });
        }
        // The state stays locked while the operation runs: an operation admitted before a
        // cut (on any mount of the supply) completes before the cut.
        let st = lock(&self.shared.state);
        if st.closed || !self.shared.power.admit(op == Op::Mutate) {
            return Err(EIO);
        }
        Ok((st, faults))
    }

    /// Takes up to `want` bytes of the space budget; ENOSPC when none is left.
    pub(crate) fn take_space(&self, want: u64) -> Res<u64> {
        let mut faults = lock(&self.shared.faults);
        match faults.space_left {
            None => Ok(want),
            Some(0) => Err(ENOSPC),
            Some(left) => {
                let got = want.min(left);
                faults.space_left = Some(left - got);
                Ok(got)
            }
        }
    }

    /// Takes exactly `want` bytes of the budget, or none and ENOSPC.
    pub(crate) fn take_space_exact(&self, want: u64) -> Res<()> {
        let mut faults = lock(&self.shared.faults);
        match faults.space_left {
            Some(left) if left < want => Err(ENOSPC),
            Some(left) => {
                faults.space_left = Some(left - want);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// For creations: ENOSPC once the budget is spent.
    pub(crate) fn check_space(&self) -> Res<()> {
        match lock(&self.shared.faults).space_left {
            Some(0) => Err(ENOSPC),
            _ => Ok(()),
        }
    }
}

pub(crate) fn file_type(kind: &Kind) -> FileType {
    match kind {
        Kind::File => FileType::RegularFile,
        Kind::Dir => FileType::Directory,
        Kind::Symlink(_) => FileType::Symlink,
    }
}

fn time(secs: i64, nsecs: i64) -> SystemTime {
    let d = Duration::new(secs.max(0) as u64, nsecs.clamp(0, 999_999_999) as u32);
    UNIX_EPOCH + d
}

pub(crate) fn attr(id: NodeId, md: &Metadata) -> FileAttr {
    let ft = md.file_type();
    let kind = if ft.is_dir() {
        FileType::Directory
    } else if ft.is_symlink() {
        FileType::Symlink
    } else {
        FileType::RegularFile
    };
    FileAttr {
        ino: id,
        size: md.len(),
        blocks: md.blocks(),
        atime: time(md.atime(), md.atime_nsec()),
        mtime: time(md.mtime(), md.mtime_nsec()),
        ctime: time(md.ctime(), md.ctime_nsec()),
        crtime: time(md.ctime(), md.ctime_nsec()),
        kind,
        perm: (md.mode() & 0o7777) as u16,
        nlink: md.nlink() as u32,
        uid: md.uid(),
        gid: md.gid(),
        rdev: md.rdev() as u32,
        blksize: md.blksize() as u32,
        flags: 0,
    }
}
