//! The access log: one structured line per request, from its event (target `strata::access`).

use tracing::Level;

use super::{Backpressure, Observe, RequestEvent};
use crate::auth::Principal;
use crate::config::AccessLogLevel;
use crate::s3::operation::Operation;

/// Logs each request at the configured level; server faults (5xx) and dropped connections at
/// `warn` at least, whatever the level.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestLog {
    level: Option<Level>,
}

impl RequestLog {
    /// Lines at `level` (`Off`: faults only).
    pub fn new(level: AccessLogLevel) -> Self {
        let level = match level {
            AccessLogLevel::Off => None,
            AccessLogLevel::Error => Some(Level::ERROR),
            AccessLogLevel::Warn => Some(Level::WARN),
            AccessLogLevel::Info => Some(Level::INFO),
            AccessLogLevel::Debug => Some(Level::DEBUG),
            AccessLogLevel::Trace => Some(Level::TRACE),
        };
        RequestLog { level }
    }

    /// The level this event's line is logged at, if any. (A lower `Level` is more severe.)
    fn level_for(&self, e: &RequestEvent) -> Option<Level> {
        let fault = e.status.is_none_or(|s| s >= 500);
        match (fault, self.level) {
            (true, Some(l)) => Some(l.min(Level::WARN)),
            (true, None) => Some(Level::WARN),
            (false, l) => l,
        }
    }
}

/// One line, at a level known only at run time (tracing's macros want a constant).
macro_rules! line {
    ($level:expr, $($fields:tt)*) => {
        match $level {
            Level::ERROR => tracing::error!(target: "strata::access", $($fields)*),
            Level::WARN => tracing::warn!(target: "strata::access", $($fields)*),
            Level::INFO => tracing::info!(target: "strata::access", $($fields)*),
            Level::DEBUG => tracing::debug!(target: "strata::access", $($fields)*),
            Level::TRACE => tracing::trace!(target: "strata::access", $($fields)*),
        }
    };
}

impl Observe for RequestLog {
    fn observe(&self, e: &RequestEvent) -> Backpressure {
        let level = self.level_for(e)?;
        // The global ceiling first: formatting the fields is the line's main cost.
        if tracing::level_filters::LevelFilter::current() < level {
            return None;
        }
        let op = e.op.map_or("-", Operation::name);
        let status = e.status.unwrap_or(0);
        let error = e.error.map_or("", |c| c.as_str());
        let access_key = match &e.principal {
            Some(Principal::Key { access_key, .. }) => access_key.as_str(),
            _ => "",
        };
        let peer = e.peer.addr.map(|a| a.to_string()).unwrap_or_default();
        let elapsed_ms = e.duration.as_secs_f64() * 1000.0;
        let (request_id, path) = (e.request_id.as_str(), e.path.as_str());
        let (bytes_in, bytes_out, stage) = (e.bytes_in, e.bytes_out, e.stage.as_str());
        line!(
            level,
            request_id,
            op,
            method = %e.method,
            path,
            status,
            error,
            stage,
            access_key,
            peer,
            bytes_in,
            bytes_out,
            elapsed_ms,
            "request"
        );
        None
    }
}
