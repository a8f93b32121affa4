//! Where a sink's events wait: a bounded buffer (the policy when full, the wake-ups) over a
//! store of records, in memory or in segment files on disk.

mod bounded;
mod disk;
mod frame;
mod memory;
mod store;
#[cfg(test)]
mod tests;

pub use bounded::Buffer;
pub use disk::DiskStore;
pub use memory::MemoryStore;
pub use store::{BufferStore, Held};
