//! Several policies, one request, the decision AWS's evaluation logic documents
//! ("Policy evaluation logic", "Cross-account policy evaluation logic", "Permissions
//! boundaries for IAM entities", "Session policies" in the IAM User Guide).

mod harness;

use harness::*;
use strata_policy::{
    decide, DecidedBy, Decision, DecisionEffect, Evaluation, Policy, PolicyKind, Request,
};

const OBJ: &str = "arn:aws:s3:::photos/a.jpg";

const ALLOW_GET: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const ALLOW_PUT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#;
const DENY_GET: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#;
const ALLOW_STS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;

fn bucket(principal: &str, effect: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}}]}}"#
    )
}

/// One scenario: the policies in force and the expected decision.
struct Case {
    cite: &'static str,
    who: Who,
    action: &'static str,
    identity: Vec<&'static str>,
    resource: Option<(String, PolicyKind)>,
    owner: Option<&'static str>,
    session: Vec<&'static str>,
    boundary: Option<&'static str>,
    acl: bool,
    expect: (DecisionEffect, DecidedBy),
}

fn case(cite: &'static str, who: Who, expect: (DecisionEffect, DecidedBy)) -> Case {
    Case {
        cite,
        who,
        action: "s3:GetObject",
        identity: vec![],
        resource: None,
        owner: Some(ACCOUNT),
        session: vec![],
        boundary: None,
        acl: false,
        expect,
    }
}

impl Case {
    fn identity(mut self, docs: &[&'static str]) -> Self {
        self.identity = docs.to_vec();
        self
    }
    fn bucket(mut self, doc: String) -> Self {
        self.resource = Some((doc, PolicyKind::Resource));
        self
    }
    fn trust(mut self, doc: &str) -> Self {
        self.resource = Some((doc.to_string(), PolicyKind::Trust));
        self.action = "sts:AssumeRole";
        self
    }
    fn owner(mut self, owner: &'static str) -> Self {
        self.owner = Some(owner);
        self
    }
    fn session(mut self, docs: &[&'static str]) -> Self {
        self.session = docs.to_vec();
        self
    }
    fn boundary(mut self, doc: &'static str) -> Self {
        self.boundary = Some(doc);
        self
    }
    fn acl(mut self) -> Self {
        self.acl = true;
        self
    }

    fn run(&self) -> Decision {
        let parse_all =
            |docs: &[&str], kind| -> Vec<Policy> { docs.iter().map(|d| parse(d, kind)).collect() };
        let identity = parse_all(&self.identity, PolicyKind::Identity);
        let identity: Vec<&Policy> = identity.iter().collect();
        let session = parse_all(&self.session, PolicyKind::Session);
        let session: Vec<&Policy> = session.iter().collect();
        let boundary = self.boundary.map(|d| parse(d, PolicyKind::Boundary));
        let resource = self.resource.as_ref().map(|(d, k)| parse(d, *k));
        let caller = caller(self.who);
        let context = context(&[]);
        let target = if self.action.starts_with("sts:") {
            "arn:aws:iam::111122223333:role/builder"
        } else {
            OBJ
        };
        let request = Request {
            action: self.action,
            resource: Some(target),
            caller: &caller,
            context: &context,
        };
        decide(&Evaluation {
            request: &request,
            identity: &identity,
            resource_policy: resource.as_ref(),
            resource_owner: self.owner,
            session_policies: &session,
            boundary: boundary.as_ref(),
            acl_grant: self.acl,
        })
    }
}

use DecidedBy as By;
use DecisionEffect::{Allow, ExplicitDeny as XDeny, ImplicitDeny as IDeny};

fn cases() -> Vec<Case> {
    let bob = || format!(r#"{{"AWS":"{BOB_ARN}"}}"#);
    let own_account = || format!(r#"{{"AWS":"{ACCOUNT}"}}"#);
    let other_account = || format!(r#"{{"AWS":"{OTHER_ACCOUNT}"}}"#);
    let role = || format!(r#"{{"AWS":"{ROLE_ARN}"}}"#);
    let session = || format!(r#"{{"AWS":"{SESSION_ARN}"}}"#);
    vec![
        // Policy evaluation logic: the basics.
        case("Evaluation logic: an identity Allow within the account suffices", Who::Bob, (Allow, By::Identity)).identity(&[ALLOW_GET]),
        case("Evaluation logic: no Allow anywhere is an implicit deny", Who::Bob, (IDeny, By::Identity)),
        case("Evaluation logic: an Allow for another action does not help", Who::Bob, (IDeny, By::Identity)).identity(&[ALLOW_PUT]),
        case("Evaluation logic: a Deny in any identity policy (a group's) wins", Who::Bob, (XDeny, By::Identity)).identity(&[ALLOW_GET, DENY_GET]),
        case("Evaluation logic: a Deny in the resource policy wins over an identity Allow", Who::Bob, (XDeny, By::Resource)).identity(&[ALLOW_GET]).bucket(bucket("\"*\"", "Deny")),
        // Same account, resource policies.
        case("Same account: a bucket policy naming the user suffices without an identity Allow", Who::Bob, (Allow, By::Resource)).bucket(bucket(&bob(), "Allow")),
        case("Same account: a bucket policy naming the account delegates to identity policies", Who::Bob, (IDeny, By::Identity)).bucket(bucket(&own_account(), "Allow")),
        case("Same account: ... and with an identity Allow it is allowed", Who::Bob, (Allow, By::Identity)).identity(&[ALLOW_GET]).bucket(bucket(&own_account(), "Allow")),
        case("Same account: a bucket policy naming someone else does not help", Who::Eve, (IDeny, By::Identity)).bucket(bucket(&bob(), "Allow")),
        case("Same account: a public bucket policy allows users without identity policies", Who::Eve, (Allow, By::Resource)).bucket(bucket("\"*\"", "Allow")),
        case("Same account: a bucket policy naming the role allows its sessions", Who::Session, (Allow, By::Resource)).bucket(bucket(&role(), "Allow")),
        // Cross-account.
        case("Cross-account: identity Allow and bucket policy Allow", Who::Carol, (Allow, By::Resource)).identity(&[ALLOW_GET]).bucket(bucket(&other_account(), "Allow")),
        case("Cross-account: identity Allow without a bucket policy is denied", Who::Carol, (IDeny, By::Resource)).identity(&[ALLOW_GET]),
        case("Cross-account: a bucket policy naming the user needs the user's identity Allow too", Who::Carol, (IDeny, By::Identity)).bucket(bucket(&format!(r#"{{"AWS":"{CAROL_ARN}"}}"#), "Allow")),
        case("Cross-account: an ACL grant stands for the resource side", Who::Carol, (Allow, By::Acl)).identity(&[ALLOW_GET]).acl(),
        case("Cross-account: a Deny in the caller's identity policies wins over the bucket policy", Who::Carol, (XDeny, By::Identity)).identity(&[ALLOW_GET, DENY_GET]).bucket(bucket(&other_account(), "Allow")),
        case("Cross-account: the bucket policy must name the caller's account", Who::Carol, (IDeny, By::Resource)).identity(&[ALLOW_GET]).bucket(bucket(&own_account(), "Allow")),
        // Anonymous.
        case("Anonymous: a public bucket policy allows", Who::Anonymous, (Allow, By::Resource)).bucket(bucket("\"*\"", "Allow")),
        case("Anonymous: nothing public is an implicit deny", Who::Anonymous, (IDeny, By::Resource)).bucket(bucket(&own_account(), "Allow")),
        case("Anonymous: a public-read ACL allows", Who::Anonymous, (Allow, By::Acl)).acl(),
        // Permissions boundaries.
        case("Boundaries: the boundary must also allow", Who::Bob, (IDeny, By::Boundary)).identity(&[ALLOW_GET]).boundary(ALLOW_PUT),
        case("Boundaries: identity and boundary both allow", Who::Bob, (Allow, By::Identity)).identity(&[ALLOW_GET]).boundary(ALLOW_GET),
        case("Boundaries: a boundary grants nothing by itself", Who::Bob, (IDeny, By::Identity)).boundary(ALLOW_GET),
        case("Boundaries: a Deny in the boundary wins", Who::Bob, (XDeny, By::Boundary)).identity(&[ALLOW_GET]).boundary(DENY_GET),
        case("Boundaries: a bucket policy naming the IAM user is not limited by the boundary", Who::Bob, (Allow, By::Resource)).boundary(ALLOW_PUT).bucket(bucket(&bob(), "Allow")),
        case("Boundaries: a bucket policy naming the role is limited by the boundary", Who::Session, (IDeny, By::Boundary)).boundary(ALLOW_PUT).bucket(bucket(&role(), "Allow")),
        case("Boundaries: cross-account access is limited by the boundary", Who::Carol, (IDeny, By::Boundary)).identity(&[ALLOW_GET]).boundary(ALLOW_PUT).bucket(bucket(&other_account(), "Allow")),
        // Session policies.
        case("Session policies: the session policy must also allow", Who::Session, (IDeny, By::Session)).identity(&[ALLOW_GET]).session(&[ALLOW_PUT]),
        case("Session policies: identity and session policy both allow", Who::Session, (Allow, By::Identity)).identity(&[ALLOW_GET]).session(&[ALLOW_GET]),
        case("Session policies: any one of several session policies may allow", Who::Session, (Allow, By::Identity)).identity(&[ALLOW_GET]).session(&[ALLOW_PUT, ALLOW_GET]),
        case("Session policies: a session policy grants nothing by itself", Who::Session, (IDeny, By::Identity)).session(&[ALLOW_GET]),
        case("Session policies: a Deny in a session policy wins", Who::Session, (XDeny, By::Session)).identity(&[ALLOW_GET]).session(&[DENY_GET]),
        case("Session policies: a bucket policy naming the session ARN is not limited", Who::Session, (Allow, By::Resource)).session(&[ALLOW_PUT]).bucket(bucket(&session(), "Allow")),
        case("Session policies: a bucket policy naming the role ARN is limited", Who::Session, (IDeny, By::Session)).session(&[ALLOW_PUT]).bucket(bucket(&role(), "Allow")),
        // The root user.
        case("Root: full access to its own account's resources without policies", Who::Root, (Allow, By::Root)),
        case("Root: explicit denies in a bucket policy still apply", Who::Root, (XDeny, By::Resource)).bucket(bucket(&own_account(), "Deny")),
        case("Root: another account's bucket needs that bucket's policy", Who::OtherRoot, (IDeny, By::Resource)),
        case("Root: another account's bucket policy naming the account allows", Who::OtherRoot, (Allow, By::Resource)).bucket(bucket(&other_account(), "Allow")),
        // Trust policies (sts:AssumeRole, the role is the resource).
        case("Trust: a trust policy naming the user allows within the account", Who::Bob, (Allow, By::Resource)).trust(&format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{BOB_ARN}"}},"Action":"sts:AssumeRole"}}]}}"#)),
        case("Trust: another account named in the trust policy also needs its identity Allow", Who::Carol, (IDeny, By::Identity)).trust(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}"#),
        case("Trust: cross-account with both allowing", Who::Carol, (Allow, By::Resource)).identity(&[ALLOW_STS]).trust(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}"#),
        case("Trust: an identity Allow without the trust policy naming the caller", Who::Carol, (IDeny, By::Resource)).identity(&[ALLOW_STS]).trust(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}"#),
        case("Resource owner: the same account given explicitly", Who::Bob, (Allow, By::Identity)).identity(&[ALLOW_GET]).owner(ACCOUNT),
    ]
}

#[test]
fn every_case_decides_as_aws_documents() {
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let got = c.run();
        if (got.effect, got.by) != c.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:?}",
                c.cite, c.expect, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn a_missing_resource_owner_means_the_callers_account() {
    let identity = [parse(ALLOW_GET, PolicyKind::Identity)];
    let identity: Vec<&Policy> = identity.iter().collect();
    let caller = caller(Who::Bob);
    let context = context(&[]);
    let request = Request {
        action: "s3:GetObject",
        resource: Some(OBJ),
        caller: &caller,
        context: &context,
    };
    let decision = decide(&Evaluation {
        request: &request,
        identity: &identity,
        resource_policy: None,
        resource_owner: None,
        session_policies: &[],
        boundary: None,
        acl_grant: false,
    });
    assert!(decision.is_allowed());
    assert_eq!(decision.by, DecidedBy::Identity);
}
