//! Problems of meaning in one Apple-format file: types, containers, allowed
//! values, defaults, bounds, duplicate keys, shared shapes. Each comes with
//! the repair a published file gets ([`Repair`]): in the project's files the
//! problem is an error; in Apple's, [`repair`](crate::repair) makes the edit
//! and keeps the problem as a warning that says what was done.

use std::collections::{BTreeMap, BTreeSet};

use crate::conventions::{DECLARATION_PAYLOAD_KEY, FileRole};
use crate::error::SchemaError;
use crate::schema::{KeyListId, KeyType, PayloadKey, Scalar, SchemaFile};

/// One problem and how a published file's is resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub error: SchemaError,
    pub repair: Repair,
    /// The key is the project's (an overlay adds it): never repaired.
    pub project_key: bool,
}

/// How a problem in a published file is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// No edit: the later stages read the record as it is, as the text says.
    AsIs(&'static str),
    /// An edit of one key's record.
    Edit {
        list: KeyListId,
        index: usize,
        edit: Edit,
    },
}

/// An edit of a key's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edit {
    /// Its type is unknown: it holds any value.
    TypeAny,
    /// One of its `rangelist` values (by position) is left out.
    RemoveAllowedValue(usize),
    RemoveRange,
    RemoveDefault,
    RemoveRepetition,
    RemoveFormat,
    RemoveSubtype,
    /// A second definition of a key is left out; the first stands.
    RemoveKey,
}

impl Edit {
    /// What the edit does, for the warning.
    pub fn resolution(self) -> &'static str {
        match self {
            Edit::TypeAny => "the key's value is taken as any value",
            Edit::RemoveAllowedValue(_) => "the value is left out of the allowed values",
            Edit::RemoveRange => "the range is left out",
            Edit::RemoveDefault => "the default is left out",
            Edit::RemoveRepetition => "the item count is left out",
            Edit::RemoveFormat => "the pattern is left out",
            Edit::RemoveSubtype => "the subtype is left out",
            Edit::RemoveKey => "the first definition stands, this one is left out",
        }
    }
}

impl Repair {
    pub fn resolution(self) -> &'static str {
        match self {
            Repair::AsIs(resolution) => resolution,
            Repair::Edit { edit, .. } => edit.resolution(),
        }
    }
}

/// Every problem of meaning in `file`.
pub fn findings(file: &SchemaFile) -> Vec<Finding> {
    let mut out = Vec::new();
    // Shapes named by each subkeytype, to find one name used for two shapes.
    let mut subkeytypes: BTreeMap<&str, (KeyListId, Vec<String>)> = BTreeMap::new();
    for (list, keys) in &file.key_lists {
        let path = &file.key_list_paths[list];
        let mut seen = BTreeSet::new();
        for (index, key) in keys.iter().enumerate() {
            let mut key_path = path.clone();
            key_path.push(key.key.clone());
            let mut at = At {
                file,
                key,
                path: &key_path,
                list: *list,
                index,
                out: &mut out,
            };
            if !seen.insert(key.key.as_str()) {
                at.edit(
                    format!("the key `{}` is defined twice in this dictionary", key.key),
                    None,
                    Edit::RemoveKey,
                );
            }
            // The declaration envelope's `Payload` is any declaration's:
            // its keys are its `Type`'s.
            let envelope_payload = FileRole::of(file) == FileRole::DeclarationEnvelope
                && Some(*list) == file.payload_keys
                && key.key == DECLARATION_PAYLOAD_KEY;
            if !envelope_payload {
                check_key(&mut at);
            }
            if let Some(sublist) = key.subkeys {
                let count = file.keys(sublist).len();
                match key.key_type() {
                    Some(KeyType::Array) if count != 1 => at.as_is(
                        format!(
                            "an <array> lists its one item type in `subkeys`; this one has \
                             {count}"
                        ),
                        "the first describes the items",
                    ),
                    Some(KeyType::Dictionary) if count == 0 => at.as_is(
                        "a <dictionary> needs at least one key in `subkeys`".to_owned(),
                        "the dictionary's keys are not described",
                    ),
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
                            at.as_is(
                                format!(
                                    "subkeytype `{name}` names a different shape here than at \
                                     {}; a subkeytype must name one shape (reuse it with a \
                                     YAML alias)",
                                    first_path.join(" › ")
                                ),
                                "each shape gets a type of its own",
                            );
                        }
                    }
                }
            }
        }
    }
    out
}

/// A key being checked, and where its findings go.
struct At<'a, 'f> {
    file: &'f SchemaFile,
    key: &'f PayloadKey,
    path: &'a [String],
    list: KeyListId,
    index: usize,
    out: &'a mut Vec<Finding>,
}

impl At<'_, '_> {
    /// A problem of the key, in the file it is written in: the schema file,
    /// or the overlay that adds it.
    fn error(&self, message: String, line: Option<usize>) -> SchemaError {
        let file = self.key.added_by.as_deref().unwrap_or(&self.file.path);
        SchemaError::new(file, message)
            .at_line(line.unwrap_or(self.key.line))
            .at_path(self.path)
    }

    /// A problem resolved by an edit of the key.
    fn edit(&mut self, message: String, line: Option<usize>, edit: Edit) {
        let error = self.error(message, line);
        self.out.push(Finding {
            error,
            repair: Repair::Edit {
                list: self.list,
                index: self.index,
                edit,
            },
            project_key: self.key.added_by.is_some(),
        });
    }

    /// A problem the later stages resolve by reading the key as it is.
    fn as_is(&mut self, message: String, resolution: &'static str) {
        let error = self.error(message, None);
        self.out.push(Finding {
            error,
            repair: Repair::AsIs(resolution),
            project_key: self.key.added_by.is_some(),
        });
    }
}

fn check_key(at: &mut At) {
    let key = at.key;
    let Some(type_name) = &key.type_name else {
        return; // reported by the loader
    };
    let Some(key_type) = key.key_type() else {
        at.edit(
            format!(
                "unknown type `{}`; Apple's format allows: {}",
                type_name.value,
                KeyType::NAMES.join(", ")
            ),
            Some(type_name.line),
            Edit::TypeAny,
        );
        return;
    };
    match (key_type.is_container(), key.subkeys) {
        (true, None) => at.as_is(
            format!(
                "{} needs `subkeys` describing its contents",
                key_type.with_article()
            ),
            "its contents are taken as any value",
        ),
        (false, Some(_)) => at.as_is(
            format!(
                "`subkeys` is only for <array> and <dictionary>, not {}",
                key_type.name()
            ),
            "the subkeys are not used",
        ),
        _ => {}
    }
    check_allowed_values(at, key_type);
    // Apple writes `repetition` on an array or on its element; either way it
    // counts the array's items.
    if let Some(repetition) = key.repetition
        && (repetition.min < 0 || repetition.min > repetition.max)
    {
        at.edit(
            format!(
                "`repetition` min {} and max {} do not make a range",
                repetition.min, repetition.max
            ),
            None,
            Edit::RemoveRepetition,
        );
    }
    // The validators and the JSON Schemas match `format` against whole
    // strings; the pattern must mean the same to both, and compile.
    if let Some(pattern) = &key.format {
        match &pattern.portable {
            Err(problem) => at.edit(
                format!(
                    "`format` cannot be checked the same way by the validators and JSON \
                     Schema: {problem}"
                ),
                None,
                Edit::RemoveFormat,
            ),
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
                    at.edit(
                        format!(
                            "`format` is not a regular expression the validators can use: \
                             {problem}"
                        ),
                        None,
                        Edit::RemoveFormat,
                    );
                }
            }
        }
    }
    if key.subtype.is_some() && key_type != KeyType::String {
        at.edit(
            format!("`subtype` is only for <string>, not {}", key_type.name()),
            None,
            Edit::RemoveSubtype,
        );
    }
}

/// What makes two allowed values the same (as `==` on [`Scalar`] says): the
/// value's `Debug` form, which tells every two distinct numbers apart, with
/// the two zeros one real; `None` for a NaN, which repeats nothing.
fn repeat_key(value: &Scalar) -> Option<String> {
    match value {
        Scalar::Real(real) if real.is_nan() => None,
        Scalar::Real(real) if *real == 0.0 => Some(format!("{:?}", Scalar::Real(0.0))),
        other => Some(format!("{other:?}")),
    }
}

/// `rangelist`, `range` and `default` must fit the key's type and each other.
fn check_allowed_values(at: &mut At, key_type: KeyType) {
    let key = at.key;
    if let Some(rangelist) = &key.rangelist {
        // The values so far, by `repeat_key`: one pass, however long the
        // list.
        let mut seen = BTreeSet::new();
        for (position, value) in rangelist.iter().enumerate() {
            if !fits_type(&value.value, key_type) {
                at.edit(
                    format!(
                        "`rangelist` holds {}, which is not {} value",
                        value.value.describe(),
                        key_type.with_article()
                    ),
                    Some(value.line),
                    Edit::RemoveAllowedValue(position),
                );
            } else if let Some(key) = repeat_key(&value.value)
                && !seen.insert(key)
            {
                at.edit(
                    format!("`rangelist` lists {} twice", value.value.describe()),
                    Some(value.line),
                    Edit::RemoveAllowedValue(position),
                );
            }
        }
    }
    if let Some(range) = &key.range {
        if !matches!(key_type, KeyType::Integer | KeyType::Real) {
            at.edit(
                format!(
                    "`range` is only for <integer> and <real>, not {}",
                    key_type.name()
                ),
                None,
                Edit::RemoveRange,
            );
        } else if let (Some(min), Some(max)) = (range.bounds().min, range.bounds().max)
            && min > max
        {
            at.edit(
                format!("`range` min {min} is greater than max {max}"),
                None,
                Edit::RemoveRange,
            );
        }
    }
    let Some(default) = &key.default else {
        return;
    };
    if key_type.is_container() || matches!(key_type, KeyType::Data | KeyType::Date) {
        // Apple writes descriptive defaults for these; nothing to compare.
        return;
    }
    let line = Some(default.line);
    if !fits_type(&default.value, key_type) && key_type != KeyType::Any {
        at.edit(
            format!(
                "`default` is {}, which is not {} value",
                default.value.describe(),
                key_type.with_article()
            ),
            line,
            Edit::RemoveDefault,
        );
        return;
    }
    if let Some(rangelist) = &key.rangelist
        && !rangelist
            .iter()
            .any(|allowed| allowed.value == default.value)
    {
        let allowed: Vec<String> = rangelist.iter().map(|v| v.value.to_string()).collect();
        at.edit(
            format!(
                "`default` {} is not in `rangelist` ({})",
                default.value,
                allowed.join(", ")
            ),
            line,
            Edit::RemoveDefault,
        );
        return;
    }
    if let (Some(range), Some(value)) = (&key.range, default.value.as_f64())
        && !range.bounds().contains(value)
    {
        let bound =
            |scalar: &Option<Scalar>| scalar.as_ref().map_or("…".to_owned(), Scalar::to_string);
        at.edit(
            format!(
                "`default` {value} is outside `range` {}..={}",
                bound(&range.min),
                bound(&range.max)
            ),
            line,
            Edit::RemoveDefault,
        );
    }
}

/// Whether a YAML value can stand for a value of `key_type`.
pub fn fits_type(value: &Scalar, key_type: KeyType) -> bool {
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
