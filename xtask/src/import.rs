//! `cargo xtask import CHECKOUT`: brings Apple's facts from a checkout of
//! `apple/device-management` into `schema/apple/` (Apple's prose left out,
//! see `mobileconfig_codegen::import`), removes the files the release no
//! longer has, and regenerates `generated/`. The diff of `schema/apple/` is
//! the diff of Apple's facts; the project's overlays, descriptions and
//! additions (the other files of `schema/`) are not touched.

use std::path::{Path, PathBuf};

use mobileconfig_codegen::SchemaErrors;
use mobileconfig_codegen::import::{header, import};
use mobileconfig_codegen::load::yaml::Document;
use mobileconfig_codegen::load::{IMPORTED_FOLDER, read_published_dir};
use mobileconfig_codegen::release::{AppleRelease, RELEASE_FILE, Release};

use crate::{USAGE, workspace_root};

#[derive(Debug)]
pub struct Options {
    pub checkout: PathBuf,
    /// The release's name, for the record; the checkout folder's by default.
    pub release: String,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut checkout = None;
        let mut release = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--release" => {
                    release = Some(
                        args.next()
                            .ok_or_else(|| format!("--release needs a name\n\n{USAGE}"))?
                            .clone(),
                    );
                }
                option if option.starts_with('-') => {
                    return Err(format!("unknown option `{option}`\n\n{USAGE}"));
                }
                folder if checkout.is_none() => checkout = Some(PathBuf::from(folder)),
                other => return Err(format!("import takes one checkout; `{other}` is a second")),
            }
        }
        let checkout = checkout
            .ok_or_else(|| format!("import needs a checkout of Apple's repository\n\n{USAGE}"))?;
        let release = release.unwrap_or_else(|| {
            checkout
                .canonicalize()
                .ok()
                .and_then(|path| {
                    path.file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                })
                .unwrap_or_else(|| "unnamed".to_owned())
        });
        Ok(Options { checkout, release })
    }
}

pub fn run(options: &Options) -> Result<(), String> {
    let checkout = &options.checkout;
    let sources = read_published_dir(checkout)
        .map_err(|error| format!("cannot read {}: {error}", checkout.display()))?;
    if sources.is_empty() {
        return Err(format!("{} holds no Apple-format YAML", checkout.display()));
    }
    let meta = read_meta_schema(checkout)?;
    let (files, warnings) = import(&sources, meta.as_ref(), &header(&options.release));
    let folder = workspace_root().join("schema").join(IMPORTED_FOLDER);
    let (written, removed) = write_files(&folder, &files)?;
    std::fs::write(
        folder.join("README.md"),
        readme(&options.release, files.len()),
    )
    .map_err(|error| format!("{}: {error}", folder.display()))?;
    record_release(&options.release, crate::git_commit(checkout))?;
    if !warnings.is_empty() {
        eprintln!("{}", SchemaErrors(warnings.clone()));
    }
    println!(
        "{}: {} files from {} ({written} written, {removed} removed), {} warning(s)",
        folder.display(),
        files.len(),
        options.release,
        warnings.len()
    );
    // The generated crate follows the facts.
    crate::codegen::run(&crate::codegen::Options::default())
}

/// Records the Apple release in `schema/release.yaml`, keeping the crate's
/// version (a first import starts at 0.1.0).
fn record_release(name: &str, commit: Option<String>) -> Result<(), String> {
    let schema = workspace_root().join("schema");
    let mut release = Release::read(&schema)?.unwrap_or_else(|| Release::of_folder(&schema));
    release.apple = AppleRelease {
        name: name.to_owned(),
        commit,
    };
    let path = schema.join(RELEASE_FILE);
    std::fs::write(&path, release.render()).map_err(|error| format!("{}: {error}", path.display()))
}

/// The release's meta-schema (`docs/schema.yaml`), when the checkout has it.
fn read_meta_schema(checkout: &Path) -> Result<Option<Document>, String> {
    let path = checkout.join("docs/schema.yaml");
    if !path.is_file() {
        eprintln!(
            "{} has no docs/schema.yaml: files are imported without the meta-schema check",
            checkout.display()
        );
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    Document::parse(&text)
        .map(Some)
        .map_err(|error| format!("{}: {}", path.display(), error.message))
}

/// Writes the imported files under `folder` and removes the `*.yaml` files
/// the release no longer has; returns how many were written and removed.
fn write_files(
    folder: &Path,
    files: &[mobileconfig_codegen::import::ImportedFile],
) -> Result<(usize, usize), String> {
    let at = |path: &Path, error: std::io::Error| format!("{}: {error}", path.display());
    let mut written = 0;
    for file in files {
        let path = folder.join(&file.name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| at(parent, error))?;
        }
        std::fs::write(&path, &file.text).map_err(|error| at(&path, error))?;
        written += 1;
    }
    let mut removed = 0;
    let existing = mobileconfig_codegen::load::read_schema_dir(folder)
        .map_err(|error| format!("{}: {error}", folder.display()))?;
    for stale in existing
        .iter()
        .filter(|source| !files.iter().any(|file| file.name == source.name))
    {
        let path = folder.join(&stale.name);
        std::fs::remove_file(&path).map_err(|error| at(&path, error))?;
        removed += 1;
    }
    Ok((written, removed))
}

fn readme(release: &str, count: usize) -> String {
    format!(
        "# Apple's facts\n\n\
         Written by `cargo xtask import` from Apple's `apple/device-management` repository, \
         release `{release}`: {count} files of its `mdm/profiles` and \
         `declarative/declarations`, laid out as Apple lays them, each with Apple's prose \
         (`content`, `description`, `notes`) left out. Do not edit these files: re-import.\n\n\
         The project's own material is in the folder above: the overlays \
         (`*.overlay.yaml`), which hold its descriptions, its rules, and the keys it adds \
         before Apple's YAML has them.\n"
    )
}
