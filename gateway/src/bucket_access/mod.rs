//! A bucket's resource-side access controls: its policy, its ACL, its Object Ownership and
//! its Block Public Access settings, each a bucket configuration document, read together and
//! kept in memory for the authorizer ([`BucketAccess`]); with them, the bucket's default
//! encryption (every write reads it) and its CORS rules (every cross-origin request does).

mod acl;
mod acl_input;
mod acl_xml;
mod cache;
mod defaults;
mod encryption;
mod ownership;
mod policy;
mod public_block;

pub use acl::{
    bucket_permission, object_permission, Acl, AclCaller, AclMatch, Grant, Grantee, Permission,
    ALL_USERS, AUTHENTICATED_USERS,
};
pub use acl_input::{canned_acl, from_headers as acl_from_headers, states_acl, AclTarget};
pub use acl_xml::{parse as parse_acl_xml, render as render_acl};
pub use cache::{BucketAccess, Controls, NewBucket, ACL_CONFIG};
pub use defaults::BucketDefaults;
pub use encryption::{
    encryption_not_configured, encryption_xml, parse_encryption, ENCRYPTION_CONFIG,
};
pub use ownership::{controls_xml, parse_controls, Ownership, OwnershipSetting, OWNERSHIP_CONFIG};
pub use policy::{parse_for_put, BucketPolicy, POLICY_CONFIG};
pub use public_block::{
    configuration_xml, not_configured, parse_configuration, PublicBlock, PublicBlockSetting,
    PUBLIC_BLOCK_CONFIG,
};
