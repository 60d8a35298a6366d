//! The generated JSON Schemas: valid draft 2020-12, and in agreement with the
//! generated Rust validators on every rule JSON Schema can express.
//!
//! Instances: the fixture profiles in their JSON form, one valid instance
//! per payload built from the schema tables, mutations of it that each break
//! one constraint, and the failing and passing case of every rule.

use std::collections::BTreeSet;

use mobileconfig::runtime::io::{self, OutputFormat};
use mobileconfig::runtime::plist::Value;
use mobileconfig::runtime::schema::{DictSchema, Literal, ValueKind, ValueSchema};
use mobileconfig::runtime::{Diagnostic, Severity};
use mobileconfig_tests::rule_cases::cases;
use mobileconfig_tests::workspace_root;
use serde_json::{Value as Json, json};

fn load_schema(name: &str) -> Json {
    let path = workspace_root().join("generated/json-schema").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn every_generated_schema_is_valid_draft_2020_12() {
    let dir = workspace_root().join("generated/json-schema");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let schema: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{}: {error}", path.display());
        }
        jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        count += 1;
    }
    assert!(count >= 2, "only {count} schemas in {}", dir.display());
}

/// Codes of the findings JSON Schema cannot express: rules marked
/// `inSchema: false` in the schema, and the checks that need a target or
/// look across payloads.
fn inexpressible(schema: &Json) -> BTreeSet<String> {
    let mut codes: BTreeSet<String> = [
        "reference",
        "duplicate-uuid",
        "platform-range",
        "unavailable",
        "unsupported-payload",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    fn walk(value: &Json, codes: &mut BTreeSet<String>) {
        match value {
            Json::Object(entries) => {
                if let Some(Json::Array(rules)) = entries.get("x-rules") {
                    for rule in rules {
                        if rule["inSchema"] == json!(false) {
                            codes.insert(rule["code"].as_str().unwrap().to_owned());
                        }
                    }
                }
                entries.values().for_each(|value| walk(value, codes));
            }
            Json::Array(items) => items.iter().for_each(|value| walk(value, codes)),
            _ => {}
        }
    }
    walk(schema, &mut codes);
    codes
}

struct Agreement {
    schema: jsonschema::Validator,
    inexpressible: BTreeSet<String>,
    checked: usize,
    invalid_seen: usize,
}

impl Agreement {
    fn new() -> Self {
        let schema = load_schema("profile.schema.json");
        Agreement {
            inexpressible: inexpressible(&schema),
            schema: jsonschema::draft202012::new(&schema).expect("compiles"),
            checked: 0,
            invalid_seen: 0,
        }
    }

    /// Both validators' verdict on `instance` (a profile in JSON form) must
    /// agree; returns the verdict (true: valid).
    fn check(&mut self, label: &str, instance: &Json) -> bool {
        let plist = io::from_json(
            instance,
            &mobileconfig::profile::schema::PAYLOAD,
            mobileconfig::payload::LOOKUP,
        )
        .unwrap_or_else(|error| panic!("{label}: {error}"));
        let rust_errors: Vec<Diagnostic> = mobileconfig::validate_profile(&plist, None)
            .into_iter()
            .filter(|d| d.severity == Severity::Error && !self.inexpressible.contains(&d.code))
            .collect();
        let schema_errors: Vec<String> = self
            .schema
            .iter_errors(instance)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert_eq!(
            rust_errors.is_empty(),
            schema_errors.is_empty(),
            "{label}: the validators disagree\nRust: {rust_errors:#?}\nJSON Schema: {schema_errors:#?}\ninstance: {instance:#}"
        );
        self.checked += 1;
        if !rust_errors.is_empty() {
            self.invalid_seen += 1;
        }
        rust_errors.is_empty()
    }
}

fn to_json(value: &Value) -> Json {
    io::to_json(value)
}

#[test]
fn the_fixtures_agree_in_their_json_form() {
    let mut agreement = Agreement::new();
    for name in [
        "ikev2-certificate",
        "ikev2-eap",
        "ikev2-on-demand",
        "real-world-lenient",
    ] {
        let path = workspace_root()
            .join("tests/profiles")
            .join(format!("{name}.mobileconfig"));
        let profile = mobileconfig::read_profile(&std::fs::read(path).unwrap())
            .unwrap()
            .value;
        let json: Json =
            serde_json::from_slice(&io::write(&profile, OutputFormat::Json).unwrap()).unwrap();
        assert!(agreement.check(name, &json), "{name} is valid");
    }
}

#[test]
fn every_rule_case_agrees() {
    let mut agreement = Agreement::new();
    // A lenient value (`true` for a 0/1 flag) is a warning for the Rust
    // validators and an error for the schema, which describes the exact
    // types the writer produces: a documented difference (docs/json-schema.md).
    let lenient = |code: &str| code == "type-coerced";
    for case in cases()
        .into_iter()
        .filter(|case| case.target.is_none() && !lenient(case.code))
    {
        let failing = agreement.check(
            &format!("{} failing", case.code),
            &to_json(&case.failing_profile()),
        );
        let passing = agreement.check(
            &format!("{} passing", case.code),
            &to_json(&case.passing_profile()),
        );
        // Where JSON Schema expresses the rule, it sees the failure too.
        if case.severity == Severity::Error && !agreement.inexpressible.contains(case.code) {
            assert!(!failing, "{}: the failing case passes both", case.code);
        }
        let _ = passing;
    }
    assert!(
        agreement.invalid_seen >= 10,
        "only {} invalid instances",
        agreement.invalid_seen
    );
}

/// A value the schema accepts for `schema`, and whether the value built is
/// complete (nested dictionaries get their required keys).
fn valid_value(schema: &ValueSchema, depth: usize) -> Json {
    let first = schema.allowed.first();
    match schema.kind {
        ValueKind::String => match first {
            Some(Literal::Str(text)) => json!(text),
            _ if schema.format.is_some() => json!("00000000-0000-4000-8000-000000000000"),
            _ => json!("text"),
        },
        ValueKind::Integer => match first {
            Some(Literal::Int(value)) => json!(value),
            _ => json!(schema.min.map_or(0, |min| min as i64)),
        },
        ValueKind::Real => json!(schema.min.unwrap_or(0.5)),
        ValueKind::IntegerFlag => json!(0),
        ValueKind::Boolean => json!(true),
        ValueKind::Date => json!("2026-01-01T00:00:00Z"),
        ValueKind::Data => json!("AAEC"),
        ValueKind::Any => json!("anything"),
        ValueKind::Array(item) => {
            let count = schema.min_items.unwrap_or(1).max(1) as usize;
            if depth > 4 {
                json!([])
            } else {
                Json::Array(vec![valid_value(item, depth + 1); count])
            }
        }
        ValueKind::Map(item) => json!({ "Key": valid_value(item, depth + 1) }),
        ValueKind::Dict(dict) => valid_dict(dict, depth + 1),
        ValueKind::Payloads => json!([]),
        ValueKind::TypedBy(_) => json!({}),
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
    let mut values = vec![("wrong type", json!({ "not": "the right type" }))];
    if matches!(schema.kind, ValueKind::Dict(_) | ValueKind::Map(_)) {
        values[0] = ("wrong type", json!("not a dictionary"));
    }
    if !schema.allowed.is_empty() {
        let outside = match schema.kind {
            ValueKind::String => json!("NotAnAllowedValue"),
            _ => json!(987_654),
        };
        values.push(("not allowed", outside));
    }
    if let Some(min) = schema.min {
        values.push(("below the range", json!(min as i64 - 1)));
    }
    if let Some(max) = schema.max {
        values.push(("above the range", json!(max as i64 + 1)));
    }
    if let (ValueKind::Array(item), Some(max)) = (schema.kind, schema.max_items) {
        values.push((
            "too many items",
            Json::Array(vec![valid_value(item, 0); max as usize + 1]),
        ));
    }
    if schema.pattern.is_some() {
        values.push(("pattern", json!("does not match ###")));
    }
    values
}

#[test]
fn a_valid_instance_per_payload_and_each_constraint_broken() {
    let mut agreement = Agreement::new();
    let envelope = &mobileconfig::profile::schema::PAYLOAD;
    let payloads = [&mobileconfig::vpn_managed::schema::PAYLOAD];
    for payload in payloads {
        let mut base = valid_dict(payload.root, 0);
        base["PayloadType"] = json!(payload.payload_type);
        // Fill every optional dictionary once, so its keys can be broken too.
        let mut full = base.clone();
        for key in payload.root.keys.iter().filter(|key| !key.required) {
            if let ValueKind::Dict(dict) = key.value.kind {
                full[key.key] = valid_dict(dict, 1);
            }
        }
        let mut profile = valid_dict(envelope.root, 0);
        profile["PayloadContent"] = json!([full.clone()]);
        assert!(
            agreement.check(&format!("{} valid", payload.payload_type), &profile),
            "the generated instance is valid"
        );

        // Every key of the payload and of its first-level dictionaries.
        let mut tables: Vec<(Option<&'static str>, &'static DictSchema)> =
            vec![(None, payload.root)];
        for key in payload.root.keys {
            if let ValueKind::Dict(dict) = key.value.kind {
                tables.push((Some(key.key), dict));
            }
        }
        let mut broken = 0;
        for (parent, table) in tables {
            for key in table.keys {
                let mut cases: Vec<(&str, Option<Json>)> = breaking_values(&key.value)
                    .into_iter()
                    .map(|(what, value)| (what, Some(value)))
                    .collect();
                if key.required {
                    cases.push(("required key removed", None));
                }
                for (what, value) in cases {
                    let mut instance = profile.clone();
                    let target = &mut instance["PayloadContent"][0];
                    let dictionary = match parent {
                        Some(parent) => &mut target[parent],
                        None => target,
                    };
                    let object = dictionary.as_object_mut().unwrap();
                    match value {
                        Some(value) => {
                            object.insert(key.key.to_owned(), value);
                        }
                        None => {
                            object.remove(key.key);
                        }
                    }
                    let label = format!("{}.{} {what}", parent.unwrap_or("(payload)"), key.key);
                    let valid = agreement.check(&label, &instance);
                    assert!(!valid, "{label}: breaking the constraint was not noticed");
                    broken += 1;
                }
            }
        }
        assert!(
            broken > 60,
            "only {broken} mutations of {}",
            payload.payload_type
        );
    }
}

#[test]
fn lenient_and_malformed_json_values_agree() {
    let mut agreement = Agreement::new();
    let base = || {
        let path = workspace_root().join("tests/profiles/ikev2-eap.mobileconfig");
        let profile = mobileconfig::read_profile(&std::fs::read(path).unwrap())
            .unwrap()
            .value;
        let json: Json =
            serde_json::from_slice(&io::write(&profile, OutputFormat::Json).unwrap()).unwrap();
        json
    };
    // A flag or an integer written as a whole real: JSON does not tell the
    // two apart, and both validators accept it.
    let mut flag = base();
    flag["PayloadContent"][0]["IKEv2"]["ExtendedAuthEnabled"] = json!(1.0);
    flag["PayloadContent"][0]["IKEv2"]["MTU"] = json!(1400.0);
    assert!(agreement.check("whole reals", &flag));
    // Dates and data in the wrong form.
    for (key, value, valid) in [
        ("RemovalDate", json!("2030-01-01T00:00:00Z"), true),
        ("RemovalDate", json!("2030-01-01 00:00:00+02:00"), true),
        ("RemovalDate", json!("yesterday"), false),
        ("RemovalDate", json!("2030-13-01T00:00:00Z"), false),
        ("EncryptedPayloadContent", json!("AAECAw=="), true),
        ("EncryptedPayloadContent", json!("!!not base64!!"), false),
        ("EncryptedPayloadContent", json!("AAECAw"), false),
    ] {
        let mut instance = base();
        instance[key] = value.clone();
        assert_eq!(
            agreement.check(&format!("{key} = {value}"), &instance),
            valid,
            "{key} = {value}"
        );
    }
}

/// A payload table with one string key holding `pattern`, built at run time.
fn pattern_payload(pattern: &str) -> &'static mobileconfig::runtime::schema::PayloadSchema {
    use mobileconfig::runtime::schema::{KeySchema, PayloadSchema};
    let pattern: &'static str = Box::leak(pattern.to_owned().into_boxed_str());
    let keys: &'static [KeySchema] = Box::leak(Box::new([KeySchema::optional(
        "Value",
        ValueSchema {
            pattern: Some(pattern),
            ..ValueSchema::of(ValueKind::String)
        },
        &[],
    )]));
    let dict: &'static DictSchema = Box::leak(Box::new(DictSchema {
        name: "Probe",
        keys,
        rules: &[],
    }));
    Box::leak(Box::new(PayloadSchema {
        payload_type: "com.example.probe",
        title: "Probe",
        availability: &[],
        root: dict,
    }))
}

#[test]
fn patterns_mean_the_same_to_both_validators() {
    // Apple's `format` patterns, and strings at the edges of their dialects.
    let patterns = [
        "^https://.*$",
        "^[0-9]{6}$",
        r"^([0-9A-Fa-f]{2}:){5}([0-9A-Fa-f]{2})$",
        "^([0-9A-Za-z]{6})|([0-9A-Za-z]{9})$",
        r"^\d{3}-\w+$",
    ];
    let strings = [
        "https://mdm.example.com/checkin",
        "https://mdm.example.com/\r",
        "https://x\u{2028}y",
        "http://insecure",
        "123456",
        "١٢٣٤٥٦",
        "AB:CD:EF:01:23:45",
        "abcdef",
        "abcdefghi",
        "abcdefg",
        "123-abc_9",
        "١٢٣-abc",
        "123-äbc",
        "",
    ];
    for apple in patterns {
        let portable = mobileconfig_codegen::pattern::portable(apple).unwrap();
        let table = pattern_payload(&portable);
        let schema = jsonschema::draft202012::new(&json!({
            "type": "object",
            "properties": { "Value": { "type": "string", "pattern": format!("^(?:{portable})$") } }
        }))
        .unwrap();
        for text in strings {
            let plist = Value::Dictionary(
                [("Value".to_owned(), Value::String(text.to_owned()))]
                    .into_iter()
                    .collect(),
            );
            let rust = mobileconfig::runtime::validate::validate_payload(
                table,
                mobileconfig::runtime::validate::PayloadLookup::NONE,
                &plist,
                None,
            )
            .is_empty();
            let json_schema = schema.is_valid(&json!({ "Value": text }));
            assert_eq!(
                rust, json_schema,
                "pattern {apple:?} on {text:?}: Rust {rust}, JSON Schema {json_schema}"
            );
        }
    }
}
