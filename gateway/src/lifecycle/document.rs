//! The `LifecycleConfiguration` XML document (PutBucketLifecycleConfiguration's body and
//! GetBucketLifecycleConfiguration's answer) as serde structs. Unknown elements are refused:
//! a misspelled `Filter` must not quietly widen an expiration to every key.
#![allow(non_snake_case, missing_docs)]

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "LifecycleConfiguration", deny_unknown_fields)]
pub struct LifecycleConfiguration {
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    #[serde(default)]
    pub Rule: Vec<RuleXml>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ID: Option<String>,
    /// The rule-level prefix of the older API (instead of `Filter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Filter: Option<FilterXml>,
    pub Status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Expiration: Option<ExpirationXml>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub Transition: Vec<TransitionXml>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub NoncurrentVersionTransition: Vec<NoncurrentTransitionXml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub NoncurrentVersionExpiration: Option<NoncurrentExpirationXml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub AbortIncompleteMultipartUpload: Option<AbortXml>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Tag: Option<TagXml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ObjectSizeGreaterThan: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ObjectSizeLessThan: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub And: Option<AndXml>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub Tag: Vec<TagXml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ObjectSizeGreaterThan: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ObjectSizeLessThan: Option<u64>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagXml {
    pub Key: String,
    #[serde(default)]
    pub Value: String,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpirationXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ExpiredObjectDeleteMarker: Option<bool>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub StorageClass: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoncurrentTransitionXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub NoncurrentDays: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub StorageClass: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub NewerNoncurrentVersions: Option<i64>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoncurrentExpirationXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub NoncurrentDays: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub NewerNoncurrentVersions: Option<i64>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbortXml {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub DaysAfterInitiation: Option<i64>,
}
