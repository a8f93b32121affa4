//! The file sink: JSON lines appended to a file, rotated by size.

mod config;
mod encoder;
mod service;
#[cfg(test)]
mod tests;

pub use config::FileConfig;
pub use encoder::encode_lines;
pub use service::FileService;
