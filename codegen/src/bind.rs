//! Stage 2: bind every reference to what it refers to, once. Each overlay
//! to the schema file it amends, each overlay entry to its key, each rule to
//! the dictionary it reads, and the common payload keys to every payload's
//! dictionary. Later stages ask the [`Bindings`]; none resolves a path
//! again.
//!
//! A reference that leads nowhere is a problem recorded here and reported
//! by [`check`](crate::check) with the others.

use std::collections::{BTreeMap, BTreeSet};

use crate::conventions::{ANY_KEY, FileRole, main_file_first};
use crate::error::{SchemaError, overlay_key_path};
use crate::schema::{
    KeyListId, KeyOverlay, KeyType, Overlay, PayloadKey, RuleSpec, Schema, SchemaFile,
};

/// How deeply a key path may step through arrays of arrays (a recursive
/// schema can make an array its own element).
const MAX_ARRAY_NESTING: usize = 64;

/// Index of a file in [`Schema::files`].
pub type FileId = usize;

/// One key of one dictionary of one file: its identity in every stage after
/// loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId {
    pub file: FileId,
    pub list: KeyListId,
    /// The key's position in its list.
    pub index: usize,
}

/// A schema with its references resolved.
#[derive(Debug)]
pub struct Bindings<'s> {
    pub schema: &'s Schema,
    /// One per schema file, in the schema's order.
    pub files: Vec<FileBinding<'s>>,
    /// The file of the common payload keys, if the schema has one.
    pub common: Option<FileId>,
    key_overlays: BTreeMap<KeyId, &'s KeyOverlay>,
    /// References that lead nowhere.
    pub problems: Vec<SchemaError>,
}

/// One schema file and what refers to it.
#[derive(Debug)]
pub struct FileBinding<'s> {
    pub id: FileId,
    pub file: &'s SchemaFile,
    pub role: FileRole,
    /// The overlay that amends the file.
    pub overlay: Option<&'s Overlay>,
    /// Whether `PayloadContent` items of the file's payload type decode into
    /// it: true for the main file of each payload type.
    pub dispatched: bool,
    /// The overlay's rules, each with the dictionary it reads.
    pub rules: Vec<BoundRule<'s>>,
}

/// A rule, the dictionary (list of keys) it reads, and the key each of its
/// key paths names.
#[derive(Debug, Clone)]
pub struct BoundRule<'s> {
    pub spec: &'s RuleSpec,
    pub dictionary: KeyListId,
    /// Every path of its conditions and its `at`, resolved.
    keys: BTreeMap<Vec<String>, KeyId>,
}

impl BoundRule<'_> {
    /// The key a path of the rule names.
    pub fn key(&self, path: &[String]) -> Option<KeyId> {
        self.keys.get(path).copied()
    }
}

/// Where a key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// A key of a dictionary: a field.
    Field,
    /// The element of an array.
    Element,
    /// The values of a dictionary of any keys (`ANY`).
    MapValue,
}

impl<'s> Bindings<'s> {
    /// Binds every reference of `schema`.
    pub fn bind(schema: &'s Schema) -> Self {
        let mut problems = Vec::new();
        let common = schema
            .files
            .iter()
            .position(|file| FileRole::of(file) == FileRole::CommonKeys);
        let mut files: Vec<FileBinding<'s>> = schema
            .files
            .iter()
            .enumerate()
            .map(|(id, file)| FileBinding {
                id,
                file,
                role: FileRole::of(file),
                overlay: None,
                dispatched: false,
                rules: Vec::new(),
            })
            .collect();
        // The main file of each payload type is the one payloads decode into.
        let mut by_main_first: Vec<&FileBinding> = files
            .iter()
            .filter(|binding| binding.role == FileRole::Payload)
            .collect();
        by_main_first.sort_by_key(|binding| main_file_first(binding.file));
        let mut seen_types = BTreeSet::new();
        let dispatched: Vec<FileId> = by_main_first
            .into_iter()
            .filter(|binding| seen_types.insert(binding.file.payload_type()))
            .map(|binding| binding.id)
            .collect();
        for id in dispatched {
            files[id].dispatched = true;
        }
        let mut key_overlays = BTreeMap::new();
        for overlay in &schema.overlays {
            let Some(target) = overlay_target(schema, overlay) else {
                problems.push(no_target(overlay));
                continue;
            };
            let binding = &mut files[target];
            if binding.overlay.is_some() {
                problems.push(
                    SchemaError::new(
                        &overlay.path,
                        format!(
                            "a second overlay for `{}`; keep one overlay per schema file",
                            binding.file.path
                        ),
                    )
                    .at_line(overlay.line),
                );
                continue;
            }
            binding.overlay = Some(overlay);
            let file = binding.file;
            for entry in &overlay.keys {
                match resolve_path(file, &entry.path) {
                    Ok((list, index)) => {
                        let key = KeyId {
                            file: target,
                            list,
                            index,
                        };
                        if let Some(first) = key_overlays.insert(key, entry) {
                            key_overlays.insert(key, first);
                            problems.push(
                                SchemaError::new(
                                    &overlay.path,
                                    format!(
                                        "the key already has an entry, at line {}; keep one \
                                         entry per key",
                                        first.line
                                    ),
                                )
                                .at_line(entry.line)
                                .at_path(&overlay_key_path(&overlay.payload, &entry.path)),
                            );
                        }
                    }
                    Err(message) => problems.push(
                        SchemaError::new(&overlay.path, message)
                            .at_line(entry.line)
                            .at_path(&overlay_key_path(&overlay.payload, &entry.path)),
                    ),
                }
            }
            for spec in &overlay.rules {
                match dictionary_at(file, &spec.within) {
                    Ok(dictionary) => binding.rules.push(BoundRule {
                        spec,
                        dictionary,
                        keys: BTreeMap::new(),
                    }),
                    Err(message) => problems.push(
                        SchemaError::new(
                            &overlay.path,
                            format!("rule `{}`: `within`: {message}", spec.code),
                        )
                        .at_line(spec.line),
                    ),
                }
            }
        }
        let mut bindings = Bindings {
            schema,
            files,
            common,
            key_overlays,
            problems,
        };
        bindings.resolve_rule_paths();
        bindings
    }

    /// Resolves the key paths of every bound rule, within its dictionary.
    fn resolve_rule_paths(&mut self) {
        let mut resolved = Vec::new();
        for binding in &self.files {
            for (index, rule) in binding.rules.iter().enumerate() {
                let spec = rule.spec;
                let mut paths: Vec<&[String]> = Vec::new();
                for condition in spec.when.iter().chain(std::iter::once(&spec.check)) {
                    paths.extend(condition.paths().into_iter().map(|(path, _)| path));
                }
                let mut keys = BTreeMap::new();
                let mut problems = Vec::new();
                for path in paths {
                    match self.resolve_in_dictionary(binding.id, rule.dictionary, path) {
                        Ok(key) => {
                            keys.insert(path.to_vec(), key);
                        }
                        Err(message) => problems.push(message),
                    }
                }
                if !spec.at.is_empty() {
                    match self.resolve_in_dictionary(binding.id, rule.dictionary, &spec.at) {
                        Ok(key) => {
                            keys.insert(spec.at.clone(), key);
                        }
                        Err(message) => problems.push(format!("`at`: {message}")),
                    }
                }
                let overlay_path = binding.overlay.map_or("", |overlay| overlay.path.as_str());
                let problems: Vec<SchemaError> = problems
                    .into_iter()
                    .map(|message| {
                        SchemaError::new(overlay_path, format!("rule `{}`: {message}", spec.code))
                            .at_line(spec.line)
                    })
                    .collect();
                resolved.push((binding.id, index, keys, problems));
            }
        }
        for (file, index, keys, problems) in resolved {
            self.files[file].rules[index].keys = keys;
            self.problems.extend(problems);
        }
    }

    /// The key at `path` below the dictionary `list` of `file`, through
    /// dictionaries; a payload's own dictionary includes the common keys.
    fn resolve_in_dictionary(
        &self,
        file: FileId,
        list: KeyListId,
        path: &[String],
    ) -> Result<KeyId, String> {
        let (first, rest) = path
            .split_first()
            .ok_or_else(|| "an empty key path".to_owned())?;
        let mut found = self
            .named_keys(file, list)
            .into_iter()
            .find(|&key| self.key(key).key == *first)
            .ok_or_else(|| format!("there is no key `{first}`"))?;
        for (depth, name) in rest.iter().enumerate() {
            let parent = self.key(found);
            let sublist = match (parent.key_type(), parent.subkeys) {
                (Some(KeyType::Dictionary), Some(sublist)) => sublist,
                _ => {
                    return Err(format!(
                        "`{}` is not a dictionary, so it has no key `{name}`",
                        path[..=depth].join(".")
                    ));
                }
            };
            found = self
                .named_keys(found.file, sublist)
                .into_iter()
                .find(|&key| self.key(key).key == *name)
                .ok_or_else(|| format!("there is no key `{}`", path[..=depth + 1].join(".")))?;
        }
        Ok(found)
    }

    /// Every overlay entry bound to a key.
    pub fn key_overlays(&self) -> impl Iterator<Item = (KeyId, &'s KeyOverlay)> + '_ {
        self.key_overlays
            .iter()
            .map(|(key, overlay)| (*key, *overlay))
    }

    /// Where a key stands: a dictionary's key, an array's element, or the
    /// values of a dictionary of any keys.
    pub fn role(&self, key: KeyId) -> KeyRole {
        let file = &self.schema.files[key.file];
        if self.key(key).key == ANY_KEY {
            return KeyRole::MapValue;
        }
        let is_element = file.key_lists.values().flatten().any(|parent| {
            parent.subkeys == Some(key.list) && parent.key_type() == Some(KeyType::Array)
        });
        if is_element {
            KeyRole::Element
        } else {
            KeyRole::Field
        }
    }

    pub fn file(&self, id: FileId) -> &FileBinding<'s> {
        &self.files[id]
    }

    pub fn key(&self, id: KeyId) -> &'s PayloadKey {
        &self.schema.files[id.file].keys(id.list)[id.index]
    }

    /// The overlay entry for a key, if its file's overlay has one.
    pub fn key_overlay(&self, id: KeyId) -> Option<&'s KeyOverlay> {
        self.key_overlays.get(&id).copied()
    }

    /// The named keys of a dictionary (not `ANY`), in schema order. A
    /// payload's own dictionary starts with the common payload keys it does
    /// not define itself: the payload's definition of a key wins.
    pub fn named_keys(&self, file: FileId, list: KeyListId) -> Vec<KeyId> {
        let binding = &self.files[file];
        let own = keys_of(file, list, binding.file);
        let opens_with_common = binding.role == FileRole::Payload
            && Some(list) == binding.file.payload_keys
            && self.common.is_some_and(|common| common != file);
        let (Some(common), true) = (self.common, opens_with_common) else {
            return own;
        };
        let common_file = self.files[common].file;
        let defined: BTreeSet<&str> = own.iter().map(|&id| self.key(id).key.as_str()).collect();
        let mut keys: Vec<KeyId> = common_file
            .payload_keys
            .map(|list| keys_of(common, list, common_file))
            .unwrap_or_default()
            .into_iter()
            .filter(|&id| !defined.contains(self.key(id).key.as_str()))
            .collect();
        keys.extend(own);
        keys
    }

    /// Whether a key comes from the common payload keys.
    pub fn is_common(&self, id: KeyId) -> bool {
        Some(id.file) == self.common
    }
}

fn keys_of(file_id: FileId, list: KeyListId, file: &SchemaFile) -> Vec<KeyId> {
    file.keys(list)
        .iter()
        .enumerate()
        .filter(|(_, key)| key.key != ANY_KEY)
        .map(|(index, _)| KeyId {
            file: file_id,
            list,
            index,
        })
        .collect()
}

pub fn no_target(overlay: &Overlay) -> SchemaError {
    let message = match &overlay.file {
        Some(name) => format!(
            "the overlay names `file: {name}` with payload `{}`, but no schema file has that \
             name and payload type",
            overlay.payload
        ),
        None => format!(
            "the overlay is for payload `{}`, which no schema file defines",
            overlay.payload
        ),
    };
    SchemaError::new(&overlay.path, message).at_line(overlay.line)
}

/// The schema file an overlay applies to: the one it names with `file`, or
/// else the main file of its payload type.
pub fn overlay_target(schema: &Schema, overlay: &Overlay) -> Option<FileId> {
    schema
        .files
        .iter()
        .enumerate()
        .filter(|(_, file)| file.payload_type() == overlay.payload)
        .filter(|(_, file)| overlay.file.as_ref().is_none_or(|name| &file.path == name))
        .min_by_key(|(_, file)| main_file_first(file))
        .map(|(id, _)| id)
}

/// Finds the key an overlay path names, as its list and position. Array
/// elements are stepped through without naming them:
/// `[IKEv2, OnDemandRules, Action]`.
pub fn resolve_path(file: &SchemaFile, path: &[String]) -> Result<(KeyListId, usize), String> {
    let mut list = file.payload_keys.ok_or("the payload has no keys")?;
    let mut found: Option<(KeyListId, usize)> = None;
    for (depth, name) in path.iter().enumerate() {
        if let Some((parent_list, parent)) = found {
            let parent = &file.keys(parent_list)[parent];
            list = element_subkeys(file, parent).ok_or_else(|| {
                format!(
                    "`{}` has no subkeys, so it has no key `{name}`",
                    path[..depth].join(" › ")
                )
            })?;
        }
        let index = file
            .keys(list)
            .iter()
            .position(|key| &key.key == name)
            .ok_or_else(|| {
                let where_ = if depth == 0 {
                    format!("payload `{}`", file.payload_type())
                } else {
                    format!("`{}`", path[..depth].join(" › "))
                };
                format!("the overlay names the key `{name}`, which {where_} does not have")
            })?;
        found = Some((list, index));
    }
    found.ok_or_else(|| "the overlay path is empty".to_owned())
}

/// The keys inside a dictionary, or inside an array's dictionary elements
/// (through arrays of arrays too).
fn element_subkeys(file: &SchemaFile, key: &PayloadKey) -> Option<KeyListId> {
    let mut key = key;
    // Bounded: a recursive schema can make an array its own element.
    for _ in 0..MAX_ARRAY_NESTING {
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

/// The list of keys at `within`: the payload's own dictionary for an empty
/// path, else the dictionary (or array of dictionaries) there. What a rule
/// reads and what an overlay adds to.
pub fn dictionary_at(file: &SchemaFile, within: &[String]) -> Result<KeyListId, String> {
    if within.is_empty() {
        return file
            .payload_keys
            .ok_or_else(|| "the payload has no keys".to_owned());
    }
    let (list, index) = resolve_path(file, within)?;
    let key = &file.keys(list)[index];
    let not_a_dictionary = || format!("`{}` is not a dictionary with keys", within.join(" › "));
    let list = element_subkeys(file, key)
        .filter(|list| file.keys(*list).iter().any(|key| key.key != ANY_KEY))
        .ok_or_else(not_a_dictionary)?;
    // An array's elements must be dictionaries (through arrays of arrays):
    // the list found for an array of strings is its element's.
    let mut element = key;
    for _ in 0..MAX_ARRAY_NESTING {
        if element.key_type() != Some(KeyType::Array) {
            break;
        }
        match element.subkeys.and_then(|items| file.keys(items).first()) {
            Some(item) => element = item,
            None => return Err(not_a_dictionary()),
        }
    }
    if element.subkeys.is_none() || element.key_type() == Some(KeyType::Array) {
        return Err(not_a_dictionary());
    }
    Ok(list)
}
