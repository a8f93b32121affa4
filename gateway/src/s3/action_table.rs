//! Each operation's own IAM action, before the request's headers add to it: the one place
//! where an [`Operation`] is named to IAM. Follows AWS's "Actions, resources, and condition
//! keys for Amazon S3" and each API's "Permissions" section.

use super::operation::Operation;

/// The action an operation needs on its own target. `versioned` is whether the request names
/// a version (`?versionId=`): AWS authorizes reads and deletes of a named version with the
/// `...Version...` actions. `None` for `ServicePost`, whose action (STS, IAM) is in its form
/// body, and for a CORS preflight, which is never authorized.
pub fn base_action(op: Operation, versioned: bool) -> Option<&'static str> {
    use Operation::*;
    let pick = |plain, version| if versioned { version } else { plain };
    Some(match op {
        ServicePost => return None,
        // Answered from the bucket's CORS rules, never authorized.
        PreflightRequest => return None,
        // Routed and authorized by `crate::admin`'s table, which names their actions.
        AdminShutdown
        | AdminGetStatus
        | AdminStartReseal
        | AdminGetResealStatus
        | AdminListKmsKeys
        | AdminGetKmsKeyStatus
        | AdminCreateKmsKey
        | AdminRotateKmsKey
        | AdminGetHealStatus
        | AdminHealObject
        | AdminStartScan
        | AdminListSessionKeys
        | AdminRotateSessionKey => return None,
        ListBuckets => "s3:ListAllMyBuckets",
        // buckets
        CreateBucket => "s3:CreateBucket",
        DeleteBucket => "s3:DeleteBucket",
        HeadBucket | ListObjects | ListObjectsV2 => "s3:ListBucket",
        GetBucketLocation => "s3:GetBucketLocation",
        GetBucketVersioning => "s3:GetBucketVersioning",
        PutBucketVersioning => "s3:PutBucketVersioning",
        ListObjectVersions => "s3:ListBucketVersions",
        ListMultipartUploads => "s3:ListBucketMultipartUploads",
        // Checked per deleted key, inside the operation.
        DeleteObjects => "s3:DeleteObject",
        GetBucketTagging => "s3:GetBucketTagging",
        PutBucketTagging | DeleteBucketTagging => "s3:PutBucketTagging",
        GetBucketPolicy => "s3:GetBucketPolicy",
        PutBucketPolicy => "s3:PutBucketPolicy",
        DeleteBucketPolicy => "s3:DeleteBucketPolicy",
        GetBucketPolicyStatus => "s3:GetBucketPolicyStatus",
        GetBucketAcl => "s3:GetBucketAcl",
        PutBucketAcl => "s3:PutBucketAcl",
        GetBucketCors => "s3:GetBucketCORS",
        PutBucketCors | DeleteBucketCors => "s3:PutBucketCORS",
        GetBucketEncryption => "s3:GetEncryptionConfiguration",
        PutBucketEncryption | DeleteBucketEncryption => "s3:PutEncryptionConfiguration",
        GetBucketLifecycleConfiguration => "s3:GetLifecycleConfiguration",
        PutBucketLifecycleConfiguration | DeleteBucketLifecycle => "s3:PutLifecycleConfiguration",
        GetBucketLogging => "s3:GetBucketLogging",
        PutBucketLogging => "s3:PutBucketLogging",
        GetBucketNotificationConfiguration => "s3:GetBucketNotification",
        PutBucketNotificationConfiguration => "s3:PutBucketNotification",
        GetBucketOwnershipControls => "s3:GetBucketOwnershipControls",
        PutBucketOwnershipControls | DeleteBucketOwnershipControls => {
            "s3:PutBucketOwnershipControls"
        }
        GetBucketReplication => "s3:GetReplicationConfiguration",
        PutBucketReplication | DeleteBucketReplication => "s3:PutReplicationConfiguration",
        GetBucketRequestPayment => "s3:GetBucketRequestPayment",
        PutBucketRequestPayment => "s3:PutBucketRequestPayment",
        GetBucketWebsite => "s3:GetBucketWebsite",
        PutBucketWebsite => "s3:PutBucketWebsite",
        DeleteBucketWebsite => "s3:DeleteBucketWebsite",
        GetBucketAccelerateConfiguration => "s3:GetAccelerateConfiguration",
        PutBucketAccelerateConfiguration => "s3:PutAccelerateConfiguration",
        GetBucketAnalyticsConfiguration | ListBucketAnalyticsConfigurations => {
            "s3:GetAnalyticsConfiguration"
        }
        PutBucketAnalyticsConfiguration | DeleteBucketAnalyticsConfiguration => {
            "s3:PutAnalyticsConfiguration"
        }
        GetBucketIntelligentTieringConfiguration | ListBucketIntelligentTieringConfigurations => {
            "s3:GetIntelligentTieringConfiguration"
        }
        PutBucketIntelligentTieringConfiguration | DeleteBucketIntelligentTieringConfiguration => {
            "s3:PutIntelligentTieringConfiguration"
        }
        GetBucketInventoryConfiguration | ListBucketInventoryConfigurations => {
            "s3:GetInventoryConfiguration"
        }
        PutBucketInventoryConfiguration | DeleteBucketInventoryConfiguration => {
            "s3:PutInventoryConfiguration"
        }
        GetBucketMetricsConfiguration | ListBucketMetricsConfigurations => {
            "s3:GetMetricsConfiguration"
        }
        PutBucketMetricsConfiguration | DeleteBucketMetricsConfiguration => {
            "s3:PutMetricsConfiguration"
        }
        GetObjectLockConfiguration => "s3:GetBucketObjectLockConfiguration",
        PutObjectLockConfiguration => "s3:PutBucketObjectLockConfiguration",
        GetPublicAccessBlock => "s3:GetBucketPublicAccessBlock",
        PutPublicAccessBlock | DeletePublicAccessBlock => "s3:PutBucketPublicAccessBlock",
        CreateSession => "s3express:CreateSession",
        // On the key the form names.
        PostObject => "s3:PutObject",
        // objects
        PutObject
        | CopyObject
        | CreateMultipartUpload
        | UploadPart
        | UploadPartCopy
        | CompleteMultipartUpload => "s3:PutObject",
        GetObject | HeadObject => pick("s3:GetObject", "s3:GetObjectVersion"),
        DeleteObject => pick("s3:DeleteObject", "s3:DeleteObjectVersion"),
        GetObjectAttributes => pick("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
        GetObjectTagging => pick("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
        PutObjectTagging => pick("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
        DeleteObjectTagging => pick("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
        AbortMultipartUpload => "s3:AbortMultipartUpload",
        ListParts => "s3:ListMultipartUploadParts",
        GetObjectAcl => pick("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
        PutObjectAcl => pick("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
        GetObjectLegalHold => "s3:GetObjectLegalHold",
        PutObjectLegalHold => "s3:PutObjectLegalHold",
        GetObjectRetention => "s3:GetObjectRetention",
        PutObjectRetention => "s3:PutObjectRetention",
        GetObjectTorrent => pick("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"),
        RestoreObject => "s3:RestoreObject",
        SelectObjectContent => "s3:GetObject",
    })
}
