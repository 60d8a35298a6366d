//! Rule cases written as data: `tests/rule-cases/*.yaml`, one file per
//! overlay. Each case names a clean fixture, where the failing case's
//! finding points, and the edits that make the rule fail and hold:
//!
//! ```yaml
//! - code: vpn.ikev2.ppk-needs-identifier
//!   fixture: ikev2-on-demand.mobileconfig
//!   at: PayloadContent[0].IKEv2.PPKIdentifier
//!   severity: error
//!   target: iOS 17.0            # optional
//!   failing:
//!     set: { PayloadContent[0].IKEv2.PPK: !data AQID }
//!   passing:
//!     set: { PayloadContent[0].IKEv2.PPK: !data AQID, PayloadContent[0].IKEv2.PPKIdentifier: ppk-1 }
//!     remove: [PayloadContent[0].IKEv2.Other]
//! ```
//!
//! Values: integers, booleans, reals, strings, sequences and mappings map
//! to their plist kinds; `!data BASE64`, `!date RFC3339` and `!real N` (a
//! whole `<real>`) the rest. `set` creates missing dictionaries on its way.

use std::path::Path;

use base64::Engine;
use mobileconfig::runtime::plist::{Date, Dictionary, Value};
use mobileconfig::runtime::schema::Platform;
use mobileconfig::runtime::{Severity, Target, Version};
use serde::Deserialize;

use super::{Case, Change};
use crate::workspace_root;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseEntry {
    code: String,
    fixture: String,
    at: String,
    severity: SeverityEntry,
    #[serde(default)]
    target: Option<String>,
    failing: EditsEntry,
    passing: EditsEntry,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SeverityEntry {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditsEntry {
    #[serde(default)]
    set: serde_yaml::Mapping,
    #[serde(default)]
    remove: Vec<String>,
}

/// Edits to a profile: values set at paths, then paths removed.
#[derive(Debug, Default)]
pub struct Edits {
    set: Vec<(Vec<Step>, Value)>,
    remove: Vec<Vec<Step>>,
}

/// One step of a finding path: a dictionary key or an array index.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `PayloadContent[0].IKEv2.PPK` as steps.
fn steps(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return Err(format!("`{path}`: an empty key"));
        }
        steps.push(Step::Key(key.to_owned()));
        while let Some(inner) = rest.strip_prefix('[') {
            let (index, after) = inner
                .split_once(']')
                .ok_or_else(|| format!("`{path}`: `[` without `]`"))?;
            let index = index
                .parse()
                .map_err(|_| format!("`{path}`: `{index}` is not an index"))?;
            steps.push(Step::Index(index));
            rest = after;
        }
        if !rest.is_empty() {
            return Err(format!("`{path}`: unexpected `{rest}`"));
        }
    }
    Ok(steps)
}

/// A YAML value as a plist value.
fn plist_value(value: &serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Yaml;
    Ok(match value {
        Yaml::Null => return Err("a null has no plist form".to_owned()),
        Yaml::Bool(flag) => Value::Boolean(*flag),
        Yaml::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(integer), _) => Value::Integer(integer.into()),
            (None, Some(real)) => Value::Real(real),
            _ => return Err(format!("{number} is out of range")),
        },
        Yaml::String(text) => Value::String(text.clone()),
        Yaml::Sequence(items) => {
            Value::Array(items.iter().map(plist_value).collect::<Result<_, _>>()?)
        }
        Yaml::Mapping(entries) => {
            let mut dictionary = Dictionary::new();
            for (key, value) in entries {
                let key = key
                    .as_str()
                    .ok_or_else(|| format!("a dictionary key must be a string: {key:?}"))?;
                dictionary.insert(key.to_owned(), plist_value(value)?);
            }
            Value::Dictionary(dictionary)
        }
        Yaml::Tagged(tagged) => {
            let text = match &tagged.value {
                Yaml::String(text) => text.clone(),
                Yaml::Number(number) => number.to_string(),
                other => return Err(format!("`{}` takes a scalar, not {other:?}", tagged.tag)),
            };
            match tagged.tag.to_string().as_str() {
                "!data" => Value::Data(
                    base64::engine::general_purpose::STANDARD
                        .decode(text.trim())
                        .map_err(|error| format!("`!data {text}`: {error}"))?,
                ),
                "!date" => Value::Date(
                    Date::from_xml_format(&text)
                        .map_err(|error| format!("`!date {text}`: {error}"))?,
                ),
                "!real" => Value::Real(
                    text.parse()
                        .map_err(|error| format!("`!real {text}`: {error}"))?,
                ),
                other => return Err(format!("unknown tag `{other}` (use !data, !date or !real)")),
            }
        }
    })
}

impl Edits {
    fn read(entry: &EditsEntry) -> Result<Edits, String> {
        let mut edits = Edits::default();
        for (path, value) in &entry.set {
            let path = path
                .as_str()
                .ok_or_else(|| format!("a `set` path must be a string: {path:?}"))?;
            let value = plist_value(value).map_err(|error| format!("`{path}`: {error}"))?;
            edits.set.push((steps(path)?, value));
        }
        for path in &entry.remove {
            edits.remove.push(steps(path)?);
        }
        Ok(edits)
    }

    /// Applies the edits; a path that leads nowhere is a broken case.
    pub fn apply(&self, profile: &mut Value) {
        for (path, value) in &self.set {
            let (last, parents) = path.split_last().expect("a path has a step");
            let parent = walk(profile, parents, true)
                .unwrap_or_else(|| panic!("`set` cannot reach {path:?}"));
            match (last, parent) {
                (Step::Key(key), Value::Dictionary(dictionary)) => {
                    dictionary.insert(key.clone(), value.clone());
                }
                (Step::Index(index), Value::Array(items)) if *index < items.len() => {
                    items[*index] = value.clone();
                }
                (Step::Index(index), Value::Array(items)) if *index == items.len() => {
                    items.push(value.clone());
                }
                _ => panic!("`set` cannot reach {path:?}"),
            }
        }
        for path in &self.remove {
            let (last, parents) = path.split_last().expect("a path has a step");
            let parent = walk(profile, parents, false)
                .unwrap_or_else(|| panic!("`remove` cannot reach {path:?}"));
            let removed = match (last, parent) {
                (Step::Key(key), Value::Dictionary(dictionary)) => dictionary.remove(key).is_some(),
                (Step::Index(index), Value::Array(items)) if *index < items.len() => {
                    items.remove(*index);
                    true
                }
                _ => false,
            };
            assert!(removed, "`remove`: nothing at {path:?}");
        }
    }
}

/// The value at `path`; with `create`, missing dictionaries are made.
fn walk<'a>(value: &'a mut Value, path: &[Step], create: bool) -> Option<&'a mut Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(value);
    };
    let next = match (first, value) {
        (Step::Key(key), Value::Dictionary(dictionary)) => {
            if create && !dictionary.contains_key(key) {
                dictionary.insert(key.clone(), Value::Dictionary(Dictionary::new()));
            }
            dictionary.get_mut(key)?
        }
        (Step::Index(index), Value::Array(items)) => items.get_mut(*index)?,
        _ => return None,
    };
    walk(next, rest, create)
}

/// `iOS 17.0` as a target.
fn target(text: &str) -> Result<Target, String> {
    let (name, version) = text.split_once(' ').unwrap_or((text, ""));
    let platform =
        Platform::from_name(name).ok_or_else(|| format!("`{text}`: `{name}` is not a platform"))?;
    Ok(Target {
        platform,
        version: Version::parse(version),
    })
}

fn read_file(path: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
    let entries: Vec<CaseEntry> = serde_yaml::from_str(&text).map_err(|error| error.to_string())?;
    entries
        .into_iter()
        .map(|entry| {
            let problem = |error: String| format!("case `{}`: {error}", entry.code);
            Ok(Case {
                path: entry.at.clone(),
                severity: match entry.severity {
                    SeverityEntry::Error => Severity::Error,
                    SeverityEntry::Warning => Severity::Warning,
                    SeverityEntry::Info => Severity::Info,
                },
                fixture: entry.fixture.clone(),
                target: entry
                    .target
                    .as_deref()
                    .map(target)
                    .transpose()
                    .map_err(problem)?,
                failing: Change::Edits(Edits::read(&entry.failing).map_err(problem)?),
                passing: Change::Edits(Edits::read(&entry.passing).map_err(problem)?),
                code: entry.code,
            })
        })
        .collect()
}

/// Every case of `tests/rule-cases/*.yaml`, files in name order.
pub fn case_files() -> Vec<Case> {
    let folder = workspace_root().join("tests/rule-cases");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "yaml")
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            read_file(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        })
        .collect()
}
