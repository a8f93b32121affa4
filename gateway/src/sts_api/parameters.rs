//! Which parameters each STS action takes. A parameter the action does not take, or one
//! AWS defines but strata does not honour, is refused: never ignored.

use crate::query_api::Form;
use crate::s3::error::{Code, S3Error};

/// The parameters each action strata implements takes, besides `Action` and `Version`.
pub fn taken_by(action: &str) -> &'static [&'static str] {
    match action {
        "AssumeRole" => &[
            "RoleArn",
            "RoleSessionName",
            "DurationSeconds",
            "Policy",
            "ExternalId",
            "Tags",
            "TransitiveTagKeys",
            "SourceIdentity",
        ],
        "AssumeRoleWithWebIdentity" => &[
            "RoleArn",
            "RoleSessionName",
            "WebIdentityToken",
            "DurationSeconds",
            "Policy",
        ],
        "AssumeRoleWithLDAPIdentity" => &[
            "LDAPUsername",
            "LDAPPassword",
            "RoleArn",
            "DurationSeconds",
            "Policy",
        ],
        "GetSessionToken" => &["DurationSeconds"],
        "GetFederationToken" => &["Name", "Policy", "DurationSeconds", "Tags"],
        _ => &[],
    }
}

/// AWS's parameters of the STS actions that strata does not implement yet.
const NOT_HONOURED: [&str; 8] = [
    "PolicyArns",
    "ProviderId",
    "Tags",
    "TransitiveTagKeys",
    "SourceIdentity",
    "SerialNumber",
    "TokenCode",
    "ProvidedContexts",
];

/// Refuses any parameter of `form` but `Action`, `Version` and `takes`. A list parameter
/// (`Tags`) is named by its base and takes `Tags.member.N[.Key|.Value]`.
pub fn only(form: &Form, action: &str, takes: &[&str]) -> Result<(), S3Error> {
    for name in form.names() {
        let (base, rest) = name.split_once('.').unwrap_or((name, ""));
        let taken = if takes.contains(&base) {
            rest.is_empty() || list_member(rest)
        } else {
            matches!(base, "Action" | "Version") && rest.is_empty()
        };
        if taken {
            continue;
        }
        if NOT_HONOURED.contains(&base) && !takes.contains(&base) {
            return Err(Code::NotImplemented.with(format!(
                "strata does not implement the parameter {base} of {action}"
            )));
        }
        return Err(Code::InvalidInput.with(format!("{action} takes no parameter {name}")));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, takes: &[&str]) -> Result<(), String> {
        let form = Form::parse(body.as_bytes()).unwrap();
        only(&form, "GetFederationToken", takes).map_err(|e| e.code.as_str().to_string())
    }

    #[test]
    fn taken_parameters_pass_and_others_are_refused_by_kind() {
        let takes = ["Name", "Tags"];
        assert_eq!(check("Action=A&Version=1&Name=bob", &takes), Ok(()));
        assert_eq!(
            check("Action=A&Tags.member.1.Key=k&Tags.member.1.Value=v", &takes),
            Ok(())
        );
        assert_eq!(
            check("Action=A&Bogus=1", &takes),
            Err("InvalidInput".into())
        );
        assert_eq!(
            check("Action=A&Name.x=1", &takes),
            Err("InvalidInput".into())
        );
        assert_eq!(
            check("Action=A&Tags.member.0.Key=k", &takes),
            Err("InvalidInput".into())
        );
        assert_eq!(
            check("Action=A&Tags.member.1.Other=k", &takes),
            Err("InvalidInput".into())
        );
        assert_eq!(
            check("Action=A&SerialNumber=arn", &takes),
            Err("NotImplemented".into())
        );
        assert_eq!(
            check("Action=A&PolicyArns.member.1.arn=x", &takes),
            Err("NotImplemented".into())
        );
    }
}
