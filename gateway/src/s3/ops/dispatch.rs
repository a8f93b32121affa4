//! The one `match` from operation to handler.

use super::common::{Ctx, Request};
use super::{
    access, acl, attributes, bucket, copy, cors, delete, encryption, get, lifecycle, list,
    list_buckets, lock, multipart, notification, policy, put, restore, service, tagging,
};
use crate::s3::error::{Code, S3Error};
use crate::s3::operation::Operation;
use crate::s3::response::Response;

/// Runs one authenticated, authorized request.
pub async fn dispatch(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    use Operation as Op;
    match req.op {
        Op::ListBuckets => list_buckets::list_buckets(ctx, req).await,
        Op::ServicePost => service::service_post(ctx, req).await,
        Op::CreateBucket => bucket::create_bucket(ctx, req).await,
        Op::DeleteBucket => bucket::delete_bucket(ctx, req).await,
        Op::HeadBucket => bucket::head_bucket(ctx, req).await,
        Op::GetBucketLocation => bucket::get_bucket_location(ctx, req).await,
        Op::GetBucketVersioning => bucket::get_bucket_versioning(ctx, req).await,
        Op::PutBucketVersioning => bucket::put_bucket_versioning(ctx, req).await,
        Op::ListObjects => list::list_objects_v1(ctx, req).await,
        Op::ListObjectsV2 => list::list_objects_v2(ctx, req).await,
        Op::ListObjectVersions => list::list_object_versions(ctx, req).await,
        Op::PutObject => put::put_object(ctx, req).await,
        Op::GetObject => get::get_object(ctx, req).await,
        Op::HeadObject => get::head_object(ctx, req).await,
        Op::DeleteObject => delete::delete_object(ctx, req).await,
        Op::DeleteObjects => delete::delete_objects(ctx, req).await,
        Op::CopyObject => copy::copy_object(ctx, req).await,
        Op::CreateMultipartUpload => multipart::create(ctx, req).await,
        Op::UploadPart => multipart::upload_part(ctx, req).await,
        Op::UploadPartCopy => copy::upload_part_copy(ctx, req).await,
        Op::CompleteMultipartUpload => multipart::complete(ctx, req).await,
        Op::AbortMultipartUpload => multipart::abort(ctx, req).await,
        Op::ListParts => multipart::list_parts(ctx, req).await,
        Op::ListMultipartUploads => multipart::list_uploads(ctx, req).await,
        Op::GetObjectTagging => tagging::get_object_tagging(ctx, req).await,
        Op::PutObjectTagging => tagging::put_object_tagging(ctx, req).await,
        Op::DeleteObjectTagging => tagging::delete_object_tagging(ctx, req).await,
        Op::GetBucketTagging => tagging::get_bucket_tagging(ctx, req).await,
        Op::PutBucketTagging => tagging::put_bucket_tagging(ctx, req).await,
        Op::DeleteBucketTagging => tagging::delete_bucket_tagging(ctx, req).await,
        Op::GetBucketPolicy => policy::get_bucket_policy(ctx, req).await,
        Op::PutBucketPolicy => policy::put_bucket_policy(ctx, req).await,
        Op::DeleteBucketPolicy => policy::delete_bucket_policy(ctx, req).await,
        Op::GetBucketPolicyStatus => policy::get_bucket_policy_status(ctx, req).await,
        Op::GetBucketNotificationConfiguration => notification::get(ctx, req).await,
        Op::PutBucketNotificationConfiguration => notification::put(ctx, req).await,
        Op::GetBucketAcl => acl::get_bucket_acl(ctx, req).await,
        Op::PutBucketAcl => acl::put_bucket_acl(ctx, req).await,
        Op::GetObjectAcl => acl::get_object_acl(ctx, req).await,
        Op::PutObjectAcl => acl::put_object_acl(ctx, req).await,
        Op::GetBucketOwnershipControls => access::get_ownership(ctx, req).await,
        Op::PutBucketOwnershipControls => access::put_ownership(ctx, req).await,
        Op::DeleteBucketOwnershipControls => access::delete_ownership(ctx, req).await,
        Op::GetBucketEncryption => encryption::get_encryption(ctx, req).await,
        Op::PutBucketEncryption => encryption::put_encryption(ctx, req).await,
        Op::DeleteBucketEncryption => encryption::delete_encryption(ctx, req).await,
        Op::GetPublicAccessBlock => access::get_public_block(ctx, req).await,
        Op::PutPublicAccessBlock => access::put_public_block(ctx, req).await,
        Op::DeletePublicAccessBlock => access::delete_public_block(ctx, req).await,
        Op::GetBucketCors => cors::get_bucket_cors(ctx, req).await,
        Op::PutBucketCors => cors::put_bucket_cors(ctx, req).await,
        Op::DeleteBucketCors => cors::delete_bucket_cors(ctx, req).await,
        Op::GetBucketLifecycleConfiguration => lifecycle::get(ctx, req).await,
        Op::PutBucketLifecycleConfiguration => lifecycle::put(ctx, req).await,
        Op::DeleteBucketLifecycle => lifecycle::delete(ctx, req).await,
        Op::GetObjectLockConfiguration => lock::get_configuration(ctx, req).await,
        Op::PutObjectLockConfiguration => lock::put_configuration(ctx, req).await,
        Op::GetObjectRetention => lock::get_retention(ctx, req).await,
        Op::PutObjectRetention => lock::put_retention(ctx, req).await,
        Op::GetObjectLegalHold => lock::get_legal_hold(ctx, req).await,
        Op::PutObjectLegalHold => lock::put_legal_hold(ctx, req).await,
        Op::GetObjectAttributes => attributes::get_object_attributes(ctx, req).await,
        Op::RestoreObject => restore::restore_object(ctx, req).await,
        other => {
            Err(Code::NotImplemented.with(format!("{} is not implemented by strata", other.name())))
        }
    }
}
