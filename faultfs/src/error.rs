//! The library's errors: setting up, tearing down and restoring a mount. Errors of the
//! filesystem itself go to the kernel as errno values and never surface here.

use std::io;
use std::path::PathBuf;

/// What went wrong while mounting, unmounting or restoring a [`crate::FaultFs`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `/dev/fuse` or `fusermount3` is missing: the machine cannot host a FUSE mount.
    #[error("FUSE is not available here: {0} (install the `fuse3` package; /dev/fuse must exist)")]
    FuseUnavailable(String),
    /// Walking the backing directory at mount time failed.
    #[error("scanning backing directory {path}: {source}")]
    Scan { path: PathBuf, source: io::Error },
    /// The shadow directory (durable contents) could not be prepared or written.
    #[error("shadow directory {path}: {source}")]
    Shadow { path: PathBuf, source: io::Error },
    /// The kernel refused the mount.
    #[error("mounting on {mountpoint}: {source}")]
    Mount {
        mountpoint: PathBuf,
        source: io::Error,
    },
    /// The mount could not be removed, not even lazily.
    #[error("unmounting {mountpoint}: {detail}")]
    Unmount { mountpoint: PathBuf, detail: String },
    /// Rewriting the backing directory to the durable state failed half way.
    #[error("restoring {path}: {source}")]
    Restore { path: PathBuf, source: io::Error },
}

impl Error {
    pub(crate) fn restore(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Restore { path, source }
    }
}
