//! Decoded query parameters, in order, as the router and handlers read them (the same
//! parse as SigV4's, `crate::percent`, then UTF-8).

/// Every query parameter strata reads, declared once: the routing table (`router.rs`) and the
/// handlers name them through these constants, never as string literals.
pub mod param {
    /// `accelerate`
    pub const ACCELERATE: &str = "accelerate";
    /// `acl`
    pub const ACL: &str = "acl";
    /// `analytics`
    pub const ANALYTICS: &str = "analytics";
    /// `attributes`
    pub const ATTRIBUTES: &str = "attributes";
    /// `continuation-token`
    pub const CONTINUATION_TOKEN: &str = "continuation-token";
    /// `bucket-region` (ListBuckets)
    pub const BUCKET_REGION: &str = "bucket-region";
    /// `cors`
    pub const CORS: &str = "cors";
    /// `delete`
    pub const DELETE: &str = "delete";
    /// `delimiter`
    pub const DELIMITER: &str = "delimiter";
    /// `encoding-type`
    pub const ENCODING_TYPE: &str = "encoding-type";
    /// `encryption`
    pub const ENCRYPTION: &str = "encryption";
    /// `fetch-owner`
    pub const FETCH_OWNER: &str = "fetch-owner";
    /// `id`
    pub const ID: &str = "id";
    /// `intelligent-tiering`
    pub const INTELLIGENT_TIERING: &str = "intelligent-tiering";
    /// `inventory`
    pub const INVENTORY: &str = "inventory";
    /// `key-marker`
    pub const KEY_MARKER: &str = "key-marker";
    /// `legal-hold`
    pub const LEGAL_HOLD: &str = "legal-hold";
    /// `lifecycle`
    pub const LIFECYCLE: &str = "lifecycle";
    /// `list-type`
    pub const LIST_TYPE: &str = "list-type";
    /// `location`
    pub const LOCATION: &str = "location";
    /// `logging`
    pub const LOGGING: &str = "logging";
    /// `marker`
    pub const MARKER: &str = "marker";
    /// `max-keys`
    pub const MAX_KEYS: &str = "max-keys";
    /// `max-buckets` (ListBuckets)
    pub const MAX_BUCKETS: &str = "max-buckets";
    /// `max-parts`
    pub const MAX_PARTS: &str = "max-parts";
    /// `max-uploads`
    pub const MAX_UPLOADS: &str = "max-uploads";
    /// `metrics`
    pub const METRICS: &str = "metrics";
    /// `notification`
    pub const NOTIFICATION: &str = "notification";
    /// `object-lock`
    pub const OBJECT_LOCK: &str = "object-lock";
    /// `ownershipControls`
    pub const OWNERSHIP_CONTROLS: &str = "ownershipControls";
    /// `part-number-marker`
    pub const PART_NUMBER_MARKER: &str = "part-number-marker";
    /// `partNumber`
    pub const PART_NUMBER: &str = "partNumber";
    /// `policy`
    pub const POLICY: &str = "policy";
    /// `policyStatus`
    pub const POLICY_STATUS: &str = "policyStatus";
    /// `prefix`
    pub const PREFIX: &str = "prefix";
    /// `publicAccessBlock`
    pub const PUBLIC_ACCESS_BLOCK: &str = "publicAccessBlock";
    /// `replication`
    pub const REPLICATION: &str = "replication";
    /// `requestPayment`
    pub const REQUEST_PAYMENT: &str = "requestPayment";
    /// `response-cache-control`
    pub const RESPONSE_CACHE_CONTROL: &str = "response-cache-control";
    /// `response-content-disposition`
    pub const RESPONSE_CONTENT_DISPOSITION: &str = "response-content-disposition";
    /// `response-content-encoding`
    pub const RESPONSE_CONTENT_ENCODING: &str = "response-content-encoding";
    /// `response-content-language`
    pub const RESPONSE_CONTENT_LANGUAGE: &str = "response-content-language";
    /// `response-content-type`
    pub const RESPONSE_CONTENT_TYPE: &str = "response-content-type";
    /// `response-expires`
    pub const RESPONSE_EXPIRES: &str = "response-expires";
    /// `restore`
    pub const RESTORE: &str = "restore";
    /// `retention`
    pub const RETENTION: &str = "retention";
    /// `select`
    pub const SELECT: &str = "select";
    /// `session`
    pub const SESSION: &str = "session";
    /// `start-after`
    pub const START_AFTER: &str = "start-after";
    /// `tagging`
    pub const TAGGING: &str = "tagging";
    /// `torrent`
    pub const TORRENT: &str = "torrent";
    /// `upload-id-marker`
    pub const UPLOAD_ID_MARKER: &str = "upload-id-marker";
    /// `uploadId`
    pub const UPLOAD_ID: &str = "uploadId";
    /// `uploads`
    pub const UPLOADS: &str = "uploads";
    /// `version-id-marker`
    pub const VERSION_ID_MARKER: &str = "version-id-marker";
    /// `versionId`
    pub const VERSION_ID: &str = "versionId";
    /// `versioning`
    pub const VERSIONING: &str = "versioning";
    /// `versions`
    pub const VERSIONS: &str = "versions";
    /// `website`
    pub const WEBSITE: &str = "website";
}

/// Query parameters as `(name, value)` pairs; a bare `?uploads` has an empty value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

/// A query string that does not decode to UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadQuery;

impl Query {
    /// Parses `a=1&b&c=%2F`; `+` means a space, as in forms. Names and values must decode to
    /// UTF-8.
    pub fn parse(raw: &str) -> Result<Query, BadQuery> {
        crate::percent::parse_query(raw)
            .into_iter()
            .map(|p| Ok((utf8(p.name)?, utf8(p.value)?)))
            .collect::<Result<_, _>>()
            .map(Query)
    }

    /// First value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// All pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String, BadQuery> {
    String::from_utf8(bytes).map_err(|_| BadQuery)
}
