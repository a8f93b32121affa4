//! S3 XML documents as serde structs (quick-xml), both responses and request bodies.
//!
//! Field names are the wire names, so the structs read like the API reference.
#![allow(non_snake_case, missing_docs)]

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The S3 XML namespace.
pub const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Largest XML request body read into memory (Delete of 1000 keys fits comfortably).
pub const MAX_XML_BODY: usize = 2 * 1024 * 1024;

/// An XML body that cannot be parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The request body is not the document the operation expects.
    #[error("the XML you provided was not well-formed or did not validate: {0}")]
    Malformed(String),
    /// A response struct failed to serialize (a bug, never the client's fault).
    #[error("response serialization failed: {0}")]
    Serialize(String),
}

/// Serializes a response document with the XML declaration.
pub fn to_xml<T: Serialize>(doc: &T) -> Result<Bytes, XmlError> {
    let body = quick_xml::se::to_string(doc).map_err(|e| XmlError::Serialize(e.to_string()))?;
    let mut out = String::with_capacity(body.len() + 40);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.push_str(&body);
    Ok(Bytes::from(out))
}

/// Parses a request document; anything unexpected is `MalformedXML`.
pub fn from_xml<T: DeserializeOwned>(body: &[u8]) -> Result<T, XmlError> {
    let text = std::str::from_utf8(body).map_err(|e| XmlError::Malformed(e.to_string()))?;
    check_document(text)?;
    quick_xml::de::from_str(text).map_err(|e| XmlError::Malformed(e.to_string()))
}

/// One pass over the document's events before deserializing it. quick-xml's deserializer
/// stops once it has its struct, so on its own it takes a body whose root is never closed
/// (cut short) or is followed by more, and a DTD nothing references; a truncated Delete or
/// CompleteMultipartUpload must not act on whatever it happened to contain, and no S3
/// document has a DTD (billion laughs, external entities; quick-xml never expands them).
fn check_document(text: &str) -> Result<(), XmlError> {
    use quick_xml::events::Event;
    let bad = |what: &str| Err(XmlError::Malformed(what.to_string()));
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        match event {
            Event::DocType(_) => return bad("a DOCTYPE is not allowed"),
            Event::Start(_) | Event::Empty(_) if depth == 0 && roots == 1 => {
                return bad("more than one root element")
            }
            Event::Start(_) => {
                roots += usize::from(depth == 0);
                depth += 1;
            }
            Event::Empty(_) => roots += usize::from(depth == 0),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return bad("text outside the root element")
            }
            Event::CData(_) | Event::GeneralRef(_) if depth == 0 => {
                return bad("text outside the root element")
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (roots, depth) {
        (1, 0) => Ok(()),
        (0, _) => bad("no root element"),
        _ => bad("the document ends inside an element"),
    }
}

// ---- shared pieces ----

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Owner {
    pub ID: String,
    pub DisplayName: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommonPrefix {
    pub Prefix: String,
}

/// Additional checksums, repeated where S3 puts them (no `flatten`: quick-xml handles plain
/// fields most predictably).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Checksum {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32C: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC64NVME: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumType: Option<String>,
}

// ---- responses ----

#[derive(Debug, Serialize)]
#[serde(rename = "Error")]
pub struct ErrorDoc {
    pub Code: String,
    pub Message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Resource: Option<String>,
    pub RequestId: String,
}

#[derive(Debug, Serialize)]
#[serde(rename = "ListAllMyBucketsResult")]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Owner: Owner,
    pub Buckets: Buckets,
    /// Where the next page starts, when this one was cut at `max-buckets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ContinuationToken: Option<String>,
    /// The `prefix` asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Prefix: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Buckets {
    #[serde(default)]
    pub Bucket: Vec<BucketEntry>,
}

#[derive(Debug, Serialize)]
pub struct BucketEntry {
    pub Name: String,
    pub CreationDate: String,
    pub BucketRegion: String,
}

/// GetBucketPolicyStatus's answer.
#[derive(Debug, Serialize)]
#[serde(rename = "PolicyStatus")]
pub struct PolicyStatus {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "IsPublic")]
    pub is_public: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename = "LocationConstraint")]
pub struct LocationConstraintResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "$text")]
    pub region: String,
}

#[derive(Debug, Serialize, Deserialize, Default, PartialEq)]
#[serde(rename = "VersioningConfiguration")]
pub struct VersioningConfiguration {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    pub xmlns: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub MfaDelete: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ObjectEntry {
    pub Key: String,
    pub LastModified: String,
    pub ETag: String,
    pub Size: u64,
    pub StorageClass: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Owner: Option<Owner>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub RestoreStatus: Option<RestoreStatus>,
}

/// An archived object's restore, in listings asked for it
/// (`x-amz-optional-object-attributes: RestoreStatus`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RestoreStatus {
    pub IsRestoreInProgress: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub RestoreExpiryDate: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "ListBucketResult")]
pub struct ListBucketResultV1 {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Name: String,
    pub Prefix: String,
    pub Marker: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextMarker: Option<String>,
    pub MaxKeys: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Delimiter: Option<String>,
    pub IsTruncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub EncodingType: Option<String>,
    pub Contents: Vec<ObjectEntry>,
    pub CommonPrefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "ListBucketResult")]
pub struct ListBucketResultV2 {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Name: String,
    pub Prefix: String,
    pub MaxKeys: usize,
    pub KeyCount: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Delimiter: Option<String>,
    pub IsTruncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ContinuationToken: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextContinuationToken: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub StartAfter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub EncodingType: Option<String>,
    pub Contents: Vec<ObjectEntry>,
    pub CommonPrefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry {
    pub Key: String,
    pub VersionId: String,
    pub IsLatest: bool,
    pub LastModified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ETag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub StorageClass: Option<String>,
    pub Owner: Owner,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub RestoreStatus: Option<RestoreStatus>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "ListVersionsResult")]
pub struct ListVersionsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Name: String,
    pub Prefix: String,
    pub KeyMarker: String,
    pub VersionIdMarker: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextKeyMarker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextVersionIdMarker: Option<String>,
    pub MaxKeys: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Delimiter: Option<String>,
    pub IsTruncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub EncodingType: Option<String>,
    /// Versions and delete markers in listing order (key, then newest first), interleaved
    /// as S3 returns them: clients rebuild a key's history from this order.
    #[serde(rename = "$value")]
    pub Entries: Vec<VersionListEntry>,
    pub CommonPrefixes: Vec<CommonPrefix>,
}

/// One element of a version listing, named by its kind.
#[derive(Debug, Serialize)]
pub enum VersionListEntry {
    Version(VersionEntry),
    DeleteMarker(VersionEntry),
}

#[derive(Debug, Serialize)]
#[serde(rename = "CopyObjectResult")]
pub struct CopyObjectResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub ETag: String,
    pub LastModified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32C: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC64NVME: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumType: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "CopyPartResult")]
pub struct CopyPartResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub ETag: String,
    pub LastModified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32C: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC64NVME: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA256: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "InitiateMultipartUploadResult")]
pub struct InitiateMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Bucket: String,
    pub Key: String,
    pub UploadId: String,
}

#[derive(Debug, Serialize)]
#[serde(rename = "CompleteMultipartUploadResult")]
pub struct CompleteMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Location: String,
    pub Bucket: String,
    pub Key: String,
    pub ETag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32C: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC64NVME: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumType: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PartEntry {
    pub PartNumber: u32,
    pub LastModified: String,
    pub ETag: String,
    pub Size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32C: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC64NVME: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA256: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "ListPartsResult")]
pub struct ListPartsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Bucket: String,
    pub Key: String,
    pub UploadId: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumAlgorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumType: Option<String>,
    pub Initiator: Owner,
    pub Owner: Owner,
    pub StorageClass: String,
    pub PartNumberMarker: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextPartNumberMarker: Option<u32>,
    pub MaxParts: usize,
    pub IsTruncated: bool,
    pub Part: Vec<PartEntry>,
}

#[derive(Debug, Serialize)]
pub struct UploadEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumAlgorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumType: Option<String>,
    pub Key: String,
    pub UploadId: String,
    pub Initiator: Owner,
    pub Owner: Owner,
    pub StorageClass: String,
    pub Initiated: String,
}

#[derive(Debug, Serialize)]
#[serde(rename = "ListMultipartUploadsResult")]
pub struct ListMultipartUploadsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Bucket: String,
    pub KeyMarker: String,
    pub UploadIdMarker: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextKeyMarker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextUploadIdMarker: Option<String>,
    pub Prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Delimiter: Option<String>,
    pub MaxUploads: usize,
    pub IsTruncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub EncodingType: Option<String>,
    pub Upload: Vec<UploadEntry>,
    pub CommonPrefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Serialize, Default)]
pub struct DeletedEntry {
    pub Key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub VersionId: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub DeleteMarker: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub DeleteMarkerVersionId: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeleteErrorEntry {
    pub Key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub VersionId: Option<String>,
    pub Code: String,
    pub Message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename = "DeleteResult")]
pub struct DeleteResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    pub Deleted: Vec<DeletedEntry>,
    pub Error: Vec<DeleteErrorEntry>,
}

#[derive(Debug, Serialize)]
pub struct AttributesPart {
    pub PartNumber: u32,
    pub Size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC32C: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumCRC64NVME: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ChecksumSHA256: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ObjectParts {
    pub TotalPartsCount: usize,
    pub PartNumberMarker: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub NextPartNumberMarker: Option<u32>,
    pub MaxParts: usize,
    pub IsTruncated: bool,
    pub Part: Vec<AttributesPart>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "GetObjectAttributesResponse")]
pub struct GetObjectAttributesResponse {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ETag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub Checksum: Option<Checksum>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ObjectParts: Option<ObjectParts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub StorageClass: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ObjectSize: Option<u64>,
}

// ---- request bodies (and Tagging, which goes both ways) ----

#[derive(Debug, Deserialize, Serialize, Clone, PartialEq)]
pub struct Tag {
    pub Key: String,
    pub Value: String,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default, PartialEq)]
pub struct TagSet {
    #[serde(default)]
    pub Tag: Vec<Tag>,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default, PartialEq)]
#[serde(rename = "Tagging")]
pub struct Tagging {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    pub xmlns: Option<&'static str>,
    pub TagSet: TagSet,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct CompletedPartXml {
    pub PartNumber: u32,
    pub ETag: String,
    pub ChecksumCRC32: Option<String>,
    pub ChecksumCRC32C: Option<String>,
    pub ChecksumCRC64NVME: Option<String>,
    pub ChecksumSHA1: Option<String>,
    pub ChecksumSHA256: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct CompleteMultipartUpload {
    #[serde(default)]
    pub Part: Vec<CompletedPartXml>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct ObjectToDelete {
    pub Key: String,
    pub VersionId: Option<String>,
    /// Conditional delete: the current object's ETag (or `*`).
    pub ETag: Option<String>,
    /// Conditional delete: the current object's last-modified time (ISO 8601).
    pub LastModifiedTime: Option<String>,
    /// Conditional delete: the current object's size.
    pub Size: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Delete {
    #[serde(default)]
    pub Object: Vec<ObjectToDelete>,
    pub Quiet: Option<bool>,
}

#[derive(Debug, Deserialize, PartialEq, Default)]
pub struct CreateBucketConfiguration {
    pub LocationConstraint: Option<String>,
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
