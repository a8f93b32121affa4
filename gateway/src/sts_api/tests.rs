//! The STS actions at the library level: parameters, trust policies, the issued session and
//! how the request path opens it (the aws CLI end to end is `tests/sts.rs`).

use std::sync::Arc;

use strata_sts::session::{SessionClaims, SessionGrant, SessionSource};

use crate::auth::{AuthError, CredentialProvider, Principal};
use crate::authorize::{authorize_request, PolicyAuthorizer};
use crate::bucket_access::BucketAccess;
use crate::config::Limits;
use crate::iam::records::{
    AccessKeyRecord, AccountRecord, Attached, KeyStatus, RoleRecord, UserRecord,
};
use crate::iam::{IamCredentials, IamStore, Kind};
use crate::identity::{Identity, IdentityKind, Temporary};
use crate::query_api::{Form, QueryRequest, Service};
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::ResponseBody;
use crate::testing::TestStack;

const ACCOUNT: &str = "111122223333";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/reader";
const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_OTHER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#;
const READ_BKT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"]}]}"#;

struct World {
    ts: TestStack,
    root: Principal,
}

impl World {
    async fn new() -> World {
        let ts = TestStack::new(Arc::new(crate::transform::Identity), Limits::default()).await;
        let mut change = ts.iam().change().await.unwrap();
        change.put(
            Kind::Account,
            &["root"],
            &AccountRecord {
                id: ACCOUNT.into(),
                canonical_id: "0".repeat(64),
                created_ns: 1,
            },
        );
        change.apply().await.unwrap();
        let root = Principal::Key {
            access_key: "ROOTKEY".into(),
            identity: Identity::test_root("root"),
        };
        World { ts, root }
    }

    fn ctx(&self) -> &Ctx {
        self.ts.stack.handlers()
    }

    async fn put_role(&self, name: &str, trust: &str, policy: Option<&str>, max: u32) {
        let mut change = self.ts.iam().change().await.unwrap();
        let policies = Attached {
            inline: policy
                .map(|doc| [("p".to_string(), doc.to_string())].into())
                .unwrap_or_default(),
            managed: Vec::new(),
        };
        change.put(
            Kind::Role,
            &[ACCOUNT, name],
            &RoleRecord {
                id: format!("AROA{}", name.to_uppercase()),
                path: "/".into(),
                created_ns: 1,
                trust: trust.into(),
                description: String::new(),
                max_session_secs: max,
                tags: Vec::new(),
                policies,
                boundary: None,
            },
        );
        change.apply().await.unwrap();
    }

    async fn call(&self, caller: &Principal, form: &str) -> Result<String, S3Error> {
        let form = Form::parse(form.as_bytes()).unwrap();
        let req = QueryRequest {
            caller,
            request_id: "REQ",
            form: &form,
            service: Service::Sts,
            global_keys: &strata_policy::ContextMap::new(),
        };
        let response = super::handle(self.ctx(), &req).await?;
        let ResponseBody::Full(body) = response.body else {
            panic!("a full body")
        };
        Ok(String::from_utf8(body.to_vec()).unwrap())
    }

    fn credentials(&self) -> IamCredentials {
        IamCredentials::new(Vec::new(), self.ts.iam().clone())
            .with_sessions(self.ctx().sts.sealer.clone())
    }
}

impl TestStack {
    fn iam(&self) -> &IamStore {
        self.stack.handlers().owners.store()
    }
}

/// The text of the first `<tag>` element of `xml`.
fn element<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"))
        + open.len();
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    &xml[start..end]
}

fn assume(session: &str, extra: &str) -> String {
    format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn={ROLE_ARN}&RoleSessionName={session}{extra}"
    )
}

#[tokio::test]
async fn get_caller_identity_names_the_signer_and_refuses_the_unsigned() {
    let w = World::new().await;
    let xml = w.call(&w.root, "Action=GetCallerIdentity").await.unwrap();
    assert_eq!(element(&xml, "Arn"), "arn:aws:iam::111122223333:root");
    assert_eq!(element(&xml, "UserId"), ACCOUNT);
    assert_eq!(element(&xml, "Account"), ACCOUNT);
    let e = w
        .call(&Principal::Anonymous, "Action=GetCallerIdentity")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::AccessDenied);
    let e = w
        .call(&w.root, "Action=AssumeRoleWithSAML")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidAction);
}

#[tokio::test]
async fn assume_role_issues_a_session_the_request_path_opens_as_the_role() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 7200)
        .await;
    let xml = w
        .call(&w.root, &assume("app-1", "&DurationSeconds=900"))
        .await
        .unwrap();
    let key = element(&xml, "AccessKeyId");
    let secret = element(&xml, "SecretAccessKey");
    let token = element(&xml, "SessionToken");
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(
        element(&xml, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/reader/app-1"
    );
    assert_eq!(element(&xml, "AssumedRoleId"), "AROAREADER:app-1");
    assert!(element(&xml, "Expiration").ends_with('Z'));

    let credential = w.credentials().lookup_session(key, token).unwrap();
    assert_eq!(credential.secret_key, secret);
    assert_eq!(credential.session_token.as_deref(), Some(token));
    let identity = &credential.identity;
    assert_eq!(
        identity.arn,
        "arn:aws:sts::111122223333:assumed-role/reader/app-1"
    );
    assert_eq!(identity.user_id, "AROAREADER:app-1");
    assert_eq!(identity.role_arn.as_deref(), Some(ROLE_ARN));
    assert_eq!(
        identity.kind,
        IdentityKind::RoleSession {
            role: "reader".into(),
            session: "app-1".into()
        }
    );
    assert_eq!(identity.policies.len(), 1);
    assert!(identity.session_policies.is_empty());

    // The session may read bkt and nothing more.
    let session = Principal::Key {
        access_key: key.into(),
        identity: credential.identity.clone(),
    };
    let authorizer = PolicyAuthorizer::new(
        w.ts.store.clone(),
        w.ctx().owners.clone(),
        BucketAccess::new(w.ts.store.clone()),
    );
    authorize_request(&authorizer, &session, "GET", "/bkt/k").unwrap();
    assert_eq!(
        authorize_request(&authorizer, &session, "PUT", "/bkt/k")
            .unwrap_err()
            .code,
        Code::AccessDenied
    );

    // The session's own GetCallerIdentity.
    let xml = w.call(&session, "Action=GetCallerIdentity").await.unwrap();
    assert_eq!(
        element(&xml, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/reader/app-1"
    );
}

#[tokio::test]
async fn a_session_policy_narrows_the_role() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 3600)
        .await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    let form = assume("narrow", &format!("&Policy={}", urlencode(policy)));
    let xml = w.call(&w.root, &form).await.unwrap();
    let credential = w
        .credentials()
        .lookup_session(element(&xml, "AccessKeyId"), element(&xml, "SessionToken"))
        .unwrap();
    assert!(credential.identity.session_policies.len() == 1);
    let session = Principal::Key {
        access_key: credential.access_key.clone(),
        identity: credential.identity.clone(),
    };
    let authorizer = PolicyAuthorizer::new(
        w.ts.store.clone(),
        w.ctx().owners.clone(),
        BucketAccess::new(w.ts.store.clone()),
    );
    authorize_request(&authorizer, &session, "GET", "/bkt?list-type=2").unwrap();
    assert_eq!(
        authorize_request(&authorizer, &session, "GET", "/bkt/k")
            .unwrap_err()
            .code,
        Code::AccessDenied
    );
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn the_trust_policy_decides_who_may_assume() {
    let w = World::new().await;
    w.put_role("reader", TRUST_OTHER, Some(READ_BKT), 3600)
        .await;
    // Not even the role's own account root: the trust policy names another account.
    let e = w.call(&w.root, &assume("s1", "")).await.unwrap_err();
    assert_eq!(e.code, Code::AccessDenied);
    // A missing role answers the same.
    let missing =
        "Action=AssumeRole&RoleArn=arn:aws:iam::111122223333:role/nobody&RoleSessionName=s1";
    assert_eq!(
        w.call(&w.root, missing).await.unwrap_err().code,
        Code::AccessDenied
    );
    assert_eq!(
        w.call(&Principal::Anonymous, &assume("s1", ""))
            .await
            .unwrap_err()
            .code,
        Code::AccessDenied
    );
}

#[tokio::test]
async fn parameters_are_checked_in_aws_terms() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, None, 3600).await;
    let code = |r: Result<String, S3Error>| r.unwrap_err().code;
    assert_eq!(
        code(w.call(&w.root, &assume("x", "")).await),
        Code::ValidationError
    );
    assert_eq!(
        code(w.call(&w.root, &assume("bad%20name", "")).await),
        Code::ValidationError
    );
    assert_eq!(
        code(w.call(&w.root, &assume("ok", "&DurationSeconds=899")).await),
        Code::ValidationError
    );
    // Beyond the role's maximum (3600).
    assert_eq!(
        code(
            w.call(&w.root, &assume("ok", "&DurationSeconds=3601"))
                .await
        ),
        Code::ValidationError
    );
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{}"}}]}}"#,
        "b".repeat(2100)
    );
    assert_eq!(
        code(
            w.call(
                &w.root,
                &assume("ok", &format!("&Policy={}", urlencode(&big)))
            )
            .await
        ),
        Code::PackedPolicyTooLarge
    );
    assert_eq!(
        code(
            w.call(&w.root, &assume("ok", "&Policy=%7Bnot%20json"))
                .await
        ),
        Code::MalformedPolicyDocument
    );
    assert_eq!(
        code(
            w.call(&w.root, "Action=AssumeRole&RoleSessionName=ok")
                .await
        ),
        Code::MissingParameter
    );
    // 2 to 64 of [\w+=,.@-] is fine.
    w.call(&w.root, &assume("a_b%2B%3D%2C.%40-9", ""))
        .await
        .unwrap();
}

#[tokio::test]
async fn web_identity_without_providers_is_an_invalid_identity_token() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, None, 3600).await;
    let form = format!("Action=AssumeRoleWithWebIdentity&RoleArn={ROLE_ARN}&RoleSessionName=pod&WebIdentityToken=abc");
    let e = w.call(&Principal::Anonymous, &form).await.unwrap_err();
    assert_eq!(e.code, Code::InvalidIdentityToken);
}

/// A session sealed directly, for tokens the API would never issue.
fn sealed(w: &World, role_id: &str, expires_at: u64) -> (String, String) {
    let claims = SessionClaims::generate(SessionGrant {
        account_id: ACCOUNT.into(),
        role_arn: ROLE_ARN.into(),
        role_id: role_id.into(),
        session_name: "s".into(),
        source: SessionSource::AssumeRole {
            principal_arn: "arn:aws:iam::111122223333:root".into(),
        },
        session_policy: None,
        policy_arns: Vec::new(),
        session_tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        issued_at: 0,
        expires_at,
    })
    .unwrap();
    let token = w.ctx().sts.sealer.seal(&claims).unwrap();
    (claims.access_key_id, token)
}

#[tokio::test]
async fn expired_tampered_foreign_and_orphaned_sessions_are_refused() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 3600)
        .await;
    let credentials = w.credentials();
    let far = u64::MAX / 2;

    let (key, token) = sealed(&w, "AROAREADER", 1);
    assert_eq!(
        credentials.lookup_session(&key, &token).unwrap_err(),
        AuthError::ExpiredToken
    );

    let (key, token) = sealed(&w, "AROAREADER", far);
    credentials.lookup_session(&key, &token).unwrap();
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        credentials.lookup_session(&key, &tampered).unwrap_err(),
        AuthError::InvalidToken
    );
    // Another session's key with this token.
    let (other_key, _) = sealed(&w, "AROAREADER", far);
    assert_eq!(
        credentials.lookup_session(&other_key, &token).unwrap_err(),
        AuthError::InvalidToken
    );
    // A token another gateway's keyring sealed.
    let foreign = crate::sts_api::StsServices::ephemeral();
    let claims = SessionClaims::generate(SessionGrant {
        account_id: ACCOUNT.into(),
        role_arn: ROLE_ARN.into(),
        role_id: "AROAREADER".into(),
        session_name: "s".into(),
        source: SessionSource::AssumeRole {
            principal_arn: "x".into(),
        },
        session_policy: None,
        policy_arns: Vec::new(),
        session_tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        issued_at: 0,
        expires_at: far,
    })
    .unwrap();
    let foreign_token = foreign.sealer.seal(&claims).unwrap();
    assert_eq!(
        credentials
            .lookup_session(&claims.access_key_id, &foreign_token)
            .unwrap_err(),
        AuthError::InvalidToken
    );
    // A role made again under the same name is another role.
    let (key, token) = sealed(&w, "AROAOLDREADER", far);
    assert_eq!(
        credentials.lookup_session(&key, &token).unwrap_err(),
        AuthError::InvalidAccessKeyId
    );
    // A deleted role's sessions stop, also one already opened (and kept) before.
    let (key, token) = sealed(&w, "AROAREADER", far);
    assert!(credentials.lookup_session(&key, &token).is_ok());
    assert!(credentials.lookup_session(&key, &token).is_ok());
    let mut change = w.ts.iam().change().await.unwrap();
    change.delete(Kind::Role, &[ACCOUNT, "reader"]);
    change.apply().await.unwrap();
    assert_eq!(
        credentials.lookup_session(&key, &token).unwrap_err(),
        AuthError::InvalidAccessKeyId
    );
}

#[tokio::test]
async fn a_role_session_chains_for_an_hour_at_most() {
    let w = World::new().await;
    let trust_any = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
    let assume_any = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    w.put_role("reader", trust_any, Some(assume_any), 43200)
        .await;
    let xml = w
        .call(&w.root, &assume("first", "&DurationSeconds=7200"))
        .await
        .unwrap();
    let credential = w
        .credentials()
        .lookup_session(element(&xml, "AccessKeyId"), element(&xml, "SessionToken"))
        .unwrap();
    let session = Principal::Key {
        access_key: credential.access_key.clone(),
        identity: credential.identity.clone(),
    };
    assert_eq!(
        w.call(&session, &assume("second", "&DurationSeconds=3601"))
            .await
            .unwrap_err()
            .code,
        Code::ValidationError
    );
    w.call(&session, &assume("second", "&DurationSeconds=3600"))
        .await
        .unwrap();
}

const ALICE_ARN: &str = "arn:aws:iam::111122223333:user/alice";
const READ_WRITE_BKT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bkt/*"},{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::111122223333:federated-user/app-*"}]}"#;
const GET_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

impl World {
    /// Puts (or replaces) IAM user `name` with unique id `id`, inline `policy` and the
    /// access key `AK<NAME>`; answers the user as a signed caller.
    async fn put_user(&self, name: &str, id: &str, policy: &str) -> Principal {
        let mut change = self.ts.iam().change().await.unwrap();
        change.put(
            Kind::User,
            &[ACCOUNT, name],
            &UserRecord {
                id: id.into(),
                path: "/".into(),
                created_ns: 1,
                tags: vec![("team".into(), "blue".into())],
                policies: Attached {
                    inline: [("p".to_string(), policy.to_string())].into(),
                    managed: Vec::new(),
                },
                groups: Vec::new(),
                boundary: None,
            },
        );
        let key = format!("AK{}", name.to_uppercase());
        change.put(
            Kind::AccessKey,
            &[&key],
            &AccessKeyRecord {
                account_id: ACCOUNT.into(),
                user: name.into(),
                secret: "secret".into(),
                status: KeyStatus::Active,
                created_ns: 1,
            },
        );
        change.apply().await.unwrap();
        let credential = self.credentials().lookup(&key).unwrap();
        Principal::Key {
            access_key: key,
            identity: credential.identity,
        }
    }

    async fn delete_user(&self, name: &str) {
        let mut change = self.ts.iam().change().await.unwrap();
        change.delete(Kind::User, &[ACCOUNT, name]);
        change.apply().await.unwrap();
    }

    /// The session the credentials in `xml` open to, as a signed caller.
    fn session_of(&self, xml: &str) -> Result<Principal, AuthError> {
        let key = element(xml, "AccessKeyId");
        let credential = self
            .credentials()
            .lookup_session(key, element(xml, "SessionToken"))?;
        assert_eq!(credential.secret_key, element(xml, "SecretAccessKey"));
        Ok(Principal::Key {
            access_key: key.into(),
            identity: credential.identity,
        })
    }

    fn authorizer(&self) -> PolicyAuthorizer {
        PolicyAuthorizer::new(
            self.ts.store.clone(),
            self.ctx().owners.clone(),
            BucketAccess::new(self.ts.store.clone()),
        )
    }

    /// Whether `who` may `method` `path`, by the S3 authorizer.
    fn may(&self, who: &Principal, method: &str, path: &str) -> bool {
        match authorize_request(&self.authorizer(), who, method, path) {
            Ok(_) => true,
            Err(e) if e.code == Code::AccessDenied => false,
            Err(e) => panic!("{method} {path}: {e:?}"),
        }
    }

    async fn iam_call(&self, caller: &Principal, form: &str) -> Result<(), S3Error> {
        let form = Form::parse(form.as_bytes()).unwrap();
        let req = QueryRequest {
            caller,
            request_id: "REQ",
            form: &form,
            service: Service::Iam,
            global_keys: &strata_policy::ContextMap::new(),
        };
        crate::iam_api::handle(self.ctx(), &req).await.map(|_| ())
    }
}

fn identity_of(p: &Principal) -> &Identity {
    match p {
        Principal::Key { identity, .. } => identity,
        Principal::Anonymous => panic!("anonymous"),
    }
}

/// Seconds from now to the `Expiration` of `xml`.
fn lifetime(xml: &str) -> i64 {
    let end = time::OffsetDateTime::parse(
        element(xml, "Expiration"),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    (end - time::OffsetDateTime::now_utc()).whole_seconds()
}

#[tokio::test]
async fn get_session_token_gives_the_callers_own_permissions_for_a_while() {
    let w = World::new().await;
    let alice = w.put_user("alice", "AIDAALICE", READ_WRITE_BKT).await;
    let xml = w
        .call(&alice, "Action=GetSessionToken&DurationSeconds=900")
        .await
        .unwrap();
    assert!(element(&xml, "AccessKeyId").starts_with("ASIA"));
    assert!((890..=900).contains(&lifetime(&xml)), "{xml}");
    let session = w.session_of(&xml).unwrap();
    let identity = identity_of(&session);
    assert_eq!(identity.arn, ALICE_ARN);
    assert_eq!(identity.user_id, "AIDAALICE");
    assert_eq!(identity.temporary, Some(Temporary::SessionToken));
    assert_eq!(identity.tags, vec![("team".into(), "blue".into())]);
    assert!(w.may(&session, "GET", "/bkt/k") && w.may(&session, "PUT", "/bkt/k"));
    assert!(!w.may(&session, "DELETE", "/bkt/k"));

    // It may say who it is and assume roles; nothing else of STS, nothing of IAM.
    let xml_id = w.call(&session, "Action=GetCallerIdentity").await.unwrap();
    assert_eq!(element(&xml_id, "Arn"), ALICE_ARN);
    for form in [
        "Action=GetSessionToken",
        "Action=GetFederationToken&Name=app-1",
    ] {
        assert_eq!(
            w.call(&session, form).await.unwrap_err().code,
            Code::AccessDenied,
            "{form}"
        );
    }
    let e = w.iam_call(&session, "Action=ListUsers").await.unwrap_err();
    assert_eq!(e.code, Code::InvalidClientTokenId);

    // A role session cannot make one either.
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 3600)
        .await;
    let role = w.session_of(&w.call(&w.root, &assume("r1", "")).await.unwrap());
    let e = w
        .call(&role.unwrap(), "Action=GetSessionToken")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::AccessDenied);

    // A root's lasts an hour at most; 12 hours is a user's default.
    let xml_root = w
        .call(&w.root, "Action=GetSessionToken&DurationSeconds=7200")
        .await
        .unwrap();
    assert!((3590..=3600).contains(&lifetime(&xml_root)), "{xml_root}");
    assert!(identity_of(&w.session_of(&xml_root).unwrap()).is_root());
    let xml_default = w.call(&alice, "Action=GetSessionToken").await.unwrap();
    assert!((43_190..=43_200).contains(&lifetime(&xml_default)));

    // Parameters in AWS's terms; MFA is refused, not ignored.
    for (form, code) in [
        ("Action=GetSessionToken&DurationSeconds=899", Code::ValidationError),
        ("Action=GetSessionToken&DurationSeconds=129601", Code::ValidationError),
        ("Action=GetSessionToken&SerialNumber=arn:aws:iam::111122223333:mfa/alice&TokenCode=123456", Code::NotImplemented),
        ("Action=GetSessionToken&Bogus=1", Code::InvalidInput),
    ] {
        assert_eq!(w.call(&alice, form).await.unwrap_err().code, code, "{form}");
    }
    assert_eq!(
        w.call(&Principal::Anonymous, "Action=GetSessionToken")
            .await
            .unwrap_err()
            .code,
        Code::AccessDenied
    );

    // The session ends with its user: deleted, or deleted and made again.
    w.delete_user("alice").await;
    assert_eq!(
        w.session_of(&xml).unwrap_err(),
        AuthError::InvalidAccessKeyId
    );
    w.put_user("alice", "AIDAALICE2", READ_WRITE_BKT).await;
    assert_eq!(
        w.session_of(&xml).unwrap_err(),
        AuthError::InvalidAccessKeyId
    );
}

#[tokio::test]
async fn get_federation_token_caps_the_callers_permissions_by_its_session_policy() {
    let w = World::new().await;
    let alice = w.put_user("alice", "AIDAALICE", READ_WRITE_BKT).await;
    let form = format!(
        "Action=GetFederationToken&Name=app-1&DurationSeconds=1800&Policy={}&Tags.member.1.Key=project&Tags.member.1.Value=x",
        urlencode(GET_ONLY)
    );
    let xml = w.call(&alice, &form).await.unwrap();
    let arn = "arn:aws:sts::111122223333:federated-user/app-1";
    assert_eq!(element(&xml, "Arn"), arn);
    assert_eq!(element(&xml, "FederatedUserId"), "111122223333:app-1");
    assert!((1790..=1800).contains(&lifetime(&xml)));
    let bob = w.session_of(&xml).unwrap();
    let identity = identity_of(&bob);
    assert_eq!(identity.arn, arn);
    assert_eq!(identity.user_id, "111122223333:app-1");
    assert_eq!(
        identity.kind,
        IdentityKind::FederatedUser {
            name: "app-1".into()
        }
    );
    assert_eq!(identity.tags, vec![("project".into(), "x".into())]);
    // The user's PutObject is cut away by the session policy; the policy's wider
    // GetObject is cut down to the user's bucket.
    assert!(w.may(&bob, "GET", "/bkt/k"));
    assert!(!w.may(&bob, "PUT", "/bkt/k"));
    assert!(!w.may(&bob, "GET", "/other/k"));
    let xml_id = w.call(&bob, "Action=GetCallerIdentity").await.unwrap();
    assert_eq!(element(&xml_id, "Arn"), arn);
    assert_eq!(element(&xml_id, "UserId"), "111122223333:app-1");
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 3600)
        .await;
    for form in [assume("r1", ""), "Action=GetSessionToken".into()] {
        assert_eq!(
            w.call(&bob, &form).await.unwrap_err().code,
            Code::AccessDenied
        );
    }
    let e = w.iam_call(&bob, "Action=ListUsers").await.unwrap_err();
    assert_eq!(e.code, Code::AccessDenied);

    // Without a session policy: no permissions.
    let xml_bare = w
        .call(&alice, "Action=GetFederationToken&Name=app-2")
        .await
        .unwrap();
    assert!((43_190..=43_200).contains(&lifetime(&xml_bare)));
    let bare = w.session_of(&xml_bare).unwrap();
    assert!(!w.may(&bare, "GET", "/bkt/k"));

    // The caller's policies must allow sts:GetFederationToken on the name.
    let e = w
        .call(&alice, "Action=GetFederationToken&Name=other")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::AccessDenied);
    let carol = w.put_user("carol", "AIDACAROL", GET_ONLY).await;
    let e = w
        .call(&carol, "Action=GetFederationToken&Name=app-1")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::AccessDenied);

    // A root's federated user has what its session policy gives, for an hour at most.
    let form = format!(
        "Action=GetFederationToken&Name=ops&Policy={}",
        urlencode(GET_ONLY)
    );
    let xml_root = w.call(&w.root, &form).await.unwrap();
    assert!((3590..=3600).contains(&lifetime(&xml_root)));
    let ops = w.session_of(&xml_root).unwrap();
    assert!(w.may(&ops, "GET", "/other/k"));
    assert!(!w.may(&ops, "PUT", "/other/k"));

    for (form, code) in [
        ("Action=GetFederationToken", Code::MissingParameter),
        ("Action=GetFederationToken&Name=a", Code::ValidationError),
        ("Action=GetFederationToken&Name=app-12345678901234567890123456789", Code::ValidationError),
        ("Action=GetFederationToken&Name=app-1&Policy=%7B", Code::MalformedPolicyDocument),
        ("Action=GetFederationToken&Name=app-1&Tags.member.1.Key=aws:x&Tags.member.1.Value=1", Code::ValidationError),
        ("Action=GetFederationToken&Name=app-1&PolicyArns.member.1.arn=arn:aws:iam::aws:policy/ReadOnlyAccess", Code::MalformedPolicyDocument),
    ] {
        assert_eq!(w.call(&alice, form).await.unwrap_err().code, code, "{form}");
    }
}

const PUT_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#;

#[tokio::test]
async fn managed_session_policies_cap_sessions_by_their_version_in_force() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_WRITE_BKT), 3600)
        .await;
    let create = format!(
        "Action=CreatePolicy&PolicyName=get-only&PolicyDocument={}",
        urlencode(GET_ONLY)
    );
    w.iam_call(&w.root, &create).await.unwrap();
    let arn = "arn:aws:iam::111122223333:policy/get-only";
    let with_arn = format!("&PolicyArns.member.1.arn={arn}");
    let managed_xml = w.call(&w.root, &assume("m1", &with_arn)).await.unwrap();
    assert_eq!(
        element(&managed_xml, "PackedPolicySize"),
        (arn.len() * 100 / 2048).to_string()
    );
    let managed = w.session_of(&managed_xml).unwrap();
    assert!(w.may(&managed, "GET", "/bkt/k"));
    assert!(!w.may(&managed, "PUT", "/bkt/k"));
    // With an inline policy too: an action needs an Allow in one of them.
    let both = format!("&Policy={}{with_arn}", urlencode(PUT_ONLY));
    let xml = w.call(&w.root, &assume("m2", &both)).await.unwrap();
    let both = w.session_of(&xml).unwrap();
    assert!(w.may(&both, "GET", "/bkt/k") && w.may(&both, "PUT", "/bkt/k"));
    // A federated user given only the ARN gets what it allows of the caller's.
    let alice = w.put_user("alice", "AIDAALICE", READ_WRITE_BKT).await;
    let form = format!("Action=GetFederationToken&Name=app-3{with_arn}");
    let federated_xml = w.call(&alice, &form).await.unwrap();
    let federated = w.session_of(&federated_xml).unwrap();
    assert!(w.may(&federated, "GET", "/bkt/k"));
    assert!(!w.may(&federated, "PUT", "/bkt/k"));

    // Sessions already issued (opened again, as each request's credentials are) follow
    // the policy's new default version...
    let version = format!(
        "Action=CreatePolicyVersion&PolicyArn={arn}&PolicyDocument={}&SetAsDefault=true",
        urlencode(PUT_ONLY)
    );
    w.iam_call(&w.root, &version).await.unwrap();
    let managed = w.session_of(&managed_xml).unwrap();
    assert!(!w.may(&managed, "GET", "/bkt/k"));
    assert!(w.may(&managed, "PUT", "/bkt/k"));
    // ...and are denied everything once it is deleted.
    let delete_v1 = format!("Action=DeletePolicyVersion&PolicyArn={arn}&VersionId=v1");
    w.iam_call(&w.root, &delete_v1).await.unwrap();
    w.iam_call(&w.root, &format!("Action=DeletePolicy&PolicyArn={arn}"))
        .await
        .unwrap();
    let managed = w.session_of(&managed_xml).unwrap();
    assert!(!w.may(&managed, "PUT", "/bkt/k"));
    let federated = w.session_of(&federated_xml).unwrap();
    assert!(!w.may(&federated, "GET", "/bkt/k"));

    // ARNs that name no policy of the role's account are refused.
    for arn in [
        arn,
        "arn:aws:iam::444455556666:policy/get-only",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ] {
        let form = assume("m3", &format!("&PolicyArns.member.1.arn={arn}"));
        let e = w.call(&w.root, &form).await.unwrap_err();
        assert_eq!(e.code, Code::MalformedPolicyDocument, "{arn}");
    }
}

#[tokio::test]
async fn parameters_strata_does_not_honour_are_refused_not_ignored() {
    let w = World::new().await;
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 3600)
        .await;
    for (extra, code) in [
        ("&ProviderId=x", Code::NotImplemented),
        ("&ProvidedContexts.member.1=x", Code::NotImplemented),
        ("&SerialNumber=x&TokenCode=123456", Code::NotImplemented),
        ("&Bogus=1", Code::InvalidInput),
    ] {
        let e = w.call(&w.root, &assume("s1", extra)).await.unwrap_err();
        assert_eq!(e.code, code, "{extra}");
    }
    let e = w
        .call(&w.root, "Action=GetCallerIdentity&RoleArn=x")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidInput);
    w.call(&w.root, &assume("s1", "&ExternalId=e"))
        .await
        .unwrap();
}

const TRUST_TAGGING: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:TagSession","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:SetSourceIdentity","Condition":{"StringLike":{"sts:SourceIdentity":"*@example.com"}}}]}"#;
const TEAM_FOLDERS: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/${aws:PrincipalTag/team}/*"},
 {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/si/*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@example.com"}}},
 {"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}"#;

fn assume_tagged(session: &str, extra: &str) -> String {
    format!(
        "Action=AssumeRole&RoleArn=arn:aws:iam::111122223333:role/tagged&RoleSessionName={session}{extra}"
    )
}

#[tokio::test]
async fn assume_role_carries_session_tags_and_a_source_identity_through_chaining() {
    let w = World::new().await;
    w.put_role("tagged", TRUST_TAGGING, Some(TEAM_FOLDERS), 3600)
        .await;
    // The role's own tag is replaced by the session tag of the same key.
    let mut change = w.ts.iam().change().await.unwrap();
    let mut record = w.ts.iam().snapshot().roles[&(ACCOUNT.into(), "tagged".into())].clone();
    record.tags = vec![("Team".into(), "red".into())];
    change.put(Kind::Role, &[ACCOUNT, "tagged"], &record);
    change.apply().await.unwrap();

    let asked = "&Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=cost&Tags.member.2.Value=7\
                 &TransitiveTagKeys.member.1=team&SourceIdentity=alice@example.com";
    let xml = w.call(&w.root, &assume_tagged("s1", asked)).await.unwrap();
    let session = w.session_of(&xml).unwrap();
    let identity = identity_of(&session);
    assert_eq!(
        identity.tags,
        vec![
            ("team".to_string(), "blue".to_string()),
            ("cost".to_string(), "7".to_string())
        ]
    );
    assert_eq!(identity.transitive_tag_keys, vec!["team".to_string()]);
    assert_eq!(
        identity.source_identity.as_deref(),
        Some("alice@example.com")
    );
    assert!(w.may(&session, "GET", "/bkt/blue/x"));
    assert!(!w.may(&session, "GET", "/bkt/red/x"));
    assert!(w.may(&session, "GET", "/bkt/si/x"));

    // Chained: the transitive tag and the source identity pass on, the other tag does not,
    // and neither may be changed.
    let xml = w.call(&session, &assume_tagged("s2", "")).await.unwrap();
    let chained = w.session_of(&xml).unwrap();
    let identity = identity_of(&chained);
    assert_eq!(
        identity.tags,
        vec![("team".to_string(), "blue".to_string())]
    );
    assert_eq!(
        identity.source_identity.as_deref(),
        Some("alice@example.com")
    );
    assert!(w.may(&chained, "GET", "/bkt/blue/x") && w.may(&chained, "GET", "/bkt/si/x"));
    for extra in [
        "&Tags.member.1.Key=TEAM&Tags.member.1.Value=blue",
        "&SourceIdentity=bob@example.com",
    ] {
        let e = w
            .call(&session, &assume_tagged("s3", extra))
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::ValidationError, "{extra}");
    }
    // Without a source identity, the policy keyed on it does not match.
    let xml = w
        .call(
            &w.root,
            &assume_tagged("s4", "&Tags.member.1.Key=team&Tags.member.1.Value=blue"),
        )
        .await
        .unwrap();
    let plain = w.session_of(&xml).unwrap();
    assert!(identity_of(&plain).source_identity.is_none());
    assert!(w.may(&plain, "GET", "/bkt/blue/x") && !w.may(&plain, "GET", "/bkt/si/x"));

    // The trust policy decides: tags and source identities it does not allow are refused,
    // and a role whose trust has no sts:TagSession or sts:SetSourceIdentity takes neither.
    w.put_role("reader", TRUST_ACCOUNT, Some(READ_BKT), 3600)
        .await;
    for form in [
        assume_tagged("s5", "&Tags.member.1.Key=team&Tags.member.1.Value=green"),
        assume_tagged("s5", "&SourceIdentity=bob@other.org"),
        assume("s5", "&Tags.member.1.Key=team&Tags.member.1.Value=blue"),
        assume("s5", "&SourceIdentity=alice@example.com"),
    ] {
        let e = w.call(&w.root, &form).await.unwrap_err();
        assert_eq!(e.code, Code::AccessDenied, "{form}");
    }
    for extra in [
        "&Tags.member.1.Key=team&Tags.member.1.Value=blue&TransitiveTagKeys.member.1=cost",
        "&SourceIdentity=aws:x1",
        "&SourceIdentity=a",
    ] {
        let e = w
            .call(&w.root, &assume_tagged("s6", extra))
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::ValidationError, "{extra}");
    }
}
