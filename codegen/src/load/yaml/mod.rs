//! A YAML document as a graph of nodes, with anchors kept as shared nodes.
//!
//! `serde_yaml` expands every alias while it reads, so a file whose alias
//! refers to its own enclosing anchor (Apple's recursive home-screen folders)
//! never finishes. This reader builds the document from parser events instead:
//! an alias becomes a second reference to the node its anchor names, which
//! turns a recursive schema into a cycle in the graph rather than an endless
//! tree. Every node keeps the line it starts on, for error messages.
//!
//! [`de`] reads a document into serde types (the overlays), with the line of
//! every problem.

pub mod de;

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// How many nodes a document may stand for once every alias is expanded.
/// Apple's largest file stands for a few thousand; an "alias bomb" (an anchor
/// repeated exponentially) stands for billions and is refused at this bound.
pub const MAX_EXPANDED_NODES: u64 = 1_000_000;

/// How deeply collections may nest. Apple's files nest about 20 levels deep
/// (each payload key is a mapping inside a sequence); the bound keeps the
/// recursive stages after loading well inside the stack.
pub const MAX_DEPTH: usize = 256;

/// Index of a node in [`Document::nodes`].
pub type NodeId = usize;

/// One node of a YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// 1-based line where the node starts.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar, with whether it was written plain (unquoted): only plain
    /// scalars can be numbers, booleans or null.
    Scalar {
        text: String,
        plain: bool,
    },
    Sequence(Vec<NodeId>),
    /// Entries in document order; keys are scalars.
    Mapping(Vec<MappingEntry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MappingEntry {
    pub key: String,
    pub key_line: usize,
    pub value: NodeId,
}

/// A parsed document: nodes in an arena, aliases as shared ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

/// Why a document could not be read, with the 1-based line where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: Option<usize>,
    pub message: String,
}

impl Document {
    /// Parses one YAML document.
    pub fn parse(text: &str) -> Result<Self, YamlError> {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut builder, true).map_err(|error| YamlError {
            line: Some(error.marker().line()),
            message: format!("not valid YAML: {}", error.info()),
        })?;
        if let Some(error) = builder.error {
            return Err(error);
        }
        let root = builder.root.ok_or_else(|| YamlError {
            line: None,
            message: "the file holds no YAML document".to_owned(),
        })?;
        let document = Document {
            nodes: builder.nodes,
            root,
        };
        document.refuse_alias_bombs()?;
        Ok(document)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Counts the nodes the document stands for with aliases expanded (a
    /// reference back to an enclosing node counts once, as a recursive type
    /// does), and refuses documents past [`MAX_EXPANDED_NODES`].
    fn refuse_alias_bombs(&self) -> Result<(), YamlError> {
        let mut sizes: Vec<Option<u64>> = vec![None; self.nodes.len()];
        let mut open = vec![false; self.nodes.len()];
        // Iterative post-order walk: (node, children already pushed).
        let mut stack = vec![(self.root, false)];
        while let Some((id, expanded)) = stack.pop() {
            if sizes[id].is_some() {
                continue;
            }
            let children = self.children(id);
            if !expanded {
                open[id] = true;
                stack.push((id, true));
                for child in children {
                    if sizes[child].is_none() && !open[child] {
                        stack.push((child, false));
                    }
                }
                continue;
            }
            let size = children.iter().fold(1u64, |total, &child| {
                total.saturating_add(sizes[child].unwrap_or(1))
            });
            open[id] = false;
            sizes[id] = Some(size);
            if size > MAX_EXPANDED_NODES {
                return Err(YamlError {
                    line: Some(self.nodes[id].line),
                    message: format!(
                        "aliases expand this node to more than {MAX_EXPANDED_NODES} nodes; \
                         refusing it as an alias bomb"
                    ),
                });
            }
        }
        Ok(())
    }

    fn children(&self, id: NodeId) -> Vec<NodeId> {
        match &self.nodes[id].kind {
            NodeKind::Scalar { .. } => Vec::new(),
            NodeKind::Sequence(items) => items.clone(),
            NodeKind::Mapping(entries) => entries.iter().map(|entry| entry.value).collect(),
        }
    }
}

/// Collections being built, innermost last.
#[derive(Debug)]
enum Open {
    Sequence {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Mapping {
        id: NodeId,
        entries: Vec<MappingEntry>,
        pending_key: Option<(String, usize)>,
    },
}

#[derive(Debug, Default)]
struct Builder {
    nodes: Vec<Node>,
    open: Vec<Open>,
    anchors: BTreeMap<usize, NodeId>,
    root: Option<NodeId>,
    /// Documents started so far.
    documents: usize,
    error: Option<YamlError>,
}

impl Builder {
    fn fail(&mut self, line: usize, message: String) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                line: Some(line),
                message,
            });
        }
    }

    fn new_node(&mut self, kind: NodeKind, line: usize, anchor: usize) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node { kind, line });
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        id
    }

    /// Hands a finished node (or an alias to one) to the enclosing collection.
    fn attach(&mut self, id: NodeId, line: usize) {
        match self.open.last_mut() {
            None => self.root = Some(id),
            Some(Open::Sequence { items, .. }) => items.push(id),
            Some(Open::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                Some((key, key_line)) => {
                    if entries.iter().any(|entry| entry.key == key) {
                        self.fail(
                            key_line,
                            format!("not valid YAML: the mapping has the key `{key}` twice"),
                        );
                    } else {
                        entries.push(MappingEntry {
                            key,
                            key_line,
                            value: id,
                        });
                    }
                }
                None => match &self.nodes[id].kind {
                    NodeKind::Scalar { text, .. } => *pending_key = Some((text.clone(), line)),
                    _ => self.fail(line, "a mapping key must be a plain scalar".to_owned()),
                },
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                let plain = style == TScalarStyle::Plain;
                let id = self.new_node(NodeKind::Scalar { text, plain }, line, anchor);
                self.attach(id, line);
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor) {
                Some(&id) => self.attach(id, line),
                None => self.fail(
                    line,
                    "not valid YAML: an alias to an unknown anchor".to_owned(),
                ),
            },
            Event::SequenceStart(anchor, _tag) => {
                if self.open.len() >= MAX_DEPTH {
                    return self.fail(line, format!("nesting deeper than {MAX_DEPTH} levels"));
                }
                let id = self.new_node(NodeKind::Sequence(Vec::new()), line, anchor);
                self.open.push(Open::Sequence {
                    id,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _tag) => {
                if self.open.len() >= MAX_DEPTH {
                    return self.fail(line, format!("nesting deeper than {MAX_DEPTH} levels"));
                }
                let id = self.new_node(NodeKind::Mapping(Vec::new()), line, anchor);
                self.open.push(Open::Mapping {
                    id,
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (id, kind) = match self.open.pop() {
                    Some(Open::Sequence { id, items }) => (id, NodeKind::Sequence(items)),
                    Some(Open::Mapping { id, entries, .. }) => (id, NodeKind::Mapping(entries)),
                    None => return self.fail(line, "unbalanced collection end".to_owned()),
                };
                self.nodes[id].kind = kind;
                let start = self.nodes[id].line;
                self.attach(id, start);
            }
            // A file is one document: text after its end (`...` or a
            // second `---`) would otherwise be dropped without a word.
            Event::DocumentStart if self.documents > 0 => self.fail(
                line,
                "a second YAML document starts here (after `...` or `---`); a schema file \
                 holds one document"
                    .to_owned(),
            ),
            Event::DocumentStart => self.documents += 1,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(document: &Document, id: NodeId) -> &[MappingEntry] {
        match &document.node(id).kind {
            NodeKind::Mapping(entries) => entries,
            other => panic!("expected a mapping, found {other:?}"),
        }
    }

    #[test]
    fn reads_scalars_with_their_style_and_line() {
        let document = Document::parse("a: 1\nb: '2'\n").unwrap();
        let entries = mapping(&document, document.root);
        assert_eq!(entries[1].key, "b");
        assert_eq!(entries[1].key_line, 2);
        assert_eq!(
            document.node(entries[1].value).kind,
            NodeKind::Scalar {
                text: "2".into(),
                plain: false
            }
        );
    }

    #[test]
    fn an_alias_shares_the_anchored_node() {
        let document = Document::parse("a: &x [1, 2]\nb: *x\n").unwrap();
        let entries = mapping(&document, document.root);
        assert_eq!(entries[0].value, entries[1].value);
    }

    #[test]
    fn a_self_referencing_alias_becomes_a_cycle() {
        let text = "list: &items\n- name: folder\n  children: *items\n";
        let document = Document::parse(text).unwrap();
        let list = mapping(&document, document.root)[0].value;
        let NodeKind::Sequence(items) = &document.node(list).kind else {
            panic!("expected a sequence");
        };
        let children = mapping(&document, items[0])[1].value;
        assert_eq!(children, list);
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = format!("*l{}", level - 1);
            let items = [previous.as_str(); 10].join(", ");
            text.push_str(&format!("l{level}: &l{level} [{items}]\n"));
        }
        let error = Document::parse(&text).unwrap_err();
        assert!(error.message.contains("alias bomb"), "{error:?}");
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_line() {
        let error = Document::parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("the key `a` twice"), "{error:?}");
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let error = Document::parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.line.is_some());
    }

    #[test]
    fn text_after_the_end_of_the_document_is_refused_not_dropped() {
        for text in ["a: 1\n...\nb: 2\n", "a: 1\n---\nb: 2\n"] {
            let error = Document::parse(text).unwrap_err();
            assert!(error.message.contains("second YAML document"), "{error:?}");
            assert!(error.line.is_some());
        }
        // A single document may still be marked as one.
        assert!(Document::parse("---\na: 1\n...\n").is_ok());
    }
}
