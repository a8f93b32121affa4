//! Audit: the sink machinery ([`sink`]) that audit events and bucket notifications share,
//! and the sinks built on it ([`sinks`]).

pub mod sink;
pub mod sinks;
