//! The keys that seal STS session tokens (`sts/FORMAT.md`): `GET sts/keys`
//! (`strata:ListSessionKeys`) and `POST sts/keys/rotate` (`strata:RotateSessionKey`). A
//! rotation stores a new key, which seals every token from then on, keeps the older keys
//! opening the tokens they sealed, and deletes those whose tokens have all expired. Each
//! answers JSON with the keys' ids and times, never their bytes.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{json, Value};
use strata_sts::session::SessionSealer;

use crate::iam::{rotate_into, session_keys, IamStore, SessionKeyInfo, LONGEST_SESSION_SECS};
use crate::s3::error::S3Error;
use crate::s3::http::iso8601;
use crate::s3::response::Response;

/// Which session-key call an endpoint makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKeyCall {
    /// The stored keys.
    List,
    /// A new sealing key.
    Rotate,
}

/// Answers `call` with the identity store `iam` and the gateway's `sealer`.
pub async fn answer(
    iam: &IamStore,
    sealer: &SessionSealer,
    call: SessionKeyCall,
) -> Result<Response, S3Error> {
    let body = match call {
        SessionKeyCall::List => keys_json(&session_keys(&iam.snapshot())?, None),
        SessionKeyCall::Rotate => {
            let rotated = rotate_into(iam, sealer).await?;
            keys_json(&rotated.keys, Some(&rotated.retired))
        }
    };
    super::json::answer(200, &body)
}

fn keys_json(keys: &[SessionKeyInfo], retired: Option<&[u8]>) -> Value {
    let time = |ns: u64| iso8601(UNIX_EPOCH + Duration::from_nanos(ns));
    let listed: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": k.id,
                "created": time(k.created_ns),
                "current": k.current,
                "retires_at": k.retires_at_ns.map(time),
            })
        })
        .collect();
    let mut doc = json!({
        "current": keys.iter().find(|k| k.current).map(|k| k.id),
        "keys": listed,
        "longest_session_secs": LONGEST_SESSION_SECS,
    });
    if let Some(retired) = retired {
        doc["retired"] = json!(retired);
    }
    doc
}
