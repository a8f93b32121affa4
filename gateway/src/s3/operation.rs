//! Every S3 operation, implemented or not, and strata's admin endpoints. The IAM actions a request needs are decided per
//! request, in `actions.rs` (the operation's own action in `action_table.rs`).

macro_rules! operations {
    ($( $variant:ident => $supported:literal; )*) => {
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

            /// Every operation, in the order declared.
            pub const ALL: &'static [Operation] = &[ $( Operation::$variant, )* ];

            /// Whether strata implements it; the rest answer `NotImplemented`.
            pub fn is_supported(self) -> bool {
                match self { $( Operation::$variant => $supported, )* }
            }

            /// Whether the request's credentials cover a form body that must be read before
            /// it is authenticated (the STS and IAM form posts).
            pub fn authenticates_from_body(self) -> bool {
                matches!(self, Operation::ServicePost)
            }

            /// Whether it is answered without credentials (a browser's CORS preflight).
            pub fn is_unauthenticated(self) -> bool {
                matches!(self, Operation::PreflightRequest)
            }

            /// Whether it is one of strata's admin endpoints rather than an S3 operation.
            pub fn is_admin(self) -> bool {
                matches!(
                    self,
                    Operation::AdminShutdown
                        | Operation::AdminGetStatus
                        | Operation::AdminStartReseal
                        | Operation::AdminGetResealStatus
                        | Operation::AdminListKmsKeys
                        | Operation::AdminGetKmsKeyStatus
                        | Operation::AdminCreateKmsKey
                        | Operation::AdminRotateKmsKey
                        | Operation::AdminGetHealStatus
                        | Operation::AdminHealObject
                        | Operation::AdminStartScan
                        | Operation::AdminListSessionKeys
                        | Operation::AdminRotateSessionKey
                )
            }
        }
    };
}

operations! {
    // service
    ListBuckets => true;
    // The STS and IAM query APIs: `POST /` with the action in a form body.
    ServicePost => true;
    // buckets
    CreateBucket => true;
    DeleteBucket => true;
    HeadBucket => true;
    GetBucketLocation => true;
    GetBucketVersioning => true;
    PutBucketVersioning => true;
    ListObjects => true;
    ListObjectsV2 => true;
    ListObjectVersions => true;
    ListMultipartUploads => true;
    DeleteObjects => true;
    GetBucketTagging => true;
    PutBucketTagging => true;
    DeleteBucketTagging => true;
    GetBucketPolicy => true;
    PutBucketPolicy => true;
    DeleteBucketPolicy => true;
    GetBucketPolicyStatus => true;
    GetBucketAcl => true;
    PutBucketAcl => true;
    GetBucketCors => true;
    PutBucketCors => true;
    DeleteBucketCors => true;
    GetBucketEncryption => true;
    PutBucketEncryption => true;
    DeleteBucketEncryption => true;
    GetBucketLifecycleConfiguration => true;
    PutBucketLifecycleConfiguration => true;
    DeleteBucketLifecycle => true;
    GetBucketLogging => false;
    PutBucketLogging => false;
    GetBucketNotificationConfiguration => true;
    PutBucketNotificationConfiguration => true;
    GetBucketOwnershipControls => true;
    PutBucketOwnershipControls => true;
    DeleteBucketOwnershipControls => true;
    GetBucketReplication => false;
    PutBucketReplication => false;
    DeleteBucketReplication => false;
    GetBucketRequestPayment => false;
    PutBucketRequestPayment => false;
    GetBucketWebsite => false;
    PutBucketWebsite => false;
    DeleteBucketWebsite => false;
    GetBucketAccelerateConfiguration => false;
    PutBucketAccelerateConfiguration => false;
    GetBucketAnalyticsConfiguration => false;
    PutBucketAnalyticsConfiguration => false;
    DeleteBucketAnalyticsConfiguration => false;
    ListBucketAnalyticsConfigurations => false;
    GetBucketIntelligentTieringConfiguration => false;
    PutBucketIntelligentTieringConfiguration => false;
    DeleteBucketIntelligentTieringConfiguration => false;
    ListBucketIntelligentTieringConfigurations => false;
    GetBucketInventoryConfiguration => false;
    PutBucketInventoryConfiguration => false;
    DeleteBucketInventoryConfiguration => false;
    ListBucketInventoryConfigurations => false;
    GetBucketMetricsConfiguration => false;
    PutBucketMetricsConfiguration => false;
    DeleteBucketMetricsConfiguration => false;
    ListBucketMetricsConfigurations => false;
    GetObjectLockConfiguration => true;
    PutObjectLockConfiguration => true;
    GetPublicAccessBlock => true;
    PutPublicAccessBlock => true;
    DeletePublicAccessBlock => true;
    CreateSession => false;
    PostObject => true;
    // A browser's CORS preflight (`OPTIONS` on a bucket or object): answered before
    // authentication, as browsers send no credentials.
    PreflightRequest => true;
    // objects
    PutObject => true;
    GetObject => true;
    HeadObject => true;
    DeleteObject => true;
    CopyObject => true;
    GetObjectAttributes => true;
    GetObjectTagging => true;
    PutObjectTagging => true;
    DeleteObjectTagging => true;
    CreateMultipartUpload => true;
    UploadPart => true;
    UploadPartCopy => true;
    CompleteMultipartUpload => true;
    AbortMultipartUpload => true;
    ListParts => true;
    GetObjectAcl => true;
    PutObjectAcl => true;
    GetObjectLegalHold => true;
    PutObjectLegalHold => true;
    GetObjectRetention => true;
    PutObjectRetention => true;
    GetObjectTorrent => false;
    RestoreObject => true;
    SelectObjectContent => false;
    // strata's admin API under `/strata/admin/`: routed by `crate::admin`'s table, not S3's,
    // and named here so that audit events and metrics name them like any request.
    AdminShutdown => true;
    AdminGetStatus => true;
    AdminStartReseal => true;
    AdminGetResealStatus => true;
    AdminListKmsKeys => true;
    AdminGetKmsKeyStatus => true;
    AdminCreateKmsKey => true;
    AdminRotateKmsKey => true;
    AdminGetHealStatus => true;
    AdminHealObject => true;
    AdminStartScan => true;
    AdminListSessionKeys => true;
    AdminRotateSessionKey => true;
}

#[cfg(test)]
mod tests {
    use super::Operation;

    /// The README's list of the operations strata answers with `NotImplemented`, which must be
    /// exactly those of the table above: a newly served operation leaves it, a new name enters.
    #[test]
    fn the_readme_lists_exactly_the_operations_not_implemented() {
        // Where cargo runs the test, not where it was compiled (a shared build cache).
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
        let readme = std::fs::read_to_string(crate_dir.join("../README.md")).expect("README.md");
        let (_, rest) = readme
            .split_once("<!-- not-implemented:begin -->")
            .expect("README has the not-implemented list");
        let (list, _) = rest
            .split_once("<!-- not-implemented:end -->")
            .expect("the list ends");
        let mut listed: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
        listed.sort_unstable();
        let mut missing: Vec<&str> = Operation::ALL
            .iter()
            .filter(|op| !op.is_supported())
            .map(|op| op.name())
            .collect();
        missing.sort_unstable();
        assert_eq!(listed, missing);
    }
}
