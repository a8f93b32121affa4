//! IAM users' access keys: CreateAccessKey (at most two per user; the secret is shown once),
//! ListAccessKeys, UpdateAccessKey and DeleteAccessKey. Without `UserName`, each acts on the
//! calling user's own keys; account roots' keys come from the config, never from here.

use serde::Serialize;

use super::call::{Call, Resource};
use super::lookup;
use super::paging::page;
use super::xml::{self, AccessKey, Members};
use crate::iam::ids;
use crate::iam::records::{AccessKeyRecord, KeyStatus};
use crate::iam::{now_ns, Kind, Snapshot};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// AWS's limit of access keys per user.
pub const MAX_KEYS_PER_USER: usize = 2;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    access_key: AccessKey,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KeyList {
    access_key_metadata: Members<AccessKey>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

fn user_keys<'s>(
    s: &'s Snapshot,
    account: &'s str,
    user: &'s str,
) -> impl Iterator<Item = (&'s String, &'s AccessKeyRecord)> {
    s.keys
        .iter()
        .filter(move |(_, k)| k.account_id == account && k.user == user)
}

/// The key `AccessKeyId` of `user`, or `NoSuchEntity`.
fn key_of<'s>(
    s: &'s Snapshot,
    account: &str,
    user: &str,
    id: &str,
) -> Result<&'s AccessKeyRecord, S3Error> {
    s.keys
        .get(id)
        .filter(|k| k.account_id == account && k.user == user)
        .ok_or_else(|| {
            Code::NoSuchEntity.with(format!(
                "The Access Key with id {id} cannot be found for user {user}."
            ))
        })
}

/// CreateAccessKey.
pub async fn create(call: &Call<'_>) -> Result<Response, S3Error> {
    let user = lookup::user_name_or_caller(call.form.get("UserName"), &call.caller)?;
    call.allow(Resource::User(user))?;
    let mut change = call.store.change().await?;
    lookup::user(&change.current, &call.account, user)?;
    if user_keys(&change.current, &call.account, user).count() >= MAX_KEYS_PER_USER {
        return Err(Code::LimitExceeded.with(format!(
            "Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}"
        )));
    }
    let id = loop {
        let id = ids::access_key_id();
        if !change.current.keys.contains_key(&id) {
            break id;
        }
    };
    let record = AccessKeyRecord {
        account_id: call.account.clone(),
        user: user.to_string(),
        secret: ids::secret_access_key(),
        status: KeyStatus::Active,
        created_ns: now_ns(),
    };
    change.put(Kind::AccessKey, &[&id], &record);
    change.apply().await?;
    let mut access_key = xml::access_key(&id, &record);
    access_key.secret_access_key = Some(record.secret);
    call.respond(&Created { access_key })
}

/// ListAccessKeys.
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    let user = lookup::user_name_or_caller(call.form.get("UserName"), &call.caller)?;
    call.allow(Resource::User(user))?;
    let snapshot = call.store.snapshot();
    lookup::user(&snapshot, &call.account, user)?;
    let keys = user_keys(&snapshot, &call.account, user)
        .map(|(id, k)| (id.clone(), xml::access_key(id, k)));
    let page = page(call.form, keys)?;
    call.respond(&KeyList {
        access_key_metadata: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}

/// UpdateAccessKey (`Status`: `Active` or `Inactive`).
pub async fn update(call: &Call<'_>) -> Result<Response, S3Error> {
    let user = lookup::user_name_or_caller(call.form.get("UserName"), &call.caller)?;
    let id = call.required("AccessKeyId")?;
    let status = match call.required("Status")? {
        "Active" => KeyStatus::Active,
        "Inactive" => KeyStatus::Inactive,
        other => {
            return Err(Code::ValidationError.with(format!(
                "Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
            )))
        }
    };
    call.allow(Resource::User(user))?;
    let mut change = call.store.change().await?;
    let mut record = key_of(&change.current, &call.account, user, id)?.clone();
    record.status = status;
    change.put(Kind::AccessKey, &[id], &record);
    change.apply().await?;
    call.done()
}

/// DeleteAccessKey.
pub async fn delete(call: &Call<'_>) -> Result<Response, S3Error> {
    let user = lookup::user_name_or_caller(call.form.get("UserName"), &call.caller)?;
    let id = call.required("AccessKeyId")?;
    call.allow(Resource::User(user))?;
    let mut change = call.store.change().await?;
    key_of(&change.current, &call.account, user, id)?;
    change.delete(Kind::AccessKey, &[id]);
    change.apply().await?;
    call.done()
}
