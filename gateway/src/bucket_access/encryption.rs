//! A bucket's default encryption on the wire: PutBucketEncryption's body and
//! GetBucketEncryption's answer, which is also the stored document [`ENCRYPTION_CONFIG`].

use serde::{Deserialize, Serialize};

use crate::s3::error::{Code, S3Error};
use crate::s3::xml::{from_xml, to_xml, S3_NS};
use crate::transform::sse::headers::{kms_key_id, AES256, AWS_KMS};
use crate::transform::sse::{BucketEncryption, DefaultAlgorithm};

/// Where the setting is kept among the bucket's configuration documents.
pub const ENCRYPTION_CONFIG: &str = "encryption";

#[derive(Debug, Serialize, Deserialize, Default)]
#[serde(rename = "ServerSideEncryptionConfiguration")]
#[allow(non_snake_case)]
struct ConfigurationDoc {
    #[serde(rename = "@xmlns", skip_deserializing, default)]
    xmlns: &'static str,
    #[serde(default)]
    Rule: Vec<RuleDoc>,
}

#[derive(Debug, Serialize, Deserialize, Default)]
#[allow(non_snake_case)]
struct RuleDoc {
    #[serde(default)]
    ApplyServerSideEncryptionByDefault: Option<ByDefaultDoc>,
    #[serde(default)]
    BucketKeyEnabled: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, Default)]
#[allow(non_snake_case)]
struct ByDefaultDoc {
    SSEAlgorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    KMSMasterKeyID: Option<String>,
}

fn malformed(why: &str) -> S3Error {
    Code::MalformedXML.with(why)
}

/// PutBucketEncryption's body (or a stored document): exactly one rule with
/// `ApplyServerSideEncryptionByDefault`; `KMSMasterKeyID` only with `aws:kms`. DSSE-KMS is
/// refused as not provided.
pub fn parse_encryption(body: &[u8]) -> Result<BucketEncryption, S3Error> {
    let doc: ConfigurationDoc = from_xml(body)?;
    let [rule] = doc.Rule.as_slice() else {
        return Err(malformed(
            "ServerSideEncryptionConfiguration takes exactly one Rule",
        ));
    };
    let by_default = rule
        .ApplyServerSideEncryptionByDefault
        .as_ref()
        .ok_or_else(|| malformed("the Rule has no ApplyServerSideEncryptionByDefault"))?;
    let key = by_default.KMSMasterKeyID.as_deref();
    let algorithm = match (by_default.SSEAlgorithm.as_str(), key) {
        (AES256, None) => DefaultAlgorithm::Aes256,
        (AES256, Some(_)) => {
            return Err(Code::InvalidArgument
                .with("a KMSMasterKeyID is allowed only when SSEAlgorithm is aws:kms"))
        }
        (AWS_KMS, key) => DefaultAlgorithm::Kms(key.map(kms_key_id).transpose()?),
        ("aws:kms:dsse", _) => {
            return Err(Code::NotImplemented.with("SSEAlgorithm aws:kms:dsse (DSSE-KMS)"))
        }
        (other, _) => {
            return Err(Code::InvalidArgument.with(format!(
                "The SSEAlgorithm {other:?} is not valid: AES256 or aws:kms"
            )))
        }
    };
    Ok(BucketEncryption {
        algorithm,
        bucket_key: rule.BucketKeyEnabled.unwrap_or(false),
    })
}

/// GetBucketEncryption's answer (and the stored document).
pub fn encryption_xml(setting: &BucketEncryption) -> Result<bytes::Bytes, S3Error> {
    let (algorithm, key) = match &setting.algorithm {
        DefaultAlgorithm::Aes256 => (AES256, None),
        DefaultAlgorithm::Kms(key) => (AWS_KMS, key.clone()),
    };
    Ok(to_xml(&ConfigurationDoc {
        xmlns: S3_NS,
        Rule: vec![RuleDoc {
            ApplyServerSideEncryptionByDefault: Some(ByDefaultDoc {
                SSEAlgorithm: algorithm.into(),
                KMSMasterKeyID: key,
            }),
            BucketKeyEnabled: Some(setting.bucket_key),
        }],
    })?)
}

/// `ServerSideEncryptionConfigurationNotFoundError`.
pub fn encryption_not_configured() -> S3Error {
    Code::ServerSideEncryptionConfigurationNotFoundError
        .with("The server side encryption configuration was not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rules: &str) -> String {
        format!(
            r#"<ServerSideEncryptionConfiguration xmlns="{S3_NS}">{rules}</ServerSideEncryptionConfiguration>"#
        )
    }

    fn rule(algorithm: &str, key: Option<&str>, bucket_key: Option<bool>) -> String {
        let key = key.map_or(String::new(), |k| {
            format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>")
        });
        let bk = bucket_key.map_or(String::new(), |b| {
            format!("<BucketKeyEnabled>{b}</BucketKeyEnabled>")
        });
        format!("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{algorithm}</SSEAlgorithm>{key}</ApplyServerSideEncryptionByDefault>{bk}</Rule>")
    }

    #[test]
    fn settings_parse_and_render_back_to_themselves() {
        let kms = parse_encryption(
            doc(&rule(
                "aws:kms",
                Some("arn:aws:kms:us-east-1:111122223333:key/app-key"),
                Some(true),
            ))
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            kms,
            BucketEncryption {
                algorithm: DefaultAlgorithm::Kms(Some("app-key".into())),
                bucket_key: true,
            }
        );
        let s3 = parse_encryption(doc(&rule("AES256", None, None)).as_bytes()).unwrap();
        assert_eq!(s3, BucketEncryption::SSE_S3);
        for setting in [
            kms,
            s3,
            BucketEncryption {
                algorithm: DefaultAlgorithm::Kms(None),
                bucket_key: false,
            },
        ] {
            let xml = encryption_xml(&setting).unwrap();
            assert_eq!(parse_encryption(&xml).unwrap(), setting);
        }
    }

    #[test]
    fn wrong_settings_get_the_answers_aws_gives() {
        let code = |body: String| parse_encryption(body.as_bytes()).unwrap_err().code;
        assert_eq!(code(doc("")), Code::MalformedXML);
        let two = format!(
            "{}{}",
            rule("AES256", None, None),
            rule("aws:kms", None, None)
        );
        assert_eq!(code(doc(&two)), Code::MalformedXML);
        assert_eq!(
            code(doc(
                "<Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
            )),
            Code::MalformedXML
        );
        assert_eq!(
            code(doc(&rule("AES256", Some("k"), None))),
            Code::InvalidArgument
        );
        assert_eq!(
            code(doc(&rule("aws:kms:dsse", None, None))),
            Code::NotImplemented
        );
        assert_eq!(code(doc(&rule("DES", None, None))), Code::InvalidArgument);
        assert_eq!(
            code(doc(&rule("aws:kms", Some("../x"), None))),
            Code::KmsNotFound
        );
        assert_eq!(
            code("<ServerSideEncryptionConfiguration>".into()),
            Code::MalformedXML
        );
    }
}
