//! S3 operations, one file per family, and the one `match` that dispatches to them.

mod access;
mod acl;
mod attributes;
mod bucket;
mod checksum_tap;
mod common;
mod copy;
mod cors;
mod delete;
mod delete_conditions;
mod dispatch;
mod encryption;
mod get;
mod lifecycle;
mod list;
mod list_buckets;
mod lock;
mod lock_headers;
mod md5_tap;
mod multipart;
mod multipart_checksums;
mod notification;
mod object_checksum;
mod planned_read;
mod policy;
mod put;
mod restore;
mod service;
mod slow_answer;
mod tagging;
mod write;

pub use common::{Authorizing, Ctx, Request, WriteLimits};
pub use dispatch::dispatch;
