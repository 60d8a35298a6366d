//! Apple's meta-schema (`docs/schema.yaml` of its repository): what a file
//! of Apple's format may hold. `cargo xtask import` checks every imported
//! file against the release's own meta-schema.
//!
//! The meta-schema refers to itself (`subkeys: *payloadKeys`), so it cannot
//! become a JSON value for a JSON Schema crate; this is a small interpreter
//! of the keywords it uses (`type`, `properties`, `additionalProperties`,
//! `required`, `enum`, `items`, `minitems`), walking both documents as YAML
//! graphs.

use std::collections::BTreeSet;

use super::yaml::{Document, NodeId, NodeKind};
use crate::schema::Scalar;

struct Validator<'a> {
    schema: &'a Document,
    instance: &'a Document,
    errors: Vec<String>,
    /// (meta-schema node, instance node) pairs already checked: a recursive
    /// instance (an alias to an enclosing anchor) is checked once.
    visited: BTreeSet<(NodeId, NodeId)>,
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
                let min = self
                    .entry(schema, "minitems")
                    .and_then(|min| self.scalars(min).first()?.parse::<usize>().ok());
                if let Some(min) = min
                    && items.len() < min
                {
                    self.errors
                        .push(format!("line {line}: {path}: fewer than {min} items"));
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

/// Checks `instance` against Apple's meta-schema `meta`: every problem, each
/// with its line.
pub fn validate(meta: &Document, instance: &Document) -> Vec<String> {
    let mut validator = Validator {
        schema: meta,
        instance,
        errors: Vec::new(),
        visited: Default::default(),
    };
    validator.validate(meta.root, instance.root, "");
    validator.errors
}
