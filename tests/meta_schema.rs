//! Every Apple-format file in `schema/` validates against Apple's meta-schema
//! (`docs/schema.yaml` of the published corpus).
//!
//! The meta-schema refers to itself (`subkeys: *payloadKeys`), so it cannot
//! become a JSON value for a JSON Schema crate; this is a small interpreter
//! of the keywords it uses (`type`, `properties`, `additionalProperties`,
//! `required`, `enum`, `items`, `minitems`), walking both documents as YAML
//! graphs.

use mobileconfig_codegen::load::SourceKind;
use mobileconfig_codegen::load::yaml::{Document, NodeId, NodeKind};
use mobileconfig_codegen::schema::Scalar;
use mobileconfig_tests::{require_apple_corpus, source, sources, workspace_root};

struct Validator<'a> {
    schema: &'a Document,
    instance: &'a Document,
    errors: Vec<String>,
    /// (meta-schema node, instance node) pairs already checked: a recursive
    /// instance (an alias to an enclosing anchor) is checked once.
    visited: std::collections::BTreeSet<(NodeId, NodeId)>,
}

impl Validator<'_> {
    fn entry(&self, node: NodeId, key: &str) -> Option<NodeId> {
        match &self.schema.node(node).kind {
            NodeKind::Mapping(entries) => entries
                .iter()
                .find(|entry| entry.key == key)
                .map(|entry| entry.value),
            _ => None,
        }
    }

    fn scalars(&self, node: NodeId) -> Vec<String> {
        match &self.schema.node(node).kind {
            NodeKind::Scalar { text, .. } => vec![text.clone()],
            NodeKind::Sequence(items) => {
                items.iter().flat_map(|&item| self.scalars(item)).collect()
            }
            NodeKind::Mapping(_) => Vec::new(),
        }
    }

    fn type_of(&self, value: NodeId) -> &'static str {
        match &self.instance.node(value).kind {
            NodeKind::Mapping(_) => "object",
            NodeKind::Sequence(_) => "array",
            NodeKind::Scalar { text, plain } => match Scalar::from_yaml(text, *plain) {
                Scalar::String(_) => "string",
                Scalar::Integer(_) => "integer",
                Scalar::Real(_) => "number",
                Scalar::Boolean(_) => "boolean",
                Scalar::Null => "null",
            },
        }
    }

    fn validate(&mut self, schema: NodeId, value: NodeId, path: &str) {
        if !self.visited.insert((schema, value)) {
            return;
        }
        let line = self.instance.node(value).line;
        let actual = self.type_of(value);
        if let Some(types) = self.entry(schema, "type") {
            let types = self.scalars(types);
            let fits = types.iter().any(|expected| {
                expected == actual || (expected == "number" && actual == "integer")
            });
            if !fits {
                self.errors.push(format!(
                    "line {line}: {path}: is {actual}, meta-schema wants {types:?}"
                ));
                return;
            }
        }
        if let Some(allowed) = self.entry(schema, "enum")
            && let NodeKind::Scalar { text, .. } = &self.instance.node(value).kind
            && !self.scalars(allowed).contains(text)
        {
            self.errors.push(format!(
                "line {line}: {path}: `{text}` is not one of the meta-schema's values"
            ));
        }
        match self.instance.node(value).kind.clone() {
            NodeKind::Mapping(entries) => {
                let properties = self.entry(schema, "properties");
                let closed = self
                    .entry(schema, "additionalProperties")
                    .is_some_and(|node| self.scalars(node) == ["false"]);
                for entry in &entries {
                    match properties.and_then(|properties| self.entry(properties, &entry.key)) {
                        Some(property) => {
                            self.validate(property, entry.value, &format!("{path}.{}", entry.key))
                        }
                        None if closed => self.errors.push(format!(
                            "line {}: {path}: property `{}` is not in the meta-schema",
                            entry.key_line, entry.key
                        )),
                        None => {}
                    }
                }
                if let Some(required) = self.entry(schema, "required") {
                    for name in self.scalars(required) {
                        if !entries.iter().any(|entry| entry.key == name) {
                            self.errors
                                .push(format!("line {line}: {path}: lacks required `{name}`"));
                        }
                    }
                }
            }
            NodeKind::Sequence(items) => {
                if let Some(min) = self.entry(schema, "minitems") {
                    let min: usize = self.scalars(min)[0].parse().unwrap();
                    if items.len() < min {
                        self.errors
                            .push(format!("line {line}: {path}: fewer than {min} items"));
                    }
                }
                if let Some(item_schema) = self.entry(schema, "items") {
                    for (index, item) in items.into_iter().enumerate() {
                        self.validate(item_schema, item, &format!("{path}[{index}]"));
                    }
                }
            }
            NodeKind::Scalar { .. } => {}
        }
    }
}

fn validate(meta: &Document, name: &str, text: &str) -> Vec<String> {
    let instance = Document::parse(text).unwrap_or_else(|error| panic!("{name}: {error:?}"));
    let mut validator = Validator {
        schema: meta,
        instance: &instance,
        errors: Vec::new(),
        visited: Default::default(),
    };
    validator.validate(meta.root, instance.root, "");
    validator
        .errors
        .into_iter()
        .map(|error| format!("{name}: {error}"))
        .collect()
}

fn meta_schema() -> Document {
    let path = require_apple_corpus("ios18.1").join("docs/schema.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    Document::parse(&text).unwrap_or_else(|error| panic!("{}: {error:?}", path.display()))
}

#[test]
fn every_apple_format_file_in_schema_validates() {
    let meta = meta_schema();
    let files: Vec<_> = sources(&workspace_root().join("schema"))
        .into_iter()
        .filter(|file| file.kind() == SourceKind::Apple)
        .collect();
    assert!(
        files.len() >= 3,
        "schema/ holds {} Apple-format files",
        files.len()
    );
    let errors: Vec<String> = files
        .iter()
        .flat_map(|file| validate(&meta, &file.name, &file.text))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn apples_own_profiles_validate() {
    let meta = meta_schema();
    let corpus = require_apple_corpus("ios18.1").join("mdm/profiles");
    let errors: Vec<String> = sources(&corpus)
        .iter()
        .flat_map(|file| validate(&meta, &file.name, &file.text))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_validator_finds_what_the_meta_schema_forbids() {
    let meta = meta_schema();
    let bad = source(
        "bad.yaml",
        "title: Bad\npayload:\n  payloadtype: com.example.bad\n  colour: red\npayloadkeys:\n- key: A\n  type: <str>\n- title: no key\n",
    );
    let errors = validate(&meta, &bad.name, &bad.text);
    let text = errors.join("\n");
    assert!(
        text.contains("property `colour` is not in the meta-schema"),
        "{text}"
    );
    assert!(
        text.contains("`<str>` is not one of the meta-schema's values"),
        "{text}"
    );
    assert!(text.contains("lacks required `key`"), "{text}");
}
