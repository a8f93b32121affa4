//! A bucket's default encryption (Get/Put/DeleteBucketEncryption, whose wire form is
//! `crate::bucket_access::encryption`): what a new object that names no encryption becomes,
//! and whether SSE-KMS objects use an S3 Bucket Key.

/// The algorithm of a bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultAlgorithm {
    /// SSE-S3.
    Aes256,
    /// SSE-KMS, under this key or (`None`) the server's default SSE-KMS key.
    Kms(Option<String>),
}

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketEncryption {
    /// What new objects without encryption headers become.
    pub algorithm: DefaultAlgorithm,
    /// Whether SSE-KMS objects use an S3 Bucket Key unless the request says otherwise.
    pub bucket_key: bool,
}

impl BucketEncryption {
    /// SSE-S3 without a Bucket Key: what every bucket has when the server encrypts by
    /// default and the bucket says nothing else, as on AWS since 2023.
    pub const SSE_S3: BucketEncryption = BucketEncryption {
        algorithm: DefaultAlgorithm::Aes256,
        bucket_key: false,
    };
}
