//! Uploads without `Content-Length` (`Transfer-Encoding: chunked`, as curl sends a pipe):
//! a deliberate extension (AWS answers 411). They stream into the store, bounded by the
//! largest object or part taken, with SigV4 by the real curl (`--aws-sigv4`).

use std::io::Write;
use std::process::{Command, Stdio};

use strata_tests::{aws_ok, boto3_ok, pattern, required_tool, Layout, Server};

/// `curl -T -` from a pipe (so chunked), signed; returns the HTTP status and the body.
fn curl_pipe(server: &Server, path_query: &str, data: &[u8]) -> (u16, String) {
    let mut child = Command::new(required_tool("curl"))
        .args([
            "-sS",
            "-T",
            "-",
            "-w",
            "\n%{http_code}",
            "--aws-sigv4",
            "aws:amz:us-east-1:s3",
            "--user",
            &format!(
                "{}:{}",
                server.credentials.access_key, server.credentials.secret_key
            ),
            "-H",
            "x-amz-content-sha256: UNSIGNED-PAYLOAD",
            &format!("{}{path_query}", server.endpoint()),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn curl");
    let mut stdin = child.stdin.take().expect("stdin");
    // The server may refuse before the whole body is sent: a broken pipe is its answer.
    let _ = stdin.write_all(data);
    drop(stdin);
    let out = child.wait_with_output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    let status = status
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("curl: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (status, body.to_string())
}

#[test]
fn piped_uploads_stream_in_and_stop_at_the_largest_size_taken() {
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .arg("--max-put-size")
        .arg("8MiB")
        .arg("--max-part-size")
        .arg("6MiB")
        .start();
    boto3_ok(&server, "s3.create_bucket(Bucket='pipe')\nprint('ok')");

    // Several erasure blocks, length unknown until the end.
    let data = pattern(7 * 1024 * 1024 + 5, 9);
    let (status, body) = curl_pipe(&server, "/pipe/piped", &data);
    assert_eq!(status, 200, "{body}");
    // One byte past the limit: EntityTooLarge, and nothing stored under the key.
    let over = pattern(8 * 1024 * 1024 + 1, 4);
    let (status, body) = curl_pipe(&server, "/pipe/too-big", &over);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>EntityTooLarge</Code>"), "{body}");

    // A part of a multipart upload, chunked too, bounded by the part size.
    let created = aws_ok(
        &server,
        &[
            "s3api",
            "create-multipart-upload",
            "--bucket",
            "pipe",
            "--key",
            "parts",
        ],
    );
    let upload: serde_json::Value = serde_json::from_str(&created).expect("upload json");
    let id = upload["UploadId"].as_str().expect("upload id");
    let part_path = format!("/pipe/parts?partNumber=1&uploadId={id}");
    let (status, body) = curl_pipe(&server, &part_path, &pattern(6 * 1024 * 1024 + 1, 2));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>EntityTooLarge</Code>"), "{body}");
    let part = pattern(5 * 1024 * 1024 + 3, 5);
    let (status, body) = curl_pipe(&server, &part_path, &part);
    assert_eq!(status, 200, "{body}");

    // What was stored is what was piped, byte for byte.
    let dir = tempfile::tempdir().expect("tempdir");
    let (whole, piece) = (dir.path().join("whole"), dir.path().join("part"));
    std::fs::write(&whole, &data).expect("write");
    std::fs::write(&piece, &part).expect("write");
    let check = format!(
        r#"
ups = s3.list_parts(Bucket='pipe', Key='parts', UploadId='{id}')['Parts']
s3.complete_multipart_upload(Bucket='pipe', Key='parts', UploadId='{id}',
    MultipartUpload={{'Parts': [{{'PartNumber': 1, 'ETag': ups[0]['ETag']}}]}})
for key, path in [('piped', '{whole}'), ('parts', '{piece}')]:
    got = s3.get_object(Bucket='pipe', Key=key)['Body'].read()
    assert got == open(path, 'rb').read(), (key, len(got))
assert refused(lambda: s3.head_object(Bucket='pipe', Key='too-big')) == ('404', 404)
print('ok')
"#,
        whole = whole.display(),
        piece = piece.display()
    );
    boto3_ok(&server, &check);
}
