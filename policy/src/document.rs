//! From JSON text to compiled statements, checking the grammar as AWS does.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::arn::ArnPattern;
use crate::condition::{check_operator, Clause};
use crate::pattern::{Pattern, Syntax};
use crate::principal::Principals;
use crate::statement::{Effect, Element, Statement};
use crate::{PolicyError, PolicyKind};

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are expanded.
    V2012,
    /// `2008-10-17`, also what a document without `Version` is: `${...}` is literal text.
    V2008,
}

/// The parsed top level of a document.
pub(crate) struct Document {
    pub version: Version,
    pub id: Option<String>,
    pub statements: Vec<(Option<String>, Statement)>,
}

const TOP_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

/// Parses and compiles `text` as a policy of `kind`.
pub(crate) fn parse_document(text: &str, kind: PolicyKind) -> Result<Document, PolicyError> {
    let value: Value = serde_json::from_str(text).map_err(|e| PolicyError::Syntax {
        detail: e.to_string(),
    })?;
    let Value::Object(top) = value else {
        return Err(PolicyError::Syntax {
            detail: "the document is not a JSON object".into(),
        });
    };
    check_keys(&top, &TOP_KEYS)?;
    let version = match top.get("Version") {
        None => Version::V2008,
        Some(Value::String(v)) if v == "2012-10-17" => Version::V2012,
        Some(Value::String(v)) if v == "2008-10-17" => Version::V2008,
        Some(Value::String(v)) => return Err(PolicyError::InvalidVersion(v.clone())),
        Some(other) => return Err(PolicyError::InvalidVersion(other.to_string())),
    };
    let id = optional_string(&top, "Id")?;
    let raw: Vec<&Value> = match top.get("Statement") {
        None => return Err(PolicyError::EmptyStatement),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => {
            return Err(PolicyError::WrongType {
                field: "Statement",
                expected: "an object or an array of objects",
            })
        }
    };
    if raw.is_empty()
        || raw
            .iter()
            .any(|s| matches!(s, Value::Object(m) if m.is_empty()))
    {
        return Err(PolicyError::EmptyStatement);
    }
    let mut sids = HashSet::new();
    let mut statements = Vec::with_capacity(raw.len());
    for value in raw {
        let Value::Object(map) = value else {
            return Err(PolicyError::WrongType {
                field: "Statement",
                expected: "an object or an array of objects",
            });
        };
        let sid = optional_string(map, "Sid")?;
        if let Some(sid) = sid.as_ref().filter(|s| !s.is_empty()) {
            if !sids.insert(sid.clone()) {
                return Err(PolicyError::DuplicateSid(sid.clone()));
            }
        }
        statements.push((sid, statement(map, kind, version)?));
    }
    Ok(Document {
        version,
        id,
        statements,
    })
}

fn statement(
    map: &Map<String, Value>,
    kind: PolicyKind,
    version: Version,
) -> Result<Statement, PolicyError> {
    check_keys(map, &STATEMENT_KEYS)?;
    let variables = version == Version::V2012;
    let effect = match map.get("Effect") {
        None => return Err(PolicyError::MissingEffect),
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(e)) => return Err(PolicyError::InvalidEffect(e.clone())),
        Some(other) => return Err(PolicyError::InvalidEffect(other.to_string())),
    };

    let actions = one_of(map, "Action", "NotAction")
        .map_err(|_| PolicyError::ActionAndNotAction)?
        .ok_or(PolicyError::MissingAction)?;
    let (action_field, negated) = actions;
    let texts = strings(&map[action_field], action_field)?;
    if texts.is_empty() {
        return Err(PolicyError::MissingAction);
    }
    let mut patterns = Vec::with_capacity(texts.len());
    for action in texts {
        if action != "*" && !has_vendor(&action) {
            return Err(PolicyError::MissingVendor(action));
        }
        let wildcards = Syntax {
            wildcards: true,
            variables: false,
        };
        patterns.push(Pattern::compile(&action.to_lowercase(), wildcards));
    }
    let actions = Element {
        items: patterns,
        negated,
    };

    let resources = match one_of(map, "Resource", "NotResource")
        .map_err(|_| PolicyError::ResourceAndNotResource)?
    {
        Some(_) if kind == PolicyKind::Trust => return Err(PolicyError::ProhibitedResource),
        None if kind == PolicyKind::Trust => None,
        None => return Err(PolicyError::MissingResource),
        Some((field, negated)) => {
            let texts = strings(&map[field], field)?;
            if texts.is_empty() {
                return Err(PolicyError::MissingResource);
            }
            let mut items = Vec::with_capacity(texts.len());
            for r in texts {
                if r != "*" && !r.starts_with("arn:") {
                    return Err(PolicyError::InvalidResource(r));
                }
                items.push(ArnPattern::compile(&r, variables));
            }
            Some(Element { items, negated })
        }
    };

    let principals = match one_of(map, "Principal", "NotPrincipal")
        .map_err(|_| PolicyError::PrincipalAndNotPrincipal)?
    {
        Some(_) if !kind.has_principal() => return Err(PolicyError::ProhibitedPrincipal),
        None if kind.has_principal() => return Err(PolicyError::MissingPrincipal),
        None => None,
        Some((field, negated)) => Some(Element {
            items: vec![principals(&map[field])?],
            negated,
        }),
    };

    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(value) => conditions(value, variables)?,
    };
    Ok(Statement {
        effect,
        actions,
        resources,
        principals,
        conditions,
    })
}

/// Which of a positive/negated pair is present: `Err` when both are.
fn one_of(
    map: &Map<String, Value>,
    positive: &'static str,
    negated: &'static str,
) -> Result<Option<(&'static str, bool)>, ()> {
    match (map.contains_key(positive), map.contains_key(negated)) {
        (true, true) => Err(()),
        (true, false) => Ok(Some((positive, false))),
        (false, true) => Ok(Some((negated, true))),
        (false, false) => Ok(None),
    }
}

fn principals(value: &Value) -> Result<Principals, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(Principals::any()),
        Value::Object(map) if !map.is_empty() => {
            let mut set = Principals::default();
            for (field, values) in map {
                let invalid_type = || PolicyError::InvalidPrincipal {
                    field: field.clone(),
                    value: values.to_string(),
                };
                let values = strings(values, "Principal").map_err(|_| invalid_type())?;
                if values.is_empty() {
                    return Err(invalid_type());
                }
                for v in values {
                    set.add(field, &v)?;
                }
            }
            Ok(set)
        }
        other => Err(PolicyError::InvalidPrincipal {
            field: "Principal".into(),
            value: match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            },
        }),
    }
}

fn conditions(value: &Value, variables: bool) -> Result<Vec<Clause>, PolicyError> {
    let wrong = PolicyError::WrongType {
        field: "Condition",
        expected: "an object of operators to objects of keys to values",
    };
    let Value::Object(operators) = value else {
        return Err(wrong);
    };
    let mut clauses = Vec::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else {
            return Err(wrong);
        };
        for (key, values) in keys {
            if !has_vendor(key) {
                return Err(PolicyError::MissingVendor(key.clone()));
            }
            let values = condition_values(values).ok_or(PolicyError::WrongType {
                field: "Condition",
                expected: "a string, number or boolean, or an array of them",
            })?;
            clauses.push(Clause::compile(operator, key, &values, variables)?);
        }
        // An operator with no key still has to be a known operator.
        check_operator(operator)?;
    }
    Ok(clauses)
}

/// Condition values: scalars become their JSON text (`10`, `true`).
fn condition_values(value: &Value) -> Option<Vec<String>> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

/// A string or an array of strings.
fn strings(value: &Value, field: &'static str) -> Result<Vec<String>, PolicyError> {
    let wrong = || PolicyError::WrongType {
        field,
        expected: "a string or an array of strings",
    };
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(wrong))
            .collect(),
        _ => Err(wrong()),
    }
}

fn optional_string(
    map: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, PolicyError> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(PolicyError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

fn check_keys(map: &Map<String, Value>, known: &[&str]) -> Result<(), PolicyError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(PolicyError::UnknownField(unknown.clone())),
        None => Ok(()),
    }
}

/// `service:name` with a non-empty service (condition keys and actions).
fn has_vendor(text: &str) -> bool {
    matches!(text.split_once(':'), Some((vendor, rest)) if !vendor.is_empty() && !rest.is_empty() && !vendor.contains('*'))
}
