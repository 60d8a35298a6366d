//! The `profile` target: arbitrary bytes as a `.mobileconfig` file.
//!
//! What must hold for every input:
//!
//! 1. reading never panics: bytes that are not a profile are a
//!    [`ReadError`](mobileconfig::runtime::io::ReadError);
//! 2. every plist that parses validates without panicking, whether or not it
//!    is a dictionary and whether or not it decodes;
//! 3. a profile that decodes validates through its typed API, and writes as
//!    XML and as binary;
//! 4. what was written reads back without a warning, to the same profile,
//!    and writing that again gives the same bytes.
//!
//! Reading is lenient (a `<true/>` where a 0/1 integer flag belongs, a whole
//! `<real>` for an `<integer>`…, each reported as a warning and brought to
//! the schema's type), so the input's own plist is *not* what comes back:
//! the invariant is on the decoded, typed profile. A typed profile is
//! compared through its plist form ([`same_value`]), where a NaN `<real>`
//! equals a NaN: the typed `PartialEq` would call a profile holding a NaN
//! different from itself.

use mobileconfig::runtime::io::{self, OutputFormat};
use mobileconfig::{Profile, read_profile, validate_profile};
use plist::Value;

/// Runs one input of the `profile` target.
pub fn run(bytes: &[u8]) {
    if let Ok(value) = io::parse(bytes) {
        validate_profile(&value, None);
    }
    let Ok(decoded) = read_profile(bytes) else {
        return;
    };
    check_decoded(&decoded.value);
}

/// Invariants 3 and 4 for a profile that was read: it validates, and it
/// survives writing and reading in both encodings.
pub fn check_decoded(profile: &Profile) {
    profile.validate(None);
    for format in [OutputFormat::Xml, OutputFormat::Binary] {
        round_trip(profile, format);
    }
}

fn round_trip(profile: &Profile, format: OutputFormat) {
    let written = io::write(profile, format).unwrap_or_else(|error| {
        panic!("a profile that was read cannot be written ({format:?}): {error}")
    });
    let again = read_profile(&written).unwrap_or_else(|error| {
        panic!(
            "a profile written as {format:?} cannot be read back: {error}\n{}",
            String::from_utf8_lossy(&written)
        )
    });
    assert!(
        again.warnings.is_empty(),
        "a profile written as {format:?} reads back with warnings: {:?}",
        again.warnings
    );
    let before = as_plist(profile);
    let after = as_plist(&again.value);
    assert!(
        same_value(&before, &after),
        "a profile written as {format:?} reads back changed:\nbefore: {before:?}\nafter:  {after:?}"
    );
    let rewritten = io::write(&again.value, format).unwrap_or_else(|error| {
        panic!("a profile read back cannot be written ({format:?}): {error}")
    });
    assert!(
        rewritten == written,
        "writing a profile as {format:?} twice gives different bytes"
    );
}

fn as_plist(profile: &Profile) -> Value {
    plist::to_value(profile)
        .unwrap_or_else(|error| panic!("a typed profile has no plist form: {error}"))
}

/// Plist equality where a NaN `<real>` equals a NaN (of any sign or
/// payload, which the XML encoding does not keep).
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(a), Value::Real(b)) => a == b || (a.is_nan() && b.is_nan()),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_value(a, b))
        }
        (Value::Dictionary(a), Value::Dictionary(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b.iter())
                    .all(|((key_a, a), (key_b, b))| key_a == key_b && same_value(a, b))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_equals_nan_and_nothing_else() {
        let nan = Value::Real(f64::NAN);
        assert!(same_value(&nan, &Value::Real(-f64::NAN)));
        assert!(!same_value(&nan, &Value::Real(0.0)));
        let dict = |value: Value| {
            Value::Dictionary(plist::Dictionary::from_iter([("Key".to_owned(), value)]))
        };
        assert!(same_value(&dict(nan.clone()), &dict(nan.clone())));
        assert!(!same_value(&dict(nan), &dict(Value::Integer(1.into()))));
    }

    #[test]
    fn the_order_of_keys_counts() {
        let ab = Value::Dictionary(plist::Dictionary::from_iter([
            ("A".to_owned(), Value::Boolean(true)),
            ("B".to_owned(), Value::Boolean(true)),
        ]));
        let ba = Value::Dictionary(plist::Dictionary::from_iter([
            ("B".to_owned(), Value::Boolean(true)),
            ("A".to_owned(), Value::Boolean(true)),
        ]));
        assert!(!same_value(&ab, &ba));
    }
}
