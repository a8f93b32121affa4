//! The write path that every handler storing object bytes shares: the client's bytes go
//! through the body transform into the store's staging, and what the client sent (size,
//! MD5, checksums, all taken before the transform) comes back for the commit.

use std::ops::Range;

use bytes::Bytes;
use futures::Stream;
use http::HeaderMap;
use strata_volume::{
    Checksums, ClientView, EtagBy, ObjectInfo, ObjectMeta, PartInfo, PartOptions, PutOptions,
    StagedData, StoredObject, WritePrecondition,
};

use super::checksum_tap::ChecksumTap;
use super::common::Ctx;
use super::md5_tap::Md5Tap;
use super::planned_read::read_planned;
use crate::checksum::ChecksumAlgorithm;
use crate::s3::body::Body;
use crate::s3::error::{Code, S3Error};
use crate::transform::{ClientEtag, Internal, Target, TierSeal, Transformed};

/// Where staged bytes go.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// A new object version in `class` (`None`: the namespace class).
    Object {
        /// Bucket.
        bucket: &'a str,
        /// Key.
        key: &'a str,
        /// Storage class.
        class: Option<&'a str>,
    },
    /// A part of an upload (its class is the upload's).
    Part {
        /// Bucket.
        bucket: &'a str,
        /// Key.
        key: &'a str,
        /// Upload id.
        upload_id: &'a str,
    },
}

impl Destination<'_> {
    /// What the transform binds to: the object, and `part` when this is a part.
    fn target(&self, part: u32) -> Target<'_> {
        match *self {
            Destination::Object { bucket, key, .. } => Target::object(bucket, key),
            Destination::Part { bucket, key, .. } => Target {
                bucket,
                key,
                part: Some(part),
            },
        }
    }
}

/// Bytes staged in the store, with what the commit needs to know of the client's bytes.
pub struct Staged {
    /// The staged shards.
    pub data: StagedData,
    /// Checksums of the client's bytes (verified ones for a request body), for responses.
    pub checksums: Checksums,
    /// What the store keeps of them: sealed where the transform seals them (SSE-C).
    pub stored_checksums: Checksums,
    /// Size and ETag of the client's bytes when a transform stored others.
    pub client: Option<ClientView>,
}

/// What a new version keeps besides its bytes.
pub struct NewVersion {
    /// System and user metadata.
    pub meta: ObjectMeta,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Checked atomically with the commit.
    pub precondition: Option<WritePrecondition>,
    /// The transform's parameters.
    pub internal: Internal,
    /// The object's access document (owner and ACL), when it is not its bucket owner's alone.
    pub access: Option<Vec<u8>>,
    /// Its object lock (`x-amz-object-lock-*`, or the bucket's default retention).
    pub lock: Option<strata_volume::ObjectLock>,
    /// The version id the answer's head named already, if it went out first.
    pub promised: Option<strata_volume::PromisedVersion>,
}

impl Staged {
    /// Commits the bytes as the new version of `key`.
    pub async fn commit_object(
        self,
        ctx: &Ctx,
        bucket: &str,
        key: &str,
        new: NewVersion,
    ) -> Result<ObjectInfo, S3Error> {
        let opts = PutOptions {
            meta: new.meta,
            tags: new.tags,
            checksums: self.stored_checksums,
            precondition: new.precondition,
            internal: new.internal,
            client: self.client,
            access: new.access,
            lock: new.lock,
            promised: new.promised,
        };
        Ok(ctx.store.put_object(bucket, key, self.data, opts).await?)
    }

    /// Commits the bytes as part `part_number` of an upload.
    pub async fn commit_part(
        self,
        ctx: &Ctx,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
    ) -> Result<PartInfo, S3Error> {
        let opts = PartOptions {
            checksums: self.stored_checksums,
            client: self.client,
        };
        let part = ctx
            .store
            .upload_part(bucket, key, upload_id, part_number, self.data, opts)
            .await?;
        Ok(part)
    }
}

/// How a new object or upload `bucket/key` in `class` is stored: as the request's encryption
/// headers say, else as the bucket's default encryption says, else as the server's default;
/// plaintext bound for a remote tier is sealed under the tier's key instead.
pub async fn seal_new(
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    class: Option<&str>,
    headers: &HeaderMap,
) -> Result<Internal, S3Error> {
    let controls = ctx.bucket_access.get(bucket)?;
    let target = Target::object(bucket, key);
    let internal = ctx
        .transform
        .seal(target, headers, controls.encryption.as_ref())
        .await?;
    match class {
        Some(tier)
            if ctx.class_names.is_tier(tier)
                && TierSeal::is_plaintext(&*ctx.transform, &internal) =>
        {
            let (sealed, _) = ctx.tier_seal.seal(&*ctx.transform, target, tier).await?;
            Ok(sealed)
        }
        _ => Ok(internal),
    }
}

/// Stages a request body: verified as it streams, transformed, staged; fails (leaving
/// nothing) when the body fails verification at its end.
pub async fn stage_body(
    ctx: &Ctx,
    to: Destination<'_>,
    body: &mut Body<'_>,
    internal: &Internal,
    part: u32,
    headers: &HeaderMap,
) -> Result<Staged, S3Error> {
    let encoder = ctx
        .transform
        .encoder(to.target(part), internal, headers)
        .await?;
    let etag = encoder
        .is_some()
        .then(|| ctx.transform.client_etag(internal));
    // The ETag is the MD5 of the client's bytes, which the store will not see: the body's
    // verifier takes it when it checks a Content-MD5, else the store's MD5 hasher.
    let hash = etag.is_some_and(ClientEtag::needs_md5) && !body.hashes_md5();
    let expected = body.length.map(|n| ctx.transform.stored_len(internal, n));
    let (data, tapped) = {
        let len = body.length;
        let mut tap = Md5Tap::new(&mut *body, hash, len, &ctx.store);
        let data = {
            let mut stored = Transformed::new(&mut tap, encoder);
            stage(ctx, to, &mut stored, expected, etag).await?
        };
        (data, tap.digest().await?)
    };
    let summary = body.finish()?;
    let checksums: Checksums = summary
        .checksums
        .iter()
        .map(|c| (c.algorithm().as_str().to_string(), c.to_base64()))
        .collect();
    let stored_checksums = stored(ctx, to, part, internal, headers, &checksums).await?;
    let client = match etag {
        None => None,
        Some(etag) => Some(ClientView {
            size: summary.decoded_length,
            etag: etag
                .make(tapped.or(summary.md5))
                .ok_or(crate::s3::body::BodyError::Unfinished)?,
        }),
    };
    Ok(Staged {
        data,
        checksums,
        stored_checksums,
        client,
    })
}

/// What the store keeps of the client's `checksums` of a write to `to` stored as `internal`.
async fn stored(
    ctx: &Ctx,
    to: Destination<'_>,
    part: u32,
    internal: &Internal,
    headers: &HeaderMap,
    checksums: &Checksums,
) -> Result<Checksums, S3Error> {
    Ok(ctx
        .transform
        .seal_checksums(to.target(part), internal, headers, checksums.clone())
        .await?)
}

/// Which checksums a copy's destination gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyChecksums {
    /// The source's, when the copy is of the whole of a single-part source: they describe
    /// the same bytes (a multipart source's are made from its parts, not the copy's).
    Source,
    /// One computed over the copied bytes.
    Compute(ChecksumAlgorithm),
}

/// Stages client bytes `span` (`None`: all) of an opened source object: read, decoded by the
/// transform it was stored with, encoded for the destination.
#[allow(clippy::too_many_arguments)]
pub async fn stage_copy(
    ctx: &Ctx,
    to: Destination<'_>,
    source: StoredObject,
    span: Option<Range<u64>>,
    internal: &Internal,
    part: u32,
    headers: &HeaderMap,
    sums: CopyChecksums,
) -> Result<Staged, S3Error> {
    let compute = match sums {
        CopyChecksums::Compute(alg) => Some(alg),
        CopyChecksums::Source => None,
    };
    let kept = match (&span, compute) {
        (None, None) if source.info().parts.is_empty() => {
            let info = source.info();
            ctx.transform
                .open_checksums(
                    &info.bucket,
                    &info.key,
                    &info.internal,
                    headers,
                    info.checksums.clone(),
                )
                .await?
        }
        _ => Checksums::new(),
    };
    let span = span.unwrap_or(0..source.info().size);
    let len = span.end - span.start;
    let plan = ctx.transform.reader(source.info(), span, headers).await?;
    let decoded = read_planned(source, plan, len).await?;
    let encoder = ctx
        .transform
        .encoder(to.target(part), internal, headers)
        .await?;
    let etag = encoder
        .is_some()
        .then(|| ctx.transform.client_etag(internal));
    let hash = etag.is_some_and(ClientEtag::needs_md5);
    let mut summed = ChecksumTap::new(decoded, compute);
    let mut tap = Md5Tap::new(&mut summed, hash, Some(len), &ctx.store);
    let data = {
        let mut stored = Transformed::new(&mut tap, encoder);
        let expected = Some(ctx.transform.stored_len(internal, len));
        stage(ctx, to, &mut stored, expected, etag).await?
    };
    let md5 = tap.digest().await?;
    let checksums = match (compute, summed.finish()) {
        (None, _) => kept,
        (Some(alg), Some(value)) => [(alg.as_str().to_string(), value.to_base64())].into(),
        (Some(_), None) => {
            return Err(Code::InternalError.with("the copied bytes ended without their checksum"))
        }
    };
    let stored_checksums = stored(ctx, to, part, internal, headers, &checksums).await?;
    let client = match etag {
        None => None,
        Some(etag) => Some(ClientView {
            size: len,
            etag: etag.make(md5).ok_or_else(|| {
                Code::InternalError.with("the copied bytes ended without their MD5")
            })?,
        }),
    };
    Ok(Staged {
        data,
        checksums,
        stored_checksums,
        client,
    })
}

async fn stage<S, E>(
    ctx: &Ctx,
    to: Destination<'_>,
    stored: S,
    expected: Option<u64>,
    etag: Option<ClientEtag>,
) -> Result<StagedData, S3Error>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: Into<S3Error>,
{
    // A transformed body's ETag comes from the client's bytes, never from the stored ones.
    let etag_by = if etag.is_some() {
        EtagBy::Caller
    } else {
        EtagBy::Store
    };
    let staged = match to {
        Destination::Object { bucket, key, class } => {
            ctx.store
                .stage_object(bucket, key, class, stored, expected, etag_by)
                .await
        }
        Destination::Part {
            bucket,
            key,
            upload_id,
        } => {
            ctx.store
                .stage_part(bucket, key, upload_id, stored, expected, etag_by)
                .await
        }
    };
    Ok(staged?)
}
