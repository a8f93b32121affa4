//! The `NotificationConfiguration` XML document (PutBucketNotificationConfiguration's body
//! and GetBucketNotificationConfiguration's answer) as serde structs, and its conversion to
//! validated rules. Unknown elements are refused: a misspelled `Filter` must not quietly
//! widen a subscription to every key.
#![allow(non_snake_case, missing_docs)]

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::rules::{BucketRules, RuleError, RuleSpec};

/// The S3 XML namespace, written on the stored (and returned) document.
const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "NotificationConfiguration", deny_unknown_fields)]
pub struct NotificationConfiguration {
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub TopicConfiguration: Vec<TopicConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub QueueConfiguration: Vec<QueueConfiguration>,
    /// Lambda destinations (`LambdaFunctionConfigurations` in the SDKs): refused.
    #[serde(default, skip_serializing)]
    pub CloudFunctionConfiguration: Vec<IgnoredAny>,
    /// EventBridge delivery: refused.
    #[serde(default, skip_serializing)]
    pub EventBridgeConfiguration: Option<IgnoredAny>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Filter: Option<Filter>,
    pub Topic: String,
    #[serde(default)]
    pub Event: Vec<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub Filter: Option<Filter>,
    pub Queue: String,
    #[serde(default)]
    pub Event: Vec<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub S3Key: Option<S3Key>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Key {
    #[serde(default)]
    pub FilterRule: Vec<FilterRule>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterRule {
    pub Name: String,
    pub Value: String,
}

fn filter_pairs(filter: &Option<Filter>) -> Vec<(String, String)> {
    filter
        .iter()
        .flat_map(|f| f.S3Key.iter())
        .flat_map(|k| k.FilterRule.iter())
        .map(|r| (r.Name.clone(), r.Value.clone()))
        .collect()
}

impl NotificationConfiguration {
    /// Validates the document (`known` says whether an ARN is a configured target) and
    /// normalizes it for storing: every configuration gets its id (assigned with `new_id`
    /// when the client gave none, as AWS does) and the S3 namespace.
    pub fn validate_into(
        &mut self,
        known: &dyn Fn(&str) -> bool,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<BucketRules, RuleError> {
        if !self.CloudFunctionConfiguration.is_empty() {
            return Err(RuleError::UnsupportedDestination(
                "CloudFunctionConfiguration (Lambda)",
            ));
        }
        if self.EventBridgeConfiguration.is_some() {
            return Err(RuleError::UnsupportedDestination(
                "EventBridgeConfiguration",
            ));
        }
        let rules = BucketRules::validate(&self.specs(), known, new_id)?;
        // `specs` lists queues, then topics; the rules keep that order.
        let ids = rules.rules().iter().map(|r| Some(r.id.clone()));
        let slots = self
            .QueueConfiguration
            .iter_mut()
            .map(|q| &mut q.Id)
            .chain(self.TopicConfiguration.iter_mut().map(|t| &mut t.Id));
        for (slot, id) in slots.zip(ids) {
            *slot = id;
        }
        self.xmlns = Some(S3_NS.to_string());
        Ok(rules)
    }

    /// The configurations as rule specs: queues, then topics.
    pub fn specs(&self) -> Vec<RuleSpec> {
        let queues = self.QueueConfiguration.iter().map(|q| RuleSpec {
            id: q.Id.clone(),
            arn: q.Queue.clone(),
            events: q.Event.clone(),
            filter: filter_pairs(&q.Filter),
        });
        let topics = self.TopicConfiguration.iter().map(|t| RuleSpec {
            id: t.Id.clone(),
            arn: t.Topic.clone(),
            events: t.Event.clone(),
            filter: filter_pairs(&t.Filter),
        });
        queues.chain(topics).collect()
    }

    /// The answer to a bucket with no configuration: an empty document.
    pub fn empty() -> Self {
        NotificationConfiguration {
            xmlns: Some(S3_NS.to_string()),
            ..Default::default()
        }
    }
}
