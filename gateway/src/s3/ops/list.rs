//! ListObjects (v1 and v2) and ListObjectVersions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use strata_volume::{Error as VolumeError, ListOptions, ListPage, ListVersionsOptions, Refusal};

use super::common::{query_number, Ctx, Request, RestoreState};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{iso8601, quote_etag};
use crate::s3::query::param;
use crate::s3::response::Response;
use crate::s3::xml::{
    CommonPrefix, ListBucketResultV1, ListBucketResultV2, ListVersionsResult, ObjectEntry, Owner,
    RestoreStatus, VersionEntry, VersionListEntry, S3_NS,
};

/// Default and largest page, as in S3.
const MAX_KEYS: usize = 1000;

/// What `encoding-type=url` leaves alone: unreserved characters and `/`.
const KEY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Encodes names in a listing when the client asked for `encoding-type=url`.
struct Encoder(bool);

impl Encoder {
    fn for_request(req: &Request<'_>) -> Result<Encoder, S3Error> {
        match req.query.get(param::ENCODING_TYPE) {
            None => Ok(Encoder(false)),
            Some(v) if v.eq_ignore_ascii_case("url") => Ok(Encoder(true)),
            Some(_) => Err(Code::InvalidArgument.with("invalid encoding method specified")),
        }
    }

    fn name(&self, s: &str) -> String {
        if self.0 {
            utf8_percent_encode(s, KEY_ENCODE).to_string()
        } else {
            s.to_string()
        }
    }

    fn opt(&self, s: Option<&str>) -> Option<String> {
        s.map(|s| self.name(s))
    }

    fn kind(&self) -> Option<String> {
        self.0.then(|| "url".to_string())
    }
}

fn common_opts(req: &Request<'_>) -> Result<(String, Option<String>, usize), S3Error> {
    let prefix = req.query.get(param::PREFIX).unwrap_or("").to_string();
    let delimiter = req
        .query
        .get(param::DELIMITER)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let max_keys = query_number(req, param::MAX_KEYS, MAX_KEYS, MAX_KEYS)?;
    Ok((prefix, delimiter, max_keys))
}

/// `x-amz-optional-object-attributes`: whether the listing shows archived objects'
/// `RestoreStatus`, the one optional attribute S3 defines.
fn wants_restore_status(req: &Request<'_>) -> Result<bool, S3Error> {
    let Some(value) = req.header("x-amz-optional-object-attributes") else {
        return Ok(false);
    };
    match value
        .split(',')
        .map(str::trim)
        .find(|a| *a != "RestoreStatus")
    {
        Some(other) => Err(Code::InvalidArgument.with(format!(
            "invalid optional object attribute {other:?}: the only one is RestoreStatus"
        ))),
        None => Ok(true),
    }
}

/// The `RestoreStatus` element of a listed archived version (`None` as well when the version
/// went away since the listing). A listing keeps no restore state: the version is read.
async fn restore_status(
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> Result<Option<RestoreStatus>, S3Error> {
    let obj = match ctx.store.open_object(bucket, key, Some(version_id)).await {
        Ok(obj) => obj,
        Err(VolumeError::Refused(Refusal::NoSuchKey { .. } | Refusal::NoSuchVersion)) => {
            return Ok(None)
        }
        Err(e) => return Err(e.into()),
    };
    Ok(ctx.restore_state(obj.info()).map(|state| match state {
        RestoreState::Ongoing => RestoreStatus {
            IsRestoreInProgress: true,
            RestoreExpiryDate: None,
        },
        RestoreState::Restored(until) => RestoreStatus {
            IsRestoreInProgress: false,
            RestoreExpiryDate: Some(iso8601(until)),
        },
    }))
}

async fn entries(
    ctx: &Ctx,
    req: &Request<'_>,
    page: &ListPage,
    enc: &Encoder,
    owner: Option<&Owner>,
) -> Result<(Vec<ObjectEntry>, Vec<CommonPrefix>), S3Error> {
    let (bucket, with_restore) = (req.bucket()?, wants_restore_status(req)?);
    let mut objects = Vec::with_capacity(page.objects.len());
    for o in &page.objects {
        // Only archived objects have a restore to report.
        let status = if with_restore && ctx.class_names.is_archive(&o.storage_class) {
            restore_status(ctx, bucket, &o.key, &o.version_id).await?
        } else {
            None
        };
        objects.push(ObjectEntry {
            Key: enc.name(&o.key),
            LastModified: iso8601(o.last_modified),
            ETag: quote_etag(&o.etag),
            Size: o.size,
            StorageClass: ctx.class_for_client(&o.storage_class),
            Owner: owner.cloned(),
            RestoreStatus: status,
        });
    }
    let prefixes = page
        .common_prefixes
        .iter()
        .map(|p| CommonPrefix {
            Prefix: enc.name(p),
        })
        .collect();
    Ok((objects, prefixes))
}

/// ListObjects (v1, marker based).
pub async fn list_objects_v1(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let enc = Encoder::for_request(&req)?;
    let (prefix, delimiter, max_keys) = common_opts(&req)?;
    let marker = req.query.get(param::MARKER).unwrap_or("").to_string();
    let page = ctx
        .store
        .list_objects(
            req.bucket()?,
            ListOptions {
                prefix: prefix.clone(),
                delimiter: delimiter.clone(),
                start_after: (!marker.is_empty()).then(|| marker.clone()),
                max_keys,
            },
        )
        .await?;
    let owner = ctx.owner(req.bucket()?)?;
    let (contents, prefixes) = entries(ctx, &req, &page, &enc, Some(&owner)).await?;
    Response::xml(&ListBucketResultV1 {
        xmlns: S3_NS,
        Name: req.bucket()?.to_string(),
        Prefix: enc.name(&prefix),
        Marker: enc.name(&marker),
        NextMarker: if page.is_truncated {
            enc.opt(page.next_marker.as_deref())
        } else {
            None
        },
        MaxKeys: max_keys,
        Delimiter: enc.opt(delimiter.as_deref()),
        IsTruncated: page.is_truncated,
        EncodingType: enc.kind(),
        Contents: contents,
        CommonPrefixes: prefixes,
    })
}

/// ListObjectsV2 (continuation tokens are the next marker, base64url so they are opaque).
pub async fn list_objects_v2(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let enc = Encoder::for_request(&req)?;
    let (prefix, delimiter, max_keys) = common_opts(&req)?;
    let token = req.query.get(param::CONTINUATION_TOKEN).map(str::to_string);
    let start_after = req.query.get(param::START_AFTER).filter(|s| !s.is_empty());
    let resume = match &token {
        Some(t) => Some(decode_token(t)?),
        None => start_after.map(str::to_string),
    };
    let fetch_owner = req.query.get(param::FETCH_OWNER) == Some("true");
    let page = ctx
        .store
        .list_objects(
            req.bucket()?,
            ListOptions {
                prefix: prefix.clone(),
                delimiter: delimiter.clone(),
                start_after: resume,
                max_keys,
            },
        )
        .await?;
    let owner = if fetch_owner {
        Some(ctx.owner(req.bucket()?)?)
    } else {
        None
    };
    let (contents, prefixes) = entries(ctx, &req, &page, &enc, owner.as_ref()).await?;
    Response::xml(&ListBucketResultV2 {
        xmlns: S3_NS,
        Name: req.bucket()?.to_string(),
        Prefix: enc.name(&prefix),
        MaxKeys: max_keys,
        KeyCount: contents.len() + prefixes.len(),
        Delimiter: enc.opt(delimiter.as_deref()),
        IsTruncated: page.is_truncated,
        ContinuationToken: token,
        NextContinuationToken: if page.is_truncated {
            page.next_marker
                .as_deref()
                .map(|m| URL_SAFE_NO_PAD.encode(m.as_bytes()))
        } else {
            None
        },
        StartAfter: enc.opt(start_after),
        EncodingType: enc.kind(),
        Contents: contents,
        CommonPrefixes: prefixes,
    })
}

fn decode_token(token: &str) -> Result<String, S3Error> {
    URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Code::InvalidArgument.with("the continuation token provided is incorrect"))
}

/// ListObjectVersions.
pub async fn list_object_versions(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let enc = Encoder::for_request(&req)?;
    let (prefix, delimiter, max_keys) = common_opts(&req)?;
    let key_marker = req.query.get(param::KEY_MARKER).unwrap_or("").to_string();
    let version_marker = req
        .query
        .get(param::VERSION_ID_MARKER)
        .unwrap_or("")
        .to_string();
    if !version_marker.is_empty() && key_marker.is_empty() {
        return Err(Code::InvalidArgument
            .with("a version-id marker cannot be specified without a key marker"));
    }
    let page = ctx
        .store
        .list_object_versions(
            req.bucket()?,
            ListVersionsOptions {
                prefix: prefix.clone(),
                delimiter: delimiter.clone(),
                key_marker: (!key_marker.is_empty()).then(|| key_marker.clone()),
                version_id_marker: (!version_marker.is_empty()).then(|| version_marker.clone()),
                max_keys,
            },
        )
        .await?;
    let owner = ctx.owner(req.bucket()?)?;
    let with_restore = wants_restore_status(&req)?;
    let bucket = req.bucket()?;
    let mut entries = Vec::new();
    for v in page.versions {
        let status = if with_restore && ctx.class_names.is_archive(&v.storage_class) {
            restore_status(ctx, bucket, &v.key, &v.version_id).await?
        } else {
            None
        };
        let entry = VersionEntry {
            Key: enc.name(&v.key),
            VersionId: v.version_id,
            IsLatest: v.is_latest,
            LastModified: iso8601(v.last_modified),
            ETag: (!v.delete_marker).then(|| quote_etag(&v.etag)),
            Size: (!v.delete_marker).then_some(v.size),
            StorageClass: (!v.delete_marker).then(|| ctx.class_for_client(&v.storage_class)),
            Owner: owner.clone(),
            RestoreStatus: status,
        };
        entries.push(if v.delete_marker {
            VersionListEntry::DeleteMarker(entry)
        } else {
            VersionListEntry::Version(entry)
        });
    }
    Response::xml(&ListVersionsResult {
        xmlns: S3_NS,
        Name: req.bucket()?.to_string(),
        Prefix: enc.name(&prefix),
        KeyMarker: enc.name(&key_marker),
        VersionIdMarker: version_marker,
        NextKeyMarker: enc.opt(page.next_key_marker.as_deref()),
        NextVersionIdMarker: page.next_version_id_marker,
        MaxKeys: max_keys,
        Delimiter: enc.opt(delimiter.as_deref()),
        IsTruncated: page.is_truncated,
        EncodingType: enc.kind(),
        Entries: entries,
        CommonPrefixes: page
            .common_prefixes
            .iter()
            .map(|p| CommonPrefix {
                Prefix: enc.name(p),
            })
            .collect(),
    })
}
