//! Stage 5: find every problem in the schema before anything is built from
//! it, and report them all together: the problems of meaning found here
//! (types, containers, allowed values, defaults, bounds, duplicate keys,
//! shared types, rules), with those the earlier stages recorded (references
//! that lead nowhere, shapes with no Rust type, identifiers that clash).
//!
//! What the loader already refuses (YAML syntax, properties Apple's format
//! does not have, values of the wrong YAML type) does not reach this stage.
//! Problems that follow from others are held back until those are fixed:
//! while the schema has problems of meaning or references that lead
//! nowhere, the shapes and names built from it are not judged.

use std::collections::{BTreeMap, BTreeSet};

use crate::bind::{Bindings, BoundRule, FileId, KeyId, KeyRole};
use crate::error::SchemaError;
use crate::error::overlay_key_path;
use crate::naming::Names;
use crate::schema::{ConditionSpec, KeyListId, KeyType, Overlay, PayloadKey, Scalar, SchemaFile};
use crate::types::TypePlan;
use crate::types::{KeyShape, value_shape};

/// Every problem of the schema; an empty list means it can be lowered.
pub fn check(bindings: &Bindings, plan: &TypePlan, names: &Names) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    for file in &bindings.schema.files {
        check_file(file, &mut errors);
    }
    check_rule_codes(&bindings.schema.overlays, &mut errors);
    check_key_overlays(bindings, &mut errors);
    for binding in &bindings.files {
        if let Some(overlay) = binding.overlay {
            check_rules(bindings, binding.id, overlay, &mut errors);
        }
    }
    errors.extend(bindings.problems.iter().cloned());
    if errors.is_empty() {
        errors.extend(plan.problems.iter().cloned());
        errors.extend(names.problems.iter().cloned());
    }
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
        match &pattern.portable {
            Err(problem) => errors.push(error(format!(
                "`format` cannot be checked the same way by the validators and JSON Schema: {problem}"
            ))),
            Ok(portable) => {
                let anchored = mobileconfig_runtime::pattern::anchored(portable);
                if let Err(problem) = regex::Regex::new(&anchored) {
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
        if let (Some(min), Some(max)) = (range.bounds().min, range.bounds().max)
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
    if let (Some(range), Some(value)) = (&key.range, default.value.as_f64())
        && !range.bounds().contains(value)
    {
        let bound =
            |scalar: &Option<Scalar>| scalar.as_ref().map_or("…".to_owned(), Scalar::to_string);
        errors.push(at_default(format!(
            "`default` {value} is outside `range` {}..={}",
            bound(&range.min),
            bound(&range.max)
        )));
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

/// The allowed values and type a literal is compared with: an array's
/// element for arrays.
fn compared_key<'s>(bindings: &Bindings<'s>, key: KeyId) -> &'s PayloadKey {
    let schema_key = bindings.key(key);
    match (schema_key.key_type(), schema_key.subkeys) {
        (Some(KeyType::Array), Some(list)) => bindings.schema.files[key.file]
            .keys(list)
            .first()
            .unwrap_or(schema_key),
        _ => schema_key,
    }
}

/// Each overlay entry says only what fits its key: a fact about a field on
/// a key that is one, a string fact on a string, a type name on a key that
/// has a type of its own. Otherwise the fact would be dropped unnoticed.
fn check_key_overlays(bindings: &Bindings, errors: &mut Vec<SchemaError>) {
    for (key, entry) in bindings.key_overlays() {
        let overlay = bindings.file(key.file).overlay;
        let (file, payload) = overlay.map_or(("", ""), |overlay| {
            (overlay.path.as_str(), overlay.payload.as_str())
        });
        let schema_key = bindings.key(key);
        let name = &schema_key.key;
        let key_type = schema_key.key_type();
        let type_words = key_type.map_or("untyped".to_owned(), KeyType::with_article);
        let mut problems = Vec::new();
        let role = bindings.role(key);
        if role != KeyRole::Field {
            let standing = match role {
                KeyRole::Element => "the element of an array; say it of the array",
                _ => "the values of a dictionary of any keys; say it of the dictionary",
            };
            let field_facts = [
                ("sensitive", entry.sensitive),
                ("rust_name", entry.rust_name.is_some()),
                ("references", entry.references.is_some()),
                ("platform_range", !entry.platform_range.is_empty()),
            ];
            for (fact, given) in field_facts {
                if given {
                    problems.push(format!(
                        "`{fact}` is for a key of a dictionary; `{name}` is {standing}"
                    ));
                }
            }
        }
        let is_string = key_type == Some(KeyType::String);
        if entry.valuetype.is_some() && !is_string {
            problems.push(format!(
                "`valuetype` says what a string holds; `{name}` is {type_words}"
            ));
        }
        if entry.references.is_some() && !is_string {
            problems.push(format!(
                "`references` is for a string holding a PayloadUUID; `{name}` is {type_words}"
            ));
        }
        if !entry.platform_range.is_empty()
            && !matches!(key_type, Some(KeyType::Integer | KeyType::Real))
        {
            problems.push(format!(
                "`platform_range` bounds a number; `{name}` is {type_words}"
            ));
        }
        if entry.rust_type.is_some() && !holds_a_type(bindings, key) {
            problems.push(format!(
                "`rust_type` names the type of a dictionary with keys or of a list of allowed \
                 strings; `{name}` has no type of its own"
            ));
        }
        if !entry.rust_variants.is_empty() {
            if value_shape(bindings, key) != KeyShape::Enum {
                problems.push(format!(
                    "`rust_variants` names the variants of a list of allowed strings; `{name}` \
                     has none"
                ));
            } else {
                for value in entry.rust_variants.keys() {
                    let allowed = schema_key
                        .rangelist
                        .iter()
                        .flatten()
                        .any(|allowed| allowed.value.to_string() == *value);
                    if !allowed {
                        problems.push(format!(
                            "`rust_variants` names `{value}`, which is not an allowed value of \
                             `{name}`"
                        ));
                    }
                }
            }
        }
        for message in problems {
            errors.push(
                SchemaError::new(file, message)
                    .at_line(entry.line)
                    .at_path(&overlay_key_path(payload, &entry.path)),
            );
        }
    }
}

/// Whether a key's value is a type of its own (a struct or an enum), or an
/// array or map of one.
fn holds_a_type(bindings: &Bindings, key: KeyId) -> bool {
    let mut key = key;
    for _ in 0..MAX_CONTAINER_STEPS {
        match value_shape(bindings, key) {
            KeyShape::Struct(_) | KeyShape::Enum => return true,
            KeyShape::Array(Some(inner)) | KeyShape::Map(inner) => key = inner,
            _ => return false,
        }
    }
    false
}

/// How far [`holds_a_type`] follows arrays and maps (a recursive schema can
/// make a container its own content).
const MAX_CONTAINER_STEPS: usize = 64;

/// Rule codes identify findings: well formed, and each used once in the
/// whole crate.
fn check_rule_codes(overlays: &[Overlay], errors: &mut Vec<SchemaError>) {
    let mut codes: BTreeMap<&str, &str> = BTreeMap::new();
    for overlay in overlays {
        let mut own = BTreeSet::new();
        for rule in &overlay.rules {
            let error = |message: &str| {
                SchemaError::new(&overlay.path, format!("rule `{}`: {message}", rule.code))
                    .at_line(rule.line)
            };
            let valid_code = !rule.code.is_empty()
                && rule.code.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-')
                });
            if !valid_code {
                errors.push(error(
                    "a code is lower-case letters, digits, `.` and `-` (it is a stable identifier)",
                ));
            }
            if !own.insert(rule.code.as_str()) {
                errors.push(error("the code is used by another rule of this overlay"));
            }
            if let Some(first) = codes.insert(&rule.code, &overlay.path)
                && first != overlay.path
            {
                errors.push(error(&format!("the code is also used in {first}")));
            }
        }
    }
}

/// Each bound rule's conditions must name keys of its dictionary, compare
/// them with values they can hold, and use defined rankings.
fn check_rules(
    bindings: &Bindings,
    file: FileId,
    overlay: &Overlay,
    errors: &mut Vec<SchemaError>,
) {
    let binding = bindings.file(file);
    for bound in &binding.rules {
        let rule = bound.spec;
        let error = |message: String| {
            SchemaError::new(&overlay.path, format!("rule `{}`: {message}", rule.code))
                .at_line(rule.line)
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
            // A path that names no key is reported where it is bound.
            for (path, literals) in condition.paths() {
                let Some(key) = bound.key(path) else {
                    continue;
                };
                for literal in literals {
                    check_rule_literal(compared_key(bindings, key), literal, path, &error, errors);
                }
            }
            check_comparisons(bindings, bound, overlay, condition, &error, errors);
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
    bindings: &Bindings,
    bound: &BoundRule,
    overlay: &Overlay,
    condition: &ConditionSpec,
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    let key_at = |path: &[String]| bound.key(path).map(|key| compared_key(bindings, key));
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
                check_comparisons(bindings, bound, overlay, inner, error, errors);
            }
        }
        ConditionSpec::Not(inner) => {
            check_comparisons(bindings, bound, overlay, inner, error, errors)
        }
        _ => {}
    }
}
