use super::*;

const B: &str = "XyZzY";

fn body(file: &[u8], after: &str) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"preamble to ignore\r\n");
    for (name, value) in [("key", "up/${filename}"), ("x-amz-meta-note", "caf\u{e9}")] {
        b.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!(
            "--{B}  \r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{B}{after}").as_bytes());
    b
}

fn wire(bytes: Vec<u8>, piece: usize) -> WireBody<'static> {
    let chunks: Vec<io::Result<Bytes>> = bytes
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures::stream::iter(chunks).boxed()
}

async fn read(bytes: Vec<u8>, piece: usize) -> (Fields, Result<Vec<u8>, io::Error>) {
    let mut r = FormReader::new(wire(bytes, piece), B);
    let fields = r.fields(4096).await.expect("fields");
    let mut file = r.into_file(4096);
    let mut out = Vec::new();
    while let Some(chunk) = file.next().await {
        match chunk {
            Ok(c) => out.extend_from_slice(&c),
            Err(e) => return (fields, Err(e)),
        }
    }
    (fields, Ok(out))
}

#[tokio::test]
async fn fields_then_the_file_in_any_chunking() {
    // File bytes that look like delimiters but are not (no CRLF before, one dash, another
    // boundary with the same start).
    let mut file = format!("--{B}\n--{B}-- and \r\n-{B}\r\n--XyZzZ\r--{B}").into_bytes();
    file.extend((0..=255u8).cycle().take(70_000));
    for piece in [1, 2, 5, 17, 4096, 1 << 20] {
        let (fields, got) = read(body(&file, "--\r\n"), piece).await;
        assert_eq!(
            fields.list,
            [
                ("key".to_string(), "up/${filename}".to_string()),
                ("x-amz-meta-note".to_string(), "caf\u{e9}".to_string())
            ],
            "{piece}"
        );
        assert_eq!(fields.file.filename.as_deref(), Some("a.bin"));
        assert_eq!(got.unwrap(), file, "{piece}");
    }
}

#[tokio::test]
async fn an_empty_file_and_fields_after_the_file_are_fine() {
    let after =
        format!("\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nv\r\n--{B}--\r\n");
    let (_, got) = read(body(b"", &after), 3).await;
    assert_eq!(got.unwrap(), b"");
}

#[tokio::test]
async fn a_body_cut_inside_the_file_is_an_error_not_a_short_file() {
    let mut b = body(b"0123456789", "--\r\n");
    b.truncate(b.len() - 12);
    let (_, got) = read(b, 4).await;
    assert_eq!(got.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
}

#[tokio::test]
async fn forms_without_a_file_or_with_huge_fields_are_refused() {
    let no_file =
        format!("--{B}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--{B}--\r\n");
    let mut r = FormReader::new(wire(no_file.into_bytes(), 3), B);
    assert!(matches!(r.fields(4096).await, Err(FormError::NoFile)));
    let huge = format!(
        "--{B}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{}\r\n--{B}--\r\n",
        "k".repeat(10_000)
    );
    let mut r = FormReader::new(wire(huge.into_bytes(), 1000), B);
    assert!(matches!(
        r.fields(4096).await,
        Err(FormError::FieldsTooLarge)
    ));
    let nameless = format!("--{B}\r\nContent-Disposition: form-data\r\n\r\nk\r\n--{B}--\r\n");
    let mut r = FormReader::new(wire(nameless.into_bytes(), 7), B);
    assert!(matches!(r.fields(4096).await, Err(FormError::Malformed(_))));
}
