//! The knobs a test turns while the filesystem runs: power and faults. Cheap to clone and
//! usable from any thread.

use std::sync::Arc;
use std::time::Duration;

use crate::faults::PathMatcher;
use crate::fs::{lock, Shared};
use crate::power::PowerSupply;

/// Power and fault controls of one mount (see [`crate::FaultFs::controller`]).
#[derive(Clone)]
pub struct Controller {
    pub(crate) shared: Arc<Shared>,
}

impl Controller {
    /// Mutating operations (write, create, mkdir, unlink, rmdir, rename, link, symlink,
    /// setattr, open with O_TRUNC, fsync, fsyncdir, fallocate) accepted so far, on every
    /// mount of this mount's [`PowerSupply`].
    pub fn ops(&self) -> u64 {
        self.shared.power.ops()
    }

    /// After `after_ops` more mutating operations, power is lost: the next one fails with
    /// EIO, the durable state is frozen, and every later operation fails with EIO. On a
    /// shared [`PowerSupply`], operations on every mount count, and every mount loses power.
    pub fn arm_power_cut(&self, after_ops: u64) {
        self.shared.power.arm_power_cut(after_ops);
    }

    /// Cancels [`Controller::arm_power_cut`] if power is still on.
    pub fn disarm_power_cut(&self) {
        self.shared.power.disarm_power_cut();
    }

    /// Loses power now (on every mount of a shared [`PowerSupply`]).
    pub fn cut_power_now(&self) {
        self.shared.power.cut_power_now();
    }

    /// Whether power was lost.
    pub fn is_cut(&self) -> bool {
        self.shared.power.is_cut()
    }

    /// This mount's power supply.
    pub fn power(&self) -> PowerSupply {
        self.shared.power.clone()
    }

    /// `Some(n)`: after `n` more bytes (writes, and growth by fallocate), writes,
    /// creations and fallocate fail with ENOSPC and `statfs` shows at most the bytes left.
    /// A write that does not fit is cut short. `None`: space is back.
    pub fn enospc_after(&self, bytes: Option<u64>) {
        lock(&self.shared.faults).space_left = bytes;
    }

    /// Reads of matching files fail with EIO; `None` clears.
    pub fn fail_reads(&self, matcher: Option<PathMatcher>) {
        lock(&self.shared.faults).fail_reads = matcher;
    }

    /// fsync of matching files and fsyncdir of matching directories fail with EIO and make
    /// nothing durable; `None` clears.
    pub fn fail_fsync(&self, matcher: Option<PathMatcher>) {
        lock(&self.shared.faults).fail_fsync = matcher;
    }

    /// While set, the disk is gone: lookups fail with ENOENT, every other operation
    /// (getattr, open, read, write, readdir, statfs, fsync, ... on the root too) with EIO.
    /// Open handles stay valid and work again once cleared; nothing is lost.
    pub fn vanish(&self, gone: bool) {
        lock(&self.shared.faults).vanished = gone;
    }

    /// Each operation first sleeps this long; `Duration::ZERO` clears.
    pub fn delay(&self, delay: Duration) {
        lock(&self.shared.faults).delay = delay;
    }
}
