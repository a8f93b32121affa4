//! The STS results, as serde structs for the query envelope.

use serde::Serialize;

/// Temporary credentials.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Credentials {
    /// `ASIA...`.
    pub access_key_id: String,
    /// The secret.
    pub secret_access_key: String,
    /// The sealed session.
    pub session_token: String,
    /// ISO 8601, UTC.
    pub expiration: String,
}

/// The session as a principal.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumedRoleUser {
    /// `ROLEID:SESSION`.
    pub assumed_role_id: String,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub arn: String,
}

/// `AssumeRoleResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleResult {
    /// The keys.
    pub credentials: Credentials,
    /// Who they act as.
    pub assumed_role_user: AssumedRoleUser,
    /// The session policy's size as a percentage of the allowed maximum.
    pub packed_policy_size: u32,
}

/// `AssumeRoleWithWebIdentityResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleWithWebIdentityResult {
    /// The keys.
    pub credentials: Credentials,
    /// The token's `sub`.
    pub subject_from_web_identity_token: String,
    /// Who they act as.
    pub assumed_role_user: AssumedRoleUser,
    /// The session policy's size as a percentage of the allowed maximum.
    pub packed_policy_size: u32,
    /// The issuer, without its scheme.
    pub provider: String,
    /// The token's audience that the provider accepted.
    pub audience: String,
}

/// `AssumeRoleWithLDAPIdentityResult`: MinIO's element names, with AWS's session fields
/// beside the credentials.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleWithLdapIdentityResult {
    /// The keys.
    pub credentials: Credentials,
    /// Who they act as.
    pub assumed_role_user: AssumedRoleUser,
    /// The session policy's size as a percentage of the allowed maximum.
    pub packed_policy_size: u32,
}

/// `GetCallerIdentityResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCallerIdentityResult {
    /// The caller's ARN.
    pub arn: String,
    /// `aws:userid`.
    pub user_id: String,
    /// The account id.
    pub account: String,
}

/// `GetSessionTokenResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetSessionTokenResult {
    /// The keys.
    pub credentials: Credentials,
}

/// The federated user a `GetFederationToken` session acts as.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FederatedUser {
    /// `ACCOUNT:NAME`.
    pub federated_user_id: String,
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    pub arn: String,
}

/// `GetFederationTokenResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetFederationTokenResult {
    /// The keys.
    pub credentials: Credentials,
    /// Who they act as.
    pub federated_user: FederatedUser,
    /// The session policy's size as a percentage of the allowed maximum.
    pub packed_policy_size: u32,
}
