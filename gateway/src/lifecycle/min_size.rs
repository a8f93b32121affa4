//! `x-amz-transition-default-minimum-object-size`: AWS's default floor under which objects do
//! not transition. strata has none unless a configuration asks for AWS's with this header
//! (kept beside the rules and answered back); a rule's own size filter overrides it, as on AWS.

use crate::s3::error::{Code, S3Error};

/// The header.
pub const MIN_SIZE_HEADER: &str = "x-amz-transition-default-minimum-object-size";

/// Where its value is kept among the bucket's configuration documents.
pub const MIN_SIZE_CONFIG: &str = "lifecycle-transition-minimum";

/// AWS's floor.
const FLOOR: u64 = 128 * 1024;

/// The classes `varies_by_storage_class` lets small objects go to.
const SMALL_OBJECT_CLASSES: [&str; 2] = ["GLACIER", "DEEP_ARCHIVE"];

/// The floor in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MinSize {
    /// No header was given: strata's own default, no floor.
    #[default]
    Unset,
    /// `all_storage_classes_128K`.
    AllClasses,
    /// `varies_by_storage_class`.
    VariesByClass,
}

impl MinSize {
    /// The header's value.
    pub fn parse(value: &str) -> Result<MinSize, S3Error> {
        match value.trim() {
            "all_storage_classes_128K" => Ok(MinSize::AllClasses),
            "varies_by_storage_class" => Ok(MinSize::VariesByClass),
            other => Err(Code::InvalidArgument.with(format!(
                "{MIN_SIZE_HEADER} is all_storage_classes_128K or varies_by_storage_class, not {other:?}"
            ))),
        }
    }

    /// The stored value (`None` for no floor).
    pub fn name(self) -> Option<&'static str> {
        match self {
            MinSize::Unset => None,
            MinSize::AllClasses => Some("all_storage_classes_128K"),
            MinSize::VariesByClass => Some("varies_by_storage_class"),
        }
    }

    /// Whether an object of `size` bytes stays out of a transition to the class `target`
    /// (by its S3 name) for its size.
    pub fn keeps_back(self, size: u64, target: &str) -> bool {
        match self {
            MinSize::Unset => false,
            MinSize::AllClasses => size < FLOOR,
            MinSize::VariesByClass => size < FLOOR && !SMALL_OBJECT_CLASSES.contains(&target),
        }
    }
}
