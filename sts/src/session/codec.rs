//! The binary payload inside a token (laid out in `sts/FORMAT.md`): version 2 is version 1
//! followed by the transitive tag keys and the source identity; version 3 is version 2
//! followed by the managed session policies' ARNs.
//!
//! All integers are big-endian; a string is a `u16` byte length then UTF-8. The two times
//! come first so an expired token is recognised before any string is copied out.

use super::claims::{SessionClaims, SessionSource, SessionTag};
use super::error::{InvalidToken, SealError};

const SOURCE_ASSUME_ROLE: u8 = 1;
const SOURCE_WEB_IDENTITY: u8 = 2;
const SOURCE_SESSION_TOKEN: u8 = 3;
const SOURCE_FEDERATION: u8 = 4;

/// Appends the payload of `claims` to `out`.
pub(super) fn encode(claims: &SessionClaims, out: &mut Vec<u8>) -> Result<(), SealError> {
    out.extend_from_slice(&claims.issued_at.to_be_bytes());
    out.extend_from_slice(&claims.expires_at.to_be_bytes());
    for text in [
        &claims.access_key_id,
        &claims.secret_access_key,
        &claims.account_id,
        &claims.role_arn,
        &claims.role_id,
        &claims.session_name,
    ] {
        put_str(out, text)?;
    }
    match &claims.source {
        SessionSource::AssumeRole { principal_arn } => {
            out.push(SOURCE_ASSUME_ROLE);
            put_str(out, principal_arn)?;
        }
        SessionSource::WebIdentity { provider, subject } => {
            out.push(SOURCE_WEB_IDENTITY);
            put_str(out, provider)?;
            put_str(out, subject)?;
        }
        SessionSource::SessionToken {
            parent_arn,
            parent_id,
        } => {
            out.push(SOURCE_SESSION_TOKEN);
            put_str(out, parent_arn)?;
            put_str(out, parent_id)?;
        }
        SessionSource::Federation {
            parent_arn,
            parent_id,
        } => {
            out.push(SOURCE_FEDERATION);
            put_str(out, parent_arn)?;
            put_str(out, parent_id)?;
        }
    }
    match &claims.session_policy {
        None => out.push(0),
        Some(policy) => {
            out.push(1);
            put_str(out, policy)?;
        }
    }
    let count = u16::try_from(claims.session_tags.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&count.to_be_bytes());
    for tag in &claims.session_tags {
        put_str(out, &tag.key)?;
        put_str(out, &tag.value)?;
    }
    put_strs(out, &claims.transitive_tag_keys)?;
    match &claims.source_identity {
        None => out.push(0),
        Some(source_identity) => {
            out.push(1);
            put_str(out, source_identity)?;
        }
    }
    put_strs(out, &claims.policy_arns)
}

/// `(issued_at, expires_at)` of a payload, without decoding the rest.
pub(super) fn decode_times(payload: &[u8]) -> Result<(u64, u64), InvalidToken> {
    let mut reader = Reader(payload);
    Ok((reader.u64()?, reader.u64()?))
}

/// The claims of a payload of format `version` (1 to 3); every byte must be accounted for.
pub(super) fn decode(payload: &[u8], version: u8) -> Result<SessionClaims, InvalidToken> {
    let mut r = Reader(payload);
    let issued_at = r.u64()?;
    let expires_at = r.u64()?;
    let access_key_id = r.string()?;
    let secret_access_key = r.string()?;
    let account_id = r.string()?;
    let role_arn = r.string()?;
    let role_id = r.string()?;
    let session_name = r.string()?;
    let source = match r.u8()? {
        SOURCE_ASSUME_ROLE => SessionSource::AssumeRole {
            principal_arn: r.string()?,
        },
        SOURCE_WEB_IDENTITY => SessionSource::WebIdentity {
            provider: r.string()?,
            subject: r.string()?,
        },
        SOURCE_SESSION_TOKEN => SessionSource::SessionToken {
            parent_arn: r.string()?,
            parent_id: r.string()?,
        },
        SOURCE_FEDERATION => SessionSource::Federation {
            parent_arn: r.string()?,
            parent_id: r.string()?,
        },
        _ => return Err(InvalidToken::Payload),
    };
    let session_policy = match r.u8()? {
        0 => None,
        1 => Some(r.string()?),
        _ => return Err(InvalidToken::Payload),
    };
    let count = r.count(4)?;
    let mut session_tags = Vec::with_capacity(count);
    for _ in 0..count {
        session_tags.push(SessionTag {
            key: r.string()?,
            value: r.string()?,
        });
    }
    let (transitive_tag_keys, source_identity) = if version >= 2 {
        let keys = r.strings()?;
        let source_identity = match r.u8()? {
            0 => None,
            1 => Some(r.string()?),
            _ => return Err(InvalidToken::Payload),
        };
        (keys, source_identity)
    } else {
        (Vec::new(), None)
    };
    let policy_arns = if version >= 3 {
        r.strings()?
    } else {
        Vec::new()
    };
    if !r.0.is_empty() {
        return Err(InvalidToken::Payload);
    }
    Ok(SessionClaims {
        access_key_id,
        secret_access_key,
        account_id,
        role_arn,
        role_id,
        session_name,
        source,
        session_policy,
        policy_arns,
        session_tags,
        transitive_tag_keys,
        source_identity,
        issued_at,
        expires_at,
    })
}

fn too_large() -> SealError {
    SealError::TooLarge { chars: usize::MAX }
}

fn put_str(out: &mut Vec<u8>, text: &str) -> Result<(), SealError> {
    let len = u16::try_from(text.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

/// A `u16` count, then that many strings.
fn put_strs(out: &mut Vec<u8>, texts: &[String]) -> Result<(), SealError> {
    let count = u16::try_from(texts.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&count.to_be_bytes());
    for text in texts {
        put_str(out, text)?;
    }
    Ok(())
}

/// Reads the payload front to back; running out is [`InvalidToken::Payload`].
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], InvalidToken> {
        if self.0.len() < n {
            return Err(InvalidToken::Payload);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, InvalidToken> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, InvalidToken> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn u64(&mut self) -> Result<u64, InvalidToken> {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(bytes))
    }

    /// A `u16` count of items that take at least `min_len` bytes each: a count beyond
    /// what is left is a lie, not an allocation.
    fn count(&mut self, min_len: usize) -> Result<usize, InvalidToken> {
        let count = usize::from(self.u16()?);
        if count * min_len > self.0.len() {
            return Err(InvalidToken::Payload);
        }
        Ok(count)
    }

    /// What [`put_strs`] wrote.
    fn strings(&mut self) -> Result<Vec<String>, InvalidToken> {
        let count = self.count(2)?;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            out.push(self.string()?);
        }
        Ok(out)
    }

    fn string(&mut self) -> Result<String, InvalidToken> {
        let len = usize::from(self.u16()?);
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| InvalidToken::Payload)
    }
}
