//! A bucket's Block Public Access settings (`PublicAccessBlockConfiguration`).

use serde::{Deserialize, Serialize};

use crate::s3::error::{Code, S3Error};
use crate::s3::xml::{from_xml, to_xml, S3_NS};

/// Where the settings are kept among the bucket's configuration documents.
pub const PUBLIC_BLOCK_CONFIG: &str = "public-access-block";

/// The four settings (each `false` when absent from a document, as on AWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PublicBlock {
    /// Refuse requests that set a public ACL.
    pub block_public_acls: bool,
    /// Evaluate ACLs as if their public grants were not there.
    pub ignore_public_acls: bool,
    /// Refuse bucket policies that grant public access.
    pub block_public_policy: bool,
    /// While the bucket's policy is public, only the owner's account may use what it grants.
    pub restrict_public_buckets: bool,
}

/// A bucket's stored state: `configured` is false for a bucket without a configuration
/// (deleted, or made with `--bucket-defaults legacy`): nothing is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicBlockSetting {
    /// Whether GetPublicAccessBlock has a document to show.
    pub configured: bool,
    /// The settings in force.
    pub block: PublicBlock,
}

impl PublicBlock {
    /// Everything blocked: AWS's default for new buckets since 2023.
    pub const ALL: PublicBlock = PublicBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

impl PublicBlockSetting {
    /// The setting of a bucket that has a configuration.
    pub fn configured(block: PublicBlock) -> PublicBlockSetting {
        PublicBlockSetting {
            configured: true,
            block,
        }
    }

    /// No configuration: nothing blocked.
    pub const NONE: PublicBlockSetting = PublicBlockSetting {
        configured: false,
        block: PublicBlock {
            block_public_acls: false,
            ignore_public_acls: false,
            block_public_policy: false,
            restrict_public_buckets: false,
        },
    };

    /// The stored document: four `0`/`1` flags in the wire order, or empty for none.
    pub fn encode(self) -> Vec<u8> {
        if !self.configured {
            return Vec::new();
        }
        let b = self.block;
        [
            b.block_public_acls,
            b.ignore_public_acls,
            b.block_public_policy,
            b.restrict_public_buckets,
        ]
        .iter()
        .map(|&on| if on { b'1' } else { b'0' })
        .collect()
    }

    /// A stored document; a bucket that has none was made before strata had these
    /// settings, when public policies were always refused: it keeps everything blocked.
    pub fn decode(doc: Option<&[u8]>) -> Result<PublicBlockSetting, String> {
        let flags = match doc {
            None => return Ok(PublicBlockSetting::configured(PublicBlock::ALL)),
            Some([]) => return Ok(PublicBlockSetting::NONE),
            Some(doc) => doc,
        };
        let on = |i: usize| match flags.get(i) {
            Some(b'1') => Ok(true),
            Some(b'0') => Ok(false),
            _ => Err(format!("unreadable stored public access block {flags:?}")),
        };
        if flags.len() != 4 {
            return Err(format!("unreadable stored public access block {flags:?}"));
        }
        Ok(PublicBlockSetting::configured(PublicBlock {
            block_public_acls: on(0)?,
            ignore_public_acls: on(1)?,
            block_public_policy: on(2)?,
            restrict_public_buckets: on(3)?,
        }))
    }
}

#[derive(Debug, Serialize, Deserialize, Default)]
#[serde(rename = "PublicAccessBlockConfiguration")]
#[allow(non_snake_case)]
struct PublicAccessBlockDoc {
    #[serde(rename = "@xmlns", skip_deserializing, default)]
    xmlns: &'static str,
    #[serde(default)]
    BlockPublicAcls: Option<bool>,
    #[serde(default)]
    IgnorePublicAcls: Option<bool>,
    #[serde(default)]
    BlockPublicPolicy: Option<bool>,
    #[serde(default)]
    RestrictPublicBuckets: Option<bool>,
}

/// PutPublicAccessBlock's body.
pub fn parse_configuration(body: &[u8]) -> Result<PublicBlock, S3Error> {
    let doc: PublicAccessBlockDoc = from_xml(body)?;
    Ok(PublicBlock {
        block_public_acls: doc.BlockPublicAcls.unwrap_or(false),
        ignore_public_acls: doc.IgnorePublicAcls.unwrap_or(false),
        block_public_policy: doc.BlockPublicPolicy.unwrap_or(false),
        restrict_public_buckets: doc.RestrictPublicBuckets.unwrap_or(false),
    })
}

/// GetPublicAccessBlock's answer.
pub fn configuration_xml(block: PublicBlock) -> Result<bytes::Bytes, S3Error> {
    Ok(to_xml(&PublicAccessBlockDoc {
        xmlns: S3_NS,
        BlockPublicAcls: Some(block.block_public_acls),
        IgnorePublicAcls: Some(block.ignore_public_acls),
        BlockPublicPolicy: Some(block.block_public_policy),
        RestrictPublicBuckets: Some(block.restrict_public_buckets),
    })?)
}

/// `NoSuchPublicAccessBlockConfiguration`.
pub fn not_configured() -> S3Error {
    Code::NoSuchPublicAccessBlockConfiguration
        .with("The public access block configuration was not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_settings_round_trip_and_old_buckets_block_everything() {
        let mixed = PublicBlock {
            block_public_acls: true,
            ignore_public_acls: false,
            block_public_policy: false,
            restrict_public_buckets: true,
        };
        for s in [
            PublicBlockSetting::configured(mixed),
            PublicBlockSetting::configured(PublicBlock::ALL),
            PublicBlockSetting::NONE,
        ] {
            assert_eq!(PublicBlockSetting::decode(Some(&s.encode())), Ok(s));
        }
        assert_eq!(
            PublicBlockSetting::decode(None).unwrap().block,
            PublicBlock::ALL
        );
        for bad in [&b"11"[..], b"1120", b"11111"] {
            assert!(PublicBlockSetting::decode(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn documents_parse_with_absent_settings_off_and_render_all_four() {
        let body = format!(
            r#"<PublicAccessBlockConfiguration xmlns="{S3_NS}"><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"#
        );
        let b = parse_configuration(body.as_bytes()).unwrap();
        assert_eq!(
            b,
            PublicBlock {
                block_public_acls: true,
                ignore_public_acls: false,
                block_public_policy: false,
                restrict_public_buckets: true,
            }
        );
        let out = configuration_xml(b).unwrap();
        let text = std::str::from_utf8(&out).unwrap();
        assert!(
            text.contains("<IgnorePublicAcls>false</IgnorePublicAcls>"),
            "{text}"
        );
        assert_eq!(parse_configuration(&out).unwrap(), b);
        for bad in [
            "<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>",
            "<PublicAccessBlockConfiguration>",
        ] {
            let e = parse_configuration(bad.as_bytes()).unwrap_err();
            assert_eq!(e.code, Code::MalformedXML, "{bad}");
        }
    }
}
