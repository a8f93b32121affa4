//! The form's encodings and the envelopes' shapes.

use super::*;
use crate::s3::error::Code;
use crate::s3::response::ResponseBody;

#[test]
fn forms_give_parameters_lists_and_pairs() {
    let f = Form::parse(
        b"Action=CreateUser&UserName=al%2Bice&Tags.member.1.Key=team&Tags.member.1.Value=a&\
          Tags.member.2.Key=env&Tags.member.2.Value=&ClientIDList.member.1=x&ClientIDList.member.2=y&\
          ClientIDList.member.4=gap&DurationSeconds=900",
    )
    .unwrap();
    assert_eq!(f.action().unwrap(), "CreateUser");
    assert_eq!(f.get("UserName"), Some("al+ice"));
    assert_eq!(f.list("ClientIDList"), ["x", "y"]);
    assert_eq!(
        f.pairs("Tags").unwrap(),
        [("team".into(), "a".into()), ("env".into(), String::new())]
    );
    assert_eq!(f.number("DurationSeconds", 900..=43200).unwrap(), Some(900));
    assert_eq!(
        f.number("UserName", 1..=2).unwrap_err().code,
        Code::ValidationError
    );
    assert_eq!(f.required("Path").unwrap_err().code, Code::MissingParameter);
    assert_eq!(
        Form::parse(b"").unwrap().action().unwrap_err().code,
        Code::MissingAction
    );
    assert_eq!(
        Form::parse(b"Action=A&Action=B").unwrap_err().code,
        Code::InvalidInput
    );
}

#[test]
fn envelopes_have_aws_shapes() {
    #[derive(serde::Serialize)]
    #[allow(non_snake_case)]
    struct Out {
        Arn: &'static str,
    }
    let r = respond(
        Service::Sts,
        "GetCallerIdentity",
        "REQ1",
        Some(&Out { Arn: "a<b" }),
    )
    .unwrap();
    let ResponseBody::Full(body) = r.body else {
        panic!()
    };
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult><Arn>a&lt;b</Arn></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>REQ1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
    let doc = error_document(&Code::NoSuchEntity.with("no user <x>"), Service::Iam, "R2");
    assert_eq!(
        std::str::from_utf8(&doc).unwrap(),
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
         <Code>NoSuchEntity</Code><Message>no user &lt;x&gt;</Message></Error><RequestId>R2</RequestId></ErrorResponse>"
    );
    assert_eq!(Service::of(Some("iam")).unwrap(), Service::Iam);
    assert_eq!(Service::of(None).unwrap(), Service::Sts);
    assert_eq!(
        Service::of(Some("s3")).unwrap_err().code,
        Code::InvalidAction
    );
}
