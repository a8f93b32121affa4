//! The session policies an issuing action is given: the inline `Policy` and the managed
//! `PolicyArns`, checked in AWS's terms. Their plain text together (the document without
//! whitespace, and each ARN) is at most 2,048 characters; at most 10 ARNs, each naming a
//! managed policy of the session's account.

use strata_policy::{limits, policy_len, Policy, PolicyKind};
use strata_sts::session::SessionTag;

use super::grant::validation;
use crate::iam::Snapshot;
use crate::iam_api::lookup;
use crate::query_api::Form;
use crate::s3::error::{Code, S3Error};

/// Managed session policies one session may have.
const MAX_POLICY_ARNS: usize = 10;

/// Shortest and longest policy ARN (AWS's `PolicyDescriptorType`).
const ARN_LENGTHS: std::ops::RangeInclusive<usize> = 20..=2048;

/// A session's policies as asked for, checked.
#[derive(Debug, Default)]
pub struct SessionPolicies<'a> {
    /// `Policy`: the inline document.
    pub inline: Option<&'a str>,
    /// `PolicyArns.member.N.arn`, in order.
    pub arns: Vec<&'a str>,
}

impl<'a> SessionPolicies<'a> {
    /// `Policy` and `PolicyArns` of `form`, checked; whether the ARNs name policies is
    /// [`SessionPolicies::check_managed`]'s to say, once the account is known.
    pub fn read(form: &'a Form) -> Result<SessionPolicies<'a>, S3Error> {
        let policies = SessionPolicies {
            inline: form.get("Policy"),
            arns: policy_arns(form)?,
        };
        let len = policies.plain_len();
        if len > limits::SESSION {
            return Err(Code::PackedPolicyTooLarge.with(format!(
                "the session policies have {len} characters (the inline document without whitespace, and each ARN); at most {} are allowed",
                limits::SESSION
            )));
        }
        if let Some(doc) = policies.inline {
            Policy::parse_with_limit(doc, PolicyKind::Session, usize::MAX)
                .map_err(|e| Code::MalformedPolicyDocument.with(e.to_string()))?;
        }
        Ok(policies)
    }

    /// Refuses an ARN that names no managed policy of `account_id` in `snapshot`: a session
    /// capped by a policy that is not there could do nothing, which is not what was asked.
    pub fn check_managed(&self, snapshot: &Snapshot, account_id: &str) -> Result<(), S3Error> {
        for arn in &self.arns {
            lookup::policy(snapshot, account_id, arn).map_err(|e| {
                Code::MalformedPolicyDocument.with(format!(
                    "{} (a managed session policy must be a policy of account {account_id})",
                    e.message
                ))
            })?;
        }
        Ok(())
    }

    /// `PackedPolicySize`: the share of the limit that the policies and `tags` take
    /// together, in percent; above 100 the session is refused with `PackedPolicyTooLarge`,
    /// as AWS refuses policies and tags that do not fit its packed format. strata counts
    /// plain text: the policies as for their own limit, and each tag's key and value.
    pub fn packed_size(&self, tags: &[SessionTag]) -> Result<u32, S3Error> {
        let tags_len: usize = tags.iter().map(|t| t.key.len() + t.value.len()).sum();
        let len = self.plain_len() + tags_len;
        if len > limits::SESSION {
            return Err(Code::PackedPolicyTooLarge.with(format!(
                "the session policies and tags have {len} characters (the inline document without whitespace, each ARN, and each tag's key and value; {tags_len} of them tags); at most {} are allowed",
                limits::SESSION
            )));
        }
        Ok((len * 100 / limits::SESSION) as u32)
    }

    /// The ARNs, owned, for the token.
    pub fn owned_arns(&self) -> Vec<String> {
        self.arns.iter().map(|arn| arn.to_string()).collect()
    }

    fn plain_len(&self) -> usize {
        self.inline.map_or(0, policy_len) + self.arns.iter().map(|arn| arn.len()).sum::<usize>()
    }
}

/// `PolicyArns.member.N.arn`, N from 1 without gaps, at most 10, each 20 to 2048
/// characters; a member by any other name is refused, not skipped.
fn policy_arns(form: &Form) -> Result<Vec<&str>, S3Error> {
    let arns: Vec<&str> = (1..)
        .map_while(|i| form.get(&format!("PolicyArns.member.{i}.arn")))
        .collect();
    let given = form
        .names()
        .filter(|name| name.starts_with("PolicyArns"))
        .count();
    if given != arns.len() {
        return Err(validation(
            "PolicyArns",
            "members must be PolicyArns.member.N.arn, numbered from 1 without gaps",
        ));
    }
    if arns.len() > MAX_POLICY_ARNS {
        return Err(validation(
            "PolicyArns",
            &format!("Member must have length less than or equal to {MAX_POLICY_ARNS}"),
        ));
    }
    if arns.iter().any(|arn| !ARN_LENGTHS.contains(&arn.len())) {
        return Err(validation(
            "PolicyArns.member.arn",
            "must be an ARN of 20 to 2048 characters",
        ));
    }
    Ok(arns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<(Option<String>, Vec<String>), String> {
        let form = Form::parse(body.as_bytes()).unwrap();
        SessionPolicies::read(&form)
            .map(|p| (p.inline.map(str::to_string), p.owned_arns()))
            .map_err(|e| format!("{}: {}", e.code.as_str(), e.message))
    }

    const ARN: &str = "arn:aws:iam::111122223333:policy/read";

    #[test]
    fn arns_are_read_in_order_and_counted_with_the_inline_document() {
        let two = format!("PolicyArns.member.1.arn={ARN}&PolicyArns.member.2.arn={ARN}2");
        assert_eq!(
            read(&two),
            Ok((None, vec![ARN.to_string(), format!("{ARN}2")]))
        );
        assert_eq!(read(""), Ok((None, vec![])));
        let form = Form::parse(two.as_bytes()).unwrap();
        let policies = SessionPolicies::read(&form).unwrap();
        assert_eq!(
            policies.packed_size(&[]),
            Ok(((2 * ARN.len() + 1) * 100 / limits::SESSION) as u32)
        );
    }

    #[test]
    fn session_tags_share_the_packed_limit_with_the_policies() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        let body = format!("Policy={}", urlencoding(doc));
        let form = Form::parse(body.as_bytes()).unwrap();
        let policies = SessionPolicies::read(&form).unwrap();
        let tag = |i: usize| SessionTag {
            key: format!("key-{i:03}"),
            value: "v".repeat(120),
        };
        let alone = policies.packed_size(&[]).unwrap();
        let ten: Vec<SessionTag> = (0..10).map(tag).collect();
        let with_ten = policies.packed_size(&ten).unwrap();
        assert_eq!(
            with_ten as usize,
            (doc.len() + 10 * 127) * 100 / limits::SESSION,
            "{alone} -> {with_ten}"
        );
        assert!(with_ten > alone + 50, "{alone} -> {with_ten}");
        // Fifteen such tags and the policy fit in 2,048 characters; sixteen do not, and are
        // refused as AWS refuses what does not fit its packed format.
        let fifteen: Vec<SessionTag> = (0..15).map(tag).collect();
        assert!(policies.packed_size(&fifteen).unwrap() <= 100);
        let sixteen: Vec<SessionTag> = (0..16).map(tag).collect();
        let refused = policies.packed_size(&sixteen).unwrap_err();
        assert_eq!(
            refused.code,
            Code::PackedPolicyTooLarge,
            "{}",
            refused.message
        );
        assert!(refused.message.contains("tags"), "{}", refused.message);
    }

    #[test]
    fn gaps_odd_members_too_many_and_bad_lengths_are_refused() {
        for body in [
            format!("PolicyArns.member.2.arn={ARN}"),
            format!("PolicyArns.member.1.arn={ARN}&PolicyArns.member.3.arn={ARN}"),
            format!("PolicyArns.member.1={ARN}"),
            format!("PolicyArns.member.1.arn={ARN}&PolicyArns.member.2.Key=k"),
            "PolicyArns.member.1.arn=arn:aws:iam::1:p".to_string(),
            (1..=11)
                .map(|i| format!("PolicyArns.member.{i}.arn={ARN}"))
                .collect::<Vec<_>>()
                .join("&"),
        ] {
            let answer = read(&body);
            assert!(
                answer
                    .as_ref()
                    .is_err_and(|e| e.starts_with("ValidationError")),
                "{body}: {answer:?}"
            );
        }
    }

    #[test]
    fn the_inline_document_and_the_arns_share_one_size_limit() {
        let arn = format!("arn:aws:iam::111122223333:policy/{}", "p".repeat(1000));
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let body = |n: usize| {
            let mut body = format!("Policy={}", urlencoding(doc));
            for i in 1..=n {
                body.push_str(&format!("&PolicyArns.member.{i}.arn={arn}"));
            }
            body
        };
        assert!(read(&body(1)).is_ok());
        let refused = read(&body(2)).unwrap_err();
        assert!(refused.starts_with("PackedPolicyTooLarge"), "{refused}");
        let malformed = read("Policy=%7B").unwrap_err();
        assert!(
            malformed.starts_with("MalformedPolicyDocument"),
            "{malformed}"
        );
    }

    fn urlencoding(text: &str) -> String {
        text.bytes().map(|b| format!("%{b:02X}")).collect()
    }
}
