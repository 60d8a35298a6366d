//! Stage 1¼: a payload Apple documents in parts. Apple describes
//! `com.apple.MCX` in several files (Accounts, Energy Saver, FileVault 2,
//! Mobility, Time Server, Wi-Fi), none named after the payload type; a real
//! payload may hold keys of any of them. Files that share a payload type,
//! none of them the main file (named as the type), are therefore one payload:
//! the parts, in file-name order, are merged into the first, which takes the
//! payload type for its name. A key two parts both describe is kept once, as
//! the first part says, with a warning when the parts disagree.
//!
//! Where a main file exists (`com.apple.extensiblesso` beside its Kerberos
//! variant), it stays the payload and the others stay modules of their own;
//! so do the project's own files.

use std::collections::BTreeMap;

use crate::conventions::FileRole;
use crate::error::SchemaError;
use crate::schema::{PayloadKey, Schema};

/// Merges each payload documented in parts; returns a note for each merge
/// and a warning for each key the parts describe differently.
pub fn merge_parts(schema: &mut Schema) -> Vec<SchemaError> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (id, file) in schema.files.iter().enumerate() {
        if FileRole::of(file) == FileRole::Payload {
            groups
                .entry(file.payload_type().to_owned())
                .or_default()
                .push(id);
        }
    }
    let mut problems = Vec::new();
    let mut merged_away = Vec::new();
    for (payload_type, mut ids) in groups {
        let has_main = ids
            .iter()
            .any(|&id| schema.files[id].stem() == payload_type);
        // The project's own files say which is the payload (an overlay's
        // `file`); only Apple's are merged.
        let published = ids.iter().all(|&id| schema.files[id].published);
        if ids.len() < 2 || has_main || !published {
            continue;
        }
        ids.sort_by(|&a, &b| schema.files[a].path.cmp(&schema.files[b].path));
        let (first, rest) = (ids[0], &ids[1..]);
        let mut titles = vec![schema.files[first].title.clone()];
        // Which part each kept key comes from.
        let mut described_in: BTreeMap<String, String> = {
            let target = &schema.files[first];
            target
                .payload_keys
                .map(|root| target.keys(root))
                .unwrap_or_default()
                .iter()
                .map(|key| (key.key.clone(), target.path.clone()))
                .collect()
        };
        for &part in rest {
            let part_file = std::mem::take(&mut schema.files[part].key_lists);
            let part_paths = std::mem::take(&mut schema.files[part].key_list_paths);
            let part_root = schema.files[part].payload_keys;
            let part_path = schema.files[part].path.clone();
            titles.push(schema.files[part].title.clone());
            let target = &mut schema.files[first];
            let Some(root) = target.payload_keys else {
                continue;
            };
            let part_keys = part_root
                .and_then(|list| part_file.get(&list))
                .cloned()
                .unwrap_or_default();
            for (list, keys) in part_file {
                if Some(list) != part_root {
                    target.key_lists.insert(list, keys);
                }
            }
            for (list, path) in part_paths {
                if Some(list) != part_root {
                    target.key_list_paths.insert(list, path);
                }
            }
            let root_keys = target.key_lists.entry(root).or_default();
            for key in part_keys {
                match root_keys.iter().find(|kept| kept.key == key.key) {
                    Some(kept) if !same_facts(kept, &key) => {
                        let kept_in = described_in.get(&key.key).cloned().unwrap_or_default();
                        problems.push(
                            SchemaError::new(
                                &part_path,
                                format!(
                                    "`{}` is described otherwise here than in {kept_in}, another \
                                     part of `{payload_type}`",
                                    key.key
                                ),
                            )
                            .at_line(key.line)
                            .at_path(&[payload_type.clone(), key.key.clone()])
                            .resolved(&format!("the description in {kept_in} is kept")),
                        );
                    }
                    Some(_) => {}
                    None => {
                        described_in.insert(key.key.clone(), part_path.clone());
                        root_keys.push(key);
                    }
                }
            }
            target.parts.push(part_path);
            merged_away.push(part);
        }
        let target = &mut schema.files[first];
        target.title = titles.join(", ");
        problems.push(
            SchemaError::new(
                &target.path,
                format!(
                    "`{payload_type}` is documented in {} files, none named after it: {}",
                    target.parts.len() + 1,
                    std::iter::once(target.path.as_str())
                        .chain(target.parts.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .resolved("they are one payload, their keys merged"),
        );
    }
    merged_away.sort_unstable();
    for id in merged_away.into_iter().rev() {
        schema.files.remove(id);
    }
    problems
}

/// Whether two descriptions of a key state the same facts.
fn same_facts(a: &PayloadKey, b: &PayloadKey) -> bool {
    a.type_name.as_ref().map(|name| &name.value) == b.type_name.as_ref().map(|name| &name.value)
        && a.presence == b.presence
        && a.allowed_values() == b.allowed_values()
        && a.default.as_ref().map(|value| &value.value)
            == b.default.as_ref().map(|value| &value.value)
        && a.range == b.range
        && a.supported_os == b.supported_os
}
