//! The root credentials a test server is started with, and the ones used when a test names none.

/// Access key of a server started without `ServerBuilder::credentials`.
pub const ACCESS_KEY: &str = "e2e-root";
/// Secret key of a server started without `ServerBuilder::credentials`.
pub const SECRET_KEY: &str = "e2e-root-secret-key";

/// A root access key and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
}

impl Credentials {
    pub fn new(access_key: &str, secret_key: &str) -> Self {
        Credentials {
            access_key: access_key.to_string(),
            secret_key: secret_key.to_string(),
        }
    }
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials::new(ACCESS_KEY, SECRET_KEY)
    }
}
