//! Reads the project's overlay files (`*.overlay.yaml`): what the project adds
//! to a payload that Apple's format has no property for. The format is
//! documented in `docs/overlays.md`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::yaml::{Document, MappingEntry, NodeKind};
use crate::error::SchemaError;
use crate::model::{
    ConditionSpec, KeyOverlay, Os, Overlay, RuleSeverity, RuleSpec, Scalar, ValueFormat,
};

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
    #[serde(default)]
    rankings: BTreeMap<String, Vec<Vec<String>>>,
    #[serde(default)]
    rules: Vec<RuleEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    code: String,
    #[serde(default)]
    within: Vec<String>,
    severity: SeverityEntry,
    #[serde(default, with = "serde_yaml::with::singleton_map_recursive")]
    when: Option<ConditionEntry>,
    #[serde(with = "serde_yaml::with::singleton_map_recursive")]
    check: ConditionEntry,
    message: String,
    #[serde(default)]
    at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SeverityEntry {
    Error,
    Warning,
}

/// A condition as written: one key naming the test. Key paths are written
/// `Dictionary.Key`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum ConditionEntry {
    Present(String),
    Absent(String),
    Equals(BTreeMap<String, LiteralEntry>),
    OneOf(BTreeMap<String, Vec<LiteralEntry>>),
    NoneOf(BTreeMap<String, Vec<LiteralEntry>>),
    AtLeast(BTreeMap<String, f64>),
    AtMost(BTreeMap<String, f64>),
    RanksAtMost {
        lower: String,
        upper: String,
        ranking: String,
    },
    All(Vec<ConditionEntry>),
    Any(Vec<ConditionEntry>),
    Not(Box<ConditionEntry>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum LiteralEntry {
    Integer(i64),
    Real(f64),
    Boolean(bool),
    String(String),
}

impl LiteralEntry {
    fn scalar(self) -> Scalar {
        match self {
            LiteralEntry::Integer(value) => Scalar::Integer(value),
            LiteralEntry::Real(value) if !value.is_finite() => Scalar::String(value.to_string()),
            LiteralEntry::Real(value) => Scalar::Real(value),
            LiteralEntry::Boolean(value) => Scalar::Boolean(value),
            LiteralEntry::String(value) => Scalar::String(value),
        }
    }
}

fn split_path(path: &str) -> Vec<String> {
    path.split('.').map(str::to_owned).collect()
}

/// A one-entry map (`{Key: value}`) as its entry.
fn single<T>(map: BTreeMap<String, T>, test: &str) -> Result<(Vec<String>, T), String> {
    let count = map.len();
    let mut entries = map.into_iter();
    match (entries.next(), count) {
        (Some((path, value)), 1) => Ok((split_path(&path), value)),
        _ => Err(format!(
            "`{test}` takes exactly one `Key: value` entry, found {count}"
        )),
    }
}

fn finite(bound: f64, test: &str) -> Result<f64, String> {
    if bound.is_finite() {
        Ok(bound)
    } else {
        Err(format!("`{test}` takes a finite number"))
    }
}

impl ConditionEntry {
    fn spec(self) -> Result<ConditionSpec, String> {
        Ok(match self {
            ConditionEntry::Present(path) => ConditionSpec::Present(split_path(&path)),
            ConditionEntry::Absent(path) => ConditionSpec::Absent(split_path(&path)),
            ConditionEntry::Equals(map) => {
                let (path, value) = single(map, "equals")?;
                ConditionSpec::Equals(path, value.scalar())
            }
            ConditionEntry::OneOf(map) => {
                let (path, values) = single(map, "one_of")?;
                ConditionSpec::OneOf(path, values.into_iter().map(LiteralEntry::scalar).collect())
            }
            ConditionEntry::NoneOf(map) => {
                let (path, values) = single(map, "none_of")?;
                ConditionSpec::NoneOf(path, values.into_iter().map(LiteralEntry::scalar).collect())
            }
            ConditionEntry::AtLeast(map) => {
                let (path, bound) = single(map, "at_least")?;
                ConditionSpec::AtLeast(path, finite(bound, "at_least")?)
            }
            ConditionEntry::AtMost(map) => {
                let (path, bound) = single(map, "at_most")?;
                ConditionSpec::AtMost(path, finite(bound, "at_most")?)
            }
            ConditionEntry::RanksAtMost {
                lower,
                upper,
                ranking,
            } => ConditionSpec::RanksAtMost {
                lower: split_path(&lower),
                upper: split_path(&upper),
                ranking,
            },
            ConditionEntry::All(conditions) => ConditionSpec::All(
                conditions
                    .into_iter()
                    .map(ConditionEntry::spec)
                    .collect::<Result<_, _>>()?,
            ),
            ConditionEntry::Any(conditions) => ConditionSpec::Any(
                conditions
                    .into_iter()
                    .map(ConditionEntry::spec)
                    .collect::<Result<_, _>>()?,
            ),
            ConditionEntry::Not(condition) => ConditionSpec::Not(Box::new(condition.spec()?)),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformRangeEntry {
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
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
    #[serde(default)]
    platform_range: BTreeMap<String, PlatformRangeEntry>,
    #[serde(default)]
    references: Option<String>,
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
    let lines = Lines::of(text);
    let line_of_entry = lines.items("keys");
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
        let mut platform_range = BTreeMap::new();
        for (name, range) in entry.platform_range {
            if range
                .min
                .iter()
                .chain(&range.max)
                .any(|bound| !bound.is_finite())
            {
                errors.push(
                    SchemaError::new(
                        file,
                        format!("`platform_range` of `{name}` is not a finite number"),
                    )
                    .at_line(line)
                    .at_path(&key_path(&parsed.payload, &entry.path)),
                );
                continue;
            }
            match Os::from_name(&name) {
                Some(os) => {
                    platform_range.insert(os, (range.min, range.max));
                }
                None => errors.push(
                    SchemaError::new(
                        file,
                        format!(
                            "`platform_range` names `{name}`; platforms are iOS, macOS, tvOS, \
                             visionOS, watchOS"
                        ),
                    )
                    .at_line(line)
                    .at_path(&key_path(&parsed.payload, &entry.path)),
                ),
            }
        }
        keys.push(KeyOverlay {
            path: entry.path,
            line,
            sensitive: entry.sensitive,
            valuetype,
            rust_name: entry.rust_name,
            rust_type: entry.rust_type,
            rust_variants: entry.rust_variants,
            platform_range,
            references: entry.references,
        });
    }
    let rule_lines = lines.items("rules");
    let mut rules = Vec::new();
    for (index, entry) in parsed.rules.into_iter().enumerate() {
        let line = rule_lines.get(index).copied().unwrap_or(1);
        let at = entry.at.as_deref().map(split_path).unwrap_or_default();
        let conditions = entry
            .when
            .map(ConditionEntry::spec)
            .transpose()
            .and_then(|when| Ok((when, entry.check.spec()?)));
        match conditions {
            Ok((when, check)) => rules.push(RuleSpec {
                code: entry.code,
                line,
                within: entry.within,
                severity: match entry.severity {
                    SeverityEntry::Error => RuleSeverity::Error,
                    SeverityEntry::Warning => RuleSeverity::Warning,
                },
                when,
                check,
                message: entry.message,
                at,
            }),
            Err(message) => errors.push(
                SchemaError::new(file, format!("rule `{}`: {message}", entry.code)).at_line(line),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Overlay {
        path: file.to_owned(),
        line: parsed
            .file
            .as_ref()
            .and_then(|_| lines.property("file"))
            .or_else(|| lines.property("payload"))
            .unwrap_or(1),
        payload: parsed.payload,
        file: parsed.file,
        rust_module: parsed.rust_module,
        rust_name: parsed.rust_name,
        keys,
        rankings: parsed.rankings,
        rules,
    })
}

/// An overlay path as a key path for messages: the payload first.
pub fn key_path(payload: &str, path: &[String]) -> Vec<String> {
    std::iter::once(payload.to_owned())
        .chain(path.iter().cloned())
        .collect()
}

/// Where things are in an overlay's text, for messages (serde_yaml keeps no
/// positions for values): the same text read as a YAML graph.
struct Lines {
    document: Option<Document>,
}

impl Lines {
    fn of(text: &str) -> Self {
        Lines {
            document: Document::parse(text).ok(),
        }
    }

    fn top_level(&self, property: &str) -> Option<(&Document, &MappingEntry)> {
        let document = self.document.as_ref()?;
        match &document.node(document.root).kind {
            NodeKind::Mapping(entries) => entries
                .iter()
                .find(|entry| entry.key == property)
                .map(|entry| (document, entry)),
            _ => None,
        }
    }

    /// The line of a top-level property.
    fn property(&self, property: &str) -> Option<usize> {
        self.top_level(property).map(|(_, entry)| entry.key_line)
    }

    /// The line of each item of a top-level list.
    fn items(&self, property: &str) -> Vec<usize> {
        let Some((document, entry)) = self.top_level(property) else {
            return Vec::new();
        };
        match &document.node(entry.value).kind {
            NodeKind::Sequence(items) => {
                items.iter().map(|&item| document.node(item).line).collect()
            }
            _ => Vec::new(),
        }
    }
}
