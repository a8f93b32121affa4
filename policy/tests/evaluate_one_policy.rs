//! One policy, one request, the outcome AWS documents. Each row cites the IAM User Guide
//! section it follows. A body without a leading `{` is one statement of a 2012-10-17
//! document.

mod harness;

use harness::*;
use strata_policy::Outcome::{self, Allow, Deny, NotApplicable as NA};
use strata_policy::PolicyKind::{self, Identity as I, Resource as R, Trust as T};

type Ctx = &'static [(&'static str, &'static [&'static str])];

struct Row {
    cite: &'static str,
    kind: PolicyKind,
    doc: &'static str,
    who: Who,
    action: &'static str,
    resource: Option<&'static str>,
    ctx: Ctx,
    expect: Outcome,
}

const OBJ: Option<&str> = Some("arn:aws:s3:::photos/2024/a.jpg");
const BUCKET: Option<&str> = Some("arn:aws:s3:::photos");
const NONE: Ctx = &[];

macro_rules! rows {
    ($( $cite:literal, $kind:expr, $doc:literal, $who:ident, $action:literal, $res:expr, $ctx:expr => $expect:expr; )*) => {
        vec![$(Row { cite: $cite, kind: $kind, doc: $doc, who: Who::$who, action: $action, resource: $res, ctx: $ctx, expect: $expect }),*]
    };
}

fn rows() -> Vec<Row> {
    rows![
        // ---- Action, Resource, Effect ----
        "Action: exact action", I, r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*""#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Action: case-insensitive", I, r#""Effect":"Allow","Action":"S3:getobject","Resource":"arn:aws:s3:::photos/*""#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Action: * wildcard within the name", I, r#""Effect":"Allow","Action":"s3:Get*","Resource":"*""#, Bob, "s3:GetObjectAcl", OBJ, NONE => Allow;
        "Action: a wildcard does not widen to other names", I, r#""Effect":"Allow","Action":"s3:Get*","Resource":"*""#, Bob, "s3:PutObject", OBJ, NONE => NA;
        "Action: ? matches one character", I, r#""Effect":"Allow","Action":"s3:?etObject","Resource":"*""#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Action: * alone is every action", I, r#""Effect":"Allow","Action":"*","Resource":"*""#, Bob, "iam:CreateUser", None, NONE => Allow;
        "Action: another service's action does not match", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*""#, Bob, "iam:CreateUser", None, NONE => NA;
        "Action: an array is any of its entries", I, r#""Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*""#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Resource: ARN matching is case-sensitive", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::Photos/*""#, Bob, "s3:GetObject", OBJ, NONE => NA;
        "Resource: * in the resource part spans slashes", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/*""#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Resource: bucket/* does not match the bucket itself", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/*""#, Bob, "s3:ListBucket", BUCKET, NONE => NA;
        "Resource: wildcards do not cross ARN field colons", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s*:::photos/*""#, Bob, "s3:GetObject", Some("arn:aws:s3:x:y:photos/a"), NONE => NA;
        "Resource: an array is any of its entries", I, r#""Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]"#, Bob, "s3:ListBucket", BUCKET, NONE => Allow;
        "Resource: actions on no resource need Resource *", I, r#""Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*""#, Bob, "s3:ListAllMyBuckets", None, NONE => Allow;
        "Resource: a bucket ARN does not cover actions on no resource", I, r#""Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::*""#, Bob, "s3:ListAllMyBuckets", None, NONE => NA;
        "NotAction: allows everything but the listed actions", I, r#""Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"*""#, Bob, "s3:PutObject", OBJ, NONE => Allow;
        "NotAction: the listed action is not covered", I, r#""Effect":"Allow","NotAction":"s3:Delete*","Resource":"*""#, Bob, "s3:DeleteObject", OBJ, NONE => NA;
        "NotResource: Deny outside one bucket", I, r#""Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::safe","arn:aws:s3:::safe/*"]"#, Bob, "s3:GetObject", OBJ, NONE => Deny;
        "NotResource: inside the listed resources it does not apply", I, r#""Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::photos/*""#, Bob, "s3:GetObject", OBJ, NONE => NA;
        "Policy evaluation logic: an explicit deny overrides an allow", I, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Bob, "s3:GetObject", OBJ, NONE => Deny;
        "Statement: a single object instead of an array", I, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#, Bob, "s3:GetObject", OBJ, NONE => Allow;

        // ---- Policy variables ----
        "Policy variables: ${aws:username} in Resource", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*""#, Bob, "s3:GetObject", Some("arn:aws:s3:::home/bob/notes"), NONE => Allow;
        "Policy variables: another user's folder does not match", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*""#, Bob, "s3:GetObject", Some("arn:aws:s3:::home/eve/notes"), NONE => NA;
        "Policy variables: a variable with no value makes the statement not match (role sessions have no aws:username)", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*""#, Session, "s3:GetObject", Some("arn:aws:s3:::home//notes"), NONE => NA;
        "Policy variables: an unresolved variable also disables a Deny", I, r#""Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*""#, Session, "s3:GetObject", Some("arn:aws:s3:::home/x/notes"), NONE => NA;
        "Policy variables: default values", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username, 'shared'}/*""#, Session, "s3:GetObject", Some("arn:aws:s3:::home/shared/notes"), NONE => Allow;
        "Policy variables: ${aws:userid}", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:userid}/*""#, Session, "s3:GetObject", Some("arn:aws:s3:::home/AROABUILDER:ci/x"), NONE => Allow;
        "Policy variables: ${aws:PrincipalTag/key}", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::team-${aws:PrincipalTag/team}/*""#, Bob, "s3:GetObject", Some("arn:aws:s3:::team-blue/x"), NONE => Allow;
        "Policy variables: tag keys compare case-insensitively", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::team-${aws:PrincipalTag/team}/*""#, Session, "s3:GetObject", Some("arn:aws:s3:::team-red/x"), NONE => Allow;
        "Policy variables: a request key (s3:prefix) in a condition value", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos","Condition":{"StringLike":{"s3:prefix":["${aws:username}/*"]}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["bob/2024/"])] => Allow;
        "Policy variables: the condition value follows the caller", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos","Condition":{"StringLike":{"s3:prefix":["${aws:username}/*"]}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["eve/2024/"])] => NA;
        "Policy variables: ${s3:prefix} itself in a Resource", I, r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/${s3:prefix}a.jpg""#, Bob, "s3:GetObject", OBJ, &[("s3:prefix", &["2024/"])] => Allow;
        "Policy variables: ${*} is a literal asterisk", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/${*}""#, Bob, "s3:GetObject", OBJ, NONE => NA;
        "Policy variables: ${*} matches an asterisk", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/${*}""#, Bob, "s3:GetObject", Some("arn:aws:s3:::photos/*"), NONE => Allow;
        "Policy variables: ${?} is a literal question mark", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/a${?}""#, Bob, "s3:GetObject", Some("arn:aws:s3:::photos/ab"), NONE => NA;
        "Policy variables: ${$} is a literal dollar", I, r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos/${$}x""#, Bob, "s3:GetObject", Some("arn:aws:s3:::photos/$x"), NONE => Allow;
        "Version: under 2008-10-17 ${...} is literal text", I, r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#, Bob, "s3:GetObject", Some("arn:aws:s3:::home/bob/x"), NONE => NA;
        "Version: a document without Version is 2008-10-17", I, r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#, Bob, "s3:GetObject", Some("arn:aws:s3:::home/${aws:username}/x"), NONE => Allow;

        // ---- String condition operators ----
        "Condition operators: StringEquals", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["home/"])] => Allow;
        "Condition operators: StringEquals is case-sensitive", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"Home/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["home/"])] => NA;
        "Condition operators: StringEquals does not treat * as a wildcard", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/*"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["home/x"])] => NA;
        "Condition operators: StringEqualsIgnoreCase", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["home/"])] => Allow;
        "Condition operators: StringNotEquals", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotEquals":{"s3:prefix":"secret/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["home/"])] => Allow;
        "Condition operators: StringNotEqualsIgnoreCase", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotEqualsIgnoreCase":{"s3:prefix":"SECRET/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["secret/"])] => NA;
        "Condition operators: a negated operator on a missing key matches", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotEquals":{"s3:prefix":"secret/"}}"#, Bob, "s3:ListBucket", BUCKET, NONE => Allow;
        "Condition operators: a positive operator on a missing key does not match", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/"}}"#, Bob, "s3:ListBucket", BUCKET, NONE => NA;
        "Condition operators: ...IfExists on a missing key matches", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIfExists":{"s3:prefix":"home/"}}"#, Bob, "s3:ListBucket", BUCKET, NONE => Allow;
        "Condition operators: ...IfExists on a present key compares", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIfExists":{"s3:prefix":"home/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["other/"])] => NA;
        "Condition operators: StringLike", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/*"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["home/bob/"])] => Allow;
        "Condition operators: StringNotLike", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotLike":{"s3:prefix":["secret*","private*"]}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["private/x"])] => NA;
        "Condition: multiple values for one key are OR", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":["a/","b/"]}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["b/"])] => Allow;
        "Condition: multiple keys are AND", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"a/","s3:delimiter":"/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["a/"]), ("s3:delimiter", &["|"])] => NA;
        "Condition: multiple operators are AND", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"a/"},"NumericLessThanEquals":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["a/"]), ("s3:max-keys", &["10"])] => Allow;
        "Condition: key names are case-insensitive", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"S3:Prefix":"a/"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:prefix", &["a/"])] => Allow;

        // ---- Numeric ----
        "Condition operators: NumericLessThan", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["5"])] => Allow;
        "Condition operators: NumericLessThan is strict", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["10"])] => NA;
        "Condition operators: NumericGreaterThan", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericGreaterThan":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["11"])] => Allow;
        "Condition operators: NumericGreaterThanEquals", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["9.5"])] => NA;
        "Condition operators: NumericEquals compares numbers, not text", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericEquals":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["10.0"])] => Allow;
        "Condition operators: NumericNotEquals", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericNotEquals":{"s3:max-keys":["10","20"]}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["20"])] => NA;
        "Condition operators: a request value that is not a number does not match", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, &[("s3:max-keys", &["few"])] => NA;
        "Condition operators: NumericLessThanEqualsIfExists on a missing key", I, r#""Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEqualsIfExists":{"s3:max-keys":"10"}}"#, Bob, "s3:ListBucket", BUCKET, NONE => Allow;

        // ---- Date ----
        "Condition operators: DateGreaterThan (ISO 8601)", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:CurrentTime", &["2021-06-01T12:00:00Z"])] => Allow;
        "Condition operators: DateLessThan (epoch seconds in the policy)", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"1577836800"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:CurrentTime", &["2021-06-01T12:00:00Z"])] => NA;
        "Condition operators: DateLessThanEquals against aws:EpochTime", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThanEquals":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:EpochTime", &["1577836800"])] => Allow;
        "Condition operators: DateEquals across offsets", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":"2020-01-01T02:00:00+02:00"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])] => Allow;
        "Condition operators: DateNotEquals", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateNotEquals":{"aws:CurrentTime":"2020-01-01"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])] => NA;
        "Condition operators: DateGreaterThanEquals", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThanEquals":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}"#, Session, "s3:GetObject", OBJ, &[("aws:TokenIssueTime", &["2020-01-01T00:00:00Z"])] => Allow;

        // ---- Bool, Binary ----
        "Condition operators: Bool (deny plain HTTP)", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#, Bob, "s3:GetObject", OBJ, &[("aws:SecureTransport", &["false"])] => Deny;
        "Condition operators: Bool over TLS does not deny", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos/*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#, Bob, "s3:GetObject", OBJ, &[("aws:SecureTransport", &["true"])] => NA;
        "Condition operators: Bool on a missing key does not match", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#, Bob, "s3:GetObject", OBJ, NONE => NA;
        "Condition operators: BoolIfExists on a missing key matches", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#, Bob, "s3:GetObject", OBJ, NONE => Deny;
        "Condition operators: BinaryEquals", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"BinaryEquals":{"s3:x-amz-meta-blob":"QmluYXJ5VmFsdWU="}}"#, Bob, "s3:PutObject", OBJ, &[("s3:x-amz-meta-blob", &["QmluYXJ5VmFsdWU="])] => Allow;

        // ---- IP ----
        "Condition operators: IpAddress (IPv4 CIDR)", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:SourceIp", &["203.0.113.9"])] => Allow;
        "Condition operators: IpAddress outside the block", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:SourceIp", &["198.51.100.1"])] => NA;
        "Condition operators: NotIpAddress (deny from outside)", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}"#, Bob, "s3:GetObject", OBJ, &[("aws:SourceIp", &["198.51.100.1"])] => Deny;
        "Condition operators: IpAddress (IPv6 CIDR)", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:SourceIp", &["2001:db8:1234:5678::42"])] => Allow;
        "Condition operators: IpAddress with a bare address", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.9"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:SourceIp", &["203.0.113.9"])] => Allow;
        "Condition operators: IpAddress on a missing key", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#, Bob, "s3:GetObject", OBJ, NONE => NA;

        // ---- ARN ----
        "Condition operators: ArnLike", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:uploads-*"}}"#, Bob, "s3:PutObject", OBJ, &[("aws:SourceArn", &["arn:aws:sns:eu-west-1:111122223333:uploads-a"])] => Allow;
        "Condition operators: ArnLike wildcards stay in their field", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:uploads"}}"#, Bob, "s3:PutObject", OBJ, &[("aws:SourceArn", &["arn:aws:sns:a:b:111122223333:uploads"])] => NA;
        "Condition operators: ArnEquals", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/bob"}}"#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Condition operators: ArnNotEquals", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/bob"}}"#, Eve, "s3:GetObject", OBJ, NONE => Deny;
        "Condition operators: ArnNotLike", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}"#, Session, "s3:GetObject", OBJ, NONE => NA;
        "Condition operators: a value that is not an ARN does not match ArnLike", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:*"}}"#, Bob, "s3:GetObject", OBJ, &[("aws:SourceArn", &["not-an-arn"])] => NA;

        // ---- Null ----
        "Condition operators: Null true on a missing key", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"true"}}"#, Bob, "s3:GetObject", OBJ, NONE => Deny;
        "Condition operators: Null true on a present key", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"true"}}"#, Session, "s3:GetObject", OBJ, &[("aws:TokenIssueTime", &["2020-01-01T00:00:00Z"])] => NA;
        "Condition operators: Null false requires the key", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"s3:x-amz-server-side-encryption":false}}"#, Bob, "s3:PutObject", OBJ, &[("s3:x-amz-server-side-encryption", &["AES256"])] => Allow;

        // ---- Set operators over multivalued keys ----
        "Multivalued keys: ForAllValues, every value listed", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["team"])] => Allow;
        "Multivalued keys: ForAllValues, one value not listed", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["team", "owner"])] => NA;
        "Multivalued keys: ForAllValues over a missing key is true", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}"#, Bob, "s3:PutObjectTagging", OBJ, NONE => Allow;
        "Multivalued keys: ForAllValues over an empty set is true", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &[])] => Allow;
        "Multivalued keys: ForAnyValue, one value listed", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["owner", "team"])] => Allow;
        "Multivalued keys: ForAnyValue over a missing key is false", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}"#, Bob, "s3:PutObjectTagging", OBJ, NONE => NA;
        "Multivalued keys: ForAnyValue with a negated operator over a missing key is false", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["team"]}}"#, Bob, "s3:PutObjectTagging", OBJ, NONE => NA;
        "Multivalued keys: ForAnyValue:StringNotEquals, some value unlisted", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["team"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["team", "owner"])] => Deny;
        "Multivalued keys: ForAllValues:StringNotLike, no value like the pattern", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":["aws*"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["team", "cost"])] => Allow;
        "Multivalued keys: ForAllValues:StringNotLike, one value like the pattern", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":["aws*"]}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["team", "awsX"])] => NA;
        "Multivalued keys: ForAnyValue:...IfExists over a missing key is true", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["t*"]}}"#, Bob, "s3:PutObjectTagging", OBJ, NONE => Allow;
        "Multivalued keys: a single-valued operator matches if any value matches", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"team"}}"#, Bob, "s3:PutObjectTagging", OBJ, &[("aws:TagKeys", &["owner", "team"])] => Allow;

        // ---- Principal keys from the caller ----
        "Condition keys: aws:PrincipalTag", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}"#, Bob, "s3:GetObject", OBJ, NONE => Allow;
        "Condition keys: aws:PrincipalAccount", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}]}"#, Carol, "s3:GetObject", OBJ, NONE => Allow;
        "Condition keys: aws:PrincipalArn of a role session is the role", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/builder"}}"#, Session, "s3:GetObject", OBJ, NONE => Allow;
        "Condition keys: aws:PrincipalType", I, r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}"#, Session, "s3:GetObject", OBJ, NONE => Deny;
        "Condition keys: aws:username is absent for role sessions", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:username":"true"}}"#, Session, "s3:GetObject", OBJ, NONE => Allow;
        "Condition keys: aws:userid", I, r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"aws:userid":"AROABUILDER:*"}}"#, Session, "s3:GetObject", OBJ, NONE => Allow;

        // ---- Principal in resource and trust policies ----
        "Principal: * is everyone, anonymous too", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Anonymous, "s3:GetObject", OBJ, NONE => Allow;
        "Principal: {\"AWS\":\"*\"} is everyone", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Carol, "s3:GetObject", OBJ, NONE => Allow;
        "Principal: an account id is every principal of that account", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Carol, "s3:GetObject", OBJ, NONE => Allow;
        "Principal: an account root ARN is not anonymous", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Anonymous, "s3:GetObject", OBJ, NONE => NA;
        "Principal: an account root ARN does not cover other accounts", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Bob, "s3:GetObject", OBJ, NONE => NA;
        "Principal: a user ARN is that user", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/bob"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Eve, "s3:GetObject", OBJ, NONE => NA;
        "Principal: a role ARN covers its sessions", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/builder"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Session, "s3:GetObject", OBJ, NONE => Allow;
        "Principal: an assumed-role session ARN", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/builder/ci"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#, Session, "s3:GetObject", OBJ, NONE => Allow;
        "Principal: Federated web identity providers in a trust policy", T, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"app-1"}}}]}"#, WebIdentity, "sts:AssumeRoleWithWebIdentity", Some("arn:aws:iam::111122223333:role/web"), &[("accounts.google.com:aud", &["app-1"])] => Allow;
        "Principal: a trust policy for another account's root", T, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}"#, Carol, "sts:AssumeRole", Some("arn:aws:iam::111122223333:role/builder"), NONE => Allow;
        "Principal: a trust policy does not cover other actions", T, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}"#, Carol, "sts:TagSession", Some("arn:aws:iam::111122223333:role/builder"), NONE => NA;
        "NotPrincipal: Deny everyone but the named user", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:*","Resource":"arn:aws:s3:::photos/*"}]}"#, Eve, "s3:GetObject", OBJ, NONE => Deny;
        "NotPrincipal: the named user is not denied", R, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:*","Resource":"arn:aws:s3:::photos/*"}]}"#, Bob, "s3:GetObject", OBJ, NONE => NA;
    ]
}

#[test]
fn every_row_evaluates_as_aws_documents() {
    let rows = rows();
    assert!(rows.len() >= 80, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let doc = if row.doc.starts_with('{') {
            row.doc.to_string()
        } else {
            statement(row.doc)
        };
        let policy = parse(&doc, row.kind);
        let got = evaluate(&policy, row.who, row.action, row.resource, row.ctx);
        if got != row.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:?}",
                row.cite, row.expect, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
