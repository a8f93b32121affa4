//! Server-side encryption as a body transform: SSE-S3 (`AES256`, under the store's key,
//! the default for new objects) and SSE-C (under the request's key, never stored), in the
//! `strata-crypt` format (`volume/ENCRYPTION.md`). `docs/ENCRYPTION.md` says what is and is
//! not provided.
//!
//! - [`headers`]: the request's encryption headers, checked as AWS checks them;
//! - [`record`]: what an encrypted object keeps in the store's `internal` map;
//! - [`codec`]: sealing one stream, opening the streams a read touches;
//! - [`s3_key`]: the SSE-S3 key, unsealed from the local keyring at start;
//! - [`transform`]: [`Sse`], the [`crate::transform::BodyTransform`] over all of these.

mod codec;
pub mod headers;
mod record;
mod s3_key;
#[cfg(test)]
mod tests;
mod transform;

pub use s3_key::{S3KeyError, S3KeySource};
pub use transform::Sse;
