//! What changed between two schemas, for release notes and for the crate's
//! version: `cargo xtask diff OLD NEW`.
//!
//! Both sides are compiled to the [`ir`](crate::ir) and flattened into a
//! [`Catalogue`] (payloads matched by their type, so a file renamed or moved
//! is the same payload; keys by their path), then compared fact by fact.
//! [`semver`] says what each kind of change does to downstream code;
//! [`render`] writes the log as Markdown or JSON.

pub mod catalogue;
pub mod render;
pub mod semver;

use std::collections::BTreeSet;

use serde::Serialize;

pub use catalogue::{Catalogue, KeyFacts, PayloadFacts, PayloadId};
pub use semver::{Effect, Version};

/// One change, where it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The payload (or declaration, or envelope).
    pub payload: PayloadId,
    /// The key path from the payload's dictionary; empty for the payload
    /// itself.
    pub path: String,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

impl Change {
    pub fn effect(&self) -> Effect {
        self.kind.effect()
    }
}

/// A Rust item whose name code spells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RustItem {
    Module,
    Type,
    Field,
    Variant,
}

impl RustItem {
    pub fn noun(self) -> &'static str {
        match self {
            RustItem::Module => "module",
            RustItem::Type => "type",
            RustItem::Field => "field",
            RustItem::Variant => "enum variant",
        }
    }
}

/// What changed. [`ChangeKind::effect`] (in [`semver`]) says what it does to
/// the crate's version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum ChangeKind {
    PayloadAdded {
        module: String,
    },
    PayloadRemoved {
        module: String,
    },
    KeyAdded {
        required: bool,
    },
    KeyRemoved,
    Retyped {
        old: String,
        new: String,
    },
    MadeRequired,
    MadeOptional,
    ValuesAdded {
        values: Vec<String>,
        /// Whether the key's values are a generated enum's variants.
        rust_enum: bool,
    },
    ValuesRemoved {
        values: Vec<String>,
        rust_enum: bool,
    },
    RangeChanged {
        old: Option<String>,
        new: Option<String>,
    },
    DefaultChanged {
        old: Option<String>,
        new: Option<String>,
    },
    ItemsChanged {
        old: Option<String>,
        new: Option<String>,
    },
    FormatChanged {
        old: Option<String>,
        new: Option<String>,
    },
    AvailabilityChanged {
        platform: String,
        old: Option<String>,
        new: Option<String>,
    },
    RuleAdded {
        code: String,
        severity: String,
    },
    RuleRemoved {
        code: String,
    },
    /// What the rule tests, or its severity, changed.
    RuleChanged {
        code: String,
        what: String,
    },
    /// Only its message changed.
    RuleReworded {
        code: String,
    },
    Renamed {
        item: RustItem,
        old: String,
        new: String,
    },
}

/// Every change from one schema to another, in a stable order: by payload,
/// then path, then kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeLog {
    /// What the old and new sides are called (`ios17.0`, `schema/`).
    pub old: String,
    pub new: String,
    pub changes: Vec<Change>,
}

impl ChangeLog {
    /// The largest effect of any change: what the next release must be.
    /// `None` when nothing changed.
    pub fn effect(&self) -> Option<Effect> {
        self.changes.iter().map(Change::effect).max()
    }

    /// How many changes of each kind (by its tag, `key-added`), sorted.
    pub fn counts(&self) -> Vec<(String, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for change in &self.changes {
            *counts.entry(change.kind.tag()).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }
}

impl ChangeKind {
    /// The kind's name, as JSON writes it: `key-added`.
    pub fn tag(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.get("change")?.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// Compiles both sides and compares them; `old_name` and `new_name` say
/// what they are in the log. A side that does not compile fails with its
/// problems, named by side.
pub fn compare(
    old_name: &str,
    old: &[crate::SourceFile],
    new_name: &str,
    new: &[crate::SourceFile],
) -> Result<ChangeLog, String> {
    let compile = |name: &str, sources: &[crate::SourceFile]| {
        crate::compile(sources)
            .map(|compiled| Catalogue::of(&compiled.ir))
            .map_err(|problems| {
                // Only the errors: the warnings about Apple's files are the
                // same as when generating, and would bury them.
                let errors = crate::SchemaErrors(
                    problems
                        .0
                        .into_iter()
                        .filter(|problem| problem.is_error())
                        .collect(),
                );
                format!(
                    "{name} does not compile, so it cannot be compared (a schema written for \
                     an older overlay language must be brought up to date first):\n{errors}"
                )
            })
    };
    let old_catalogue = compile(old_name, old)?;
    let new_catalogue = compile(new_name, new)?;
    Ok(diff(old_name, &old_catalogue, new_name, &new_catalogue))
}

/// Compares two catalogues.
pub fn diff(old_name: &str, old: &Catalogue, new_name: &str, new: &Catalogue) -> ChangeLog {
    let mut changes = Vec::new();
    let ids: BTreeSet<&PayloadId> = old.payloads.keys().chain(new.payloads.keys()).collect();
    for id in ids {
        let at = |path: &str, kind| Change {
            payload: id.clone(),
            path: path.to_owned(),
            kind,
        };
        match (old.payloads.get(id), new.payloads.get(id)) {
            (None, Some(added)) => changes.push(at(
                "",
                ChangeKind::PayloadAdded {
                    module: added.module.clone(),
                },
            )),
            (Some(removed), None) => changes.push(at(
                "",
                ChangeKind::PayloadRemoved {
                    module: removed.module.clone(),
                },
            )),
            (Some(old), Some(new)) => {
                for (path, kind) in payload_changes(old, new) {
                    changes.push(at(&path, kind));
                }
            }
            (None, None) => {}
        }
    }
    ChangeLog {
        old: old_name.to_owned(),
        new: new_name.to_owned(),
        changes,
    }
}

/// The changes inside one payload both sides have: `(path, change)`.
fn payload_changes(old: &PayloadFacts, new: &PayloadFacts) -> Vec<(String, ChangeKind)> {
    let mut changes = Vec::new();
    if old.module != new.module && !old.module.is_empty() {
        changes.push((
            String::new(),
            ChangeKind::Renamed {
                item: RustItem::Module,
                old: old.module.clone(),
                new: new.module.clone(),
            },
        ));
    }
    for (platform, old_words, new_words) in pairs(&old.availability, &new.availability) {
        changes.push((
            String::new(),
            ChangeKind::AvailabilityChanged {
                platform,
                old: old_words,
                new: new_words,
            },
        ));
    }
    for path in catalogue::union(&old.keys, &new.keys) {
        match (old.keys.get(path), new.keys.get(path)) {
            (None, Some(added)) => changes.push((
                path.clone(),
                ChangeKind::KeyAdded {
                    required: added.required,
                },
            )),
            (Some(_), None) => {
                // A key inside a removed dictionary goes with it: only the
                // outermost removal is reported.
                if !moved_with_parent(path, old, new) {
                    changes.push((path.clone(), ChangeKind::KeyRemoved));
                }
            }
            (Some(old_key), Some(new_key)) => {
                for kind in key_changes(old_key, new_key) {
                    changes.push((path.clone(), kind));
                }
            }
            (None, None) => {}
        }
    }
    // Keys added inside a dictionary that is itself new are reported with it.
    changes.retain(|(path, kind)| {
        !matches!(kind, ChangeKind::KeyAdded { .. }) || !moved_with_parent(path, new, old)
    });
    for code in catalogue::union(&old.rules, &new.rules) {
        match (old.rules.get(code), new.rules.get(code)) {
            (None, Some(rule)) => changes.push((
                rule.at.clone(),
                ChangeKind::RuleAdded {
                    code: code.clone(),
                    severity: rule.severity.clone(),
                },
            )),
            (Some(rule), None) => changes.push((
                rule.at.clone(),
                ChangeKind::RuleRemoved { code: code.clone() },
            )),
            (Some(old_rule), Some(new_rule)) => {
                let mut what = Vec::new();
                if old_rule.severity != new_rule.severity {
                    what.push(format!(
                        "severity {} → {}",
                        old_rule.severity, new_rule.severity
                    ));
                }
                if old_rule.logic != new_rule.logic || old_rule.at != new_rule.at {
                    what.push("what it tests".to_owned());
                }
                if !what.is_empty() {
                    changes.push((
                        new_rule.at.clone(),
                        ChangeKind::RuleChanged {
                            code: code.clone(),
                            what: what.join(", "),
                        },
                    ));
                } else if old_rule.message != new_rule.message {
                    changes.push((
                        new_rule.at.clone(),
                        ChangeKind::RuleReworded { code: code.clone() },
                    ));
                }
            }
            (None, None) => {}
        }
    }
    changes
}

/// Whether the key at `path` came or went with its dictionary: the
/// dictionary is on the `here` side only, or has another shape on the two
/// sides (so its own change says it).
fn moved_with_parent(path: &str, here: &PayloadFacts, there: &PayloadFacts) -> bool {
    parent(path).is_some_and(
        |parent| match (here.keys.get(parent), there.keys.get(parent)) {
            (Some(_), None) => true,
            (Some(here), Some(there)) => here.shape != there.shape,
            (None, _) => false,
        },
    )
}

fn parent(path: &str) -> Option<&str> {
    path.rsplit_once('.').map(|(parent, _)| parent)
}

/// The changes to one key both sides have.
fn key_changes(old: &KeyFacts, new: &KeyFacts) -> Vec<ChangeKind> {
    let mut changes = Vec::new();
    if old.shape != new.shape {
        changes.push(ChangeKind::Retyped {
            old: old.shape.clone(),
            new: new.shape.clone(),
        });
    } else if let (Some(old_type), Some(new_type)) = (&old.type_name, &new.type_name)
        && old_type != new_type
    {
        changes.push(ChangeKind::Renamed {
            item: RustItem::Type,
            old: old_type.clone(),
            new: new_type.clone(),
        });
    }
    if old.field != new.field {
        changes.push(ChangeKind::Renamed {
            item: RustItem::Field,
            old: old.field.clone(),
            new: new.field.clone(),
        });
    }
    match (old.required, new.required) {
        (false, true) => changes.push(ChangeKind::MadeRequired),
        (true, false) => changes.push(ChangeKind::MadeOptional),
        _ => {}
    }
    let rust_enum = !old.variants.is_empty() && !new.variants.is_empty();
    let added: Vec<String> = new
        .values
        .iter()
        .filter(|value| !old.values.contains(value))
        .cloned()
        .collect();
    let removed: Vec<String> = old
        .values
        .iter()
        .filter(|value| !new.values.contains(value))
        .cloned()
        .collect();
    // A list that appears or goes entirely is a change of type (string to
    // enum) or of range; only changes within a list are listed as values.
    if !old.values.is_empty() && !new.values.is_empty() {
        if !added.is_empty() {
            changes.push(ChangeKind::ValuesAdded {
                values: added,
                rust_enum,
            });
        }
        if !removed.is_empty() {
            changes.push(ChangeKind::ValuesRemoved {
                values: removed,
                rust_enum,
            });
        }
    } else if old.values.is_empty() != new.values.is_empty() && old.shape == new.shape {
        // An integer (or other non-enum) key gains or loses its list.
        let (kind_values, added_list) = if new.values.is_empty() {
            (old.values.clone(), false)
        } else {
            (new.values.clone(), true)
        };
        changes.push(if added_list {
            ChangeKind::ValuesRemoved {
                values: vec![format!("any value outside {}", kind_values.join(", "))],
                rust_enum: false,
            }
        } else {
            ChangeKind::ValuesAdded {
                values: vec![format!("any value, not only {}", kind_values.join(", "))],
                rust_enum: false,
            }
        });
    }
    if rust_enum {
        for (value, old_variant) in &old.variants {
            if let Some(new_variant) = new.variants.get(value)
                && new_variant != old_variant
            {
                changes.push(ChangeKind::Renamed {
                    item: RustItem::Variant,
                    old: old_variant.clone(),
                    new: new_variant.clone(),
                });
            }
        }
    }
    type Make = fn(Option<String>, Option<String>) -> ChangeKind;
    let facts: [(&Option<String>, &Option<String>, Make); 4] = [
        (&old.range, &new.range, |old, new| {
            ChangeKind::RangeChanged { old, new }
        }),
        (&old.default, &new.default, |old, new| {
            ChangeKind::DefaultChanged { old, new }
        }),
        (&old.items, &new.items, |old, new| {
            ChangeKind::ItemsChanged { old, new }
        }),
        (&old.format, &new.format, |old, new| {
            ChangeKind::FormatChanged { old, new }
        }),
    ];
    for (old_fact, new_fact, make) in facts {
        if old_fact != new_fact {
            changes.push(make(old_fact.clone(), new_fact.clone()));
        }
    }
    for (platform, old_words, new_words) in pairs(&old.availability, &new.availability) {
        changes.push(ChangeKind::AvailabilityChanged {
            platform,
            old: old_words,
            new: new_words,
        });
    }
    changes
}

/// The platforms whose entries differ: `(platform, old, new)`.
fn pairs(
    old: &std::collections::BTreeMap<String, String>,
    new: &std::collections::BTreeMap<String, String>,
) -> Vec<(String, Option<String>, Option<String>)> {
    catalogue::union(old, new)
        .into_iter()
        .filter(|platform| old.get(*platform) != new.get(*platform))
        .map(|platform| {
            (
                platform.clone(),
                old.get(platform).cloned(),
                new.get(platform).cloned(),
            )
        })
        .collect()
}
