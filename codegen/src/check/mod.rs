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

pub mod file;

use std::collections::{BTreeMap, BTreeSet};

use crate::bind::{Bindings, BoundRule, FileId, KeyId, KeyRole};
use crate::error::SchemaError;
use crate::error::overlay_key_path;
use crate::naming::Names;
use crate::schema::{ConditionSpec, ContentsSpec, KeyType, Overlay, PayloadKey, Scalar};
use crate::types::TypePlan;
use crate::types::{KeyShape, value_shape};

/// Every problem of the schema; an empty list means it can be lowered.
pub fn check(bindings: &Bindings, plan: &TypePlan, names: &Names) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    // Apple's published files were repaired, with warnings, before binding.
    for file in bindings.schema.files.iter().filter(|file| !file.published) {
        errors.extend(
            file::findings(file)
                .into_iter()
                .map(|finding| finding.error),
        );
    }
    check_rule_codes(&bindings.schema.overlays, &mut errors);
    check_key_overlays(bindings, &mut errors);
    for binding in &bindings.files {
        if let Some(overlay) = binding.overlay {
            check_rules(bindings, binding.id, overlay, &mut errors);
        }
    }
    errors.extend(bindings.problems.iter().cloned());
    if !errors.iter().any(SchemaError::is_error) {
        errors.extend(plan.problems.iter().cloned());
        errors.extend(names.problems.iter().cloned());
    }
    errors
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
                ("tolerated", entry.tolerated.is_some()),
                ("platform_values", !entry.platform_values.is_empty()),
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
        let strings = match value_shape(bindings, key) {
            KeyShape::Array(Some(item)) => bindings.key(item).key_type() == Some(KeyType::String),
            _ => false,
        };
        if entry.references.is_some() && !is_string && !strings {
            problems.push(format!(
                "`references` is for a string (or an array of strings) holding a PayloadUUID; \
                 `{name}` is {type_words}"
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
        if let Some(types) = &entry.references {
            if types.is_empty() {
                problems.push("`references` lists no payload type".to_owned());
            }
            for kind in types {
                let known = bindings
                    .schema
                    .files
                    .iter()
                    .any(|file| file.payload_type() == kind);
                if !known {
                    problems.push(format!(
                        "`references` names `{kind}`, which no schema file has as its payload type"
                    ));
                }
            }
        }
        if let Some(contents) = &entry.contents {
            if key_type != Some(KeyType::Data) {
                problems.push(format!(
                    "`contents` says what a <data> key holds; `{name}` is {type_words}"
                ));
            }
            if let ContentsSpec::Pkcs12 {
                password: Some(password),
            } = contents
            {
                let sibling = bindings
                    .named_keys(key.file, key.list)
                    .into_iter()
                    .map(|sibling| bindings.key(sibling))
                    .find(|sibling| &sibling.key == password);
                match sibling {
                    None => problems.push(format!(
                        "`contents` takes the password from `{password}`, which is not a key \
                         beside `{name}`"
                    )),
                    Some(sibling) if sibling.key_type() != Some(KeyType::String) => {
                        problems.push(format!(
                            "`contents` takes the password from `{password}`, which is not a \
                             <string>"
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        for (platform, values) in &entry.platform_values {
            for value in values {
                let described = value.describe();
                let fits = key_type.is_none_or(|key_type| file::fits_type(value, key_type));
                let listed = schema_key
                    .rangelist
                    .as_ref()
                    .is_none_or(|list| list.iter().any(|allowed| &allowed.value == value));
                if !fits || !listed {
                    problems.push(format!(
                        "`platform_values` of {} lists {described}, which `{name}` cannot hold",
                        platform.name()
                    ));
                }
            }
        }
        for retired in &entry.retired_values {
            let value = retired.value.describe();
            if let Some(key_type) = key_type
                && !file::fits_type(&retired.value, key_type)
            {
                problems.push(format!(
                    "`retired_values` lists {value}, but `{name}` is {type_words}"
                ));
            }
            let still_allowed = schema_key
                .rangelist
                .iter()
                .flatten()
                .any(|allowed| allowed.value == retired.value);
            if still_allowed {
                problems.push(format!(
                    "`retired_values` lists {value}, which the `rangelist` of `{name}` still allows"
                ));
            }
            if retired.source.trim().is_empty() {
                problems.push("a retired value needs a `source`".to_owned());
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
        check_message(bindings, bound, &error, errors);
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

/// A message may name the value a check blames (`{key}`, `{value}`), but
/// never show a secret.
fn check_message(
    bindings: &Bindings,
    bound: &BoundRule,
    error: &dyn Fn(String) -> SchemaError,
    errors: &mut Vec<SchemaError>,
) {
    let rule = bound.spec;
    let mut rest = rule.message.as_str();
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let name = after.split_once('}').map(|(name, _)| name);
        match name {
            Some("key" | "value") => {}
            Some(other) => errors.push(error(format!(
                "the message uses `{{{other}}}`; a message can name `{{key}}` (the key that \
                 failed) and `{{value}}` (its value)"
            ))),
            None => errors.push(error("the message has a `{` without its `}`".to_owned())),
        }
        rest = after;
    }
    if rule.message.contains("{value}") {
        let secret = rule
            .check
            .paths()
            .into_iter()
            .filter_map(|(path, _)| bound.key(path))
            .find(|key| {
                bindings
                    .key_overlay(*key)
                    .is_some_and(|overlay| overlay.sensitive)
            });
        if let Some(key) = secret {
            errors.push(error(format!(
                "the message shows `{{value}}`, and `{}` is sensitive: its value is never shown",
                bindings.key(key).key
            )));
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
    if !file::fits_type(literal, key_type) {
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
