//! Reads the project's overlay files (`*.overlay.yaml`): what the project adds
//! to a payload that Apple's format has no property for. The format is
//! documented in `docs/overlays.md`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::SchemaError;
use crate::model::{KeyOverlay, Overlay, ValueFormat};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverlayFile {
    payload: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    rust_module: Option<String>,
    #[serde(default)]
    rust_name: Option<String>,
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    path: Vec<String>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    valuetype: Option<String>,
    #[serde(default)]
    rust_name: Option<String>,
    #[serde(default)]
    rust_type: Option<String>,
    #[serde(default)]
    rust_variants: BTreeMap<String, String>,
}

/// Reads the overlay `file` from `text`.
pub fn read_overlay(file: &str, text: &str) -> Result<Overlay, Vec<SchemaError>> {
    let parsed: OverlayFile = serde_yaml::from_str(text).map_err(|error| {
        // serde_yaml ends its message with the location, which the error
        // already carries as its line.
        let message = error.to_string();
        let message = match message.rfind(" at line ") {
            Some(index) if error.location().is_some() => message[..index].to_owned(),
            _ => message,
        };
        let mut schema_error = SchemaError::new(file, message);
        if let Some(location) = error.location() {
            schema_error = schema_error.at_line(location.line());
        }
        vec![schema_error]
    })?;
    let line_of_entry = entry_lines(text);
    let mut errors = Vec::new();
    let mut keys = Vec::new();
    for (index, entry) in parsed.keys.into_iter().enumerate() {
        let line = line_of_entry.get(index).copied().unwrap_or(1);
        let valuetype = match entry.valuetype.as_deref() {
            None => None,
            Some(name) => match ValueFormat::from_name(name) {
                Some(format) => Some(format),
                None => {
                    let known: Vec<&str> = ValueFormat::ALL.iter().map(|f| f.name()).collect();
                    errors.push(
                        SchemaError::new(
                            file,
                            format!("unknown valuetype `{name}`; known: {}", known.join(", ")),
                        )
                        .at_line(line)
                        .at_path(&key_path(&parsed.payload, &entry.path)),
                    );
                    None
                }
            },
        };
        if entry.path.is_empty() {
            errors
                .push(SchemaError::new(file, "an overlay entry has an empty `path`").at_line(line));
            continue;
        }
        keys.push(KeyOverlay {
            path: entry.path,
            line,
            sensitive: entry.sensitive,
            valuetype,
            rust_name: entry.rust_name,
            rust_type: entry.rust_type,
            rust_variants: entry.rust_variants,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let line_of = |property: &str| {
        text.lines()
            .position(|line| line.starts_with(property))
            .map(|index| index + 1)
    };
    Ok(Overlay {
        path: file.to_owned(),
        line: parsed
            .file
            .as_ref()
            .and_then(|_| line_of("file:"))
            .or_else(|| line_of("payload:"))
            .unwrap_or(1),
        payload: parsed.payload,
        file: parsed.file,
        rust_module: parsed.rust_module,
        rust_name: parsed.rust_name,
        keys,
    })
}

/// An overlay path as a key path for messages: the payload first.
pub fn key_path(payload: &str, path: &[String]) -> Vec<String> {
    std::iter::once(payload.to_owned())
        .chain(path.iter().cloned())
        .collect()
}

/// The line of each `- path:` entry under `keys:`, in order, so messages
/// about an entry can point at it (serde_yaml keeps no positions for values).
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("- path:"))
        .map(|(index, _)| index + 1)
        .collect()
}
