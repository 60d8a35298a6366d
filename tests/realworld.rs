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

/// Findings are judged as of this moment, so certificates that expire later
/// do not change the reviewed snapshot (2026-12-02T00:00:00Z, the day after
/// the corpus's test certificates were made).
fn review_moment() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_169_600)
}

/// Every finding on every real profile, file by file: the snapshot is the
/// reviewed set, and `tests/realworld-verdicts.yaml` says for each kind of
/// finding why an administrator would agree with it.
#[test]
fn the_findings_on_real_profiles_are_the_reviewed_ones() {
    let dir = require_realworld_profiles();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "mobileconfig"))
        .collect();
    files.sort();
    let mut report = String::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let value = match io::parse(&bytes) {
            Ok(value) => value,
            Err(error) => {
                report.push_str(&format!("{name}\n  unreadable: {error}\n"));
                *codes.entry("unreadable".to_owned()).or_default() += 1;
                continue;
            }
        };
        let findings = mobileconfig::runtime::validate::validate_profile_as_of(
            &profile::schema::PAYLOAD,
            payload::LOOKUP,
            &value,
            None,
            review_moment(),
        );
        if findings.is_empty() {
            continue;
        }
        report.push_str(&format!("{name}\n"));
        for finding in &findings {
            report.push_str(&format!("  {finding}\n"));
            *codes.entry(finding.code.clone()).or_default() += 1;
        }
    }
    insta::assert_snapshot!("realworld_findings", report);

    // Each kind of finding has the project's verdict, and each verdict a
    // finding.
    let path = mobileconfig_tests::workspace_root().join("tests/realworld-verdicts.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let verdicts: BTreeMap<String, String> =
        serde_yaml::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let unjudged: Vec<&String> = codes
        .keys()
        .filter(|code| !verdicts.contains_key(*code))
        .collect();
    let stale: Vec<&String> = verdicts
        .keys()
        .filter(|code| !codes.contains_key(*code))
        .collect();
    assert!(
        unjudged.is_empty() && stale.is_empty(),
        "findings without a verdict: {unjudged:?}; verdicts without a finding: {stale:?} ({})",
        path.display()
    );
}
