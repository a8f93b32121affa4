use super::*;

#[test]
fn complete_multipart_upload_from_the_api_reference_parses() {
    let body = br#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Part><PartNumber>1</PartNumber><ETag>"a54357aff0632cce46d942af68356b38"</ETag></Part>
  <Part><PartNumber>2</PartNumber><ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>
        <ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>
</CompleteMultipartUpload>"#;
    let doc: CompleteMultipartUpload = from_xml(body).unwrap();
    assert_eq!(doc.Part.len(), 2);
    assert_eq!(doc.Part[0].PartNumber, 1);
    assert_eq!(doc.Part[0].ETag, "\"a54357aff0632cce46d942af68356b38\"");
    assert_eq!(doc.Part[1].ChecksumCRC32.as_deref(), Some("AAAAAA=="));
}

#[test]
fn delete_request_parses_with_quiet_and_versions() {
    let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Delete><Quiet>true</Quiet>
  <Object><Key>sample1.txt</Key></Object>
  <Object><Key>sample2.txt</Key><VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId></Object>
</Delete>"#;
    let doc: Delete = from_xml(body).unwrap();
    assert_eq!(doc.Quiet, Some(true));
    assert_eq!(doc.Object.len(), 2);
    assert_eq!(
        doc.Object[1].VersionId.as_deref(),
        Some("OYcLXagmS.WaD..oyH4KRguB95_YhLs7")
    );
}

#[test]
fn tagging_round_trips() {
    let body = br#"<Tagging><TagSet><Tag><Key>tag1</Key><Value>val1</Value></Tag><Tag><Key>a b</Key><Value>&lt;x&gt;</Value></Tag></TagSet></Tagging>"#;
    let doc: Tagging = from_xml(body).unwrap();
    assert_eq!(doc.TagSet.Tag[1].Value, "<x>");
    let out = to_xml(&Tagging {
        xmlns: Some(S3_NS),
        ..doc.clone()
    })
    .unwrap();
    let again: Tagging = from_xml(&out).unwrap();
    assert_eq!(again.TagSet, doc.TagSet);
}

#[test]
fn empty_tag_set_parses() {
    let doc: Tagging = from_xml(b"<Tagging><TagSet/></Tagging>").unwrap();
    assert!(doc.TagSet.Tag.is_empty());
}

#[test]
fn versioning_and_location_bodies_parse() {
    let v: VersioningConfiguration = from_xml(
        br#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#,
    )
    .unwrap();
    assert_eq!(v.Status.as_deref(), Some("Enabled"));
    let c: CreateBucketConfiguration = from_xml(
        br#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"#,
    )
    .unwrap();
    assert_eq!(c.LocationConstraint.as_deref(), Some("eu-west-1"));
}

#[test]
fn malformed_bodies_are_malformed_xml() {
    assert!(matches!(
        from_xml::<Delete>(b"<Delete><Object>"),
        Err(XmlError::Malformed(_))
    ));
    assert!(matches!(
        from_xml::<CompleteMultipartUpload>(b"not xml"),
        Err(XmlError::Malformed(_))
    ));
    assert!(matches!(
        from_xml::<CompleteMultipartUpload>(b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>"),
        Err(XmlError::Malformed(_))
    ));
    assert!(matches!(
        from_xml::<Tagging>(&[0xff, 0xfe]),
        Err(XmlError::Malformed(_))
    ));
}

#[test]
fn responses_carry_the_namespace_and_escape_text() {
    let doc = ListBucketResultV2 {
        xmlns: S3_NS,
        Name: "b".into(),
        Prefix: "".into(),
        MaxKeys: 1000,
        KeyCount: 1,
        Delimiter: None,
        IsTruncated: false,
        ContinuationToken: None,
        NextContinuationToken: None,
        StartAfter: None,
        EncodingType: None,
        Contents: vec![ObjectEntry {
            Key: "a&b<c>".into(),
            LastModified: "2009-10-12T17:50:30.000Z".into(),
            ETag: "\"fba9dede5f27731c9771645a39863328\"".into(),
            Size: 434234,
            StorageClass: "STANDARD".into(),
            Owner: None,
        }],
        CommonPrefixes: vec![CommonPrefix {
            Prefix: "photos/".into(),
        }],
    };
    let xml = String::from_utf8(to_xml(&doc).unwrap().to_vec()).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"), "{xml}");
    assert!(xml.contains("<Key>a&amp;b&lt;c&gt;</Key>"), "{xml}");
    assert!(xml.contains("<IsTruncated>false</IsTruncated>"), "{xml}");
    assert!(
        xml.contains("<CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes>"),
        "{xml}"
    );
    assert!(!xml.contains("Delimiter"), "{xml}");
}

#[test]
fn location_constraint_is_text_content() {
    let xml = to_xml(&LocationConstraintResult {
        xmlns: S3_NS,
        region: "eu-west-1".into(),
    })
    .unwrap();
    let xml = String::from_utf8(xml.to_vec()).unwrap();
    assert!(xml.ends_with(">eu-west-1</LocationConstraint>"), "{xml}");
}
