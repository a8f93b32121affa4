//! Why a policy document was refused. `Display` is the reason in AWS's words where AWS has
//! them, so the gateway can answer `MalformedPolicy` / `MalformedPolicyDocument` with it.

use crate::PolicyKind;

/// A policy document that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is longer than AWS allows for its kind (whitespace not counted).
    /// The gateway answers `LimitExceeded` (IAM) or `PolicyTooLarge`-style errors, not
    /// `MalformedPolicyDocument`.
    #[error("Cannot exceed quota for PolicySize: {max}")]
    TooLarge {
        /// The kind whose limit was exceeded.
        kind: PolicyKind,
        /// Non-whitespace characters in the document.
        len: usize,
        /// The limit for the kind.
        max: usize,
    },
    /// Not JSON, or not a JSON object at the top.
    #[error("Syntax errors in policy.")]
    Syntax {
        /// What the JSON parser said (for logs).
        detail: String,
    },
    /// A key that the policy grammar does not know.
    #[error("Unknown field {0}")]
    UnknownField(String),
    /// A field of the wrong JSON type.
    #[error("Syntax errors in policy: {field} must be {expected}")]
    WrongType {
        /// The field's name.
        field: &'static str,
        /// What the grammar expects there.
        expected: &'static str,
    },
    /// `Version` is neither `2012-10-17` nor `2008-10-17`.
    #[error("The policy must contain a valid version string")]
    InvalidVersion(String),
    /// `Statement` is missing, `[]` or `{}`.
    #[error("Could not parse the policy: Statement is empty!")]
    EmptyStatement,
    /// `Effect` is neither `Allow` nor `Deny`.
    #[error("Invalid effect: {0}")]
    InvalidEffect(String),
    /// A statement without `Effect`.
    #[error("Missing required field Effect")]
    MissingEffect,
    /// Two statements share a `Sid`.
    #[error("Statement IDs (SID) in a single policy must be unique.")]
    DuplicateSid(String),
    /// Neither `Action` nor `NotAction` (or an empty list).
    #[error("Policy statement must contain actions.")]
    MissingAction,
    /// Both `Action` and `NotAction`.
    #[error("Policy statement must contain only one of Action or NotAction.")]
    ActionAndNotAction,
    /// Neither `Resource` nor `NotResource` where the kind requires one.
    #[error("Policy statement must contain resources.")]
    MissingResource,
    /// Both `Resource` and `NotResource`.
    #[error("Policy statement must contain only one of Resource or NotResource.")]
    ResourceAndNotResource,
    /// A trust policy statement with `Resource` or `NotResource`.
    #[error("Has prohibited field Resource")]
    ProhibitedResource,
    /// A resource or trust policy statement without `Principal` or `NotPrincipal`.
    #[error("Missing required field Principal")]
    MissingPrincipal,
    /// Both `Principal` and `NotPrincipal`.
    #[error("Policy statement must contain only one of Principal or NotPrincipal.")]
    PrincipalAndNotPrincipal,
    /// An identity, session or boundary policy with `Principal` or `NotPrincipal`.
    #[error("Policy document should not specify a principal.")]
    ProhibitedPrincipal,
    /// An action or condition key without its `service:` prefix.
    #[error("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")]
    MissingVendor(String),
    /// A resource that is neither an ARN nor `*`.
    #[error("Resource {0} must be in ARN format or \"*\".")]
    InvalidResource(String),
    /// A principal value that names nothing AWS would recognise.
    #[error("Invalid principal in policy: \"{field}\":\"{value}\"")]
    InvalidPrincipal {
        /// `AWS`, `Federated`, `Service`, `CanonicalUser` or the unknown key itself.
        field: String,
        /// The value that was refused.
        value: String,
    },
    /// A condition operator AWS does not define.
    #[error("Invalid Condition type : {0}")]
    UnknownConditionOperator(String),
    /// A condition value that does not fit its operator (a number, a date, a CIDR, a bool).
    #[error("Invalid Condition value for {operator}: {value}")]
    InvalidConditionValue {
        /// The operator as written.
        operator: String,
        /// The refused value.
        value: String,
    },
}

impl PolicyError {
    /// True for the size error, which AWS reports as `LimitExceeded` rather than as a
    /// malformed document.
    pub fn is_limit_exceeded(&self) -> bool {
        matches!(self, PolicyError::TooLarge { .. })
    }
}
