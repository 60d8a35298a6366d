//! Compiles Apple's device-management YAML into a Rust crate of typed
//! configuration-profile payloads.
//!
//! The pipeline, one module a stage:
//!
//! 1. [`load`]: read Apple-format files (anchors and recursion kept) and the
//!    project's overlays into [`model`] records;
//! 2. [`check`]: collect every problem of meaning, with file, line and key path;
//! 3. [`lower`]: resolve into the [`ir`]: types shared, names decided through
//!    [`naming`], `supportedOS` inherited, recursive fields boxed;
//! 4. [`emit`]: render the IR: Rust types, the validators' tables, JSON
//!    Schema and Markdown, all from the same IR.
//!
//! [`generate`] runs the whole pipeline as a pure function; the caller
//! (`cargo xtask codegen`) reads and writes files.

#![forbid(unsafe_code)]

pub mod check;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod model;
pub mod naming;
pub mod pattern;

pub use emit::GeneratedFile;
pub use emit::rust::CrateOptions;
pub use error::{SchemaError, SchemaErrors};
pub use load::SourceFile;

/// Loads, checks and lowers a schema: everything short of rendering.
pub fn compile(sources: &[SourceFile]) -> Result<ir::Ir, SchemaErrors> {
    let schema = load::load(sources).map_err(SchemaErrors::sorted)?;
    let problems = check::check(&schema);
    if !problems.is_empty() {
        return Err(SchemaErrors::sorted(problems));
    }
    lower::lower(&schema).map_err(SchemaErrors::sorted)
}

/// Generates the crate's files from schema sources: the Rust crate (types
/// and validation tables), its JSON Schemas and its Markdown reference.
pub fn generate(
    sources: &[SourceFile],
    options: &CrateOptions,
) -> Result<Vec<GeneratedFile>, SchemaErrors> {
    let ir = compile(sources)?;
    let mut files = emit::rust::emit_crate(&ir, options);
    files.extend(emit::json_schema::emit(&ir, &options.command));
    files.extend(emit::markdown::emit(&ir, &options.command));
    Ok(files)
}
