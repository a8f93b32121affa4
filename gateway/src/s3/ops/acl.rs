//! ACLs: Get/PutBucketAcl, Get/PutObjectAcl, and the ACL a CreateBucket or an object write
//! states. Bucket ACLs are bucket documents, object ACLs (with the object's owner) the
//! version's access document; the authorizer evaluates both (`bucket_access`).

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

/// GetObjectAcl: the stored ACL, or its bucket owner's full control for an object that
/// keeps none.
pub async fn get_object_acl(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    let object = ctx
        .store
        .open_object(bucket, req.key()?, req.version_id().as_deref())
        .await?;
    let info = object.info();
    let acl = object_acl(ctx, bucket, info.access.as_deref())?;
    with_version(render(ctx, &acl)?, &info.version_id)
}

/// PutObjectAcl: replaces the ACL of a version (the current one by default); its owner
/// stays. Where ownership is enforced, only the owner's full control is accepted (and
/// nothing needs storing).
pub async fn put_object_acl(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let key = req.key()?.to_string();
    let version = req.version_id();
    let stored = ctx
        .store
        .open_object(&bucket, &key, version.as_deref())
        .await?
        .info()
        .access
        .clone();
    let current = object_acl(ctx, &bucket, stored.as_deref())?;
    let bucket_owner = bucket_owner(ctx, &bucket)?;
    let target = AclTarget::Object {
        bucket_owner: &bucket_owner.canonical_id,
    };
    let controls = ctx.bucket_access.get(&bucket)?;
    let acl = stated_acl(ctx, req, &current.owner, target)
        .await
        .map_err(|e| refused_alike(&controls, e))?;
    admit(&controls, &acl, acls_not_supported)?;
    if !controls.ownership.acls_enabled() {
        return Ok(Response::ok());
    }
    let id = ctx
        .store
        .set_object_access(&bucket, &key, version.as_deref(), acl.encode())
        .await?;
    with_version(Response::ok(), &id)
}

/// An object's ACL from its stored access document (`None`: its bucket owner's alone).
fn object_acl(ctx: &Ctx, bucket: &str, access: Option<&[u8]>) -> Result<Acl, S3Error> {
    match access {
        Some(doc) => Acl::decode(doc)
            .map_err(|why| Code::InternalError.with(format!("the object's stored ACL: {why}"))),
        None => Ok(Acl::private(&bucket_owner(ctx, bucket)?.canonical_id)),
    }
}

fn with_version(resp: Response, version: &str) -> Result<Response, S3Error> {
    Ok(if version != "null" {
        resp.with("x-amz-version-id", version.to_string())
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

/// The access document a new object gets from its write (PutObject, CopyObject,
/// CreateMultipartUpload): `None` when it is its bucket owner's with full control alone (all
/// objects where ownership is enforced). Where ACLs are in force, another account's write
/// owns its object (`ObjectWriter`, or `BucketOwnerPreferred` without
/// `bucket-owner-full-control`), as on AWS.
pub fn object_access_for_write(
    ctx: &Ctx,
    bucket: &str,
    headers: &HeaderMap,
    caller: &Principal,
) -> Result<Option<Vec<u8>>, S3Error> {
    let controls = ctx.bucket_access.get(bucket)?;
    if !controls.ownership.acls_enabled() && !states_acl(headers) {
        return Ok(None);
    }
    let bucket_owner = bucket_owner(ctx, bucket)?.canonical_id;
    let writer = match caller {
        Principal::Key { identity, .. } => identity.account.canonical_id.as_str(),
        Principal::Anonymous => bucket_owner.as_str(),
    };
    let handed_over = controls.ownership.0 == Some(Ownership::BucketOwnerPreferred)
        && headers
            .get("x-amz-acl")
            .is_some_and(|v| v.as_bytes() == b"bucket-owner-full-control");
    let owner = if !controls.ownership.acls_enabled() || handed_over {
        bucket_owner.as_str()
    } else {
        writer
    };
    let target = AclTarget::Object {
        bucket_owner: &bucket_owner,
    };
    let known = |id: &str| known_account(ctx, id);
    let acl = acl_from_headers(headers, owner, target, &known)
        .map_err(|e| refused_alike(&controls, e))?
        .unwrap_or_else(|| Acl::private(owner));
    admit(&controls, &acl, acls_not_supported)?;
    if owner == bucket_owner && acl.owner_only() {
        return Ok(None);
    }
    Ok(Some(acl.encode()))
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
