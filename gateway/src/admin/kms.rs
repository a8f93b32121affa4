//! The keys of the KMS that SSE-KMS uses (the local keyring or the transit engine):
//! `GET kms/key/list` (`strata:ListKmsKeys`), `GET kms/key/status?key-id=K`
//! (`strata:GetKmsKeyStatus`), `POST kms/key/create?key-id=K` (`strata:CreateKmsKey`) and
//! `POST kms/key/rotate?key-id=K` (`strata:RotateKmsKey`). Each answers JSON; a rotation is
//! followed by a re-seal (`POST reseal`) to move old objects' data keys to the new version.

use serde_json::{json, Value};
use strata_crypt::kms::KeyInfo;

use super::router::KEY_ID;
use super::server::AdminServer;
use crate::s3::error::{Code, S3Error};
use crate::s3::query::Query;
use crate::s3::response::Response;

/// Which KMS call an endpoint makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KmsCall {
    /// Every key.
    List,
    /// One key's versions.
    Status,
    /// A new key.
    Create,
    /// A new version of a key.
    Rotate,
}

impl KmsCall {
    /// Whether the call names a key (`key-id`).
    pub fn names_key(self) -> bool {
        self != KmsCall::List
    }
}

/// Answers `call` with the KMS of `server`.
pub async fn answer(
    server: &AdminServer,
    call: KmsCall,
    query: &Query,
) -> Result<Response, S3Error> {
    let kms = server
        .kms
        .as_ref()
        .ok_or_else(|| Code::NotImplemented.with("this server has no KMS"))?;
    if let (Some(why), KmsCall::Create | KmsCall::Rotate) = (kms.frozen, call) {
        return Err(Code::InvalidRequest.with(why));
    }
    let keys = &kms.keys;
    let key_id = || {
        query
            .get(KEY_ID)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Code::InvalidArgument.with(format!("{KEY_ID} is required")))
    };
    let (status, body) = match call {
        KmsCall::List => {
            let listed: Vec<Value> = keys.list_keys().await?.iter().map(key_json).collect();
            (200, json!({ "keys": listed }))
        }
        KmsCall::Status => (200, key_json(&keys.key_info(key_id()?).await?)),
        KmsCall::Create => (201, key_json(&keys.create_key(key_id()?).await?)),
        KmsCall::Rotate => (200, key_json(&keys.rotate_key(key_id()?).await?)),
    };
    super::json::answer(status, &body)
}

fn key_json(key: &KeyInfo) -> Value {
    json!({
        "key_id": key.id,
        "current_version": key.current_version,
        "versions": key.versions,
    })
}
