//! Which parameters each IAM action takes. One the action does not take, or one AWS defines
//! that strata does not honour, is refused before anything is read or written: never
//! ignored.

use crate::query_api::Form;
use crate::s3::error::S3Error;

/// AWS's parameters of the implemented actions that strata does not honour.
const NOT_HONOURED: [&str; 2] = ["PathPrefix", "PolicyUsageFilter"];

/// `Marker` and `MaxItems`, which every listing takes.
const PAGE: [&str; 2] = ["Marker", "MaxItems"];

/// Refuses any parameter of `form` but `Action`, `Version` and those `action` takes; an
/// action strata does not have is left to the dispatch table (`InvalidAction`).
pub fn only(form: &Form, action: &str) -> Result<(), S3Error> {
    let Some((own, paged)) = taken_by(action) else {
        return Ok(());
    };
    let mut takes: Vec<&str> = own.to_vec();
    if paged {
        takes.extend(PAGE);
    }
    form.only(action, &takes, &NOT_HONOURED)
}

/// The parameters `action` takes besides `Action` and `Version`, and whether it pages.
fn taken_by(action: &str) -> Option<(&'static [&'static str], bool)> {
    Some(match action {
        "CreateUser" => (&["UserName", "Path", "Tags", "PermissionsBoundary"], false),
        "GetUser" | "DeleteUser" | "CreateAccessKey" | "DeleteUserPermissionsBoundary" => {
            (&["UserName"], false)
        }
        "ListUsers" | "ListGroups" | "ListRoles" => (&["PathPrefix"], true),
        "UpdateUser" => (&["UserName", "NewUserName", "NewPath"], false),
        "TagUser" => (&["UserName", "Tags"], false),
        "UntagUser" => (&["UserName", "TagKeys"], false),
        "ListUserTags"
        | "ListAccessKeys"
        | "ListGroupsForUser"
        | "ListUserPolicies"
        | "ListAttachedUserPolicies" => (&["UserName"], true),
        "UpdateAccessKey" => (&["UserName", "AccessKeyId", "Status"], false),
        "DeleteAccessKey" => (&["UserName", "AccessKeyId"], false),

        "CreateGroup" => (&["GroupName", "Path"], false),
        "DeleteGroup" => (&["GroupName"], false),
        "GetGroup" | "ListGroupPolicies" | "ListAttachedGroupPolicies" => (&["GroupName"], true),
        "AddUserToGroup" | "RemoveUserFromGroup" => (&["GroupName", "UserName"], false),

        "PutUserPolicy" => (&["UserName", "PolicyName", "PolicyDocument"], false),
        "GetUserPolicy" | "DeleteUserPolicy" => (&["UserName", "PolicyName"], false),
        "PutGroupPolicy" => (&["GroupName", "PolicyName", "PolicyDocument"], false),
        "GetGroupPolicy" | "DeleteGroupPolicy" => (&["GroupName", "PolicyName"], false),
        "PutRolePolicy" => (&["RoleName", "PolicyName", "PolicyDocument"], false),
        "GetRolePolicy" | "DeleteRolePolicy" => (&["RoleName", "PolicyName"], false),

        "CreatePolicy" => (
            &[
                "PolicyName",
                "Path",
                "PolicyDocument",
                "Description",
                "Tags",
            ],
            false,
        ),
        "TagPolicy" => (&["PolicyArn", "Tags"], false),
        "UntagPolicy" => (&["PolicyArn", "TagKeys"], false),
        "ListPolicyTags" => (&["PolicyArn"], true),
        "GetPolicy" | "DeletePolicy" => (&["PolicyArn"], false),
        "ListPolicies" => (&["Scope", "OnlyAttached", "PathPrefix"], true),
        "CreatePolicyVersion" => (&["PolicyArn", "PolicyDocument", "SetAsDefault"], false),
        "GetPolicyVersion" | "DeletePolicyVersion" | "SetDefaultPolicyVersion" => {
            (&["PolicyArn", "VersionId"], false)
        }
        "ListPolicyVersions" => (&["PolicyArn"], true),

        "AttachUserPolicy" | "DetachUserPolicy" => (&["UserName", "PolicyArn"], false),
        "AttachGroupPolicy" | "DetachGroupPolicy" => (&["GroupName", "PolicyArn"], false),
        "AttachRolePolicy" | "DetachRolePolicy" => (&["RoleName", "PolicyArn"], false),
        "ListEntitiesForPolicy" => (&["PolicyArn", "EntityFilter"], true),
        "PutUserPermissionsBoundary" => (&["UserName", "PermissionsBoundary"], false),
        "PutRolePermissionsBoundary" => (&["RoleName", "PermissionsBoundary"], false),

        "CreateRole" => (
            &[
                "RoleName",
                "Path",
                "AssumeRolePolicyDocument",
                "Description",
                "MaxSessionDuration",
                "Tags",
                "PermissionsBoundary",
            ],
            false,
        ),
        "GetRole" | "DeleteRole" | "DeleteRolePermissionsBoundary" => (&["RoleName"], false),
        "ListRolePolicies" | "ListAttachedRolePolicies" | "ListRoleTags" => (&["RoleName"], true),
        "UpdateAssumeRolePolicy" => (&["RoleName", "PolicyDocument"], false),
        "UpdateRole" => (&["RoleName", "Description", "MaxSessionDuration"], false),
        "TagRole" => (&["RoleName", "Tags"], false),
        "UntagRole" => (&["RoleName", "TagKeys"], false),

        "CreateOpenIDConnectProvider" => {
            (&["Url", "ClientIDList", "ThumbprintList", "Tags"], false)
        }
        "GetOpenIDConnectProvider" | "DeleteOpenIDConnectProvider" => {
            (&["OpenIDConnectProviderArn"], false)
        }
        "AddClientIDToOpenIDConnectProvider" | "RemoveClientIDFromOpenIDConnectProvider" => {
            (&["OpenIDConnectProviderArn", "ClientID"], false)
        }
        "ListOpenIDConnectProviders" => (&[], false),
        "GetAccountAuthorizationDetails" => (&["Filter"], true),
        _ => return None,
    })
}
