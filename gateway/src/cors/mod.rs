//! Cross-origin resource sharing: a bucket's CORS rules (PutBucketCors), which the request
//! path consults to answer browsers' preflights and to add `Access-Control-*` headers to
//! cross-origin requests' answers.

mod answer;
mod config;
mod evaluate;

pub use answer::{actual, preflight, CorsHeaders};
pub use config::{CorsRule, CorsRules, CORS_CONFIG, MAX_CORS_BODY};
