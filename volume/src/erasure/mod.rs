//! Erasure coding: the arithmetic of blocks and shards, and the codec.

#[cfg(target_arch = "x86_64")]
mod avx2_gf;
pub mod codec;
pub mod engine;
pub mod layout;
