//! The form of a query API request: `Action`, `Version` and the action's parameters,
//! with AWS's list and map encodings (`Tags.member.1.Key`, `ClientIDList.member.1`).

use std::collections::BTreeMap;

use crate::s3::error::{Code, S3Error};

/// A decoded `application/x-www-form-urlencoded` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    params: BTreeMap<String, String>,
}

impl Form {
    /// Decodes `body`; a parameter given twice is refused (AWS would take either).
    pub fn parse(body: &[u8]) -> Result<Form, S3Error> {
        let mut params = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            if params.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(Code::InvalidInput.with(format!("parameter {k} is given twice")));
            }
        }
        Ok(Form { params })
    }

    /// `Action`, required.
    pub fn action(&self) -> Result<&str, S3Error> {
        self.get("Action")
            .ok_or_else(|| Code::MissingAction.with("the request has no Action"))
    }

    /// A parameter, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Every parameter's name, `Action` and `Version` included.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.params.keys().map(String::as_str)
    }

    /// Refuses any parameter but `Action`, `Version` and what `action` `takes` (a list
    /// parameter such as `Tags` is named by its base and takes `Tags.member.N`, `.Key`,
    /// `.Value`, `.arn`): one of AWS's that strata does not honour (`not_honoured`) is
    /// `NotImplemented`, any other `InvalidInput`. Never ignored.
    pub fn only(&self, action: &str, takes: &[&str], not_honoured: &[&str]) -> Result<(), S3Error> {
        for name in self.names() {
            let (base, rest) = name.split_once('.').unwrap_or((name, ""));
            let taken = if takes.contains(&base) {
                rest.is_empty() || list_member(rest)
            } else {
                matches!(base, "Action" | "Version") && rest.is_empty()
            };
            if taken {
                continue;
            }
            if not_honoured.contains(&base) && !takes.contains(&base) {
                return Err(Code::NotImplemented.with(format!(
                    "strata does not implement the parameter {base} of {action}"
                )));
            }
            return Err(Code::InvalidInput.with(format!("{action} takes no parameter {name}")));
        }
        Ok(())
    }

    /// A parameter that must be given.
    pub fn required(&self, name: &str) -> Result<&str, S3Error> {
        self.get(name).ok_or_else(|| {
            Code::MissingParameter.with(format!("the request must contain the parameter {name}"))
        })
    }

    /// An integer parameter within `range`, if given.
    pub fn number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Option<u64>, S3Error> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        match text.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(Code::ValidationError.with(format!(
                "value {text:?} at '{name}' failed to satisfy constraint: must be an integer from {} to {}",
                range.start(),
                range.end()
            ))),
        }
    }

    /// A list parameter: `NAME.member.1`, `NAME.member.2`, ... in order; a gap ends it.
    pub fn list(&self, name: &str) -> Vec<&str> {
        (1..)
            .map_while(|i| self.get(&format!("{name}.member.{i}")))
            .collect()
    }

    /// A list of key/value pairs: `NAME.member.N.Key` and `NAME.member.N.Value`.
    pub fn pairs(&self, name: &str) -> Result<Vec<(String, String)>, S3Error> {
        let mut out = Vec::new();
        for i in 1.. {
            let key = self.get(&format!("{name}.member.{i}.Key"));
            let value = self.get(&format!("{name}.member.{i}.Value"));
            match (key, value) {
                (None, None) => break,
                (Some(k), Some(v)) => out.push((k.to_string(), v.to_string())),
                (Some(_), None) => out.push((key.unwrap_or_default().to_string(), String::new())),
                (None, Some(_)) => {
                    return Err(Code::ValidationError
                        .with(format!("{name}.member.{i} has a Value but no Key")))
                }
            }
        }
        Ok(out)
    }
}

/// `member.N`, `member.N.Key`, `member.N.Value` or `member.N.arn`, N from 1.
fn list_member(rest: &str) -> bool {
    let Some(index) = rest.strip_prefix("member.") else {
        return false;
    };
    let (n, field) = index.split_once('.').unwrap_or((index, ""));
    let number = !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit());
    number && matches!(field, "" | "Key" | "Value" | "arn")
}
