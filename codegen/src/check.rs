//! Stage 2: find every problem in a loaded schema before anything is built
//! from it, and report them all together.
//!
//! What the loader already refuses (YAML syntax, properties Apple's format
//! does not have, values of the wrong YAML type) does not reach this stage;
//! here are the problems of meaning: types, containers, allowed values,
//! defaults, bounds, duplicate keys, shared types and overlay references.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::SchemaError;
use crate::load::LoadedSchema;
use crate::load::overlay::key_path;
use crate::lower::{ANY_KEY, COMMON_PAYLOAD_KEYS, TOP_LEVEL, UNKNOWN_KEYS_FIELD};
use crate::model::{
    ConditionSpec, KeyListId, KeyOverlay, KeyType, Overlay, PayloadKey, Scalar, SchemaFile,
};
use crate::naming;

/// Checks `schema`; an empty list means it can be lowered.
pub fn check(schema: &LoadedSchema) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    for file in &schema.files {
        check_file(file, &mut errors);
    }
    check_overlays(schema, &mut errors);
    check_rust_names(schema, &mut errors);
    errors
}

fn check_file(file: &SchemaFile, errors: &mut Vec<SchemaError>) {
    // Shapes named by each subkeytype, to find one name used for two shapes.
    let mut subkeytypes: BTreeMap<&str, (KeyListId, Vec<String>)> = BTreeMap::new();
    for (list, keys) in &file.key_lists {
        let path = &file.key_list_paths[list];
        let mut seen = BTreeSet::new();
        for key in keys {
            let mut key_path = path.clone();
            key_path.push(key.key.clone());
            let error = |message: String| {
                SchemaError::new(&file.path, message)
                    .at_line(key.line)
                    .at_path(&key_path)
            };
            if !seen.insert(key.key.as_str()) {
                errors.push(error(format!(
                    "the key `{}` is defined twice in this dictionary",
                    key.key
                )));
            }
            check_key(key, &error, errors);
            if let Some(sublist) = key.subkeys {
                let count = file.keys(sublist).len();
                match key.key_type() {
                    Some(KeyType::Array) if count != 1 => errors.push(error(format!(
                        "an <array> lists its one item type in `subkeys`; this one has {count}"
                    ))),
                    Some(KeyType::Dictionary) if count == 0 => errors.push(error(
                        "a <dictionary> needs at least one key in `subkeys`".to_owned(),
                    )),
                    _ => {}
                }
            }
            if let (Some(name), Some(sublist)) = (&key.subkeytype, key.subkeys) {
                match subkeytypes.get(name.as_str()) {
                    None => {
                        subkeytypes.insert(name, (sublist, key_path.clone()));
                    }
                    Some((first, first_path)) => {
                        if *first != sublist && !same_shape(file, *first, sublist) {
                            errors.push(error(format!(
                                "subkeytype `{name}` names a different shape here than at {}; \
                                 a subkeytype must name one shape (reuse it with a YAML alias)",
                                first_path.join(" › ")
                            )));
                        }
                    }
                }
            }
        }
    }
}

fn check_key(
    key: &PayloadKey,
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    let Some(type_name) = &key.type_name else {
        return; // reported by the loader
    };
    let Some(key_type) = key.key_type() else {
        errors.push(
            error(format!(
                "unknown type `{}`; Apple's format allows: {}",
                type_name.value,
                KeyType::NAMES.join(", ")
            ))
            .at_line(type_name.line),
        );
        return;
    };
    match (key_type.is_container(), key.subkeys) {
        (true, None) => errors.push(error(format!(
            "{} needs `subkeys` describing its contents",
            key_type.with_article()
        ))),
        (false, Some(_)) => errors.push(error(format!(
            "`subkeys` is only for <array> and <dictionary>, not {}",
            key_type.name()
        ))),
        _ => {}
    }
    check_allowed_values(key, key_type, error, errors);
    // Apple writes `repetition` on an array or on its element; either way it
    // counts the array's items.
    if let Some(repetition) = key.repetition
        && (repetition.min < 0 || repetition.min > repetition.max)
    {
        errors.push(error(format!(
            "`repetition` min {} and max {} do not make a range",
            repetition.min, repetition.max
        )));
    }
    // The validators and the JSON Schemas match `format` against whole
    // strings; the pattern must mean the same to both, and compile.
    if let Some(pattern) = &key.format {
        match crate::pattern::portable(pattern) {
            Err(problem) => errors.push(error(format!(
                "`format` cannot be checked the same way by the validators and JSON Schema: {problem}"
            ))),
            Ok(portable) => {
                if let Err(problem) = regex::Regex::new(&format!("^(?:{portable})$")) {
                    // The crate's message draws a caret under the pattern;
                    // its last line says what is wrong.
                    let text = problem.to_string();
                    let problem = text
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim()
                        .trim_start_matches("error: ")
                        .to_owned();
                    errors.push(error(format!(
                        "`format` is not a regular expression the validators can use: {problem}"
                    )));
                }
            }
        }
    }
    if key.subtype.is_some() && key_type != KeyType::String {
        errors.push(error(format!(
            "`subtype` is only for <string>, not {}",
            key_type.name()
        )));
    }
}

/// `rangelist`, `range` and `default` must fit the key's type and each other.
fn check_allowed_values(
    key: &PayloadKey,
    key_type: KeyType,
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    if let Some(rangelist) = &key.rangelist {
        for value in rangelist {
            if !fits_type(&value.value, key_type) {
                errors.push(
                    error(format!(
                        "`rangelist` holds {}, which is not {} value",
                        value.value.describe(),
                        key_type.with_article()
                    ))
                    .at_line(value.line),
                );
            }
        }
        let mut seen = Vec::new();
        for value in rangelist {
            if seen.contains(&&value.value) {
                errors.push(
                    error(format!(
                        "`rangelist` lists {} twice",
                        value.value.describe()
                    ))
                    .at_line(value.line),
                );
            }
            seen.push(&value.value);
        }
    }
    if let Some(range) = &key.range {
        if !matches!(key_type, KeyType::Integer | KeyType::Real) {
            errors.push(error(format!(
                "`range` is only for <integer> and <real>, not {}",
                key_type.name()
            )));
        }
        let min = range.min.as_ref().and_then(Scalar::as_f64);
        let max = range.max.as_ref().and_then(Scalar::as_f64);
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            errors.push(error(format!(
                "`range` min {min} is greater than max {max}"
            )));
        }
    }
    let Some(default) = &key.default else {
        return;
    };
    let at_default = |message: String| error(message).at_line(default.line);
    if key_type.is_container() || matches!(key_type, KeyType::Data | KeyType::Date) {
        // Apple writes descriptive defaults for these; nothing to compare.
        return;
    }
    if !fits_type(&default.value, key_type) && key_type != KeyType::Any {
        errors.push(at_default(format!(
            "`default` is {}, which is not {} value",
            default.value.describe(),
            key_type.with_article()
        )));
        return;
    }
    if let Some(rangelist) = &key.rangelist
        && !rangelist
            .iter()
            .any(|allowed| allowed.value == default.value)
    {
        let allowed: Vec<String> = rangelist.iter().map(|v| v.value.to_string()).collect();
        errors.push(at_default(format!(
            "`default` {} is not in `rangelist` ({})",
            default.value,
            allowed.join(", ")
        )));
    }
    if let (Some(range), Some(value)) = (&key.range, default.value.as_f64()) {
        let below = range
            .min
            .as_ref()
            .and_then(Scalar::as_f64)
            .is_some_and(|min| value < min);
        let above = range
            .max
            .as_ref()
            .and_then(Scalar::as_f64)
            .is_some_and(|max| value > max);
        if below || above {
            let bound =
                |scalar: &Option<Scalar>| scalar.as_ref().map_or("…".to_owned(), Scalar::to_string);
            errors.push(at_default(format!(
                "`default` {value} is outside `range` {}..={}",
                bound(&range.min),
                bound(&range.max)
            )));
        }
    }
}

/// Whether a YAML value can stand for a value of `key_type`.
fn fits_type(value: &Scalar, key_type: KeyType) -> bool {
    match key_type {
        KeyType::String => matches!(value, Scalar::String(_)),
        KeyType::Integer => matches!(value, Scalar::Integer(_)),
        KeyType::Real => matches!(value, Scalar::Integer(_) | Scalar::Real(_)),
        KeyType::Boolean => matches!(value, Scalar::Boolean(_)),
        KeyType::Any => true,
        _ => false,
    }
}

/// Whether two key lists describe the same keys with the same types, all
/// the way down.
fn same_shape(file: &SchemaFile, a: KeyListId, b: KeyListId) -> bool {
    let mut pending = vec![(a, b)];
    let mut compared = BTreeSet::new();
    while let Some((a, b)) = pending.pop() {
        if a == b || !compared.insert((a, b)) {
            continue;
        }
        let (keys_a, keys_b) = (file.keys(a), file.keys(b));
        if keys_a.len() != keys_b.len() {
            return false;
        }
        for (key_a, key_b) in keys_a.iter().zip(keys_b) {
            if key_a.key != key_b.key
                || key_a.key_type() != key_b.key_type()
                || key_a.presence != key_b.presence
                || key_a.rangelist != key_b.rangelist
            {
                return false;
            }
            match (key_a.subkeys, key_b.subkeys) {
                (Some(sub_a), Some(sub_b)) => pending.push((sub_a, sub_b)),
                (None, None) => {}
                _ => return false,
            }
        }
    }
    true
}

/// The schema file an overlay applies to: the one it names with `file`, or
/// else the main file of its payload type (the one whose name is the payload
/// type, if several share it).
pub fn overlay_target<'a>(schema: &'a LoadedSchema, overlay: &Overlay) -> Option<&'a SchemaFile> {
    let mut candidates: Vec<&SchemaFile> = schema
        .files
        .iter()
        .filter(|file| file.payload_type() == overlay.payload)
        .filter(|file| overlay.file.as_ref().is_none_or(|name| &file.path == name))
        .collect();
    candidates.sort_by_key(|file| (file.stem() != file.payload_type(), file.path.clone()));
    candidates.first().copied()
}

fn check_overlays(schema: &LoadedSchema, errors: &mut Vec<SchemaError>) {
    let mut seen_targets = BTreeSet::new();
    // Rule codes identify findings across the whole crate.
    let mut codes: BTreeMap<&str, &str> = BTreeMap::new();
    for overlay in &schema.overlays {
        for rule in &overlay.rules {
            if let Some(first) = codes.insert(&rule.code, &overlay.path)
                && first != overlay.path
            {
                errors.push(
                    SchemaError::new(
                        &overlay.path,
                        format!("rule `{}`: the code is also used in {first}", rule.code),
                    )
                    .at_line(rule.line),
                );
            }
        }
    }
    for overlay in &schema.overlays {
        let Some(file) = overlay_target(schema, overlay) else {
            let message = match &overlay.file {
                Some(name) => format!(
                    "the overlay names `file: {name}` with payload `{}`, but no schema file \
                     has that name and payload type",
                    overlay.payload
                ),
                None => format!(
                    "the overlay is for payload `{}`, which no schema file defines",
                    overlay.payload
                ),
            };
            errors.push(SchemaError::new(&overlay.path, message).at_line(overlay.line));
            continue;
        };
        if !seen_targets.insert(file.path.as_str()) {
            errors.push(
                SchemaError::new(
                    &overlay.path,
                    format!(
                        "a second overlay for `{}`; keep one overlay per schema file",
                        file.path
                    ),
                )
                .at_line(overlay.line),
            );
        }
        check_rules(file, overlay, errors);
        for entry in &overlay.keys {
            if let Err(message) = resolve_overlay_path(file, &entry.path) {
                errors.push(
                    SchemaError::new(&overlay.path, message)
                        .at_line(entry.line)
                        .at_path(&key_path(&overlay.payload, &entry.path)),
                );
            }
        }
    }
}

/// Finds the key an overlay path names, and the list it is in. Array
/// elements are stepped through without naming them:
/// `[IKEv2, OnDemandRules, Action]`.
pub fn resolve_overlay_path<'a>(
    file: &'a SchemaFile,
    path: &[String],
) -> Result<(KeyListId, &'a PayloadKey), String> {
    let mut list = file.payload_keys.ok_or("the payload has no keys")?;
    let mut found: Option<(KeyListId, &PayloadKey)> = None;
    for (depth, name) in path.iter().enumerate() {
        if let Some((_, parent)) = found {
            list = element_subkeys(file, parent).ok_or_else(|| {
                format!(
                    "`{}` has no subkeys, so it has no key `{name}`",
                    path[..depth].join(" › ")
                )
            })?;
        }
        let key = file
            .keys(list)
            .iter()
            .find(|key| &key.key == name)
            .ok_or_else(|| {
                let where_ = if depth == 0 {
                    format!("payload `{}`", file.payload_type())
                } else {
                    format!("`{}`", path[..depth].join(" › "))
                };
                format!("the overlay names the key `{name}`, which {where_} does not have")
            })?;
        found = Some((list, key));
    }
    found.ok_or_else(|| "the overlay path is empty".to_owned())
}

/// The keys inside a dictionary, or inside an array's dictionary elements
/// (through arrays of arrays too).
fn element_subkeys(file: &SchemaFile, key: &PayloadKey) -> Option<KeyListId> {
    let mut key = key;
    // Bounded: a recursive schema can make an array its own element.
    for _ in 0..crate::load::yaml::MAX_DEPTH {
        let list = key.subkeys?;
        if key.key_type() != Some(KeyType::Array) {
            return Some(list);
        }
        let element = file.keys(list).first()?;
        if element.subkeys.is_none() {
            return Some(list);
        }
        key = element;
    }
    None
}

/// Rust names the overlays give, by the list and key they apply to.
#[derive(Default)]
struct Renames<'a> {
    fields: BTreeMap<(KeyListId, &'a str), &'a KeyOverlay>,
}

/// Field names within each dictionary and variant names within each
/// enumeration must stay distinct once made into Rust identifiers.
fn check_rust_names(schema: &LoadedSchema, errors: &mut Vec<SchemaError>) {
    let common = schema
        .files
        .iter()
        .find(|file| file.payload_type() == COMMON_PAYLOAD_KEYS);
    for file in &schema.files {
        let mut renames = Renames::default();
        for overlay in &schema.overlays {
            if overlay_target(schema, overlay).is_none_or(|target| target.path != file.path) {
                continue;
            }
            for entry in &overlay.keys {
                if let Ok((list, key)) = resolve_overlay_path(file, &entry.path) {
                    renames.fields.insert((list, key.key.as_str()), entry);
                    check_overlay_identifiers(overlay, entry, errors);
                }
            }
        }
        for (list, keys) in &file.key_lists {
            let mut names: Vec<(String, &str, usize)> = Vec::new();
            // A payload's dictionary starts with the common payload keys.
            let is_payload_root = Some(*list) == file.payload_keys
                && !matches!(file.payload_type(), COMMON_PAYLOAD_KEYS | TOP_LEVEL);
            if let (true, Some(common)) = (is_payload_root, common) {
                let own: BTreeSet<&str> = keys.iter().map(|key| key.key.as_str()).collect();
                for key in common
                    .payload_keys
                    .map(|list| common.keys(list))
                    .unwrap_or_default()
                {
                    if !own.contains(key.key.as_str()) {
                        names.push((naming::field_name(&key.key), &key.key, key.line));
                    }
                }
            }
            for key in keys.iter().filter(|key| key.key != ANY_KEY) {
                let overlay = renames.fields.get(&(*list, key.key.as_str()));
                let name = overlay
                    .and_then(|entry| entry.rust_name.clone())
                    .unwrap_or_else(|| naming::field_name(&key.key));
                let path = {
                    let mut path = file.key_list_paths[list].clone();
                    path.push(key.key.clone());
                    path
                };
                let error = |message: String| {
                    SchemaError::new(&file.path, message)
                        .at_line(key.line)
                        .at_path(&path)
                };
                if name == UNKNOWN_KEYS_FIELD {
                    errors.push(error(format!(
                        "the key `{}` becomes the Rust field `{name}`, which every generated \
                         struct uses for the keys the schema does not name; give the key a \
                         `rust_name` in the overlay",
                        key.key
                    )));
                } else if let Some((_, first, first_line)) = names
                    .iter()
                    .find(|(other, first, _)| *other == name && *first != key.key)
                {
                    errors.push(error(format!(
                        "the keys `{first}` (line {first_line}) and `{}` both become the Rust \
                         field `{name}`; give one a `rust_name` in the overlay",
                        key.key
                    )));
                }
                names.push((name, &key.key, key.line));
                check_variant_names(key, overlay.copied(), &error, errors);
            }
        }
    }
}

fn check_variant_names(
    key: &PayloadKey,
    overlay: Option<&KeyOverlay>,
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    if key.key_type() != Some(KeyType::String) {
        return;
    }
    let mut variants: Vec<(String, String)> = Vec::new();
    for value in key.rangelist.iter().flatten() {
        let text = value.value.to_string();
        let name = overlay
            .and_then(|entry| entry.rust_variants.get(&text).cloned())
            .unwrap_or_else(|| naming::type_name(&text));
        if let Some((first, _)) = variants.iter().find(|(_, other)| *other == name) {
            errors.push(
                error(format!(
                    "the allowed values `{first}` and `{text}` both become the Rust variant \
                     `{name}`; name one in the overlay's `rust_variants`"
                ))
                .at_line(value.line),
            );
        }
        variants.push((text, name));
    }
}

/// Names an overlay gives must be usable as Rust identifiers.
fn check_overlay_identifiers(overlay: &Overlay, entry: &KeyOverlay, errors: &mut Vec<SchemaError>) {
    let names = entry
        .rust_name
        .iter()
        .chain(&entry.rust_type)
        .chain(entry.rust_variants.values());
    for name in names {
        if !naming::is_identifier(name) {
            errors.push(
                SchemaError::new(&overlay.path, format!("`{name}` is not a Rust identifier"))
                    .at_line(entry.line)
                    .at_path(&key_path(&overlay.payload, &entry.path)),
            );
        }
    }
}

/// The list of keys a rule reads: the payload's, or those of the dictionary
/// (or array of dictionaries) at `within`.
pub fn rule_dictionary(file: &SchemaFile, within: &[String]) -> Result<KeyListId, String> {
    if within.is_empty() {
        return file
            .payload_keys
            .ok_or_else(|| "the payload has no keys".to_owned());
    }
    let (_, key) = resolve_overlay_path(file, within)?;
    let list = element_subkeys(file, key)
        .filter(|list| file.keys(*list).iter().any(|key| key.key != ANY_KEY))
        .ok_or_else(|| format!("`{}` is not a dictionary with keys", within.join(" › ")))?;
    if key.key_type() == Some(KeyType::Array)
        && file
            .keys(list)
            .first()
            .is_some_and(|first| first.subkeys.is_none())
    {
        return Err(format!(
            "`{}` is not a dictionary with keys",
            within.join(" › ")
        ));
    }
    Ok(list)
}

/// The key at `path` below the dictionary `list`, through dictionaries.
fn resolve_relative<'a>(
    file: &'a SchemaFile,
    list: KeyListId,
    path: &[String],
) -> Result<&'a PayloadKey, String> {
    let mut list = list;
    let mut found = None;
    for (depth, name) in path.iter().enumerate() {
        if let Some(parent) = found {
            let parent: &PayloadKey = parent;
            list = match (parent.key_type(), parent.subkeys) {
                (Some(KeyType::Dictionary), Some(sublist)) => sublist,
                _ => {
                    return Err(format!(
                        "`{}` is not a dictionary, so it has no key `{name}`",
                        path[..depth].join(".")
                    ));
                }
            };
        }
        found = Some(
            file.keys(list)
                .iter()
                .find(|key| &key.key == name)
                .ok_or_else(|| format!("there is no key `{}`", path[..=depth].join(".")))?,
        );
    }
    found.ok_or_else(|| "an empty key path".to_owned())
}

/// The allowed values and type a literal is compared with: an array's
/// element for arrays.
fn compared_key<'a>(file: &'a SchemaFile, key: &'a PayloadKey) -> &'a PayloadKey {
    match (key.key_type(), key.subkeys) {
        (Some(KeyType::Array), Some(list)) => file.keys(list).first().unwrap_or(key),
        _ => key,
    }
}

fn check_rules(file: &SchemaFile, overlay: &Overlay, errors: &mut Vec<SchemaError>) {
    let mut codes = BTreeSet::new();
    for rule in &overlay.rules {
        let error = |message: String| {
            SchemaError::new(&overlay.path, format!("rule `{}`: {message}", rule.code))
                .at_line(rule.line)
        };
        let valid_code = !rule.code.is_empty()
            && rule
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'));
        if !valid_code {
            errors.push(error(
                "a code is lower-case letters, digits, `.` and `-` (it is a stable identifier)"
                    .to_owned(),
            ));
        }
        if !codes.insert(rule.code.as_str()) {
            errors.push(error(
                "the code is used by another rule of this overlay".to_owned(),
            ));
        }
        let list = match rule_dictionary(file, &rule.within) {
            Ok(list) => list,
            Err(message) => {
                errors.push(error(format!("`within`: {message}")));
                continue;
            }
        };
        let conditions = rule.when.iter().chain(std::iter::once(&rule.check));
        for condition in conditions {
            for ranking in condition.rankings() {
                if !overlay.rankings.contains_key(ranking) {
                    errors.push(error(format!(
                        "the ranking `{ranking}` is not defined under `rankings`"
                    )));
                }
            }
            for (path, literals) in condition.paths() {
                let key = match resolve_relative(file, list, path) {
                    Ok(key) => compared_key(file, key),
                    Err(message) => {
                        errors.push(error(message));
                        continue;
                    }
                };
                for literal in literals {
                    check_rule_literal(key, literal, path, &error, errors);
                }
            }
            check_comparisons(file, list, overlay, condition, &error, errors);
        }
        if !rule.at.is_empty()
            && let Err(message) = resolve_relative(file, list, &rule.at)
        {
            errors.push(error(format!("`at`: {message}")));
        }
    }
    for (name, groups) in &overlay.rankings {
        if groups.iter().all(Vec::is_empty) {
            errors.push(
                SchemaError::new(&overlay.path, format!("the ranking `{name}` is empty"))
                    .at_line(1),
            );
        }
    }
}

fn check_rule_literal(
    key: &PayloadKey,
    literal: &Scalar,
    path: &[String],
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    let Some(key_type) = key.key_type() else {
        return;
    };
    if key_type == KeyType::Any {
        errors.push(error(format!(
            "`{}` is an <any> key, so its values have no type to compare {} with; rules \
             compare only typed keys",
            path.join("."),
            literal.describe()
        )));
        return;
    }
    if !fits_type(literal, key_type) {
        errors.push(error(format!(
            "`{}` is {}, but it is compared with {}",
            path.join("."),
            key_type.with_article(),
            literal.describe()
        )));
        return;
    }
    if let Some(rangelist) = &key.rangelist
        && !rangelist.iter().any(|allowed| &allowed.value == literal)
    {
        errors.push(error(format!(
            "`{}` is compared with {}, which its `rangelist` does not allow",
            path.join("."),
            literal.describe()
        )));
    }
}

/// Numeric tests need numbers, and a ranking's values must be values the
/// ranked keys allow: otherwise the rule could never fire.
fn check_comparisons(
    file: &SchemaFile,
    list: KeyListId,
    overlay: &Overlay,
    condition: &ConditionSpec,
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    let key_at = |path: &[String]| {
        resolve_relative(file, list, path)
            .ok()
            .map(|key| compared_key(file, key))
    };
    match condition {
        ConditionSpec::AtLeast(path, _) | ConditionSpec::AtMost(path, _) => {
            if let Some(key) = key_at(path)
                && !matches!(key.key_type(), Some(KeyType::Integer | KeyType::Real))
            {
                errors.push(error(format!(
                    "`{}` is compared with a number, but it is {}",
                    path.join("."),
                    key.key_type()
                        .map_or("untyped".to_owned(), KeyType::with_article)
                )));
            }
        }
        ConditionSpec::RanksAtMost {
            lower,
            upper,
            ranking,
        } => {
            let Some(groups) = overlay.rankings.get(ranking) else {
                return; // reported with the ranking names
            };
            for path in [lower, upper] {
                let Some(key) = key_at(path) else { continue };
                if key.key_type() != Some(KeyType::String) {
                    errors.push(error(format!(
                        "`{}` is ranked, but only strings can be; it is {}",
                        path.join("."),
                        key.key_type()
                            .map_or("untyped".to_owned(), KeyType::with_article)
                    )));
                    continue;
                }
                let Some(rangelist) = &key.rangelist else {
                    continue;
                };
                for value in groups.iter().flatten() {
                    let allowed = rangelist
                        .iter()
                        .any(|allowed| allowed.value == Scalar::String(value.clone()));
                    if !allowed {
                        errors.push(error(format!(
                            "the ranking `{ranking}` lists `{value}`, which the `rangelist` of \
                             `{}` does not allow",
                            path.join(".")
                        )));
                    }
                }
            }
        }
        ConditionSpec::All(conditions) | ConditionSpec::Any(conditions) => {
            for inner in conditions {
                check_comparisons(file, list, overlay, inner, error, errors);
            }
        }
        ConditionSpec::Not(inner) => check_comparisons(file, list, overlay, inner, error, errors),
        _ => {}
    }
}
