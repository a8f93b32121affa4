//! How object bytes change between the client and the store, and back: the request path's
//! body-transform stage. [`sse::Sse`] (server-side encryption: SSE-S3 and SSE-C) is the
//! transform the server runs; [`Identity`] stores the client's bytes as they are and
//! refuses every encryption header (tests and tools that need no encryption use it).
//!
//! The contract, for every implementation: ETags, `Content-MD5`, checksums and sizes are
//! taken on the client's bytes before [`BodyTransform::encoder`] runs, so clients never see
//! the stored form; the store keeps both sizes (client and stored), so listings never need a
//! transform; a read maps the client's range to stored bytes with [`BodyTransform::reader`]
//! before any shard is read.

mod body_transform;
mod client_etag;
mod codec;
mod error;
mod identity;
pub mod sse;
mod stream;
mod tier_seal;

pub use body_transform::{BodyTransform, Internal, ReadPlan, Target};
pub use client_etag::ClientEtag;
pub use codec::Codec;
pub use error::{TransformError, TransformedError};
pub use identity::Identity;
pub use stream::Transformed;
pub use tier_seal::TierSeal;
