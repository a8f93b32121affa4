//! The common case (no policy variable to substitute) evaluates without allocating: the
//! gateway evaluates per request. Counted per thread by a wrapping allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use strata_policy::{
    decide, Caller, ContextMap, Evaluation, Outcome, Policy, PolicyKind, PrincipalType, Request,
};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers every call to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]},
  {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
  {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"},"DateGreaterThan":{"aws:CurrentTime":"2030-01-01"}}},
  {"Effect":"Allow","Action":"s3:PutObjectTagging","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["t*"]},"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
  {"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::x/*"}
]}"#;

const BUCKET: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:user/x"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#;

#[test]
fn evaluating_and_deciding_without_variables_allocates_nothing() {
    let identity = Policy::parse(IDENTITY, PolicyKind::Identity).unwrap();
    let bucket = Policy::parse(BUCKET, PolicyKind::Resource).unwrap();
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
    let tag_keys = ["team", "tier"];
    let context = ContextMap::new()
        .with("aws:SourceIp", "10.1.2.3")
        .with("aws:SecureTransport", "true")
        .with("aws:CurrentTime", "2026-12-03T16:00:00Z")
        .with_many("aws:TagKeys", &tag_keys);
    let get = Request {
        action: "s3:GetObject",
        resource: Some("arn:aws:s3:::photos/a.jpg"),
        caller: &caller,
        context: &context,
    };
    let tagging = Request {
        action: "s3:PutObjectTagging",
        ..get
    };
    let identities = [&identity];
    let evaluation = Evaluation {
        request: &get,
        identity: &identities,
        resource_policy: Some(&bucket),
        resource_owner: Some("111122223333"),
        session_policies: &[],
        boundary: None,
        acl_grant: false,
    };
    let mut outcomes = Vec::with_capacity(4);
    let count = allocations_during(|| {
        outcomes.push(identity.evaluate(&get));
        outcomes.push(identity.evaluate(&tagging));
        outcomes.push(bucket.evaluate(&get));
        outcomes.push(if decide(&evaluation).is_allowed() {
            Outcome::Allow
        } else {
            Outcome::Deny
        });
    });
    assert_eq!(outcomes, vec![Outcome::Allow; 4]);
    assert_eq!(count, 0, "allocations during evaluation");
}

#[test]
fn the_counter_sees_the_allocation_a_variable_substitution_makes() {
    let policy = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#,
        PolicyKind::Identity,
    )
    .unwrap();
    let caller = Caller {
        user_name: Some("bob"),
        kind: PrincipalType::User,
        arn: "arn:aws:iam::111122223333:user/bob",
        account_id: "111122223333",
        ..Caller::anonymous()
    };
    let context = ContextMap::new();
    let req = Request {
        action: "s3:GetObject",
        resource: Some("arn:aws:s3:::home/bob/x"),
        caller: &caller,
        context: &context,
    };
    let mut outcome = Outcome::NotApplicable;
    let count = allocations_during(|| outcome = policy.evaluate(&req));
    assert_eq!(outcome, Outcome::Allow);
    assert!(count > 0, "substitution builds the resolved pattern");
}
