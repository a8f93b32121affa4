//! MD5 of object bodies: the S3 ETag, and the dearest per-byte stage of a put.
//!
//! MD5 is one serial chain per body, so one body never hashes faster than one core's scalar
//! rate. Concurrent bodies can share a core, though: on CPUs with AVX2 a single scheduler
//! thread runs up to eight bodies side by side in the lanes of the vector registers (each
//! lane at about half the scalar rate, four to eight times the bytes per core-second). Where
//! AVX2 is missing, each body gets a blocking thread with scalar MD5.

#[cfg(target_arch = "x86_64")]
mod lanes;
mod service;
mod stopped;
#[cfg(all(test, target_arch = "x86_64"))]
mod tests;
mod thread;
#[cfg(target_arch = "x86_64")]
mod x8;

pub(crate) use service::Md5Service;
pub use service::Md5Stream;
