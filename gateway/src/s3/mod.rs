//! The S3 API surface, independent of the HTTP server: routing, names, XML, errors and the
//! operations themselves.

pub mod body;
pub mod error;
pub mod http;
pub mod names;
pub mod operation;
pub mod ops;
pub mod query;
pub mod response;
pub mod router;
pub mod unhonoured;
pub mod xml;

pub use error::{Code, S3Error};
pub use operation::Operation;
pub use router::{route, route_head, RequestLine, Route, RouteError};
