//! Reads a [`Document`] into serde types, so a file format can be declared
//! as `#[derive(Deserialize)]` structs and still report the line of every
//! problem: the text is parsed once, and every error carries the line of the
//! innermost node it is about. [`Spanned`] fields keep a value's line for
//! the checks that come after reading.
//!
//! Scalars are typed as the rest of the loader types them (plain `true`,
//! `12`, `2.5` are a boolean and numbers; quoted text is a string); a field
//! declared as a string takes any scalar's text. An enum is written as a
//! one-entry mapping (`present: Key`) or, for a unit variant, as its name.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::{Document, MAX_DEPTH, MappingEntry, NodeId, NodeKind};
use crate::schema::{Scalar, Spanned};

/// Reads `T` from the document's root.
pub fn from_document<'de, T: de::Deserialize<'de>>(document: &Document) -> Result<T, Error> {
    T::deserialize(NodeDeserializer {
        document,
        node: document.root,
        depth: 0,
    })
}

/// Why a document does not fit the type read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub line: Option<usize>,
    pub message: String,
}

impl Error {
    /// The error, placed at `line` unless a node deeper down placed it.
    fn at(mut self, line: usize) -> Self {
        self.line.get_or_insert(line);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error {
            line: None,
            message: message.to_string(),
        }
    }
}

/// The struct name and fields through which [`Spanned`] asks for a value's
/// line: a [`NodeDeserializer`] answers with the node's line, then the value.
const SPANNED: &str = "$mobileconfig::Spanned";
const SPANNED_LINE: &str = "$line";
const SPANNED_VALUE: &str = "$value";

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a value read from a YAML document")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let line = match map.next_entry::<String, usize>()? {
                    Some((key, line)) if key == SPANNED_LINE => line,
                    _ => return Err(de::Error::custom("a spanned value needs its line first")),
                };
                let value = match map.next_entry::<String, T>()? {
                    Some((key, value)) if key == SPANNED_VALUE => value,
                    _ => return Err(de::Error::custom("a spanned value needs its value")),
                };
                Ok(Spanned { value, line })
            }
        }

        deserializer.deserialize_struct(
            SPANNED,
            &[SPANNED_LINE, SPANNED_VALUE],
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

/// A node of the document, kept for a reader of its own (an overlay's keys
/// in Apple's format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRef {
    pub node: NodeId,
    pub line: usize,
}

/// The struct name through which [`NodeRef`] asks for its node.
const NODE_REF: &str = "$mobileconfig::NodeRef";

impl<'de> de::Deserialize<'de> for NodeRef {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;

        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = NodeRef;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a node of a YAML document")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<NodeRef, A::Error> {
                let node = seq
                    .next_element::<usize>()?
                    .ok_or_else(|| de::Error::custom("a node reference needs its node"))?;
                let line = seq
                    .next_element::<usize>()?
                    .ok_or_else(|| de::Error::custom("a node reference needs its line"))?;
                Ok(NodeRef { node, line })
            }
        }

        deserializer.deserialize_struct(NODE_REF, &["node", "line"], NodeVisitor)
    }
}

/// Deserializes one node of a document.
#[derive(Clone, Copy)]
struct NodeDeserializer<'d> {
    document: &'d Document,
    node: NodeId,
    /// How many collections enclose the node: an alias to an enclosing
    /// node makes a document endless, so reading stops at [`MAX_DEPTH`].
    depth: usize,
}

impl NodeDeserializer<'_> {
    fn line(&self) -> usize {
        self.document.node(self.node).line
    }

    fn kind(&self) -> &NodeKind {
        &self.document.node(self.node).kind
    }

    fn child(&self, node: NodeId) -> Self {
        NodeDeserializer {
            document: self.document,
            node,
            depth: self.depth + 1,
        }
    }

    /// Refuses a node nested deeper than any file this reader is for.
    fn within_depth(&self) -> Result<(), Error> {
        if self.depth > MAX_DEPTH {
            return Err(Error {
                line: Some(self.line()),
                message: format!(
                    "nested more than {MAX_DEPTH} levels deep; does an alias here refer to a \
                     node that encloses it?"
                ),
            });
        }
        Ok(())
    }
}

impl<'de> de::Deserializer<'de> for NodeDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.within_depth()?;
        let line = self.line();
        let result = match self.kind() {
            NodeKind::Scalar { text, plain } => match Scalar::from_yaml(text, *plain) {
                Scalar::String(text) => visitor.visit_string(text),
                Scalar::Integer(value) => visitor.visit_i64(value),
                Scalar::Real(value) => visitor.visit_f64(value),
                Scalar::Boolean(value) => visitor.visit_bool(value),
                Scalar::Null => visitor.visit_unit(),
            },
            NodeKind::Sequence(items) => visitor.visit_seq(Items {
                parent: self,
                items: items.iter(),
            }),
            NodeKind::Mapping(entries) => visitor.visit_map(Entries {
                parent: self,
                entries: entries.iter(),
                value: None,
            }),
        };
        result.map_err(|error| error.at(line))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.kind() {
            // A field declared as text takes any scalar as written.
            NodeKind::Scalar { text, plain } if !(*plain && is_null(text)) => {
                let result: Result<V::Value, Error> = visitor.visit_str(text);
                result.map_err(|error| error.at(self.line()))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.kind() {
            NodeKind::Scalar { text, plain: true } if is_null(text) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == NODE_REF {
            let parts = [self.node, self.line()];
            return visitor.visit_seq(de::value::SeqDeserializer::new(parts.into_iter()));
        }
        if name != SPANNED {
            return self.deserialize_any(visitor);
        }
        let line = self.line();
        visitor
            .visit_map(SpannedAccess {
                node: self,
                next: SPANNED_LINE,
            })
            .map_err(|error| error.at(line))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.within_depth()?;
        let line = self.line();
        let result = match self.kind() {
            NodeKind::Scalar { text, .. } => visitor.visit_enum(text.as_str().into_deserializer()),
            NodeKind::Mapping(entries) if entries.len() == 1 => visitor.visit_enum(Variant {
                entry: &entries[0],
                parent: self,
            }),
            NodeKind::Mapping(entries) => Err(de::Error::custom(format!(
                "expected one `name: value` entry here, found {}",
                entries.len()
            ))),
            NodeKind::Sequence(_) => Err(de::Error::custom(
                "expected a name or a `name: value` entry, found a list",
            )),
        };
        result.map_err(|error| error.at(line))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "~" | "null" | "Null" | "NULL" | "")
}

/// What a [`Spanned`] reads from a node: its line, then its value.
struct SpannedAccess<'d> {
    node: NodeDeserializer<'d>,
    /// The entry still to give: the line, the value, or none.
    next: &'static str,
}

impl<'de> de::MapAccess<'de> for SpannedAccess<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.next.is_empty() {
            return Ok(None);
        }
        let key: de::value::StrDeserializer<'_, Error> = self.next.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if self.next == SPANNED_LINE {
            self.next = SPANNED_VALUE;
            let line: de::value::UsizeDeserializer<Error> = self.node.line().into_deserializer();
            seed.deserialize(line)
        } else {
            self.next = "";
            seed.deserialize(self.node)
        }
    }
}

/// The items of a sequence.
struct Items<'d, 'i> {
    parent: NodeDeserializer<'d>,
    items: std::slice::Iter<'i, NodeId>,
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            None => Ok(None),
            Some(&item) => {
                let node = self.parent.child(item);
                seed.deserialize(node)
                    .map(Some)
                    .map_err(|error| error.at(node.line()))
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a mapping; keys are always text.
struct Entries<'d, 'i> {
    parent: NodeDeserializer<'d>,
    entries: std::slice::Iter<'i, MappingEntry>,
    value: Option<NodeId>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(entry.value);
        let key: de::value::StrDeserializer<'_, Error> = entry.key.as_str().into_deserializer();
        seed.deserialize(key)
            .map(Some)
            .map_err(|error| error.at(entry.key_line))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("a mapping value without its key"))?;
        let node = self.parent.child(value);
        seed.deserialize(node)
            .map_err(|error| error.at(node.line()))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The one entry of a mapping read as an enum: its key names the variant.
struct Variant<'d, 'i> {
    entry: &'i MappingEntry,
    parent: NodeDeserializer<'d>,
}

impl<'de, 'd> de::EnumAccess<'de> for Variant<'d, '_> {
    type Error = Error;
    type Variant = NodeDeserializer<'d>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let key: de::value::StrDeserializer<'_, Error> =
            self.entry.key.as_str().into_deserializer();
        let variant = seed
            .deserialize(key)
            .map_err(|error| error.at(self.entry.key_line))?;
        Ok((variant, self.parent.child(self.entry.value)))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDeserializer<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Err(de::Error::custom("this name takes no value"))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        name: String,
        #[serde(default)]
        size: Option<f64>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Test {
        Present(String),
        All(Vec<Test>),
        Never,
    }

    fn read<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, Error> {
        from_document(&Document::parse(text).expect("valid YAML"))
    }

    #[test]
    fn structs_read_with_the_line_of_each_entry() {
        let entries: Vec<Spanned<Entry>> =
            read("- name: a\n  size: 2\n- name: 3DES\n  tags: [x, 1]\n").unwrap();
        assert_eq!(entries[0].line, 1);
        assert_eq!(entries[1].line, 3);
        assert_eq!(entries[0].value.size, Some(2.0));
        // Text fields take any scalar as written.
        assert_eq!(entries[1].value.tags, ["x", "1"]);
        assert_eq!(entries[1].value.name, "3DES");
    }

    #[test]
    fn errors_carry_the_line_of_the_innermost_node() {
        let error = read::<Vec<Entry>>("- name: a\n- name: b\n  sise: 2\n").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("unknown field `sise`"), "{error}");
        let error = read::<Vec<Entry>>("- name: a\n  size: [1]\n").unwrap_err();
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn enums_are_one_entry_mappings_or_names() {
        let test: Test = read("all:\n  - present: A\n  - never\n").unwrap();
        assert_eq!(
            test,
            Test::All(vec![Test::Present("A".into()), Test::Never])
        );
        let error = read::<Test>("present: A\nabsent: B\n").unwrap_err();
        assert_eq!(error.line, Some(1));
        let error = read::<Test>("presnt: A\n").unwrap_err();
        assert!(
            error.message.contains("unknown variant `presnt`"),
            "{error}"
        );
    }

    #[test]
    fn an_alias_to_an_enclosing_node_is_refused_not_followed() {
        let error = read::<Test>("all: &a\n  - all: *a\n").unwrap_err();
        assert!(error.message.contains("nested more than"), "{error}");
    }

    #[test]
    fn maps_and_options_read() {
        let map: BTreeMap<String, Option<i64>> = read("a: 1\nb: ~\n").unwrap();
        assert_eq!(map["a"], Some(1));
        assert_eq!(map["b"], None);
    }
}
