//! Stage 7: renderings of the IR. Each emitter is a pure function from the
//! IR to file contents; the caller writes them.
//!
//! - [`rust`]: the crate's Rust types;
//! - [`tables`]: each payload's schema as `static` tables for the validators;
//! - [`json_schema`]: a JSON Schema per payload and for a whole profile;
//! - [`markdown`]: the reference pages;
//! - [`facts`]: the words all of them use for keys, types and payloads.

pub mod facts;
pub mod json_schema;
pub mod markdown;
pub mod rust;
pub mod tables;

/// One generated file: a path relative to the output folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}
