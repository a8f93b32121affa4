//! Re-sealing after a KMS key rotates (`docs/ENCRYPTION.md`, "Rotation and re-seal"): a
//! background walk over every version of every bucket that seals each SSE-KMS data key
//! again under its key's current version, and the SSE-S3 key file likewise, without
//! touching object data. Started by `POST /strata/admin/reseal` (or `strata admin reseal`),
//! observed by `GET`; its progress is kept in the store and a walk cut off by a crash goes
//! on where it stopped at the next start.
//!
//! - `progress`: the stored progress record and the status report made of it;
//! - `job`: [`Reseal`], the walk;
//! - `on_scan`: [`ResealOnScan`], the same re-seal riding the scanner's routine passes.

mod job;
mod on_scan;
mod progress;

pub use job::{Reseal, ResealParts};
pub use on_scan::{ResealOnScan, ScanResealCounts};
pub use progress::{Position, Progress, ResealStatus};
