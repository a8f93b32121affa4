//! Which parameters each STS action takes. A parameter the action does not take, or one
//! AWS defines but strata does not honour, is refused: never ignored.

use crate::query_api::Form;
use crate::s3::error::S3Error;

/// The parameters each action strata implements takes, besides `Action` and `Version`.
pub fn taken_by(action: &str) -> &'static [&'static str] {
    match action {
        "AssumeRole" => &[
            "RoleArn",
            "RoleSessionName",
            "DurationSeconds",
            "Policy",
            "PolicyArns",
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
            "PolicyArns",
        ],
        "AssumeRoleWithLDAPIdentity" => &[
            "LDAPUsername",
            "LDAPPassword",
            "RoleArn",
            "DurationSeconds",
            "Policy",
            "PolicyArns",
        ],
        "GetSessionToken" => &["DurationSeconds"],
        "GetFederationToken" => &["Name", "Policy", "PolicyArns", "DurationSeconds", "Tags"],
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

/// Refuses any parameter of `form` but `Action`, `Version` and what `action` takes:
/// `NotImplemented` for AWS's that strata does not honour, `InvalidInput` for the rest.
pub fn only(form: &Form, action: &str, takes: &[&str]) -> Result<(), S3Error> {
    form.only(action, takes, &NOT_HONOURED)
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
