//! Reads one Apple-format schema file (the `apple/device-management` YAML)
//! into typed records, reporting every property that does not fit the format.
//!
//! Lists of payload keys are keyed by the YAML node they come from, so a list
//! shared through an anchor is read once and a recursive one is read at all.

use std::collections::BTreeMap;

use super::yaml::{Document, MappingEntry, NodeId, NodeKind};
use crate::error::SchemaError;
use crate::schema::{
    Availability, Correction, FileKind, Introduced, KeyListId, KeysRead, PatternSpec, PayloadKey,
    Platform, Presence, Range, Repetition, Scalar, SchemaFile, Spanned,
};

const FILE_PROPERTIES: &[&str] = &[
    "title",
    "description",
    "payload",
    "payloadkeys",
    "responsekeys",
    "reasons",
    "related-status-items",
    "notes",
];
const PAYLOAD_PROPERTIES: &[&str] = &[
    "payloadtype",
    "requesttype",
    "declarationtype",
    "statusitemtype",
    "credentialtype",
    "supportedOS",
    "apply",
    "beta",
    "content",
];
const KEY_PROPERTIES: &[&str] = &[
    "key",
    "title",
    "supportedOS",
    "type",
    "subtype",
    "assettypes",
    "presence",
    "rangelist",
    "range",
    "default",
    "format",
    "repetition",
    "combinetype",
    "content",
    "subkeytype",
    "subkeys",
];
const OS_PROPERTIES: &[&str] = &[
    "introduced",
    "deprecated",
    "removed",
    "accessrights",
    "multiple",
    "devicechannel",
    "userchannel",
    "supervised",
    "requiresdep",
    "userapprovedmdm",
    "allowmanualinstall",
    "allowed-enrollments",
    "allowed-scopes",
    "sharedipad",
    "userenrollment",
    "always-skippable",
    "beta",
];

/// Reads `document` (the parsed text of `file`) as an Apple-format schema.
/// Returns the file as far as it could be read (`None` when it describes no
/// payload or declaration), and every problem found: errors in the
/// project's files, resolved warnings in Apple's published ones.
pub fn read_schema_file(
    file: &str,
    document: &Document,
    base: usize,
    published: bool,
) -> (Option<SchemaFile>, Vec<SchemaError>) {
    let mut reader = Reader {
        file,
        added_by: None,
        document,
        base,
        published,
        errors: Vec::new(),
    };
    let schema = reader.read_file();
    (schema, reader.errors)
}

/// The properties an overlay's `facts` may give for a key, and for a
/// payload.
pub const KEY_CORRECTIONS: &[&str] = &[
    "source",
    "supportedOS",
    "presence",
    "range",
    "rangelist",
    "default",
    "format",
    "subkeys",
];
pub const PAYLOAD_CORRECTIONS: &[&str] = &["source", "supportedOS"];

/// Reads an overlay's `facts` at `node` of `document` (the project's
/// `file`): the properties in `allowed`, and the required `source`.
pub fn read_correction(
    file: &str,
    document: &Document,
    base: usize,
    node: NodeId,
    path: &[String],
    allowed: &[&str],
) -> (Correction, Vec<SchemaError>) {
    let mut reader = Reader::for_overlay(file, document, base);
    let correction = reader.read_correction(node, path, allowed);
    (correction, reader.errors)
}

/// Reads the list of Apple-format keys at `node` of `document` (part of the
/// project's `file`), named from `path`.
pub fn read_keys(
    file: &str,
    document: &Document,
    base: usize,
    node: NodeId,
    path: Vec<String>,
) -> (KeysRead, Vec<SchemaError>) {
    let mut reader = Reader::for_overlay(file, document, base);
    let read = reader.read_keys_at(node, path);
    (read, reader.errors)
}

struct Reader<'a> {
    file: &'a str,
    /// Set when the keys are the project's additions (an overlay's `add`).
    added_by: Option<&'a str>,
    document: &'a Document,
    /// Added to node ids to make list ids unique across documents.
    base: usize,
    /// Apple's published file: problems are resolved as `resolution` says.
    published: bool,
    errors: Vec<SchemaError>,
}

/// How the reader resolves a value it cannot use, in a published file.
const LEFT_OUT: &str = "it is left out";

impl<'a> Reader<'a> {
    /// A reader of Apple-format material in the project's overlay `file`:
    /// held to the strict check, its keys marked as the project's.
    fn for_overlay(file: &'a str, document: &'a Document, base: usize) -> Self {
        Reader {
            file,
            added_by: Some(file),
            document,
            base,
            published: false,
            errors: Vec::new(),
        }
    }

    /// The id of the list of keys at `node`: unique across every document
    /// of the schema.
    fn list_id(&self, node: NodeId) -> KeyListId {
        KeyListId(self.base + node)
    }

    /// The node a list id names.
    fn node_of(&self, list: KeyListId) -> NodeId {
        list.0 - self.base
    }

    fn error(
        &mut self,
        line: usize,
        path: &[String],
        message: impl Into<String>,
        resolution: &str,
    ) {
        self.errors.push(
            SchemaError::new(self.file, message)
                .at_line(line)
                .at_path(path)
                .resolved_if(self.published, resolution),
        );
    }

    fn line(&self, id: NodeId) -> usize {
        self.document.node(id).line
    }

    /// The entries of a mapping node, or an error naming what was expected.
    fn mapping(&mut self, id: NodeId, path: &[String], what: &str) -> Vec<MappingEntry> {
        match &self.document.node(id).kind {
            NodeKind::Mapping(entries) => entries.clone(),
            _ => {
                self.error(
                    self.line(id),
                    path,
                    format!("{what} must be a mapping"),
                    LEFT_OUT,
                );
                Vec::new()
            }
        }
    }

    fn sequence(&mut self, id: NodeId, path: &[String], what: &str) -> Option<Vec<NodeId>> {
        match &self.document.node(id).kind {
            NodeKind::Sequence(items) => Some(items.clone()),
            _ => {
                self.error(
                    self.line(id),
                    path,
                    format!("`{what}` must be a list"),
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn scalar(&mut self, id: NodeId, path: &[String], what: &str) -> Option<Scalar> {
        match &self.document.node(id).kind {
            NodeKind::Scalar { text, plain } => Some(Scalar::from_yaml(text, *plain)),
            _ => {
                self.error(
                    self.line(id),
                    path,
                    format!("`{what}` must be a single value"),
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn string(&mut self, id: NodeId, path: &[String], what: &str) -> Option<String> {
        match self.scalar(id, path, what)? {
            Scalar::String(text) => Some(text),
            other => {
                self.error(
                    self.line(id),
                    path,
                    format!("`{what}` must be a string, found {}", other.describe()),
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn boolean(&mut self, id: NodeId, path: &[String], what: &str) -> Option<bool> {
        match self.scalar(id, path, what)? {
            Scalar::Boolean(value) => Some(value),
            other => {
                self.error(
                    self.line(id),
                    path,
                    format!("`{what}` must be true or false, found {}", other.describe()),
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn integer(&mut self, id: NodeId, path: &[String], what: &str) -> Option<i64> {
        match self.scalar(id, path, what)? {
            Scalar::Integer(value) => Some(value),
            other => {
                self.error(
                    self.line(id),
                    path,
                    format!("`{what}` must be an integer, found {}", other.describe()),
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn number(&mut self, id: NodeId, path: &[String], what: &str) -> Option<Scalar> {
        match self.scalar(id, path, what)? {
            number @ (Scalar::Integer(_) | Scalar::Real(_)) => Some(number),
            other => {
                self.error(
                    self.line(id),
                    path,
                    format!("`{what}` must be a number, found {}", other.describe()),
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn unknown_property(&mut self, entry: &MappingEntry, path: &[String], allowed: &[&str]) {
        self.error(
            entry.key_line,
            path,
            format!(
                "unknown property `{}`; Apple's format allows: {}",
                entry.key,
                allowed.join(", ")
            ),
            "the property is left out",
        );
    }

    /// The file, or `None` for a file that describes no payload or
    /// declaration (an MDM command, a credential format).
    fn read_file(&mut self) -> Option<SchemaFile> {
        let root = self.document.root;
        let mut schema = SchemaFile {
            path: self.file.to_owned(),
            title: String::new(),
            description: None,
            payload_type: None,
            kind: FileKind::Payload,
            published: self.published,
            supported_os: Vec::new(),
            payload_keys: None,
            key_lists: BTreeMap::new(),
            key_list_paths: BTreeMap::new(),
            parts: Vec::new(),
        };
        let mut has_title = false;
        // `None` before `payload` is read; `Some(None)` when it names
        // nothing the generator generates.
        let mut described = None;
        for entry in self.mapping(root, &[], "the file") {
            let value = entry.value;
            match entry.key.as_str() {
                "title" => {
                    has_title = true;
                    schema.title = self.string(value, &[], "title").unwrap_or_default();
                }
                "description" => schema.description = self.string(value, &[], "description"),
                "payload" => {
                    described = Some(self.read_payload(value, &mut schema.supported_os));
                }
                "payloadkeys" => schema.payload_keys = Some(self.list_id(value)),
                key if FILE_PROPERTIES.contains(&key) => {}
                _ => self.unknown_property(&entry, &[], FILE_PROPERTIES),
            }
        }
        if !has_title {
            self.error(
                self.line(root),
                &[],
                "the file has no `title`",
                "the file's name stands for its title",
            );
            schema.title = schema.stem().to_owned();
        }
        match described {
            Some(Some((kind, payload_type))) => {
                schema.kind = kind;
                schema.payload_type = payload_type;
            }
            Some(None) => return None,
            None => {
                self.error(
                    self.line(root),
                    &[],
                    "the file has no `payload`, so it is no payload or declaration",
                    "the file is not generated",
                );
                return None;
            }
        }
        let top_path = vec![
            schema
                .payload_type
                .as_ref()
                .map(|payload_type| payload_type.value.clone())
                .unwrap_or_else(|| self.file.to_owned()),
        ];
        match schema.payload_keys {
            Some(list) => self.read_key_lists(list, top_path, &mut schema),
            None => {
                self.error(
                    self.line(root),
                    &top_path,
                    "the file has no `payloadkeys`",
                    "the file is not generated",
                );
                return None;
            }
        }
        Some(schema)
    }

    /// What `payload` says the file describes, and its `supportedOS`. `None`
    /// for what the generator does not generate (MDM commands, status items,
    /// credential formats).
    fn read_payload(
        &mut self,
        id: NodeId,
        supported_os: &mut Vec<Availability>,
    ) -> Option<(FileKind, Option<Spanned<String>>)> {
        let mut found = None;
        let mut other = None;
        for entry in self.mapping(id, &[], "`payload`") {
            match entry.key.as_str() {
                property @ ("payloadtype" | "declarationtype") => {
                    let kind = if property == "payloadtype" {
                        FileKind::Payload
                    } else {
                        FileKind::Declaration
                    };
                    found = self
                        .string(entry.value, &[], property)
                        .map(|value| (kind, Spanned::new(value, entry.key_line)));
                }
                property @ ("requesttype" | "statusitemtype" | "credentialtype") => {
                    other = Some(property.to_owned());
                }
                "supportedOS" => *supported_os = self.read_supported_os(entry.value, &[]),
                key if PAYLOAD_PROPERTIES.contains(&key) => {}
                _ => self.unknown_property(&entry, &[], PAYLOAD_PROPERTIES),
            }
        }
        match (found, other) {
            (Some((kind, payload_type)), _) => Some((kind, Some(payload_type))),
            (None, other) => {
                let message = match other {
                    Some(property) => format!(
                        "`payload` has `{property}`: the file describes no profile payload or \
                         declaration"
                    ),
                    None => "`payload` has no `payloadtype` or `declarationtype`".to_owned(),
                };
                self.error(self.line(id), &[], message, "the file is not generated");
                None
            }
        }
    }

    /// Reads every list of payload keys reachable from `top`, each once.
    fn read_key_lists(&mut self, top: KeyListId, top_path: Vec<String>, schema: &mut SchemaFile) {
        let mut pending = vec![(top, top_path)];
        while let Some((list, path)) = pending.pop() {
            if schema.key_lists.contains_key(&list) {
                continue;
            }
            let keys = self.read_key_list(list, &path);
            // Pushed last first, so lists are read in document order and a
            // shared list is named by the path of its anchor, not an alias.
            for key in keys.iter().rev() {
                if let Some(sublist) = key.subkeys
                    && !schema.key_lists.contains_key(&sublist)
                {
                    let mut subpath = path.clone();
                    subpath.push(key.key.clone());
                    pending.push((sublist, subpath));
                }
            }
            schema.key_lists.insert(list, keys);
            schema.key_list_paths.insert(list, path);
        }
    }

    fn read_key_list(&mut self, list: KeyListId, path: &[String]) -> Vec<PayloadKey> {
        let Some(items) = self.sequence(self.node_of(list), path, "payloadkeys") else {
            return Vec::new();
        };
        items
            .into_iter()
            .filter_map(|item| self.read_key(item, path))
            .collect()
    }

    fn read_key(&mut self, id: NodeId, parent_path: &[String]) -> Option<PayloadKey> {
        let entries = self.mapping(id, parent_path, "a payload key");
        let line = self.line(id);
        let Some(name_entry) = entries.iter().find(|entry| entry.key == "key") else {
            self.error(
                line,
                parent_path,
                "a payload key has no `key` name",
                "the entry is left out",
            );
            return None;
        };
        // A name of the wrong type is reported by `string`.
        let name = self.string(name_entry.value, parent_path, "key")?;
        let mut path = parent_path.to_vec();
        path.push(name.clone());
        let mut key = PayloadKey::new(name, line);
        key.added_by = self.added_by.map(str::to_owned);
        let mut has_type = false;
        for entry in entries {
            let value = entry.value;
            let value_line = entry.key_line;
            match entry.key.as_str() {
                "key" | "assettypes" | "combinetype" => {}
                "title" => key.title = self.string(value, &path, "title"),
                "content" => key.content = self.string(value, &path, "content"),
                "type" => {
                    has_type = true;
                    key.type_name = self
                        .string(value, &path, "type")
                        .map(|name| Spanned::new(name, value_line));
                }
                "subtype" => key.subtype = self.string(value, &path, "subtype"),
                "presence" => key.presence = self.read_presence(value, &path),
                "rangelist" => key.rangelist = self.read_rangelist(value, &path),
                "range" => key.range = Some(self.read_range(value, &path)),
                "default" => key.default = self.read_default(value, &path),
                "format" => {
                    key.format = self.string(value, &path, "format").map(PatternSpec::new);
                }
                "repetition" => key.repetition = self.read_repetition(value, &path),
                "supportedOS" => key.supported_os = self.read_supported_os(value, &path),
                "subkeytype" => key.subkeytype = self.string(value, &path, "subkeytype"),
                "subkeys" => {
                    if self.sequence(value, &path, "subkeys").is_some() {
                        key.subkeys = Some(self.list_id(value));
                    }
                }
                _ => self.unknown_property(&entry, &path, KEY_PROPERTIES),
            }
        }
        if !has_type {
            self.error(
                line,
                &path,
                "the key has no `type`",
                "its value is taken as any value",
            );
        }
        Some(key)
    }

    fn read_presence(&mut self, id: NodeId, path: &[String]) -> Presence {
        match self.string(id, path, "presence").as_deref() {
            Some("required") => Presence::Required,
            Some("optional") | None => Presence::Optional,
            Some(other) => {
                self.error(
                    self.line(id),
                    path,
                    format!("`presence` is `{other}`; it must be `required` or `optional`"),
                    "the key is taken as optional",
                );
                Presence::Optional
            }
        }
    }

    fn read_rangelist(&mut self, id: NodeId, path: &[String]) -> Option<Vec<Spanned<Scalar>>> {
        let items = self.sequence(id, path, "rangelist")?;
        Some(
            items
                .into_iter()
                .filter_map(|item| {
                    let line = self.line(item);
                    self.scalar(item, path, "rangelist")
                        .map(|scalar| Spanned::new(scalar, line))
                })
                .collect(),
        )
    }

    fn read_default(&mut self, id: NodeId, path: &[String]) -> Option<Spanned<Scalar>> {
        let line = self.line(id);
        self.scalar(id, path, "default")
            .map(|scalar| Spanned::new(scalar, line))
    }

    /// The key list at `node` and every list below it, named from `path`.
    fn read_keys_at(&mut self, node: NodeId, path: Vec<String>) -> KeysRead {
        let list = self.list_id(node);
        let mut scratch = SchemaFile {
            path: self.file.to_owned(),
            title: String::new(),
            description: None,
            payload_type: None,
            kind: FileKind::Payload,
            published: false,
            supported_os: Vec::new(),
            payload_keys: Some(list),
            key_lists: BTreeMap::new(),
            key_list_paths: BTreeMap::new(),
            parts: Vec::new(),
        };
        self.read_key_lists(list, path, &mut scratch);
        KeysRead {
            list,
            key_lists: scratch.key_lists,
            key_list_paths: scratch.key_list_paths,
        }
    }

    /// An overlay's `facts`: `source` and the properties in `allowed`.
    fn read_correction(&mut self, id: NodeId, path: &[String], allowed: &[&str]) -> Correction {
        let mut correction = Correction {
            line: self.line(id),
            ..Correction::default()
        };
        let mut source = None;
        for entry in self.mapping(id, path, "`facts`") {
            let value = entry.value;
            match entry.key.as_str() {
                "source" => source = self.string(value, path, "source"),
                property if !allowed.contains(&property) => {
                    self.unknown_property(&entry, path, allowed)
                }
                "supportedOS" => {
                    correction.supported_os = Some(self.read_supported_os(value, path));
                }
                "presence" => correction.presence = Some(self.read_presence(value, path)),
                "range" => correction.range = Some(self.read_range(value, path)),
                "rangelist" => correction.rangelist = self.read_rangelist(value, path),
                "default" => correction.default = self.read_default(value, path),
                "format" => {
                    correction.format = self.string(value, path, "format").map(PatternSpec::new);
                }
                "subkeys" => {
                    if self.sequence(value, path, "subkeys").is_some() {
                        correction.subkeys = Some(self.read_keys_at(value, path.to_vec()));
                    }
                }
                _ => self.unknown_property(&entry, path, allowed),
            }
        }
        match source {
            Some(source) if !source.trim().is_empty() => correction.source = source,
            _ => self.error(
                correction.line,
                path,
                "`facts` needs a `source`: the page (and payload and key) the facts come from",
                LEFT_OUT,
            ),
        }
        correction
    }

    fn read_range(&mut self, id: NodeId, path: &[String]) -> Range {
        let mut range = Range::default();
        for entry in self.mapping(id, path, "`range`") {
            match entry.key.as_str() {
                "min" => range.min = self.number(entry.value, path, "range.min"),
                "max" => range.max = self.number(entry.value, path, "range.max"),
                _ => self.unknown_property(&entry, path, &["min", "max"]),
            }
        }
        range
    }

    fn read_repetition(&mut self, id: NodeId, path: &[String]) -> Option<Repetition> {
        // `Some(None)`: present, but not an integer (reported already).
        let (mut min, mut max) = (None, None);
        for entry in self.mapping(id, path, "`repetition`") {
            match entry.key.as_str() {
                "min" => min = Some(self.integer(entry.value, path, "repetition.min")),
                "max" => max = Some(self.integer(entry.value, path, "repetition.max")),
                _ => self.unknown_property(&entry, path, &["min", "max"]),
            }
        }
        match (min, max) {
            (Some(Some(min)), Some(Some(max))) => Some(Repetition { min, max }),
            (Some(_), Some(_)) => None,
            _ => {
                self.error(
                    self.line(id),
                    path,
                    "`repetition` needs both `min` and `max`",
                    LEFT_OUT,
                );
                None
            }
        }
    }

    fn read_supported_os(&mut self, id: NodeId, path: &[String]) -> Vec<Availability> {
        let mut supported = Vec::new();
        for entry in self.mapping(id, path, "`supportedOS`") {
            let Some(platform) = Platform::from_name(&entry.key) else {
                let names: Vec<&str> = Platform::ALL.iter().map(|os| os.name()).collect();
                self.unknown_property(&entry, path, &names);
                continue;
            };
            let mut availability = Availability {
                platform,
                introduced: Introduced::Unstated,
                deprecated: None,
                removed: None,
            };
            for property in self.mapping(entry.value, path, "an OS entry of `supportedOS`") {
                let value = property.value;
                let what = format!("supportedOS.{}.{}", platform.name(), property.key);
                match property.key.as_str() {
                    "introduced" => {
                        if let Some(text) = self.string(value, path, &what) {
                            availability.introduced = if text == "n/a" {
                                Introduced::NotAvailable
                            } else {
                                Introduced::Since(text)
                            };
                        }
                    }
                    "deprecated" => availability.deprecated = self.string(value, path, &what),
                    "removed" => availability.removed = self.string(value, path, &what),
                    "beta" => {
                        self.boolean(value, path, &what);
                    }
                    key if OS_PROPERTIES.contains(&key) => {}
                    _ => self.unknown_property(&property, path, OS_PROPERTIES),
                }
            }
            supported.push(availability);
        }
        supported.sort_by_key(|availability| availability.platform);
        supported
    }
}
