//! The IAM API's one routing table: each action to its handler, once its parameters pass
//! `parameters`. Actions strata does not implement answer `InvalidAction` naming them,
//! never a silent success.

use super::call::Call;
use super::entity::EntityKind::{Group, Role, User};
use super::tagging::TagChange;
use super::{
    attach, authorization_details, groups, inline, keys, oidc, parameters, policies, policy_tags,
    roles, users,
};
use crate::query_api::QueryRequest;
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Runs one IAM action for a signed caller, inside the caller's own account.
pub async fn handle(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let action = req.form.action()?;
    let call = Call::new(ctx.owners.store(), &ctx.sts.metrics, req, action)?;
    parameters::only(req.form, action)?;
    let c = &call;
    match action {
        "CreateUser" => users::create(c).await,
        "GetUser" => users::get(c).await,
        "ListUsers" => users::list(c).await,
        "UpdateUser" => users::update(c).await,
        "DeleteUser" => users::delete(c).await,
        "TagUser" => users::retag(c, TagChange::set(c.form)?).await,
        "UntagUser" => users::retag(c, TagChange::remove(c.form)).await,
        "ListUserTags" => users::list_tags(c).await,

        "CreateAccessKey" => keys::create(c).await,
        "ListAccessKeys" => keys::list(c).await,
        "UpdateAccessKey" => keys::update(c).await,
        "DeleteAccessKey" => keys::delete(c).await,

        "CreateGroup" => groups::create(c).await,
        "GetGroup" => groups::get(c).await,
        "ListGroups" => groups::list(c).await,
        "DeleteGroup" => groups::delete(c).await,
        "AddUserToGroup" => groups::add_user(c).await,
        "RemoveUserFromGroup" => groups::remove_user(c).await,
        "ListGroupsForUser" => groups::list_for_user(c).await,

        "PutUserPolicy" => inline::put(c, User).await,
        "GetUserPolicy" => inline::get(c, User).await,
        "DeleteUserPolicy" => inline::delete(c, User).await,
        "ListUserPolicies" => inline::list(c, User).await,
        "PutGroupPolicy" => inline::put(c, Group).await,
        "GetGroupPolicy" => inline::get(c, Group).await,
        "DeleteGroupPolicy" => inline::delete(c, Group).await,
        "ListGroupPolicies" => inline::list(c, Group).await,
        "PutRolePolicy" => inline::put(c, Role).await,
        "GetRolePolicy" => inline::get(c, Role).await,
        "DeleteRolePolicy" => inline::delete(c, Role).await,
        "ListRolePolicies" => inline::list(c, Role).await,

        "CreatePolicy" => policies::create(c).await,
        "GetPolicy" => policies::get(c).await,
        "ListPolicies" => policies::list(c).await,
        "DeletePolicy" => policies::delete(c).await,
        "CreatePolicyVersion" => policies::create_version(c).await,
        "GetPolicyVersion" => policies::get_version(c).await,
        "ListPolicyVersions" => policies::list_versions(c).await,
        "DeletePolicyVersion" => policies::delete_version(c).await,
        "SetDefaultPolicyVersion" => policies::set_default_version(c).await,
        "TagPolicy" => policy_tags::retag(c, TagChange::set(c.form)?).await,
        "UntagPolicy" => policy_tags::retag(c, TagChange::remove(c.form)).await,
        "ListPolicyTags" => policy_tags::list(c).await,

        "AttachUserPolicy" => attach::attach(c, User).await,
        "DetachUserPolicy" => attach::detach(c, User).await,
        "ListAttachedUserPolicies" => attach::list(c, User).await,
        "AttachGroupPolicy" => attach::attach(c, Group).await,
        "DetachGroupPolicy" => attach::detach(c, Group).await,
        "ListAttachedGroupPolicies" => attach::list(c, Group).await,
        "AttachRolePolicy" => attach::attach(c, Role).await,
        "DetachRolePolicy" => attach::detach(c, Role).await,
        "ListAttachedRolePolicies" => attach::list(c, Role).await,
        "ListEntitiesForPolicy" => attach::entities(c).await,
        "PutUserPermissionsBoundary" => attach::put_boundary(c, User).await,
        "DeleteUserPermissionsBoundary" => attach::delete_boundary(c, User).await,
        "PutRolePermissionsBoundary" => attach::put_boundary(c, Role).await,
        "DeleteRolePermissionsBoundary" => attach::delete_boundary(c, Role).await,

        "CreateRole" => roles::create(c).await,
        "GetRole" => roles::get(c).await,
        "ListRoles" => roles::list(c).await,
        "DeleteRole" => roles::delete(c).await,
        "UpdateAssumeRolePolicy" => roles::update_trust(c).await,
        "UpdateRole" => roles::update(c).await,
        "TagRole" => roles::retag(c, TagChange::set(c.form)?).await,
        "UntagRole" => roles::retag(c, TagChange::remove(c.form)).await,
        "ListRoleTags" => roles::list_tags(c).await,

        "CreateOpenIDConnectProvider" => oidc::create(c).await,
        "GetOpenIDConnectProvider" => oidc::get(c).await,
        "ListOpenIDConnectProviders" => oidc::list(c).await,
        "DeleteOpenIDConnectProvider" => oidc::delete(c).await,
        "AddClientIDToOpenIDConnectProvider" => oidc::add_client_id(c).await,
        "RemoveClientIDFromOpenIDConnectProvider" => oidc::remove_client_id(c).await,

        "GetAccountAuthorizationDetails" => authorization_details::get(c).await,

        other => Err(Code::InvalidAction.with(format!(
            "the IAM action {other} is not implemented by strata"
        ))),
    }
}
