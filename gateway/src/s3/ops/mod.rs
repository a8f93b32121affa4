//! S3 operations, one file per family, and the one `match` that dispatches to them.

mod attributes;
mod bucket;
mod common;
mod composite;
mod copy;
mod delete;
mod dispatch;
mod get;
mod list;
mod multipart;
mod policy;
mod put;
mod tagging;

pub use common::{Ctx, PayloadSlot, Request, Response};
pub use dispatch::dispatch;
