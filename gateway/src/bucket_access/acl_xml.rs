//! `AccessControlPolicy`: the XML form of an ACL, as Get*Acl answer and Put*Acl accept it.
#![allow(non_snake_case)]

use serde::{Deserialize, Serialize};

use super::acl::{Acl, Grant, Grantee, Permission};
use super::acl_input::grantee;
use crate::s3::error::{Code, S3Error};
use crate::s3::xml::{from_xml, to_xml, S3_NS};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "AccessControlPolicy")]
struct PolicyDoc {
    #[serde(rename = "@xmlns", skip_deserializing, default)]
    xmlns: &'static str,
    Owner: Option<OwnerDoc>,
    AccessControlList: ListDoc,
}

#[derive(Debug, Serialize, Deserialize)]
struct OwnerDoc {
    ID: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    DisplayName: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, Default)]
struct ListDoc {
    #[serde(default)]
    Grant: Vec<GrantDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct GrantDoc {
    Grantee: GranteeDoc,
    Permission: String,
}

#[derive(Debug, Serialize, Deserialize, Default)]
struct GranteeDoc {
    #[serde(rename = "@xmlns:xsi", skip_deserializing, default)]
    xmlns_xsi: &'static str,
    #[serde(rename = "@xsi:type", alias = "@type", default)]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    ID: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    DisplayName: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    URI: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    EmailAddress: Option<String>,
}

/// Renders `acl`; `display_name` gives an account's name from its canonical id.
pub fn render(acl: &Acl, display_name: &dyn Fn(&str) -> String) -> Result<bytes::Bytes, S3Error> {
    let grants = acl
        .grants
        .iter()
        .map(|g| GrantDoc {
            Grantee: match &g.grantee {
                Grantee::Account(id) => GranteeDoc {
                    xmlns_xsi: XSI,
                    kind: "CanonicalUser".into(),
                    ID: Some(id.clone()),
                    DisplayName: Some(display_name(id)),
                    ..GranteeDoc::default()
                },
                Grantee::Group(uri) => GranteeDoc {
                    xmlns_xsi: XSI,
                    kind: "Group".into(),
                    URI: Some(uri.to_string()),
                    ..GranteeDoc::default()
                },
            },
            Permission: g.permission.name().into(),
        })
        .collect();
    Ok(to_xml(&PolicyDoc {
        xmlns: S3_NS,
        Owner: Some(OwnerDoc {
            ID: acl.owner.clone(),
            DisplayName: Some(display_name(&acl.owner)),
        }),
        AccessControlList: ListDoc { Grant: grants },
    })?)
}

/// A Put*Acl body for a resource owned by `owner`: its `Owner` must be that owner, every
/// grantee a known account or group.
pub fn parse(body: &[u8], owner: &str, known: &dyn Fn(&str) -> bool) -> Result<Acl, S3Error> {
    let doc: PolicyDoc = from_xml(body).map_err(|e| Code::MalformedACLError.with(e.to_string()))?;
    let stated_owner = doc
        .Owner
        .ok_or_else(|| Code::MalformedACLError.with("the ACL has no Owner"))?;
    if stated_owner.ID.trim() != owner {
        return Err(
            Code::AccessDenied.with("Access Denied: the ACL's Owner is not the resource's owner")
        );
    }
    let grants = doc
        .AccessControlList
        .Grant
        .into_iter()
        .map(|g| {
            let permission = Permission::parse(g.Permission.trim()).ok_or_else(|| {
                Code::MalformedACLError.with(format!("unknown permission {:?}", g.Permission))
            })?;
            let e = g.Grantee;
            let (kind, who, expected) = match (&e.ID, &e.URI, &e.EmailAddress) {
                (Some(id), None, None) => ("id", id, "CanonicalUser"),
                (None, Some(uri), None) => ("uri", uri, "Group"),
                (None, None, Some(mail)) => ("emailAddress", mail, "AmazonCustomerByEmail"),
                _ => {
                    return Err(Code::MalformedACLError
                        .with("each Grantee needs exactly one of ID, URI or EmailAddress"))
                }
            };
            if e.kind != expected {
                return Err(Code::MalformedACLError.with(format!(
                    "a Grantee with {kind} must have xsi:type {expected:?}, not {:?}",
                    e.kind
                )));
            }
            Ok(Grant {
                grantee: grantee(kind, who.trim(), known)?,
                permission,
            })
        })
        .collect::<Result<_, S3Error>>()?;
    Ok(Acl {
        owner: owner.to_string(),
        grants,
    })
}

#[cfg(test)]
mod tests {
    use super::super::acl::ALL_USERS;
    use super::*;

    const OWNER: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn rendered_acls_parse_back_to_themselves() {
        let acl = Acl {
            owner: OWNER.into(),
            grants: vec![
                Grant {
                    grantee: Grantee::Account(OWNER.into()),
                    permission: Permission::FullControl,
                },
                Grant {
                    grantee: Grantee::Group(ALL_USERS),
                    permission: Permission::Read,
                },
            ],
        };
        let xml = render(&acl, &|_| "root".into()).unwrap();
        let text = std::str::from_utf8(&xml).unwrap();
        assert!(text.contains(r#"xsi:type="CanonicalUser""#), "{text}");
        assert!(text.contains("<DisplayName>root</DisplayName>"), "{text}");
        assert_eq!(parse(&xml, OWNER, &|id| id == OWNER).unwrap(), acl);
    }

    #[test]
    fn bodies_with_wrong_owners_types_or_grantees_are_refused() {
        let doc = |owner: &str, grantee: &str, perm: &str| {
            format!(
                r#"<AccessControlPolicy><Owner><ID>{owner}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="{XSI}" {grantee}</Grantee><Permission>{perm}</Permission></Grant></AccessControlList></AccessControlPolicy>"#
            )
        };
        let known = |id: &str| id == OWNER;
        let user = format!(r#"xsi:type="CanonicalUser"><ID>{OWNER}</ID>"#);
        for (body, code) in [
            (doc("someone", &user, "READ"), Code::AccessDenied),
            (doc(OWNER, &user, "LOOK"), Code::MalformedACLError),
            (
                doc(
                    OWNER,
                    &format!(r#"xsi:type="Group"><ID>{OWNER}</ID>"#),
                    "READ",
                ),
                Code::MalformedACLError,
            ),
            (
                doc(OWNER, r#"xsi:type="CanonicalUser"><ID>nobody</ID>"#, "READ"),
                Code::InvalidArgument,
            ),
            (
                doc(
                    OWNER,
                    r#"xsi:type="Group"><URI>http://example.com/g</URI>"#,
                    "READ",
                ),
                Code::InvalidArgument,
            ),
            (
                doc(
                    OWNER,
                    r#"xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b.c</EmailAddress>"#,
                    "READ",
                ),
                Code::UnresolvableGrantByEmailAddress,
            ),
            (
                "<AccessControlPolicy><Owner>".to_string(),
                Code::MalformedACLError,
            ),
        ] {
            assert_eq!(
                parse(body.as_bytes(), OWNER, &known).unwrap_err().code,
                code,
                "{body}"
            );
        }
        let ok = doc(
            OWNER,
            &format!(r#"xsi:type="Group"><URI>{ALL_USERS}</URI>"#),
            "READ",
        );
        assert!(parse(ok.as_bytes(), OWNER, &known).unwrap().is_public());
    }
}
