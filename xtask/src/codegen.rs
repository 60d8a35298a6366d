//! `cargo xtask codegen`: schema folder in, crate folder out.

use std::path::{Path, PathBuf};

use mobileconfig_codegen::load::read_sources;
use mobileconfig_codegen::output::{Mode, sync};
use mobileconfig_codegen::release::{RELEASE_FILE, Release};
use mobileconfig_codegen::{CrateOptions, Generated, SchemaErrors, generate};

use crate::{USAGE, workspace_root};

#[derive(Debug, Default)]
pub struct Options {
    pub check: bool,
    pub schema: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub overlays: Option<PathBuf>,
    /// List every resolved problem of Apple's files, not just their count.
    pub warnings: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--check" => options.check = true,
                "--warnings" => options.warnings = true,
                "--schema" => options.schema = Some(path_value(args.next(), "--schema")?),
                "--out" => options.out = Some(path_value(args.next(), "--out")?),
                "--overlays" => options.overlays = Some(path_value(args.next(), "--overlays")?),
                other => return Err(format!("unknown option `{other}`\n\n{USAGE}")),
            }
        }
        if options.schema.is_some() != options.out.is_some() {
            return Err(format!("--schema and --out go together\n\n{USAGE}"));
        }
        Ok(options)
    }
}

fn path_value(value: Option<&String>, option: &str) -> Result<PathBuf, String> {
    value
        .map(PathBuf::from)
        .ok_or_else(|| format!("{option} needs a folder\n\n{USAGE}"))
}

/// The options of a crate named `mobileconfig` that builds outside the
/// workspace, on this workspace's runtime, named after `schema`.
pub fn standalone_options(schema: &Path) -> Result<CrateOptions, String> {
    let runtime = workspace_root().join("runtime");
    let runtime = std::fs::canonicalize(&runtime)
        .map_err(|error| format!("{}: {error}", runtime.display()))?;
    Ok(CrateOptions::standalone("mobileconfig", &runtime, schema))
}

pub fn run(options: &Options) -> Result<(), String> {
    let root = workspace_root();
    let (schema_dir, out_dir, crate_options) = match (&options.schema, &options.out) {
        (Some(schema), Some(out)) => {
            let mut crate_options = standalone_options(schema)?;
            crate_options.release.apple.commit = crate::git_commit(schema);
            (schema.clone(), out.clone(), crate_options)
        }
        _ => {
            let schema = root.join("schema");
            let release = Release::read(&schema)?.ok_or_else(|| {
                format!(
                    "{}/{RELEASE_FILE} is missing: it records the crate's version and Apple's \
                     release (`cargo xtask import` writes it)",
                    schema.display()
                )
            })?;
            (
                schema,
                root.join("generated"),
                CrateOptions::workspace(release),
            )
        }
    };
    // A folder given with --schema is Apple's, as published.
    let published = options.schema.is_some();
    let sources = read_sources(&schema_dir, options.overlays.as_deref(), published)?;
    let Generated {
        files,
        warnings,
        undescribed,
    } = generate(&sources, &crate_options).map_err(|problems| {
        let errors = problems
            .0
            .iter()
            .filter(|problem| problem.is_error())
            .count();
        format!(
            "{problems}\n\n{errors} error(s) in {}; nothing was written",
            schema_dir.display()
        )
    })?;
    if !warnings.is_empty() {
        if options.warnings {
            eprintln!("{}", SchemaErrors(warnings.clone()));
        }
        eprintln!(
            "{} problem(s) in Apple's published files were resolved as each says{}",
            warnings.len(),
            if options.warnings {
                ""
            } else {
                "; `--warnings` lists them"
            }
        );
    }
    let mode = if options.check {
        Mode::Check
    } else {
        Mode::Write
    };
    let report = sync(&out_dir, &files, mode).map_err(|error| error.to_string())?;
    match mode {
        Mode::Check if !report.is_fresh() => Err(report.stale_message(&crate_options.command)),
        Mode::Check => {
            println!("{} generated files are up to date", report.total);
            Ok(())
        }
        Mode::Write => {
            if undescribed > 0 {
                println!(
                    "{undescribed} payloads and keys have no description of the project's yet \
                     (docs/undescribed-keys.md lists them)"
                );
            }
            println!(
                "{}: {} files, {} written, {} removed",
                out_dir.display(),
                report.total,
                report.stale.len(),
                report.leftovers.len()
            );
            Ok(())
        }
    }
}
