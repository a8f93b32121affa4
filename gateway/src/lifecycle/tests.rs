//! Validation and evaluation of lifecycle rules.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::clock::{LifecycleClock, DAY};
use super::min_size::MinSize;
use super::rules::{Expiration, Lifecycle, Subject};
use crate::s3::error::{Code, S3Error};

/// The classes of a store with `STANDARD_IA` and `GLACIER` below `STANDARD`.
const CLASSES: [&str; 3] = ["STANDARD", "STANDARD_IA", "GLACIER"];

fn known(name: &str) -> Result<(), S3Error> {
    match CLASSES[1..].contains(&name) {
        true => Ok(()),
        false => Err(Code::InvalidStorageClass.with(name)),
    }
}

fn rank(name: &str) -> Option<usize> {
    CLASSES.iter().position(|c| *c == name)
}

fn config(rules: &str) -> String {
    format!("<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{rules}</LifecycleConfiguration>")
}

fn parse(rules: &str) -> Result<Lifecycle, (Code, String)> {
    Lifecycle::parse_for_put(config(rules).as_bytes(), &known)
        .map(|(l, _)| l)
        .map_err(|e| (e.code, e.message))
}

fn refused(rules: &str) -> Code {
    match parse(rules) {
        Ok(l) => panic!("accepted: {l:?}"),
        Err((code, _)) => code,
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

const OBJECT: Subject<'static> = Subject {
    key: "logs/a",
    size: 100,
    tags: &[],
};

#[test]
fn a_valid_document_compiles_its_enabled_rules_and_names_the_unnamed() {
    let body = config(concat!(
        "<Rule><ID>old-logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>",
        "<Expiration><Days>3</Days></Expiration></Rule>",
        "<Rule><Filter><And><Prefix>tmp/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>",
        "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>",
        "<NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays>",
        "<NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>",
        "<Rule><ID>off</ID><Prefix></Prefix><Status>Disabled</Status>",
        "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>",
    ));
    let (rules, stored) = Lifecycle::parse_for_put(body.as_bytes(), &known).unwrap();
    assert_eq!(
        rules.rules.len(),
        2,
        "the disabled rule is kept but not compiled"
    );
    assert_eq!(rules.rules[0].id, "old-logs");
    assert_eq!(rules.rules[0].expiration, Some(Expiration::Days(3)));
    let second = &rules.rules[1];
    assert_eq!(second.id.len(), 32, "an ID was given");
    assert_eq!(second.filter.prefix, "tmp/");
    assert_eq!(second.filter.tags, vec![("k".into(), "v".into())]);
    assert_eq!(second.filter.size_greater, Some(10));
    assert_eq!(
        second.noncurrent.map(|n| (n.days, n.keep_newer)),
        Some((2, Some(3)))
    );
    // The stored document keeps every rule, the given ID and a normalized date.
    let stored = String::from_utf8(stored).unwrap();
    assert!(
        stored.contains(&format!("<ID>{}</ID>", second.id)),
        "{stored}"
    );
    assert!(stored.contains("<Status>Disabled</Status>"), "{stored}");
    assert!(
        stored.contains("<Date>2030-01-01T00:00:00.000Z</Date>"),
        "{stored}"
    );
    assert_eq!(
        Lifecycle::decode(stored.as_bytes(), MinSize::Unset).unwrap(),
        rules
    );
}

#[test]
fn documents_aws_refuses_are_refused_with_its_codes() {
    let rule = |filter: &str, actions: &str| {
        format!("<Rule><ID>r</ID>{filter}<Status>Enabled</Status>{actions}</Rule>")
    };
    let days = "<Expiration><Days>1</Days></Expiration>";
    let all = "<Filter></Filter>";
    assert_eq!(refused(""), Code::MalformedXML);
    assert_eq!(
        refused(&format!("{}{}", rule(all, days), rule(all, days))),
        Code::InvalidArgument
    );
    assert_eq!(
        refused(&rule(all, days).replace("Enabled", "enabled")),
        Code::MalformedXML
    );
    assert_eq!(
        refused(&rule("<Prefix>a</Prefix><Filter></Filter>", days)),
        Code::MalformedXML
    );
    assert_eq!(refused(&rule("", days)), Code::MalformedXML);
    assert_eq!(
        refused(&rule(
            "<Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>",
            days
        )),
        Code::MalformedXML
    );
    assert_eq!(
        refused(&rule("<Filter><Prefx>a</Prefx></Filter>", days)),
        Code::MalformedXML
    );
    let and = |inner: &str| format!("<Filter><And>{inner}</And></Filter>");
    let tag = |k: &str| format!("<Tag><Key>{k}</Key><Value>v</Value></Tag>");
    assert_eq!(
        refused(&rule(&and(&(tag("k") + &tag("k"))), days)),
        Code::InvalidRequest
    );
    assert_eq!(
        refused(&rule(&and("<ObjectSizeGreaterThan>9</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan>"), days)),
        Code::InvalidRequest
    );
    assert_eq!(refused(&rule(all, "")), Code::InvalidRequest);
    for bad in [
        "<Days>0</Days>",
        "<Days>-1</Days>",
        "<Date>2030-01-01T10:00:00Z</Date>",
        "<Date>soon</Date>",
    ] {
        assert_eq!(
            refused(&rule(all, &format!("<Expiration>{bad}</Expiration>"))),
            Code::InvalidArgument,
            "{bad}"
        );
    }
    assert_eq!(
        refused(&rule(all, "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")),
        Code::MalformedXML
    );
    let marker =
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>";
    assert_eq!(
        refused(&rule(&and(&tag("k")), marker)),
        Code::InvalidRequest
    );
    let abort = "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>";
    assert_eq!(
        refused(&rule(&format!("<Filter>{}</Filter>", tag("k")), abort)),
        Code::InvalidRequest
    );
    assert_eq!(
        refused(&rule(
            "<Filter><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>",
            abort
        )),
        Code::InvalidRequest
    );
    assert_eq!(
        refused(&rule(all, "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>")),
        Code::InvalidArgument
    );
    assert_eq!(
        refused(&rule(all, "<NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>")),
        Code::InvalidArgument
    );
    let to = |when: &str, class: &str| {
        format!("<Transition>{when}<StorageClass>{class}</StorageClass></Transition>")
    };
    assert_eq!(
        refused(&rule(all, &to("<Days>1</Days>", "ONEZONE_IA"))),
        Code::InvalidStorageClass
    );
    assert_eq!(
        refused(&rule(all, &to("<Days>1</Days>", ""))),
        Code::MalformedXML
    );
    assert_eq!(
        refused(&rule(all, &to("<Days>-1</Days>", "GLACIER"))),
        Code::InvalidArgument
    );
    assert_eq!(refused(&rule(all, &to("", "GLACIER"))), Code::MalformedXML);
    assert_eq!(
        refused(&rule(
            all,
            &(to("<Days>1</Days>", "GLACIER") + &to("<Days>2</Days>", "GLACIER"))
        )),
        Code::InvalidArgument
    );
    assert_eq!(
        refused(&rule(
            all,
            &(to("<Days>1</Days>", "STANDARD_IA") + &to("<Date>2030-01-01</Date>", "GLACIER"))
        )),
        Code::InvalidRequest
    );
    assert_eq!(
        refused(&rule(all, "<NoncurrentVersionTransition><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>")),
        Code::InvalidArgument
    );
}

#[test]
fn a_due_transition_goes_to_the_coldest_class_and_respects_the_floor() {
    let mut rules = parse(concat!(
        "<Rule><ID>down</ID><Filter></Filter><Status>Enabled</Status>",
        "<Transition><Days>1</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
        "<Transition><Days>3</Days><StorageClass>GLACIER</StorageClass></Transition>",
        "<NoncurrentVersionTransition><NoncurrentDays>0</NoncurrentDays><StorageClass>GLACIER</StorageClass>",
        "<NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionTransition></Rule>",
    ))
    .unwrap();
    let clock = LifecycleClock::default();
    let day = |n: u64| at(n * 86_400);
    let current =
        |rules: &Lifecycle, now| rules.current_transition(&clock, OBJECT, at(0), now, &rank);
    assert_eq!(current(&rules, at(100)), None);
    assert_eq!(current(&rules, day(1)).as_deref(), Some("STANDARD_IA"));
    assert_eq!(
        current(&rules, day(3)).as_deref(),
        Some("GLACIER"),
        "straight to the coldest"
    );
    let noncurrent = |rules: &Lifecycle, newer| {
        rules.noncurrent_transition(&clock, OBJECT, at(0), newer, at(0), &rank)
    };
    assert_eq!(
        noncurrent(&rules, 0),
        None,
        "the newest noncurrent version is kept"
    );
    assert_eq!(noncurrent(&rules, 1).as_deref(), Some("GLACIER"));
    // AWS's floor, when a configuration asks for it: 100 bytes stay, unless the class is an
    // archive one (varies_by_storage_class).
    rules.min_size = MinSize::AllClasses;
    assert_eq!(current(&rules, day(3)), None);
    rules.min_size = MinSize::VariesByClass;
    assert_eq!(current(&rules, day(1)), None);
    assert_eq!(current(&rules, day(3)).as_deref(), Some("GLACIER"));
    let big = Subject {
        size: 1 << 20,
        ..OBJECT
    };
    assert_eq!(
        rules
            .current_transition(&clock, big, at(0), day(1), &rank)
            .as_deref(),
        Some("STANDARD_IA")
    );
}

#[test]
fn an_action_falls_due_at_the_next_day_boundary() {
    let clock = LifecycleClock::default();
    // AWS's example: written 2014-01-15 10:30 UTC, expiring after 3 days: 2014-01-19 00:00.
    let written = at(1_389_781_800);
    assert_eq!(clock.due_after(written, 3), at(1_390_089_600));
    // Written at a boundary: exactly the days later.
    assert_eq!(clock.due_after(at(86_400), 1), at(2 * 86_400));
    let short = LifecycleClock::new(Duration::from_secs(2));
    assert_eq!(short.due_after(at(11), 1), at(14));
    assert_eq!(short.day_start(5), at(10));
    assert_eq!(LifecycleClock::new(DAY).day_start(1), at(86_400));
}

#[test]
fn the_earliest_matching_rule_decides() {
    let rules = parse(concat!(
        "<Rule><ID>late</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>10</Days></Expiration></Rule>",
        "<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
        "<Rule><ID>big</ID><Filter><ObjectSizeGreaterThan>1000</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
        "<Rule><ID>tagged</ID><Filter><Tag><Key>t</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
    ))
    .unwrap();
    let clock = LifecycleClock::default();
    let due = rules.current_expiry(&clock, OBJECT, at(0)).unwrap();
    assert_eq!((due.rule_id.as_str(), due.at), ("logs", at(2 * 86_400)));
    let other = Subject { key: "x", ..OBJECT };
    assert_eq!(
        rules.current_expiry(&clock, other, at(0)).unwrap().rule_id,
        "late"
    );
    let big = Subject {
        size: 1001,
        ..other
    };
    assert_eq!(
        rules.current_expiry(&clock, big, at(0)).unwrap().rule_id,
        "big"
    );
    let tags = [
        ("t".to_string(), "1".to_string()),
        ("u".to_string(), "2".to_string()),
    ];
    let tagged = Subject {
        tags: &tags,
        ..other
    };
    assert_eq!(
        rules.current_expiry(&clock, tagged, at(0)).unwrap().rule_id,
        "tagged"
    );
    // Days rules remove a lone delete marker once it is as old; no noncurrent or abort rule.
    assert_eq!(
        rules.marker_expiry(&clock, "x", at(0)).unwrap().at,
        at(10 * 86_400)
    );
    assert_eq!(rules.noncurrent_expiry(&clock, OBJECT, at(0), 5), None);
    assert_eq!(rules.abort_upload(&clock, "logs/a", at(0)), None);
}

#[test]
fn noncurrent_versions_markers_and_uploads_have_their_own_rules() {
    let rules = parse(concat!(
        "<Rule><ID>nc</ID><Filter></Filter><Status>Enabled</Status>",
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
        "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>4</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>",
    ))
    .unwrap();
    let clock = LifecycleClock::default();
    // Two newer noncurrent versions are kept whatever their age; the third goes a day after
    // it became noncurrent.
    assert_eq!(rules.noncurrent_expiry(&clock, OBJECT, at(100), 1), None);
    assert_eq!(
        rules
            .noncurrent_expiry(&clock, OBJECT, at(100), 2)
            .unwrap()
            .at,
        at(2 * 86_400)
    );
    assert_eq!(
        rules.current_expiry(&clock, OBJECT, at(0)),
        None,
        "markers only"
    );
    assert_eq!(rules.marker_expiry(&clock, "k", at(7)).unwrap().at, at(7));
    assert_eq!(
        rules.abort_upload(&clock, "k", at(0)).unwrap().at,
        at(4 * 86_400)
    );
}
