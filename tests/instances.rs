//! For every profile payload and declarative configuration: a minimal valid
//! instance built from its schema tables, and mutations that each break one
//! constraint of one key, for every key of every dictionary it can hold.
//! Each instance goes decode → validate → encode: the typed value validates
//! as the plist does and writes back unchanged, and the Rust validators and
//! the JSON Schema agree on it.

use std::collections::BTreeSet;

use mobileconfig::runtime::io::lenient;
use mobileconfig::runtime::plist::Value;
use mobileconfig::runtime::schema::{DictSchema, Literal, PayloadSchema, ValueKind, ValueSchema};
use mobileconfig::runtime::{Diagnostic, Severity};
use mobileconfig::{Declaration, DeclarationPayload, Payload, Profile};
use mobileconfig_codegen::ir::ModuleKind;
use mobileconfig_tests::{compiled, sources, workspace_root};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value as Json, json};

use crate::json_schema::Agreement;

/// What an instance is: a payload inside a profile, or a declaration.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Payload,
    Declaration,
}

/// A payload or declaration type and its tables.
struct Subject {
    kind: Kind,
    name: String,
    schema: &'static PayloadSchema,
}

/// Every type the generated crate decodes, from the schema it was generated
/// from.
fn subjects() -> Vec<Subject> {
    let ir = compiled(&sources(&workspace_root().join("schema")));
    let mut subjects = Vec::new();
    for module in &ir.modules {
        let (kind, schema) = match module.kind {
            ModuleKind::Payload if module.dispatched => (
                Kind::Payload,
                mobileconfig::payload::schema_for(&module.payload_type),
            ),
            ModuleKind::Declaration => (
                Kind::Declaration,
                mobileconfig::declaration::schema_for(&module.payload_type),
            ),
            _ => continue,
        };
        let schema = schema.unwrap_or_else(|| panic!("{}: no tables", module.payload_type));
        subjects.push(Subject {
            kind,
            name: module.payload_type.clone(),
            schema,
        });
    }
    subjects
}

/// A string the whole of `pattern` matches, drawn deterministically.
fn matching(pattern: &str) -> String {
    let bare = pattern.trim_start_matches('^').trim_end_matches('$');
    let strategy = proptest::string::string_regex(bare)
        .unwrap_or_else(|error| panic!("pattern {pattern}: {error}"));
    let mut runner = TestRunner::deterministic();
    strategy
        .new_tree(&mut runner)
        .unwrap_or_else(|error| panic!("pattern {pattern}: {error}"))
        .current()
}

/// A value the schema accepts.
fn valid_value(schema: &ValueSchema, depth: usize) -> Json {
    let first = schema.allowed.first();
    match schema.kind {
        ValueKind::String => match (first, schema.pattern) {
            (Some(Literal::Str(text)), _) => json!(text),
            (_, Some(pattern)) => json!(matching(pattern)),
            _ => json!(sample_text(schema)),
        },
        ValueKind::Integer => match first {
            Some(Literal::Int(value)) => json!(value),
            _ => json!(schema.min.map_or(0, |min| min.ceil() as i64)),
        },
        ValueKind::Real => match first {
            Some(Literal::Real(value)) => json!(value),
            Some(Literal::Int(value)) => json!(*value as f64),
            _ => json!(schema.min.unwrap_or(0.5)),
        },
        ValueKind::IntegerFlag => json!(0),
        ValueKind::Boolean => json!(true),
        ValueKind::Date => json!("2026-01-01T00:00:00Z"),
        ValueKind::Data => json!("AAEC"),
        ValueKind::Any => json!("anything"),
        ValueKind::Array(item) => {
            let count = schema.min_items.unwrap_or(1).max(1) as usize;
            if depth > 6 {
                json!([])
            } else {
                Json::Array(vec![valid_value(item, depth + 1); count])
            }
        }
        ValueKind::Map(item) => json!({ "Key": valid_value(item, depth + 1) }),
        ValueKind::Dict(dict) => valid_dict(dict, depth + 1),
        ValueKind::Payloads => json!([]),
        // A declaration's payload: built by its subject.
        ValueKind::TypedBy(_) => json!({}),
    }
}

/// A string of the kind the key holds (a UUID, a URL…), so that only the
/// constraint a mutation breaks is broken.
fn sample_text(schema: &ValueSchema) -> &'static str {
    use mobileconfig::runtime::format::Format;
    match schema.format {
        Some(Format::Uuid) => "00000000-0000-4000-8000-000000000000",
        Some(Format::Url) => "https://example.com/path",
        Some(Format::Hostname) | Some(Format::Domain) => "example.com",
        Some(Format::Email) => "admin@example.com",
        Some(Format::IpAddress) => "192.0.2.1",
        Some(Format::BundleIdentifier) => "com.example.app",
        Some(Format::Timestamp) => "2026-01-01T00:00:00Z",
        _ => "text",
    }
}

/// Keys beyond the required ones that an overlay rule asks for, so the
/// minimal instance of the type is valid: each entry names the rule.
fn rule_seeds(payload_type: &str) -> Vec<(&'static str, Json)> {
    match payload_type {
        // dns.https-needs-server-url: the first protocol, HTTPS, needs a URL.
        "com.apple.dnsSettings.managed" => vec![(
            "DNSSettings",
            json!({ "DNSProtocol": "HTTPS", "ServerURL": "https://dns.example.com/dns-query" }),
        )],
        // vpn.subtype-required: the first type, VPN, names its provider.
        "com.apple.vpn.managed" => vec![("VPNSubType", json!("com.example.vpn.provider"))],
        // wifi.ssid-missing: a network is named by SSID_STR or DomainName.
        "com.apple.wifi.managed" => vec![("SSID_STR", json!("Example"))],
        // security.acme.*: a hardware-bound key is an EC key of 256 or 384
        // bits.
        "com.apple.security.acme" => vec![
            ("KeyType", json!("ECSECPrimeRandom")),
            ("KeySize", json!(384)),
        ],
        _ => Vec::new(),
    }
}

fn valid_dict(dict: &DictSchema, depth: usize) -> Json {
    let mut object = serde_json::Map::new();
    for key in dict.keys.iter().filter(|key| key.required) {
        object.insert(key.key.to_owned(), valid_value(&key.value, depth));
    }
    Json::Object(object)
}

/// Values that break the schema of a key, one constraint each.
fn breaking_values(schema: &ValueSchema) -> Vec<(&'static str, Json)> {
    let wrong_type = match schema.kind {
        ValueKind::Dict(_) | ValueKind::Map(_) | ValueKind::TypedBy(_) => json!("not a dictionary"),
        ValueKind::Any => return Vec::new(),
        _ => json!({ "not": "the right type" }),
    };
    let mut values = vec![("wrong type", wrong_type)];
    if !schema.allowed.is_empty() {
        let outside = match schema.kind {
            ValueKind::String => json!("NotAnAllowedValue"),
            ValueKind::Real => json!(987_654.5),
            _ => json!(987_654),
        };
        values.push(("not allowed", outside));
    }
    if let Some(min) = schema.min {
        values.push(("below the range", json!(min.floor() as i64 - 1)));
    }
    if let Some(max) = schema.max {
        values.push(("above the range", json!(max.ceil() as i64 + 1)));
    }
    if let (ValueKind::Array(item), Some(max)) = (schema.kind, schema.max_items) {
        values.push((
            "too many items",
            Json::Array(vec![valid_value(item, 0); max as usize + 1]),
        ));
    }
    if let (ValueKind::Array(_), Some(min)) = (schema.kind, schema.min_items)
        && min > 0
    {
        values.push(("too few items", json!([])));
    }
    if schema.pattern.is_some() {
        values.push(("pattern", json!("does not match ###")));
    }
    values
}

/// A step from a dictionary down to one it holds.
#[derive(Clone, Debug)]
enum Step {
    Key(&'static str),
    /// The first item of an array.
    Item,
    /// The one entry of a dictionary of any keys.
    Entry,
}

/// Every dictionary a payload can hold, once each (shared and recursive
/// ones too), with the path to its first occurrence.
fn dictionaries(root: &'static DictSchema) -> Vec<(Vec<Step>, &'static DictSchema)> {
    let mut seen: BTreeSet<*const DictSchema> = BTreeSet::new();
    let mut found = Vec::new();
    let mut pending = vec![(Vec::new(), root)];
    while let Some((path, dict)) = pending.pop() {
        if !seen.insert(dict as *const DictSchema) {
            continue;
        }
        for key in dict.keys {
            let mut step = path.clone();
            step.push(Step::Key(key.key));
            let mut value = &key.value;
            loop {
                match value.kind {
                    ValueKind::Dict(inner) => {
                        pending.push((step, inner));
                        break;
                    }
                    ValueKind::Array(item) => {
                        step.push(Step::Item);
                        value = item;
                    }
                    ValueKind::Map(item) => {
                        step.push(Step::Entry);
                        value = item;
                    }
                    _ => break,
                }
            }
        }
        found.push((path, dict));
    }
    found
}

/// The dictionary at `path` of `instance`, made present (with valid
/// values) on the way down.
fn reach<'a>(
    instance: &'a mut Json,
    root: &'static DictSchema,
    path: &[Step],
) -> &'a mut serde_json::Map<String, Json> {
    let mut node = instance;
    let top = ValueSchema::of(ValueKind::Dict(root));
    let mut schema: &ValueSchema = &top;
    for step in path {
        let inner: &'static ValueSchema = match (step, schema.kind) {
            (Step::Key(key), ValueKind::Dict(dict)) => &dict.key(key).unwrap().value,
            (Step::Item, ValueKind::Array(item)) | (Step::Entry, ValueKind::Map(item)) => item,
            other => panic!("the path does not fit the schema: {other:?}"),
        };
        let value = valid_value(inner, 0);
        node = match step {
            Step::Key(key) => node
                .as_object_mut()
                .unwrap()
                .entry(key.to_owned())
                .or_insert(value),
            Step::Item => {
                let items = node.as_array_mut().unwrap();
                if items.is_empty() {
                    items.push(value);
                }
                &mut items[0]
            }
            Step::Entry => node
                .as_object_mut()
                .unwrap()
                .entry("Key".to_owned())
                .or_insert(value),
        };
        schema = inner;
    }
    node.as_object_mut().expect("a dictionary")
}

/// The instance in the JSON form its agreement reads: the payload in a
/// profile, or the declaration itself.
fn wrap(subject: &Subject, payload: &Json) -> Json {
    match subject.kind {
        Kind::Payload => {
            let mut profile = valid_dict(mobileconfig::profile::schema::PAYLOAD.root, 0);
            profile["PayloadContent"] = json!([payload]);
            // The profile's own UUID differs from its payload's.
            profile["PayloadUUID"] = json!("00000000-0000-4000-8000-00000000000F");
            profile
        }
        Kind::Declaration => {
            let mut declaration = valid_dict(mobileconfig::declaration::schema::PAYLOAD.root, 0);
            declaration["Type"] = json!(subject.name);
            declaration["Payload"] = payload.clone();
            declaration
        }
    }
}

/// The payload inside a wrapped instance.
fn payload_of<'a>(subject: &Subject, instance: &'a mut Json) -> &'a mut Json {
    match subject.kind {
        Kind::Payload => &mut instance["PayloadContent"][0],
        Kind::Declaration => &mut instance["Payload"],
    }
}

/// Decodes the plist into the crate's types, checks the payload is typed,
/// validates the typed value and writes it back: the findings are those of
/// the plist, and the value written is the value read. Returns whether it
/// decoded.
fn round_trip(subject: &Subject, label: &str, original: &Value) -> bool {
    let value = original;
    // What the readers decode: values devices accept in another type are
    // brought to the schema's (with a warning each), and written so.
    let mut value = value.clone();
    let (warnings, validated) = match subject.kind {
        Kind::Payload => (
            lenient::normalize(
                &mobileconfig::profile::schema::PAYLOAD,
                mobileconfig::payload::LOOKUP,
                &mut value,
            ),
            mobileconfig::validate_profile(original, None),
        ),
        Kind::Declaration => (
            lenient::normalize(
                &mobileconfig::declaration::schema::PAYLOAD,
                mobileconfig::declaration::LOOKUP,
                &mut value,
            ),
            mobileconfig::validate_declaration(original, None),
        ),
    };
    // The reader warns about exactly the values the validators call
    // leniently typed, at the same paths, in the same words.
    let coerced: Vec<Diagnostic> = validated
        .into_iter()
        .filter(|finding| finding.code == "type-coerced")
        .collect();
    let mut sorted_warnings = warnings;
    sorted_warnings.sort_by(|a, b| a.path.cmp(&b.path));
    let mut sorted_coerced = coerced;
    sorted_coerced.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(sorted_warnings, sorted_coerced, "{label}: lenient warnings");
    let value = &value;
    let (typed, findings, written) = match subject.kind {
        Kind::Payload => {
            let Ok(profile) = mobileconfig::runtime::plist::from_value::<Profile>(value) else {
                return false;
            };
            let payloads = profile.payload_content.as_deref().unwrap_or_default();
            let typed = !matches!(payloads.first(), Some(Payload::Other(_)) | None);
            let written = mobileconfig::runtime::plist::to_value(&profile).unwrap();
            (typed, profile.validate(None), written)
        }
        Kind::Declaration => {
            let Ok(declaration) = mobileconfig::runtime::plist::from_value::<Declaration>(value)
            else {
                return false;
            };
            let typed = !matches!(declaration.payload, DeclarationPayload::Other { .. });
            let written = mobileconfig::runtime::plist::to_value(&declaration).unwrap();
            (typed, declaration.validate(None), written)
        }
    };
    assert!(typed, "{label}: decoded as an unknown type");
    let expected = match subject.kind {
        Kind::Payload => mobileconfig::validate_profile(value, None),
        Kind::Declaration => mobileconfig::validate_declaration(value, None),
    };
    assert_eq!(
        codes(&findings),
        codes(&expected),
        "{label}: the typed value validates otherwise"
    );
    assert_eq!(&written, value, "{label}: written back otherwise");
    true
}

/// The findings, but the warnings about a value read in another type: the
/// typed value holds the schema's type, so it has none of those.
fn codes(findings: &[Diagnostic]) -> Vec<(String, String, Severity)> {
    let mut codes: Vec<_> = findings
        .iter()
        .filter(|d| d.code != "type-coerced")
        .map(|d| (d.path.clone(), d.code.clone(), d.severity))
        .collect();
    codes.sort();
    codes
}

/// A key whose change makes the payload another type (the dispatch key),
/// which is a different instance, not a broken one.
fn dispatches(subject: &Subject, path: &[Step], key: &str) -> bool {
    subject.kind == Kind::Payload && path.is_empty() && key == "PayloadType"
}

#[test]
fn every_payload_and_declaration_has_a_valid_instance_and_each_constraint_broken() {
    let subjects = subjects();
    let payloads = subjects.iter().filter(|s| s.kind == Kind::Payload).count();
    let declarations = subjects.len() - payloads;
    assert!(payloads >= 110, "only {payloads} payload types");
    assert!(declarations >= 30, "only {declarations} declaration types");
    let mut profiles = Agreement::new();
    let mut declared = Agreement::for_declarations();
    let (mut mutations, mut undecoded) = (0, 0);
    for subject in &subjects {
        let agreement = match subject.kind {
            Kind::Payload => &mut profiles,
            Kind::Declaration => &mut declared,
        };
        let mut payload = valid_dict(subject.schema.root, 0);
        if subject.kind == Kind::Payload {
            payload["PayloadType"] = json!(subject.schema.payload_type);
        }
        for (key, value) in rule_seeds(subject.schema.payload_type) {
            payload[key] = value;
        }
        let valid = wrap(subject, &payload);
        let label = format!("{} (valid)", subject.name);
        assert!(agreement.check(&label, &valid), "{label}: not valid");
        let value = agreement.plist(&label, &valid);
        assert!(
            round_trip(subject, &label, &value),
            "{label}: does not decode"
        );

        for (path, dict) in dictionaries(subject.schema.root) {
            for key in dict.keys {
                if dispatches(subject, &path, key.key) {
                    continue;
                }
                let mut cases: Vec<(&str, Option<Json>)> = breaking_values(&key.value)
                    .into_iter()
                    .map(|(what, value)| (what, Some(value)))
                    .collect();
                if key.required {
                    cases.push(("required key removed", None));
                }
                for (what, value) in cases {
                    let mut instance = valid.clone();
                    let target = reach(
                        payload_of(subject, &mut instance),
                        subject.schema.root,
                        &path,
                    );
                    match value {
                        Some(value) => {
                            target.insert(key.key.to_owned(), value);
                        }
                        None => {
                            target.remove(key.key);
                        }
                    }
                    let label = format!("{} {path:?} {}: {what}", subject.name, key.key);
                    let holds = agreement.check(&label, &instance);
                    let value = agreement.plist(&label, &instance);
                    let only_warned = key.tolerated.is_some()
                        && matches!(what, "not allowed" | "required key removed");
                    if only_warned {
                        // A tolerated key (overlay `tolerated`) outside its
                        // list, or missing, is a warning on that key.
                        assert!(holds, "{label}: a tolerated key made an error");
                        let warned = agreement
                            .findings(&value)
                            .into_iter()
                            .any(|d| d.severity == Severity::Warning && d.path.ends_with(key.key));
                        assert!(warned, "{label}: no warning on the tolerated key");
                    } else {
                        assert!(!holds, "{label}: breaking the constraint was not noticed");
                    }
                    if !round_trip(subject, &label, &value) {
                        // Only a value of another type keeps the typed
                        // value from being built, and the validators say so.
                        assert_eq!(what, "wrong type", "{label}: does not decode");
                        undecoded += 1;
                    }
                    mutations += 1;
                }
            }
        }
    }
    println!(
        "{payloads} payloads and {declarations} declarations: {mutations} mutations \
         ({undecoded} of a value's type, which do not decode)"
    );
    assert!(mutations > 3_000, "only {mutations} mutations");
}
