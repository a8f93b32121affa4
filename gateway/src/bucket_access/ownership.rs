//! Object Ownership (`OwnershipControls`): whether ACLs are in force on a bucket and who owns
//! the objects others write into it.

use serde::{Deserialize, Serialize};

use crate::s3::error::{Code, S3Error};
use crate::s3::xml::{from_xml, S3_NS};

/// Where the setting is kept among the bucket's configuration documents.
pub const OWNERSHIP_CONFIG: &str = "ownership";

/// AWS's three settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// ACLs disabled; the bucket owner owns every object (AWS's default since 2023).
    BucketOwnerEnforced,
    /// ACLs in force; objects written with `bucket-owner-full-control` are the bucket owner's.
    BucketOwnerPreferred,
    /// ACLs in force; the writer's account owns what it writes.
    ObjectWriter,
}

/// A bucket's setting as stored: `None` is a bucket without `OwnershipControls` (deleted, or
/// made with `--bucket-defaults legacy`), which behaves as `ObjectWriter` as on AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnershipSetting(pub Option<Ownership>);

impl Ownership {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Ownership::BucketOwnerEnforced => "BucketOwnerEnforced",
            Ownership::BucketOwnerPreferred => "BucketOwnerPreferred",
            Ownership::ObjectWriter => "ObjectWriter",
        }
    }

    /// The setting a wire name names.
    pub fn parse(name: &str) -> Option<Ownership> {
        [
            Ownership::BucketOwnerEnforced,
            Ownership::BucketOwnerPreferred,
            Ownership::ObjectWriter,
        ]
        .into_iter()
        .find(|o| o.name() == name)
    }

    /// The value of `x-amz-object-ownership` on CreateBucket.
    pub fn from_header(value: &str) -> Result<Ownership, S3Error> {
        Ownership::parse(value.trim()).ok_or_else(|| {
            Code::InvalidArgument.with(format!(
                "x-amz-object-ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not {value:?}"
            ))
        })
    }
}

impl OwnershipSetting {
    /// `BucketOwnerEnforced`: what a bucket without a document has.
    pub const ENFORCED: OwnershipSetting = OwnershipSetting(Some(Ownership::BucketOwnerEnforced));

    /// Whether ACLs are evaluated and may be set.
    pub fn acls_enabled(self) -> bool {
        self.0 != Some(Ownership::BucketOwnerEnforced)
    }

    /// The stored document: the wire name, or empty for "no configuration".
    pub fn encode(self) -> Vec<u8> {
        self.0
            .map(|o| o.name().as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// A stored document; a bucket that has none was made before strata had ACLs, when every
    /// bucket enforced ownership, so that is what it keeps.
    pub fn decode(doc: Option<&[u8]>) -> Result<OwnershipSetting, String> {
        match doc {
            None => Ok(OwnershipSetting::ENFORCED),
            Some([]) => Ok(OwnershipSetting(None)),
            Some(doc) => std::str::from_utf8(doc)
                .ok()
                .and_then(Ownership::parse)
                .map(|o| OwnershipSetting(Some(o)))
                .ok_or_else(|| format!("unknown stored object ownership {doc:?}")),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "OwnershipControls")]
#[allow(non_snake_case)]
struct OwnershipControlsDoc {
    #[serde(rename = "@xmlns", skip_deserializing, default)]
    xmlns: &'static str,
    Rule: Vec<RuleDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[allow(non_snake_case)]
struct RuleDoc {
    ObjectOwnership: String,
}

/// PutBucketOwnershipControls's body: exactly one rule naming a setting.
pub fn parse_controls(body: &[u8]) -> Result<Ownership, S3Error> {
    let doc: OwnershipControlsDoc = from_xml(body)?;
    match doc.Rule.as_slice() {
        [rule] => Ownership::parse(rule.ObjectOwnership.trim()).ok_or_else(|| {
            Code::MalformedXML.with(format!(
                "ObjectOwnership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not {:?}",
                rule.ObjectOwnership
            ))
        }),
        _ => Err(Code::MalformedXML.with("OwnershipControls must hold exactly one Rule")),
    }
}

/// GetBucketOwnershipControls's answer.
pub fn controls_xml(ownership: Ownership) -> Result<bytes::Bytes, S3Error> {
    Ok(crate::s3::xml::to_xml(&OwnershipControlsDoc {
        xmlns: S3_NS,
        Rule: vec![RuleDoc {
            ObjectOwnership: ownership.name().to_string(),
        }],
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_settings_round_trip_and_buckets_without_one_keep_enforcing() {
        for o in [
            Some(Ownership::BucketOwnerEnforced),
            Some(Ownership::BucketOwnerPreferred),
            Some(Ownership::ObjectWriter),
            None,
        ] {
            let s = OwnershipSetting(o);
            assert_eq!(OwnershipSetting::decode(Some(&s.encode())), Ok(s));
        }
        let old = OwnershipSetting::decode(None).unwrap();
        assert!(!old.acls_enabled());
        assert!(OwnershipSetting(None).acls_enabled());
        assert!(OwnershipSetting::decode(Some(b"Whatever")).is_err());
    }

    #[test]
    fn controls_documents_parse_and_render() {
        let body = format!(
            r#"<OwnershipControls xmlns="{S3_NS}"><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>"#
        );
        assert_eq!(
            parse_controls(body.as_bytes()).unwrap(),
            Ownership::ObjectWriter
        );
        let out = controls_xml(Ownership::BucketOwnerPreferred).unwrap();
        assert_eq!(
            parse_controls(&out).unwrap(),
            Ownership::BucketOwnerPreferred
        );
        for bad in [
            "<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>",
            "<OwnershipControls></OwnershipControls>",
            "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
            "<OwnershipControls><Rule>",
        ] {
            let e = parse_controls(bad.as_bytes()).unwrap_err();
            assert_eq!(e.code, Code::MalformedXML, "{bad}");
        }
    }
}
