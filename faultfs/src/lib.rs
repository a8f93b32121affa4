//! A test-only FUSE filesystem for strata's power-loss and fault-injection tests, in the
//! spirit of LazyFS.
//!
//! [`FaultFs::mount`] serves, from a thread of the calling process, a passthrough of a
//! backing directory: reads always see what was written. Alongside, it tracks what is
//! durable under the strict POSIX rule: a file's data (writes, size changes) when that file
//! is fsynced; a directory entry change (create, mkdir, unlink, rmdir, rename, link) when its
//! parent directory is fsynced. A rename whose new name becomes durable takes the removal
//! of its old name with it.
//!
//! A test runs a workload, cuts power ([`Controller::arm_power_cut`] after N mutating
//! operations, or [`Controller::cut_power_now`]), kills what used the mount, then
//! [`FaultFs::unmount_and_restore`] rewrites the backing directory to what a power cut
//! would have left; a fresh mount then shows it. Faults (ENOSPC, EIO on reads or fsync, a
//! vanished disk, delays) are set at run time through the [`Controller`].
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]

mod content;
mod control;
mod error;
mod faults;
mod fs;
mod mount;
mod namespace;
mod options;
mod power;
mod ranges;
mod restore;
mod rng;

pub use control::Controller;
pub use error::Error;
pub use faults::PathMatcher;
pub use mount::FaultFs;
pub use options::{MountOptions, RestoreMode, RestoreReport};
pub use power::PowerSupply;
