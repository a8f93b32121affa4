//! Bucket lifecycle configurations: AWS's `LifecycleConfiguration` validated and compiled
//! (`rules`), the lifecycle day (`clock`), the `x-amz-expiration` header (`header`), and
//! their execution in the scanner's paced pass (`on_scan`), moves to remote tiers
//! included (`to_tier`).

mod clock;
mod document;
mod header;
mod min_size;
mod on_scan;
mod rules;
#[cfg(test)]
mod tests;
mod to_tier;

pub use clock::{LifecycleClock, DAY};
pub use header::{abort_headers, expiration_header};
pub use min_size::{MinSize, MIN_SIZE_CONFIG, MIN_SIZE_HEADER};
pub use on_scan::LifecycleOnScan;
pub use rules::{Lifecycle, LIFECYCLE_CONFIG, MAX_LIFECYCLE_BODY};
pub use to_tier::{MoveError, TierMover};
