//! `Policy::parse` must refuse, never panic, whatever it is given; what it accepts must
//! evaluate without panicking too.

mod harness;

use harness::{caller, context, Who};
use proptest::prelude::*;
use strata_policy::{Policy, PolicyKind, Request};

const KINDS: [PolicyKind; 5] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Trust,
    PolicyKind::Session,
    PolicyKind::Boundary,
];

/// Strings made of JSON punctuation, policy words and a few odd characters.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"Version\"".to_string()),
        Just("\"2012-10-17\"".to_string()),
        Just("\"Statement\"".to_string()),
        Just("\"Effect\"".to_string()),
        Just("\"Allow\"".to_string()),
        Just("\"Deny\"".to_string()),
        Just("\"Action\"".to_string()),
        Just("\"NotResource\"".to_string()),
        Just("\"Resource\"".to_string()),
        Just("\"Principal\"".to_string()),
        Just("\"Condition\"".to_string()),
        Just("\"StringLike\"".to_string()),
        Just("\"ForAllValues:NumericLessThanIfExists\"".to_string()),
        Just("\"IpAddress\"".to_string()),
        Just("\"DateEquals\"".to_string()),
        Just("\"Null\"".to_string()),
        Just("\"*\"".to_string()),
        Just("\"arn:aws:s3:::${aws:username}/*\"".to_string()),
        Just("\"${\"".to_string()),
        "\"[a-z0-9:/*?${}', .-]{0,12}\"",
        "-?[0-9]{1,20}(\\.[0-9]{0,5})?",
        Just("true".to_string()),
        Just("null".to_string()),
        "[ -~\u{00e9}\u{1F600}]{0,4}",
    ];
    proptest::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

/// Well-formed JSON built from policy-like keys and values.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        "[a-zA-Z0-9:/*?${}', .-]{0,16}".prop_map(Value::String),
        Just(Value::String("2012-10-17".into())),
        Just(Value::String("s3:GetObject".into())),
        Just(Value::String("arn:aws:s3:::b/*".into())),
        Just(Value::String("10.0.0.0/8".into())),
    ];
    let keys = prop_oneof![
        Just("Version"),
        Just("Statement"),
        Just("Effect"),
        Just("Action"),
        Just("NotAction"),
        Just("Resource"),
        Just("Principal"),
        Just("AWS"),
        Just("Condition"),
        Just("StringEquals"),
        Just("ForAnyValue:StringLike"),
        Just("NumericGreaterThan"),
        Just("Null"),
        Just("aws:SourceIp"),
        Just("Sid"),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn exercise(text: &str) {
    for kind in KINDS {
        if let Ok(policy) = Policy::parse(text, kind) {
            let caller = caller(Who::Bob);
            let ctx_values: &[(&str, &[&str])] = &[
                ("aws:SourceIp", &["10.1.2.3"]),
                ("s3:prefix", &["a/"]),
                ("aws:TagKeys", &["x", "y"]),
            ];
            let context = context(ctx_values);
            let request = Request {
                action: "s3:GetObject",
                resource: Some("arn:aws:s3:::b/k"),
                caller: &caller,
                context: &context,
            };
            let _ = policy.evaluate(&request);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_jsonish_text_never_panics(text in jsonish()) {
        exercise(&text);
    }

    #[test]
    fn arbitrary_policy_shaped_json_never_panics(value in json_value()) {
        exercise(&value.to_string());
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,64}") {
        exercise(&text);
    }
}
