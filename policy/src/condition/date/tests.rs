use super::*;

#[test]
fn iso_forms_and_epoch_agree() {
    let epoch = parse_date("1563278400").unwrap();
    assert_eq!(parse_date("2019-07-16T12:00:00Z"), Some(epoch));
    assert_eq!(parse_date("2019-07-16T14:00:00+02:00"), Some(epoch));
    assert_eq!(parse_date("2019-07-16T12:00:00"), Some(epoch));
    assert_eq!(parse_date("2019-07-16T12:00:00.000Z"), Some(epoch));
    assert_eq!(
        parse_date("2019-07-16"),
        Some(epoch - 12 * 3600 * 1_000_000_000)
    );
}

#[test]
fn garbage_is_no_date() {
    assert_eq!(parse_date("yesterday"), None);
    assert_eq!(parse_date(""), None);
    assert_eq!(parse_date("2019-13-45"), None);
}
