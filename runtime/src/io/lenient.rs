//! Lenient reading: values written in a type devices accept but the schema
//! does not are brought to the schema's exact type. Which values qualify is
//! defined once, by [`ValueKind::coerce`]; the validators warn about exactly
//! these.

use plist::Value;

use crate::schema::{DictSchema, PayloadSchema, ValueKind, ValueSchema};
use crate::validate::PayloadLookup;

/// Brings every leniently typed value of `profile` (whose envelope is
/// `envelope`) to the schema's exact type, in place.
pub fn normalize(envelope: &'static PayloadSchema, lookup: PayloadLookup, profile: &mut Value) {
    Normalizer { lookup }.dict(envelope.root, profile);
}

/// Brings leniently typed values to the schema's exact types.
struct Normalizer {
    lookup: PayloadLookup,
}

impl Normalizer {
    fn dict(&self, schema: &'static DictSchema, value: &mut Value) {
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
                match typed_by {
                    Some(schema) => self.dict(schema.root, value),
                    None => self.value(&key.value, value),
                }
            }
        }
    }

    fn value(&self, schema: &'static ValueSchema, value: &mut Value) {
        if let Some(exact) = schema.kind.coerce(value) {
            *value = exact;
            return;
        }
        match (&schema.kind, value) {
            (ValueKind::Array(item), Value::Array(items)) => {
                for element in items {
                    self.value(item, element);
                }
            }
            (ValueKind::Map(item), Value::Dictionary(entries)) => {
                for (_, element) in entries.iter_mut() {
                    self.value(item, element);
                }
            }
            (ValueKind::Dict(dict), value) => self.dict(dict, value),
            (ValueKind::Payloads, Value::Array(items)) => {
                for item in items {
                    let schema = item
                        .as_dictionary()
                        .and_then(|dictionary| dictionary.get("PayloadType"))
                        .and_then(Value::as_string)
                        .and_then(|kind| self.lookup.schema_for(kind));
                    if let Some(schema) = schema {
                        self.dict(schema.root, item);
                    }
                }
            }
            _ => {}
        }
    }
}
