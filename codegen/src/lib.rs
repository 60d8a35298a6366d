//! Compiles Apple's device-management YAML into a Rust crate of typed
//! configuration-profile payloads.
//!
//! The pipeline, one module a stage:
//!
//! 1. [`load`]: read Apple-format files (anchors and recursion kept) and the
//!    project's overlays into [`schema`] records; [`merge`] adds the keys
//!    the overlays add, and [`repair`] resolves the problems of Apple's
//!    published files, with warnings;
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
//! [`import`] brings Apple's facts (not its prose) into the project's
//! schema; [`diff`] compares two compiled schemas for the change log and
//! the crate's next version. [`generate`] runs the whole pipeline as a pure function; [`output`] puts
//! its files on disk or compares them with what is there. [`conventions`]
//! holds Apple's unwritten rules, [`pattern`] the portable form of a
//! `format` pattern. [`parallel`] spreads the work done file by file
//! (parsing YAML, rendering a module) over the cores, results in order.

#![forbid(unsafe_code)]

pub mod bind;
pub mod check;
pub mod conventions;
pub mod diff;
pub mod emit;
pub mod error;
pub mod ident;
pub mod import;
pub mod ir;
pub mod load;
pub mod lower;
pub mod merge;
pub mod naming;
pub mod output;
pub mod parallel;
pub mod parts;
pub mod pattern;
pub mod release;
pub mod repair;
pub mod schema;
pub mod types;

pub use emit::GeneratedFile;
pub use emit::rust::CrateOptions;
pub use error::{Level, SchemaError, SchemaErrors};
pub use load::SourceFile;

/// A schema compiled into the IR, with the warnings about Apple's published
/// files met on the way (each resolved as it says).
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub ir: ir::Ir,
    pub warnings: Vec<SchemaError>,
}

/// Loads, repairs, binds, names, checks and lowers a schema: everything
/// short of rendering. Every problem is reported at once; warnings alone do
/// not stop it.
pub fn compile(sources: &[SourceFile]) -> Result<Compiled, SchemaErrors> {
    let (mut schema, mut problems) = load::load(sources);
    if problems.iter().any(SchemaError::is_error) {
        return Err(SchemaErrors::sorted(problems));
    }
    problems.extend(parts::merge_parts(&mut schema));
    problems.extend(merge::merge(&mut schema));
    problems.extend(repair::repair(&mut schema));
    let bindings = bind::Bindings::bind(&schema);
    let plan = types::plan(&bindings);
    let names = naming::name(&bindings, &plan);
    problems.extend(check::check(&bindings, &plan, &names));
    let problems = SchemaErrors::sorted(problems);
    if problems.0.iter().any(SchemaError::is_error) {
        return Err(problems);
    }
    Ok(Compiled {
        ir: lower::lower(&bindings, &plan, &names),
        warnings: problems.0,
    })
}

/// The generated files, and the warnings about Apple's published files.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<SchemaError>,
    /// How many payloads and keys have no description of the project's
    /// (listed in `docs/undescribed-keys.md`).
    pub undescribed: usize,
}

/// Generates the crate's files from schema sources: the Rust crate (types
/// and validation tables), its JSON Schemas and its Markdown reference.
pub fn generate(sources: &[SourceFile], options: &CrateOptions) -> Result<Generated, SchemaErrors> {
    let Compiled { ir, warnings } = compile(sources)?;
    let mut files = emit::rust::emit_crate(&ir, options);
    files.extend(emit::json_schema::emit(&ir, &options.command));
    files.extend(emit::markdown::emit(&ir, options));
    let undescribed = ir
        .modules
        .iter()
        .map(|module| emit::markdown::undescribed_keys(module).len())
        .sum();
    Ok(Generated {
        files,
        warnings,
        undescribed,
    })
}
