//! ACLs as requests state them: a canned ACL (`x-amz-acl`), grant headers
//! (`x-amz-grant-read: id="...", uri="..."`), or an `AccessControlPolicy` body.

use http::HeaderMap;

use super::acl::{Acl, Grant, Grantee, Permission, ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY};
use crate::s3::error::{Code, S3Error};

/// What the ACL is for: canned ACLs differ between buckets and objects.
#[derive(Debug, Clone, Copy)]
pub enum AclTarget<'a> {
    /// A bucket.
    Bucket,
    /// An object in a bucket owned by `bucket_owner` (a canonical id).
    Object {
        /// The bucket owner's canonical id (`bucket-owner-read`, `bucket-owner-full-control`).
        bucket_owner: &'a str,
    },
}

/// The grant headers, with the permission each gives.
const GRANT_HEADERS: [(&str, Permission); 5] = [
    ("x-amz-grant-full-control", Permission::FullControl),
    ("x-amz-grant-read", Permission::Read),
    ("x-amz-grant-write", Permission::Write),
    ("x-amz-grant-read-acp", Permission::ReadAcp),
    ("x-amz-grant-write-acp", Permission::WriteAcp),
];

/// Whether the request states an ACL in its headers.
pub fn states_acl(headers: &HeaderMap) -> bool {
    headers.contains_key("x-amz-acl") || GRANT_HEADERS.iter().any(|(h, _)| headers.contains_key(*h))
}

/// The ACL a request's headers state for a resource owned by `owner`, if any. `known` says
/// whether a canonical id names an account here.
pub fn from_headers(
    headers: &HeaderMap,
    owner: &str,
    target: AclTarget<'_>,
    known: &dyn Fn(&str) -> bool,
) -> Result<Option<Acl>, S3Error> {
    let canned = header(headers, "x-amz-acl")?;
    let granted = GRANT_HEADERS
        .iter()
        .filter(|(h, _)| headers.contains_key(*h))
        .collect::<Vec<_>>();
    match (canned, granted.is_empty()) {
        (None, true) => Ok(None),
        (Some(_), false) => Err(Code::InvalidRequest
            .with("Specifying both Canned ACLs and Header Grants is not allowed")),
        (Some(name), true) => canned_acl(name, owner, target).map(Some),
        (None, false) => {
            let mut grants = Vec::new();
            for (name, permission) in granted {
                for value in headers.get_all(*name) {
                    let value = value
                        .to_str()
                        .map_err(|_| Code::InvalidArgument.with(format!("{name} is not ASCII")))?;
                    for grantee in parse_grantees(name, value, known)? {
                        grants.push(Grant {
                            grantee,
                            permission: *permission,
                        });
                    }
                }
            }
            Ok(Some(Acl {
                owner: owner.to_string(),
                grants,
            }))
        }
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, S3Error> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .map(str::trim)
                .map_err(|_| Code::InvalidArgument.with(format!("{name} is not ASCII")))
        })
        .transpose()
}

/// A canned ACL, expanded as AWS documents it.
pub fn canned_acl(name: &str, owner: &str, target: AclTarget<'_>) -> Result<Acl, S3Error> {
    let mut acl = Acl::private(owner);
    let mut add = |grantee: Grantee, permission| {
        acl.grants.push(Grant {
            grantee,
            permission,
        })
    };
    match (name, target) {
        ("private", _) => {}
        ("public-read", _) => add(Grantee::Group(ALL_USERS), Permission::Read),
        ("public-read-write", _) => {
            add(Grantee::Group(ALL_USERS), Permission::Read);
            add(Grantee::Group(ALL_USERS), Permission::Write);
        }
        ("authenticated-read", _) => add(Grantee::Group(AUTHENTICATED_USERS), Permission::Read),
        ("log-delivery-write", AclTarget::Bucket) => {
            add(Grantee::Group(LOG_DELIVERY), Permission::Write);
            add(Grantee::Group(LOG_DELIVERY), Permission::ReadAcp);
        }
        // On a bucket these name the bucket's own owner: AWS accepts and ignores them.
        ("bucket-owner-read" | "bucket-owner-full-control", AclTarget::Bucket) => {}
        ("bucket-owner-read", AclTarget::Object { bucket_owner }) if bucket_owner != owner => {
            add(Grantee::Account(bucket_owner.into()), Permission::Read)
        }
        ("bucket-owner-full-control", AclTarget::Object { bucket_owner })
            if bucket_owner != owner =>
        {
            add(
                Grantee::Account(bucket_owner.into()),
                Permission::FullControl,
            )
        }
        ("bucket-owner-read" | "bucket-owner-full-control", AclTarget::Object { .. }) => {}
        ("aws-exec-read", _) => {
            return Err(Code::NotImplemented.with(
                "the canned ACL aws-exec-read grants to Amazon EC2, which strata does not have",
            ))
        }
        (other, _) => {
            return Err(Code::InvalidArgument.with(format!("{other:?} is not a canned ACL")))
        }
    }
    Ok(acl)
}

/// `id="..."`, `uri="..."` and `emailAddress="..."` entries (quotes optional),
/// comma-separated.
fn parse_grantees(
    header: &str,
    value: &str,
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<Grantee>, S3Error> {
    let bad = || {
        Code::InvalidArgument.with(format!(
            "{header}: {value:?} is not a list of id=\"...\" or uri=\"...\" grantees"
        ))
    };
    let mut out = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kind, quoted) = entry.split_once('=').ok_or_else(bad)?;
        // The aws CLI sends `id=...` as given; AWS's documentation quotes: both are taken.
        let quoted = quoted.trim();
        let who = match quoted.strip_prefix('"') {
            Some(rest) => rest.strip_suffix('"').ok_or_else(bad)?,
            None if quoted.contains('"') => return Err(bad()),
            None => quoted,
        };
        out.push(grantee(kind.trim(), who, known)?);
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

/// One grantee by kind (`id`, `uri`, `emailAddress`) and value; shared with the XML form.
pub fn grantee(kind: &str, who: &str, known: &dyn Fn(&str) -> bool) -> Result<Grantee, S3Error> {
    match kind {
        "id" if known(who) => Ok(Grantee::Account(who.to_string())),
        "id" => Err(Code::InvalidArgument.with(format!("Invalid id: {who:?} is no account's canonical user id"))),
        "uri" => Grantee::group(who).ok_or_else(|| {
            Code::InvalidArgument.with(format!("Invalid group uri: {who:?}"))
        }),
        "emailAddress" => Err(Code::UnresolvableGrantByEmailAddress.with(
            "grants by e-mail address are not supported: strata's accounts have no e-mail addresses; grant by canonical id",
        )),
        other => Err(Code::InvalidArgument.with(format!("unknown grantee kind {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    const OWNER: &str = "0000000000000000000000000000000000000000000000000000000000000001";
    const OTHER: &str = "0000000000000000000000000000000000000000000000000000000000000002";

    fn known(id: &str) -> bool {
        id == OWNER || id == OTHER
    }

    fn state(pairs: &[(&str, &str)], target: AclTarget<'_>) -> Result<Option<Acl>, S3Error> {
        from_headers(&headers(pairs), OWNER, target, &known)
    }

    #[test]
    fn canned_acls_expand_as_aws_documents() {
        let bucket = AclTarget::Bucket;
        let acl = state(&[("x-amz-acl", "public-read-write")], bucket)
            .unwrap()
            .unwrap();
        assert_eq!(acl.grants.len(), 3);
        assert!(acl.is_public());
        let acl = state(&[("x-amz-acl", "private")], bucket).unwrap().unwrap();
        assert!(acl.owner_only());
        let object = AclTarget::Object {
            bucket_owner: OTHER,
        };
        let acl = state(&[("x-amz-acl", "bucket-owner-full-control")], object)
            .unwrap()
            .unwrap();
        assert_eq!(
            acl.grants[1],
            Grant {
                grantee: Grantee::Account(OTHER.into()),
                permission: Permission::FullControl
            }
        );
        let acl = state(&[("x-amz-acl", "log-delivery-write")], bucket)
            .unwrap()
            .unwrap();
        assert_eq!(acl.grants.len(), 3);
        assert!(!acl.is_public());
        assert_eq!(
            state(&[("x-amz-acl", "log-delivery-write")], object)
                .unwrap_err()
                .code,
            Code::InvalidArgument
        );
        assert_eq!(
            state(&[("x-amz-acl", "aws-exec-read")], bucket)
                .unwrap_err()
                .code,
            Code::NotImplemented
        );
        assert_eq!(state(&[], bucket).unwrap(), None);
    }

    #[test]
    fn grant_headers_name_accounts_and_groups_and_refuse_the_rest() {
        let acl = state(
            &[
                (
                    "x-amz-grant-read",
                    &format!("id=\"{OTHER}\", uri=\"{ALL_USERS}\""),
                ),
                ("x-amz-grant-write-acp", &format!("id={OWNER}")),
            ],
            AclTarget::Bucket,
        )
        .unwrap()
        .unwrap();
        assert_eq!(acl.grants.len(), 3);
        assert_eq!(acl.grants[2].permission, Permission::WriteAcp);
        for (pairs, code) in [
            (
                vec![("x-amz-grant-read", "id=\"nobody\"")],
                Code::InvalidArgument,
            ),
            (
                vec![("x-amz-grant-read", "uri=\"http://example.com/group\"")],
                Code::InvalidArgument,
            ),
            (
                vec![("x-amz-grant-read", "emailAddress=\"a@example.com\"")],
                Code::UnresolvableGrantByEmailAddress,
            ),
            (
                vec![("x-amz-grant-read", "id=\"half")],
                Code::InvalidArgument,
            ),
            (vec![("x-amz-grant-read", "id")], Code::InvalidArgument),
            (vec![("x-amz-grant-read", "")], Code::InvalidArgument),
            (
                vec![("x-amz-acl", "private"), ("x-amz-grant-read", "uri=\"x\"")],
                Code::InvalidRequest,
            ),
            (vec![("x-amz-acl", "world-readable")], Code::InvalidArgument),
        ] {
            assert_eq!(
                state(&pairs, AclTarget::Bucket).unwrap_err().code,
                code,
                "{pairs:?}"
            );
        }
    }
}
