//! Access control lists: grants of five permissions to accounts (by canonical user id) and
//! to AWS's predefined groups, as buckets and objects carry them; and which permission each
//! S3 action needs, as AWS maps them.

/// `AllUsers`: everyone, signed or not.
pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// `AuthenticatedUsers`: every signed request, of any account.
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// `LogDelivery`: the server access log writer (strata writes no access logs into buckets).
pub const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// One of the five ACL permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Everything below.
    FullControl,
    /// List a bucket; read an object.
    Read,
    /// Write and delete objects of a bucket (bucket ACLs only).
    Write,
    /// Read the ACL.
    ReadAcp,
    /// Replace the ACL.
    WriteAcp,
}

impl Permission {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Permission::FullControl => "FULL_CONTROL",
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
        }
    }

    /// The permission a wire name names.
    pub fn parse(name: &str) -> Option<Permission> {
        [
            Permission::FullControl,
            Permission::Read,
            Permission::Write,
            Permission::ReadAcp,
            Permission::WriteAcp,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// Whether a grant of `self` gives `wanted`.
    fn covers(self, wanted: Permission) -> bool {
        self == Permission::FullControl || self == wanted
    }
}

/// Who a grant is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantee {
    /// An account, by its 64-hex canonical user id.
    Account(String),
    /// One of AWS's groups, by URI ([`ALL_USERS`], [`AUTHENTICATED_USERS`], [`LOG_DELIVERY`]).
    Group(&'static str),
}

impl Grantee {
    /// The group a URI names.
    pub fn group(uri: &str) -> Option<Grantee> {
        [ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]
            .into_iter()
            .find(|g| *g == uri)
            .map(Grantee::Group)
    }

    /// Whether the grant opens the resource beyond named accounts (AWS counts both everyone
    /// and every signed caller as public).
    pub fn is_public(&self) -> bool {
        matches!(self, Grantee::Group(g) if *g == ALL_USERS || *g == AUTHENTICATED_USERS)
    }
}

/// One grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
}

/// A bucket's or an object's ACL: its owner and its grants (the owner's own grant included,
/// as AWS lists it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acl {
    /// The owning account's canonical user id.
    pub owner: String,
    /// The grants, in order.
    pub grants: Vec<Grant>,
}

/// The caller as ACLs see it.
#[derive(Debug, Clone, Copy)]
pub struct AclCaller<'a> {
    /// The caller's account's canonical id; `None` for an anonymous request.
    pub canonical_id: Option<&'a str>,
}

/// What made an ACL grant a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclMatch {
    /// A grant to the caller's account.
    Account,
    /// A grant to `AllUsers` or `AuthenticatedUsers`.
    Public,
}

/// The stored encoding's first line.
const STORED_V1: &str = "acl 1";

impl Acl {
    /// An ACL giving its owner full control and nobody anything else (`private`).
    pub fn private(owner: &str) -> Acl {
        Acl {
            owner: owner.to_string(),
            grants: vec![Grant {
                grantee: Grantee::Account(owner.to_string()),
                permission: Permission::FullControl,
            }],
        }
    }

    /// Whether any grant is public.
    pub fn is_public(&self) -> bool {
        self.grants.iter().any(|g| g.grantee.is_public())
    }

    /// Whether it grants nothing to anyone but the owner (the only ACL a bucket that enforces
    /// ownership accepts).
    pub fn owner_only(&self) -> bool {
        self.grants
            .iter()
            .all(|g| g.grantee == Grantee::Account(self.owner.clone()))
    }

    /// Whether the ACL gives `caller` `wanted`, and through which grant: a public one
    /// first (it counts for every caller), else one to the caller's account. Public grants
    /// count unless `ignore_public`.
    pub fn allows(
        &self,
        caller: AclCaller<'_>,
        wanted: Permission,
        ignore_public: bool,
    ) -> Option<AclMatch> {
        let mut account = false;
        for g in self.grants.iter().filter(|g| g.permission.covers(wanted)) {
            match &g.grantee {
                Grantee::Account(id) => account |= Some(id.as_str()) == caller.canonical_id,
                Grantee::Group(ALL_USERS) if !ignore_public => return Some(AclMatch::Public),
                Grantee::Group(AUTHENTICATED_USERS)
                    if !ignore_public && caller.canonical_id.is_some() =>
                {
                    return Some(AclMatch::Public)
                }
                Grantee::Group(_) => {}
            }
        }
        account.then_some(AclMatch::Account)
    }

    /// The stored form: a header line, the owner, then one `PERMISSION id:ID` or
    /// `PERMISSION uri:URI` line per grant.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!("{STORED_V1}\n{}\n", self.owner);
        for g in &self.grants {
            let who = match &g.grantee {
                Grantee::Account(id) => format!("id:{id}"),
                Grantee::Group(uri) => format!("uri:{uri}"),
            };
            out.push_str(&format!("{} {who}\n", g.permission.name()));
        }
        out.into_bytes()
    }

    /// Reads [`Acl::encode`]'s form.
    pub fn decode(doc: &[u8]) -> Result<Acl, String> {
        let text = std::str::from_utf8(doc).map_err(|_| "stored ACL is not UTF-8".to_string())?;
        let mut lines = text.lines();
        if lines.next() != Some(STORED_V1) {
            return Err("stored ACL has an unknown version".into());
        }
        let owner = lines.next().ok_or("stored ACL has no owner")?.to_string();
        let grants = lines
            .map(|line| {
                let bad = || format!("unreadable stored ACL grant {line:?}");
                let (perm, who) = line.split_once(' ').ok_or_else(bad)?;
                let permission = Permission::parse(perm).ok_or_else(bad)?;
                let grantee = if let Some(id) = who.strip_prefix("id:") {
                    Grantee::Account(id.to_string())
                } else {
                    who.strip_prefix("uri:")
                        .and_then(Grantee::group)
                        .ok_or_else(bad)?
                };
                Ok(Grant {
                    grantee,
                    permission,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Acl { owner, grants })
    }
}

/// The permission a bucket's ACL must grant for `action` on the bucket or its objects, as
/// AWS maps ACL permissions to actions; `None` for actions bucket ACLs do not cover.
pub fn bucket_permission(action: &str) -> Option<Permission> {
    Some(match action {
        "s3:ListBucket" | "s3:ListBucketVersions" | "s3:ListBucketMultipartUploads" => {
            Permission::Read
        }
        "s3:PutObject" | "s3:DeleteObject" | "s3:DeleteObjectVersion" => Permission::Write,
        "s3:GetBucketAcl" => Permission::ReadAcp,
        "s3:PutBucketAcl" => Permission::WriteAcp,
        _ => return None,
    })
}

/// The permission an object version's ACL must grant for `action` (on the version the
/// request names, else the current one); `None` for actions object ACLs do not cover.
pub fn object_permission(action: &str) -> Option<Permission> {
    Some(match action {
        "s3:GetObject" | "s3:GetObjectVersion" => Permission::Read,
        "s3:GetObjectAcl" | "s3:GetObjectVersionAcl" => Permission::ReadAcp,
        "s3:PutObjectAcl" | "s3:PutObjectVersionAcl" => Permission::WriteAcp,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(grantee: Grantee, permission: Permission) -> Grant {
        Grant {
            grantee,
            permission,
        }
    }

    #[test]
    fn stored_acls_round_trip_and_damage_is_refused() {
        let acl = Acl {
            owner: "a".repeat(64),
            grants: vec![
                grant(Grantee::Account("a".repeat(64)), Permission::FullControl),
                grant(Grantee::Group(ALL_USERS), Permission::Read),
                grant(Grantee::Account("b".repeat(64)), Permission::WriteAcp),
                grant(Grantee::Group(LOG_DELIVERY), Permission::Write),
            ],
        };
        assert_eq!(Acl::decode(&acl.encode()), Ok(acl.clone()));
        let text = String::from_utf8(acl.encode()).unwrap();
        for bad in [
            text.replace("acl 1", "acl 2"),
            text.replace("READ uri", "LOOK uri"),
            text.replace(
                "uri:http://acs.amazonaws.com/groups/global/AllUsers",
                "uri:x",
            ),
            "acl 1".to_string(),
        ] {
            assert!(Acl::decode(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn grants_match_accounts_groups_and_full_control() {
        let me = "a".repeat(64);
        let other = "b".repeat(64);
        let acl = Acl {
            owner: me.clone(),
            grants: vec![
                grant(Grantee::Account(me.clone()), Permission::FullControl),
                grant(Grantee::Account(other.clone()), Permission::Read),
                grant(Grantee::Group(AUTHENTICATED_USERS), Permission::ReadAcp),
                grant(Grantee::Group(ALL_USERS), Permission::Write),
            ],
        };
        let caller = |id: Option<&'static str>| AclCaller { canonical_id: id };
        let me_s: &'static str = Box::leak(me.into_boxed_str());
        let other_s: &'static str = Box::leak(other.into_boxed_str());
        assert_eq!(
            acl.allows(caller(Some(me_s)), Permission::WriteAcp, false),
            Some(AclMatch::Account)
        );
        assert_eq!(
            acl.allows(caller(Some(other_s)), Permission::Read, true),
            Some(AclMatch::Account)
        );
        assert_eq!(
            acl.allows(caller(Some(other_s)), Permission::WriteAcp, false),
            None
        );
        // AuthenticatedUsers: any signed caller, never an anonymous one; a public grant
        // wins over the owner's own.
        assert_eq!(
            acl.allows(caller(Some(other_s)), Permission::ReadAcp, false),
            Some(AclMatch::Public)
        );
        assert_eq!(
            acl.allows(caller(Some(me_s)), Permission::ReadAcp, false),
            Some(AclMatch::Public)
        );
        assert_eq!(
            acl.allows(caller(Some(me_s)), Permission::ReadAcp, true),
            Some(AclMatch::Account)
        );
        assert_eq!(acl.allows(caller(None), Permission::ReadAcp, false), None);
        // AllUsers: anyone, unless public grants are ignored.
        assert_eq!(
            acl.allows(caller(None), Permission::Write, false),
            Some(AclMatch::Public)
        );
        assert_eq!(acl.allows(caller(None), Permission::Write, true), None);
        assert!(acl.is_public());
        assert!(!acl.owner_only());
        assert!(Acl::private(me_s).owner_only());
    }

    #[test]
    fn actions_map_to_the_permissions_aws_documents() {
        assert_eq!(bucket_permission("s3:ListBucket"), Some(Permission::Read));
        assert_eq!(bucket_permission("s3:PutObject"), Some(Permission::Write));
        assert_eq!(
            bucket_permission("s3:PutBucketAcl"),
            Some(Permission::WriteAcp)
        );
        assert_eq!(bucket_permission("s3:PutBucketPolicy"), None);
        assert_eq!(object_permission("s3:GetObject"), Some(Permission::Read));
        assert_eq!(
            object_permission("s3:GetObjectVersion"),
            Some(Permission::Read)
        );
        assert_eq!(
            object_permission("s3:PutObjectVersionAcl"),
            Some(Permission::WriteAcp)
        );
        assert_eq!(object_permission("s3:PutObject"), None);
        assert_eq!(object_permission("s3:GetObjectTagging"), None);
        assert_eq!(
            object_permission("s3:GetObjectAcl"),
            Some(Permission::ReadAcp)
        );
    }
}
