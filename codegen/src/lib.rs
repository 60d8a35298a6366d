//! Compiles Apple's device-management YAML into a Rust crate of typed
//! configuration-profile payloads.
//!
//! The pipeline, one module a stage:
//!
//! 1. [`load`]: read Apple-format files (anchors and recursion kept) and the
//!    project's overlays into [`schema`] records;
//! 2. [`bind`]: resolve every reference once (overlays to files and keys,
//!    rules to dictionaries, the common keys to each payload);
//! 3. [`types`]: decide which Rust types each file needs and each key's
//!    shape;
//! 4. [`naming`]: decide every identifier, recording clashes ([`ident`]
//!    holds the casing rules that turn one name into an identifier);
//! 5. [`check`]: report every problem, with file, line and key path;
//! 6. [`lower`]: build the [`ir`], every fact normalised once;
//! 7. [`emit`]: render the IR: Rust types, the validators' tables, JSON
//!    Schema and Markdown, all in the same words.
//!
//! [`generate`] runs the whole pipeline as a pure function; [`output`] puts
//! its files on disk or compares them with what is there. [`conventions`]
//! holds Apple's unwritten rules, [`pattern`] the portable form of a
//! `format` pattern.

#![forbid(unsafe_code)]

pub mod bind;
pub mod check;
pub mod conventions;
pub mod emit;
pub mod error;
pub mod ident;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod output;
pub mod pattern;
pub mod schema;
pub mod types;

pub use emit::GeneratedFile;
pub use emit::rust::CrateOptions;
pub use error::{SchemaError, SchemaErrors};
pub use load::SourceFile;

/// Loads, binds, names, checks and lowers a schema: everything short of
/// rendering. Every problem is reported at once.
pub fn compile(sources: &[SourceFile]) -> Result<ir::Ir, SchemaErrors> {
    let schema = load::load(sources).map_err(SchemaErrors::sorted)?;
    let bindings = bind::Bindings::bind(&schema);
    let plan = types::plan(&bindings);
    let names = naming::name(&bindings, &plan);
    let problems = check::check(&bindings, &plan, &names);
    if !problems.is_empty() {
        return Err(SchemaErrors::sorted(problems));
    }
    Ok(lower::lower(&bindings, &plan, &names))
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
    files.extend(emit::markdown::emit(&ir, options));
    Ok(files)
}
