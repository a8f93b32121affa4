//! A bucket's notification rules, validated as AWS validates them, and matched against the
//! events of its objects.

use std::collections::HashSet;

use super::events::{EventName, EventNameError, EventType};

/// Longest prefix or suffix value AWS takes.
const MAX_FILTER_VALUE: usize = 1024;

/// One configuration (`QueueConfiguration` or `TopicConfiguration`) as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// `Id`, if given.
    pub id: Option<String>,
    /// `Queue` or `Topic`: the target's ARN.
    pub arn: String,
    /// `Event` names.
    pub events: Vec<String>,
    /// `FilterRule` (`Name`, `Value`) pairs.
    pub filter: Vec<(String, String)>,
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its configuration id (given, or assigned when the configuration was put).
    pub id: String,
    /// The target's ARN.
    pub arn: String,
    /// What it subscribes to.
    pub events: Vec<EventName>,
    /// Keys must start with this.
    pub prefix: String,
    /// Keys must end with this.
    pub suffix: String,
}

impl Rule {
    /// Whether `event` on `key` is this rule's.
    pub fn matches(&self, event: EventType, key: &str) -> bool {
        self.events.iter().any(|e| e.matches(event))
            && key.starts_with(&self.prefix)
            && key.ends_with(&self.suffix)
    }

    /// AWS's ambiguity rule: two rules may not both take one event type for a key both of
    /// their filters could match (prefixes overlap and suffixes overlap).
    fn overlaps(&self, other: &Rule) -> bool {
        let events = self
            .events
            .iter()
            .any(|a| other.events.iter().any(|b| a.overlaps(*b)));
        let prefixes =
            self.prefix.starts_with(&other.prefix) || other.prefix.starts_with(&self.prefix);
        let suffixes = self.suffix.ends_with(&other.suffix) || other.suffix.ends_with(&self.suffix);
        events && prefixes && suffixes
    }
}

/// Why a notification configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// An event name S3 does not define.
    #[error("The event is not supported for notifications: {0}")]
    UnknownEvent(String),
    /// An event name S3 defines that nothing in strata can emit.
    #[error("strata never emits {0} events (restore, replication, Intelligent-Tiering, ACLs and RRS are not implemented); only s3:ObjectCreated:*, s3:ObjectRemoved:*, s3:ObjectTagging:*, s3:LifecycleExpiration:* and s3:LifecycleTransition events can be subscribed to")]
    NeverEmitted(String),
    /// A configuration without events.
    #[error("a notification configuration must name at least one Event")]
    NoEvents,
    /// Destinations that are not configured targets.
    #[error("Unable to validate the following destination configurations: {}: no such notification target is configured on this server", .0.join(", "))]
    UnknownDestination(Vec<String>),
    /// A filter rule named other than `prefix` or `suffix`.
    #[error("filter rule name must be either prefix or suffix, not {0:?}")]
    FilterRuleName(String),
    /// Two prefix (or suffix) rules in one filter.
    #[error("Cannot specify more than one {0} rule in a filter.")]
    DuplicateFilterRule(&'static str),
    /// A prefix or suffix longer than AWS allows.
    #[error("filter rule values are at most 1024 characters")]
    FilterValueTooLong,
    /// Two configurations with one id.
    #[error("the configuration id {0:?} is used by more than one configuration")]
    DuplicateId(String),
    /// Two configurations that could both take one event.
    #[error("Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.")]
    Ambiguous,
    /// A destination kind strata does not deliver to.
    #[error("{0} is not implemented by strata: notifications go to the targets configured on the server, named by QueueConfiguration or TopicConfiguration")]
    UnsupportedDestination(&'static str),
}

/// A bucket's validated rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketRules {
    rules: Vec<Rule>,
}

impl BucketRules {
    /// Validates `specs`; `known` says whether an ARN names a configured target; `new_id`
    /// names a configuration that has no id. Ids given are kept, as the rules' order.
    pub fn validate(
        specs: &[RuleSpec],
        known: &dyn Fn(&str) -> bool,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<BucketRules, RuleError> {
        let mut rules = Vec::with_capacity(specs.len());
        for spec in specs {
            rules.push(rule(spec, new_id)?);
        }
        let mut unknown: Vec<String> = rules
            .iter()
            .filter(|r| !known(&r.arn))
            .map(|r| r.arn.clone())
            .collect();
        if !unknown.is_empty() {
            unknown.dedup();
            return Err(RuleError::UnknownDestination(unknown));
        }
        let mut ids = HashSet::new();
        for r in &rules {
            if !ids.insert(r.id.as_str()) {
                return Err(RuleError::DuplicateId(r.id.clone()));
            }
        }
        for (i, a) in rules.iter().enumerate() {
            if rules[i + 1..].iter().any(|b| a.overlaps(b)) {
                return Err(RuleError::Ambiguous);
            }
        }
        Ok(BucketRules { rules })
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether there are none (an empty configuration turns notifications off).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that take `event` on `key` (AWS's overlap rule leaves at most one).
    pub fn matching<'a>(
        &'a self,
        event: EventType,
        key: &'a str,
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| r.matches(event, key))
    }

    /// Keeps the rules whose target `known` knows; returns the ARNs of the others (a stored
    /// configuration naming a target since removed from the server's config).
    pub fn retain_known(&mut self, known: &dyn Fn(&str) -> bool) -> Vec<String> {
        let (kept, dropped): (Vec<Rule>, Vec<Rule>) =
            self.rules.drain(..).partition(|r| known(&r.arn));
        self.rules = kept;
        dropped.into_iter().map(|r| r.arn).collect()
    }
}

fn rule(spec: &RuleSpec, new_id: &mut dyn FnMut() -> String) -> Result<Rule, RuleError> {
    if spec.events.is_empty() {
        return Err(RuleError::NoEvents);
    }
    let events = spec
        .events
        .iter()
        .map(|name| {
            EventName::parse(name).map_err(|e| match e {
                EventNameError::Unknown => RuleError::UnknownEvent(name.clone()),
                EventNameError::NeverEmitted => RuleError::NeverEmitted(name.clone()),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (mut prefix, mut suffix) = (None, None);
    for (name, value) in &spec.filter {
        if value.chars().count() > MAX_FILTER_VALUE {
            return Err(RuleError::FilterValueTooLong);
        }
        // AWS takes `Prefix` as well as `prefix`.
        let (slot, which) = if name.eq_ignore_ascii_case("prefix") {
            (&mut prefix, "prefix")
        } else if name.eq_ignore_ascii_case("suffix") {
            (&mut suffix, "suffix")
        } else {
            return Err(RuleError::FilterRuleName(name.clone()));
        };
        if slot.replace(value.clone()).is_some() {
            return Err(RuleError::DuplicateFilterRule(which));
        }
    }
    Ok(Rule {
        id: spec
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .unwrap_or_else(new_id),
        arn: spec.arn.clone(),
        events,
        prefix: prefix.unwrap_or_default(),
        suffix: suffix.unwrap_or_default(),
    })
}
