//! The kinds of policy document and AWS's size limit for each.

/// Where a policy document is attached; decides which elements it must and must not have
/// and how long it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyKind {
    /// On a user, group or role (inline or managed): no `Principal`, `Resource` required.
    Identity,
    /// On a resource (a bucket policy): `Principal` required.
    Resource,
    /// A role's trust policy, evaluated for `sts:AssumeRole*`: `Principal` required, no
    /// `Resource`.
    Trust,
    /// Passed with `AssumeRole` / `GetFederationToken`: shaped like an identity policy.
    Session,
    /// A permissions boundary (a managed policy): shaped like an identity policy.
    Boundary,
}

/// AWS's size limits in characters, whitespace not counted.
pub mod limits {
    /// An inline policy on a user.
    pub const USER_INLINE: usize = 2048;
    /// An inline policy on a group.
    pub const GROUP_INLINE: usize = 5120;
    /// An inline policy on a role.
    pub const ROLE_INLINE: usize = 10240;
    /// A managed policy (also a permissions boundary).
    pub const MANAGED: usize = 6144;
    /// A role's trust policy.
    pub const ROLE_TRUST: usize = 2048;
    /// A bucket policy (20 KiB).
    pub const BUCKET: usize = 20 * 1024;
    /// A session policy.
    pub const SESSION: usize = 2048;
}

impl PolicyKind {
    /// The limit `Policy::parse` enforces for this kind. `Identity` uses the managed-policy
    /// limit; inline policies have their own (see [`limits`]) and go through
    /// `Policy::parse_with_limit`.
    pub fn max_len(self) -> usize {
        match self {
            PolicyKind::Identity | PolicyKind::Boundary => limits::MANAGED,
            PolicyKind::Resource => limits::BUCKET,
            PolicyKind::Trust => limits::ROLE_TRUST,
            PolicyKind::Session => limits::SESSION,
        }
    }

    /// Whether statements of this kind name a `Principal` (resource and trust policies).
    pub(crate) fn has_principal(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::Trust)
    }
}

/// The size AWS counts: characters other than whitespace.
pub fn policy_len(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}
