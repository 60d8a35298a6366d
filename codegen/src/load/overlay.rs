//! Reads the project's overlay files (`*.overlay.yaml`): what the project adds
//! to a payload that Apple's format has no property for. The format is
//! documented in `docs/overlays.md`.
//!
//! The file is parsed once, by the same YAML reader as Apple's files, and
//! read into the serde types below; every problem carries its line.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::apple;
use super::yaml::Document;
use super::yaml::de::{self, NodeRef};
use crate::error::{SchemaError, overlay_key_path};
use crate::schema::{
    Addition, Bounds, CertificateForm, ConditionSpec, ContentsSpec, Format, KeyOverlay, Overlay,
    Platform, RetiredSpec, RuleSpec, Scalar, Severity, Spanned, UncheckedSpec,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverlayFile {
    payload: Spanned<String>,
    #[serde(default)]
    file: Option<Spanned<String>>,
    #[serde(default)]
    rust_module: Option<String>,
    #[serde(default)]
    rust_name: Option<String>,
    /// The payload's description, in the project's words.
    #[serde(default)]
    description: Option<String>,
    /// Corrections to Apple's facts about the payload, in Apple's format.
    #[serde(default)]
    facts: Option<NodeRef>,
    #[serde(default)]
    keys: Vec<Spanned<KeyEntry>>,
    /// Keys Apple's files do not have (yet), in Apple's format.
    #[serde(default)]
    add: Vec<Spanned<AddEntry>>,
    #[serde(default)]
    rankings: BTreeMap<String, Vec<Vec<String>>>,
    #[serde(default)]
    rules: Vec<Spanned<RuleEntry>>,
    /// Statements of the documentation no profile check can verify.
    #[serde(default)]
    unchecked: Vec<Spanned<UncheckedEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UncheckedEntry {
    path: Vec<String>,
    /// What the documentation states, in the project's words.
    says: String,
    /// Why a profile check cannot verify it.
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetiredEntry {
    value: LiteralEntry,
    /// The release that removed the value, per platform (`iOS: '10.0'`).
    removed: BTreeMap<String, String>,
    /// Where the fact comes from.
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    code: String,
    #[serde(default)]
    within: Vec<String>,
    severity: SeverityEntry,
    #[serde(default)]
    when: Option<ConditionEntry>,
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
struct AddEntry {
    /// The dictionary the keys join, as a key path (empty: the payload's).
    #[serde(default)]
    within: Vec<String>,
    /// The keys, in Apple's format, read by the Apple-format reader.
    keys: NodeRef,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    path: Vec<String>,
    /// The key's description, in the project's words.
    #[serde(default)]
    description: Option<String>,
    /// Corrections to Apple's facts about the key, in Apple's format.
    #[serde(default)]
    facts: Option<NodeRef>,
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
    references: Option<Vec<String>>,
    #[serde(default)]
    retired_values: Vec<Spanned<RetiredEntry>>,
    #[serde(default)]
    contents: Option<ContentsEntry>,
    /// Why devices accept this key missing or outside its `rangelist`,
    /// against Apple's documentation.
    #[serde(default)]
    tolerated: Option<String>,
    /// The only values one platform accepts (`watchOS: [Disconnect]`).
    #[serde(default)]
    platform_values: BTreeMap<String, Vec<LiteralEntry>>,
}

/// What a `<data>` key holds: `{ certificate: der }`, `{ certificate: pem }`
/// or `{ pkcs12: { password: Password } }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum ContentsEntry {
    Certificate(FormEntry),
    Pkcs12 {
        #[serde(default)]
        password: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FormEntry {
    Der,
    Pem,
}

impl ContentsEntry {
    fn spec(self) -> ContentsSpec {
        match self {
            ContentsEntry::Certificate(FormEntry::Der) => {
                ContentsSpec::Certificate(CertificateForm::Der)
            }
            ContentsEntry::Certificate(FormEntry::Pem) => {
                ContentsSpec::Certificate(CertificateForm::Pem)
            }
            ContentsEntry::Pkcs12 { password } => ContentsSpec::Pkcs12 { password },
        }
    }
}

/// Reads the overlay `file` from its parsed text; `base` makes the ids of
/// the key lists it adds unique (see [`apple::read_keys`]).
pub fn read_overlay(
    file: &str,
    document: &Document,
    base: usize,
) -> Result<Overlay, Vec<SchemaError>> {
    let parsed: OverlayFile = de::from_document(document).map_err(|error| {
        let mut schema_error = SchemaError::new(file, error.message);
        schema_error.line = error.line;
        vec![schema_error]
    })?;
    let payload = parsed.payload.value;
    let mut errors = Vec::new();
    let mut keys: Vec<KeyOverlay> = Vec::new();
    for Spanned { value: entry, line } in parsed.keys {
        let error = |message: String| {
            SchemaError::new(file, message)
                .at_line(line)
                .at_path(&overlay_key_path(&payload, &entry.path))
        };
        if entry.path.is_empty() {
            errors
                .push(SchemaError::new(file, "an overlay entry has an empty `path`").at_line(line));
            continue;
        }
        let valuetype = match entry.valuetype.as_deref() {
            None => None,
            Some(name) => Format::from_schema_name(name).or_else(|| {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.schema_name()).collect();
                errors.push(error(format!(
                    "unknown valuetype `{name}`; known: {}",
                    known.join(", ")
                )));
                None
            }),
        };
        let mut platform_range = BTreeMap::new();
        for (name, range) in &entry.platform_range {
            let finite = range
                .min
                .iter()
                .chain(&range.max)
                .all(|bound| bound.is_finite());
            match Platform::from_name(name) {
                _ if !finite => errors.push(error(format!(
                    "`platform_range` of `{name}` is not a finite number"
                ))),
                Some(platform) => {
                    platform_range.insert(
                        platform,
                        Bounds {
                            min: range.min,
                            max: range.max,
                        },
                    );
                }
                None => {
                    let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
                    errors.push(error(format!(
                        "`platform_range` names `{name}`; platforms are {}",
                        names.join(", ")
                    )));
                }
            }
        }
        let mut platform_values = BTreeMap::new();
        for (name, values) in entry.platform_values {
            match Platform::from_name(&name) {
                Some(platform) => {
                    let values: Vec<Scalar> =
                        values.into_iter().map(LiteralEntry::scalar).collect();
                    platform_values.insert(platform, values);
                }
                None => {
                    let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
                    errors.push(error(format!(
                        "`platform_values` names `{name}`; platforms are {}",
                        names.join(", ")
                    )));
                }
            }
        }
        let facts = entry.facts.map(|facts| {
            let path = [std::slice::from_ref(&payload), &entry.path[..]].concat();
            let (correction, problems) = apple::read_correction(
                file,
                document,
                base,
                facts.node,
                &path,
                apple::KEY_CORRECTIONS,
            );
            errors.extend(problems);
            correction
        });
        let mut retired_values = Vec::new();
        for Spanned {
            value: retired,
            line,
        } in entry.retired_values
        {
            let mut removed = BTreeMap::new();
            for (name, version) in retired.removed {
                match Platform::from_name(&name) {
                    Some(platform) => {
                        removed.insert(platform, version);
                    }
                    None => {
                        let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
                        errors.push(
                            error(format!(
                                "`retired_values` names `{name}`; platforms are {}",
                                names.join(", ")
                            ))
                            .at_line(line),
                        );
                    }
                }
            }
            if removed.is_empty() {
                errors.push(error(
                    "a retired value needs `removed`: the release that dropped it, per platform"
                        .to_owned(),
                ).at_line(line));
            }
            retired_values.push(RetiredSpec {
                value: retired.value.scalar(),
                removed,
                source: retired.source,
                line,
            });
        }
        keys.push(KeyOverlay {
            path: entry.path,
            line,
            description: entry.description,
            facts,
            sensitive: entry.sensitive,
            valuetype,
            rust_name: entry.rust_name,
            rust_type: entry.rust_type,
            rust_variants: entry.rust_variants,
            platform_range,
            references: entry.references,
            retired_values,
            unchecked: Vec::new(),
            contents: entry.contents.map(ContentsEntry::spec),
            tolerated: entry.tolerated,
            platform_values,
        });
    }
    // An `unchecked` statement joins its key's entry (one entry per key).
    for Spanned { value: entry, line } in parsed.unchecked {
        if entry.path.is_empty() {
            errors.push(
                SchemaError::new(file, "an `unchecked` entry has an empty `path`").at_line(line),
            );
            continue;
        }
        let statement = UncheckedSpec {
            says: entry.says,
            reason: entry.reason,
        };
        match keys.iter_mut().find(|key| key.path == entry.path) {
            Some(key) => key.unchecked.push(statement),
            None => keys.push(KeyOverlay {
                path: entry.path,
                line,
                unchecked: vec![statement],
                ..KeyOverlay::default()
            }),
        }
    }
    let mut rules = Vec::new();
    for Spanned { value: entry, line } in parsed.rules {
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
                    SeverityEntry::Error => Severity::Error,
                    SeverityEntry::Warning => Severity::Warning,
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
    let facts = parsed.facts.map(|facts| {
        let (correction, problems) = apple::read_correction(
            file,
            document,
            base,
            facts.node,
            std::slice::from_ref(&payload),
            apple::PAYLOAD_CORRECTIONS,
        );
        errors.extend(problems);
        correction
    });
    let mut additions = Vec::new();
    for Spanned { value: entry, line } in parsed.add {
        let mut path = vec![payload.clone()];
        path.extend(entry.within.iter().cloned());
        let (keys, problems) = apple::read_keys(file, document, base, entry.keys.node, path);
        errors.extend(problems);
        additions.push(Addition {
            within: entry.within,
            line,
            keys,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Overlay {
        path: file.to_owned(),
        line: parsed
            .file
            .as_ref()
            .map_or(parsed.payload.line, |file| file.line),
        payload,
        file: parsed.file.map(|file| file.value),
        rust_module: parsed.rust_module,
        rust_name: parsed.rust_name,
        description: parsed.description,
        facts,
        keys,
        additions,
        rankings: parsed.rankings,
        rules,
    })
}
