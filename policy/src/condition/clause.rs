//! One condition clause: an operator, a key and the policy's values, compiled once.

use std::net::IpAddr;

use ipnet::IpNet;

use super::date::parse_date;
use super::operator::{Family, Operator, SetQualifier};
use crate::arn::ArnPattern;
use crate::pattern::{Pattern, Syntax};
use crate::request::{Request, Values};
use crate::PolicyError;

/// The policy's values, parsed for their family.
#[derive(Debug, Clone)]
enum PolicyValues {
    Strings(Vec<Pattern>),
    Numbers(Vec<f64>),
    Dates(Vec<i128>),
    Bools(Vec<bool>),
    Binary(Vec<String>),
    Networks(Vec<IpNet>),
    Arns(Vec<ArnPattern>),
    /// `Null`: true means "the key is absent".
    Null(bool),
}

/// A compiled clause.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    operator: Operator,
    key: String,
    values: PolicyValues,
    /// No value holds a wildcard (`*`, `?`) or a whole address space (`/0`).
    exact_values: bool,
}

impl Clause {
    /// Compiles `key: values` under `operator` (named `operator_name` in errors).
    pub fn compile(
        operator_name: &str,
        key: &str,
        values: &[String],
        variables: bool,
    ) -> Result<Clause, PolicyError> {
        let operator = Operator::parse(operator_name)?;
        let exact_values = values
            .iter()
            .all(|v| !v.contains(['*', '?']) && !v.trim().ends_with("/0"));
        let bad = |value: &str| PolicyError::InvalidConditionValue {
            operator: operator_name.to_string(),
            value: value.to_string(),
        };
        let each = |parse: &dyn Fn(&str) -> Option<()>| -> Result<(), PolicyError> {
            for v in values {
                parse(v).ok_or_else(|| bad(v))?;
            }
            Ok(())
        };
        let values = match operator.family {
            Family::String { like, .. } => PolicyValues::Strings(
                values
                    .iter()
                    .map(|v| {
                        Pattern::compile(
                            v,
                            Syntax {
                                wildcards: like,
                                variables,
                            },
                        )
                    })
                    .collect(),
            ),
            Family::Numeric(_) => {
                each(&|v| v.trim().parse::<f64>().ok().map(drop))?;
                PolicyValues::Numbers(
                    values
                        .iter()
                        .filter_map(|v| v.trim().parse().ok())
                        .collect(),
                )
            }
            Family::Date(_) => {
                each(&|v| parse_date(v).map(drop))?;
                PolicyValues::Dates(values.iter().filter_map(|v| parse_date(v)).collect())
            }
            Family::Bool => {
                each(&|v| parse_bool(v).map(drop))?;
                PolicyValues::Bools(values.iter().filter_map(|v| parse_bool(v)).collect())
            }
            Family::Binary => PolicyValues::Binary(values.to_vec()),
            Family::Ip => {
                each(&|v| parse_network(v).map(drop))?;
                PolicyValues::Networks(values.iter().filter_map(|v| parse_network(v)).collect())
            }
            Family::Arn => PolicyValues::Arns(
                values
                    .iter()
                    .map(|v| ArnPattern::compile(v, variables))
                    .collect(),
            ),
            Family::Null => {
                let [only] = values else {
                    return Err(bad(&values.join(",")));
                };
                PolicyValues::Null(parse_bool(only).ok_or_else(|| bad(only))?)
            }
        };
        Ok(Clause {
            operator,
            key: key.to_string(),
            values,
            exact_values,
        })
    }

    /// Whether the clause pins the caller or its source to fixed values, so that a
    /// statement granting everyone under it is not public ("The meaning of public" in the
    /// S3 User Guide): a positive, non-`IfExists` test of one of AWS's listed keys, with
    /// no wildcard and no whole address space among its values.
    pub fn pins_caller(&self) -> bool {
        const PINNING_KEYS: &[&str] = &[
            "aws:sourceip",
            "aws:sourcearn",
            "aws:sourcevpc",
            "aws:sourcevpce",
            "aws:sourceaccount",
            "aws:sourceowner",
            "aws:sourceorgid",
            "aws:sourceorgpaths",
            "aws:principalaccount",
            "aws:principalarn",
            "aws:principalorgid",
            "aws:principalorgpaths",
            "aws:principalservicename",
            "aws:userid",
            "s3:dataaccesspointarn",
            "s3:dataaccesspointaccount",
        ];
        let op = self.operator;
        !op.negated
            && !op.if_exists
            && !matches!(op.family, Family::Null)
            && self.exact_values
            && PINNING_KEYS
                .iter()
                .any(|k| self.key.eq_ignore_ascii_case(k))
    }

    /// Whether the clause holds for `req`; `None` when a policy variable had no value.
    pub fn holds(&self, req: &Request<'_>) -> Option<bool> {
        let op = self.operator;
        let present = req.values(&self.key).filter(|v| !v.is_empty());
        if let PolicyValues::Null(absent) = self.values {
            return Some(present.is_none() == absent);
        }
        let Some(values) = present else {
            // AWS: a missing key fails a positive single-valued test and passes a negated
            // one; ForAllValues over nothing is true; ForAnyValue over nothing is false.
            return Some(
                op.if_exists
                    || match op.set {
                        SetQualifier::Single => op.negated,
                        SetQualifier::AnyValue => false,
                        SetQualifier::AllValues => true,
                    },
            );
        };
        match op.set {
            SetQualifier::Single => {
                let any = self.any_request_value(values, req, false)?;
                Some(any != op.negated)
            }
            SetQualifier::AnyValue => self.any_request_value(values, req, op.negated),
            SetQualifier::AllValues => {
                // Every value satisfies <=> no value fails.
                let failing = self.any_request_value(values, req, !op.negated)?;
                Some(!failing)
            }
        }
    }

    /// Whether some request value's positive match differs from `invert`, i.e. with
    /// `invert == false`: some value matches a policy value; with `true`: some value
    /// matches none.
    fn any_request_value(
        &self,
        values: Values<'_>,
        req: &Request<'_>,
        invert: bool,
    ) -> Option<bool> {
        for value in values.iter() {
            if self.matches_one(value, req)? != invert {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Whether one request value matches any policy value (the positive comparison).
    fn matches_one(&self, value: &str, req: &Request<'_>) -> Option<bool> {
        let lookup = |key: &str| req.variable(key);
        Some(match &self.values {
            PolicyValues::Strings(patterns) => {
                let Family::String { ignore_case, .. } = self.operator.family else {
                    return Some(false);
                };
                for p in patterns {
                    if p.matches(value, ignore_case, &lookup)? {
                        return Some(true);
                    }
                }
                false
            }
            PolicyValues::Numbers(numbers) => {
                let Family::Numeric(cmp) = self.operator.family else {
                    return Some(false);
                };
                match value.trim().parse::<f64>() {
                    Ok(v) => numbers.iter().any(|n| cmp.holds(v, *n)),
                    Err(_) => false,
                }
            }
            PolicyValues::Dates(dates) => {
                let Family::Date(cmp) = self.operator.family else {
                    return Some(false);
                };
                match parse_date(value) {
                    Some(v) => dates.iter().any(|d| cmp.holds(v, *d)),
                    None => false,
                }
            }
            PolicyValues::Bools(bools) => match parse_bool(value) {
                Some(v) => bools.contains(&v),
                None => false,
            },
            PolicyValues::Binary(blobs) => blobs.iter().any(|b| b == value),
            PolicyValues::Networks(nets) => match value.trim().parse::<IpAddr>() {
                Ok(ip) => nets.iter().any(|n| n.contains(&ip)),
                Err(_) => false,
            },
            PolicyValues::Arns(patterns) => {
                for p in patterns {
                    if p.matches(Some(value), &lookup)? {
                        return Some(true);
                    }
                }
                false
            }
            PolicyValues::Null(_) => false,
        })
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A CIDR block, or a bare address meaning just that address.
fn parse_network(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}
