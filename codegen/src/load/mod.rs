//! Stage 1: read the schema's text into [`schema`](crate::schema) records.
//!
//! Every file is parsed once by [`yaml`], which keeps anchors as shared nodes
//! (so recursive files load) and the line of every node. Apple-format files
//! are then read by [`apple`], overlays by [`overlay`].

pub mod apple;
pub mod meta_schema;
pub mod overlay;
pub mod yaml;

use std::path::Path;

use crate::error::SchemaError;
use crate::parallel;
use crate::schema::Schema;

/// One file of a schema folder, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name relative to the schema folder, with `/` between folders
    /// (`com.apple.vpn.managed.yaml`, `mdm/profiles/com.apple.wifi.managed.yaml`).
    pub name: String,
    pub text: String,
    pub origin: Origin,
}

/// Who wrote a file, and so how its problems are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// The project's own: every problem is an error.
    Project,
    /// Apple's, as published: problems in it are resolved, with a warning.
    Published,
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

/// The folders of Apple's repository (`apple/device-management`) that hold
/// what the generator generates: profile payloads and declarations.
pub const APPLE_FOLDERS: &[&str] = &["mdm/profiles", "declarative/declarations"];

/// The folder of the project's schema that holds the facts imported from
/// Apple's repository (`cargo xtask import`), laid out as Apple lays them.
pub const IMPORTED_FOLDER: &str = "apple";

/// Reads the project's schema folder: every `*.yaml` below it but the
/// release record, sorted by name. Files under [`IMPORTED_FOLDER`] are Apple's published facts; the
/// rest are the project's own.
pub fn read_schema_dir(dir: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut sources = read_yaml_tree(dir, dir, Origin::Project)?;
    // The release record says what the crate is; it is not a schema file.
    sources.retain(|source| source.name != crate::release::RELEASE_FILE);
    for source in &mut sources {
        if source.name.starts_with(&format!("{IMPORTED_FOLDER}/")) {
            source.origin = Origin::Published;
        }
    }
    Ok(sources)
}

/// Reads Apple's published YAML: a checkout of `apple/device-management` (its
/// [`APPLE_FOLDERS`]), or any folder of Apple-format files. Every file is
/// taken as published.
pub fn read_published_dir(dir: &Path) -> std::io::Result<Vec<SourceFile>> {
    let layout: Vec<&str> = APPLE_FOLDERS
        .iter()
        .copied()
        .filter(|folder| dir.join(folder).is_dir())
        .collect();
    if layout.is_empty() {
        return read_yaml_tree(dir, dir, Origin::Published);
    }
    let mut sources = Vec::new();
    for folder in layout {
        sources.extend(read_yaml_tree(dir, &dir.join(folder), Origin::Published)?);
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sources)
}

/// Every `*.yaml` file below `dir`, named relative to `root`, sorted.
fn read_yaml_tree(root: &Path, dir: &Path, origin: Origin) -> std::io::Result<Vec<SourceFile>> {
    let mut sources = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|error| at(&folder, error))? {
            let path = entry.map_err(|error| at(&folder, error))?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let is_yaml = path
                .extension()
                .is_some_and(|extension| extension == "yaml");
            if !is_yaml {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).map_err(|error| at(&path, error))?;
            sources.push(SourceFile { name, text, origin });
        }
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sources)
}

fn at(path: &Path, error: std::io::Error) -> std::io::Error {
    std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// Reads a schema folder (the project's, or Apple's published one when
/// `published`) and, when given, a folder of further overlays: the project's
/// additions to a folder it does not own. The further overlays are named
/// with their folder, so messages and headers say where they come from.
pub fn read_sources(
    schema: &Path,
    overlays: Option<&Path>,
    published: bool,
) -> Result<Vec<SourceFile>, String> {
    let read = if published {
        read_published_dir
    } else {
        read_schema_dir
    };
    let mut sources =
        read(schema).map_err(|error| format!("cannot read {}: {error}", schema.display()))?;
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
            // Named by their full path: they are not under the schema folder
            // that generated files name their sources from.
            let folder = overlays
                .canonicalize()
                .unwrap_or_else(|_| overlays.to_path_buf());
            source.name = folder.join(&source.name).display().to_string();
            sources.push(source);
        }
    }
    if sources.is_empty() {
        return Err(format!("{} holds no *.yaml files", schema.display()));
    }
    Ok(sources)
}

/// Reads every source, collecting the problems of all files: errors (in the
/// project's files) stop generation; warnings (Apple's, resolved) do not. A
/// published file that cannot be read at all is left out, with a warning.
pub fn load(sources: &[SourceFile]) -> (Schema, Vec<SchemaError>) {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    let mut overlays = Vec::new();
    let mut sorted: Vec<&SourceFile> = sources.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    // Each document's nodes are numbered from here, so a list of keys has
    // one id across every file.
    let mut base = 0;
    let documents = parallel::map(&sorted, |source| yaml::Document::parse(&source.text));
    for (source, document) in sorted.into_iter().zip(documents) {
        let published = source.origin == Origin::Published;
        let document = match document {
            Ok(document) => document,
            Err(error) => {
                let mut problem = SchemaError::new(&source.name, error.message)
                    .resolved_if(published, "the file is not generated");
                problem.line = error.line;
                problems.push(problem);
                continue;
            }
        };
        let document_base = base;
        base += document.nodes.len();
        match source.kind() {
            SourceKind::Overlay => {
                match overlay::read_overlay(&source.name, &document, document_base) {
                    Ok(overlay) => overlays.push(overlay),
                    Err(errors) => problems.extend(errors),
                }
            }
            SourceKind::Apple => {
                let (file, file_problems) =
                    apple::read_schema_file(&source.name, &document, document_base, published);
                problems.extend(file_problems);
                files.extend(file);
            }
        }
    }
    (Schema { files, overlays }, problems)
}
