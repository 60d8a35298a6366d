//! The generated JSON Schemas: valid draft 2020-12, and in agreement with the
//! generated Rust validators on every rule JSON Schema can express.
//!
//! Instances: the fixture profiles in their JSON form and the failing and
//! passing case of every rule; the instances built for every payload and
//! declaration are in [`crate::instances`].

use std::collections::BTreeSet;

use mobileconfig::runtime::io::{self, OutputFormat};
use mobileconfig::runtime::plist::Value;
use mobileconfig::runtime::schema::{DictSchema, PayloadSchema, ValueKind, ValueSchema};
use mobileconfig::runtime::validate::PayloadLookup;
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
        "platform-value",
        "unavailable",
        "unsupported-payload",
        // What certificate and PKCS#12 bytes hold: JSON Schema sees only
        // Base64 text.
        "certificate",
        "pkcs12",
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

/// The Rust validators and the JSON Schema, side by side on instances in
/// their JSON form: of profiles, or of declarations.
pub struct Agreement {
    schema: jsonschema::Validator,
    pub inexpressible: BTreeSet<String>,
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
    validate: fn(&Value) -> Vec<Diagnostic>,
    pub checked: usize,
    pub invalid_seen: usize,
}

impl Agreement {
    /// For profiles (`profile.schema.json`).
    pub fn new() -> Self {
        Self::with(
            "profile.schema.json",
            &mobileconfig::profile::schema::PAYLOAD,
            mobileconfig::payload::LOOKUP,
            |value| mobileconfig::validate_profile(value, None),
        )
    }

    /// For declarations (`declaration.schema.json`).
    pub fn for_declarations() -> Self {
        Self::with(
            "declaration.schema.json",
            &mobileconfig::declaration::schema::PAYLOAD,
            mobileconfig::declaration::LOOKUP,
            |value| mobileconfig::validate_declaration(value, None),
        )
    }

    fn with(
        file: &str,
        envelope: &'static PayloadSchema,
        lookup: PayloadLookup,
        validate: fn(&Value) -> Vec<Diagnostic>,
    ) -> Self {
        let schema = load_schema(file);
        Agreement {
            inexpressible: inexpressible(&schema),
            schema: jsonschema::draft202012::new(&schema).expect("compiles"),
            envelope,
            lookup,
            validate,
            checked: 0,
            invalid_seen: 0,
        }
    }

    /// The instance as a plist value, read as the crate reads JSON.
    pub fn plist(&self, label: &str, instance: &Json) -> Value {
        io::from_json(instance, self.envelope, self.lookup)
            .unwrap_or_else(|error| panic!("{label}: {error}"))
    }

    /// Every finding of the Rust validators on `value`.
    pub fn findings(&self, value: &Value) -> Vec<Diagnostic> {
        (self.validate)(value)
    }

    /// The Rust validators' errors on `value`, but those JSON Schema cannot
    /// express.
    pub fn rust_errors(&self, value: &Value) -> Vec<Diagnostic> {
        (self.validate)(value)
            .into_iter()
            .filter(|d| d.severity == Severity::Error && !self.inexpressible.contains(&d.code))
            .collect()
    }

    /// Both validators' verdict on `instance` must agree; returns the
    /// verdict (true: valid).
    pub fn check(&mut self, label: &str, instance: &Json) -> bool {
        let plist = self.plist(label, instance);
        let rust_errors = self.rust_errors(&plist);
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
        .filter(|case| case.target.is_none() && !lenient(&case.code))
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
        if case.severity == Severity::Error && !agreement.inexpressible.contains(case.code.as_str())
        {
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
        index: Box::leak(DictSchema::index_for(&["Value"]).into_boxed_slice()),
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
