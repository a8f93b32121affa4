//! Object and bucket tagging.

use super::common::{tags_to_xml, validate_tags, Ctx, Request};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::xml::{from_xml, to_xml, TagSet, Tagging, MAX_XML_BODY, S3_NS};

/// Config kind under which bucket tags are stored.
const BUCKET_TAGS: &str = "tagging";

async fn read_tagging(req: Request<'_>, max: usize) -> Result<Vec<(String, String)>, S3Error> {
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let doc: Tagging = from_xml(&body)?;
    let tags: Vec<(String, String)> = doc
        .TagSet
        .Tag
        .into_iter()
        .map(|t| (t.Key, t.Value))
        .collect();
    validate_tags(&tags, max)?;
    Ok(tags)
}

fn tagging_doc(tags: &[(String, String)]) -> Tagging {
    Tagging {
        xmlns: Some(S3_NS),
        TagSet: TagSet {
            Tag: tags_to_xml(tags),
        },
    }
}

/// GetObjectTagging.
pub async fn get_object_tagging(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let info = ctx
        .store
        .open_object(req.bucket()?, req.key()?, req.version_id().as_deref())
        .await?
        .info()
        .clone();
    let resp = Response::xml(&tagging_doc(&info.tags))?;
    Ok(if info.version_id != "null" {
        resp.with("x-amz-version-id", info.version_id)
    } else {
        resp
    })
}

/// PutObjectTagging (replaces the whole set).
pub async fn put_object_tagging(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key, version) = (
        req.bucket()?.to_string(),
        req.key()?.to_string(),
        req.version_id(),
    );
    let tags = read_tagging(req, 10).await?;
    let v = ctx
        .store
        .set_object_tags(&bucket, &key, version.as_deref(), tags)
        .await?;
    Ok(Response::ok().with_opt("x-amz-version-id", (v != "null").then_some(v)))
}

/// DeleteObjectTagging.
pub async fn delete_object_tagging(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let version = req.version_id();
    let v = ctx
        .store
        .set_object_tags(req.bucket()?, req.key()?, version.as_deref(), Vec::new())
        .await?;
    Ok(Response::no_content().with_opt("x-amz-version-id", (v != "null").then_some(v)))
}

/// GetBucketTagging: `NoSuchTagSet` when none is set.
pub async fn get_bucket_tagging(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    match ctx
        .store
        .get_bucket_config(req.bucket()?, BUCKET_TAGS)
        .await?
    {
        Some(doc) => Ok(Response::bytes("application/xml", doc.into())),
        None => Err(Code::NoSuchTagSet.with("the TagSet does not exist")),
    }
}

/// PutBucketTagging: validated, then stored as the normalized document.
pub async fn put_bucket_tagging(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let tags = read_tagging(req, 50).await?;
    let doc = to_xml(&tagging_doc(&tags))?;
    ctx.store
        .put_bucket_config(&bucket, BUCKET_TAGS, doc.to_vec())
        .await?;
    Ok(Response::no_content())
}

/// DeleteBucketTagging.
pub async fn delete_bucket_tagging(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    ctx.store
        .delete_bucket_config(req.bucket()?, BUCKET_TAGS)
        .await?;
    Ok(Response::no_content())
}
