//! `cargo xtask diff`: the change log between two schemas. Its counts
//! between Apple's two releases agree with a count made straight from the
//! YAML; every row of the semver table is met by a small schema change
//! with the kind and effect the table gives.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use mobileconfig_codegen::diff::{ChangeKind, ChangeLog, Effect, compare};
use mobileconfig_codegen::load::read_sources;
use mobileconfig_tests::{require_apple_corpus, source};
use serde_yaml::Value as Yaml;

/// Payload (or declaration) type → key paths, read from Apple's files with
/// serde_yaml alone: a dictionary's keys by name, an array's element and a
/// dictionary of any keys (`ANY`) without a name of their own, as a plist
/// path reads.
fn yaml_keys(release: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut payloads: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for folder in ["mdm/profiles", "declarative/declarations"] {
        let mut pending = vec![release.join(folder)];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|extension| extension != "yaml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let Ok(document) = serde_yaml::from_str::<Yaml>(&text) else {
                    continue;
                };
                let payload = &document["payload"];
                let Some(name) = payload["payloadtype"]
                    .as_str()
                    .or_else(|| payload["declarationtype"].as_str())
                else {
                    continue;
                };
                let keys = payloads.entry(name.to_owned()).or_default();
                if let Some(list) = document["payloadkeys"].as_sequence() {
                    walk(list, "", keys, 0);
                }
            }
        }
    }
    payloads
}

/// Records each key of `list` under `prefix` with its type.
fn walk(list: &[Yaml], prefix: &str, keys: &mut BTreeMap<String, String>, depth: usize) {
    if depth > 12 {
        return;
    }
    for key in list {
        let Some(name) = key["key"].as_str() else {
            continue;
        };
        let mut kind = key["type"].as_str().unwrap_or_default().to_owned();
        // A dictionary of any keys is another shape than one of named keys.
        let any_keys = key["subkeys"].as_sequence().is_some_and(|subkeys| {
            subkeys
                .iter()
                .any(|subkey| subkey["key"].as_str() == Some("ANY"))
        });
        if any_keys {
            kind.push_str(" of any keys");
        }
        let path = if name == "ANY" {
            prefix.to_owned()
        } else if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        if name != "ANY" {
            keys.insert(path.clone(), kind.clone());
        }
        descend(key, &kind, &path, keys, depth);
    }
}

/// Walks what a key holds: a dictionary's keys, or an array's element.
fn descend(key: &Yaml, kind: &str, path: &str, keys: &mut BTreeMap<String, String>, depth: usize) {
    let Some(subkeys) = key["subkeys"].as_sequence() else {
        return;
    };
    match kind {
        "<dictionary>" | "<dictionary> of any keys" => walk(subkeys, path, keys, depth + 1),
        "<array>" => {
            if let Some(element) = subkeys.first() {
                let element_kind = element["type"].as_str().unwrap_or_default();
                descend(element, element_kind, path, keys, depth + 1);
            }
        }
        _ => {}
    }
}

fn parent(path: &str) -> Option<&str> {
    path.rsplit_once('.').map(|(parent, _)| parent)
}

#[derive(Debug, Default, PartialEq)]
struct Counts {
    payloads_added: usize,
    payloads_removed: usize,
    keys_added: usize,
    keys_removed: usize,
}

/// The counts straight from the YAML: a key inside a dictionary that is new
/// (or gone) is counted with it, as the log reports it.
fn yaml_counts(old: &Path, new: &Path) -> Counts {
    let old = yaml_keys(old);
    let new = yaml_keys(new);
    let mut counts = Counts::default();
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        match (old.get(name), new.get(name)) {
            (None, Some(_)) => counts.payloads_added += 1,
            (Some(_), None) => counts.payloads_removed += 1,
            (Some(old_keys), Some(new_keys)) => {
                let outermost = |path: &str,
                                 other: &BTreeMap<String, String>,
                                 this: &BTreeMap<String, String>| {
                    parent(path).is_none_or(|parent| {
                        other.contains_key(parent) && other.get(parent) == this.get(parent)
                    })
                };
                counts.keys_added += new_keys
                    .keys()
                    .filter(|path| {
                        !old_keys.contains_key(*path) && outermost(path, old_keys, new_keys)
                    })
                    .count();
                counts.keys_removed += old_keys
                    .keys()
                    .filter(|path| {
                        !new_keys.contains_key(*path) && outermost(path, new_keys, old_keys)
                    })
                    .count();
            }
            (None, None) => {}
        }
    }
    counts
}

fn log_counts(log: &ChangeLog) -> Counts {
    let mut counts = Counts::default();
    for change in &log.changes {
        if !matches!(change.payload.kind.as_str(), "payload" | "declaration") {
            continue;
        }
        match change.kind {
            ChangeKind::PayloadAdded { .. } => counts.payloads_added += 1,
            ChangeKind::PayloadRemoved { .. } => counts.payloads_removed += 1,
            ChangeKind::KeyAdded { .. } => counts.keys_added += 1,
            ChangeKind::KeyRemoved => counts.keys_removed += 1,
            _ => {}
        }
    }
    counts
}

fn release_log(old: &str, new: &str) -> (ChangeLog, Counts) {
    let old_dir = require_apple_corpus(old);
    let new_dir = require_apple_corpus(new);
    let old_sources = read_sources(&old_dir, None, true).unwrap();
    let new_sources = read_sources(&new_dir, None, true).unwrap();
    let log = compare(old, &old_sources, new, &new_sources).unwrap();
    (log, yaml_counts(&old_dir, &new_dir))
}

#[test]
fn the_log_between_two_releases_counts_what_the_yaml_shows() {
    let (log, expected) = release_log("ios17.0", "ios18.1");
    let counted = log_counts(&log);
    assert_eq!(counted, expected);
    // Apple added declarations between the two, and changed keys.
    assert!(
        expected.payloads_added > 0 && expected.keys_added > 0,
        "{expected:?}"
    );
    // Backwards, every addition is a removal.
    let (back, _) = release_log("ios18.1", "ios17.0");
    let back = log_counts(&back);
    assert_eq!(
        (back.payloads_removed, back.keys_removed, back.keys_added),
        (
            counted.payloads_added,
            counted.keys_added,
            counted.keys_removed
        )
    );
}

/// The schema every semver row starts from: one payload with a key of each
/// kind a row changes, and one rule.
const GADGET: &str = "\
title: Gadget
description: A made-up payload for the change-log tests.
payload:
  payloadtype: com.example.gadget
  supportedOS:
    iOS:
      introduced: '17.0'
    macOS:
      introduced: '14.0'
payloadkeys:
- key: Name
  type: <string>
  presence: required
- key: Note
  type: <string>
  presence: optional
- key: Mode
  type: <string>
  presence: optional
  rangelist: [Fast, Slow]
- key: Level
  type: <integer>
  presence: optional
  range: { min: 1, max: 10 }
  default: 5
- key: Tier
  type: <integer>
  presence: optional
  rangelist: [1, 2, 3]
- key: Hosts
  type: <array>
  presence: optional
  subkeys:
  - key: Host
    type: <string>
- key: Address
  type: <string>
  presence: optional
  format: ^[a-z]+$
- key: Options
  type: <dictionary>
  presence: optional
  subkeys:
  - key: Retries
    type: <integer>
    presence: optional
";

const GADGET_OVERLAY: &str = "\
payload: com.example.gadget
rules:
  - code: gadget.slow-needs-level
    severity: error
    when: { equals: { Mode: Slow } }
    check: { present: Level }
    message: Mode is Slow, so Level is needed.
";

const EXTRA: &str = "\
title: Extra
description: A second made-up payload.
payload:
  payloadtype: com.example.extra
  supportedOS:
    iOS:
      introduced: '17.0'
payloadkeys:
- key: Flag
  type: <boolean>
  presence: optional
";

/// One row of the semver table, met by a change to the schema.
struct Row {
    what: &'static str,
    /// Edits to the payload file: `(from, to)`.
    payload: &'static [(&'static str, &'static str)],
    /// Edits to the overlay.
    overlay: &'static [(&'static str, &'static str)],
    /// The second payload: on the old side, on the new side.
    extra: (bool, bool),
    /// The change's tag, path and effect.
    tag: &'static str,
    path: &'static str,
    effect: Effect,
}

const ROWS: &[Row] = &[
    Row {
        what: "a payload added",
        payload: &[],
        overlay: &[],
        extra: (false, true),
        tag: "payload-added",
        path: "",
        effect: Effect::Minor,
    },
    Row {
        what: "a payload removed",
        payload: &[],
        overlay: &[],
        extra: (true, false),
        tag: "payload-removed",
        path: "",
        effect: Effect::Major,
    },
    Row {
        what: "an optional key added",
        payload: &[(
            "- key: Note\n",
            "- key: Label\n  type: <string>\n  presence: optional\n- key: Note\n",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "key-added",
        path: "Label",
        effect: Effect::Minor,
    },
    Row {
        what: "a required key added",
        payload: &[(
            "- key: Note\n",
            "- key: Serial\n  type: <string>\n  presence: required\n- key: Note\n",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "key-added",
        path: "Serial",
        effect: Effect::Major,
    },
    Row {
        what: "a key removed",
        payload: &[("- key: Note\n  type: <string>\n  presence: optional\n", "")],
        overlay: &[],
        extra: (false, false),
        tag: "key-removed",
        path: "Note",
        effect: Effect::Major,
    },
    Row {
        what: "a key retyped",
        payload: &[(
            "- key: Note\n  type: <string>",
            "- key: Note\n  type: <integer>",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "retyped",
        path: "Note",
        effect: Effect::Major,
    },
    Row {
        what: "a key made required",
        payload: &[(
            "- key: Note\n  type: <string>\n  presence: optional",
            "- key: Note\n  type: <string>\n  presence: required",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "made-required",
        path: "Note",
        effect: Effect::Major,
    },
    Row {
        what: "a key made optional",
        payload: &[(
            "- key: Name\n  type: <string>\n  presence: required",
            "- key: Name\n  type: <string>\n  presence: optional",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "made-optional",
        path: "Name",
        effect: Effect::Major,
    },
    Row {
        what: "a value added to an enum",
        payload: &[("[Fast, Slow]", "[Fast, Slow, Eco]")],
        overlay: &[],
        extra: (false, false),
        tag: "values-added",
        path: "Mode",
        effect: Effect::Minor,
    },
    Row {
        what: "a value removed from an enum",
        payload: &[("[Fast, Slow]", "[Slow]")],
        overlay: &[],
        extra: (false, false),
        tag: "values-removed",
        path: "Mode",
        effect: Effect::Major,
    },
    Row {
        what: "a value added to an integer list",
        payload: &[("[1, 2, 3]", "[1, 2, 3, 4]")],
        overlay: &[],
        extra: (false, false),
        tag: "values-added",
        path: "Tier",
        effect: Effect::Minor,
    },
    Row {
        what: "a value removed from an integer list",
        payload: &[("[1, 2, 3]", "[1, 2]")],
        overlay: &[],
        extra: (false, false),
        tag: "values-removed",
        path: "Tier",
        effect: Effect::Minor,
    },
    Row {
        what: "a range changed",
        payload: &[("max: 10", "max: 20")],
        overlay: &[],
        extra: (false, false),
        tag: "range-changed",
        path: "Level",
        effect: Effect::Minor,
    },
    Row {
        what: "a default changed",
        payload: &[("default: 5", "default: 6")],
        overlay: &[],
        extra: (false, false),
        tag: "default-changed",
        path: "Level",
        effect: Effect::Minor,
    },
    Row {
        what: "an item count added",
        payload: &[(
            "- key: Hosts\n  type: <array>\n  presence: optional\n",
            "- key: Hosts\n  type: <array>\n  presence: optional\n  repetition: { min: 1, max: 4 }\n",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "items-changed",
        path: "Hosts",
        effect: Effect::Minor,
    },
    Row {
        what: "a format changed",
        payload: &[("^[a-z]+$", "^[a-z0-9]+$")],
        overlay: &[],
        extra: (false, false),
        tag: "format-changed",
        path: "Address",
        effect: Effect::Minor,
    },
    Row {
        what: "a key's availability changed",
        payload: &[(
            "  range: { min: 1, max: 10 }\n",
            "  range: { min: 1, max: 10 }\n  supportedOS:\n    macOS:\n      introduced: '15.0'\n",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "availability-changed",
        path: "Level",
        effect: Effect::Minor,
    },
    Row {
        what: "a rule added",
        payload: &[],
        overlay: &[(
            "rules:\n",
            "rules:\n  - code: gadget.tier-needs-name\n    severity: warning\n    when: { present: Tier }\n    check: { present: Name }\n    message: Tier is set without a Name.\n",
        )],
        extra: (false, false),
        tag: "rule-added",
        path: "",
        effect: Effect::Minor,
    },
    Row {
        what: "a rule removed",
        payload: &[],
        overlay: &[(
            "rules:\n  - code: gadget.slow-needs-level\n    severity: error\n    when: { equals: { Mode: Slow } }\n    check: { present: Level }\n    message: Mode is Slow, so Level is needed.\n",
            "rules: []\n",
        )],
        extra: (false, false),
        tag: "rule-removed",
        path: "",
        effect: Effect::Minor,
    },
    Row {
        what: "a rule's severity changed",
        payload: &[],
        overlay: &[("severity: error", "severity: warning")],
        extra: (false, false),
        tag: "rule-changed",
        path: "",
        effect: Effect::Minor,
    },
    Row {
        what: "a rule's test changed",
        payload: &[],
        overlay: &[("check: { present: Level }", "check: { present: Tier }")],
        extra: (false, false),
        tag: "rule-changed",
        path: "",
        effect: Effect::Minor,
    },
    Row {
        what: "a rule reworded",
        payload: &[],
        overlay: &[(
            "message: Mode is Slow, so Level is needed.",
            "message: With Mode Slow, give a Level.",
        )],
        extra: (false, false),
        tag: "rule-reworded",
        path: "",
        effect: Effect::Patch,
    },
    Row {
        what: "a struct renamed",
        payload: &[(
            "- key: Options\n  type: <dictionary>\n",
            "- key: Options\n  type: <dictionary>\n  subkeytype: OptionSet\n",
        )],
        overlay: &[],
        extra: (false, false),
        tag: "renamed",
        path: "Options",
        effect: Effect::Major,
    },
    Row {
        what: "a field renamed",
        payload: &[],
        overlay: &[(
            "rules:\n",
            "keys:\n  - path: [Note]\n    rust_name: remark\nrules:\n",
        )],
        extra: (false, false),
        tag: "renamed",
        path: "Note",
        effect: Effect::Major,
    },
];

fn edited(text: &str, edits: &[(&str, &str)], what: &str) -> String {
    let mut text = text.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "{what}: `{from}` is not in the schema");
        text = text.replacen(from, to, 1);
    }
    text
}

fn gadget_sources(
    payload: &str,
    overlay: &str,
    extra: bool,
) -> Vec<mobileconfig_codegen::SourceFile> {
    let mut sources = vec![
        source("com.example.gadget.yaml", payload),
        source("com.example.gadget.overlay.yaml", overlay),
    ];
    if extra {
        sources.push(source("com.example.extra.yaml", EXTRA));
    }
    sources
}

#[test]
fn every_row_of_the_semver_table_is_met_by_its_change() {
    for row in ROWS {
        let old = gadget_sources(GADGET, GADGET_OVERLAY, row.extra.0);
        let new = gadget_sources(
            &edited(GADGET, row.payload, row.what),
            &edited(GADGET_OVERLAY, row.overlay, row.what),
            row.extra.1,
        );
        let log = compare("old", &old, "new", &new)
            .unwrap_or_else(|error| panic!("{}: {error}", row.what));
        let found: Vec<(String, &str, Effect)> = log
            .changes
            .iter()
            .map(|change| (change.kind.tag(), change.path.as_str(), change.effect()))
            .collect();
        assert_eq!(
            found,
            [(row.tag.to_owned(), row.path, row.effect)],
            "{}: {:#?}",
            row.what,
            log.changes
        );
        assert_eq!(log.effect(), Some(row.effect), "{}", row.what);
    }
    // Every kind of change has a row.
    let tags: BTreeSet<&str> = ROWS.iter().map(|row| row.tag).collect();
    assert_eq!(tags.len(), 19, "{tags:?}");
    // And nothing changed is nothing to release.
    let same = gadget_sources(GADGET, GADGET_OVERLAY, false);
    let log = compare("old", &same, "new", &same).unwrap();
    assert!(log.changes.is_empty(), "{:#?}", log.changes);
    assert_eq!(log.effect(), None);
}

/// The log as a maintainer reads it: several changes at once, in Markdown,
/// and the same log as JSON.
#[test]
fn a_change_log_in_markdown_and_json() {
    let pick = |what: &str| ROWS.iter().find(|row| row.what == what).unwrap();
    let rows = [
        pick("a payload added"),
        pick("an optional key added"),
        pick("a key made required"),
        pick("a value added to an enum"),
        pick("a key's availability changed"),
        pick("a range changed"),
        pick("a rule reworded"),
    ];
    let mut payload = GADGET.to_owned();
    let mut overlay = GADGET_OVERLAY.to_owned();
    for row in rows {
        payload = edited(&payload, row.payload, row.what);
        overlay = edited(&overlay, row.overlay, row.what);
    }
    let old = gadget_sources(GADGET, GADGET_OVERLAY, false);
    let new = gadget_sources(&payload, &overlay, true);
    let log = compare("gadget-1", &old, "gadget-2", &new).unwrap();
    let current = mobileconfig_codegen::diff::Version::new(1, 4, 2);
    insta::assert_snapshot!(
        "gadget_change_log",
        mobileconfig_codegen::diff::render::markdown(&log, Some(current))
    );
    let json: serde_json::Value = serde_json::from_str(&mobileconfig_codegen::diff::render::json(
        &log,
        Some(current),
    ))
    .unwrap();
    assert_eq!(json["effect"], "major");
    assert_eq!(json["next_version"], "2.0.0");
    assert_eq!(json["counts"]["key-added"], 1);
    assert_eq!(json["changes"].as_array().unwrap().len(), rows.len());
    let required = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["change"] == "made-required")
        .unwrap();
    assert_eq!(required["path"], "Note");
    assert_eq!(required["effect"], "major");
    assert_eq!(required["payload"]["name"], "com.example.gadget");
}
