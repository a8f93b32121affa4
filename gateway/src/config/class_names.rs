//! The S3 storage-class name of each local class (`--storage-classes`): what clients put in
//! `x-amz-storage-class` and what HEAD, GET and listings report. The first class, which
//! holds the namespace and takes writes that name no class, is `STANDARD`; another class is
//! called by its own name unless given one (`--dev` calls `bulk` `STANDARD_IA`).

use super::settings::ClassSpec;
use super::ConfigError;

/// The name of the class that takes writes naming none, as on S3.
pub const STANDARD_CLASS: &str = "STANDARD";

/// Longest storage-class name taken (AWS's are at most 19 characters).
const MAX_NAME: usize = 64;

/// Each class's S3 name, in `--volumes` order, then each remote tier's, in `[[tiers]]` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageClassNames {
    /// (class or tier, S3 name).
    names: Vec<(String, String)>,
    /// How many of `names` are local classes (the tiers follow).
    local: usize,
    /// The archive tiers among them: a version there is read only once restored.
    archives: Vec<String>,
}

impl StorageClassNames {
    /// The names of `classes`: `spec` (`bulk=STANDARD_IA;cold=GLACIER_IR`) over the
    /// defaults, which `dev` makes `bulk` = `STANDARD_IA`.
    pub fn new(classes: &[ClassSpec], spec: Option<&str>, dev: bool) -> Result<Self, ConfigError> {
        let mut names: Vec<(String, String)> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let s3 = match (i, c.name.as_str()) {
                    (0, _) => STANDARD_CLASS.to_string(),
                    (_, "bulk") if dev => "STANDARD_IA".to_string(),
                    (_, own) => own.to_string(),
                };
                (c.name.clone(), s3)
            })
            .collect();
        for part in spec.unwrap_or("").split(';').map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let (class, s3) = part
                .split_once('=')
                .map(|(c, n)| (c.trim(), n.trim()))
                .ok_or_else(|| invalid(part, "expected CLASS=NAME"))?;
            if !valid_name(s3) {
                return Err(invalid(s3, "storage-class names are [A-Z0-9_]+, as S3's"));
            }
            let at = names
                .iter()
                .position(|(c, _)| c == class)
                .ok_or_else(|| invalid(class, "no such class in --volumes"))?;
            if at == 0 && s3 != STANDARD_CLASS {
                return Err(invalid(
                    part,
                    "the first class holds the namespace and is STANDARD",
                ));
            }
            names[at].1 = s3.to_string();
        }
        for (i, (class, s3)) in names.iter().enumerate() {
            if names[..i].iter().any(|(_, other)| other == s3) {
                return Err(invalid(
                    class,
                    &format!("two classes would both be called {s3}"),
                ));
            }
        }
        let local = names.len();
        Ok(StorageClassNames {
            names,
            local,
            archives: Vec::new(),
        })
    }

    /// Adds the remote tiers after the local classes: colder than any of them.
    pub fn add_tiers(&mut self, tiers: &[super::TierSpec]) -> Result<(), ConfigError> {
        for t in tiers {
            let clash = |(c, s3): &(String, String)| {
                c.eq_ignore_ascii_case(&t.name) || *s3 == t.storage_class
            };
            if self.names.iter().any(clash) {
                return Err(ConfigError::Tier {
                    tier: t.name.clone(),
                    key: "name".into(),
                    reason: "a storage class has this name or storage class".into(),
                });
            }
            self.names.push((t.name.clone(), t.storage_class.clone()));
            if t.archive {
                self.archives.push(t.name.clone());
            }
        }
        Ok(())
    }

    /// Whether `class` (a stored version's) is an archive tier: read only once restored.
    pub fn is_archive(&self, class: &str) -> bool {
        self.archives.iter().any(|c| c == class)
    }

    /// Whether `class` (a stored version's) is a remote tier.
    pub fn is_tier(&self, class: &str) -> bool {
        self.names[self.local..].iter().any(|(c, _)| c == class)
    }

    /// A store of one class, the namespace's.
    pub fn namespace_only(class: &str) -> Self {
        StorageClassNames {
            names: vec![(class.to_string(), STANDARD_CLASS.to_string())],
            local: 1,
            archives: Vec::new(),
        }
    }

    /// The S3 name of a stored version's or upload's class (a class no longer configured is
    /// reported by its own name).
    pub fn for_client(&self, class: &str) -> String {
        self.names
            .iter()
            .find(|(c, _)| c == class)
            .map_or_else(|| class.to_string(), |(_, s3)| s3.clone())
    }

    /// Where the class with the S3 name `s3` stands in `--volumes` order, tiers last (later
    /// is colder: lifecycle transitions only move data down the order).
    pub fn rank(&self, s3: &str) -> Option<usize> {
        self.names.iter().position(|(_, n)| n == s3)
    }

    /// The class an `x-amz-storage-class` value names, if any.
    pub fn from_client(&self, s3: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(_, n)| n == s3)
            .map(|(c, _)| c.as_str())
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn invalid(value: &str, why: &str) -> ConfigError {
    ConfigError::Invalid {
        setting: "--storage-classes",
        value: value.to_string(),
        reason: why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(names: &[&str]) -> Vec<ClassSpec> {
        names
            .iter()
            .map(|n| ClassSpec {
                name: n.to_string(),
                volumes: vec![format!("/v/{n}").into()],
                scheme: None,
            })
            .collect()
    }

    #[test]
    fn the_first_class_is_standard_and_the_others_keep_their_names_unless_named() {
        let names =
            StorageClassNames::new(&classes(&["fast", "bulk", "cold"]), None, false).unwrap();
        assert_eq!(names.for_client("fast"), "STANDARD");
        assert_eq!(names.for_client("bulk"), "bulk");
        assert_eq!(names.from_client("STANDARD"), Some("fast"));
        assert_eq!(names.from_client("cold"), Some("cold"));
        assert_eq!(names.from_client("fast"), None);

        let named = StorageClassNames::new(
            &classes(&["fast", "bulk", "cold"]),
            Some("bulk=STANDARD_IA; cold=GLACIER_IR"),
            false,
        )
        .unwrap();
        assert_eq!(named.for_client("cold"), "GLACIER_IR");
        assert_eq!(named.from_client("STANDARD_IA"), Some("bulk"));
        assert_eq!(
            named.from_client("bulk"),
            None,
            "a class is called by its S3 name"
        );
        assert_eq!(named.for_client("gone"), "gone");
    }

    #[test]
    fn dev_calls_bulk_standard_ia() {
        let names = StorageClassNames::new(&classes(&["fast", "bulk"]), None, true).unwrap();
        assert_eq!(names.for_client("bulk"), "STANDARD_IA");
        assert_eq!(names.for_client("fast"), "STANDARD");
        assert_eq!(names.from_client("STANDARD_IA"), Some("bulk"));
    }

    #[test]
    fn bad_names_unknown_classes_clashes_and_a_renamed_namespace_are_refused() {
        let cls = classes(&["fast", "bulk", "cold"]);
        for spec in [
            "bulk=standard_ia",
            "bulk=",
            "bulk",
            "nope=GLACIER",
            "fast=STANDARD_IA",
            "bulk=STANDARD",
            "bulk=GLACIER;cold=GLACIER",
        ] {
            assert!(
                StorageClassNames::new(&cls, Some(spec), false).is_err(),
                "{spec}"
            );
        }
        assert!(StorageClassNames::new(&cls, Some("fast=STANDARD"), false).is_ok());
    }
}
