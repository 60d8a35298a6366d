//! The generated validators on real-world-style profiles: the clean fixtures
//! have no findings, and every rule (the overlay's cross-field rules and the
//! schema's own checks) has a failing case and a passing case, each a small
//! change to a clean fixture.

use mobileconfig::runtime::plist::Value;
use mobileconfig::runtime::schema::Platform;
use mobileconfig::runtime::{Diagnostic, Severity, Target};
use mobileconfig_tests::rule_cases::{cases, fixture, ikev2, int, set, target};

fn validate(profile: &Value, target: Option<&Target>) -> Vec<Diagnostic> {
    mobileconfig::validate_profile(profile, target)
}

/// Every fixture profile but the one written to show lenient reading.
fn clean_fixtures() -> Vec<String> {
    let dir = mobileconfig_tests::workspace_root().join("tests/profiles");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/profiles")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".mobileconfig") && name != "real-world-lenient.mobileconfig")
        .collect();
    names.sort();
    names
}

#[test]
fn the_clean_fixtures_have_no_findings() {
    let names = clean_fixtures();
    assert!(names.len() >= 20, "only {} fixtures", names.len());
    for name in names {
        // Notes (what a certificate payload holds) are not findings.
        let diagnostics: Vec<Diagnostic> = validate(&fixture(&name), None)
            .into_iter()
            .filter(|diagnostic| diagnostic.severity != Severity::Info)
            .collect();
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
    }
}

#[test]
fn every_rule_fails_on_its_failing_case_and_holds_on_its_passing_case() {
    let mut problems = Vec::new();
    for case in cases() {
        let failing = case.failing_profile();
        let found = validate(&failing, case.target.as_ref());
        let hit = found
            .iter()
            .any(|d| d.code == case.code && d.path == case.path && d.severity == case.severity);
        if !hit {
            problems.push(format!(
                "{}: expected a {:?} at {}, found {found:#?}",
                case.code, case.severity, case.path
            ));
        }
        let passing = case.passing_profile();
        // The passing case of an availability check is the profile on a
        // target that has the key.
        let passing_target = case.target.as_ref().map(|target| match case.code.as_str() {
            "unavailable" | "unsupported-payload" => self::target(target.platform, "26.0"),
            _ => target.clone(),
        });
        let found = validate(&passing, passing_target.as_ref());
        if let Some(diagnostic) = found.iter().find(|d| d.code == case.code) {
            problems.push(format!(
                "{}: the passing case still reports {diagnostic}",
                case.code
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_overlay_rule_has_a_case() {
    use mobileconfig_codegen::ir::TypeKind;
    use mobileconfig_tests::{compiled, sources, workspace_root};
    let codes: Vec<String> = cases().into_iter().map(|case| case.code).collect();
    let ir = compiled(&sources(&workspace_root().join("schema")));
    let mut rules = 0;
    for module in &ir.modules {
        for def in &module.types {
            if let TypeKind::Struct(struct_def) = &def.kind {
                for rule in &struct_def.rules {
                    assert!(codes.contains(&rule.code), "rule {} has no case", rule.code);
                    rules += 1;
                }
            }
        }
    }
    assert!(rules >= 15, "only {rules} rules");
}

#[test]
fn findings_never_show_sensitive_values() {
    let mut profile = fixture("ikev2-on-demand.mobileconfig");
    let secret = "hunter2-very-secret";
    set(ikev2(&mut profile, 0), "SharedSecret", secret);
    set(
        ikev2(&mut profile, 0),
        "AuthPassword",
        Value::Integer(7.into()),
    );
    set(ikev2(&mut profile, 0), "Password", secret);
    set(
        ikev2(&mut profile, 0),
        "PPK",
        Value::Data(secret.as_bytes().to_vec()),
    );
    let findings = validate(&profile, Some(&target(Platform::WatchOs, "10.0")));
    assert!(!findings.is_empty());
    for finding in &findings {
        assert!(!finding.to_string().contains(secret), "{finding}");
    }
    set(ikev2(&mut profile, 0), "AuthPassword", secret);
    let typed = mobileconfig::read_profile(&write_xml(&profile))
        .expect("decodes")
        .value;
    let debug = format!("{typed:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(!debug.contains("not-a-real-secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn availability_follows_the_target() {
    // IKEv2's PPK arrived in iOS 18 and watchOS 11.
    let mut profile = fixture("ikev2-on-demand.mobileconfig");
    set(ikev2(&mut profile, 0), "PPK", Value::Data(vec![1]));
    set(ikev2(&mut profile, 0), "PPKIdentifier", "id");
    let on = |platform, version| {
        validate(&profile, Some(&target(platform, version)))
            .into_iter()
            .filter(|d| d.code == "unavailable" && d.path.ends_with(".PPK"))
            .count()
    };
    assert_eq!(on(Platform::IOs, "17.5"), 1);
    assert_eq!(on(Platform::IOs, "18.0"), 0);
    assert_eq!(on(Platform::WatchOs, "10.2"), 1);
    assert_eq!(on(Platform::MacOs, "15.1"), 0);
    // Not available at all: DeadPeerDetectionRate on watchOS.
    set(ikev2(&mut profile, 0), "DeadPeerDetectionRate", "Low");
    let findings = validate(
        &profile,
        Some(&Target {
            platform: Platform::WatchOs,
            version: None,
        }),
    );
    assert!(
        findings
            .iter()
            .any(|d| d.code == "unavailable" && d.message.contains("not available on watchOS")),
        "{findings:#?}"
    );
}

#[test]
fn validation_collects_every_finding() {
    let mut profile = fixture("ikev2-eap.mobileconfig");
    let d = ikev2(&mut profile, 0);
    set(d, "MTU", int(9000));
    set(d, "NATKeepAliveInterval", int(5));
    set(d, "PPK", Value::Data(vec![1]));
    d.remove("RemoteAddress");
    let codes: Vec<String> = validate(&profile, None)
        .into_iter()
        .map(|d| d.code)
        .collect();
    for code in ["range", "vpn.ikev2.ppk-needs-identifier", "required"] {
        assert!(
            codes.iter().any(|c| c == code),
            "{code} missing from {codes:?}"
        );
    }
    assert!(
        codes.iter().filter(|c| *c == "range").count() == 2,
        "{codes:?}"
    );
}

fn write_xml(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    value.to_writer_xml(&mut out).unwrap();
    out
}

/// The bytes of a certificate file made for the fixtures.
fn certificate_file(name: &str) -> Vec<u8> {
    let path = mobileconfig_tests::workspace_root()
        .join("tests/profiles/certs")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn with_content(fixture_name: &str, index: usize, bytes: Vec<u8>) -> Value {
    let mut profile = fixture(fixture_name);
    set(
        mobileconfig_tests::rule_cases::payload(&mut profile, index),
        "PayloadContent",
        Value::Data(bytes),
    );
    profile
}

fn codes_at(findings: &[Diagnostic], path: &str) -> Vec<(Severity, String)> {
    findings
        .iter()
        .filter(|finding| finding.path == path)
        .map(|finding| (finding.severity, finding.code.clone()))
        .collect()
}

#[test]
fn certificate_payloads_are_read_and_their_dates_checked() {
    const CERTS: &str = "certs-root-pkcs1-pem.mobileconfig";
    let at = "PayloadContent[0].PayloadContent";
    // The clean fixture: each certificate is described in a note.
    let findings = validate(&fixture(CERTS), None);
    let notes: Vec<&Diagnostic> = findings
        .iter()
        .filter(|finding| finding.code == "certificate-info")
        .collect();
    assert_eq!(notes.len(), 3, "{findings:#?}");
    assert!(
        notes[0].message.contains("CA certificate"),
        "{}",
        notes[0].message
    );
    // Expired, not yet valid, damaged, and PEM where DER is documented.
    let cases = [
        ("expired.der", Severity::Warning, "certificate-expired"),
        (
            "not-yet-valid.der",
            Severity::Warning,
            "certificate-not-yet-valid",
        ),
        ("corrupt.der", Severity::Error, "certificate"),
        ("server-ca.pem", Severity::Warning, "certificate-form"),
    ];
    for (file, severity, code) in cases {
        let findings = validate(&with_content(CERTS, 0, certificate_file(file)), None);
        assert!(
            codes_at(&findings, at).contains(&(severity, code.to_owned())),
            "{file}: {findings:#?}"
        );
    }
    let expired = validate(
        &with_content(CERTS, 0, certificate_file("expired.der")),
        None,
    );
    let warning = expired
        .iter()
        .find(|f| f.code == "certificate-expired")
        .unwrap();
    assert!(
        warning.message.contains("expired on 20"),
        "{}",
        warning.message
    );
}

#[test]
fn a_pkcs12_opens_with_its_password_which_is_never_shown() {
    const IDENTITY: &str = "certs-pkcs12.mobileconfig";
    let at = "PayloadContent[0].PayloadContent";
    for name in [IDENTITY, "certs-pkcs12-legacy.mobileconfig"] {
        let findings = validate(&fixture(name), None);
        let note = findings.iter().find(|f| f.code == "certificate-info");
        assert!(
            note.is_some_and(|note| note.message.contains("identity")),
            "{name}: {findings:#?}"
        );
    }
    let secret = "a-wrong-password-9c1e";
    let mut profile = fixture(IDENTITY);
    set(
        mobileconfig_tests::rule_cases::payload(&mut profile, 0),
        "Password",
        secret,
    );
    let findings = validate(&profile, None);
    assert!(
        codes_at(&findings, at).contains(&(Severity::Error, "pkcs12".to_owned())),
        "{findings:#?}"
    );
    for finding in &findings {
        assert!(!finding.to_string().contains(secret), "{finding}");
    }
    // Without a password the device asks at installation: a note.
    let mut profile = fixture(IDENTITY);
    mobileconfig_tests::rule_cases::payload(&mut profile, 0).remove("Password");
    let findings = validate(&profile, None);
    assert!(
        codes_at(&findings, at).contains(&(Severity::Info, "pkcs12-not-opened".to_owned())),
        "{findings:#?}"
    );
    // A certificate where a PKCS#12 belongs.
    let findings = validate(
        &with_content(IDENTITY, 0, certificate_file("root-ca.der")),
        None,
    );
    assert!(
        codes_at(&findings, at).contains(&(Severity::Error, "pkcs12".to_owned())),
        "{findings:#?}"
    );
}

#[test]
fn a_strict_algorithm_finding_names_the_security_association_at_fault() {
    let mut profile = fixture("ikev2-certificate.mobileconfig");
    let child = ikev2(&mut profile, 1)["ChildSecurityAssociationParameters"]
        .as_dictionary_mut()
        .unwrap();
    set(child, "DiffieHellmanGroup", int(2));
    let findings = validate(&profile, None);
    let finding = findings
        .iter()
        .find(|finding| finding.code == "vpn.ikev2.strict-algorithms-dh-group")
        .expect("a finding");
    assert_eq!(
        finding.path,
        "PayloadContent[1].IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"
    );
    assert!(
        finding
            .message
            .starts_with("ChildSecurityAssociationParameters.DiffieHellmanGroup is 2,"),
        "{}",
        finding.message
    );
    // A Child SA that leaves its cipher out uses AES-256: an AES-128 IKE SA
    // is weaker, and the finding says so at the IKE SA's cipher.
    let mut profile = fixture("ikev2-certificate.mobileconfig");
    let ike = ikev2(&mut profile, 1);
    set(
        ike["IKESecurityAssociationParameters"]
            .as_dictionary_mut()
            .unwrap(),
        "EncryptionAlgorithm",
        "AES-128",
    );
    ike["ChildSecurityAssociationParameters"]
        .as_dictionary_mut()
        .unwrap()
        .remove("EncryptionAlgorithm");
    let findings = validate(&profile, None);
    let finding = findings
        .iter()
        .find(|finding| finding.code == "vpn.ikev2.strict-algorithms-ike-weaker-than-child")
        .expect("a finding");
    assert_eq!(
        finding.path,
        "PayloadContent[1].IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm"
    );
    assert!(finding.message.contains("`AES-128`"), "{}", finding.message);
}

/// The SCEP `Subject` is a list of names, each a list of [type, value] pairs:
/// only a pair has a fixed count (two strings), not the list of names.
#[test]
fn an_item_count_stays_on_the_array_it_was_written_for() {
    fn subject(names: &[&[&str]]) -> Value {
        Value::Array(
            names
                .iter()
                .map(|pair| {
                    let pair = pair
                        .iter()
                        .map(|s| Value::String((*s).to_owned()))
                        .collect();
                    Value::Array(vec![Value::Array(pair)])
                })
                .collect(),
        )
    }
    let scep = |names: &[&[&str]]| {
        let mut profile = fixture("certs-scep.mobileconfig");
        let payload = mobileconfig_tests::rule_cases::payload(&mut profile, 0);
        let content = payload["PayloadContent"].as_dictionary_mut().unwrap();
        content.insert("Subject".to_owned(), subject(names));
        let mut findings = validate(&profile, None);
        findings.retain(|finding| finding.severity != Severity::Info);
        findings
    };
    let three_names = scep(&[&["C", "US"], &["O", "Example Corp"], &["CN", "device"]]);
    assert!(three_names.is_empty(), "{three_names:#?}");
    let one_name = scep(&[&["CN", "device"]]);
    assert!(one_name.is_empty(), "{one_name:#?}");
    let long_pair = scep(&[&["O", "Example Corp"], &["CN", "device", "extra"]]);
    assert_eq!(
        codes_at(&long_pair, "PayloadContent[0].PayloadContent.Subject[1][0]"),
        [(Severity::Error, "repetition".to_owned())],
        "{long_pair:#?}"
    );
    assert_eq!(long_pair.len(), 1, "{long_pair:#?}");
}

/// The validators find a profile's keys through each dictionary table's
/// hash index: every table of the crate must carry the index of its own
/// keys and find each of them, or a key would go unchecked. Rules read
/// their keys at the positions the generator resolved, which must hold
/// those keys.
#[test]
fn every_dictionary_table_finds_each_of_its_keys_by_name() {
    use mobileconfig::runtime::schema::{Condition, DictSchema, KeyPath};
    fn paths(condition: &Condition, found: &mut Vec<KeyPath>) {
        match condition {
            Condition::Present(path) | Condition::Absent(path) => found.push(*path),
            Condition::Equals(operand, _)
            | Condition::OneOf(operand, _)
            | Condition::NoneOf(operand, _)
            | Condition::AtLeast(operand, _)
            | Condition::AtMost(operand, _) => found.push(operand.path),
            Condition::RanksAtMost { lower, upper, .. } => {
                found.extend([lower.path, upper.path]);
            }
            Condition::All(conditions) | Condition::Any(conditions) => {
                conditions.iter().for_each(|inner| paths(inner, found));
            }
            Condition::Not(inner) => paths(inner, found),
        }
    }
    let mut pending: Vec<&'static DictSchema> = mobileconfig::payload::schemas()
        .into_iter()
        .chain(mobileconfig::declaration::schemas())
        .map(|schema| schema.root)
        .collect();
    let mut seen: Vec<&'static DictSchema> = Vec::new();
    while let Some(dict) = pending.pop() {
        if seen.iter().any(|known| std::ptr::eq(*known, dict)) {
            continue;
        }
        seen.push(dict);
        let names: Vec<&str> = dict.keys.iter().map(|key| key.key).collect();
        assert_eq!(dict.index, DictSchema::index_for(&names), "{}", dict.name);
        for (position, key) in dict.keys.iter().enumerate() {
            assert_eq!(dict.position(key.key), Some(position), "{}", key.key);
            let unknown = format!("{}~", key.key);
            assert_eq!(dict.position(&unknown), None, "{unknown}");
            pending.extend(key.value.innermost_dict());
        }
        for rule in dict.rules {
            let mut read = Vec::new();
            rule.when.iter().for_each(|when| paths(when, &mut read));
            paths(&rule.check, &mut read);
            for path in read {
                assert_eq!(
                    dict.keys.get(path.position).map(|key| key.key),
                    path.keys.first().copied(),
                    "rule `{}`: {:?}",
                    rule.code,
                    path.keys
                );
            }
        }
    }
    assert!(seen.len() > 250, "only {} dictionary tables", seen.len());
}
