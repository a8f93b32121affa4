//! What a verified web-identity token establishes.

/// A verified web identity: who the provider says the caller is.
#[derive(Debug, Clone, PartialEq)]
pub struct WebIdentity {
    /// The provider's issuer URL (the token's `iss`).
    pub issuer: String,
    /// The issuer as AWS forms condition keys from it: without `https://` or `http://` and
    /// without a trailing slash (the gateway sets `<prefix>:sub`, `<prefix>:aud`,
    /// `<prefix>:amr`).
    pub condition_key_prefix: String,
    /// The token's `sub`.
    pub subject: String,
    /// The audience of the token that the provider accepts (the first one, in the token's
    /// order).
    pub audience: String,
    /// The token's `exp` (seconds since the epoch).
    pub expires_at: u64,
    /// All claims of the token, verified.
    pub claims: serde_json::Value,
}

/// `issuer` without its scheme and trailing slashes, e.g.
/// `oidc.eks.eu-west-1.amazonaws.com/id/X` for `https://oidc.eks.eu-west-1.amazonaws.com/id/X/`.
pub fn condition_key_prefix(issuer: &str) -> String {
    let rest = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer);
    rest.trim_end_matches('/').to_string()
}
