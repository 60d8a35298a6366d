//! Lenient reading: values written in a type devices accept but the schema
//! does not are brought to the schema's exact type, each with a warning.
//! Which values qualify is defined once, by [`ValueKind::coerce`]; the
//! validators warn about exactly these, in the same words
//! (`validate::coerced`).

use plist::Value;

use crate::Diagnostic;
use crate::location::Location;
use crate::schema::{DictSchema, PayloadSchema, ValueKind, ValueSchema};
use crate::validate::{PayloadLookup, coerced};

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
    normalizer.dict(envelope.root, profile, &Location::Root);
    normalizer.warnings
}

/// Brings leniently typed values to the schema's exact types.
struct Normalizer {
    lookup: PayloadLookup,
    warnings: Vec<Diagnostic>,
}

impl Normalizer {
    fn dict(&mut self, schema: &'static DictSchema, value: &mut Value, at: &Location<'_>) {
        let Value::Dictionary(dictionary) = value else {
            return;
        };
        // The profile's keys found in the schema by name, then visited in
        // the schema's order, which the warnings follow.
        let mut written = schema.arrange(dictionary.iter_mut());
        for (position, key) in schema.keys.iter().enumerate() {
            // A dictionary a sibling types takes that sibling's schema.
            let typed_by = match key.value.kind {
                ValueKind::TypedBy(by) => schema
                    .position(by)
                    .and_then(|sibling| written[sibling].as_deref())
                    .and_then(Value::as_string)
                    .and_then(|kind| self.lookup.schema_for(kind)),
                _ => None,
            };
            let Some(value) = written[position].as_deref_mut() else {
                continue;
            };
            let key_at = at.key(key.key);
            match typed_by {
                Some(schema) => self.dict(schema.root, value, &key_at),
                None => self.value(&key.value, value, &key_at),
            }
        }
    }

    fn value(&mut self, schema: &'static ValueSchema, value: &mut Value, at: &Location<'_>) {
        if let Some(exact) = schema.kind.coerce(value) {
            self.warnings.push(coerced(&at.path(), value, &schema.kind));
            *value = exact;
            return;
        }
        match (&schema.kind, value) {
            (ValueKind::Array(item), Value::Array(items)) => {
                for (index, element) in items.iter_mut().enumerate() {
                    self.value(item, element, &at.item(index));
                }
            }
            (ValueKind::Map(item), Value::Dictionary(entries)) => {
                for (key, element) in entries.iter_mut() {
                    self.value(item, element, &at.key(key));
                }
            }
            (ValueKind::Dict(dict), value) => self.dict(dict, value, at),
            (ValueKind::Payloads, Value::Array(items)) => {
                for (index, item) in items.iter_mut().enumerate() {
                    let schema = item
                        .as_dictionary()
                        .and_then(|dictionary| dictionary.get("PayloadType"))
                        .and_then(Value::as_string)
                        .and_then(|kind| self.lookup.schema_for(kind));
                    if let Some(schema) = schema {
                        self.dict(schema.root, item, &at.item(index));
                    }
                }
            }
            _ => {}
        }
    }
}
