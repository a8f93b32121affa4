//! Every S3 operation, implemented or not, with the IAM action it needs.

macro_rules! operations {
    ($( $variant:ident => $action:literal, $supported:literal; )*) => {
        /// One S3 operation. Unsupported ones are listed too, so the router can answer them
        /// with `NotImplemented` instead of mistaking them for something else.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($variant), "`")]
                $variant,
            )*
        }

        impl Operation {
            /// The operation's name as in the S3 API reference.
            pub fn name(self) -> &'static str {
                match self { $( Operation::$variant => stringify!($variant), )* }
            }

            /// The IAM action that authorizes it (`s3:GetObject`, ...).
            pub fn action(self) -> &'static str {
                match self { $( Operation::$variant => $action, )* }
            }

            /// Whether strata implements it; the rest answer `NotImplemented`.
            pub fn is_supported(self) -> bool {
                match self { $( Operation::$variant => $supported, )* }
            }

            /// Whether the request's credentials cover a form body that must be read before
            /// it is authenticated (the STS and IAM form posts).
            pub fn authenticates_from_body(self) -> bool {
                matches!(self, Operation::ServicePost)
            }
        }
    };
}

operations! {
    // service
    ListBuckets => "s3:ListAllMyBuckets", true;
    // The STS and IAM query APIs: `POST /` with the action in a form body.
    ServicePost => "sts:*", true;
    // buckets
    CreateBucket => "s3:CreateBucket", true;
    DeleteBucket => "s3:DeleteBucket", true;
    HeadBucket => "s3:ListBucket", true;
    GetBucketLocation => "s3:GetBucketLocation", true;
    GetBucketVersioning => "s3:GetBucketVersioning", true;
    PutBucketVersioning => "s3:PutBucketVersioning", true;
    ListObjects => "s3:ListBucket", true;
    ListObjectsV2 => "s3:ListBucket", true;
    ListObjectVersions => "s3:ListBucketVersions", true;
    ListMultipartUploads => "s3:ListBucketMultipartUploads", true;
    DeleteObjects => "s3:DeleteObject", true;
    GetBucketTagging => "s3:GetBucketTagging", true;
    PutBucketTagging => "s3:PutBucketTagging", true;
    DeleteBucketTagging => "s3:PutBucketTagging", true;
    GetBucketPolicy => "s3:GetBucketPolicy", true;
    PutBucketPolicy => "s3:PutBucketPolicy", true;
    DeleteBucketPolicy => "s3:DeleteBucketPolicy", true;
    GetBucketPolicyStatus => "s3:GetBucketPolicyStatus", false;
    GetBucketAcl => "s3:GetBucketAcl", false;
    PutBucketAcl => "s3:PutBucketAcl", false;
    GetBucketCors => "s3:GetBucketCORS", false;
    PutBucketCors => "s3:PutBucketCORS", false;
    DeleteBucketCors => "s3:PutBucketCORS", false;
    GetBucketEncryption => "s3:GetEncryptionConfiguration", false;
    PutBucketEncryption => "s3:PutEncryptionConfiguration", false;
    DeleteBucketEncryption => "s3:PutEncryptionConfiguration", false;
    GetBucketLifecycleConfiguration => "s3:GetLifecycleConfiguration", false;
    PutBucketLifecycleConfiguration => "s3:PutLifecycleConfiguration", false;
    DeleteBucketLifecycle => "s3:PutLifecycleConfiguration", false;
    GetBucketLogging => "s3:GetBucketLogging", false;
    PutBucketLogging => "s3:PutBucketLogging", false;
    GetBucketNotificationConfiguration => "s3:GetBucketNotification", true;
    PutBucketNotificationConfiguration => "s3:PutBucketNotification", true;
    GetBucketOwnershipControls => "s3:GetBucketOwnershipControls", false;
    PutBucketOwnershipControls => "s3:PutBucketOwnershipControls", false;
    DeleteBucketOwnershipControls => "s3:PutBucketOwnershipControls", false;
    GetBucketReplication => "s3:GetReplicationConfiguration", false;
    PutBucketReplication => "s3:PutReplicationConfiguration", false;
    DeleteBucketReplication => "s3:PutReplicationConfiguration", false;
    GetBucketRequestPayment => "s3:GetBucketRequestPayment", false;
    PutBucketRequestPayment => "s3:PutBucketRequestPayment", false;
    GetBucketWebsite => "s3:GetBucketWebsite", false;
    PutBucketWebsite => "s3:PutBucketWebsite", false;
    DeleteBucketWebsite => "s3:DeleteBucketWebsite", false;
    GetBucketAccelerateConfiguration => "s3:GetAccelerateConfiguration", false;
    PutBucketAccelerateConfiguration => "s3:PutAccelerateConfiguration", false;
    GetBucketAnalyticsConfiguration => "s3:GetAnalyticsConfiguration", false;
    PutBucketAnalyticsConfiguration => "s3:PutAnalyticsConfiguration", false;
    DeleteBucketAnalyticsConfiguration => "s3:PutAnalyticsConfiguration", false;
    ListBucketAnalyticsConfigurations => "s3:GetAnalyticsConfiguration", false;
    GetBucketIntelligentTieringConfiguration => "s3:GetIntelligentTieringConfiguration", false;
    PutBucketIntelligentTieringConfiguration => "s3:PutIntelligentTieringConfiguration", false;
    DeleteBucketIntelligentTieringConfiguration => "s3:PutIntelligentTieringConfiguration", false;
    ListBucketIntelligentTieringConfigurations => "s3:GetIntelligentTieringConfiguration", false;
    GetBucketInventoryConfiguration => "s3:GetInventoryConfiguration", false;
    PutBucketInventoryConfiguration => "s3:PutInventoryConfiguration", false;
    DeleteBucketInventoryConfiguration => "s3:PutInventoryConfiguration", false;
    ListBucketInventoryConfigurations => "s3:GetInventoryConfiguration", false;
    GetBucketMetricsConfiguration => "s3:GetMetricsConfiguration", false;
    PutBucketMetricsConfiguration => "s3:PutMetricsConfiguration", false;
    DeleteBucketMetricsConfiguration => "s3:PutMetricsConfiguration", false;
    ListBucketMetricsConfigurations => "s3:GetMetricsConfiguration", false;
    GetObjectLockConfiguration => "s3:GetBucketObjectLockConfiguration", false;
    PutObjectLockConfiguration => "s3:PutBucketObjectLockConfiguration", false;
    GetPublicAccessBlock => "s3:GetBucketPublicAccessBlock", false;
    PutPublicAccessBlock => "s3:PutBucketPublicAccessBlock", false;
    DeletePublicAccessBlock => "s3:PutBucketPublicAccessBlock", false;
    CreateSession => "s3express:CreateSession", false;
    PostObject => "s3:PutObject", false;
    // objects
    PutObject => "s3:PutObject", true;
    GetObject => "s3:GetObject", true;
    HeadObject => "s3:GetObject", true;
    DeleteObject => "s3:DeleteObject", true;
    CopyObject => "s3:PutObject", true;
    GetObjectAttributes => "s3:GetObjectAttributes", true;
    GetObjectTagging => "s3:GetObjectTagging", true;
    PutObjectTagging => "s3:PutObjectTagging", true;
    DeleteObjectTagging => "s3:DeleteObjectTagging", true;
    CreateMultipartUpload => "s3:PutObject", true;
    UploadPart => "s3:PutObject", true;
    UploadPartCopy => "s3:PutObject", true;
    CompleteMultipartUpload => "s3:PutObject", true;
    AbortMultipartUpload => "s3:AbortMultipartUpload", true;
    ListParts => "s3:ListMultipartUploadParts", true;
    GetObjectAcl => "s3:GetObjectAcl", false;
    PutObjectAcl => "s3:PutObjectAcl", false;
    GetObjectLegalHold => "s3:GetObjectLegalHold", false;
    PutObjectLegalHold => "s3:PutObjectLegalHold", false;
    GetObjectRetention => "s3:GetObjectRetention", false;
    PutObjectRetention => "s3:PutObjectRetention", false;
    GetObjectTorrent => "s3:GetObjectTorrent", false;
    RestoreObject => "s3:RestoreObject", false;
    SelectObjectContent => "s3:GetObject", false;
}
