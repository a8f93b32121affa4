use super::*;

#[test]
fn prefixes_and_suffixes_combine() {
    let op = Operator::parse("ForAllValues:StringNotLikeIfExists").unwrap();
    assert_eq!(op.set, SetQualifier::AllValues);
    assert!(op.if_exists && op.negated);
    assert_eq!(
        op.family,
        Family::String {
            like: true,
            ignore_case: false
        }
    );
}

#[test]
fn unknown_names_are_refused_with_the_name() {
    assert_eq!(
        Operator::parse("StringEqual"),
        Err(PolicyError::UnknownConditionOperator("StringEqual".into()))
    );
    assert!(Operator::parse("stringequals").is_err());
    assert!(Operator::parse("NullIfExists").is_err());
    assert!(Operator::parse("ForSomeValues:StringEquals").is_err());
}
