//! Stage 1½: take Apple's published files as they are. Every problem of
//! meaning in a published file (see [`check::file`](crate::check::file)) is
//! resolved by the edit its finding names, and kept as a warning that says
//! what was done; the later stages then read a schema with no such problem.
//! The project's own files are not touched: their problems are errors.

use std::collections::BTreeMap;

use crate::check::file::{Edit, Repair, findings};
use crate::error::SchemaError;
use crate::schema::{KeyListId, KeyType, Schema, SchemaFile, Spanned};

/// Repairs every published file of `schema`; returns the warnings, and the
/// errors of the keys the project adds to them (which are its own).
pub fn repair(schema: &mut Schema) -> Vec<SchemaError> {
    let mut warnings = Vec::new();
    for file in schema.files.iter_mut().filter(|file| file.published) {
        let mut edits: BTreeMap<(KeyListId, usize), Vec<Edit>> = BTreeMap::new();
        for finding in findings(file) {
            if finding.project_key {
                warnings.push(finding.error);
                continue;
            }
            let resolution = finding.repair.resolution();
            warnings.push(finding.error.resolved(resolution));
            if let Repair::Edit { list, index, edit } = finding.repair {
                edits.entry((list, index)).or_default().push(edit);
            }
        }
        apply(file, edits);
    }
    warnings
}

/// Applies the edits, the ones that remove keys last and from the end, so
/// every position still names the key it was found at.
fn apply(file: &mut SchemaFile, edits: BTreeMap<(KeyListId, usize), Vec<Edit>>) {
    let mut removed_keys = Vec::new();
    for ((list, index), mut key_edits) in edits {
        let Some(key) = file
            .key_lists
            .get_mut(&list)
            .and_then(|keys| keys.get_mut(index))
        else {
            continue;
        };
        // Allowed values go from the last position down.
        key_edits.sort_by(|a, b| b.cmp(a));
        for edit in key_edits {
            match edit {
                Edit::TypeAny => {
                    let line = key.type_name.as_ref().map_or(key.line, |name| name.line);
                    key.type_name = Some(Spanned::new(KeyType::Any.name().to_owned(), line));
                }
                Edit::RemoveAllowedValue(position) => {
                    if let Some(values) = key.rangelist.as_mut()
                        && position < values.len()
                    {
                        values.remove(position);
                    }
                }
                Edit::RemoveRange => key.range = None,
                Edit::RemoveDefault => key.default = None,
                Edit::RemoveRepetition => key.repetition = None,
                Edit::RemoveFormat => key.format = None,
                Edit::RemoveSubtype => key.subtype = None,
                Edit::RemoveKey => removed_keys.push((list, index)),
            }
        }
    }
    removed_keys.sort_by(|a, b| b.cmp(a));
    for (list, index) in removed_keys {
        if let Some(keys) = file.key_lists.get_mut(&list)
            && index < keys.len()
        {
            keys.remove(index);
        }
    }
}
