//! AWS's object context ("How Amazon S3 authorizes a request for an object operation"): an
//! object another account owns (possible only where its bucket's ACLs are in force: the
//! writer kept it) is its owner's to grant, through its ACL or its own principals'
//! policies; the bucket owner's policy can refuse it but not grant it. The ACL of the
//! version a request names decides that version.

use strata_policy::{ConditionContext, Outcome, Request};

use super::{grants_caller, refused, unreadable_policy, Grants, PolicyAuthorizer};
use crate::bucket_access::{Acl, BucketPolicy, Controls};
use crate::identity::Identity;
use crate::metrics::DenialReason;
use crate::s3::actions::Need;
use crate::s3::error::S3Error;

impl PolicyAuthorizer {
    /// The stored ACL (with its owner) of the object version an object action names, where
    /// ACLs are in force: `None` for other actions, for an object that keeps none (its
    /// bucket owner's, granting nothing beyond), for no such object (the handler answers
    /// NoSuchKey if allowed), and for a damaged one (it grants nothing; its bucket owner's).
    pub(super) fn object_acl(
        &self,
        controls: &Controls,
        need: &Need<'_>,
    ) -> Result<Option<Acl>, S3Error> {
        if !controls.ownership.acls_enabled() || !acts_on_existing_object(need.action) {
            return Ok(None);
        }
        let Some(resource) = &need.resource else {
            return Ok(None);
        };
        let Some(key) = &resource.key else {
            return Ok(None);
        };
        let doc =
            match self
                .store
                .object_access_now(&resource.bucket, key, resource.version.as_deref())
            {
                Ok(doc) => doc,
                Err(strata_volume::Error::Refused(_)) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
        Ok(doc.and_then(|doc| match Acl::decode(&doc) {
            Ok(acl) => Some(acl),
            Err(why) => {
                tracing::warn!(bucket = %resource.bucket, %why, "an object's stored ACL is unreadable: it grants nothing");
                None
            }
        }))
    }

    /// The account id of the object's owner when it is not `bucket_owner` (an account id);
    /// an owner whose account is gone gets an id no caller has.
    pub(super) fn foreign_owner(&self, acl: &Acl, bucket_owner: &str) -> Option<String> {
        if self.owners.account(Some(bucket_owner)).canonical_id == acl.owner {
            return None;
        }
        Some(
            self.owners
                .store()
                .snapshot()
                .account_by_canonical_id(&acl.owner)
                .map_or_else(|| format!("canonical:{}", acl.owner), |a| a.id),
        )
    }

    /// AWS's object context for an object another account than the bucket's owns: the
    /// bucket owner's policy can refuse (bucket context) but not grant; the object's owner
    /// grants, through its ACL or (for its own principals) their policies. The bucket
    /// owner itself reads it only where the object's ACL grants its account.
    pub(super) fn check_foreign_object(
        &self,
        identity: &Identity,
        need: &Need<'_>,
        context: &(dyn ConditionContext + Sync),
        controls: &Controls,
        object: ForeignObject<'_>,
    ) -> Result<(), S3Error> {
        let resource = need.resource.as_ref().map(|r| r.arn());
        match &controls.policy {
            BucketPolicy::None => {}
            BucketPolicy::Some(policy) => {
                let mut tags = Vec::new();
                let caller = identity.caller(&mut tags);
                let request = Request {
                    action: need.action,
                    resource: resource.as_deref(),
                    caller: &caller,
                    context,
                };
                if policy.evaluate(&request) == Outcome::Deny {
                    return Err(refused(self.refuse(DenialReason::ExplicitDeny)));
                }
            }
            BucketPolicy::Unreadable(_) => {
                self.refuse(DenialReason::Unevaluated);
                return Err(unreadable_policy().denied_because(DenialReason::Unevaluated.as_str()));
            }
        }
        let found = self.acl_match(
            controls,
            need,
            Some(object.acl),
            Some(&identity.account.canonical_id),
        );
        let same_account = object.owner == identity.account.id;
        let grants = Grants {
            owner: object.owner,
            resource_policy: None,
            acl_grant: grants_caller(found, identity, same_account),
        };
        self.evaluate(identity, need.action, resource.as_deref(), grants, context)
            .map_err(refused)
    }
}

/// An object owned by another account than its bucket's.
#[derive(Clone, Copy)]
pub(super) struct ForeignObject<'a> {
    /// The owning account's id.
    pub owner: &'a str,
    /// The object's ACL.
    pub acl: &'a Acl,
}

/// Whether `action` acts on an object that exists, so that the object's owner decides
/// (AWS's object operations). Writes and deletes are the bucket's: its owner may delete
/// or overwrite any object, whoever owns it.
pub(super) fn acts_on_existing_object(action: &str) -> bool {
    matches!(
        action,
        "s3:GetObject"
            | "s3:GetObjectVersion"
            | "s3:GetObjectAcl"
            | "s3:GetObjectVersionAcl"
            | "s3:PutObjectAcl"
            | "s3:PutObjectVersionAcl"
            | "s3:GetObjectTagging"
            | "s3:GetObjectVersionTagging"
            | "s3:PutObjectTagging"
            | "s3:PutObjectVersionTagging"
            | "s3:DeleteObjectTagging"
            | "s3:DeleteObjectVersionTagging"
            | "s3:GetObjectAttributes"
            | "s3:GetObjectVersionAttributes"
            | "s3:GetObjectRetention"
            | "s3:PutObjectRetention"
            | "s3:GetObjectLegalHold"
            | "s3:PutObjectLegalHold"
            | "s3:RestoreObject"
            | "s3:GetObjectTorrent"
            | "s3:GetObjectVersionTorrent"
    )
}
