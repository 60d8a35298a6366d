//! The inputs of the benchmarks (`benches/speed.rs`), built from the
//! repository's fixture profiles so nothing is fetched: the fixtures as
//! they are, one with several errors, and profiles of many payloads for the
//! scaling rows. `cargo xtask bench` runs the benchmarks and prints the
//! table.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use plist::{Dictionary, Value};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The bytes of a fixture profile (`tests/profiles/NAME`).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = workspace_root().join("tests/profiles").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A fixture as a plist value.
pub fn fixture_value(name: &str) -> Value {
    Value::from_reader(std::io::Cursor::new(fixture(name)))
        .unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// The on-demand IKEv2 fixture with five mistakes: an MTU out of range, an
/// unknown encryption algorithm, a negative lifetime, a missing remote
/// address and an unknown on-demand action.
pub fn broken_profile() -> Value {
    let mut profile = fixture_value("ikev2-on-demand.mobileconfig");
    let payload = payload_mut(&mut profile, 0);
    let ikev2 = payload
        .get_mut("IKEv2")
        .and_then(Value::as_dictionary_mut)
        .expect("an IKEv2 dictionary");
    ikev2.insert("MTU".to_owned(), Value::Integer(9000.into()));
    ikev2.remove("RemoteAddress");
    let child = ikev2
        .entry("ChildSecurityAssociationParameters")
        .or_insert_with(|| Value::Dictionary(Dictionary::new()))
        .as_dictionary_mut()
        .expect("a dictionary");
    child.insert(
        "EncryptionAlgorithm".to_owned(),
        Value::String("ROT13".to_owned()),
    );
    child.insert("LifeTimeInMinutes".to_owned(), Value::Integer((-5).into()));
    if let Some(rules) = ikev2.get_mut("OnDemandRules").and_then(Value::as_array_mut)
        && let Some(rule) = rules.first_mut().and_then(Value::as_dictionary_mut)
    {
        rule.insert("Action".to_owned(), Value::String("Teleport".to_owned()));
    }
    profile
}

/// A profile of `count` payloads: copies of the EAP fixture's VPN payload,
/// each with its own UUID and identifier.
pub fn profile_of(count: usize) -> Value {
    repeated("ikev2-eap.mobileconfig", count)
}

/// A profile of `count` certificate payloads (root, PKCS#1 and PEM, each
/// with its certificate), about 1.6 KB each.
pub fn certificates_profile(count: usize) -> Value {
    repeated("certs-root-pkcs1-pem.mobileconfig", count)
}

fn repeated(fixture_name: &str, count: usize) -> Value {
    let mut profile = fixture_value(fixture_name);
    let template: Vec<Value> = payloads(&profile).to_vec();
    let mut content = Vec::with_capacity(count);
    for index in 0..count {
        let mut payload = template[index % template.len()].clone();
        if let Some(dictionary) = payload.as_dictionary_mut() {
            dictionary.insert(
                "PayloadUUID".to_owned(),
                Value::String(format!("00000000-0000-4000-8000-{index:012}")),
            );
            dictionary.insert(
                "PayloadIdentifier".to_owned(),
                Value::String(format!("com.example.bench.{index}")),
            );
        }
        content.push(payload);
    }
    if let Some(dictionary) = profile.as_dictionary_mut() {
        dictionary.insert("PayloadContent".to_owned(), Value::Array(content));
    }
    profile
}

fn payloads(profile: &Value) -> &[Value] {
    profile
        .as_dictionary()
        .and_then(|dictionary| dictionary.get("PayloadContent"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn payload_mut(profile: &mut Value, index: usize) -> &mut Dictionary {
    profile
        .as_dictionary_mut()
        .and_then(|dictionary| dictionary.get_mut("PayloadContent"))
        .and_then(Value::as_array_mut)
        .and_then(|payloads| payloads.get_mut(index))
        .and_then(Value::as_dictionary_mut)
        .expect("a payload")
}

/// The XML bytes of a value.
pub fn xml(value: &Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    value.to_writer_xml(&mut bytes).expect("writes");
    bytes
}

/// The binary plist bytes of a value.
pub fn binary(value: &Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    value.to_writer_binary(&mut bytes).expect("writes");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use mobileconfig::runtime::Severity;

    fn errors(profile: &Value) -> Vec<String> {
        mobileconfig::validate_profile(profile, None)
            .into_iter()
            .filter(|finding| finding.severity == Severity::Error)
            .map(|finding| format!("{}: {}", finding.path, finding.code))
            .collect()
    }

    #[test]
    fn the_inputs_are_what_the_rows_say() {
        assert_eq!(
            errors(&fixture_value("ikev2-on-demand.mobileconfig")),
            Vec::<String>::new()
        );
        assert!(
            errors(&broken_profile()).len() >= 5,
            "{:?}",
            errors(&broken_profile())
        );
        for count in [1, 10, 100] {
            assert_eq!(errors(&profile_of(count)), Vec::<String>::new(), "{count}");
            assert_eq!(payloads(&profile_of(count)).len(), count);
        }
        let certificates = certificates_profile(300);
        assert!(
            xml(&certificates).len() > 450_000,
            "{}",
            xml(&certificates).len()
        );
    }
}
