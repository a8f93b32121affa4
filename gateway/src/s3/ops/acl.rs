//! ACLs: Get/PutBucketAcl, Get/PutObjectAcl, and the ACL a CreateBucket or an object write
//! states. Bucket ACLs are stored and evaluated (`bucket_access`); an object's ACL is its
//! owner's full control: strata does not store other object ACLs yet, so a write or
//! PutObjectAcl that states one is refused rather than ignored.

use http::HeaderMap;

use super::common::{Ctx, Request};
use crate::auth::Principal;
use crate::bucket_access::{
    acl_from_headers, parse_acl_xml, render_acl, states_acl, Acl, AclTarget, Controls, NewBucket,
    Ownership, OwnershipSetting, ACL_CONFIG,
};
use crate::identity::Account;
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::xml::MAX_XML_BODY;

/// GetBucketAcl: the stored ACL, or the owner's full control alone while the bucket
/// enforces ownership or has none stored.
pub async fn get_bucket_acl(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    let owner = bucket_owner(ctx, bucket)?;
    let controls = ctx.bucket_access.get(bucket)?;
    let acl = controls
        .acl_in_force()
        .cloned()
        .unwrap_or_else(|| Acl::private(&owner.canonical_id));
    render(ctx, &acl)
}

/// PutBucketAcl, from headers or an `AccessControlPolicy` body.
pub async fn put_bucket_acl(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let owner = bucket_owner(ctx, &bucket)?;
    let controls = ctx.bucket_access.get(&bucket)?;
    let acl = stated_acl(ctx, req, &owner.canonical_id, AclTarget::Bucket)
        .await
        .map_err(|e| refused_alike(&controls, e))?;
    admit(&controls, &acl, acls_not_supported)?;
    ctx.store
        .put_bucket_config(&bucket, ACL_CONFIG, acl.encode())
        .await?;
    ctx.bucket_access.forget(&bucket);
    Ok(Response::ok())
}

/// GetObjectAcl: the object's owner (its bucket's) with full control.
pub async fn get_object_acl(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    let object = ctx
        .store
        .open_object(bucket, req.key()?, req.version_id().as_deref())
        .await?;
    let version = object.info().version_id.clone();
    let owner = bucket_owner(ctx, bucket)?;
    let resp = render(ctx, &Acl::private(&owner.canonical_id))?;
    Ok(if version != "null" {
        resp.with("x-amz-version-id", version)
    } else {
        resp
    })
}

/// PutObjectAcl: accepted when it states what the object already has (its owner's full
/// control); anything more is refused until object ACLs are stored.
pub async fn put_object_acl(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let object = ctx
        .store
        .open_object(&bucket, req.key()?, req.version_id().as_deref())
        .await?;
    let version = object.info().version_id.clone();
    drop(object);
    let owner = bucket_owner(ctx, &bucket)?;
    let target = AclTarget::Object {
        bucket_owner: &owner.canonical_id,
    };
    let controls = ctx.bucket_access.get(&bucket)?;
    let acl = stated_acl(ctx, req, &owner.canonical_id, target)
        .await
        .map_err(|e| refused_alike(&controls, e))?;
    admit(&controls, &acl, acls_not_supported)?;
    if !acl.owner_only() {
        return Err(object_acls_not_stored());
    }
    let resp = Response::ok();
    Ok(if version != "null" {
        resp.with("x-amz-version-id", version)
    } else {
        resp
    })
}

/// The ownership and ACL a CreateBucket states, checked against what the bucket will be.
pub fn new_bucket(ctx: &Ctx, headers: &HeaderMap, owner: &Account) -> Result<NewBucket, S3Error> {
    let ownership = match headers.get("x-amz-object-ownership") {
        None => None,
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| Code::InvalidArgument.with("x-amz-object-ownership is not ASCII"))?;
            Some(OwnershipSetting(Some(Ownership::from_header(v)?)))
        }
    };
    let known = |id: &str| known_account(ctx, id);
    let acl = acl_from_headers(headers, &owner.canonical_id, AclTarget::Bucket, &known)?;
    let new = NewBucket { ownership, acl };
    if let Some(acl) = &new.acl {
        admit(&ctx.bucket_access.planned(&new), acl, create_acl_refused)?;
    }
    Ok(new)
}

/// Checks the ACL an object write (PutObject, CopyObject, CreateMultipartUpload) states.
/// The bucket's owner owns every object strata stores; a write that would make another
/// account the owner, or grant beyond the owner, is refused until object ACLs are stored.
pub fn check_object_write_acl(
    ctx: &Ctx,
    bucket: &str,
    headers: &HeaderMap,
    caller: &Principal,
) -> Result<(), S3Error> {
    if !states_acl(headers) {
        return check_writer_owns_nothing(ctx, bucket, caller, None);
    }
    let owner = bucket_owner(ctx, bucket)?;
    let target = AclTarget::Object {
        bucket_owner: &owner.canonical_id,
    };
    let known = |id: &str| known_account(ctx, id);
    let controls = ctx.bucket_access.get(bucket)?;
    let stated = acl_from_headers(headers, &owner.canonical_id, target, &known)
        .map_err(|e| refused_alike(&controls, e))?;
    let Some(acl) = stated else {
        return Ok(());
    };
    admit(&controls, &acl, acls_not_supported)?;
    check_writer_owns_nothing(ctx, bucket, caller, headers.get("x-amz-acl"))?;
    if !acl.owner_only() {
        return Err(object_acls_not_stored());
    }
    Ok(())
}

/// While ACLs are in force, another account's write would own its object (`ObjectWriter`,
/// or `BucketOwnerPreferred` without `bucket-owner-full-control`): not supported yet.
fn check_writer_owns_nothing(
    ctx: &Ctx,
    bucket: &str,
    caller: &Principal,
    canned: Option<&http::HeaderValue>,
) -> Result<(), S3Error> {
    let Principal::Key { identity, .. } = caller else {
        return Ok(());
    };
    let controls = ctx.bucket_access.get(bucket)?;
    let handed_over = controls.ownership.0 == Some(Ownership::BucketOwnerPreferred)
        && canned.is_some_and(|v| v.as_bytes() == b"bucket-owner-full-control");
    if !controls.ownership.acls_enabled() || handed_over {
        return Ok(());
    }
    let owner_id = ctx
        .owners
        .owner_id(ctx.store.bucket_owner(bucket)?.as_deref())
        .to_string();
    if identity.account.id == owner_id {
        return Ok(());
    }
    Err(Code::NotImplemented.with(
        "objects owned by the writer's account are not implemented by strata: write with x-amz-acl: bucket-owner-full-control into a BucketOwnerPreferred bucket, or into one that enforces ownership",
    ))
}

/// Whether `acl` may be set on a bucket with `controls`: not beyond the owner while
/// ownership is enforced, nothing public while public ACLs are blocked.
fn admit(controls: &Controls, acl: &Acl, refused: fn() -> S3Error) -> Result<(), S3Error> {
    if !controls.ownership.acls_enabled() && !acl.owner_only() {
        return Err(refused());
    }
    if controls.public_block.block.block_public_acls && acl.is_public() {
        return Err(Code::AccessDenied.with(
            "Access Denied: the ACL grants public access, and the bucket's Block Public Access setting BlockPublicAcls is on",
        ));
    }
    Ok(())
}

/// A bucket that takes no ACLs refuses every stated ACL alike, as AWS does, whatever else
/// is wrong with it.
fn refused_alike(controls: &Controls, e: S3Error) -> S3Error {
    if controls.ownership.acls_enabled() {
        e
    } else {
        acls_not_supported()
    }
}

/// The ACL a Put*Acl states: headers, or else the body (not both).
async fn stated_acl(
    ctx: &Ctx,
    req: Request<'_>,
    owner: &str,
    target: AclTarget<'_>,
) -> Result<Acl, S3Error> {
    let known = |id: &str| known_account(ctx, id);
    let from_headers = acl_from_headers(req.headers, owner, target, &known)?;
    let body = req.body.collect(MAX_XML_BODY).await?;
    match (from_headers, body.is_empty()) {
        (Some(acl), true) => Ok(acl),
        (Some(_), false) => Err(Code::UnexpectedContent
            .with("This request does not support content when the ACL is given in headers")),
        (None, false) => parse_acl_xml(&body, owner, &known),
        (None, true) => Err(Code::MissingSecurityHeader
            .with("Your request was missing a required header: x-amz-acl, x-amz-grant-* or an AccessControlPolicy body")),
    }
}

fn render(ctx: &Ctx, acl: &Acl) -> Result<Response, S3Error> {
    let snapshot = ctx.owners.store().snapshot();
    let name = |id: &str| {
        snapshot
            .account_by_canonical_id(id)
            .map_or_else(|| id.to_string(), |a| a.name)
    };
    Ok(Response::bytes("application/xml", render_acl(acl, &name)?))
}

fn known_account(ctx: &Ctx, canonical_id: &str) -> bool {
    ctx.owners
        .store()
        .snapshot()
        .account_by_canonical_id(canonical_id)
        .is_some()
}

/// The bucket's owning account (`NoSuchBucket` when there is none).
fn bucket_owner(ctx: &Ctx, bucket: &str) -> Result<Account, S3Error> {
    Ok(ctx
        .owners
        .account(ctx.store.bucket_owner(bucket)?.as_deref()))
}

fn create_acl_refused() -> S3Error {
    Code::InvalidBucketAclWithObjectOwnership
        .with("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
}

fn acls_not_supported() -> S3Error {
    Code::AccessControlListNotSupported.with("The bucket does not allow ACLs")
}

fn object_acls_not_stored() -> S3Error {
    Code::NotImplemented.with(
        "object ACLs that grant beyond the object's owner are not stored by strata yet; set the grant in the bucket's ACL or policy",
    )
}
