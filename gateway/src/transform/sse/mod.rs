//! Server-side encryption as a body transform: SSE-S3 (`AES256`, under the store's key,
//! the default for new objects), SSE-KMS (`aws:kms`, under data keys from the KMS) and SSE-C
//! (under the request's key, never stored), in the `strata-crypt` format
//! (`volume/ENCRYPTION.md`). `docs/ENCRYPTION.md` says what is and is not provided.
//!
//! - [`headers`]: the request's encryption headers, checked as AWS checks them;
//! - [`bucket_default`]: a bucket's default encryption, as the transform takes it;
//! - [`kms_keys`]: SSE-KMS data keys, S3 Bucket Keys and the cache of unsealed data keys;
//! - [`kms_source`]: the KMSes of a start (local keyring, transit engine);
//! - [`record`]: what an encrypted object keeps in the store's `internal` map;
//! - [`checksums`]: SSE-C objects' checksums, sealed with the object key;
//! - [`codec`]: sealing one stream, opening the streams a read touches;
//! - [`s3_key`]: the SSE-S3 key, unsealed from its KMS at start;
//! - [`reseal`]: an SSE-KMS object's data key sealed again after its KMS key rotates;
//! - [`transform`]: [`Sse`], the [`crate::transform::BodyTransform`] over all of these.

mod bucket_default;
mod checksums;
mod codec;
pub mod headers;
mod kms_keys;
mod kms_source;
#[cfg(test)]
mod kms_tests;
mod record;
mod reseal;
mod s3_key;
#[cfg(test)]
mod tests;
mod transform;

pub use bucket_default::{BucketEncryption, DefaultAlgorithm};
pub use kms_keys::KmsKeys;
pub use kms_source::KmsSet;
pub use record::{Entries, Record};
pub use reseal::{ObjectReseal, Resealer};
pub use s3_key::{Resealed, S3KeyError, S3KeySource};
pub use transform::Sse;
