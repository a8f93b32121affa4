//! The identity records as stored (docs/IAM-STORE.md): serde structs, JSON after a version
//! byte. Fields are only ever added, with defaults, so older records keep reading.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An account: its stored, stable ids. Keyed by the configured account name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// 12 digits.
    pub id: String,
    /// 64 hex digits.
    pub canonical_id: String,
    /// Creation time, ns since the Unix epoch.
    pub created_ns: u64,
}

/// Inline policies by name, and the ARNs of attached managed policies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attached {
    /// Inline policy documents by policy name.
    #[serde(default)]
    pub inline: BTreeMap<String, String>,
    /// Attached managed policies, by ARN.
    #[serde(default)]
    pub managed: Vec<String>,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// `AIDA...`.
    pub id: String,
    /// The IAM path (`/` by default).
    pub path: String,
    /// Creation time, ns.
    pub created_ns: u64,
    /// Tags, in order.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// The user's policies.
    #[serde(default)]
    pub policies: Attached,
    /// Groups the user belongs to, by name.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The permissions boundary's managed policy ARN.
    #[serde(default)]
    pub boundary: Option<String>,
}

/// Whether an access key may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// It may.
    Active,
    /// It is refused (`InvalidAccessKeyId`) until made active again.
    Inactive,
}

/// A user's long-term access key. Keyed by the access key id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeyRecord {
    /// The owning account's id.
    pub account_id: String,
    /// The owning user's name.
    pub user: String,
    /// The secret access key, in clear (SigV4 needs it; see docs/IAM-STORE.md).
    pub secret: String,
    /// Active or inactive.
    pub status: KeyStatus,
    /// Creation time, ns.
    pub created_ns: u64,
}

/// An IAM group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// `AGPA...`.
    pub id: String,
    /// The IAM path.
    pub path: String,
    /// Creation time, ns.
    pub created_ns: u64,
    /// The group's policies.
    #[serde(default)]
    pub policies: Attached,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRecord {
    /// `AROA...`.
    pub id: String,
    /// The IAM path.
    pub path: String,
    /// Creation time, ns.
    pub created_ns: u64,
    /// The trust policy document.
    pub trust: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Longest session, seconds (3600 to 43200).
    pub max_session_secs: u32,
    /// Tags, in order.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// The role's policies.
    #[serde(default)]
    pub policies: Attached,
    /// The permissions boundary's managed policy ARN.
    #[serde(default)]
    pub boundary: Option<String>,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    /// `v1`, `v2`, ...
    pub id: String,
    /// The document.
    pub document: String,
    /// Creation time, ns.
    pub created_ns: u64,
}

/// A customer managed policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRecord {
    /// `ANPA...`.
    pub id: String,
    /// The IAM path.
    pub path: String,
    /// Creation time, ns.
    pub created_ns: u64,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The version in force.
    pub default_version: String,
    /// At most five versions, oldest first.
    pub versions: Vec<PolicyVersion>,
    /// The number the next version gets.
    pub next_version: u32,
    /// Tags, in order.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
}

impl PolicyRecord {
    /// The document of the version in force.
    pub fn default_document(&self) -> Option<&str> {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .map(|v| v.document.as_str())
    }
}

/// An OpenID Connect identity provider that web identities of the account may come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProviderRecord {
    /// The issuer URL as given (`https://...`).
    pub url: String,
    /// The audiences (client ids) it accepts, in order.
    #[serde(default)]
    pub client_ids: Vec<String>,
    /// Server certificate thumbprints (40 hex digits each), as given.
    #[serde(default)]
    pub thumbprints: Vec<String>,
    /// Creation time, ns.
    pub created_ns: u64,
    /// Tags, in order.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
}

/// A key that seals STS session tokens (docs/IAM-STORE.md), keyed by its one-byte id in
/// decimal. Made at the first start; every gateway of the namespace shares it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionKeyRecord {
    /// The 32-byte AES-256-GCM key, 64 hex digits.
    pub key: String,
    /// Creation time, ns: the newest key seals, older ones only open.
    pub created_ns: u64,
}

// The key stays out of logs.
impl std::fmt::Debug for SessionKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeyRecord")
            .field("created_ns", &self.created_ns)
            .finish_non_exhaustive()
    }
}
