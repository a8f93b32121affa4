//! Micro benchmark: evaluating a 10-statement identity policy for a 4 KiB GET-style request.
//! `cargo run --release -p strata-policy --example policy_bench` prints ns per evaluation and
//! per `decide` (identity + bucket policy). Not a test: figures vary with the machine.

use std::hint::black_box;
use std::time::Instant;

use strata_policy::{
    decide, Caller, ContextMap, Evaluation, Policy, PolicyKind, PrincipalType, Request,
};

const IDENTITY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "List", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBucketVersions"], "Resource": "arn:aws:s3:::logs", "Condition": {"StringLike": {"s3:prefix": ["2024/*", "2025/*"]}}},
    {"Sid": "ReadLogs", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::logs/*"},
    {"Sid": "WriteTmp", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tmp/*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": ["s3:DeleteObject", "s3:DeleteBucket"], "Resource": "*"},
    {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}},
    {"Sid": "Tls", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "Photos", "Effect": "Allow", "Action": "s3:Get*", "Resource": ["arn:aws:s3:::photos/*", "arn:aws:s3:::media/*"]},
    {"Sid": "Tagging", "Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost"]}}},
    {"Sid": "Expire", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
    {"Sid": "Team", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}
  ]
}"#;

const BUCKET: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#;

fn main() {
    let identity = Policy::parse(IDENTITY, PolicyKind::Identity).expect("identity policy");
    let bucket = Policy::parse(BUCKET, PolicyKind::Resource).expect("bucket policy");
    let tags = [("team", "blue")];
    let caller = Caller {
        arn: "arn:aws:iam::111122223333:user/bob",
        account_id: "111122223333",
        user_id: "AIDABOB",
        user_name: Some("bob"),
        kind: PrincipalType::User,
        tags: &tags,
        role_arn: None,
        federated_provider: None,
        source_identity: None,
        canonical_id: None,
    };
    let context = ContextMap::new()
        .with("aws:SourceIp", "10.1.2.3")
        .with("aws:SecureTransport", "true")
        .with("aws:CurrentTime", "2026-12-03T16:00:00Z");
    let request = Request {
        action: "s3:GetObject",
        resource: Some("arn:aws:s3:::photos/2024/a.jpg"),
        caller: &caller,
        context: &context,
    };

    let n = 2_000_000u32;
    let start = Instant::now();
    for _ in 0..n {
        black_box(identity.evaluate(black_box(&request)));
    }
    let per_eval = start.elapsed().as_nanos() as f64 / f64::from(n);

    let identities = [&identity];
    let evaluation = Evaluation {
        request: &request,
        identity: &identities,
        resource_policy: Some(&bucket),
        resource_owner: Some("111122223333"),
        session_policies: &[],
        boundary: None,
        acl_grant: false,
    };
    let start = Instant::now();
    for _ in 0..n {
        black_box(decide(black_box(&evaluation)));
    }
    let per_decide = start.elapsed().as_nanos() as f64 / f64::from(n);

    println!(
        "10-statement identity policy: {per_eval:.0} ns/evaluate; identity + bucket policy: {per_decide:.0} ns/decide ({:?})",
        identity.evaluate(&request)
    );
}
