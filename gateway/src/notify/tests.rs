//! Bucket notifications: the configuration document and its validation, matching, the
//! message shapes, and the notifier over a real stack and store.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use md5::{Digest, Md5};

use super::*;
use crate::config::Limits;
use crate::observe::{Backpressure, Observe};
use crate::s3::xml::{from_xml, to_xml};
use crate::testing::TestStack;
use crate::transform::Identity;

const HOOK: &str = "arn:strata:sqs:us-east-1::hook";

fn known(arn: &str) -> bool {
    arn == HOOK
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("assigned-{n}")
    }
}

fn parse(xml: &str) -> NotificationConfiguration {
    from_xml(xml.as_bytes()).expect("the document parses")
}

fn validate(xml: &str) -> Result<BucketRules, RuleError> {
    parse(xml).validate_into(&known, &mut ids())
}

fn queue(id: &str, events: &[&str], prefix: Option<&str>, suffix: Option<&str>) -> String {
    let mut rules = String::new();
    for (name, value) in [("prefix", prefix), ("suffix", suffix)] {
        if let Some(v) = value {
            rules.push_str(&format!(
                "<FilterRule><Name>{name}</Name><Value>{v}</Value></FilterRule>"
            ));
        }
    }
    let filter = if rules.is_empty() {
        String::new()
    } else {
        format!("<Filter><S3Key>{rules}</S3Key></Filter>")
    };
    let events: String = events
        .iter()
        .map(|e| format!("<Event>{e}</Event>"))
        .collect();
    format!("<QueueConfiguration><Id>{id}</Id>{filter}<Queue>{HOOK}</Queue>{events}</QueueConfiguration>")
}

fn doc(configs: &[String]) -> String {
    format!(
        "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{}</NotificationConfiguration>",
        configs.concat()
    )
}

#[test]
fn the_aws_example_document_parses_into_queue_and_topic_rules() {
    let xml = format!(
        "<NotificationConfiguration>\
           <TopicConfiguration><Topic>{HOOK}</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>\
           <QueueConfiguration><Id>images</Id>\
             <Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule>\
             <FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>\
             <Queue>{HOOK}</Queue><Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Copy</Event>\
           </QueueConfiguration>\
         </NotificationConfiguration>"
    );
    let rules = validate(&xml).unwrap();
    let r = rules.rules();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].id, "images");
    assert_eq!(
        (r[0].prefix.as_str(), r[0].suffix.as_str()),
        ("images/", ".jpg")
    );
    assert_eq!(
        r[0].events,
        vec![
            EventName::Exactly(EventType::CreatedPut),
            EventName::Exactly(EventType::CreatedCopy)
        ]
    );
    assert_eq!(r[1].id, "assigned-1");
    assert_eq!(r[1].events, vec![EventName::RemovedAny]);
}

#[test]
fn a_put_configuration_is_stored_with_its_assigned_ids_and_reads_back_the_same() {
    let mut d = parse(&format!(
        "<NotificationConfiguration><QueueConfiguration><Queue>{HOOK}</Queue>\
         <Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>"
    ));
    d.validate_into(&known, &mut ids()).unwrap();
    assert_eq!(d.QueueConfiguration[0].Id.as_deref(), Some("assigned-1"));
    let stored = to_xml(&d).unwrap();
    let text = std::str::from_utf8(&stored).unwrap();
    assert!(text.contains("<Id>assigned-1</Id>"), "{text}");
    assert!(
        text.contains("xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""),
        "{text}"
    );
    let again: NotificationConfiguration = from_xml(&stored).unwrap();
    assert_eq!(again, d);
}

#[test]
fn an_empty_configuration_has_no_rules_and_answers_an_empty_document() {
    assert!(validate("<NotificationConfiguration/>").unwrap().is_empty());
    let empty = to_xml(&NotificationConfiguration::empty()).unwrap();
    assert_eq!(
        std::str::from_utf8(&empty).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
    );
}

#[test]
fn unknown_elements_are_malformed_rather_than_ignored() {
    // `Key` instead of `S3Key` would otherwise widen the rule to every key.
    let xml = format!(
        "<NotificationConfiguration><QueueConfiguration><Filter><Key><FilterRule><Name>prefix</Name>\
         <Value>a/</Value></FilterRule></Key></Filter><Queue>{HOOK}</Queue>\
         <Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>"
    );
    assert!(from_xml::<NotificationConfiguration>(xml.as_bytes()).is_err());
}

#[test]
fn lambda_and_eventbridge_destinations_are_refused_not_stored() {
    let lambda = "<NotificationConfiguration><CloudFunctionConfiguration>\
        <CloudFunction>arn:aws:lambda:us-east-1:1:function:f</CloudFunction>\
        <Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration></NotificationConfiguration>";
    assert_eq!(
        validate(lambda),
        Err(RuleError::UnsupportedDestination(
            "CloudFunctionConfiguration (Lambda)"
        ))
    );
    let bridge =
        "<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>";
    assert_eq!(
        validate(bridge),
        Err(RuleError::UnsupportedDestination(
            "EventBridgeConfiguration"
        ))
    );
}

#[test]
fn an_unknown_destination_is_named_in_awss_invalid_argument() {
    let xml = "<NotificationConfiguration><TopicConfiguration>\
        <Topic>arn:aws:sns:us-east-1:123:nope</Topic><Event>s3:ObjectCreated:*</Event>\
        </TopicConfiguration></NotificationConfiguration>";
    let err = validate(xml).unwrap_err();
    assert_eq!(
        err,
        RuleError::UnknownDestination(vec!["arn:aws:sns:us-east-1:123:nope".into()])
    );
    let s3 = crate::s3::error::S3Error::from(err);
    assert_eq!(s3.code, crate::s3::error::Code::InvalidArgument);
    assert!(s3
        .message
        .starts_with("Unable to validate the following destination configurations"));
}

#[test]
fn event_names_are_checked() {
    let unknown = doc(&[queue("a", &["s3:ObjectCreated:Gone"], None, None)]);
    assert_eq!(
        validate(&unknown),
        Err(RuleError::UnknownEvent("s3:ObjectCreated:Gone".into()))
    );
    let test_event = doc(&[queue("a", &["s3:TestEvent"], None, None)]);
    assert_eq!(
        validate(&test_event),
        Err(RuleError::UnknownEvent("s3:TestEvent".into()))
    );
    let never = doc(&[queue("a", &["s3:ObjectRestore:*"], None, None)]);
    let err = validate(&never).unwrap_err();
    assert_eq!(err, RuleError::NeverEmitted("s3:ObjectRestore:*".into()));
    assert_eq!(
        crate::s3::error::S3Error::from(err).code,
        crate::s3::error::Code::NotImplemented
    );
    let none = doc(&[queue("a", &[], None, None)]);
    assert_eq!(validate(&none), Err(RuleError::NoEvents));
    let post = doc(&[queue("a", &["s3:ObjectCreated:Post"], None, None)]);
    assert!(validate(&post).is_ok(), "AWS's Post is accepted");
}

#[test]
fn filter_rules_are_prefix_or_suffix_once_each() {
    let bad_name = doc(&[format!(
        "<QueueConfiguration><Filter><S3Key><FilterRule><Name>infix</Name><Value>x</Value>\
         </FilterRule></S3Key></Filter><Queue>{HOOK}</Queue><Event>s3:ObjectCreated:*</Event>\
         </QueueConfiguration>"
    )]);
    assert_eq!(
        validate(&bad_name),
        Err(RuleError::FilterRuleName("infix".into()))
    );
    let two_prefixes = doc(&[format!(
        "<QueueConfiguration><Filter><S3Key>\
         <FilterRule><Name>prefix</Name><Value>a</Value></FilterRule>\
         <FilterRule><Name>Prefix</Name><Value>b</Value></FilterRule>\
         </S3Key></Filter><Queue>{HOOK}</Queue><Event>s3:ObjectCreated:*</Event>\
         </QueueConfiguration>"
    )]);
    assert_eq!(
        validate(&two_prefixes),
        Err(RuleError::DuplicateFilterRule("prefix"))
    );
    let long = "k".repeat(1025);
    let too_long = doc(&[queue("a", &["s3:ObjectCreated:*"], Some(&long), None)]);
    assert_eq!(validate(&too_long), Err(RuleError::FilterValueTooLong));
}

#[test]
fn configuration_ids_are_unique() {
    let twice = doc(&[
        queue("same", &["s3:ObjectCreated:*"], Some("a/"), None),
        queue("same", &["s3:ObjectCreated:*"], Some("b/"), None),
    ]);
    assert_eq!(validate(&twice), Err(RuleError::DuplicateId("same".into())));
}

/// One configuration of a pair: events, prefix, suffix.
type Side<'a> = (&'a [&'a str], Option<&'a str>, Option<&'a str>);

#[test]
fn overlapping_filters_for_one_event_type_are_ambiguous() {
    let cases: [(&str, [Side; 2], bool); 7] = [
        // No filters, same event: ambiguous.
        (
            "same events",
            [
                (&["s3:ObjectCreated:*"], None, None),
                (&["s3:ObjectCreated:*"], None, None),
            ],
            true,
        ),
        // The wildcard covers Put.
        (
            "wildcard and member",
            [
                (&["s3:ObjectCreated:*"], Some("a/"), None),
                (&["s3:ObjectCreated:Put"], Some("a/b"), None),
            ],
            true,
        ),
        // Disjoint prefixes.
        (
            "disjoint prefixes",
            [
                (&["s3:ObjectCreated:*"], Some("a/"), None),
                (&["s3:ObjectCreated:*"], Some("b/"), None),
            ],
            false,
        ),
        // Overlapping prefixes, disjoint suffixes.
        (
            "disjoint suffixes",
            [
                (&["s3:ObjectCreated:*"], Some("a/"), Some(".jpg")),
                (&["s3:ObjectCreated:*"], Some("a/"), Some(".png")),
            ],
            false,
        ),
        // Overlapping prefixes and suffixes.
        (
            "nested suffixes",
            [
                (&["s3:ObjectCreated:*"], None, Some(".jpg")),
                (&["s3:ObjectCreated:*"], Some("a/"), Some("x.jpg")),
            ],
            true,
        ),
        // Different families never overlap.
        (
            "created and removed",
            [
                (&["s3:ObjectCreated:*"], None, None),
                (&["s3:ObjectRemoved:*"], None, None),
            ],
            false,
        ),
        // Two members of one family do not overlap.
        (
            "put and copy",
            [
                (&["s3:ObjectCreated:Put"], None, None),
                (&["s3:ObjectCreated:Copy"], None, None),
            ],
            false,
        ),
    ];
    for (what, [a, b], ambiguous) in cases {
        let xml = doc(&[queue("a", a.0, a.1, a.2), queue("b", b.0, b.1, b.2)]);
        let got = validate(&xml);
        if ambiguous {
            assert_eq!(got, Err(RuleError::Ambiguous), "{what}");
        } else {
            assert!(got.is_ok(), "{what}: {got:?}");
        }
    }
}

#[test]
fn rules_match_by_event_prefix_and_suffix() {
    let rules = validate(&doc(&[
        queue("jpg", &["s3:ObjectCreated:*"], Some("img/"), Some(".jpg")),
        queue(
            "gone",
            &["s3:ObjectRemoved:DeleteMarkerCreated"],
            None,
            None,
        ),
    ]))
    .unwrap();
    let ids =
        |event, key| -> Vec<String> { rules.matching(event, key).map(|r| r.id.clone()).collect() };
    assert_eq!(ids(EventType::CreatedPut, "img/a.jpg"), ["jpg"]);
    assert_eq!(
        ids(EventType::CreatedCompleteMultipartUpload, "img/b/c.jpg"),
        ["jpg"]
    );
    assert!(ids(EventType::CreatedPut, "img/a.png").is_empty());
    assert!(ids(EventType::CreatedPut, "doc/a.jpg").is_empty());
    assert!(ids(EventType::TaggingPut, "img/a.jpg").is_empty());
    assert_eq!(ids(EventType::RemovedDeleteMarkerCreated, "x"), ["gone"]);
    assert!(ids(EventType::RemovedDelete, "x").is_empty());
}

#[test]
fn stored_rules_of_removed_targets_are_dropped_at_load() {
    let mut rules = validate(&doc(&[queue("a", &["s3:ObjectCreated:*"], None, None)])).unwrap();
    assert_eq!(rules.retain_known(&|_| false), vec![HOOK.to_string()]);
    assert!(rules.is_empty());
}

fn sample_event(event: EventType, key: &str) -> ObjectEvent {
    ObjectEvent {
        event,
        time: SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        region: "us-east-1".into(),
        principal: "AKIDEXAMPLE".into(),
        source_ip: "127.0.0.1".into(),
        request_id: "0123456789ABCDEF".into(),
        host_id: "FEDCBA98765432100123456789ABCDEF".into(),
        bucket: "bkt".into(),
        owner: "strata-root".into(),
        key: key.into(),
        version_id: None,
        facts: Some(ObjectFacts {
            size: 5,
            etag: "5d41402abc4b2a76b9719d911017c592".into(),
        }),
        sequencer: "0000000000000001".into(),
    }
}

#[test]
fn an_object_created_message_has_awss_shape() {
    let msg = sample_event(EventType::CreatedPut, "img/a b=c.jpg").to_message("jpg");
    let v: serde_json::Value = serde_json::from_slice(&msg).unwrap();
    let expected = serde_json::json!({"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2023-11-14T22:13:20.123Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AKIDEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {
            "x-amz-request-id": "0123456789ABCDEF",
            "x-amz-id-2": "FEDCBA98765432100123456789ABCDEF"
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "jpg",
            "bucket": {
                "name": "bkt",
                "ownerIdentity": {"principalId": "strata-root"},
                "arn": "arn:aws:s3:::bkt"
            },
            "object": {
                "key": "img/a+b%3Dc.jpg",
                "size": 5,
                "eTag": "5d41402abc4b2a76b9719d911017c592",
                "sequencer": "0000000000000001"
            }
        }
    }]});
    assert_eq!(v, expected);
}

#[test]
fn a_removal_message_has_no_size_or_etag_and_names_the_version() {
    let mut e = sample_event(EventType::RemovedDeleteMarkerCreated, "k");
    e.facts = None;
    e.version_id = Some("v1".into());
    let v: serde_json::Value = serde_json::from_slice(&e.to_message("gone")).unwrap();
    let object = &v["Records"][0]["s3"]["object"];
    assert_eq!(
        object,
        &serde_json::json!({"key": "k", "versionId": "v1", "sequencer": "0000000000000001"})
    );
    assert_eq!(
        v["Records"][0]["eventName"],
        "ObjectRemoved:DeleteMarkerCreated"
    );
}

#[test]
fn tagging_events_are_version_2_3() {
    let v: serde_json::Value =
        serde_json::from_slice(&sample_event(EventType::TaggingPut, "k").to_message("t")).unwrap();
    assert_eq!(v["Records"][0]["eventVersion"], "2.3");
    assert_eq!(v["Records"][0]["eventName"], "ObjectTagging:Put");
}

#[test]
fn keys_are_form_encoded_as_aws_writes_them() {
    assert_eq!(encode_key("a/b c.txt"), "a/b+c.txt");
    assert_eq!(encode_key("x+y=z&é"), "x%2By%3Dz%26%C3%A9");
    assert_eq!(encode_key("keep-_.*~"), "keep-_.*~");
}

#[test]
fn the_test_event_has_awss_shape() {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let v: serde_json::Value = serde_json::from_slice(&test_event("bkt", t, "RID", "HID")).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "Service": "Amazon S3",
            "Event": "s3:TestEvent",
            "Time": "2023-11-14T22:13:20.000Z",
            "Bucket": "bkt",
            "RequestId": "RID",
            "HostId": "HID"
        })
    );
}

#[test]
fn sequencers_increase_even_when_the_clock_does_not() {
    let t = SystemTime::now();
    let a = super::message::next_sequencer(t);
    let b = super::message::next_sequencer(t);
    assert_eq!(a.len(), 16);
    assert!(b > a, "{a} then {b}");
}

/// A target that keeps what it is given.
#[derive(Default, Clone)]
struct Kept(Arc<Mutex<Vec<Message>>>);

impl Publish for Kept {
    fn publish(&self, message: Message) -> Backpressure {
        self.0.lock().unwrap().push(message);
        None
    }
}

impl Kept {
    fn docs(&self) -> Vec<serde_json::Value> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|m| serde_json::from_slice(&m.doc).unwrap())
            .collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..500 {
            if self.0.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.docs()
    }
}

/// A stack whose registry has the target `hook`, and a notifier fed with its events.
struct Notified {
    t: TestStack,
    kept: Kept,
    notifier: Notifier,
    seen: usize,
}

impl Notified {
    async fn new() -> Self {
        let kept = Kept::default();
        let mut targets = Targets::default();
        targets.insert(HOOK.into(), Arc::new(kept.clone()));
        let registry = Arc::new(Registry::new(targets));
        let t =
            TestStack::with_notify(Arc::new(Identity), Limits::default(), registry.clone()).await;
        let notifier = Notifier::start(
            registry,
            t.store.clone(),
            "us-east-1".into(),
            "strata-root".into(),
            &tokio::runtime::Handle::current(),
        );
        Notified {
            t,
            kept,
            notifier,
            seen: 0,
        }
    }

    /// Sends a request, then hands the notifier every event not yet observed.
    async fn send(&mut self, method: &str, target: &str, body: &[u8]) -> u16 {
        let x = self.t.send(method, target, &[], body).await;
        self.observe_pending().await;
        x.status.unwrap_or(0)
    }

    /// Hands the notifier every event not yet observed.
    async fn observe_pending(&mut self) {
        for e in &self.t.recorder.events()[self.seen..] {
            if let Some(wait) = self.notifier.observe(e) {
                wait.await;
            }
            self.seen += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_operations_of_configured_buckets_reach_the_target_in_order() {
    let mut n = Notified::new().await;
    let config = doc(&[
        queue("jpg", &["s3:ObjectCreated:*"], Some("img/"), Some(".jpg")),
        queue("removed", &["s3:ObjectRemoved:*"], None, None),
        queue("tags", &["s3:ObjectTagging:*"], Some("img/"), None),
    ]);
    assert_eq!(
        n.send("PUT", "/bkt?notification", config.as_bytes()).await,
        200
    );
    let got = n.send("GET", "/bkt?notification", b"").await;
    assert_eq!(got, 200);
    assert_eq!(n.send("PUT", "/bkt/img/a.jpg", b"hello").await, 200);
    assert_eq!(n.send("PUT", "/bkt/img/a.png", b"skipped").await, 200);
    assert_eq!(n.send("PUT", "/bkt/doc/b.jpg", b"skipped").await, 200);
    let tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>";
    assert_eq!(
        n.send("PUT", "/bkt/img/a.jpg?tagging", tagging.as_bytes())
            .await,
        200
    );
    assert_eq!(n.send("DELETE", "/bkt/img/a.jpg", b"").await, 204);
    let delete = "<Delete><Object><Key>img/a.png</Key></Object><Object><Key>never-there</Key>\
                  </Object><Object><Key>doc/b.jpg</Key></Object></Delete>";
    assert_eq!(n.send("POST", "/bkt?delete", delete.as_bytes()).await, 200);

    let docs = n.kept.wait_for(7).await;
    let test = &docs[0];
    assert_eq!(test["Event"], "s3:TestEvent");
    assert_eq!(test["Bucket"], "bkt");
    let records: Vec<(String, String, String)> = docs[1..]
        .iter()
        .map(|d| {
            let r = &d["Records"][0];
            (
                r["eventName"].as_str().unwrap().to_string(),
                r["s3"]["object"]["key"].as_str().unwrap().to_string(),
                r["s3"]["configurationId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |name: &str, key: &str, id: &str| (name.into(), key.into(), id.into());
    assert_eq!(
        records,
        vec![
            expect("ObjectCreated:Put", "img/a.jpg", "jpg"),
            expect("ObjectTagging:Put", "img/a.jpg", "tags"),
            expect("ObjectRemoved:Delete", "img/a.jpg", "removed"),
            expect("ObjectRemoved:Delete", "img/a.png", "removed"),
            // S3 notifies every key it answers as deleted, existing or not.
            expect("ObjectRemoved:Delete", "never-there", "removed"),
            expect("ObjectRemoved:Delete", "doc/b.jpg", "removed"),
        ]
    );
    let put = &docs[1]["Records"][0]["s3"]["object"];
    assert_eq!(put["size"], 5);
    assert_eq!(put["eTag"], hex::encode(Md5::digest(b"hello")));
    let seqs: Vec<&str> = docs[1..]
        .iter()
        .map(|d| {
            d["Records"][0]["s3"]["object"]["sequencer"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overwritten_objects_event_carries_the_size_and_etag_its_put_wrote() {
    let mut n = Notified::new().await;
    let config = doc(&[queue("all", &["s3:ObjectCreated:*"], None, None)]);
    assert_eq!(
        n.send("PUT", "/bkt?notification", config.as_bytes()).await,
        200
    );
    // Both PUTs of the unversioned key land before the notifier sees the first: the store's
    // latest version is then the second one.
    for body in [&b"first"[..], &b"second, longer"[..]] {
        let x = n.t.send("PUT", "/bkt/k", &[], body).await;
        assert_eq!(x.status, Some(200));
    }
    n.observe_pending().await;
    let docs = n.kept.wait_for(3).await;
    let facts: Vec<(u64, String)> = docs[1..]
        .iter()
        .map(|d| {
            let o = &d["Records"][0]["s3"]["object"];
            (
                o["size"].as_u64().unwrap(),
                o["eTag"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        facts,
        vec![
            (5, hex::encode(Md5::digest(b"first"))),
            (14, hex::encode(Md5::digest(b"second, longer"))),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_on_a_versioned_bucket_say_whether_they_made_a_marker() {
    let mut n = Notified::new().await;
    let versioning = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    assert_eq!(
        n.send("PUT", "/bkt?versioning", versioning.as_bytes())
            .await,
        200
    );
    let config = doc(&[queue("all", &["s3:ObjectRemoved:*"], None, None)]);
    assert_eq!(
        n.send("PUT", "/bkt?notification", config.as_bytes()).await,
        200
    );
    assert_eq!(n.send("PUT", "/bkt/k", b"v1").await, 200);
    let version =
        n.t.recorder
            .events()
            .last()
            .unwrap()
            .version_id
            .clone()
            .unwrap();
    assert_eq!(n.send("DELETE", "/bkt/k", b"").await, 204);
    let marker =
        n.t.recorder
            .events()
            .last()
            .unwrap()
            .version_id
            .clone()
            .unwrap();
    assert_eq!(
        n.send("DELETE", &format!("/bkt/k?versionId={version}"), b"")
            .await,
        204
    );
    let docs = n.kept.wait_for(3).await;
    let got: Vec<(String, String)> = docs[1..]
        .iter()
        .map(|d| {
            let r = &d["Records"][0];
            (
                r["eventName"].as_str().unwrap().to_string(),
                r["s3"]["object"]["versionId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("ObjectRemoved:DeleteMarkerCreated".to_string(), marker),
            ("ObjectRemoved:Delete".to_string(), version),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_configuration_changes_nothing() {
    let mut n = Notified::new().await;
    let good = doc(&[queue("a", &["s3:ObjectCreated:*"], None, None)]);
    assert_eq!(
        n.send("PUT", "/bkt?notification", good.as_bytes()).await,
        200
    );
    let bad = doc(&[
        queue("a", &["s3:ObjectCreated:*"], None, None),
        queue("b", &["s3:ObjectCreated:Put"], None, None),
    ]);
    let x =
        n.t.send("PUT", "/bkt?notification", &[], bad.as_bytes())
            .await;
    assert_eq!(x.status, Some(400));
    assert_eq!(x.error_code().as_deref(), Some("InvalidArgument"));
    let x = n.t.send("GET", "/bkt?notification", &[], b"").await;
    let stored: NotificationConfiguration = from_xml(&x.body_out).unwrap();
    assert_eq!(stored.QueueConfiguration.len(), 1);
    assert_eq!(stored.QueueConfiguration[0].Id.as_deref(), Some("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_configuration_turns_notifications_off() {
    let mut n = Notified::new().await;
    let good = doc(&[queue("a", &["s3:ObjectCreated:*"], None, None)]);
    assert_eq!(
        n.send("PUT", "/bkt?notification", good.as_bytes()).await,
        200
    );
    assert_eq!(
        n.send("PUT", "/bkt?notification", doc(&[]).as_bytes())
            .await,
        200
    );
    assert_eq!(n.send("PUT", "/bkt/k", b"x").await, 200);
    // Only the first put's test event; the second configuration has no target to test.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let docs = n.kept.docs();
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["Event"], "s3:TestEvent");
    let x = n.t.send("GET", "/bkt?notification", &[], b"").await;
    let stored: NotificationConfiguration = from_xml(&x.body_out).unwrap();
    assert_eq!(stored, NotificationConfiguration::empty());
}

#[test]
fn a_form_upload_is_object_created_post_which_the_created_wildcard_covers() {
    use super::events::{EventName, EventType};
    use crate::s3::Operation;
    assert_eq!(
        EventType::of_operation(Operation::PostObject),
        Some(EventType::CreatedPost)
    );
    assert_eq!(EventType::CreatedPost.message_name(), "ObjectCreated:Post");
    let post = EventName::parse("s3:ObjectCreated:Post").unwrap();
    assert!(post.matches(EventType::CreatedPost) && !post.matches(EventType::CreatedPut));
    let any = EventName::parse("s3:ObjectCreated:*").unwrap();
    assert!(any.matches(EventType::CreatedPost));
    assert!(post.overlaps(any) && any.overlaps(post));
    let put = EventName::parse("s3:ObjectCreated:Put").unwrap();
    assert!(!post.overlaps(put));
}
