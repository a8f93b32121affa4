//! Get/PutBucketNotificationConfiguration: the document is validated against the server's
//! notification targets, stored normalized (ids assigned) and cached for the notifier.

use super::common::{Ctx, Request};
use crate::notify::NotificationConfiguration;
use crate::s3::error::S3Error;
use crate::s3::response::Response;
use crate::s3::xml::{from_xml, to_xml, MAX_XML_BODY};

/// Config kind under which the document is stored.
pub const NOTIFICATION: &str = "notification";

/// GetBucketNotificationConfiguration: the stored document, or an empty one.
pub async fn get(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    match ctx
        .store
        .get_bucket_config(req.bucket()?, NOTIFICATION)
        .await?
    {
        Some(doc) => Ok(Response::bytes("application/xml", doc.into())),
        None => Response::xml(&NotificationConfiguration::empty()),
    }
}

/// PutBucketNotificationConfiguration: replaces the configuration; an empty document turns
/// notifications off. The test event goes out once the answer has (the notifier).
pub async fn put(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let mut doc: NotificationConfiguration = from_xml(&body)?;
    let registry = &ctx.notify;
    let rules = doc.validate_into(&|arn| registry.targets().knows(arn), &mut || {
        uuid::Uuid::new_v4().to_string()
    })?;
    // One update at a time, so that the cache ends as the store does.
    let _turn = registry.updating().await;
    if rules.is_empty() {
        ctx.store
            .delete_bucket_config(&bucket, NOTIFICATION)
            .await?;
    } else {
        ctx.store
            .put_bucket_config(&bucket, NOTIFICATION, to_xml(&doc)?.to_vec())
            .await?;
    }
    registry.set(&bucket, rules);
    Ok(Response::ok())
}
