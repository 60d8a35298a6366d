//! Lenient reading: values written in a type devices accept but the schema
//! does not are brought to the schema's exact type, each with a warning.
//! Which values qualify is defined once, by [`ValueKind::coerce`]; the
//! validators warn about exactly these, in the same words
//! (`validate::coerced`).

use plist::Value;

use crate::Diagnostic;
use crate::schema::{DictSchema, PayloadSchema, ValueKind, ValueSchema};
use crate::validate::{PayloadLookup, coerced, join};

/// Brings every leniently typed value of `profile` (whose envelope is
/// `envelope`) to the schema's exact type, in place; returns a warning for
/// each, at its key path.
pub fn normalize(
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
    profile: &mut Value,
) -> Vec<Diagnostic> {
    let mut normalizer = Normalizer {
        lookup,
        warnings: Vec::new(),
    };
    normalizer.dict(envelope.root, profile, &Path::Root);
    normalizer.warnings
}

/// Where a value sits, as a chain up to the top. Its text is built only for
/// a warning: most values need none.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// `PayloadContent[0].IKEv2`, as the validators write it.
    fn text(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, key) => join(&parent.text(), key),
            Path::Index(parent, index) => format!("{}[{index}]", parent.text()),
        }
    }
}

/// Brings leniently typed values to the schema's exact types.
struct Normalizer {
    lookup: PayloadLookup,
    warnings: Vec<Diagnostic>,
}

impl Normalizer {
    fn dict(&mut self, schema: &'static DictSchema, value: &mut Value, path: &Path<'_>) {
        let Value::Dictionary(dictionary) = value else {
            return;
        };
        for key in schema.keys {
            // A dictionary a sibling types takes that sibling's schema.
            let typed_by = match key.value.kind {
                ValueKind::TypedBy(by) => dictionary
                    .get(by)
                    .and_then(Value::as_string)
                    .and_then(|kind| self.lookup.schema_for(kind)),
                _ => None,
            };
            if let Some(value) = dictionary.get_mut(key.key) {
                let key_path = Path::Key(path, key.key);
                match typed_by {
                    Some(schema) => self.dict(schema.root, value, &key_path),
                    None => self.value(&key.value, value, &key_path),
                }
            }
        }
    }

    fn value(&mut self, schema: &'static ValueSchema, value: &mut Value, path: &Path<'_>) {
        if let Some(exact) = schema.kind.coerce(value) {
            self.warnings
                .push(coerced(&path.text(), value, &schema.kind));
            *value = exact;
            return;
        }
        match (&schema.kind, value) {
            (ValueKind::Array(item), Value::Array(items)) => {
                for (index, element) in items.iter_mut().enumerate() {
                    self.value(item, element, &Path::Index(path, index));
                }
            }
            (ValueKind::Map(item), Value::Dictionary(entries)) => {
                for (key, element) in entries.iter_mut() {
                    self.value(item, element, &Path::Key(path, key));
                }
            }
            (ValueKind::Dict(dict), value) => self.dict(dict, value, path),
            (ValueKind::Payloads, Value::Array(items)) => {
                for (index, item) in items.iter_mut().enumerate() {
                    let schema = item
                        .as_dictionary()
                        .and_then(|dictionary| dictionary.get("PayloadType"))
                        .and_then(Value::as_string)
                        .and_then(|kind| self.lookup.schema_for(kind));
                    if let Some(schema) = schema {
                        self.dict(schema.root, item, &Path::Index(path, index));
                    }
                }
            }
            _ => {}
        }
    }
}
