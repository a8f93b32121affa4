//! DeleteObject and DeleteObjects.

use strata_volume::{DeletePrecondition, Error as VolumeError, Refusal};

use super::common::{Ctx, Request};
use super::delete_conditions;
use crate::s3::actions::{bypasses_governance, deleted_object_needs};
use crate::s3::error::S3Error;
use crate::s3::names::validate_key;
use crate::s3::response::{Removal, Response};
use crate::s3::xml::{
    from_xml, Delete, DeleteErrorEntry, DeleteResult, DeletedEntry, MAX_XML_BODY, S3_NS,
};

/// Most keys one DeleteObjects may name.
const MAX_DELETE_KEYS: usize = 1000;

/// DeleteObject: deleting a missing key succeeds, as in S3, unless `If-Match` asked for
/// a current object (then `NoSuchKey`); a condition not met is `PreconditionFailed`.
pub async fn delete_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let version = req.version_id();
    let cond = delete_conditions::from_headers(req.headers)?;
    let outcome = match ctx
        .store
        .delete_object_if(req.bucket()?, req.key()?, version.as_deref(), &cond)
        .await
    {
        Ok(o) => o,
        Err(VolumeError::Refused(Refusal::NoSuchKey { .. }))
            if version.is_none() && cond.if_match.is_none() =>
        {
            // Answered as deleted, so notified as deleted, as S3 does.
            let mut resp = Response::no_content();
            resp.removed.push(Removal {
                key: req.key()?.to_string(),
                version_id: None,
                marker_created: false,
            });
            return Ok(resp);
        }
        Err(e) => return Err(e.into()),
    };
    let mut resp = Response::no_content();
    if outcome.delete_marker {
        resp = resp.with("x-amz-delete-marker", "true");
    }
    resp.removed.push(Removal {
        key: req.key()?.to_string(),
        version_id: outcome.version_id.clone(),
        marker_created: outcome.delete_marker && version.is_none(),
    });
    Ok(resp.with_opt("x-amz-version-id", outcome.version_id))
}

/// DeleteObjects: each key gets its own result; `Quiet` leaves out the successes.
pub async fn delete_objects(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    // `x-amz-bypass-governance-retention` applies to every key listed.
    let bypass_governance = bypasses_governance(req.headers);
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let doc: Delete = from_xml(&body)?;
    if doc.Object.len() > MAX_DELETE_KEYS {
        return Err(crate::s3::error::Code::MalformedXML.with("at most 1000 keys per request"));
    }
    let quiet = doc.Quiet.unwrap_or(false);
    let mut removed = Vec::new();
    let mut result = DeleteResult {
        xmlns: S3_NS,
        Deleted: Vec::new(),
        Error: Vec::new(),
    };
    for obj in doc.Object {
        // Each entry is authorized on its own key, as AWS does: a refused one is an
        // `AccessDenied` entry of the result, the others go ahead.
        let allowed = || -> Result<(), S3Error> {
            let needs = deleted_object_needs(
                &bucket,
                &obj.Key,
                obj.VersionId.as_deref(),
                obj.ETag.as_deref(),
                req.headers,
            );
            for need in needs.iter() {
                req.authorize.need(req.caller, need)?;
            }
            Ok(())
        };
        let attempt = match validate_key(&obj.Key)
            .map_err(S3Error::from)
            .and_then(|()| allowed())
            .and_then(|()| {
                delete_conditions::from_entry(
                    obj.ETag.as_deref(),
                    obj.Size.as_deref(),
                    obj.LastModifiedTime.as_deref(),
                )
                .map(|cond| DeletePrecondition {
                    bypass_governance,
                    ..cond
                })
            }) {
            Err(e) => Err(e),
            Ok(cond) => match ctx
                .store
                .delete_object_if(&bucket, &obj.Key, obj.VersionId.as_deref(), &cond)
                .await
            {
                Ok(o) => Ok(Some(o)),
                Err(VolumeError::Refused(Refusal::NoSuchKey { .. }))
                    if obj.VersionId.is_none() && cond.if_match.is_none() =>
                {
                    Ok(None)
                }
                Err(e) => Err(S3Error::from(e)),
            },
        };
        // Every key answered as deleted is notified as deleted, as S3 does.
        if let Ok(outcome) = &attempt {
            removed.push(Removal {
                key: obj.Key.clone(),
                version_id: outcome.as_ref().and_then(|o| o.version_id.clone()),
                marker_created: outcome
                    .as_ref()
                    .is_some_and(|o| o.delete_marker && obj.VersionId.is_none()),
            });
        }
        match attempt {
            Ok(outcome) if !quiet => {
                let mut entry = DeletedEntry {
                    Key: obj.Key,
                    VersionId: obj.VersionId.clone(),
                    ..DeletedEntry::default()
                };
                if let Some(o) = outcome.filter(|o| o.delete_marker) {
                    entry.DeleteMarker = Some(true);
                    entry.DeleteMarkerVersionId = o.version_id;
                }
                result.Deleted.push(entry);
            }
            Ok(_) => {}
            Err(e) => result.Error.push(DeleteErrorEntry {
                Key: obj.Key,
                VersionId: obj.VersionId,
                Code: e.code.as_str().to_string(),
                Message: e.message,
            }),
        }
    }
    let mut resp = Response::xml(&result)?;
    resp.removed = removed;
    Ok(resp)
}
