//! Label sets, shared by the families that use them. Every value is bounded by the deployment
//! (operation names, status classes, error codes, classes, volumes), never by clients.

use prometheus_client::encoding::EncodeLabelSet;

/// An S3 operation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Op {
    /// Operation name, `none` before routing.
    pub op: &'static str,
}

/// An operation and the class of its status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpStatus {
    /// Operation name.
    pub op: &'static str,
    /// `2xx` ... `5xx`, or `dropped`.
    pub status_class: &'static str,
}

/// An S3 error code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorCode {
    /// The code, e.g. `NoSuchKey`.
    pub code: &'static str,
}

/// A refused identity or permission.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuthFailure {
    /// `authenticate` or `authorize`.
    pub stage: &'static str,
    /// The S3 error code answered.
    pub reason: &'static str,
}

/// A bucket (only with `--metrics-per-bucket`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Bucket {
    /// Bucket name.
    pub bucket: String,
}

/// A bucket and the class of a status (only with `--metrics-per-bucket`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BucketStatus {
    /// Bucket name.
    pub bucket: String,
    /// `2xx` ... `5xx`, or `dropped`.
    pub status_class: &'static str,
}

/// The class of an HTTP status; `dropped` when no complete answer was sent.
pub fn status_class(status: Option<u16>) -> &'static str {
    match status {
        Some(200..=299) => "2xx",
        Some(300..=399) => "3xx",
        Some(400..=499) => "4xx",
        Some(500..=599) => "5xx",
        Some(_) => "other",
        None => "dropped",
    }
}

/// An STS action.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StsApi {
    /// `AssumeRole`, `AssumeRoleWithWebIdentity`, `AssumeRoleWithLDAPIdentity`,
    /// `GetSessionToken`, `GetFederationToken`, `GetCallerIdentity` or `other`.
    pub api: &'static str,
}

/// An STS action and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StsOutcome {
    /// As in [`StsApi`].
    pub api: &'static str,
    /// `success`, or the error code answered.
    pub outcome: &'static str,
}

/// Why a policy evaluation refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Denial {
    /// One of `DenialReason`'s names.
    pub reason: &'static str,
}

/// How an LDAP sign-in ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LdapOutcome {
    /// `success`, or one of the fixed reasons of docs/OBSERVABILITY.md.
    pub outcome: &'static str,
}

/// A KMS operation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KmsOp {
    /// `generate_data_key` or `decrypt`.
    pub op: &'static str,
}

/// A KMS operation and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KmsCall {
    /// As in [`KmsOp`].
    pub op: &'static str,
    /// `success`, `not_found`, `unavailable`, `refused` or `error`.
    pub outcome: &'static str,
}

/// A cache of KMS answers.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KmsCache {
    /// `data_key` or `bucket_key`.
    pub cache: &'static str,
}

/// A lifecycle action of the scanner's and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LifecycleAction {
    /// `expire_current`, `remove_delete_marker`, `expire_noncurrent`, `transition` or
    /// `transition_noncurrent`.
    pub action: &'static str,
    /// `done`, `changed` (the version changed since the walk saw it), `locked` (object lock
    /// keeps it) or `failed`.
    pub outcome: &'static str,
}
