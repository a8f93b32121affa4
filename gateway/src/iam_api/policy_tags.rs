//! Tags of customer managed policies: TagPolicy, UntagPolicy, ListPolicyTags (and the
//! `Tags` of CreatePolicy, in `policies`).

use super::call::{Call, Resource};
use super::lookup;
use super::tagging::{self, TagChange};
use crate::iam::records::PolicyRecord;
use crate::iam::Kind;
use crate::s3::error::S3Error;
use crate::s3::response::Response;

/// Changes the tags of the policy `PolicyArn` names with `edit`, in one commit.
async fn edit(
    call: &Call<'_>,
    edit: impl FnOnce(&mut PolicyRecord) -> Result<(), S3Error>,
) -> Result<(), S3Error> {
    let arn = call.required("PolicyArn")?;
    let mut change = call.store.change().await?;
    let (name, record) = lookup::policy(&change.current, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    let mut record = record.clone();
    edit(&mut record)?;
    change.put(Kind::Policy, &[&call.account, &name], &record);
    change.apply().await?;
    Ok(())
}

/// TagPolicy or UntagPolicy.
pub async fn retag(call: &Call<'_>, change: TagChange<'_>) -> Result<Response, S3Error> {
    edit(call, |r| change.apply(&mut r.tags)).await?;
    call.done()
}

/// ListPolicyTags.
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    let arn = call.required("PolicyArn")?;
    let snapshot = call.store.snapshot();
    let (name, record) = lookup::policy(&snapshot, &call.account, arn)?;
    call.allow(Resource::Policy(&name))?;
    tagging::list(call, &record.tags)
}
