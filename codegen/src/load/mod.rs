//! Stage 1: read the schema's text into [`model`](crate::model) records.
//!
//! Apple-format files are read through [`yaml`] (which keeps anchors as shared
//! nodes, so recursive files load); overlays through `serde_yaml`.

pub mod apple;
pub mod overlay;
pub mod yaml;

use std::path::Path;

use crate::error::SchemaError;
use crate::model::{Overlay, SchemaFile};

/// One file of a schema folder, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name relative to the schema folder (`com.apple.vpn.managed.yaml`).
    pub name: String,
    pub text: String,
}

/// What a file's name says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `*.overlay.yaml`: the project's additions.
    Overlay,
    /// Any other `*.yaml`: Apple's format.
    Apple,
}

impl SourceFile {
    pub fn kind(&self) -> SourceKind {
        if self.name.ends_with(".overlay.yaml") {
            SourceKind::Overlay
        } else {
            SourceKind::Apple
        }
    }
}

/// Every file of a schema, read but not yet checked.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSchema {
    /// Apple-format files, sorted by name.
    pub files: Vec<SchemaFile>,
    /// Overlays, sorted by name.
    pub overlays: Vec<Overlay>,
}

/// Reads the `*.yaml` files directly inside `dir`, sorted by name.
pub fn read_schema_dir(dir: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_yaml = path
            .extension()
            .is_some_and(|extension| extension == "yaml");
        if !is_yaml || !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|error| {
            std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        })?;
        sources.push(SourceFile { name, text });
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sources)
}

/// Reads every source, collecting the problems of all files.
pub fn load(sources: &[SourceFile]) -> Result<LoadedSchema, Vec<SchemaError>> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut overlays = Vec::new();
    let mut sorted: Vec<&SourceFile> = sources.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for source in sorted {
        match source.kind() {
            SourceKind::Overlay => match overlay::read_overlay(&source.name, &source.text) {
                Ok(overlay) => overlays.push(overlay),
                Err(problems) => errors.extend(problems),
            },
            SourceKind::Apple => match yaml::Document::parse(&source.text) {
                Ok(document) => {
                    let (file, problems) = apple::read_schema_file(&source.name, &document);
                    errors.extend(problems);
                    files.push(file);
                }
                Err(error) => {
                    let mut schema_error = SchemaError::new(&source.name, error.message);
                    schema_error.line = error.line;
                    errors.push(schema_error);
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(LoadedSchema { files, overlays })
    } else {
        Err(errors)
    }
}

/// Reads a schema folder from disk: [`read_schema_dir`] then [`load`].
pub fn load_dir(dir: &Path) -> Result<LoadedSchema, Vec<SchemaError>> {
    let sources = read_schema_dir(dir).map_err(|error| {
        vec![SchemaError::new(
            dir.display().to_string(),
            format!("cannot read the schema folder: {error}"),
        )]
    })?;
    load(&sources)
}
