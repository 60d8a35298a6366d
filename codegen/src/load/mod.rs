//! Stage 1: read the schema's text into [`schema`](crate::schema) records.
//!
//! Every file is parsed once by [`yaml`], which keeps anchors as shared nodes
//! (so recursive files load) and the line of every node. Apple-format files
//! are then read by [`apple`], overlays by [`overlay`].

pub mod apple;
pub mod overlay;
pub mod yaml;

use std::path::Path;

use crate::error::SchemaError;
use crate::schema::Schema;

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

/// Reads a schema folder and, when given, a folder of further overlays
/// (fixups for a schema folder the project does not own, such as Apple's).
/// The further overlays are named with their folder, so messages and
/// headers say where they come from.
pub fn read_sources(schema: &Path, overlays: Option<&Path>) -> Result<Vec<SourceFile>, String> {
    let mut sources = read_schema_dir(schema)
        .map_err(|error| format!("cannot read {}: {error}", schema.display()))?;
    if let Some(overlays) = overlays {
        let extra = read_schema_dir(overlays)
            .map_err(|error| format!("cannot read {}: {error}", overlays.display()))?;
        for mut source in extra {
            if source.kind() != SourceKind::Overlay {
                return Err(format!(
                    "{}/{}: the overlays folder takes only *.overlay.yaml files",
                    overlays.display(),
                    source.name
                ));
            }
            source.name = format!("{}/{}", overlays.display(), source.name);
            sources.push(source);
        }
    }
    if sources.is_empty() {
        return Err(format!("{} holds no *.yaml files", schema.display()));
    }
    Ok(sources)
}

/// Reads every source, collecting the problems of all files.
pub fn load(sources: &[SourceFile]) -> Result<Schema, Vec<SchemaError>> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut overlays = Vec::new();
    let mut sorted: Vec<&SourceFile> = sources.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for source in sorted {
        let document = match yaml::Document::parse(&source.text) {
            Ok(document) => document,
            Err(error) => {
                let mut schema_error = SchemaError::new(&source.name, error.message);
                schema_error.line = error.line;
                errors.push(schema_error);
                continue;
            }
        };
        match source.kind() {
            SourceKind::Overlay => match overlay::read_overlay(&source.name, &document) {
                Ok(overlay) => overlays.push(overlay),
                Err(problems) => errors.extend(problems),
            },
            SourceKind::Apple => {
                let (file, problems) = apple::read_schema_file(&source.name, &document);
                errors.extend(problems);
                files.push(file);
            }
        }
    }
    if errors.is_empty() {
        Ok(Schema { files, overlays })
    } else {
        Err(errors)
    }
}
