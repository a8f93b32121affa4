//! File operations: open, create, read, write, fsync, truncate and the rest of setattr,
//! fallocate. Data changes mark dirty ranges; fsync turns them durable.

use std::ffi::OsStr;
use std::fs::{self, File, FileTimes, OpenOptions, Permissions};
use std::os::unix::fs::{FileExt, OpenOptionsExt, PermissionsExt};
use std::time::SystemTime;

use fuser::{FileAttr, TimeOrNow};
use libc::{EEXIST, EIO, EISDIR};

use super::{errno, FaultFsImpl, Handle, Op, Res, State};
use crate::content::Durable;
use crate::namespace::{Kind, NodeId};

/// What an open needs from the flags the application passed.
struct OpenFlags {
    write: bool,
    truncate: bool,
    excl: bool,
    sync: bool,
}

impl OpenFlags {
    fn parse(flags: i32) -> OpenFlags {
        OpenFlags {
            write: flags & libc::O_ACCMODE != libc::O_RDONLY,
            truncate: flags & libc::O_TRUNC != 0,
            excl: flags & libc::O_EXCL != 0,
            sync: flags & (libc::O_SYNC | libc::O_DSYNC) != 0,
        }
    }
}

/// The backing file is always opened without O_DIRECT (alignment is the kernel's business
/// above us), without O_APPEND (the kernel sends the offsets) and readable (fsync copies
/// from it). Durability comes from the model, never from the backing file's own flags.
fn open_backing(path: &std::path::Path, write: bool) -> std::io::Result<File> {
    OpenOptions::new().read(true).write(write).open(path)
}

impl FaultFsImpl {
    pub(crate) fn open(&self, ino: NodeId, flags: i32) -> Res<u64> {
        let f = OpenFlags::parse(flags);
        let (mut st, _) = self.begin(if f.truncate { Op::Mutate } else { Op::Other })?;
        if st.ns.kind(ino) == Some(&Kind::Dir) {
            return Err(EISDIR);
        }
        let file = open_backing(&st.path(ino)?, f.write || f.truncate).map_err(errno)?;
        if f.truncate {
            truncate(&mut st, ino, &file, 0)?;
        }
        Ok(st.add_handle(file_handle(ino, file, f.sync)))
    }

    pub(crate) fn create(
        &self,
        parent: NodeId,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
    ) -> Res<(FileAttr, u64)> {
        let f = OpenFlags::parse(flags);
        let (mut st, _) = self.begin(Op::Mutate)?;
        if let Some(id) = st.ns.child(parent, name) {
            if f.excl {
                return Err(EEXIST);
            }
            let file = open_backing(&st.path(id)?, true).map_err(errno)?;
            if f.truncate {
                truncate(&mut st, id, &file, 0)?;
            }
            let attr = super::attr(id, &file.metadata().map_err(errno)?);
            return Ok((attr, st.add_handle(file_handle(id, file, f.sync))));
        }
        self.check_space()?;
        let path = st.path(parent)?.join(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(mode & !umask & 0o7777)
            .open(&path)
            .map_err(errno)?;
        let id = st.ns.new_node(Kind::File);
        let change = st.ns.begin_change();
        st.ns.add(change, parent, name, id);
        st.store.insert(id, Durable::Empty);
        let attr = super::attr(id, &file.metadata().map_err(errno)?);
        Ok((attr, st.add_handle(file_handle(id, file, f.sync))))
    }

    pub(crate) fn read(&self, ino: NodeId, fh: u64, offset: i64, size: u32) -> Res<Vec<u8>> {
        let (st, faults) = self.begin(Op::Other)?;
        if let Some(m) = &faults.fail_reads {
            if m.matches(&st.ns.match_path(ino)) {
                return Err(EIO);
            }
        }
        let file = st.file(fh)?;
        let mut buf = vec![0u8; size as usize];
        let mut got = 0;
        while got < buf.len() {
            let n = file
                .read_at(&mut buf[got..], offset as u64 + got as u64)
                .map_err(errno)?;
            if n == 0 {
                break;
            }
            got += n;
        }
        buf.truncate(got);
        Ok(buf)
    }

    pub(crate) fn write(&self, ino: NodeId, fh: u64, offset: i64, data: &[u8]) -> Res<u32> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        let n = self.take_space(data.len() as u64)? as usize;
        let st = &mut *st;
        let handle = st.handles.get(&fh).ok_or(libc::EBADF)?;
        let file = handle.file.as_ref().ok_or(libc::EBADF)?;
        st.store.before_change(ino, file).map_err(errno)?;
        let offset = offset as u64;
        file.write_all_at(&data[..n], offset).map_err(errno)?;
        st.store.mark(ino, offset, offset + n as u64);
        if handle.sync_writes {
            st.store.sync(ino, file).map_err(errno)?;
        }
        Ok(n as u32)
    }

    pub(crate) fn fsync(&self, ino: NodeId, fh: u64) -> Res<()> {
        let (mut st, faults) = self.begin(Op::Mutate)?;
        if let Some(m) = &faults.fail_fsync {
            if m.matches(&st.ns.match_path(ino)) {
                return Err(EIO);
            }
        }
        let st = &mut *st;
        let file = st
            .handles
            .get(&fh)
            .and_then(|h| h.file.as_ref())
            .ok_or(libc::EBADF)?;
        st.store.sync(ino, file).map_err(errno)
    }

    pub(crate) fn fallocate(
        &self,
        ino: NodeId,
        fh: u64,
        offset: i64,
        len: i64,
        mode: i32,
    ) -> Res<()> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        let st = &mut *st;
        let file = st
            .handles
            .get(&fh)
            .and_then(|h| h.file.as_ref())
            .ok_or(libc::EBADF)?;
        let (offset, len) = (offset as u64, len as u64);
        let keeps_size = mode & (libc::FALLOC_FL_KEEP_SIZE | libc::FALLOC_FL_PUNCH_HOLE) != 0;
        if !keeps_size {
            let size = file.metadata().map_err(errno)?.len();
            let growth = (offset + len).saturating_sub(size);
            self.take_space_exact(growth)?;
        }
        st.store.before_change(ino, file).map_err(errno)?;
        let flags = rustix::fs::FallocateFlags::from_bits_retain(mode as u32);
        rustix::fs::fallocate(file, flags, offset, len).map_err(|e| e.raw_os_error())?;
        st.store.mark(ino, offset, offset + len);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn setattr(
        &self,
        ino: NodeId,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        fh: Option<u64>,
    ) -> Res<FileAttr> {
        let (mut st, _) = self.begin(Op::Mutate)?;
        let is_dir = st.ns.kind(ino) == Some(&Kind::Dir);
        // A file to act on: the caller's handle, else the path.
        let file = match fh.and_then(|fh| st.file(fh).ok()) {
            Some(f) => f.try_clone().map_err(errno)?,
            None if is_dir => File::open(st.path(ino)?).map_err(errno)?,
            None => open_backing(&st.path(ino)?, size.is_some()).map_err(errno)?,
        };
        if let Some(size) = size {
            if size > file.metadata().map_err(errno)?.len() {
                self.check_space()?;
            }
            truncate(&mut st, ino, &file, size)?;
        }
        if let Some(mode) = mode {
            let perm = Permissions::from_mode(mode & 0o7777);
            file.set_permissions(perm).map_err(errno)?;
        }
        if uid.is_some() || gid.is_some() {
            std::os::unix::fs::fchown(&file, uid, gid).map_err(errno)?;
        }
        if atime.is_some() || mtime.is_some() {
            let mut times = FileTimes::new();
            if let Some(t) = atime {
                times = times.set_accessed(when(t));
            }
            if let Some(t) = mtime {
                times = times.set_modified(when(t));
            }
            file.set_times(times).map_err(errno)?;
        }
        Ok(super::attr(ino, &file.metadata().map_err(errno)?))
    }

    pub(crate) fn readlink(&self, ino: NodeId) -> Res<Vec<u8>> {
        let (st, _) = self.begin(Op::Other)?;
        let target = fs::read_link(st.path(ino)?).map_err(errno)?;
        Ok(target.into_os_string().into_encoded_bytes())
    }
}

fn file_handle(id: NodeId, file: File, sync_writes: bool) -> Handle {
    Handle {
        id,
        file: Some(file),
        sync_writes,
        entries: Vec::new(),
    }
}

fn truncate(st: &mut State, id: NodeId, file: &File, size: u64) -> Res<()> {
    let old = file.metadata().map_err(errno)?.len();
    st.store.before_change(id, file).map_err(errno)?;
    file.set_len(size).map_err(errno)?;
    st.store.mark(id, old.min(size), u64::MAX);
    Ok(())
}

fn when(t: TimeOrNow) -> SystemTime {
    match t {
        TimeOrNow::SpecificTime(t) => t,
        TimeOrNow::Now => SystemTime::now(),
    }
}
