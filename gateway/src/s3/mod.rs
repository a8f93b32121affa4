//! The S3 API surface, independent of the HTTP server: routing, names, XML, errors and the
//! operations themselves.

pub mod action_table;
pub mod actions;
pub mod body;
pub mod condition_keys;
pub mod copy_source;
pub mod error;
pub mod http;
pub mod names;
pub mod operation;
pub mod ops;
pub mod query;
pub mod response;
pub mod restore_on_scan;
pub mod restoring;
pub mod rfc2047;
pub mod router;
pub mod unhonoured;
pub mod xml;

pub use error::{Code, S3Error};
pub use operation::Operation;
pub use router::{route, route_head, RequestLine, Route, RouteError};
