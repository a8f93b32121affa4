//! Everything that touches a volume's files.

pub mod db_slot;
pub mod format;
pub mod meta_db;
pub mod rebuild_mark;
pub mod shard_writer;
pub mod volume;
