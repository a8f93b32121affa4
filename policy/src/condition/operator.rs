//! Condition operator names: `[ForAnyValue:|ForAllValues:]Family[IfExists]`.

use crate::PolicyError;

/// How a comparison orders two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compare {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

impl Compare {
    pub fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Compare::Equals => request == policy,
            Compare::LessThan => request < policy,
            Compare::LessThanEquals => request <= policy,
            Compare::GreaterThan => request > policy,
            Compare::GreaterThanEquals => request >= policy,
        }
    }
}

/// The operator family and its variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// StringEquals / StringLike and their IgnoreCase forms.
    String {
        like: bool,
        ignore_case: bool,
    },
    Numeric(Compare),
    Date(Compare),
    Bool,
    Binary,
    Ip,
    /// ArnEquals and ArnLike behave alike: both take wildcards.
    Arn,
    Null,
}

/// `ForAnyValue:` / `ForAllValues:` or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    Single,
    AnyValue,
    AllValues,
}

/// A parsed operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    pub family: Family,
    /// The `Not` forms (StringNotEquals, NotIpAddress, ...): true when the positive
    /// comparison matches no policy value.
    pub negated: bool,
    pub if_exists: bool,
    pub set: SetQualifier,
}

impl Operator {
    /// Parses an operator name as AWS spells it (case-sensitive, as AWS is).
    pub fn parse(name: &str) -> Result<Operator, PolicyError> {
        let unknown = || PolicyError::UnknownConditionOperator(name.to_string());
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (SetQualifier::AnyValue, rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (SetQualifier::AllValues, rest)
        } else {
            (SetQualifier::Single, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        let (family, negated) = family(base).ok_or_else(unknown)?;
        if family == Family::Null && if_exists {
            return Err(unknown());
        }
        Ok(Operator {
            family,
            negated,
            if_exists,
            set,
        })
    }
}

/// Refuses an operator name AWS does not define.
pub(crate) fn check_operator(name: &str) -> Result<(), PolicyError> {
    Operator::parse(name).map(drop)
}

fn family(base: &str) -> Option<(Family, bool)> {
    use Compare::*;
    let string = |like, ignore_case| Family::String { like, ignore_case };
    Some(match base {
        "StringEquals" => (string(false, false), false),
        "StringNotEquals" => (string(false, false), true),
        "StringEqualsIgnoreCase" => (string(false, true), false),
        "StringNotEqualsIgnoreCase" => (string(false, true), true),
        "StringLike" => (string(true, false), false),
        "StringNotLike" => (string(true, false), true),
        "NumericEquals" => (Family::Numeric(Equals), false),
        "NumericNotEquals" => (Family::Numeric(Equals), true),
        "NumericLessThan" => (Family::Numeric(LessThan), false),
        "NumericLessThanEquals" => (Family::Numeric(LessThanEquals), false),
        "NumericGreaterThan" => (Family::Numeric(GreaterThan), false),
        "NumericGreaterThanEquals" => (Family::Numeric(GreaterThanEquals), false),
        "DateEquals" => (Family::Date(Equals), false),
        "DateNotEquals" => (Family::Date(Equals), true),
        "DateLessThan" => (Family::Date(LessThan), false),
        "DateLessThanEquals" => (Family::Date(LessThanEquals), false),
        "DateGreaterThan" => (Family::Date(GreaterThan), false),
        "DateGreaterThanEquals" => (Family::Date(GreaterThanEquals), false),
        "Bool" => (Family::Bool, false),
        "BinaryEquals" => (Family::Binary, false),
        "IpAddress" => (Family::Ip, false),
        "NotIpAddress" => (Family::Ip, true),
        "ArnEquals" | "ArnLike" => (Family::Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Family::Arn, true),
        "Null" => (Family::Null, false),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
