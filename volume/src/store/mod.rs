//! The store: storage classes, buckets and objects, with quorum commits on the namespace
//! class. Each operation is a whole operation (it owns its commit order); callers never
//! sequence metadata writes. A write is staged (its shards made durable) and then committed;
//! a read opens the version and reads its shards only when asked.

mod bucket;
mod commit;
mod complete_to_tier;
mod engine;
mod heal;
mod heal_parts;
mod heal_tables;
mod iam;
mod list;
mod lock;
mod maintain;
mod merge;
mod multipart;
mod object;
mod open;
mod orphan_parts;
mod put;
mod read;
mod reclaim;
mod remote;
mod resolve;
mod restore;
mod scan;
mod settle_upload;
mod stage_remote;
mod staged;
mod sweep;
mod transition;
mod walk;
mod watch;

pub use engine::Store;
pub use iam::IamWrite;
pub use maintain::Maintenance;
pub use read::StoredObject;
pub use remote::TierMove;
pub use restore::Restored;
pub use scan::{ScanHook, ScanStart, UploadVerdict};
pub use staged::StagedData;
pub use transition::Transitioned;

use engine::Inner;
