//! Condition keys from real requests (routed by the real router), and policies that read them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use strata_policy::{Caller, Outcome, Policy, PolicyKind, PrincipalType, Request};

use super::*;
use crate::s3::router::route_head;

fn routed(method: &str, target: &str, headers: &[(&str, &str)]) -> (Route, HeaderMap) {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", "s3.amazonaws.com");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let (head, ()) = builder.body(()).unwrap().into_parts();
    (route_head(&head, None).unwrap(), head.headers)
}

/// 2024-05-01T12:00:00Z.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_564_800)
}

/// A signed request over TLS 1.3 from 203.0.113.7, signed two seconds before `now`.
fn facts() -> RequestFacts<'static> {
    RequestFacts {
        peer_ip: Some("203.0.113.7".parse().unwrap()),
        tls_version: Some("TLSv1_3"),
        secure_transport: true,
        signature: Some(Signature {
            auth_type: AuthType::Header,
            signed_at: now() - Duration::from_secs(2),
        }),
        now: now(),
        region: "eu-west-1",
    }
}

/// An anonymous request over plain HTTP from a Unix socket.
fn bare_facts() -> RequestFacts<'static> {
    RequestFacts {
        peer_ip: None,
        tls_version: None,
        secure_transport: false,
        signature: None,
        now: now(),
        region: "us-east-1",
    }
}

/// The values of `key` for a request, as strings.
fn values_of(
    (method, target, headers): (&str, &str, &[(&str, &str)]),
    facts: RequestFacts<'_>,
    key: &str,
) -> Option<Vec<String>> {
    let (route, headers) = routed(method, target, headers);
    let tags = RequestTags::from_headers(&headers);
    let keys = S3Conditions::new(&route, &headers, facts, &tags);
    keys.get(key)
        .map(|v| v.iter().map(str::to_string).collect())
}

fn one(value: &str) -> Option<Vec<String>> {
    Some(vec![value.to_string()])
}

type Case = (
    &'static str,
    (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ),
    &'static str,
);

/// (key, a request that has it, its value); the same key is absent from a plain GET of an
/// object by an anonymous caller over HTTP.
const PRESENT: &[Case] = &[
    (
        "s3:prefix",
        ("GET", "/b?list-type=2&prefix=home/alice/", &[]),
        "home/alice/",
    ),
    ("s3:delimiter", ("GET", "/b?delimiter=/", &[]), "/"),
    ("s3:max-keys", ("GET", "/b?versions&max-keys=10", &[]), "10"),
    (
        "s3:x-amz-acl",
        ("PUT", "/b/k", &[("x-amz-acl", "public-read")]),
        "public-read",
    ),
    (
        "s3:x-amz-server-side-encryption",
        (
            "PUT",
            "/b/k",
            &[("x-amz-server-side-encryption", "aws:kms")],
        ),
        "aws:kms",
    ),
    (
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        (
            "PUT",
            "/b/k",
            &[("x-amz-server-side-encryption-aws-kms-key-id", "key-1")],
        ),
        "key-1",
    ),
    (
        "s3:x-amz-copy-source",
        ("PUT", "/b/k", &[("x-amz-copy-source", "/src/a.jpg")]),
        "/src/a.jpg",
    ),
    (
        "s3:x-amz-metadata-directive",
        (
            "PUT",
            "/b/k",
            &[
                ("x-amz-copy-source", "/src/a.jpg"),
                ("x-amz-metadata-directive", "REPLACE"),
            ],
        ),
        "REPLACE",
    ),
    (
        "s3:x-amz-storage-class",
        ("PUT", "/b/k", &[("x-amz-storage-class", "STANDARD_IA")]),
        "STANDARD_IA",
    ),
    (
        "s3:x-amz-content-sha256",
        (
            "PUT",
            "/b/k",
            &[("x-amz-content-sha256", "UNSIGNED-PAYLOAD")],
        ),
        "UNSIGNED-PAYLOAD",
    ),
    ("s3:versionid", ("GET", "/b/k?versionId=v1", &[]), "v1"),
    (
        "s3:RequestObjectTag/project",
        (
            "PUT",
            "/b/k",
            &[("x-amz-tagging", "project=blue%20sky&b=2")],
        ),
        "blue sky",
    ),
    (
        "aws:Referer",
        ("GET", "/b/k", &[("referer", "https://example.com/")]),
        "https://example.com/",
    ),
    (
        "aws:UserAgent",
        ("GET", "/b/k", &[("user-agent", "aws-cli/2.15")]),
        "aws-cli/2.15",
    ),
];

#[test]
fn each_request_key_is_there_when_the_request_has_it_and_absent_otherwise() {
    for (key, request, value) in PRESENT {
        assert_eq!(values_of(*request, facts(), key), one(value), "{key}");
        assert_eq!(
            values_of(("GET", "/b/k", &[]), bare_facts(), key),
            None,
            "{key}"
        );
    }
}

#[test]
fn list_keys_belong_to_list_requests_only() {
    // `prefix` in the query of a request that lists nothing is no `s3:prefix`.
    assert_eq!(
        values_of(("GET", "/b?uploads&prefix=a", &[]), facts(), "s3:prefix"),
        None
    );
    assert_eq!(
        values_of(
            ("GET", "/b?prefix=a&max-keys=5", &[]),
            facts(),
            "s3:max-keys"
        ),
        one("5")
    );
}

#[test]
fn key_names_compare_case_insensitively() {
    let request = ("GET", "/b?prefix=a", &[("x-amz-acl", "private")][..]);
    assert_eq!(values_of(request, facts(), "S3:PREFIX"), one("a"));
    assert_eq!(values_of(request, facts(), "s3:X-Amz-Acl"), one("private"));
    assert_eq!(
        values_of(request, facts(), "AWS:sourceip"),
        one("203.0.113.7")
    );
    assert_eq!(values_of(request, facts(), "s3:nosuchkey"), None);
}

#[test]
fn request_tag_keys_list_every_tag_and_are_empty_for_an_empty_header() {
    let tagged = ("PUT", "/b/k", &[("x-amz-tagging", "a=1&b=2")][..]);
    let keys = values_of(tagged, facts(), "s3:RequestObjectTagKeys").unwrap();
    assert_eq!(keys, ["a", "b"]);
    let empty = ("PUT", "/b/k", &[("x-amz-tagging", "")][..]);
    assert_eq!(
        values_of(empty, facts(), "s3:RequestObjectTagKeys"),
        Some(vec![])
    );
    // The tag key after the prefix is compared exactly: object tag keys are case-sensitive.
    assert_eq!(
        values_of(tagged, facts(), "s3:requestobjecttag/a"),
        one("1")
    );
    assert_eq!(values_of(tagged, facts(), "s3:RequestObjectTag/A"), None);
    assert_eq!(values_of(tagged, facts(), "s3:RequestObjectTag/"), None);
    assert_eq!(
        values_of(("PUT", "/b/k", &[]), facts(), "s3:RequestObjectTagKeys"),
        None
    );
}

#[test]
fn tags_from_a_body_answer_like_tags_from_the_header() {
    let (route, headers) = routed("PUT", "/b/k?tagging", &[]);
    let tags = RequestTags::from_pairs(vec![("team".into(), "red".into())]);
    let keys = S3Conditions::new(&route, &headers, facts(), &tags);
    assert_eq!(
        keys.get("s3:RequestObjectTag/team").and_then(Values::first),
        Some("red")
    );
}

#[test]
fn existing_tags_are_read_only_when_a_policy_asks_and_only_once() {
    let reads = AtomicUsize::new(0);
    let existing = LazyTags::new(|| {
        reads.fetch_add(1, Ordering::SeqCst);
        Ok::<_, ()>(vec![("security".to_string(), "public".to_string())])
    });
    let (route, headers) = routed("GET", "/b/k", &[]);
    let tags = RequestTags::default();
    let bare = S3Conditions::new(&route, &headers, facts(), &tags);
    let keys = WithExistingTags::new(&bare, &existing);
    assert!(keys.get("s3:prefix").is_none());
    assert!(keys.get("aws:SourceIp").is_some());
    assert!(!existing.was_read());
    assert_eq!(reads.load(Ordering::SeqCst), 0);
    let value = keys
        .get("s3:ExistingObjectTag/security")
        .and_then(Values::first);
    assert_eq!(value, Some("public"));
    assert!(keys.get("s3:existingobjecttag/other").is_none());
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    assert_eq!(existing.into_error(), None);
    // The request's own keys have no existing tags: they belong to one action's object.
    assert!(bare.get("s3:ExistingObjectTag/security").is_none());
}

#[test]
fn a_failed_tag_read_answers_no_tag_and_keeps_its_error() {
    let failing = LazyTags::new(|| Err::<Vec<(String, String)>, _>("disk gone"));
    assert_eq!(failing.tag("security"), None);
    assert_eq!(failing.into_error(), Some("disk gone"));
    let unread = LazyTags::new(|| Err::<Vec<(String, String)>, _>("disk gone"));
    assert_eq!(unread.into_error(), None, "never read, never failed");
}

#[test]
fn signature_and_transport_keys_come_from_the_facts() {
    let get = ("GET", "/b/k", &[][..]);
    assert_eq!(
        values_of(get, facts(), "s3:signatureversion"),
        one("AWS4-HMAC-SHA256")
    );
    assert_eq!(values_of(get, facts(), "s3:authType"), one("REST-HEADER"));
    assert_eq!(values_of(get, facts(), "s3:signatureAge"), one("2000"));
    assert_eq!(values_of(get, facts(), "s3:TlsVersion"), one("1.3"));
    assert_eq!(values_of(get, facts(), "aws:SecureTransport"), one("true"));
    assert_eq!(values_of(get, facts(), "aws:SourceIp"), one("203.0.113.7"));
    assert_eq!(
        values_of(get, facts(), "aws:CurrentTime"),
        one("2024-05-01T12:00:00Z")
    );
    assert_eq!(values_of(get, facts(), "aws:EpochTime"), one("1714564800"));
    assert_eq!(
        values_of(get, facts(), "aws:RequestedRegion"),
        one("eu-west-1")
    );
    // Anonymous, plain HTTP, no peer address: only what every request has.
    for absent in [
        "s3:signatureversion",
        "s3:authType",
        "s3:signatureAge",
        "s3:TlsVersion",
        "aws:SourceIp",
    ] {
        assert_eq!(values_of(get, bare_facts(), absent), None, "{absent}");
    }
    assert_eq!(
        values_of(get, bare_facts(), "aws:SecureTransport"),
        one("false")
    );
    assert_eq!(
        values_of(get, bare_facts(), "aws:RequestedRegion"),
        one("us-east-1")
    );
}

#[test]
fn the_global_keys_of_a_request_are_its_aws_keys_and_no_s3_key() {
    let (route, headers) = routed(
        "POST",
        "/",
        &[("user-agent", "aws-cli/2"), ("x-amz-acl", "public-read")],
    );
    let tags = RequestTags::from_headers(&headers);
    let keys = S3Conditions::new(&route, &headers, facts(), &tags);
    let global = GlobalKeys(&keys);
    let value = |key| global.get(key).and_then(Values::first);
    assert_eq!(value("aws:sourceip"), Some("203.0.113.7"));
    assert_eq!(value("aws:SecureTransport"), Some("true"));
    assert_eq!(value("aws:CurrentTime"), Some("2024-05-01T12:00:00Z"));
    assert_eq!(value("aws:EpochTime"), Some("1714564800"));
    assert_eq!(value("aws:UserAgent"), Some("aws-cli/2"));
    assert_eq!(value("aws:RequestedRegion"), Some("eu-west-1"));
    // The request has these, but they are S3's: an IAM or STS action does not.
    for s3_only in ["s3:x-amz-acl", "s3:authType", "s3:TlsVersion"] {
        assert!(keys.get(s3_only).is_some(), "{s3_only}");
        assert!(global.get(s3_only).is_none(), "{s3_only}");
    }
}

#[test]
fn presigned_and_form_requests_name_their_auth_type() {
    for (auth_type, expected) in [
        (AuthType::of(AuthMethod::Presigned), "REST-QUERY-STRING"),
        (AuthType::of(AuthMethod::Header), "REST-HEADER"),
        (AuthType::Post, "POST"),
    ] {
        let mut f = facts();
        f.signature = Some(Signature {
            auth_type,
            signed_at: now(),
        });
        assert_eq!(
            values_of(("GET", "/b/k", &[]), f, "s3:authType"),
            one(expected)
        );
    }
}

#[test]
fn tls_versions_read_as_numbers_and_mapped_addresses_as_ipv4() {
    for (raw, number) in [("TLSv1_2", "1.2"), ("TLSv1.3", "1.3"), ("TLSv1", "1.0")] {
        let mut f = facts();
        f.tls_version = Some(raw);
        assert_eq!(
            values_of(("GET", "/b/k", &[]), f, "s3:TlsVersion"),
            one(number),
            "{raw}"
        );
    }
    let mut f = facts();
    f.peer_ip = Some("::ffff:198.51.100.4".parse().unwrap());
    assert_eq!(
        values_of(("GET", "/b/k", &[]), f, "aws:SourceIp"),
        one("198.51.100.4")
    );
    // A signature from the future (within the allowed skew) is zero milliseconds old.
    let mut f = facts();
    f.signature = Some(Signature {
        auth_type: AuthType::Header,
        signed_at: now() + Duration::from_secs(5),
    });
    assert_eq!(
        values_of(("GET", "/b/k", &[]), f, "s3:signatureAge"),
        one("0")
    );
}

// End to end: a policy, parsed by strata-policy, evaluated against these keys.

const ALICE: Caller<'static> = Caller {
    arn: "arn:aws:iam::111122223333:user/alice",
    account_id: "111122223333",
    user_id: "AIDAEXAMPLEALICE",
    user_name: Some("alice"),
    kind: PrincipalType::User,
    tags: &[],
    role_arn: None,
    federated_provider: None,
    source_identity: None,
    canonical_id: None,
};

fn allow(action: &str, resource: &str, condition: &str) -> Policy {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}",
            "Resource": "{resource}", "Condition": {condition}}}]}}"#
    );
    Policy::parse(&text, PolicyKind::Identity).unwrap()
}

fn outcome(
    policy: &Policy,
    (method, target, headers): (&str, &str, &[(&str, &str)]),
    facts: RequestFacts<'_>,
    existing: Option<&dyn ExistingTags>,
) -> Outcome {
    let (route, headers) = routed(method, target, headers);
    let tags = RequestTags::from_headers(&headers);
    let request_keys = S3Conditions::new(&route, &headers, facts, &tags);
    let with_tags;
    let keys: &(dyn ConditionContext + Sync) = match existing {
        Some(existing) => {
            with_tags = WithExistingTags::new(&request_keys, existing);
            &with_tags
        }
        None => &request_keys,
    };
    let needs = crate::s3::actions::required_actions(&route, &headers).unwrap();
    let first = needs.iter().next().unwrap();
    let arn = first.resource.as_ref().map(|r| r.arn());
    policy.evaluate(&Request {
        action: first.action,
        resource: arn.as_deref(),
        caller: &ALICE,
        context: keys,
    })
}

#[test]
fn a_home_folder_policy_lets_alice_list_only_her_prefix() {
    let policy = allow(
        "s3:ListBucket",
        "arn:aws:s3:::b",
        r#"{"StringLike": {"s3:prefix": "home/${aws:username}/*"}}"#,
    );
    let mine = ("GET", "/b?list-type=2&prefix=home/alice/docs", &[][..]);
    let theirs = ("GET", "/b?list-type=2&prefix=home/bob/", &[][..]);
    let everything = ("GET", "/b?list-type=2", &[][..]);
    assert_eq!(outcome(&policy, mine, facts(), None), Outcome::Allow);
    assert_eq!(
        outcome(&policy, theirs, facts(), None),
        Outcome::NotApplicable
    );
    assert_eq!(
        outcome(&policy, everything, facts(), None),
        Outcome::NotApplicable
    );
}

#[test]
fn a_header_key_policy_allows_only_the_named_acl() {
    let policy = allow(
        "s3:PutObject",
        "arn:aws:s3:::b/*",
        r#"{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}"#,
    );
    let owner = (
        "PUT",
        "/b/k",
        &[("x-amz-acl", "bucket-owner-full-control")][..],
    );
    let public = ("PUT", "/b/k", &[("x-amz-acl", "public-read")][..]);
    assert_eq!(outcome(&policy, owner, facts(), None), Outcome::Allow);
    assert_eq!(
        outcome(&policy, public, facts(), None),
        Outcome::NotApplicable
    );
    assert_eq!(
        outcome(&policy, ("PUT", "/b/k", &[]), facts(), None),
        Outcome::NotApplicable
    );
}

#[test]
fn a_request_tag_policy_limits_the_tag_keys() {
    let policy = allow(
        "s3:PutObject",
        "arn:aws:s3:::b/*",
        r#"{"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project", "team"]},
            "StringEquals": {"s3:RequestObjectTag/project": "blue"}}"#,
    );
    let good = (
        "PUT",
        "/b/k",
        &[("x-amz-tagging", "project=blue&team=x")][..],
    );
    let extra = (
        "PUT",
        "/b/k",
        &[("x-amz-tagging", "project=blue&owner=x")][..],
    );
    let wrong = ("PUT", "/b/k", &[("x-amz-tagging", "project=red")][..]);
    assert_eq!(outcome(&policy, good, facts(), None), Outcome::Allow);
    assert_eq!(
        outcome(&policy, extra, facts(), None),
        Outcome::NotApplicable
    );
    assert_eq!(
        outcome(&policy, wrong, facts(), None),
        Outcome::NotApplicable
    );
}

#[test]
fn an_existing_tag_policy_reads_the_objects_tags() {
    let policy = allow(
        "s3:GetObject",
        "arn:aws:s3:::b/*",
        r#"{"StringEquals": {"s3:ExistingObjectTag/security": "public"}}"#,
    );
    let public = LazyTags::new(|| Ok::<_, ()>(vec![("security".into(), "public".into())]));
    let secret = LazyTags::new(|| Ok::<_, ()>(vec![("security".into(), "secret".into())]));
    let get = ("GET", "/b/k", &[][..]);
    assert_eq!(
        outcome(&policy, get, facts(), Some(&public)),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&policy, get, facts(), Some(&secret)),
        Outcome::NotApplicable
    );
    assert_eq!(outcome(&policy, get, facts(), None), Outcome::NotApplicable);
}

#[test]
fn a_signature_policy_refuses_presigned_and_stale_requests() {
    let policy = allow(
        "s3:GetObject",
        "arn:aws:s3:::b/*",
        r#"{"StringEquals": {"s3:authType": "REST-HEADER", "s3:signatureversion": "AWS4-HMAC-SHA256"},
            "NumericLessThan": {"s3:signatureAge": "600000"}}"#,
    );
    let get = ("GET", "/b/k", &[][..]);
    assert_eq!(outcome(&policy, get, facts(), None), Outcome::Allow);
    let mut presigned = facts();
    presigned.signature = Some(Signature {
        auth_type: AuthType::QueryString,
        signed_at: now(),
    });
    assert_eq!(
        outcome(&policy, get, presigned, None),
        Outcome::NotApplicable
    );
    let mut stale = facts();
    stale.signature = Some(Signature {
        auth_type: AuthType::Header,
        signed_at: now() - Duration::from_secs(601),
    });
    assert_eq!(outcome(&policy, get, stale, None), Outcome::NotApplicable);
}

#[test]
fn a_transport_policy_wants_tls_from_the_office_network() {
    let policy = allow(
        "s3:GetObject",
        "arn:aws:s3:::b/*",
        r#"{"Bool": {"aws:SecureTransport": "true"},
            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
            "NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}}"#,
    );
    let get = ("GET", "/b/k", &[][..]);
    assert_eq!(outcome(&policy, get, facts(), None), Outcome::Allow);
    let mut elsewhere = facts();
    elsewhere.peer_ip = Some("198.51.100.1".parse().unwrap());
    assert_eq!(
        outcome(&policy, get, elsewhere, None),
        Outcome::NotApplicable
    );
    let mut old_tls = facts();
    old_tls.tls_version = Some("TLSv1_1");
    assert_eq!(outcome(&policy, get, old_tls, None), Outcome::NotApplicable);
    let mut plain = facts();
    plain.tls_version = None;
    assert_eq!(outcome(&policy, get, plain, None), Outcome::NotApplicable);
}

#[test]
fn a_time_and_region_policy_reads_the_clock_and_the_region() {
    let policy = allow(
        "s3:GetObject",
        "arn:aws:s3:::b/*",
        r#"{"DateLessThan": {"aws:CurrentTime": "2024-06-01T00:00:00Z"},
            "NumericGreaterThan": {"aws:EpochTime": "1700000000"},
            "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}"#,
    );
    let get = ("GET", "/b/k", &[][..]);
    assert_eq!(outcome(&policy, get, facts(), None), Outcome::Allow);
    let mut later = facts();
    later.now = now() + Duration::from_secs(60 * 86_400);
    assert_eq!(outcome(&policy, get, later, None), Outcome::NotApplicable);
    let mut other_region = facts();
    other_region.region = "us-east-1";
    assert_eq!(
        outcome(&policy, get, other_region, None),
        Outcome::NotApplicable
    );
}

#[test]
fn a_version_policy_matches_the_named_version() {
    let policy = allow(
        "s3:GetObjectVersion",
        "arn:aws:s3:::b/*",
        r#"{"StringEquals": {"s3:versionid": "v1"}}"#,
    );
    let v1 = ("GET", "/b/k?versionId=v1", &[][..]);
    let v2 = ("GET", "/b/k?versionId=v2", &[][..]);
    assert_eq!(outcome(&policy, v1, facts(), None), Outcome::Allow);
    assert_eq!(outcome(&policy, v2, facts(), None), Outcome::NotApplicable);
    // The plain read is another action: this policy does not allow it.
    assert_eq!(
        outcome(&policy, ("GET", "/b/k", &[]), facts(), None),
        Outcome::NotApplicable
    );
}

#[test]
fn the_keys_can_live_in_an_async_request_stack() {
    // The stack's futures are Send: anything it holds across an await must be Send + Sync.
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<S3Conditions<'_>>();
    send_and_sync::<crate::s3::actions::RequiredActions<'_>>();
    send_and_sync::<
        LazyTags<fn() -> Result<Vec<(String, String)>, crate::s3::S3Error>, crate::s3::S3Error>,
    >();
}
