//! Stage 4: renderings of the IR. Each emitter is a pure function from the
//! IR to file contents; the caller writes them.

pub mod docs;
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
