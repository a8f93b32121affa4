use std::collections::BTreeMap;

use super::*;

fn parse_with(pairs: &[(&str, &str)]) -> Result<Request, AnnotationError> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    parse(&map)
}

fn problem(pairs: &[(&str, &str)]) -> String {
    match parse_with(pairs) {
        Err(e) => e.to_string(),
        Ok(r) => panic!("expected an error, got {r:?}"),
    }
}

#[test]
fn volumes_parse_into_classes_in_order_with_spaces_ignored() {
    let req = parse_with(&[(
        VOLUMES,
        "fast=nvme-0, nvme-1,nvme-2,nvme-3 ; bulk=hdd-0,hdd-1",
    )])
    .expect("valid");
    assert_eq!(req.classes.len(), 2);
    assert_eq!(req.classes[0].name, "fast");
    assert_eq!(
        req.classes[0].volumes,
        ["nvme-0", "nvme-1", "nvme-2", "nvme-3"]
    );
    assert_eq!(req.classes[1].volumes, ["hdd-0", "hdd-1"]);
    assert_eq!(req.credentials, Credentials::WebIdentity { role_arn: None });
    assert_eq!(req.resources.cpu_request, "100m");
    assert_eq!(req.resources.memory_limit.as_deref(), Some("1Gi"));
}

#[test]
fn missing_volumes_annotation_says_what_to_write() {
    assert!(problem(&[]).contains("annotation strata.io/volumes is required"));
}

#[test]
fn malformed_volume_specs_name_the_problem() {
    assert!(problem(&[(VOLUMES, "fast")]).contains("must be CLASS=VOLUME"));
    assert!(problem(&[(VOLUMES, "Fast=a")]).contains("storage class name \"Fast\""));
    assert!(problem(&[(VOLUMES, "fast=a,,b")]).contains("empty volume name"));
    assert!(problem(&[(VOLUMES, "fast=a;fast=b")]).contains("listed twice"));
    assert!(problem(&[(VOLUMES, "fast=a;bulk=a")]).contains("volume \"a\" is listed twice"));
    assert!(problem(&[(VOLUMES, "fast=a_b")]).contains("volume name \"a_b\""));
}

#[test]
fn erasure_must_match_the_volume_count_of_a_known_class() {
    let v = (VOLUMES, "fast=a,b,c,d;bulk=e,f");
    let req = parse_with(&[v, (ERASURE, "fast=2+2; bulk=mirror")]).expect("valid");
    assert_eq!(
        req.classes[0].scheme,
        Some(Scheme::Erasure { data: 2, parity: 2 })
    );
    assert_eq!(req.classes[1].scheme, Some(Scheme::Mirror));
    assert!(problem(&[v, (ERASURE, "fast=2+1")]).contains("has 4 volumes but \"2+1\" needs 3"));
    assert!(
        problem(&[v, (ERASURE, "cold=mirror")]).contains("\"cold\" is not in strata.io/volumes")
    );
    assert!(problem(&[v, (ERASURE, "fast=raid5")]).contains("is not K+M, mirror or none"));
    assert!(problem(&[v, (ERASURE, "fast=0+4")]).contains("K (data shards) must be at least 1"));
    assert!(
        problem(&[(VOLUMES, "one=a"), (ERASURE, "one=mirror")]).contains("mirror needs at least 2")
    );
}

#[test]
fn bucket_names_follow_s3_rules_and_strata_is_reserved() {
    let v = (VOLUMES, "fast=a");
    assert_eq!(
        parse_with(&[v, (BUCKETS, "uploads, reports,uploads")])
            .expect("valid")
            .buckets,
        ["uploads", "reports"]
    );
    for bad in ["Up", "ab", "a..b", "-ab", "192.168.1.1", "under_score"] {
        assert!(
            problem(&[v, (BUCKETS, bad)]).contains("not a valid bucket name"),
            "{bad}"
        );
    }
    assert!(problem(&[v, (BUCKETS, "strata")]).contains("reserved"));
}

#[test]
fn credentials_come_from_a_secret_or_a_role_but_not_both() {
    let v = (VOLUMES, "fast=a");
    assert_eq!(
        parse_with(&[v, (CREDENTIALS_SECRET, "keys")])
            .expect("valid")
            .credentials,
        Credentials::Secret("keys".to_owned())
    );
    let role = "arn:aws:iam::000000000000:role/app";
    assert_eq!(
        parse_with(&[v, (ROLE_ARN, role)])
            .expect("valid")
            .credentials,
        Credentials::WebIdentity {
            role_arn: Some(role.to_owned())
        }
    );
    assert!(problem(&[v, (ROLE_ARN, "admin")]).contains("is not an ARN"));
    assert!(
        problem(&[v, (ROLE_ARN, role), (CREDENTIALS_SECRET, "keys")])
            .contains("cannot be combined")
    );
    assert!(problem(&[v, (CREDENTIALS_SECRET, "Bad_Name")]).contains("not a valid object name"));
}

#[test]
fn resources_are_quantities_and_limits_are_not_below_requests() {
    let v = (VOLUMES, "fast=a");
    let req = parse_with(&[
        v,
        (CPU_REQUEST, "250m"),
        (CPU_LIMIT, "1"),
        (MEMORY_REQUEST, "256Mi"),
    ])
    .expect("valid");
    assert_eq!(req.resources.cpu_limit.as_deref(), Some("1"));
    assert!(problem(&[v, (MEMORY_REQUEST, "lots")])
        .contains("strata.io/memory-request: \"lots\" is not a Kubernetes quantity"));
    assert!(problem(&[v, (MEMORY_REQUEST, "2Gi")]).contains("limit 1Gi is below the request 2Gi"));
}

#[test]
fn booleans_are_exactly_true_or_false() {
    let v = (VOLUMES, "fast=a");
    assert_eq!(
        parse_with(&[v, (NATIVE_SIDECAR, "false")])
            .expect("valid")
            .native_sidecar,
        Some(false)
    );
    assert!(problem(&[v, (NATIVE_SIDECAR, "no")]).contains("must be \"true\" or \"false\""));
}
