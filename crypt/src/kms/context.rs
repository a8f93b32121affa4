//! The encryption context: name/value pairs a sealed data key is bound to.

use std::collections::BTreeMap;

/// Name/value pairs bound to a data key (SSE-KMS's `x-amz-server-side-encryption-context`
/// plus what the gateway adds, such as the bucket and object); a blob only unseals with the
/// same context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptionContext(BTreeMap<String, String>);

impl EncryptionContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a pair.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    /// The pairs in ascending name order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// `u32 count | (u32 len | name | u32 len | value)*` in ascending name order: the bytes
    /// bound into a sealed data key. Lengths beyond u32 are clamped, which cannot happen
    /// for the header-sized contexts S3 accepts.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
        let mut out = Vec::new();
        out.extend_from_slice(&len32(self.0.len()));
        for (name, value) in &self.0 {
            out.extend_from_slice(&len32(name.len()));
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&len32(value.len()));
            out.extend_from_slice(value.as_bytes());
        }
        out
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for EncryptionContext {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Self {
        EncryptionContext(
            pairs
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        )
    }
}
