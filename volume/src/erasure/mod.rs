//! Erasure coding: the arithmetic of blocks and shards, and the codec.

pub mod codec;
pub mod layout;
