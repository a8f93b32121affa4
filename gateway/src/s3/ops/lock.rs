//! Object Lock's operations: Get/PutObjectLockConfiguration (enabling it on a versioned
//! bucket, and its default retention), Get/PutObjectRetention and Get/PutObjectLegalHold. The
//! store enforces what they set.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use strata_volume::{LockMode, ObjectLock};

use super::common::{Ctx, Request};
use super::lock_headers::{format_until, mode_name, parse_mode, parse_until};
use crate::s3::actions::bypasses_governance;
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::xml::{from_xml, to_xml, MAX_XML_BODY, S3_NS};

/// Where the bucket's default retention is kept among its configuration documents.
const LOCK_CONFIG: &str = "object-lock";

const DAY: Duration = Duration::from_secs(24 * 3600);

#[allow(non_snake_case)]
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename = "ObjectLockConfiguration")]
struct LockConfiguration {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    ObjectLockEnabled: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Rule: Option<LockRule>,
}

#[allow(non_snake_case)]
#[derive(Debug, Deserialize, Serialize)]
struct LockRule {
    DefaultRetention: DefaultRetention,
}

#[allow(non_snake_case)]
#[derive(Debug, Deserialize, Serialize)]
struct DefaultRetention {
    Mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Years: Option<i64>,
}

#[allow(non_snake_case)]
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename = "Retention")]
struct RetentionXml {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    Mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    RetainUntilDate: Option<String>,
}

#[allow(non_snake_case)]
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename = "LegalHold")]
struct LegalHoldXml {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    Status: Option<String>,
}

impl DefaultRetention {
    /// Its mode and period, checked as S3 checks them.
    fn parse(&self) -> Result<(LockMode, Duration), S3Error> {
        let mode = parse_mode(
            self.Mode
                .as_deref()
                .ok_or_else(|| Code::MalformedXML.with("DefaultRetention needs a Mode"))?,
        )?;
        let days = match (self.Days, self.Years) {
            (Some(d), None) => d,
            (None, Some(y)) => y.saturating_mul(365),
            _ => {
                return Err(
                    Code::MalformedXML.with("DefaultRetention needs exactly one of Days and Years")
                )
            }
        };
        let days = u32::try_from(days)
            .ok()
            .filter(|d| *d > 0 && *d <= 100 * 365)
            .ok_or_else(|| {
                Code::InvalidArgument
                    .with("Default retention period must be a positive integer value")
            })?;
        Ok((mode, DAY * days))
    }
}

/// The bucket's default retention (mode and period), if it has one.
pub async fn default_retention(
    ctx: &Ctx,
    bucket: &str,
) -> Result<Option<(LockMode, Duration)>, S3Error> {
    // Only a bucket with object lock has one: other buckets' writes read nothing more.
    if !ctx.store.bucket_object_lock(bucket)? {
        return Ok(None);
    }
    let Some(doc) = ctx.store.get_bucket_config(bucket, LOCK_CONFIG).await? else {
        return Ok(None);
    };
    let cfg: LockConfiguration = from_xml(&doc)?;
    cfg.Rule.map(|r| r.DefaultRetention.parse()).transpose()
}

/// PutObjectLockConfiguration: enables object lock (the bucket's versioning must be
/// enabled) and sets or clears its default retention.
pub async fn put_configuration(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let mut cfg: LockConfiguration = from_xml(&body)?;
    if cfg.ObjectLockEnabled.as_deref() != Some("Enabled") {
        return Err(Code::MalformedXML.with("ObjectLockEnabled must be Enabled"));
    }
    if let Some(rule) = &cfg.Rule {
        rule.DefaultRetention.parse()?;
    }
    ctx.store.enable_object_lock(&bucket).await?;
    cfg.xmlns = Some(S3_NS);
    ctx.store
        .put_bucket_config(&bucket, LOCK_CONFIG, to_xml(&cfg)?.to_vec())
        .await?;
    Ok(Response::ok())
}

/// GetObjectLockConfiguration.
pub async fn get_configuration(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    if !ctx.store.bucket_object_lock(bucket)? {
        return Err(Code::ObjectLockConfigurationNotFoundError
            .with("Object Lock configuration does not exist for this bucket"));
    }
    match ctx.store.get_bucket_config(bucket, LOCK_CONFIG).await? {
        Some(doc) => Ok(Response::bytes("application/xml", doc.into())),
        // Enabled at creation, no default retention put since.
        None => Response::xml(&LockConfiguration {
            xmlns: Some(S3_NS),
            ObjectLockEnabled: Some("Enabled".into()),
            Rule: None,
        }),
    }
}

/// The version's lock, or S3's error for a version without one.
async fn lock_of(ctx: &Ctx, req: &Request<'_>) -> Result<ObjectLock, S3Error> {
    let bucket = req.bucket()?;
    if !ctx.store.bucket_object_lock(bucket)? {
        return Err(Code::InvalidRequest.with("Bucket is missing Object Lock Configuration"));
    }
    let info = ctx
        .store
        .open_object(bucket, req.key()?, req.version_id().as_deref())
        .await?
        .info()
        .clone();
    info.lock.ok_or_else(no_lock)
}

fn no_lock() -> S3Error {
    Code::NoSuchObjectLockConfiguration
        .with("The specified object does not have a ObjectLock configuration")
}

/// GetObjectRetention.
pub async fn get_retention(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let lock = lock_of(ctx, &req).await?;
    let (Some(mode), Some(until)) = (lock.mode, lock.retain_until_ns) else {
        return Err(no_lock());
    };
    Response::xml(&RetentionXml {
        xmlns: Some(S3_NS),
        Mode: Some(mode_name(mode).into()),
        RetainUntilDate: Some(format_until(until)),
    })
}

/// PutObjectRetention: an empty `Retention` removes it (GOVERNANCE with the bypass only).
pub async fn put_retention(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key, version) = (
        req.bucket()?.to_string(),
        req.key()?.to_string(),
        req.version_id(),
    );
    let bypass = bypasses_governance(req.headers);
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let doc: RetentionXml = from_xml(&body)?;
    let retention = match (doc.Mode.as_deref(), doc.RetainUntilDate.as_deref()) {
        (Some(mode), Some(until)) => Some((parse_mode(mode)?, parse_until(until)?)),
        (None, None) => None,
        _ => return Err(Code::MalformedXML.with("Retention needs both Mode and RetainUntilDate")),
    };
    ctx.store
        .set_object_retention(&bucket, &key, version.as_deref(), retention, bypass)
        .await?;
    Ok(Response::ok())
}

/// GetObjectLegalHold.
pub async fn get_legal_hold(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let lock = lock_of(ctx, &req).await?;
    Response::xml(&LegalHoldXml {
        xmlns: Some(S3_NS),
        Status: Some(if lock.legal_hold { "ON" } else { "OFF" }.into()),
    })
}

/// PutObjectLegalHold.
pub async fn put_legal_hold(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key, version) = (
        req.bucket()?.to_string(),
        req.key()?.to_string(),
        req.version_id(),
    );
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let doc: LegalHoldXml = from_xml(&body)?;
    let on = match doc.Status.as_deref() {
        Some("ON") => true,
        Some("OFF") => false,
        _ => return Err(Code::MalformedXML.with("LegalHold Status must be ON or OFF")),
    };
    ctx.store
        .set_object_legal_hold(&bucket, &key, version.as_deref(), on)
        .await?;
    Ok(Response::ok())
}
