//! Everything that touches a volume's files.

pub mod db_slot;
pub mod format;
mod idle_trim;
pub mod meta_db;
pub mod rebuild_mark;
pub mod shard_writer;
pub mod volume;
