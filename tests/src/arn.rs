//! Reading ARNs in answers: the KMS key ARN AWS (and strata) answers for an SSE-KMS key.

/// The key id of a well-formed KMS key ARN `arn:aws:kms:REGION:ACCOUNT:key/ID` (a 12-digit
/// account); `None` for anything else, a bare key id included.
pub fn kms_key_of_arn(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("arn:aws:kms:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, id) = rest.split_once(":key/")?;
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (!region.is_empty() && account_ok && !id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::kms_key_of_arn;

    #[test]
    fn only_well_formed_key_arns_name_a_key() {
        assert_eq!(
            kms_key_of_arn("arn:aws:kms:us-east-1:111122223333:key/app"),
            Some("app")
        );
        assert_eq!(kms_key_of_arn("app"), None);
        assert_eq!(kms_key_of_arn("arn:aws:kms:us-east-1:1111:key/app"), None);
        assert_eq!(kms_key_of_arn("arn:aws:kms::111122223333:key/app"), None);
        assert_eq!(
            kms_key_of_arn("arn:aws:kms:us-east-1:111122223333:alias/app"),
            None
        );
    }
}
