//! Bucket lifecycle: create, delete, head, location, versioning (listing: `list_buckets.rs`).

use strata_volume::Versioning;

use super::acl::new_bucket;
use super::common::{Ctx, Request};
use crate::auth::Principal;
use crate::identity::Account;
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::xml::{
    from_xml, CreateBucketConfiguration, LocationConstraintResult, VersioningConfiguration,
    MAX_XML_BODY, S3_NS,
};

/// `x-amz-bucket-object-lock-enabled`: `true` makes the bucket with object lock (and
/// versioning).
fn object_lock_enabled(headers: &http::HeaderMap) -> Result<bool, S3Error> {
    match crate::s3::http::header(headers, "x-amz-bucket-object-lock-enabled").map(str::trim) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => {
            Err(Code::InvalidArgument
                .with("x-amz-bucket-object-lock-enabled must be true or false"))
        }
    }
}

/// CreateBucket, with an optional location constraint that must name our region.
pub async fn create_bucket(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect(MAX_XML_BODY).await?;
    let location = if body.is_empty() {
        None
    } else {
        let cfg: CreateBucketConfiguration = from_xml(&body)?;
        cfg.LocationConstraint.filter(|l| !l.is_empty())
    };
    if let Some(l) = &location {
        if *l != ctx.region {
            return Err(Code::InvalidArgument.with(format!(
                "the location constraint {l:?} is incompatible with this endpoint's region {:?}",
                ctx.region
            )));
        }
    }
    let account = caller_account(req.caller)?;
    let new = new_bucket(ctx, req.headers, account)?;
    let object_lock = object_lock_enabled(req.headers)?;
    match ctx
        .store
        .create_bucket_with(&bucket, location.as_deref(), Some(&account.id), object_lock)
        .await
    {
        Ok(()) => ctx.bucket_access.initialize(&bucket, &new).await?,
        // Bucket names are global: another account's bucket of that name is AWS's 409
        // `BucketAlreadyExists`, one's own is `BucketAlreadyOwnedByYou`.
        Err(strata_volume::Error::Refused(strata_volume::Refusal::BucketAlreadyOwnedByYou))
            if ctx
                .owners
                .owner_id(ctx.store.bucket_owner(&bucket)?.as_deref())
                != account.id =>
        {
            return Err(Code::BucketAlreadyExists
                .with("the requested bucket name is not available: another account owns it"));
        }
        // Made again by its owner: us-east-1 answers 200 (AWS's legacy answer there), unless
        // the request states settings it would not apply; other regions refuse.
        Err(strata_volume::Error::Refused(strata_volume::Refusal::BucketAlreadyOwnedByYou))
            if ctx.region == LEGACY_REGION && !states_settings(req.headers) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Response::ok().with("location", format!("/{bucket}")))
}

/// The region where CreateBucket of a bucket one owns already answers 200.
const LEGACY_REGION: &str = "us-east-1";

/// Whether a CreateBucket states settings of the new bucket (ACL, ownership, object lock).
fn states_settings(headers: &http::HeaderMap) -> bool {
    headers.keys().any(|name| {
        let name = name.as_str();
        name == "x-amz-acl"
            || name.starts_with("x-amz-grant-")
            || name == "x-amz-object-ownership"
            || name == "x-amz-bucket-object-lock-enabled"
    })
}

/// The account of the (authenticated) caller.
pub(super) fn caller_account(caller: &Principal) -> Result<&Account, S3Error> {
    match caller {
        Principal::Key { identity, .. } => Ok(&identity.account),
        Principal::Anonymous => Err(Code::AccessDenied.with("Access Denied")),
    }
}

/// DeleteBucket.
pub async fn delete_bucket(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    ctx.store.delete_bucket(req.bucket()?).await?;
    Ok(Response::no_content())
}

/// HeadBucket.
pub async fn head_bucket(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let info = ctx.store.bucket_info(req.bucket()?).await?;
    Ok(Response::ok().with(
        "x-amz-bucket-region",
        info.location.unwrap_or_else(|| ctx.region.clone()),
    ))
}

/// GetBucketLocation: empty for us-east-1, as S3 answers.
pub async fn get_bucket_location(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let info = ctx.store.bucket_info(req.bucket()?).await?;
    let region = info.location.unwrap_or_else(|| ctx.region.clone());
    Response::xml(&LocationConstraintResult {
        xmlns: S3_NS,
        region: if region == "us-east-1" {
            String::new()
        } else {
            region
        },
    })
}

/// GetBucketVersioning: no `Status` until versioning was ever set.
pub async fn get_bucket_versioning(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let info = ctx.store.bucket_info(req.bucket()?).await?;
    let status = match info.versioning {
        Versioning::Unversioned => None,
        Versioning::Enabled => Some("Enabled".to_string()),
        Versioning::Suspended => Some("Suspended".to_string()),
    };
    Response::xml(&VersioningConfiguration {
        xmlns: Some(S3_NS),
        Status: status,
        MfaDelete: None,
    })
}

/// PutBucketVersioning.
pub async fn put_bucket_versioning(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let cfg: VersioningConfiguration = from_xml(&body)?;
    if cfg.MfaDelete.as_deref() == Some("Enabled") {
        return Err(Code::NotImplemented.with("MFA delete is not supported"));
    }
    let state = match cfg.Status.as_deref() {
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        _ => {
            return Err(Code::IllegalVersioningConfigurationException
                .with("the versioning configuration specified in the request is invalid"))
        }
    };
    ctx.store.set_versioning(&bucket, state).await?;
    Ok(Response::ok())
}
