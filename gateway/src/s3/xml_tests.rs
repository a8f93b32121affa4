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
            RestoreStatus: None,
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

#[test]
fn version_listing_keeps_versions_and_delete_markers_in_order() {
    let entry = |key: &str, id: &str, latest: bool, marker: bool| {
        let e = VersionEntry {
            Key: key.into(),
            VersionId: id.into(),
            IsLatest: latest,
            LastModified: "2026-11-22T10:00:00.000Z".into(),
            ETag: (!marker).then(|| "\"e\"".into()),
            Size: (!marker).then_some(1),
            StorageClass: (!marker).then(|| "STANDARD".into()),
            Owner: Owner {
                ID: "o".into(),
                DisplayName: "o".into(),
            },
            RestoreStatus: None,
        };
        if marker {
            VersionListEntry::DeleteMarker(e)
        } else {
            VersionListEntry::Version(e)
        }
    };
    let doc = ListVersionsResult {
        xmlns: S3_NS,
        Name: "b".into(),
        Prefix: "".into(),
        KeyMarker: "".into(),
        VersionIdMarker: "".into(),
        NextKeyMarker: None,
        NextVersionIdMarker: None,
        MaxKeys: 1000,
        Delimiter: None,
        IsTruncated: false,
        EncodingType: None,
        Entries: vec![
            entry("a", "3", true, true),
            entry("a", "2", false, false),
            entry("a", "1", false, true),
            entry("b", "4", true, false),
        ],
        CommonPrefixes: vec![],
    };
    let xml = String::from_utf8(to_xml(&doc).unwrap().to_vec()).unwrap();
    let order: Vec<(&str, usize)> = [
        "<DeleteMarker><Key>a</Key><VersionId>3<",
        "<Version><Key>a</Key><VersionId>2<",
        "<DeleteMarker><Key>a</Key><VersionId>1<",
        "<Version><Key>b</Key><VersionId>4<",
    ]
    .iter()
    .map(|p| {
        (
            *p,
            xml.find(p).unwrap_or_else(|| panic!("{p} missing: {xml}")),
        )
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0].1 < w[1].1),
        "order {order:?}: {xml}"
    );
    assert!(!xml.contains("<Entries"), "{xml}");
    assert!(
        xml.contains("<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><DeleteMarker>"),
        "{xml}"
    );
}

#[test]
fn a_dtd_is_refused_even_when_nothing_uses_it() {
    let unused = br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><Delete><Object><Key>k</Key></Object></Delete>"#;
    assert!(matches!(
        from_xml::<Delete>(unused),
        Err(XmlError::Malformed(_))
    ));
    let external = br#"<!DOCTYPE d SYSTEM "file:///etc/passwd"><Delete><Object><Key>k</Key></Object></Delete>"#;
    assert!(from_xml::<Delete>(external).is_err());
    // A declaration and comments before the root are still fine.
    let fine = br#"<?xml version="1.0"?><!-- hi --><Delete><Object><Key>k</Key></Object></Delete>"#;
    assert_eq!(from_xml::<Delete>(fine).unwrap().Object.len(), 1);
}

#[test]
fn a_cut_or_doubled_document_is_refused() {
    for body in [
        &b"<Delete><Object><Key>k</Key></Object>"[..],
        b"<Delete><Object><Key>k</Key></Object></Delete><Delete>",
        b"<Delete><Object><Key>k</Key></Object></Delete>trailing",
        b"<Delete/><Delete/>",
        b"",
        b"  ",
    ] {
        assert!(
            from_xml::<Delete>(body).is_err(),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    let spaced = b"\n <Delete><Object><Key>k</Key></Object></Delete>\n";
    assert_eq!(from_xml::<Delete>(spaced).unwrap().Object.len(), 1);
}
