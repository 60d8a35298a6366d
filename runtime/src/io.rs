//! Reading and writing `.mobileconfig` files: lenient in what it reads, exact
//! in what it writes.
//!
//! Reading parses XML or binary plists (refusing inputs too large or nested
//! too deeply before building anything), then brings values that real-world
//! generators write in a type devices accept (`<true/>` for a 0/1 integer
//! flag, `<real>1</real>` for an integer) to the schema's exact type, with a
//! warning for each. The typed structs then write the exact types back.

use std::fmt;
use std::io::Cursor;

use plist::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::schema::{DictSchema, PayloadSchema, Severity, ValueKind, ValueSchema};
use crate::validate::{Diagnostic, PayloadLookup, validate_profile};

/// The largest input read: profiles are kilobytes, a few megabytes with
/// embedded certificates and fonts.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// How deeply arrays and dictionaries may nest. Apple's deepest payloads
/// nest about ten levels. Dropping, decoding and validating a value recurse,
/// so deeper input is refused before it is built.
pub const MAX_NESTING: usize = 128;

/// How large a binary plist may become once shared objects are expanded,
/// counting each value as one plus the bytes of its text or data. A binary
/// plist can refer to one object many times, and the value built from it
/// repeats the object each time: an "object bomb" of a few hundred bytes
/// would stand for billions of values, a 20 MB string referred to three
/// million times for 60 TB.
pub const MAX_EXPANDED_SIZE: u64 = 8 * MAX_INPUT_BYTES as u64;

/// Why bytes could not be read as a profile.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    TooLarge {
        size: usize,
        limit: usize,
    },
    /// Not an XML or binary property list, or a damaged or truncated one.
    NotAPlist(String),
    TooDeep {
        limit: usize,
    },
    /// A binary plist whose shared objects expand past the limit.
    TooLargeExpanded {
        limit: u64,
    },
    /// The top level is not a dictionary.
    NotADictionary {
        found: String,
    },
    /// The plist is a dictionary but its values do not fit the schema's
    /// types; each problem with its key path.
    Invalid(Vec<Diagnostic>),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge { size, limit } => {
                write!(
                    f,
                    "the file is {size} bytes; profiles of more than {limit} bytes are refused"
                )
            }
            ReadError::NotAPlist(reason) => write!(f, "not a property list: {reason}"),
            ReadError::TooDeep { limit } => {
                write!(
                    f,
                    "arrays and dictionaries nest more than {limit} levels deep"
                )
            }
            ReadError::TooLargeExpanded { limit } => write!(
                f,
                "the binary plist refers to its objects so often that, expanded, it would take \
                 more than {limit} bytes"
            ),
            ReadError::NotADictionary { found } => {
                write!(f, "a profile is a <dictionary>, this file holds {found}")
            }
            ReadError::Invalid(diagnostics) => {
                write!(f, "the values do not fit the schema's types:")?;
                for diagnostic in diagnostics {
                    write!(f, "\n  {diagnostic}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// A value read leniently, with a warning for each value brought to the
/// schema's exact type.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    pub value: T,
    pub warnings: Vec<Diagnostic>,
}

/// Parses XML or binary plist bytes into a value, within the size and
/// nesting limits.
pub fn parse(bytes: &[u8]) -> Result<Value, ReadError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    // Measure the nesting (and, for binary plists, the expanded size) before
    // building anything.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(body.len());
    if body.starts_with(b"bplist") {
        binary_shape(bytes)?;
    } else if body[start..].starts_with(b"<") {
        if xml_depth(bytes) > MAX_NESTING {
            return Err(ReadError::TooDeep { limit: MAX_NESTING });
        }
    } else {
        return Err(ReadError::NotAPlist(
            "only XML and binary property lists are read, and this is neither".to_owned(),
        ));
    }
    Value::from_reader(Cursor::new(bytes)).map_err(|error| ReadError::NotAPlist(error.to_string()))
}

/// How deeply arrays and dictionaries nest in an XML plist, read with the
/// parser's own tokenizer (its event reader does not recurse), so no trick
/// of attributes, comments or processing instructions can hide a level.
/// Stops counting past the limit; a malformed document is left to the
/// parser to report.
fn xml_depth(bytes: &[u8]) -> usize {
    use plist::stream::{Event, Reader};
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for event in Reader::new(Cursor::new(bytes)) {
        match event {
            Ok(Event::StartArray(_) | Event::StartDictionary(_)) => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_NESTING {
                    break;
                }
            }
            Ok(Event::EndCollection) => depth = depth.saturating_sub(1),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    deepest
}

/// Follows a binary plist's object references from the top object without
/// recursion, refusing reference cycles, nesting deeper than
/// [`MAX_NESTING`] and shared objects that expand past
/// [`MAX_EXPANDED_SIZE`].
fn binary_shape(bytes: &[u8]) -> Result<(), ReadError> {
    let damaged = |what: &str| ReadError::NotAPlist(format!("damaged binary plist: {what}"));
    if bytes.len() < 8 + 32 {
        return Err(damaged("too short"));
    }
    let trailer = &bytes[bytes.len() - 32..];
    let offset_size = usize::from(trailer[6]);
    let ref_size = usize::from(trailer[7]);
    let read_uint = |slice: &[u8]| {
        slice
            .iter()
            .fold(0u64, |value, byte| (value << 8) | u64::from(*byte))
    };
    let objects = read_uint(&trailer[8..16]);
    let top = read_uint(&trailer[16..24]);
    let table = read_uint(&trailer[24..32]);
    if !(1..=8).contains(&offset_size) || !(1..=8).contains(&ref_size) || top >= objects {
        return Err(damaged("bad trailer"));
    }
    let objects = usize::try_from(objects).map_err(|_| damaged("too many objects"))?;
    let table = usize::try_from(table).map_err(|_| damaged("bad offset table"))?;
    if objects > bytes.len()
        || table.saturating_add(objects.saturating_mul(offset_size)) > bytes.len()
    {
        return Err(damaged("offset table out of bounds"));
    }
    let offset_of = |object: usize| {
        let start = table + object * offset_size;
        usize::try_from(read_uint(&bytes[start..start + offset_size])).unwrap_or(usize::MAX)
    };
    // The objects a container refers to.
    let children = |object: usize| -> Result<Vec<usize>, ReadError> {
        let offset = offset_of(object);
        let marker = *bytes
            .get(offset)
            .ok_or_else(|| damaged("object out of bounds"))?;
        let (kind, low) = (marker >> 4, usize::from(marker & 0x0f));
        if !matches!(kind, 0xA | 0xC | 0xD) {
            return Ok(Vec::new());
        }
        let (count, mut start) = if low == 0x0f {
            let int_marker = *bytes
                .get(offset + 1)
                .ok_or_else(|| damaged("truncated count"))?;
            let width = 1usize << (int_marker & 0x07);
            let digits = bytes
                .get(offset + 2..offset + 2 + width)
                .ok_or_else(|| damaged("truncated count"))?;
            let count = usize::try_from(read_uint(digits)).map_err(|_| damaged("bad count"))?;
            (count, offset + 2 + width)
        } else {
            (low, offset + 1)
        };
        let refs = if kind == 0xD {
            count.saturating_mul(2)
        } else {
            count
        };
        let end = start
            .checked_add(
                refs.checked_mul(ref_size)
                    .ok_or_else(|| damaged("bad count"))?,
            )
            .filter(|end| *end <= bytes.len())
            .ok_or_else(|| damaged("references out of bounds"))?;
        let mut found = Vec::with_capacity(refs);
        while start < end {
            let child =
                usize::try_from(read_uint(&bytes[start..start + ref_size])).unwrap_or(usize::MAX);
            if child >= objects {
                return Err(damaged("reference to a missing object"));
            }
            found.push(child);
            start += ref_size;
        }
        Ok(found)
    };
    // The bytes of an object's own text or data (strings, data), from its
    // marker and length.
    let own_bytes = |object: usize| -> u64 {
        let offset = offset_of(object);
        let Some(&marker) = bytes.get(offset) else {
            return 0;
        };
        let (kind, low) = (marker >> 4, u64::from(marker & 0x0f));
        let length = if low == 0x0f {
            bytes.get(offset + 1).map_or(0, |int_marker| {
                let width = 1usize << (int_marker & 0x07);
                bytes
                    .get(offset + 2..offset + 2 + width)
                    .map_or(0, |digits| {
                        digits
                            .iter()
                            .fold(0u64, |value, byte| (value << 8) | u64::from(*byte))
                    })
            })
        } else {
            low
        };
        match kind {
            0x4 | 0x5 => length,             // data, ASCII string
            0x6 => length.saturating_mul(2), // UTF-16 string
            _ => 0,
        }
    };
    let top = usize::try_from(top).map_err(|_| damaged("bad top object"))?;
    // Post-order, iteratively, each object once: its expanded size and the
    // depth of the containers below it.
    let mut shape: Vec<Option<(u64, usize)>> = vec![None; objects];
    let mut open = vec![false; objects];
    let mut stack = vec![(top, false)];
    while let Some((object, children_done)) = stack.pop() {
        if shape[object].is_some() {
            continue;
        }
        let refs = children(object)?;
        if !children_done {
            if open[object] {
                return Err(damaged("an object contains itself"));
            }
            open[object] = true;
            stack.push((object, true));
            for &child in &refs {
                if open[child] {
                    return Err(damaged("an object contains itself"));
                }
                if shape[child].is_none() {
                    stack.push((child, false));
                }
            }
            continue;
        }
        open[object] = false;
        let (mut size, mut depth) = (1 + own_bytes(object), 0usize);
        for child in refs {
            let (child_size, child_depth) = shape[child].unwrap_or((1, 0));
            size = size.saturating_add(child_size);
            depth = depth.max(child_depth);
        }
        if matches!(
            bytes.get(offset_of(object)).map(|marker| marker >> 4),
            Some(0xA | 0xC | 0xD)
        ) {
            depth += 1;
        }
        if depth > MAX_NESTING {
            return Err(ReadError::TooDeep { limit: MAX_NESTING });
        }
        if size > MAX_EXPANDED_SIZE {
            return Err(ReadError::TooLargeExpanded {
                limit: MAX_EXPANDED_SIZE,
            });
        }
        shape[object] = Some((size, depth));
    }
    Ok(())
}

/// Reads a profile: parse, bring lenient values to the schema's types (one
/// warning each), decode into `T`.
pub fn read_profile<T: DeserializeOwned>(
    bytes: &[u8],
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
) -> Result<Decoded<T>, ReadError> {
    let mut value = parse(bytes)?;
    if !matches!(value, Value::Dictionary(_)) {
        return Err(ReadError::NotADictionary {
            found: with_article(&value),
        });
    }
    let findings = validate_profile(envelope, lookup, &value, None);
    Normalizer { lookup }.dict(envelope.root, &mut value);
    match plist::from_value(&value) {
        Ok(decoded) => Ok(Decoded {
            value: decoded,
            warnings: findings
                .into_iter()
                .filter(|diagnostic| diagnostic.code == "type-coerced")
                .collect(),
        }),
        Err(error) => {
            // Say where, with the validator's key paths; the decoder's own
            // message is the fallback.
            let mut problems: Vec<Diagnostic> = findings
                .into_iter()
                .filter(|diagnostic| diagnostic.severity == Severity::Error)
                .collect();
            if problems.is_empty() {
                problems.push(Diagnostic {
                    path: String::new(),
                    severity: Severity::Error,
                    code: "decode".to_owned(),
                    message: crate::error_message(&error),
                });
            }
            Err(ReadError::Invalid(problems))
        }
    }
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
            if let Some(value) = dictionary.get_mut(key.key) {
                self.value(&key.value, value);
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
                        .and_then(self.lookup);
                    if let Some(schema) = schema {
                        self.dict(schema.root, item);
                    }
                }
            }
            _ => {}
        }
    }
}

/// "a `<dictionary>`", "an `<array>`": for messages.
pub fn with_article(value: &Value) -> String {
    let name = crate::validate::type_name(value);
    let article = if name.starts_with("<a") || name.starts_with("<i") {
        "an"
    } else {
        "a"
    };
    if name.starts_with('<') {
        format!("{article} {name}")
    } else {
        name.to_owned()
    }
}

/// The encodings a profile can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// XML property list: what `.mobileconfig` files usually are.
    Xml,
    /// Binary property list.
    Binary,
    /// JSON: dates as RFC 3339 strings, data as base64 strings.
    Json,
}

impl OutputFormat {
    pub fn parse(name: &str) -> Option<OutputFormat> {
        match name {
            "xml" => Some(OutputFormat::Xml),
            "binary" => Some(OutputFormat::Binary),
            "json" => Some(OutputFormat::Json),
            _ => None,
        }
    }
}

/// Writes a value (typically a typed profile) in `format`.
pub fn write<T: Serialize>(value: &T, format: OutputFormat) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        OutputFormat::Xml => {
            plist::to_writer_xml(&mut out, value).map_err(|error| error.to_string())?
        }
        OutputFormat::Binary => {
            plist::to_writer_binary(&mut out, value).map_err(|error| error.to_string())?
        }
        OutputFormat::Json => {
            let value = plist::to_value(value).map_err(|error| error.to_string())?;
            out = serde_json::to_vec_pretty(&to_json(&value)).map_err(|error| error.to_string())?;
            out.push(b'\n');
        }
    }
    Ok(out)
}

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
            dictionary.insert(
                key.clone(),
                self.value(key_schema, value, &child(path, key))?,
            );
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
                        .and_then(self.lookup)
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
