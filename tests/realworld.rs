//! The generated crate on real profiles from public projects
//! (`shared/realworld`): how many payloads decode to a typed variant, and
//! that every payload Apple documents is validated while the others are
//! reported as not checked.

use std::collections::BTreeMap;

use mobileconfig::runtime::io::{self, lenient};
use mobileconfig::runtime::{Coverage, Severity, UNKNOWN_PAYLOAD_TYPE};
use mobileconfig::{Payload, payload, profile};
use mobileconfig_tests::require_realworld_profiles;
use plist::Value;

/// What became of one payload of one file.
#[derive(Debug, Default)]
struct Tally {
    payloads: usize,
    typed: usize,
    /// Typed payloads that did not decode: (file, payload type, why).
    undecoded: Vec<(String, String, String)>,
    /// Payload types with no schema, and how often.
    unchecked: BTreeMap<String, usize>,
    files: usize,
    unreadable: Vec<String>,
    coverage: Coverage,
}

fn tally() -> Tally {
    let dir = require_realworld_profiles();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "mobileconfig"))
        .collect();
    files.sort();
    let mut tally = Tally::default();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        tally.files += 1;
        let bytes = std::fs::read(&path).unwrap();
        let mut value = match io::parse(&bytes) {
            Ok(value) => value,
            Err(error) => {
                tally.unreadable.push(format!("{name}: {error}"));
                continue;
            }
        };
        let findings = mobileconfig::validate_profile(&value, None);
        tally.coverage += Coverage::of(&value, &findings);
        for finding in &findings {
            if finding.code == UNKNOWN_PAYLOAD_TYPE {
                assert_eq!(finding.severity, Severity::Info, "{name}: {finding}");
            }
        }
        lenient::normalize(&profile::schema::PAYLOAD, payload::LOOKUP, &mut value);
        let items = value
            .as_dictionary()
            .and_then(|profile| profile.get("PayloadContent"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            let Some(kind) = item
                .as_dictionary()
                .and_then(|item| item.get("PayloadType"))
                .and_then(Value::as_string)
            else {
                continue;
            };
            tally.payloads += 1;
            let documented = payload::schema_for(kind).is_some();
            // A payload Apple documents is validated: no "not checked" note
            // on it; one it does not is reported as not checked.
            let noted = findings.iter().any(|finding| {
                finding.code == UNKNOWN_PAYLOAD_TYPE
                    && finding.path == format!("PayloadContent[{index}]")
            });
            assert_eq!(
                noted, !documented,
                "{name}: PayloadContent[{index}] ({kind})"
            );
            if !documented {
                *tally.unchecked.entry(kind.to_owned()).or_default() += 1;
                continue;
            }
            match plist::from_value::<Payload>(item) {
                Ok(Payload::Other(_)) => {
                    panic!(
                        "{name}: PayloadContent[{index}] ({kind}) has a schema but stayed untyped"
                    )
                }
                Ok(_) => tally.typed += 1,
                Err(error) => tally.undecoded.push((
                    name.clone(),
                    kind.to_owned(),
                    mobileconfig::runtime::error_message(&error),
                )),
            }
        }
    }
    tally
}

#[test]
fn nine_in_ten_real_payloads_decode_to_their_type_and_the_rest_are_reported() {
    let tally = tally();
    assert!(tally.files >= 90, "only {} files", tally.files);
    let share = tally.typed as f64 / tally.payloads as f64;
    let unchecked: usize = tally.unchecked.values().sum();
    println!(
        "{} files ({} unreadable), {} payloads: {} typed ({:.1}%), {} documented but not \
         decoded, {unchecked} of types with no schema: {:?}",
        tally.files,
        tally.unreadable.len(),
        tally.payloads,
        tally.typed,
        share * 100.0,
        tally.undecoded.len(),
        tally.unchecked
    );
    for (file, kind, why) in &tally.undecoded {
        println!("  not decoded: {file}: {kind}: {why}");
    }
    for file in &tally.unreadable {
        println!("  unreadable: {file}");
    }
    assert!(share >= 0.9, "only {:.1}% of payloads typed", share * 100.0);
    // The summary's counts are the same payloads, seen by the validator.
    assert_eq!(tally.coverage.unchecked, unchecked);
    assert_eq!(
        tally.coverage.checked,
        tally.typed + tally.undecoded.len(),
        "every documented payload is checked"
    );
}
