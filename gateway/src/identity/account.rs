//! An account: the owner of buckets and of IAM users, groups, roles and policies.

/// The name of the account whose root keys are `--access-key`/`--secret-key`.
pub const ROOT_ACCOUNT_NAME: &str = "root";

/// One account, as stored (its id never derives from its keys: keys change, ids do not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account id of ARNs and `aws:PrincipalAccount`.
    pub id: String,
    /// The configured name; the display name of bucket listings.
    pub name: String,
    /// The 64-hex canonical user id of bucket listings and ACLs.
    pub canonical_id: String,
}

impl Account {
    /// `arn:aws:iam::ID:root`.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.id)
    }
}
