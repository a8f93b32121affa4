//! Object data: writing bodies into shards and reading them back.

pub mod body;
pub mod read;
pub mod rebuild;
pub mod write;
