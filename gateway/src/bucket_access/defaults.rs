//! What a new bucket starts with: AWS's defaults since April 2023 (ownership enforced, every
//! public access blocked), or the older ones for tools that still expect them.

use super::ownership::OwnershipSetting;
use super::public_block::{PublicBlock, PublicBlockSetting};

/// `--bucket-defaults` (`STRATA_BUCKET_DEFAULTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BucketDefaults {
    /// `BucketOwnerEnforced` and all four Block Public Access settings on.
    #[default]
    Current,
    /// No ownership controls (ACLs in force, the writer owns its objects) and no public
    /// access block, as buckets made on AWS before April 2023.
    Legacy,
}

impl BucketDefaults {
    /// The setting's value: `current` or `legacy`.
    pub fn parse(value: &str) -> Option<BucketDefaults> {
        match value {
            "current" => Some(BucketDefaults::Current),
            "legacy" => Some(BucketDefaults::Legacy),
            _ => None,
        }
    }

    /// The ownership a new bucket gets unless CreateBucket names one.
    pub fn ownership(self) -> OwnershipSetting {
        match self {
            BucketDefaults::Current => OwnershipSetting::ENFORCED,
            BucketDefaults::Legacy => OwnershipSetting(None),
        }
    }

    /// The Block Public Access settings a new bucket gets.
    pub fn public_block(self) -> PublicBlockSetting {
        match self {
            BucketDefaults::Current => PublicBlockSetting::configured(PublicBlock::ALL),
            BucketDefaults::Legacy => PublicBlockSetting::NONE,
        }
    }
}
