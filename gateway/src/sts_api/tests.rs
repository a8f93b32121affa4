//! The STS actions at the library level: parameters, trust policies, the issued session and
//! how the request path opens it (the aws CLI end to end is `tests/sts.rs`).

use std::sync::Arc;

use strata_sts::session::{SessionClaims, SessionGrant, SessionSource};

use crate::auth::{AuthError, CredentialProvider, Principal};
use crate::authorize::{authorize_request, PolicyAuthorizer};
use crate::bucket_access::BucketAccess;
use crate::config::Limits;
use crate::iam::records::{AccountRecord, Attached, RoleRecord};
use crate::iam::{IamCredentials, IamStore, Kind};
use crate::identity::{Identity, IdentityKind};
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
    let e = w.call(&w.root, "Action=GetSessionToken").await.unwrap_err();
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
    assert!(identity.session_policy.is_none());

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
    assert!(credential.identity.session_policy.is_some());
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
        session_tags: Vec::new(),
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
        session_tags: Vec::new(),
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
