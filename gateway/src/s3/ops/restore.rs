//! RestoreObject: a version on an archive tier (`GLACIER`, `DEEP_ARCHIVE`) gets a local copy
//! that serves reads for `Days` lifecycle days (expiring at the day boundary after, as AWS
//! rounds to the next UTC midnight). The copy is made in the background: `202 Accepted`,
//! then HEAD's `x-amz-restore` says `ongoing-request="true"` until it is done; a request
//! for a version already restored moves its expiry (`200 OK`). A restore cut by a restart or
//! a tier that is down is resumed by the scanner (`s3/restore_on_scan.rs`). Every retrieval tier
//! (`Expedited`, `Standard`, `Bulk`) runs at the same speed: the copy starts at once.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::common::{Ctx, Request};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::restoring;
use crate::s3::xml::{from_xml, MAX_XML_BODY};

/// The retrieval tiers AWS takes.
const RETRIEVAL_TIERS: [&str; 3] = ["Expedited", "Standard", "Bulk"];

#[allow(non_snake_case)]
#[derive(Debug, Deserialize)]
#[serde(rename = "RestoreRequest", deny_unknown_fields)]
struct RestoreRequestXml {
    #[serde(rename = "@xmlns", default)]
    _xmlns: Option<String>,
    Days: Option<String>,
    GlacierJobParameters: Option<JobParameters>,
    Tier: Option<String>,
    Type: Option<String>,
    Description: Option<String>,
    SelectParameters: Option<IgnoredAny>,
    OutputLocation: Option<IgnoredAny>,
}

#[allow(non_snake_case)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobParameters {
    Tier: Option<String>,
}

impl RestoreRequestXml {
    /// The days asked for, once every part of the request is one strata serves.
    fn days(&self) -> Result<u64, S3Error> {
        if self.Type.is_some() || self.SelectParameters.is_some() || self.OutputLocation.is_some() {
            return Err(Code::NotImplemented
                .with("RestoreObject of type SELECT (S3 Select) is not implemented by strata"));
        }
        let tiers = [
            self.Tier.as_deref(),
            self.GlacierJobParameters
                .as_ref()
                .and_then(|j| j.Tier.as_deref()),
        ];
        for tier in tiers.into_iter().flatten() {
            if !RETRIEVAL_TIERS.contains(&tier.trim()) {
                return Err(Code::MalformedXML.with(format!(
                    "Tier must be Expedited, Standard or Bulk, not {tier:?}"
                )));
            }
        }
        let _ = &self.Description;
        let days = self
            .Days
            .as_deref()
            .ok_or_else(|| Code::MalformedXML.with("a restore of an archived object needs Days"))?;
        days.trim()
            .parse::<u64>()
            .ok()
            .filter(|d| (1..=36_500).contains(d))
            .ok_or_else(|| Code::MalformedXML.with("Days must be a whole number from 1"))
    }
}

/// RestoreObject.
pub async fn restore_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key, version) = (req.bucket()?, req.key()?, req.version_id());
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    if body.is_empty() {
        return Err(Code::MalformedXML.with("RestoreObject needs a RestoreRequest document"));
    }
    let doc: RestoreRequestXml = from_xml(&body)?;
    let days = doc.days()?;
    let obj = ctx
        .store
        .open_object(bucket, key, version.as_deref())
        .await?;
    let info = obj.info();
    if !ctx.class_names.is_archive(&info.storage_class) {
        return Err(Code::InvalidObjectState
            .with("restore is not allowed for the object's current storage class"));
    }
    let expiry = ctx
        .lifecycle_clock
        .due_after(std::time::SystemTime::now(), days);
    let expiry_ns = expiry
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
        .min(u128::from(u64::MAX)) as u64;
    let Some(run) = ctx.restoring.start(bucket, key, &info.version_id) else {
        return Err(Code::RestoreAlreadyInProgress.with("object restore is already in progress"));
    };
    let tier = obj.tier().map(str::to_string);
    if info.restored_until.is_some() {
        // Restored: only the expiry moves, before the answer.
        ctx.store.restore_copy(&obj, expiry_ns).await?;
        drop(run);
        return Ok(Response {
            tier,
            ..Response::ok()
        });
    }
    // Marked first, so that a restart or a tier that is down does not lose it.
    restoring::mark_pending(&ctx.store, &obj, expiry_ns).await?;
    let store = ctx.store.clone();
    let what = format!("{bucket}/{key} ({})", info.version_id);
    tokio::spawn(async move {
        match restoring::copy_and_clear(&store, &obj, expiry_ns).await {
            Ok(done) => tracing::info!(object = %what, ?done, "restore finished"),
            Err(e) => {
                tracing::warn!(object = %what, error = %e, "restore failed; the scanner's next pass tries again")
            }
        }
        drop(run);
    });
    Ok(Response {
        status: 202,
        tier,
        ..Response::ok()
    })
}
