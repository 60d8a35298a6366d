//! The JSON form of a profile: dates as RFC 3339 strings, data as base64,
//! and back again guided by the schema tables.

use plist::Value;

use crate::schema::{DictSchema, PayloadSchema, ValueKind, ValueSchema};
use crate::validate::PayloadLookup;

/// A plist value as JSON: dates become RFC 3339 strings, data base64
/// strings, and non-finite reals (which JSON cannot hold) strings.
pub fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::String(text) => Json::String(text.clone()),
        Value::Boolean(boolean) => Json::Bool(*boolean),
        Value::Integer(integer) => match (integer.as_signed(), integer.as_unsigned()) {
            (Some(signed), _) => Json::from(signed),
            (None, Some(unsigned)) => Json::from(unsigned),
            (None, None) => Json::Null,
        },
        Value::Real(real) => serde_json::Number::from_f64(*real)
            .map(Json::Number)
            .unwrap_or_else(|| Json::String(real.to_string())),
        Value::Date(date) => Json::String(date.to_xml_format()),
        Value::Data(bytes) => Json::String(
            plist::Data::new(bytes.clone())
                .to_xml_format()
                .split_whitespace()
                .collect(),
        ),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Dictionary(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), to_json(value)))
                .collect(),
        ),
        Value::Uid(uid) => Json::from(uid.get()),
        _ => Json::Null,
    }
}

/// A profile in the JSON form [`to_json`] writes, back as a plist value:
/// strings where the schema has a `<date>` or `<data>` become dates and data
/// again (the schema tables say where). A string that is not a valid date or
/// base64 stays a string, for the validators to report. JSON `null` has no
/// plist form and is refused.
pub fn from_json(
    json: &serde_json::Value,
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
) -> Result<Value, String> {
    JsonReader { lookup }.dict(Some(envelope.root), json, "")
}

struct JsonReader {
    lookup: PayloadLookup,
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl JsonReader {
    fn dict(
        &self,
        schema: Option<&'static DictSchema>,
        json: &serde_json::Value,
        path: &str,
    ) -> Result<Value, String> {
        let serde_json::Value::Object(entries) = json else {
            return self.value(None, json, path);
        };
        let mut dictionary = plist::Dictionary::new();
        for (key, value) in entries {
            let key_schema = schema
                .and_then(|schema| schema.key(key))
                .map(|key| &key.value);
            let value = match key_schema.map(|schema| schema.kind) {
                // A dictionary a sibling types takes that sibling's schema.
                Some(ValueKind::TypedBy(by)) => {
                    let typed = entries
                        .get(by)
                        .and_then(serde_json::Value::as_str)
                        .and_then(|kind| self.lookup.schema_for(kind))
                        .map(|payload| payload.root);
                    self.dict(typed, value, &child(path, key))?
                }
                _ => self.value(key_schema, value, &child(path, key))?,
            };
            dictionary.insert(key.clone(), value);
        }
        Ok(Value::Dictionary(dictionary))
    }

    fn value(
        &self,
        schema: Option<&'static ValueSchema>,
        json: &serde_json::Value,
        path: &str,
    ) -> Result<Value, String> {
        use serde_json::Value as Json;
        let kind = schema.map(|schema| schema.kind);
        let items = |items: &Vec<Json>, item: Option<&'static ValueSchema>| {
            items
                .iter()
                .enumerate()
                .map(|(index, element)| self.value(item, element, &format!("{path}[{index}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        };
        Ok(match (kind, json) {
            (_, Json::Null) => return Err(format!("{path}: JSON null has no property-list form")),
            (Some(ValueKind::Date), Json::String(text)) => plist::Date::from_xml_format(text)
                .map(Value::Date)
                .unwrap_or_else(|_| Value::String(text.clone())),
            (Some(ValueKind::Data), Json::String(text)) => base64_decode(text)
                .map(Value::Data)
                .unwrap_or_else(|| Value::String(text.clone())),
            (Some(ValueKind::Dict(dict)), Json::Object(_)) => self.dict(Some(dict), json, path)?,
            (Some(ValueKind::Array(item)), Json::Array(elements)) => items(elements, Some(item))?,
            (Some(ValueKind::Map(item)), Json::Object(entries)) => {
                let mut dictionary = plist::Dictionary::new();
                for (key, element) in entries {
                    dictionary.insert(
                        key.clone(),
                        self.value(Some(item), element, &child(path, key))?,
                    );
                }
                Value::Dictionary(dictionary)
            }
            (Some(ValueKind::Payloads), Json::Array(elements)) => {
                let mut payloads = Vec::with_capacity(elements.len());
                for (index, item) in elements.iter().enumerate() {
                    let schema = item
                        .get("PayloadType")
                        .and_then(Json::as_str)
                        .and_then(|kind| self.lookup.schema_for(kind))
                        .map(|payload| payload.root);
                    payloads.push(self.dict(schema, item, &format!("{path}[{index}]"))?);
                }
                Value::Array(payloads)
            }
            (_, Json::Bool(boolean)) => Value::Boolean(*boolean),
            (_, Json::Number(number)) => match (number.as_i64(), number.as_u64()) {
                (Some(signed), _) => Value::Integer(signed.into()),
                (None, Some(unsigned)) => Value::Integer(unsigned.into()),
                (None, None) => Value::Real(number.as_f64().unwrap_or(f64::NAN)),
            },
            (_, Json::String(text)) => Value::String(text.clone()),
            (_, Json::Array(elements)) => items(elements, None)?,
            (_, Json::Object(_)) => self.dict(None, json, path)?,
        })
    }
}

/// Standard base64 with padding, accepting any trailing bits: exactly the
/// strings the JSON Schema's base64 `pattern` accepts.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    LENIENT.decode(text).ok()
}
