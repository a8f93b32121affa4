//! Mounting in the calling process, unmounting (also on drop), and restoring after a cut.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::ops::Deref;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fuser::{BackgroundSession, MountOption};

use crate::content::{Durable, Store};
use crate::control::Controller;
use crate::error::Error;
use crate::faults::Faults;
use crate::fs::{lock, FaultFsImpl, Shared, State};
use crate::namespace::{Kind, Namespace, NodeId, ROOT};
use crate::options::{MountOptions, RestoreMode, RestoreReport};
use crate::restore::restore;

/// A mounted fault-injecting filesystem. Unmounts on drop (leaving the backing directory
/// as the live state); [`FaultFs::unmount_and_restore`] leaves the durable state instead.
/// Derefs to its [`Controller`] for the power and fault knobs.
pub struct FaultFs {
    control: Controller,
    session: Option<BackgroundSession>,
    mountpoint: PathBuf,
    backing: PathBuf,
    shadow: PathBuf,
}

impl FaultFs {
    /// Fails unless `/dev/fuse` and `fusermount3` are present.
    pub fn check_available() -> Result<(), Error> {
        if !Path::new("/dev/fuse").exists() {
            return Err(Error::FuseUnavailable("/dev/fuse does not exist".into()));
        }
        let found = Command::new("fusermount3").arg("--version").output();
        if found.is_err() {
            return Err(Error::FuseUnavailable("fusermount3 is not on PATH".into()));
        }
        Ok(())
    }

    /// Mounts a passthrough of `backing` on `mountpoint`, served by a thread of this
    /// process. What `backing` holds now counts as durable.
    pub fn mount(backing: &Path, mountpoint: &Path, opts: MountOptions) -> Result<FaultFs, Error> {
        FaultFs::check_available()?;
        let scan_err = |source| Error::Scan {
            path: backing.to_owned(),
            source,
        };
        let backing = backing.canonicalize().map_err(scan_err)?;
        let shadow = match opts.shadow_dir {
            Some(dir) => dir,
            None => default_shadow(&backing).map_err(scan_err)?,
        };
        let shadow_err = |source| Error::Shadow {
            path: shadow.clone(),
            source,
        };
        if shadow.exists() {
            fs::remove_dir_all(&shadow).map_err(shadow_err)?;
        }
        let mut store = Store::new(&shadow).map_err(shadow_err)?;
        let ns = scan(&backing, &mut store).map_err(|source| Error::Scan {
            path: backing.clone(),
            source,
        })?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(backing.clone(), ns, store, opts.attr_ttl)),
            faults: Mutex::new(Faults::default()),
            power: opts.power.unwrap_or_default(),
        });
        let fs = FaultFsImpl {
            shared: shared.clone(),
        };
        let mut options = vec![
            MountOption::FSName(opts.fs_name),
            MountOption::Subtype("faultfs".into()),
        ];
        if opts.allow_other {
            options.push(MountOption::AllowOther);
        }
        let mount_err = |source| Error::Mount {
            mountpoint: mountpoint.to_owned(),
            source,
        };
        // Absolute, so that unmounting does not depend on the working directory.
        let mountpoint = &mountpoint.canonicalize().map_err(mount_err)?;
        let session = fuser::spawn_mount2(fs, mountpoint, &options).map_err(|source| {
            let _ = fs::remove_dir_all(&shadow);
            Error::Mount {
                mountpoint: mountpoint.to_owned(),
                source,
            }
        })?;
        Ok(FaultFs {
            control: Controller { shared },
            session: Some(session),
            mountpoint: mountpoint.to_owned(),
            backing,
            shadow,
        })
    }

    pub fn mountpoint(&self) -> &Path {
        &self.mountpoint
    }

    pub fn backing(&self) -> &Path {
        &self.backing
    }

    /// A handle on the knobs for another thread.
    pub fn controller(&self) -> Controller {
        self.control.clone()
    }

    /// Unmounts; the backing directory keeps the live state (everything written).
    pub fn unmount(mut self) -> Result<(), Error> {
        let r = self.shutdown();
        let _ = fs::remove_dir_all(&self.shadow);
        r
    }

    /// Cuts power (if not already cut), unmounts, and rewrites the backing directory to the
    /// durable state, per `mode`. Processes using the mount should be gone (killed) first;
    /// if some still hold files open, the mount is detached lazily and they keep failing.
    pub fn unmount_and_restore(mut self, mode: RestoreMode) -> Result<RestoreReport, Error> {
        self.control.cut_power_now();
        self.shutdown()?;
        let report = {
            let mut st = lock(&self.control.shared.state);
            let report = restore(&st, &self.shadow, mode);
            st.handles.clear();
            report
        };
        let _ = fs::remove_dir_all(&self.shadow);
        report
    }

    /// Unmounts (lazily if busy) and stops serving; idempotent.
    fn shutdown(&mut self) -> Result<(), Error> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let r = unmount(&self.mountpoint);
        // From here on no request touches the backing directory, even if files held open
        // keep a lazily detached mount alive: the restore cannot race the filesystem thread.
        lock(&self.control.shared.state).closed = true;
        // Dropping the rest of the session drops fuser's own mount guard, which finds the
        // filesystem gone and does nothing.
        let BackgroundSession { guard, .. } = session;
        if matches!(r, Ok(Unmounted::Now)) {
            let deadline = Instant::now() + Duration::from_secs(2);
            while !guard.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if guard.is_finished() {
                let _ = guard.join();
            }
        }
        // Lazily detached: the thread ends by itself once the last open file is closed.
        r.map(|_| ())
    }
}

impl Deref for FaultFs {
    type Target = Controller;

    fn deref(&self) -> &Controller {
        &self.control
    }
}

impl Drop for FaultFs {
    fn drop(&mut self) {
        if self.session.is_some() {
            let _ = self.shutdown();
            let _ = fs::remove_dir_all(&self.shadow);
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Unmounted {
    Now,
    /// Detached while files were still open.
    Lazily,
}

/// `umount2`, lazily if busy; `fusermount3 -u -z` when not allowed (not root).
fn unmount(mountpoint: &Path) -> Result<Unmounted, Error> {
    use rustix::io::Errno;
    use rustix::mount::UnmountFlags;
    let r = match rustix::mount::unmount(mountpoint, UnmountFlags::empty()) {
        Ok(()) => Ok(Unmounted::Now),
        Err(Errno::BUSY) => {
            rustix::mount::unmount(mountpoint, UnmountFlags::DETACH).map(|()| Unmounted::Lazily)
        }
        // Not a mount point any more: someone unmounted it already.
        Err(Errno::INVAL) => Ok(Unmounted::Lazily),
        Err(e) => Err(e),
    };
    match r {
        Ok(how) => Ok(how),
        Err(Errno::PERM) => {
            let out = Command::new("fusermount3")
                .args(["-u", "-z", "--"])
                .arg(mountpoint)
                .output();
            match out {
                Ok(o) if o.status.success() => Ok(Unmounted::Lazily),
                Ok(o) => Err(Error::Unmount {
                    mountpoint: mountpoint.to_owned(),
                    detail: String::from_utf8_lossy(&o.stderr).into_owned(),
                }),
                Err(e) => Err(Error::Unmount {
                    mountpoint: mountpoint.to_owned(),
                    detail: e.to_string(),
                }),
            }
        }
        Err(e) => Err(Error::Unmount {
            mountpoint: mountpoint.to_owned(),
            detail: e.to_string(),
        }),
    }
}

/// `.<name>.faultfs-shadow` beside the backing directory.
fn default_shadow(backing: &Path) -> io::Result<PathBuf> {
    let parent = backing.parent().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "backing directory has no parent",
        )
    })?;
    let name = backing
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    Ok(parent.join(format!(".{}.faultfs-shadow", name.unwrap_or_default())))
}

/// Reads the backing tree into a namespace where everything is durable. Hard links found
/// here share a node; fifos, sockets and devices are left out.
fn scan(backing: &Path, store: &mut Store) -> io::Result<Namespace> {
    let mut ns = Namespace::new();
    let mut seen: HashMap<(u64, u64), NodeId> = HashMap::new();
    let mut stack = vec![(ROOT, backing.to_path_buf())];
    while let Some((dir, path)) = stack.pop() {
        let mut entries = fs::read_dir(&path)?.collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let md = entry.path().symlink_metadata()?;
            let ft = md.file_type();
            let name = entry.file_name();
            let id = if ft.is_dir() {
                let id = ns.new_node(Kind::Dir);
                stack.push((id, entry.path()));
                id
            } else if ft.is_symlink() {
                ns.new_node(Kind::Symlink(fs::read_link(entry.path())?))
            } else if ft.is_file() {
                *seen.entry((md.dev(), md.ino())).or_insert_with(|| {
                    let id = ns.new_node(Kind::File);
                    store.insert(id, Durable::AtMount);
                    id
                })
            } else {
                continue;
            };
            ns.add_durable(dir, &name, id);
        }
    }
    Ok(ns)
}
