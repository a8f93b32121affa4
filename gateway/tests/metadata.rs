//! User metadata beyond ASCII, as AWS documents it: raw UTF-8 (curl sends header bytes as
//! given) and RFC 2047 encoded words (what boto3 users send, since botocore refuses
//! non-ASCII values) are both stored as text and come back as one encoded word. And
//! `Content-Encoding: aws-chunked,gzip`: the framing is not kept, the client's coding is.

use std::process::Command;

use strata_tests::{
    boto3_ok, raw, required_tool, run_stdout, unsigned_chunked, Server, SignableBody, Signer,
};

fn curl(server: &Server, args: &[&str]) -> String {
    let user = format!(
        "{}:{}",
        server.credentials.access_key, server.credentials.secret_key
    );
    run_stdout(
        Command::new(required_tool("curl"))
            .args([
                "-sS",
                "--aws-sigv4",
                "aws:amz:us-east-1:s3",
                "--user",
                &user,
            ])
            .args(["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"])
            .args(args),
    )
}

#[test]
fn non_ascii_metadata_is_kept_and_returned_rfc_2047_encoded() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, "s3.create_bucket(Bucket='meta')\nprint('ok')");
    let url = format!("{}/meta/raw", server.endpoint());
    let put = curl(
        &server,
        &[
            "-X",
            "PUT",
            "--data-binary",
            "x",
            "-w",
            "%{http_code}",
            "-H",
            "x-amz-meta-city: Z\u{fc}rich",
            &url,
        ],
    );
    assert_eq!(put.trim(), "200", "{put}");
    let head = curl(&server, &["-I", &url]);
    assert!(
        head.lines()
            .any(|l| l.trim_end() == "x-amz-meta-city: =?UTF-8?B?WsO8cmljaA==?="),
        "{head}"
    );
    boto3_ok(
        &server,
        r#"
import base64
# What boto3 users send: an encoded word; it is stored decoded and returned as AWS encodes it.
word = '=?UTF-8?Q?caf=C3=A9_cr=C3=A8me?='
s3.put_object(Bucket='meta', Key='encoded', Body=b'x', Metadata={'dish': word, 'plain': 'ascii stays'})
got = s3.head_object(Bucket='meta', Key='encoded')['Metadata']
assert got['plain'] == 'ascii stays', got
assert got['dish'] == '=?UTF-8?B?%s?=' % base64.b64encode('café crème'.encode()).decode(), got
assert s3.head_object(Bucket='meta', Key='raw')['Metadata'] == {'city': '=?UTF-8?B?WsO8cmljaA==?='}
# A copy keeps the text; a word that does not decode is refused.
s3.copy_object(Bucket='meta', Key='copy', CopySource={'Bucket': 'meta', 'Key': 'encoded'})
assert s3.head_object(Bucket='meta', Key='copy')['Metadata']['dish'] == got['dish']
assert refused(lambda: s3.put_object(Bucket='meta', Key='bad', Body=b'x', Metadata={'a': '=?UTF-8?B?%%%?='})) == ('InvalidArgument', 400)
print('ok')
"#,
    );
}

#[test]
fn aws_chunked_framing_is_dropped_from_content_encoding_and_the_rest_kept() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, "s3.create_bucket(Bucket='meta')\nprint('ok')");
    let addr = server.endpoint().trim_start_matches("http://").to_string();
    let data = b"pretend these bytes are gzip".to_vec();
    let len = data.len().to_string();
    for (key, sent) in [
        ("gz", "aws-chunked,gzip"),
        ("br", "br, aws-chunked"),
        ("none", "aws-chunked"),
    ] {
        let head = Signer::new(&server.credentials).head(
            &addr,
            "PUT",
            &format!("/meta/{key}"),
            &[
                ("content-encoding", sent),
                ("x-amz-decoded-content-length", &len),
            ],
            SignableBody::Precomputed("STREAMING-UNSIGNED-PAYLOAD-TRAILER".into()),
        );
        let reply = raw(&addr, &head, &unsigned_chunked(&data, 10, "")).expect("put");
        assert_eq!(reply.status, 200, "{sent}: {}", reply.text());
    }
    boto3_ok(
        &server,
        r#"
assert s3.head_object(Bucket='meta', Key='gz')['ContentEncoding'] == 'gzip'
assert s3.head_object(Bucket='meta', Key='br')['ContentEncoding'] == 'br'
assert 'ContentEncoding' not in s3.head_object(Bucket='meta', Key='none')
assert s3.get_object(Bucket='meta', Key='gz')['Body'].read() == b'pretend these bytes are gzip'
print('ok')
"#,
    );
}
