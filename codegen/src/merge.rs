//! Stage 1½: the project's additions and corrections to Apple's files.
//!
//! An overlay's `add` entries are keys Apple's YAML does not have yet (the
//! project documents them from another source), written in Apple's format;
//! they join the dictionary they name, as if Apple's file had them. Its
//! `facts` entries replace facts Apple's YAML lacks or states otherwise than
//! Apple's current pages, citing the page. Either is an error once Apple's
//! file says the same, so a fix Apple has caught up with is removed rather
//! than left to linger.

use crate::bind::{dictionary_at, overlay_target, resolve_path};
use crate::error::{SchemaError, overlay_key_path};
use crate::schema::{
    Availability, Correction, KeysRead, PayloadKey, Schema, SchemaFile, values_of,
};

/// Merges every overlay's additions, then its corrections, into its schema
/// file; returns the problems (an overlay with no target is reported when
/// it is bound).
pub fn merge(schema: &mut Schema) -> Vec<SchemaError> {
    let mut problems = add(schema);
    problems.extend(correct(schema));
    problems
}

/// Applies the overlays' `facts`.
fn correct(schema: &mut Schema) -> Vec<SchemaError> {
    let mut problems = Vec::new();
    let overlays = schema.overlays.clone();
    for overlay in &overlays {
        let Some(target) = overlay_target(schema, overlay) else {
            continue;
        };
        let file = &mut schema.files[target];
        let stale = |line: usize, path: &[String], what: &str| {
            let message = format!(
                "`facts`: the schema file now states {what} as the overlay does; remove it from the \
                 overlay"
            );
            SchemaError::new(&overlay.path, message)
                .at_line(line)
                .at_path(&overlay_key_path(&overlay.payload, path))
        };
        if let Some(correction) = &overlay.facts
            && let Some(given) = &correction.supported_os
            && !merge_supported_os(&mut file.supported_os, given)
        {
            problems.push(stale(correction.line, &[], "the payload's `supportedOS`"));
        }
        for entry in &overlay.keys {
            let Some(correction) = &entry.facts else {
                continue;
            };
            // A path that names no key is reported when the overlay is bound.
            let Ok((list, index)) = resolve_path(file, &entry.path) else {
                continue;
            };
            let Some(key) = file
                .key_lists
                .get_mut(&list)
                .and_then(|keys| keys.get_mut(index))
            else {
                continue;
            };
            for what in apply(key, correction) {
                problems.push(stale(correction.line, &entry.path, &what));
            }
            if let Some(subkeys) = &correction.subkeys {
                key.subkeys = Some(subkeys.list);
                let mut key_path = file.key_list_paths.get(&list).cloned().unwrap_or_default();
                key_path.push(entry.path.last().cloned().unwrap_or_default());
                graft(file, subkeys, &key_path, entry.path.len());
            }
        }
    }
    problems
}

/// Applies `correction` to `key`; returns the properties Apple's file
/// already states the same way.
fn apply(key: &mut PayloadKey, correction: &Correction) -> Vec<String> {
    let mut stale = Vec::new();
    if let Some(given) = &correction.supported_os
        && !merge_supported_os(&mut key.supported_os, given)
    {
        stale.push("`supportedOS`".to_owned());
    }
    let mut replace = |name: &str, same: bool| {
        if same {
            stale.push(format!("`{name}`"));
        }
    };
    if let Some(presence) = correction.presence {
        replace("presence", key.presence == presence);
        key.presence = presence;
    }
    if let Some(range) = &correction.range {
        replace("range", key.range.as_ref() == Some(range));
        key.range = Some(range.clone());
    }
    if let Some(rangelist) = &correction.rangelist {
        replace(
            "rangelist",
            key.allowed_values() == Some(values_of(rangelist)),
        );
        key.rangelist = Some(rangelist.clone());
    }
    if let Some(default) = &correction.default {
        replace(
            "default",
            key.default.as_ref().map(|value| &value.value) == Some(&default.value),
        );
        key.default = Some(default.clone());
    }
    if let Some(format) = &correction.format {
        replace("format", key.format.as_ref() == Some(format));
        key.format = Some(format.clone());
    }
    stale
}

/// Lays `given` over `apples` as a key's `supportedOS` lies over its
/// parent's (Apple's own rule, `Availability::inherit`); whether anything
/// changed.
fn merge_supported_os(apples: &mut Vec<Availability>, given: &[Availability]) -> bool {
    let merged = Availability::inherit(given, apples);
    let changed = merged != *apples;
    *apples = merged;
    changed
}

/// Merges every overlay's additions into its schema file.
fn add(schema: &mut Schema) -> Vec<SchemaError> {
    let mut problems = Vec::new();
    let overlays = schema.overlays.clone();
    for overlay in overlays
        .iter()
        .filter(|overlay| !overlay.additions.is_empty())
    {
        let Some(target) = overlay_target(schema, overlay) else {
            continue;
        };
        let file = &mut schema.files[target];
        for addition in &overlay.additions {
            let path = overlay_key_path(&overlay.payload, &addition.within);
            let error = |message: String| {
                SchemaError::new(&overlay.path, message)
                    .at_line(addition.line)
                    .at_path(&path)
            };
            let list = match dictionary_at(file, &addition.within) {
                Ok(list) => list,
                Err(message) => {
                    problems.push(error(format!("`add`: {message}")));
                    continue;
                }
            };
            let keys = addition
                .keys
                .key_lists
                .get(&addition.keys.list)
                .cloned()
                .unwrap_or_default();
            let dictionary_path = file.key_list_paths.get(&list).cloned().unwrap_or_default();
            for key in keys {
                let existing = file.keys(list).iter().any(|other| other.key == key.key);
                if existing {
                    problems.push(error(format!(
                        "`add`: the schema file now has the key `{}` here; remove it from the \
                         overlay's `add`",
                        key.key
                    )));
                    continue;
                }
                if let Some(keys) = file.key_lists.get_mut(&list) {
                    keys.push(key);
                }
            }
            // The lists below the added keys (their own list has joined the
            // dictionary's).
            let mut below = addition.keys.clone();
            below.key_lists.remove(&below.list);
            graft(file, &below, &dictionary_path, addition.within.len());
        }
    }
    problems
}

/// Adds the key lists of `read` to `file`, each named below `at` (the path,
/// in the file, of the dictionary they hang from). They were read named from
/// an overlay path: the payload type, then `depth` key names down to that
/// dictionary.
fn graft(file: &mut SchemaFile, read: &KeysRead, at: &[String], depth: usize) {
    for (list, keys) in &read.key_lists {
        file.key_lists.insert(*list, keys.clone());
        let mut path = at.to_vec();
        if let Some(read_path) = read.key_list_paths.get(list) {
            path.extend(read_path.iter().skip(1 + depth).cloned());
        }
        file.key_list_paths.insert(*list, path);
    }
}
