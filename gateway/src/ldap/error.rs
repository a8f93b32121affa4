//! Why a sign-in failed. Each reason is a metric label and a log field; the answer a client
//! gets is coarser (`crate::sts_api`), so it cannot tell an unknown user from a wrong password.

/// A refused or failed sign-in.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// `LDAPPassword` was empty: a simple bind without a password is an anonymous bind,
    /// which the directory accepts, so it is refused before any bind.
    #[error("the password is empty")]
    EmptyPassword,
    /// The user search found nobody.
    #[error("no entry matches the user name")]
    UnknownUser,
    /// The user search found several entries: refused rather than guessing.
    #[error("{0} entries match the user name")]
    AmbiguousUser(usize),
    /// The user's own bind was refused (invalid credentials).
    #[error("the directory refused the user's password")]
    WrongPassword,
    /// The lookup DN's bind was refused: strata's own directory credentials are wrong.
    #[error("the directory refused the lookup bind as {dn}: {detail}")]
    LookupBindRefused {
        /// The lookup DN.
        dn: String,
        /// The directory's answer.
        detail: String,
    },
    /// The lookup DN's password file could not be read.
    #[error("reading the lookup password file: {0}")]
    LookupPassword(String),
    /// The directory could not be reached, or did not answer in time.
    #[error("the directory at {url} is unreachable: {detail}")]
    Unreachable {
        /// The configured URL.
        url: String,
        /// What failed.
        detail: String,
    },
    /// TLS with the directory failed (its certificate, most often).
    #[error("TLS with the directory at {url} failed: {detail}")]
    Tls {
        /// The configured URL.
        url: String,
        /// What failed.
        detail: String,
    },
    /// The directory answered a search or bind with an unexpected error.
    #[error("the directory answered an error: {0}")]
    Directory(String),
}

impl LoginError {
    /// The metric label and log field of this failure: a fixed set.
    pub fn reason(&self) -> &'static str {
        match self {
            LoginError::EmptyPassword => "empty_password",
            LoginError::UnknownUser => "unknown_user",
            LoginError::AmbiguousUser(_) => "ambiguous_user",
            LoginError::WrongPassword => "wrong_password",
            LoginError::LookupBindRefused { .. } | LoginError::LookupPassword(_) => {
                "lookup_bind_failed"
            }
            LoginError::Unreachable { .. } => "directory_unreachable",
            LoginError::Tls { .. } => "tls_failed",
            LoginError::Directory(_) => "directory_error",
        }
    }

    /// Whether the user's credentials were refused (as opposed to the directory failing).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            LoginError::EmptyPassword
                | LoginError::UnknownUser
                | LoginError::AmbiguousUser(_)
                | LoginError::WrongPassword
        )
    }
}
