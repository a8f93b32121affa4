//! The ETag of client bytes that a transform stored in another form.

/// How that ETag is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientEtag {
    /// The MD5 of the client's bytes, as for bytes stored as they came.
    Md5,
    /// Random: it reveals nothing about the client's bytes (AWS's SSE-KMS and SSE-C ETags
    /// are not their MD5 either), and no MD5 is taken for it.
    Opaque,
}

impl ClientEtag {
    /// Whether [`ClientEtag::make`] needs the MD5 of the client's bytes.
    pub fn needs_md5(self) -> bool {
        self == ClientEtag::Md5
    }

    /// The ETag (without quotes); `None` when it needs an MD5 that is not given.
    pub fn make(self, md5: Option<[u8; 16]>) -> Option<String> {
        match self {
            ClientEtag::Md5 => md5.map(hex::encode),
            ClientEtag::Opaque => Some(hex::encode(rand::random::<[u8; 16]>())),
        }
    }
}
