//! Users, groups and roles seen alike where they are alike: each has inline and attached
//! policies (and users and roles a boundary), so the policy actions are written once.

use strata_policy::limits;

use super::call::{Call, Resource};
use super::lookup;
use super::validate;
use crate::iam::records::{Attached, GroupRecord, RoleRecord, UserRecord};
use crate::iam::{Change, Kind, Snapshot};
use crate::s3::error::S3Error;

/// Which kind of entity an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    /// A user (`UserName`).
    User,
    /// A group (`GroupName`).
    Group,
    /// A role (`RoleName`).
    Role,
}

impl EntityKind {
    /// The parameter that names it.
    pub fn param(self) -> &'static str {
        match self {
            EntityKind::User => "UserName",
            EntityKind::Group => "GroupName",
            EntityKind::Role => "RoleName",
        }
    }

    /// AWS's longest inline policy on it.
    pub fn inline_limit(self) -> usize {
        match self {
            EntityKind::User => limits::USER_INLINE,
            EntityKind::Group => limits::GROUP_INLINE,
            EntityKind::Role => limits::ROLE_INLINE,
        }
    }

    fn kind(self) -> Kind {
        match self {
            EntityKind::User => Kind::User,
            EntityKind::Group => Kind::Group,
            EntityKind::Role => Kind::Role,
        }
    }

    /// The resource authorization names for `name`.
    pub fn resource(self, name: &str) -> Resource<'_> {
        match self {
            EntityKind::User => Resource::User(name),
            EntityKind::Group => Resource::Group(name),
            EntityKind::Role => Resource::Role(name),
        }
    }
}

/// One entity's record, copied out of a snapshot to be changed.
#[derive(Debug, Clone)]
pub enum Entity {
    /// A user.
    User(UserRecord),
    /// A group.
    Group(GroupRecord),
    /// A role.
    Role(RoleRecord),
}

impl Entity {
    /// The entity `name` of `kind` in `account`.
    pub fn load(
        s: &Snapshot,
        kind: EntityKind,
        account: &str,
        name: &str,
    ) -> Result<Entity, S3Error> {
        Ok(match kind {
            EntityKind::User => Entity::User(lookup::user(s, account, name)?.clone()),
            EntityKind::Group => Entity::Group(lookup::group(s, account, name)?.clone()),
            EntityKind::Role => Entity::Role(lookup::role(s, account, name)?.clone()),
        })
    }

    /// Its inline and attached policies.
    pub fn policies(&self) -> &Attached {
        match self {
            Entity::User(r) => &r.policies,
            Entity::Group(r) => &r.policies,
            Entity::Role(r) => &r.policies,
        }
    }

    /// The same, to change.
    pub fn policies_mut(&mut self) -> &mut Attached {
        match self {
            Entity::User(r) => &mut r.policies,
            Entity::Group(r) => &mut r.policies,
            Entity::Role(r) => &mut r.policies,
        }
    }

    /// Its boundary, for users and roles (groups have none).
    pub fn boundary_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            Entity::User(r) => Some(&mut r.boundary),
            Entity::Group(_) => None,
            Entity::Role(r) => Some(&mut r.boundary),
        }
    }

    /// Writes it back as part of `change`.
    pub fn put(&self, change: &mut Change<'_>, kind: EntityKind, account: &str, name: &str) {
        let parts = [account, name];
        match self {
            Entity::User(r) => change.put(kind.kind(), &parts, r),
            Entity::Group(r) => change.put(kind.kind(), &parts, r),
            Entity::Role(r) => change.put(kind.kind(), &parts, r),
        }
    }
}

/// The entity a call names by `kind.param()`, checked and authorized.
pub fn named<'a>(call: &Call<'a>, kind: EntityKind) -> Result<&'a str, S3Error> {
    let name = validate::name(call.form, kind.param())?;
    call.allow(kind.resource(name))?;
    Ok(name)
}
