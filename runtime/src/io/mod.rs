//! Reading and writing `.mobileconfig` files: lenient in what it reads, exact
//! in what it writes. One module a job:
//!
//! - [`parse`](mod@parse): bytes to a plist value, refusing inputs too large,
//!   too deep or too repetitive before anything is built;
//! - [`lenient`]: values written in a type devices accept but the schema does
//!   not (`<true/>` for a 0/1 flag, `<real>1</real>` for an integer) brought to
//!   the schema's exact type;
//! - [`write`](mod@write): XML, binary or JSON out;
//! - [`json`]: the JSON form of a profile, both ways.
//!
//! [`read_profile`] puts the first two together with the validators and the
//! typed decoding.

use std::fmt;

use plist::Value;
use serde::de::DeserializeOwned;

use crate::schema::{PayloadSchema, Severity};
use crate::validate::{Diagnostic, PayloadLookup, validate_profile};

pub mod json;
pub mod lenient;
pub mod parse;
pub mod write;

pub use json::{from_json, to_json};
#[cfg(feature = "signed")]
pub use parse::parse_unwrapped;
pub use parse::{MAX_EXPANDED_SIZE, MAX_INPUT_BYTES, MAX_NESTING, parse};
pub use write::{OutputFormat, write};

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
    /// A signed profile whose envelope does not read, or whose signature
    /// does not hold over its content.
    Signed(crate::signed::SignedError),
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
            ReadError::Signed(error) => write!(f, "{error}"),
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

/// Reads a profile: parse, bring lenient values to the schema's types (one
/// warning each), decode into `T`.
pub fn read_profile<T: DeserializeOwned>(
    bytes: &[u8],
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
) -> Result<Decoded<T>, ReadError> {
    decode_checked(
        || dictionary(parse(bytes)?),
        envelope,
        lookup,
        |value| validate_profile(envelope, lookup, value, None),
    )
}

/// Reads a profile as [`read_profile`] does, and hands back the envelope
/// of a signed one (see [`parse_unwrapped`]).
#[cfg(feature = "signed")]
pub fn read_profile_unwrapped<T: DeserializeOwned>(
    bytes: &[u8],
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
) -> Result<crate::signed::Unwrapped<Decoded<T>>, ReadError> {
    let unwrapped = parse_unwrapped(bytes)?;
    let mut content = Some(dictionary(unwrapped.content)?);
    Ok(crate::signed::Unwrapped {
        content: decode_checked(
            // The second read, only for a profile that does not decode,
            // parses the content again.
            || match content.take() {
                Some(value) => Ok(value),
                None => dictionary(parse(bytes)?),
            },
            envelope,
            lookup,
            |value| validate_profile(envelope, lookup, value, None),
        )?,
        envelope: unwrapped.envelope,
    })
}

/// Reads a declaration: JSON, as declarative device management carries it,
/// read as a plist value guided by the schema (so data and dates come back
/// as such), then like a profile.
pub fn read_declaration<T: DeserializeOwned>(
    bytes: &[u8],
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
) -> Result<Decoded<T>, ReadError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    // serde_json refuses nesting deeper than 128, as `parse` does.
    let json: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| ReadError::NotAPlist(format!("not JSON: {error}")))?;
    decode_checked(
        || dictionary(from_json(&json, envelope, lookup).map_err(ReadError::NotAPlist)?),
        envelope,
        lookup,
        |value| crate::validate::validate_payload(envelope, lookup, value, None),
    )
}

/// The value, if it is a dictionary.
fn dictionary(value: Value) -> Result<Value, ReadError> {
    match value {
        Value::Dictionary(_) => Ok(value),
        other => Err(ReadError::NotADictionary {
            found: with_article(&other),
        }),
    }
}

/// Reads a value with `read`, brings lenient values to the schema's types (a
/// warning each) and decodes into `T`. Decoding takes the value apart, so
/// `read` is called a second time, with the normalisation, only when the
/// value does not decode: then the validators run on it to say where and
/// why with their key paths. Reading a valid profile does not pay for a full
/// check, nor for a copy of the value.
fn decode_checked<T: DeserializeOwned>(
    mut read: impl FnMut() -> Result<Value, ReadError>,
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
    validate: impl FnOnce(&Value) -> Vec<Diagnostic>,
) -> Result<Decoded<T>, ReadError> {
    let mut value = read()?;
    let warnings = lenient::normalize(envelope, lookup, &mut value);
    match crate::from_value(value) {
        Ok(decoded) => Ok(Decoded {
            value: decoded,
            warnings,
        }),
        Err(error) => {
            let mut value = read()?;
            lenient::normalize(envelope, lookup, &mut value);
            // The normalised value has the same errors as the value read
            // (a leniently typed value is never an error).
            let mut problems: Vec<Diagnostic> = validate(&value)
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
