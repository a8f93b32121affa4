//! The role an LDAP session gets and its name.

use super::ldap_session::{choose_role, session_name, NoRole};

const READER: &str = "arn:aws:iam::111122223333:role/reader";
const WRITER: &str = "arn:aws:iam::111122223333:role/writer";

#[test]
fn the_only_mapped_role_is_chosen_and_several_need_role_arn() {
    assert_eq!(choose_role(&[READER], None), Ok(READER));
    assert_eq!(choose_role(&[READER, WRITER], Some(WRITER)), Ok(WRITER));
    assert_eq!(
        choose_role(&[READER, WRITER], None),
        Err(NoRole::ChoiceNeeded(2))
    );
    assert_eq!(choose_role(&[READER], Some(WRITER)), Err(NoRole::NotMapped));
    assert_eq!(choose_role(&[], Some(READER)), Err(NoRole::NoneMapped));
    assert_eq!(choose_role(&[], None), Err(NoRole::NoneMapped));
}

#[test]
fn session_names_keep_sts_characters_and_replace_the_rest() {
    assert_eq!(session_name("alice"), "alice");
    assert_eq!(session_name("a.b-c_d@e=f,g+h"), "a.b-c_d@e=f,g+h");
    assert_eq!(session_name("dave(ops)*"), "dave_ops__");
    assert_eq!(session_name("zoë"), "zo_");
    assert_eq!(session_name("a"), "a_");
    assert_eq!(session_name(""), "__");
    assert_eq!(session_name(&"x".repeat(100)), "x".repeat(64));
}
