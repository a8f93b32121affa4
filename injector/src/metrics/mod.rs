//! The injector's own metrics (`GET /metrics`), kept in a `prometheus-client` registry and
//! rendered by its encoders, under the naming rules of `docs/OBSERVABILITY.md` (prefix
//! `strata_injector_`).
//!
//! - [`families`]: the series and what feeds them;
//! - [`exposition`]: the format a scraper asked for (`Accept`) and the rendered text.

mod exposition;
mod families;

pub use exposition::Format;
pub use families::Metrics;

#[cfg(test)]
mod tests;
