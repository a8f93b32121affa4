//! The `[[tiers]]` tables of the config file: remote tiers (any OpenDAL service) that
//! lifecycle rules move versions to. Documented in README.md, "Remote tiers".
//!
//! ```toml
//! [[tiers]]
//! name = "cloud"                  # recorded in every version moved there: never rename
//! storage_class = "GLACIER_IR"    # the S3 name rules and listings use
//! service = "s3"                  # OpenDAL's service name: s3, azblob, gcs, fs, ...
//! kms_key = "tier-cloud"          # seals plaintext objects on their way out (optional)
//! read_ahead = 4                  # ranged GETs at once per read-through (optional, 0: one)
//! [tiers.options]                 # the service's options, as OpenDAL names them
//! bucket = "strata-cold"
//! region = "eu-west-1"
//! [tiers.option_files]            # options read from files (mounted Secrets)
//! access_key_id = "/var/run/secrets/tier/access_key_id"
//! secret_access_key = "/var/run/secrets/tier/secret_access_key"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::settings::secret;
use super::ConfigError;

/// Options that are credentials: refused inline, taken from `option_files` only, so that a
/// config file (often a ConfigMap) never holds a secret.
const SECRET_OPTIONS: [&str; 7] = [
    "secret_access_key",
    "session_token",
    "account_key",
    "sas_token",
    "credential",
    "token",
    "password",
];

/// Most ranged GETs one read-through may have in flight (`read_ahead`).
pub const MAX_READ_AHEAD: usize = 16;

/// Archive classes: a version there is read only through a restored copy (RestoreObject).
const ARCHIVE_CLASSES: [&str; 2] = ["GLACIER", "DEEP_ARCHIVE"];

/// One declared remote tier.
#[derive(Clone, PartialEq, Eq)]
pub struct TierSpec {
    /// The tier's name, as versions record it.
    pub name: String,
    /// Its S3 storage-class name.
    pub storage_class: String,
    /// The OpenDAL service.
    pub service: String,
    /// The service's options, secrets read from their files.
    pub options: Vec<(String, String)>,
    /// The KMS key that seals plaintext objects moved here (`None`: the default SSE-KMS key).
    pub kms_key: Option<String>,
    /// An archive tier (`GLACIER`, `DEEP_ARCHIVE`): GETs need a restored copy.
    pub archive: bool,
    /// Chunks a read-through fetches ahead, each by its own ranged GET (0: the read is one
    /// streamed GET).
    pub read_ahead: usize,
}

impl std::fmt::Debug for TierSpec {
    // Options may hold credentials read from files: only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let options: Vec<&str> = self.options.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("TierSpec")
            .field("name", &self.name)
            .field("storage_class", &self.storage_class)
            .field("service", &self.service)
            .field("options", &options)
            .field("kms_key", &self.kms_key)
            .field("archive", &self.archive)
            .field("read_ahead", &self.read_ahead)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    name: String,
    storage_class: String,
    service: String,
    kms_key: Option<String>,
    /// Signed, so that a negative count is refused by name rather than by serde's type error.
    #[serde(default)]
    read_ahead: i64,
    #[serde(default)]
    options: BTreeMap<String, String>,
    #[serde(default)]
    option_files: BTreeMap<String, PathBuf>,
}

fn error(tier: &str, key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Tier {
        tier: tier.to_string(),
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Parses the `tiers` array, if the file has one.
pub fn parse(
    tiers: Option<toml::Value>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Vec<TierSpec>, ConfigError> {
    let Some(tiers) = tiers else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(tables) = tiers else {
        return Err(error("", "tiers", "must be an array of tables ([[tiers]])"));
    };
    let mut out: Vec<TierSpec> = Vec::new();
    for (i, table) in tables.into_iter().enumerate() {
        let position = format!("#{}", i + 1);
        let raw = RawTier::deserialize(table).map_err(|e| error(&position, "", e.message()))?;
        let spec = one(raw, read_file)?;
        if out.iter().any(|t| {
            t.name.eq_ignore_ascii_case(&spec.name) || t.storage_class == spec.storage_class
        }) {
            return Err(error(
                &spec.name,
                "name",
                "another tier has this name or storage class",
            ));
        }
        out.push(spec);
    }
    Ok(out)
}

fn one(
    raw: RawTier,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<TierSpec, ConfigError> {
    let name = raw.name;
    let simple = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !simple(&name) {
        return Err(error(&name, "name", "1 to 63 of a-z, 0-9 and -"));
    }
    let class = raw.storage_class;
    if class.is_empty()
        || class.len() > 64
        || !class
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(error(&name, "storage_class", "[A-Z0-9_]+, as S3's names"));
    }
    if class == super::STANDARD_CLASS {
        return Err(error(
            &name,
            "storage_class",
            "STANDARD is the namespace class",
        ));
    }
    if !simple(&raw.service) {
        return Err(error(
            &name,
            "service",
            "an OpenDAL service name such as s3",
        ));
    }
    let read_ahead = usize::try_from(raw.read_ahead)
        .ok()
        .filter(|n| *n <= MAX_READ_AHEAD)
        .ok_or_else(|| {
            error(
                &name,
                "read_ahead",
                format!("0 to {MAX_READ_AHEAD} ranged GETs"),
            )
        })?;
    let mut options: Vec<(String, String)> = Vec::new();
    for (key, value) in raw.options {
        if SECRET_OPTIONS.contains(&key.as_str()) {
            return Err(error(
                &name,
                &format!("options.{key}"),
                "a credential: give it in option_files",
            ));
        }
        if raw.option_files.contains_key(&key) {
            return Err(error(&name, &key, "given both in options and option_files"));
        }
        options.push((key, value));
    }
    for (key, path) in raw.option_files {
        let setting = "--config [[tiers]] option_files";
        let value = secret(setting, None, Some(path), read_file)?.unwrap_or_default();
        options.push((key, value));
    }
    Ok(TierSpec {
        name,
        archive: ARCHIVE_CLASSES.contains(&class.as_str()),
        storage_class: class,
        service: raw.service,
        options,
        kms_key: raw.kms_key.filter(|k| !k.is_empty()),
        read_ahead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Vec<TierSpec>, ConfigError> {
        let mut table: toml::Table = toml::from_str(text).unwrap();
        let read = |p: &Path| -> std::io::Result<String> {
            match p.to_str() {
                Some("/secrets/key") => Ok("s3cr3t\n".into()),
                _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
            }
        };
        parse(table.remove("tiers"), &read)
    }

    #[test]
    fn a_tier_takes_options_and_secrets_from_files() {
        let tiers = parse_text(
            r#"
            [[tiers]]
            name = "cloud"
            storage_class = "GLACIER_IR"
            service = "s3"
            options = { bucket = "cold", region = "eu-west-1" }
            option_files = { secret_access_key = "/secrets/key" }
            "#,
        )
        .unwrap();
        assert_eq!(tiers.len(), 1);
        let t = &tiers[0];
        assert_eq!(
            (t.name.as_str(), t.storage_class.as_str()),
            ("cloud", "GLACIER_IR")
        );
        assert!(t
            .options
            .contains(&("secret_access_key".into(), "s3cr3t".into())));
        assert!(t.options.contains(&("bucket".into(), "cold".into())));
        assert!(
            !format!("{t:?}").contains("s3cr3t"),
            "debug output hides values"
        );
        assert!(!t.archive);
        assert_eq!(t.read_ahead, 0, "one streamed GET unless asked");
    }

    #[test]
    fn read_ahead_is_taken_up_to_its_bound() {
        for n in [1, 4, MAX_READ_AHEAD] {
            let text = format!(
                "[[tiers]]\nname = \"t\"\nstorage_class = \"COLD\"\nservice = \"fs\"\nread_ahead = {n}"
            );
            assert_eq!(parse_text(&text).unwrap()[0].read_ahead, n);
        }
    }

    #[test]
    fn glacier_and_deep_archive_tiers_are_archives() {
        for (class, archive) in [("GLACIER", true), ("DEEP_ARCHIVE", true), ("COLD", false)] {
            let text =
                format!("[[tiers]]\nname = \"t\"\nstorage_class = \"{class}\"\nservice = \"fs\"");
            let tiers = parse_text(&text).unwrap();
            assert_eq!(tiers[0].archive, archive, "{class}");
        }
    }

    #[test]
    fn bad_tiers_are_refused_with_the_key_at_fault() {
        let base = |extra: &str| {
            format!(
                "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"fs\"\n{extra}"
            )
        };
        for (text, key) in [
            (
                base("options = { secret_access_key = \"x\" }"),
                "options.secret_access_key",
            ),
            (
                base("option_files = { account_key = \"/nope\" }"),
                "--config [[tiers]] option_files",
            ),
            (
                base("options = { root = \"/a\" }\noption_files = { root = \"/secrets/key\" }"),
                "root",
            ),
            (base("[tiers.extra]\nx = 1"), ""),
            (base("read_ahead = 17"), "read_ahead"),
            (base("read_ahead = -1"), "read_ahead"),
            (
                "[[tiers]]\nname = \"Cloud\"\nstorage_class = \"COLD\"\nservice = \"fs\"".into(),
                "name",
            ),
            (
                "[[tiers]]\nname = \"cloud\"\nstorage_class = \"STANDARD\"\nservice = \"fs\""
                    .into(),
                "storage_class",
            ),
            (
                format!("{}\n{}", base(""), base("").replace("cloud", "other")),
                "name",
            ),
        ] {
            let e = parse_text(&text).expect_err(&text).to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
    }
}
