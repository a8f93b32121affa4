//! AWS's object context: objects another account owns in a bucket whose ACLs are in force,
//! and ACLs of named versions ("How Amazon S3 authorizes a request for an object operation").

use bytes::Bytes;
use strata_volume::{EtagBy, PutOptions, Versioning};

use super::*;
use crate::bucket_access::{
    Acl, Grant, Grantee, Ownership, OwnershipSetting, Permission, PublicBlockSetting, ALL_USERS,
    OWNERSHIP_CONFIG, POLICY_CONFIG, PUBLIC_BLOCK_CONFIG,
};

impl World {
    /// Writes `key` in `shared` with `acl` as its stored access document (what a write by
    /// the ACL's owner leaves where ACLs are in force) and `tags`; returns the version id.
    pub(super) async fn put_object(
        &self,
        key: &str,
        acl: Option<&Acl>,
        tags: &[(&str, &str)],
    ) -> String {
        let body = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"x"))]);
        let staged = self
            .store
            .stage_object("shared", key, None, body, None, EtagBy::Store)
            .await
            .unwrap();
        let opts = PutOptions {
            access: acl.map(Acl::encode),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..PutOptions::default()
        };
        let info = self
            .store
            .put_object("shared", key, staged, opts)
            .await
            .unwrap();
        info.version_id
    }

    async fn put_owned(&self, key: &str, acl: Option<&Acl>) -> String {
        self.put_object(key, acl, &[]).await
    }
}

fn with_grant(mut acl: Acl, grantee: Grantee, permission: Permission) -> Acl {
    acl.grants.push(Grant {
        grantee,
        permission,
    });
    acl
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_object_is_its_owners_to_grant_and_the_bucket_owner_can_only_deny() {
    let w = world().await;
    let (owner, team) = (w.canonical_id("ROOTKEY"), w.canonical_id("TEAMKEY"));
    let writer = OwnershipSetting(Some(Ownership::ObjectWriter)).encode();
    w.put_access("shared", OWNERSHIP_CONFIG, writer).await;
    // The bucket owner's policy: its user nobody may read every object, anyone the public
    // prefix; nobody may read the tags of `theirs`.
    let nobody = match w.principal("AKIANOBODY") {
        Principal::Key { identity, .. } => identity.arn.clone(),
        Principal::Anonymous => unreachable!(),
    };
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Principal":{{"AWS":"{nobody}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}},
          {{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/pub/*"}},
          {{"Effect":"Deny","Principal":"*","Action":"s3:GetObjectTagging","Resource":"arn:aws:s3:::shared/theirs"}}]}}"#
    );
    w.put_access("shared", POLICY_CONFIG, policy.into_bytes())
        .await;
    w.put_access(
        "shared",
        PUBLIC_BLOCK_CONFIG,
        PublicBlockSetting::NONE.encode(),
    )
    .await;
    let theirs = Acl::private(&team);
    w.put_owned("ours", None).await;
    w.put_owned("pub/ours", None).await;
    w.put_owned("theirs", Some(&theirs)).await;
    w.put_owned("pub/theirs", Some(&theirs)).await;
    let shared = with_grant(
        theirs.clone(),
        Grantee::Account(owner.clone()),
        Permission::Read,
    );
    w.put_owned("theirs-shared", Some(&shared)).await;
    let public = with_grant(theirs.clone(), Grantee::Group(ALL_USERS), Permission::Read);
    w.put_owned("theirs-public", Some(&public)).await;

    let anon = None;
    let rows: &[(Option<&str>, &str, &str, bool)] = &[
        // The bucket owner: its own objects; another's only where that object's ACL
        // grants its account; and it may delete any object.
        (Some("ROOTKEY"), "GET", "/shared/ours", true),
        (Some("ROOTKEY"), "GET", "/shared/theirs", false),
        (Some("ROOTKEY"), "GET", "/shared/theirs?acl", false),
        (Some("ROOTKEY"), "PUT", "/shared/theirs?tagging", false),
        (Some("ROOTKEY"), "GET", "/shared/theirs-shared", true),
        (Some("ROOTKEY"), "GET", "/shared/theirs-shared?acl", false),
        (Some("ROOTKEY"), "DELETE", "/shared/theirs", true),
        // Its users: the account's grant reaches those its policies allow (reader: s3:Get*);
        // its bucket policy grants nobody nothing on another's object.
        (Some("AKIAREADER"), "GET", "/shared/theirs-shared", true),
        (Some("AKIAREADER"), "GET", "/shared/theirs", false),
        (Some("AKIANOBODY"), "GET", "/shared/ours", true),
        (Some("AKIANOBODY"), "GET", "/shared/theirs-shared", false),
        // The object's owner: its object, whatever the bucket grants it, except where the
        // bucket owner's policy denies.
        (Some("TEAMKEY"), "GET", "/shared/theirs", true),
        (Some("TEAMKEY"), "GET", "/shared/theirs?acl", true),
        (Some("TEAMKEY"), "PUT", "/shared/theirs?acl", true),
        (Some("TEAMKEY"), "PUT", "/shared/theirs?tagging", true),
        (Some("TEAMKEY"), "GET", "/shared/theirs?tagging", false),
        (Some("TEAMKEY"), "GET", "/shared/ours", false),
        // Anonymous: a public policy opens the bucket owner's objects only; another's
        // object opens by its own public grant.
        (anon, "GET", "/shared/pub/ours", true),
        (anon, "GET", "/shared/pub/theirs", false),
        (anon, "GET", "/shared/theirs-public", true),
        (anon, "GET", "/shared/theirs", false),
    ];
    for (who, method, target, want) in rows {
        assert_eq!(
            w.allowed_from(*who, method, target, "10.0.0.1"),
            *want,
            "{who:?} {method} {target}"
        );
    }
    // Enforcing ownership makes the bucket owner the owner of everything again.
    let enforced = OwnershipSetting(Some(Ownership::BucketOwnerEnforced)).encode();
    w.put_access("shared", OWNERSHIP_CONFIG, enforced).await;
    assert!(w.allowed("ROOTKEY", "GET", "/shared/theirs"));
    assert!(!w.allowed("TEAMKEY", "GET", "/shared/theirs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_version_is_decided_by_that_versions_acl() {
    let w = world().await;
    let (owner, team) = (w.canonical_id("ROOTKEY"), w.canonical_id("TEAMKEY"));
    let writer = OwnershipSetting(Some(Ownership::ObjectWriter)).encode();
    w.put_access("shared", OWNERSHIP_CONFIG, writer).await;
    w.store
        .set_versioning("shared", Versioning::Enabled)
        .await
        .unwrap();
    // The bucket owner's object, the older version readable by the other account.
    let readable = with_grant(
        Acl::private(&owner),
        Grantee::Account(team),
        Permission::Read,
    );
    let old = w.put_owned("k", Some(&readable)).await;
    let new = w.put_owned("k", None).await;
    let rows: &[(&str, String, bool)] = &[
        ("TEAMKEY", format!("/shared/k?versionId={old}"), true),
        ("TEAMKEY", format!("/shared/k?versionId={new}"), false),
        ("TEAMKEY", "/shared/k".into(), false),
        ("TEAMKEY", format!("/shared/k?versionId={old}&acl"), false),
        ("ROOTKEY", format!("/shared/k?versionId={old}"), true),
    ];
    for (key, target, want) in rows {
        assert_eq!(w.allowed(key, "GET", target), *want, "{key} {target}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_object_tags_decide_the_conditions_that_name_them() {
    let w = world().await;
    w.put_object("secret", None, &[("secret", "true")]).await;
    w.put_object("open", None, &[("secret", "false")]).await;
    w.store
        .set_versioning("shared", Versioning::Enabled)
        .await
        .unwrap();
    let old = w.put_object("later", None, &[("secret", "true")]).await;
    w.put_object("later", None, &[]).await;
    // tagged: s3:GetObject, except on objects tagged secret=true (identity policy).
    let rows: &[(&str, String, bool)] = &[
        ("AKIATAGGED", "/shared/secret".into(), false),
        ("AKIATAGGED", "/shared/open".into(), true),
        // No such object: no tag, the Deny does not match; the handler says NoSuchKey.
        ("AKIATAGGED", "/shared/absent".into(), true),
        ("AKIATAGGED", "/shared/later".into(), true),
        // A named version is decided by its own tags (and needs s3:GetObjectVersion).
        (
            "AKIATAGGED",
            format!("/shared/later?versionId={old}"),
            false,
        ),
        ("AKIAREADER", format!("/shared/later?versionId={old}"), true),
        // PutObject and DeleteObject never see existing tags (AWS does not offer the key).
        ("ROOTKEY", "/shared/secret".into(), true),
    ];
    for (key, target, want) in rows {
        assert_eq!(w.allowed(key, "GET", target), *want, "{key} {target}");
    }
    // A bucket policy may name them too: the owner's users get nothing tagged secret.
    let policy = r#"{"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*",
       "Condition":{"StringEquals":{"s3:ExistingObjectTag/secret":"true"}}}]}"#;
    let parsed = crate::bucket_access::parse_for_put(
        policy,
        "shared",
        crate::bucket_access::PublicBlock::ALL,
    );
    assert!(parsed.is_ok(), "{parsed:?}");
    w.put_access("shared", POLICY_CONFIG, policy.into()).await;
    assert!(!w.allowed("AKIAREADER", "GET", "/shared/secret"));
    assert!(w.allowed("AKIAREADER", "GET", "/shared/open"));
    assert!(!w.allowed("ROOTKEY", "GET", "/shared/secret"));
    assert!(w.allowed("ROOTKEY", "DELETE", "/shared/secret"));
}
