//! The keys of the `iam` table (docs/IAM-STORE.md): a record kind, then names, joined by
//! NUL (which no IAM name, account id or access key id may contain).

/// The kinds of record, as the first key component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `account NUL name`.
    Account,
    /// `accesskey NUL key id`.
    AccessKey,
    /// `user NUL account id NUL name`.
    User,
    /// `group NUL account id NUL name`.
    Group,
    /// `role NUL account id NUL name`.
    Role,
    /// `policy NUL account id NUL name`.
    Policy,
    /// `oidc NUL account id NUL provider` (its URL without `https://`).
    Oidc,
    /// `stskey NUL key id`: a key that seals session tokens.
    SessionKey,
    /// The durable copy of an encryption key file (`iam::key_files`).
    SseKeyFile,
    /// `reseal NUL job`: the progress of the re-seal after a KMS key rotation
    /// (`crate::reseal`).
    Reseal,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::AccessKey => "accesskey",
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
            Kind::Policy => "policy",
            Kind::Oidc => "oidc",
            Kind::SessionKey => "stskey",
            Kind::SseKeyFile => "ssekey",
            Kind::Reseal => "reseal",
        }
    }

    /// The key of one record: the kind, then `parts`.
    pub fn key(self, parts: &[&str]) -> Vec<u8> {
        let mut key = self.tag().as_bytes().to_vec();
        for part in parts {
            key.push(0);
            key.extend_from_slice(part.as_bytes());
        }
        key
    }

    /// The prefix of every record of this kind.
    pub fn prefix(self) -> Vec<u8> {
        let mut key = self.tag().as_bytes().to_vec();
        key.push(0);
        key
    }
}

/// A stored key split back into its components after the kind.
pub fn components(key: &[u8]) -> Vec<String> {
    key.split(|b| *b == 0)
        .skip(1)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}
