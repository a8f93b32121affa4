//! The authorizer over real identities: users made in a real identity store (on a temp
//! store), their keys looked up as a request's would be, and their policies deciding.

use strata_volume::{ClassConfig, Scheme, Store, StoreConfig};

use super::*;
use crate::auth::CredentialProvider;
use crate::bucket_access::BucketAccess;
use crate::iam::records::{AccessKeyRecord, Attached, GroupRecord, KeyStatus, UserRecord};
use crate::iam::{IamCredentials, IamStore, Kind, Owners};
use crate::metrics::{DenialReason, IdentityMetrics};

struct World {
    authorizer: PolicyAuthorizer,
    store: Store,
    /// The authorizer's bucket policies.
    policies: BucketAccess,
    metrics: IdentityMetrics,
    credentials: IamCredentials,
    team: String,
    root: String,
    _dir: tempfile::TempDir,
}

fn user(policies: &[(&str, &str)], groups: &[&str]) -> UserRecord {
    UserRecord {
        id: crate::iam::ids::unique_id(crate::iam::ids::UniqueKind::User),
        path: "/".into(),
        created_ns: 0,
        tags: vec![],
        policies: Attached {
            inline: policies
                .iter()
                .map(|(n, d)| (n.to_string(), d.to_string()))
                .collect(),
            managed: vec![],
        },
        groups: groups.iter().map(|g| g.to_string()).collect(),
        boundary: None,
    }
}

fn key(account: &str, user: &str) -> AccessKeyRecord {
    AccessKeyRecord {
        account_id: account.into(),
        user: user.into(),
        secret: "secret-secret-secret".into(),
        status: KeyStatus::Active,
        created_ns: 0,
    }
}

const HOME_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::shared/home/${aws:username}/*"},
  {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared"},
  {"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/home/${aws:username}/locked/*"}]}"#;

const GET_STATUS: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"strata:GetStatus","Resource":"arn:aws:strata:::admin"}]}"#;

const READ_ALL: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;

/// Allows every read but denies objects tagged secret=true.
const DENY_SECRET_TAG: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
  {"Effect":"Deny","Action":"s3:GetObject","Resource":"*",
   "Condition":{"StringEquals":{"s3:ExistingObjectTag/secret":"true"}}}]}"#;

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let volumes = (0..4)
        .map(|i| {
            let p = dir.path().join(format!("v{i}"));
            std::fs::create_dir_all(&p).unwrap();
            p
        })
        .collect();
    let store = Store::open(StoreConfig::new(vec![ClassConfig {
        name: "fast".into(),
        volumes,
        scheme: Some(Scheme::Erasure { data: 2, parity: 2 }),
    }]))
    .await
    .unwrap();
    let iam = IamStore::open(store.clone(), crate::iam::SecretSeal::random())
        .await
        .unwrap();
    let accounts = iam.ensure_accounts(&["root", "team"], &[]).await.unwrap();
    let (root, team) = (accounts[0].clone(), accounts[1].clone());
    store
        .create_bucket_owned("shared", None, Some(&root.id))
        .await
        .unwrap();
    store
        .create_bucket_owned("team-bucket", None, Some(&team.id))
        .await
        .unwrap();
    let mut change = iam.change().await.unwrap();
    change.put(
        Kind::User,
        &[&root.id, "alice"],
        &user(&[("home", HOME_ONLY)], &[]),
    );
    change.put(Kind::User, &[&root.id, "nobody"], &user(&[], &[]));
    change.put(Kind::User, &[&root.id, "reader"], &user(&[], &["readers"]));
    change.put(
        Kind::Group,
        &[&root.id, "readers"],
        &GroupRecord {
            id: "AGPAEXAMPLE".into(),
            path: "/".into(),
            created_ns: 0,
            policies: Attached {
                inline: [("read".to_string(), READ_ALL.to_string())].into(),
                managed: vec![],
            },
        },
    );
    // Attached to a managed policy that does not exist: fails closed, whatever else allows.
    let mut broken = user(&[("read", READ_ALL)], &[]);
    broken.policies.managed = vec![format!("arn:aws:iam::{}:policy/missing", root.id)];
    change.put(Kind::User, &[&root.id, "broken"], &broken);
    change.put(Kind::AccessKey, &["AKIABROKEN"], &key(&root.id, "broken"));
    change.put(
        Kind::User,
        &[&root.id, "tagged"],
        &user(&[("t", DENY_SECRET_TAG)], &[]),
    );
    change.put(Kind::AccessKey, &["AKIATAGGED"], &key(&root.id, "tagged"));
    change.put(Kind::AccessKey, &["AKIAALICE"], &key(&root.id, "alice"));
    change.put(
        Kind::User,
        &[&root.id, "operator"],
        &user(&[("status", GET_STATUS)], &[]),
    );
    change.put(
        Kind::AccessKey,
        &["AKIAOPERATOR"],
        &key(&root.id, "operator"),
    );
    change.put(Kind::AccessKey, &["AKIANOBODY"], &key(&root.id, "nobody"));
    change.put(Kind::AccessKey, &["AKIAREADER"], &key(&root.id, "reader"));
    let mut inactive = key(&root.id, "alice");
    inactive.status = KeyStatus::Inactive;
    change.put(Kind::AccessKey, &["AKIAOLD"], &inactive);
    change.apply().await.unwrap();
    let owners = Owners::new(iam.clone(), root.clone());
    let credentials = IamCredentials::new(
        vec![
            (root.clone(), "ROOTKEY".into(), "root-secret".into()),
            (team.clone(), "TEAMKEY".into(), "team-secret".into()),
        ],
        iam,
    );
    let policies = BucketAccess::new(store.clone());
    let metrics = IdentityMetrics::default();
    World {
        authorizer: PolicyAuthorizer::new(store.clone(), owners, policies.clone())
            .counting_into(metrics.clone()),
        store,
        policies,
        metrics,
        credentials,
        team: team.id,
        root: root.id.clone(),
        _dir: dir,
    }
}

impl World {
    fn principal(&self, access_key: &str) -> Principal {
        let credential = self
            .credentials
            .lookup(access_key)
            .unwrap_or_else(|| panic!("no credential for {access_key}"));
        Principal::Key {
            access_key: access_key.into(),
            identity: credential.identity,
        }
    }

    /// Whether `access_key` may send `method target` (routed as the stack routes it).
    fn allowed(&self, access_key: &str, method: &str, target: &str) -> bool {
        let principal = self.principal(access_key);
        match authorize_request(&self.authorizer, &principal, method, target) {
            Ok(()) => true,
            Err(e) => {
                assert_eq!((e.code, e.status()), (Code::AccessDenied, 403));
                false
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_can_do_what_their_policies_allow_on_their_accounts_buckets_and_no_more() {
    let w = world().await;
    let rows: &[(&str, &str, &str, bool)] = &[
        // The account roots: everything on their own buckets, nothing on the other's.
        ("ROOTKEY", "DELETE", "/shared", true),
        ("ROOTKEY", "GET", "/team-bucket/k", false),
        ("TEAMKEY", "GET", "/team-bucket/k", true),
        ("TEAMKEY", "GET", "/shared?list-type=2", false),
        // alice: her home, by the policy variable; a Deny under it wins.
        ("AKIAALICE", "GET", "/shared/home/alice/a.txt", true),
        ("AKIAALICE", "PUT", "/shared/home/alice/a.txt", true),
        ("AKIAALICE", "PUT", "/shared/home/alice/locked/a.txt", false),
        ("AKIAALICE", "GET", "/shared/home/bob/a.txt", false),
        ("AKIAALICE", "GET", "/shared?list-type=2", true),
        ("AKIAALICE", "DELETE", "/shared/home/alice/a.txt", false),
        ("AKIAALICE", "DELETE", "/shared", false),
        // A versionId asks s3:GetObjectVersion, which her policy does not give.
        (
            "AKIAALICE",
            "GET",
            "/shared/home/alice/a.txt?versionId=x",
            false,
        ),
        // Her own account's policy gives nothing on another account's bucket.
        ("AKIAALICE", "GET", "/team-bucket?list-type=2", false),
        // A user with no policy can do nothing.
        ("AKIANOBODY", "GET", "/shared/home/nobody/x", false),
        ("AKIANOBODY", "GET", "/shared?list-type=2", false),
        // Group policies count (s3:Get* covers the version read too).
        ("AKIAREADER", "GET", "/shared/any/key", true),
        ("AKIAREADER", "GET", "/shared/any/key?versionId=x", true),
        ("AKIAREADER", "PUT", "/shared/any/key", false),
        ("AKIAREADER", "GET", "/team-bucket/any/key", false),
        // A missing attached policy denies everything rather than being skipped.
        ("AKIABROKEN", "GET", "/shared/any/key", false),
        // No such object, so no tag: the Deny on existing tags does not match.
        ("AKIATAGGED", "GET", "/shared/any/key", true),
    ];
    for (key, method, target, want) in rows {
        assert_eq!(
            w.allowed(key, method, target),
            *want,
            "{key} {method} {target}"
        );
    }
    assert_eq!(w.team.len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactive_keys_do_not_sign_and_anonymous_callers_are_denied() {
    let w = world().await;
    assert!(w.credentials.lookup("AKIAOLD").is_none());
    assert!(w.credentials.lookup("AKIAUNKNOWN").is_none());
    let denied =
        authorize_request(&w.authorizer, &Principal::Anonymous, "GET", "/shared/k").unwrap_err();
    assert_eq!(denied.code, Code::AccessDenied);
    // The identity carries the user's ARN and name, for the audit trail.
    let Principal::Key { identity, .. } = w.principal("AKIAALICE") else {
        unreachable!()
    };
    assert_eq!(identity.name, "alice");
    assert!(identity.arn.ends_with(":user/alice"), "{}", identity.arn);
    assert_eq!(
        identity.arn.split(':').nth(4),
        Some(identity.account.id.as_str())
    );
}

impl World {
    /// Puts `doc` as `bucket`'s policy, as PutBucketPolicy does.
    async fn put_bucket_policy(&self, bucket: &str, doc: &str) {
        crate::bucket_access::parse_for_put(doc, bucket, crate::bucket_access::PublicBlock::ALL)
            .unwrap();
        self.store
            .put_bucket_config(bucket, crate::bucket_access::POLICY_CONFIG, doc.into())
            .await
            .unwrap();
        self.policies.forget(bucket);
    }

    /// Whether `who` (an access key, or `None` for anonymous) may send `method target` from
    /// `source_ip`.
    fn allowed_from(&self, who: Option<&str>, method: &str, target: &str, source_ip: &str) -> bool {
        let principal = who.map_or(Principal::Anonymous, |k| self.principal(k));
        let context = strata_policy::ContextMap::new().with("aws:SourceIp", source_ip);
        match authorize_request_in(&self.authorizer, &principal, method, target, &context) {
            Ok(()) => true,
            Err(e) => {
                assert_eq!((e.code, e.status()), (Code::AccessDenied, 403));
                false
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_policies_grant_across_accounts_bind_the_root_and_admit_pinned_anonymous_callers() {
    let w = world().await;
    let team_root = format!("arn:aws:iam::{}:root", w.team);
    let nobody = match w.principal("AKIANOBODY") {
        Principal::Key { identity, .. } => identity.arn.clone(),
        Principal::Anonymous => unreachable!(),
    };
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
  {{"Effect":"Allow","Principal":{{"AWS":"{team_root}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/public/*"}},
  {{"Effect":"Allow","Principal":{{"AWS":"{nobody}"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/drop/*"}},
  {{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::shared/keep/*"}},
  {{"Effect":"Deny","Principal":"*","Action":"s3:*Policy","Resource":"arn:aws:s3:::shared"}},
  {{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/lan/*",
    "Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}]}}"#
    );
    // Before the policy: the other account and the user without policies get nothing.
    assert!(!w.allowed_from(Some("TEAMKEY"), "GET", "/shared/public/a", "10.1.1.1"));
    assert!(!w.allowed_from(Some("AKIANOBODY"), "PUT", "/shared/drop/a", "10.1.1.1"));
    w.put_bucket_policy("shared", &policy).await;
    let rows: &[(Option<&str>, &str, &str, &str, bool)] = &[
        // Cross-account: the team's root has its own (root) allow and the bucket's grant.
        (Some("TEAMKEY"), "GET", "/shared/public/a", "10.1.1.1", true),
        (
            Some("TEAMKEY"),
            "GET",
            "/shared/private/a",
            "10.1.1.1",
            false,
        ),
        (
            Some("TEAMKEY"),
            "PUT",
            "/shared/public/a",
            "10.1.1.1",
            false,
        ),
        // Same account, the user named: the bucket's grant alone suffices.
        (
            Some("AKIANOBODY"),
            "PUT",
            "/shared/drop/a",
            "10.1.1.1",
            true,
        ),
        (
            Some("AKIANOBODY"),
            "GET",
            "/shared/drop/a",
            "10.1.1.1",
            false,
        ),
        // The bucket's Deny binds the owner's root, but never on the policy itself.
        (
            Some("ROOTKEY"),
            "DELETE",
            "/shared/keep/a",
            "10.1.1.1",
            false,
        ),
        (Some("ROOTKEY"), "DELETE", "/shared/other", "10.1.1.1", true),
        (Some("ROOTKEY"), "PUT", "/shared?policy", "10.1.1.1", true),
        (
            Some("ROOTKEY"),
            "DELETE",
            "/shared?policy",
            "10.1.1.1",
            true,
        ),
        (
            Some("AKIAREADER"),
            "GET",
            "/shared?policy",
            "10.1.1.1",
            false,
        ),
        // The reader's own Get* still works where no Deny applies.
        (Some("AKIAREADER"), "GET", "/shared/any", "10.1.1.1", true),
        // Anonymous: only the statement pinned to the network admits it.
        (None, "GET", "/shared/lan/a", "10.9.9.9", true),
        (None, "GET", "/shared/lan/a", "192.168.1.1", false),
        (None, "GET", "/shared/public/a", "10.9.9.9", false),
        (None, "GET", "/team-bucket/lan/a", "10.9.9.9", false),
    ];
    for (who, method, target, ip, expected) in rows {
        assert_eq!(
            w.allowed_from(*who, method, target, ip),
            *expected,
            "{who:?} {method} {target} from {ip}"
        );
    }
    // Deleted: back to identity policies alone.
    w.store
        .delete_bucket_config("shared", crate::bucket_access::POLICY_CONFIG)
        .await
        .unwrap();
    w.policies.forget("shared");
    assert!(!w.allowed_from(Some("TEAMKEY"), "GET", "/shared/public/a", "10.1.1.1"));
    assert!(w.allowed_from(Some("ROOTKEY"), "DELETE", "/shared/keep/a", "10.1.1.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_made_again_under_the_same_name_does_not_inherit_the_policy() {
    let w = world().await;
    let team_root = format!("arn:aws:iam::{}:root", w.team);
    w.store
        .create_bucket_owned("again", None, Some(&w.root))
        .await
        .unwrap();
    w.put_bucket_policy(
        "again",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{team_root}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::again/*"}}]}}"#
        ),
    )
    .await;
    assert!(w.allowed_from(Some("TEAMKEY"), "GET", "/again/a", "10.1.1.1"));
    // Deleted and made again without telling the cache: the cached policy is not used.
    w.store.delete_bucket("again").await.unwrap();
    w.store
        .create_bucket_owned("again", None, Some(&w.root))
        .await
        .unwrap();
    assert!(!w.allowed_from(Some("TEAMKEY"), "GET", "/again/a", "10.1.1.1"));
}

#[test]
fn public_and_malformed_policies_are_refused_at_put() {
    use crate::bucket_access::{parse_for_put, PublicBlock};
    let parse_for_put = |doc| parse_for_put(doc, "b", PublicBlock::ALL);
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    assert_eq!(parse_for_put(public).unwrap_err().code, Code::AccessDenied);
    let no_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    assert_eq!(
        parse_for_put(no_principal).unwrap_err().code,
        Code::MalformedPolicy
    );
    assert_eq!(parse_for_put("{").unwrap_err().code, Code::MalformedPolicy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_is_the_root_accounts_to_administer_and_policies_grant_its_actions() {
    let w = world().await;
    let context = strata_policy::ContextMap::new();
    let admin = |principal: &Principal, action: &str| {
        w.authorizer.authorize_admin(principal, action, &context)
    };
    let rows: &[(&str, &str, bool)] = &[
        ("ROOTKEY", "strata:Shutdown", true),
        ("ROOTKEY", "strata:GetStatus", true),
        // Another account's root: the server is not its resource.
        ("TEAMKEY", "strata:GetStatus", false),
        ("AKIAOPERATOR", "strata:GetStatus", true),
        ("AKIAOPERATOR", "strata:Shutdown", false),
        // s3:Get* does not reach strata actions.
        ("AKIAREADER", "strata:GetStatus", false),
        ("AKIANOBODY", "strata:GetStatus", false),
    ];
    for (key, action, want) in rows {
        match admin(&w.principal(key), action) {
            Ok(()) => assert!(*want, "{key} {action} allowed"),
            Err(e) => {
                assert!(!*want, "{key} {action} refused: {e}");
                assert_eq!((e.code, e.status()), (Code::AccessDenied, 403));
                assert!(e.message.contains(action), "{}", e.message);
                assert!(e.message.contains(ADMIN_RESOURCE), "{}", e.message);
            }
        }
    }
    let anonymous = admin(&Principal::Anonymous, "strata:GetStatus").unwrap_err();
    assert_eq!(anonymous.code, Code::AccessDenied);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_refusal_is_counted_once_by_the_layer_that_refused_and_allowing_counts_nothing() {
    let w = world().await;
    w.put_object("tagged", None, &[("secret", "true")]).await;
    let before: Vec<u64> = DenialReason::ALL
        .iter()
        .map(|r| w.metrics.denials(*r))
        .collect();
    assert!(before.iter().all(|n| *n == 0), "{before:?}");
    let rows: &[(&str, &str, &str, DenialReason)] = &[
        (
            "AKIAALICE",
            "PUT",
            "/shared/home/alice/locked/a",
            DenialReason::ExplicitDeny,
        ),
        ("AKIANOBODY", "GET", "/shared/k", DenialReason::NoAllow),
        ("AKIAALICE", "GET", "/team-bucket/k", DenialReason::NoAllow),
        (
            "ROOTKEY",
            "GET",
            "/team-bucket/k",
            DenialReason::CrossAccount,
        ),
        (
            "AKIATAGGED",
            "GET",
            "/shared/tagged",
            DenialReason::ExplicitDeny,
        ),
    ];
    for (key, method, target, reason) in rows {
        let counted = w.metrics.denials(*reason);
        assert!(!w.allowed(key, method, target), "{key} {method} {target}");
        assert_eq!(
            w.metrics.denials(*reason),
            counted + 1,
            "{key} {method} {target}"
        );
    }
    authorize_request(&w.authorizer, &Principal::Anonymous, "GET", "/shared/k").unwrap_err();
    assert_eq!(w.metrics.denials(DenialReason::Anonymous), 1);
    let total = |w: &World| -> u64 {
        DenialReason::ALL
            .iter()
            .map(|r| w.metrics.denials(*r))
            .sum()
    };
    let refused = total(&w);
    assert_eq!(refused, rows.len() as u64 + 1);
    for (key, method, target) in [
        ("ROOTKEY", "GET", "/shared/k"),
        ("AKIAALICE", "GET", "/shared/home/alice/a"),
        ("AKIAREADER", "GET", "/shared/k"),
    ] {
        assert!(w.allowed(key, method, target), "{key} {method} {target}");
    }
    assert_eq!(total(&w), refused);
}

impl World {
    /// Stores one of `bucket`'s access documents, as its operation does.
    async fn put_access(&self, bucket: &str, kind: &str, doc: Vec<u8>) {
        self.store
            .put_bucket_config(bucket, kind, doc)
            .await
            .unwrap();
        self.policies.forget(bucket);
    }

    fn canonical_id(&self, access_key: &str) -> String {
        match self.principal(access_key) {
            Principal::Key { identity, .. } => identity.account.canonical_id.clone(),
            Principal::Anonymous => unreachable!(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_acls_grant_only_while_ownership_allows_and_public_grants_obey_the_block() {
    use crate::bucket_access::{
        Acl, Grant, Grantee, Ownership, OwnershipSetting, Permission, PublicBlockSetting,
        ACL_CONFIG, OWNERSHIP_CONFIG, PUBLIC_BLOCK_CONFIG,
    };
    let w = world().await;
    let (owner, team) = (w.canonical_id("ROOTKEY"), w.canonical_id("TEAMKEY"));
    let grant = |grantee, permission| Grant {
        grantee,
        permission,
    };
    let mut acl = Acl::private(&owner);
    acl.grants
        .push(grant(Grantee::Account(team.clone()), Permission::Read));
    acl.grants
        .push(grant(Grantee::Account(team.clone()), Permission::Write));
    acl.grants
        .push(grant(Grantee::Account(owner.clone()), Permission::Read));
    acl.grants.push(grant(
        Grantee::Group(crate::bucket_access::ALL_USERS),
        Permission::ReadAcp,
    ));
    w.put_access("shared", ACL_CONFIG, acl.encode()).await;
    let ip = "10.0.0.1";
    let anon = None;
    // A bucket without ownership controls was made before ACLs: they are not in force.
    assert!(!w.allowed_from(Some("TEAMKEY"), "GET", "/shared?list-type=2", ip));

    let writer = OwnershipSetting(Some(Ownership::ObjectWriter)).encode();
    w.put_access("shared", OWNERSHIP_CONFIG, writer).await;
    let rows: &[(Option<&str>, &str, &str, bool)] = &[
        // The other account's grants: listing and writing, not reading objects (an object
        // ACL's business) nor the bucket's policy.
        (Some("TEAMKEY"), "GET", "/shared?list-type=2", true),
        (Some("TEAMKEY"), "PUT", "/shared/x", true),
        (Some("TEAMKEY"), "DELETE", "/shared/x", true),
        (Some("TEAMKEY"), "GET", "/shared/x", false),
        (Some("TEAMKEY"), "GET", "/shared?policy", false),
        // A grant to the owner's own account does not reach its users without a policy.
        (Some("AKIANOBODY"), "GET", "/shared?list-type=2", false),
        // Public grants are ignored while IgnorePublicAcls is on (the default).
        (anon, "GET", "/shared?acl", false),
        (Some("AKIANOBODY"), "GET", "/shared?acl", false),
    ];
    for (who, method, target, want) in rows {
        assert_eq!(
            w.allowed_from(*who, method, target, ip),
            *want,
            "{who:?} {method} {target}"
        );
    }
    // Without the block, AllUsers means everyone, signed or not.
    w.put_access(
        "shared",
        PUBLIC_BLOCK_CONFIG,
        PublicBlockSetting::NONE.encode(),
    )
    .await;
    assert!(w.allowed_from(anon, "GET", "/shared?acl", ip));
    assert!(w.allowed_from(Some("AKIANOBODY"), "GET", "/shared?acl", ip));
    assert!(!w.allowed_from(anon, "GET", "/shared?list-type=2", ip));
    // Enforcing ownership again disables every grant.
    let enforced = OwnershipSetting(Some(Ownership::BucketOwnerEnforced)).encode();
    w.put_access("shared", OWNERSHIP_CONFIG, enforced).await;
    assert!(!w.allowed_from(anon, "GET", "/shared?acl", ip));
    assert!(!w.allowed_from(Some("TEAMKEY"), "PUT", "/shared/x", ip));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restrict_public_buckets_keeps_a_public_policy_within_the_owners_account() {
    use crate::bucket_access::{
        PublicBlock, PublicBlockSetting, POLICY_CONFIG, PUBLIC_BLOCK_CONFIG,
    };
    let w = world().await;
    // Stored as an older strata or an open bucket would have it: public, unconditioned.
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/pub/*"}]}"#;
    w.put_access("shared", POLICY_CONFIG, public.into()).await;
    let open = PublicBlockSetting::configured(PublicBlock {
        restrict_public_buckets: false,
        ..PublicBlock::ALL
    });
    w.put_access("shared", PUBLIC_BLOCK_CONFIG, open.encode())
        .await;
    let ip = "10.0.0.1";
    for who in [None, Some("TEAMKEY"), Some("AKIANOBODY")] {
        assert!(w.allowed_from(who, "GET", "/shared/pub/a", ip), "{who:?}");
    }
    let restricted = PublicBlockSetting::configured(PublicBlock::ALL);
    w.put_access("shared", PUBLIC_BLOCK_CONFIG, restricted.encode())
        .await;
    assert!(!w.allowed_from(None, "GET", "/shared/pub/a", ip));
    assert!(!w.allowed_from(Some("TEAMKEY"), "GET", "/shared/pub/a", ip));
    // The owner's own account still gets what the policy grants.
    assert!(w.allowed_from(Some("AKIANOBODY"), "GET", "/shared/pub/a", ip));
    assert!(!w.allowed_from(Some("AKIANOBODY"), "GET", "/shared/other", ip));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_their_reason_for_the_audit_trail() {
    let w = world().await;
    let refused = |key: Option<&str>, method, target| {
        let principal = key.map_or(Principal::Anonymous, |k| w.principal(k));
        authorize_request(&w.authorizer, &principal, method, target)
            .unwrap_err()
            .denial
    };
    assert_eq!(
        refused(Some("AKIANOBODY"), "GET", "/shared/k"),
        Some("no_allow")
    );
    assert_eq!(
        refused(Some("AKIAALICE"), "PUT", "/shared/home/alice/locked/a"),
        Some("explicit_deny")
    );
    assert_eq!(refused(None, "GET", "/shared/k"), Some("anonymous"));
    assert_eq!(
        refused(Some("TEAMKEY"), "GET", "/shared/k"),
        Some("cross_account")
    );
}

#[path = "authorize_object_tests.rs"]
mod objects;
