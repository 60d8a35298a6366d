//! The generated validators on real-world-style profiles: the clean fixtures
//! have no findings, and every rule (the overlay's cross-field rules and the
//! schema's own checks) has a failing case and a passing case, each a small
//! change to a clean fixture.

use mobileconfig::runtime::plist::{Dictionary, Value};
use mobileconfig::runtime::schema::Platform;
use mobileconfig::runtime::{Diagnostic, Severity, Target, Version};
use mobileconfig_tests::workspace_root;

fn fixture(name: &str) -> Value {
    let path = workspace_root().join("tests/profiles").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    mobileconfig::runtime::io::parse(&bytes)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn payload(profile: &mut Value, index: usize) -> &mut Dictionary {
    profile.as_dictionary_mut().unwrap()["PayloadContent"]
        .as_array_mut()
        .unwrap()[index]
        .as_dictionary_mut()
        .unwrap()
}

/// The IKEv2 dictionary of the VPN payload at `index`.
fn ikev2(profile: &mut Value, index: usize) -> &mut Dictionary {
    payload(profile, index)["IKEv2"]
        .as_dictionary_mut()
        .unwrap()
}

fn set(dictionary: &mut Dictionary, key: &str, value: impl Into<Value>) {
    dictionary.insert(key.to_owned(), value.into());
}

fn int(value: i64) -> Value {
    Value::Integer(value.into())
}

fn validate(profile: &Value, target: Option<&Target>) -> Vec<Diagnostic> {
    mobileconfig::validate_profile(profile, target)
}

fn target(platform: Platform, version: &str) -> Target {
    Target {
        platform,
        version: Version::parse(version),
    }
}

/// A rule's failing and passing case.
struct Case {
    code: &'static str,
    /// Where the failing case's finding points.
    path: &'static str,
    severity: Severity,
    fixture: &'static str,
    target: Option<Target>,
    failing: fn(&mut Value),
    /// A change under which the rule applies and holds.
    passing: fn(&mut Value),
}

fn cases() -> Vec<Case> {
    const EAP: &str = "ikev2-eap.mobileconfig";
    const CERT: &str = "ikev2-certificate.mobileconfig";
    const DEMAND: &str = "ikev2-on-demand.mobileconfig";
    vec![
        Case {
            code: "vpn.ikev2.certificate-type-needs-issuer",
            path: "PayloadContent[0].IKEv2.ServerCertificateIssuerCommonName",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| {
                let d = ikev2(p, 0);
                set(d, "CertificateType", "RSA");
                d.remove("ServerCertificateIssuerCommonName");
            },
            passing: |p| set(ikev2(p, 0), "CertificateType", "RSA"),
        },
        Case {
            code: "vpn.ikev2.ppk-needs-identifier",
            path: "PayloadContent[0].IKEv2.PPKIdentifier",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "PPK", Value::Data(vec![1, 2, 3])),
            passing: |p| {
                set(ikev2(p, 0), "PPK", Value::Data(vec![1, 2, 3]));
                set(ikev2(p, 0), "PPKIdentifier", "ppk-1");
            },
        },
        Case {
            code: "vpn.ikev2.ppk-identifier-needs-ppk",
            path: "PayloadContent[0].IKEv2.PPK",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "PPKIdentifier", "ppk-1"),
            passing: |p| {
                set(ikev2(p, 0), "PPK", Value::Data(vec![1, 2, 3]));
                set(ikev2(p, 0), "PPKIdentifier", "ppk-1");
            },
        },
        Case {
            code: "vpn.ikev2.ppk-mandatory-ignored",
            path: "PayloadContent[0].IKEv2.PPKMandatory",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "PPKMandatory", int(1)),
            passing: |p| {
                let d = ikev2(p, 0);
                set(d, "PPKMandatory", int(1));
                set(d, "PPK", Value::Data(vec![1, 2, 3]));
                set(d, "PPKIdentifier", "ppk-1");
            },
        },
        Case {
            code: "vpn.ikev2.post-quantum-fallback-ignored",
            path: "PayloadContent[1].IKEv2.AllowPostQuantumKeyExchangeFallback",
            severity: Severity::Warning,
            fixture: CERT,
            target: None,
            failing: |p| set(ikev2(p, 1), "AllowPostQuantumKeyExchangeFallback", int(0)),
            passing: |p| {
                let d = ikev2(p, 1);
                set(d, "AllowPostQuantumKeyExchangeFallback", int(0));
                let child = d["ChildSecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(
                    child,
                    "PostQuantumKeyExchangeMethods",
                    Value::Array(vec![int(36)]),
                );
            },
        },
        Case {
            code: "vpn.ikev2.strict-algorithms-no-des",
            path: "PayloadContent[1].IKEv2.EnforceStrictAlgorithmSelection",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                let d = ikev2(p, 1);
                let child = d["ChildSecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(child, "EncryptionAlgorithm", "3DES");
            },
            passing: |p| {
                let d = ikev2(p, 1);
                let child = d["ChildSecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(child, "EncryptionAlgorithm", "AES-128");
            },
        },
        Case {
            code: "vpn.ikev2.strict-algorithms-dh-group",
            path: "PayloadContent[1].IKEv2.EnforceStrictAlgorithmSelection",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                let d = ikev2(p, 1);
                let ike = d["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(ike, "DiffieHellmanGroup", int(5));
            },
            passing: |p| {
                let d = ikev2(p, 1);
                let ike = d["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(ike, "DiffieHellmanGroup", int(14));
            },
        },
        Case {
            code: "vpn.ikev2.strict-algorithms-ike-weaker-than-child",
            path: "PayloadContent[1].IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                let d = ikev2(p, 1);
                let ike = d["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(ike, "EncryptionAlgorithm", "AES-128-GCM");
            },
            passing: |p| {
                // Equal strength, by the project's ranking.
                let d = ikev2(p, 1);
                let ike = d["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(ike, "EncryptionAlgorithm", "ChaCha20Poly1305");
            },
        },
        Case {
            code: "vpn.ikev2.idle-timer-ignored",
            path: "PayloadContent[0].IKEv2.DisconnectOnIdleTimer",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "DisconnectOnIdle", int(0)),
            passing: |p| set(ikev2(p, 0), "DisconnectOnIdle", int(1)),
        },
        Case {
            code: "vpn.ikev2.enforce-routes-ignored",
            path: "PayloadContent[0].IKEv2.EnforceRoutes",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "EnforceRoutes", int(1)),
            passing: |p| {
                set(ikev2(p, 0), "EnforceRoutes", int(1));
                set(ikev2(p, 0), "IncludeAllNetworks", int(0));
                ikev2(p, 0).remove("ExcludeAPNs");
            },
        },
        Case {
            code: "vpn.ikev2.exclude-apns-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeAPNs",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "IncludeAllNetworks", int(0)),
            passing: |p| set(ikev2(p, 0), "IncludeAllNetworks", int(1)),
        },
        Case {
            code: "vpn.ikev2.exclude-cellular-services-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeCellularServices",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExcludeCellularServices", int(1)),
            passing: |p| {
                set(ikev2(p, 0), "ExcludeCellularServices", int(1));
                set(ikev2(p, 0), "IncludeAllNetworks", int(1));
            },
        },
        Case {
            code: "vpn.ikev2.exclude-device-communication-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeDeviceCommunication",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExcludeDeviceCommunication", int(1)),
            passing: |p| {
                set(ikev2(p, 0), "ExcludeDeviceCommunication", int(1));
                set(ikev2(p, 0), "IncludeAllNetworks", int(1));
            },
        },
        Case {
            code: "vpn.ikev2.exclude-local-networks-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeLocalNetworks",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExcludeLocalNetworks", int(1)),
            passing: |p| {
                // EnforceRoutes alone is enough for this one.
                set(ikev2(p, 0), "ExcludeLocalNetworks", int(1));
                set(ikev2(p, 0), "EnforceRoutes", int(1));
            },
        },
        Case {
            code: "vpn.ikev2.shared-secret-missing",
            path: "PayloadContent[0].IKEv2.SharedSecret",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                ikev2(p, 0).remove("SharedSecret");
            },
            passing: |_| {},
        },
        Case {
            code: "vpn.ikev2.certificate-missing",
            path: "PayloadContent[1].IKEv2.PayloadCertificateUUID",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                ikev2(p, 1).remove("PayloadCertificateUUID");
            },
            passing: |_| {},
        },
        Case {
            code: "vpn.type-ikev2-needs-dictionary",
            path: "PayloadContent[0].IKEv2",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                payload(p, 0).remove("IKEv2");
            },
            passing: |_| {},
        },
        Case {
            code: "vpn.type-ikev2-subtype-empty",
            path: "PayloadContent[0].VPNSubType",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| set(payload(p, 0), "VPNSubType", "com.example.provider"),
            passing: |p| set(payload(p, 0), "VPNSubType", ""),
        },
        // The schema's own checks.
        Case {
            code: "range",
            path: "PayloadContent[0].IKEv2.NATKeepAliveInterval",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "NATKeepAliveInterval", int(19)),
            passing: |p| set(ikev2(p, 0), "NATKeepAliveInterval", int(20)),
        },
        Case {
            code: "repetition",
            path: "PayloadContent[1].IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                let ike = ikev2(p, 1)["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(
                    ike,
                    "PostQuantumKeyExchangeMethods",
                    Value::Array(vec![int(36); 8]),
                );
            },
            passing: |p| {
                let ike = ikev2(p, 1)["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(
                    ike,
                    "PostQuantumKeyExchangeMethods",
                    Value::Array(vec![int(36); 7]),
                );
            },
        },
        Case {
            code: "platform-range",
            path: "PayloadContent[0].IKEv2.DisconnectOnIdleTimer",
            severity: Severity::Error,
            fixture: EAP,
            target: Some(target(Platform::WatchOs, "11.0")),
            failing: |p| set(ikev2(p, 0), "DisconnectOnIdleTimer", int(16)),
            passing: |p| set(ikev2(p, 0), "DisconnectOnIdleTimer", int(15)),
        },
        Case {
            code: "rangelist",
            path: "PayloadContent[0].IKEv2.DeadPeerDetectionRate",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "DeadPeerDetectionRate", "Sometimes"),
            passing: |p| set(ikev2(p, 0), "DeadPeerDetectionRate", "High"),
        },
        Case {
            // The envelope's PayloadType must be `Configuration`.
            code: "rangelist",
            path: "PayloadType",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| set(p.as_dictionary_mut().unwrap(), "PayloadType", "Profile"),
            passing: |_| {},
        },
        Case {
            code: "required",
            path: "PayloadContent[0].IKEv2.RemoteIdentifier",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| {
                ikev2(p, 0).remove("RemoteIdentifier");
            },
            passing: |_| {},
        },
        Case {
            code: "type",
            path: "PayloadContent[0].IKEv2.MTU",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "MTU", "1400"),
            passing: |p| set(ikev2(p, 0), "MTU", int(1400)),
        },
        Case {
            code: "type-coerced",
            path: "PayloadContent[0].IKEv2.ExtendedAuthEnabled",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExtendedAuthEnabled", Value::Boolean(true)),
            passing: |p| set(ikev2(p, 0), "ExtendedAuthEnabled", int(1)),
        },
        Case {
            code: "valuetype",
            path: "PayloadContent[0].IKEv2.OnDemandRules[1].ActionParameters[0].RequiredURLStringProbe",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                let rules = ikev2(p, 0)["OnDemandRules"].as_array_mut().unwrap();
                let parameters = rules[1].as_dictionary_mut().unwrap()["ActionParameters"]
                    .as_array_mut()
                    .unwrap();
                set(
                    parameters[0].as_dictionary_mut().unwrap(),
                    "RequiredURLStringProbe",
                    "intranet.example.com/health",
                );
            },
            passing: |_| {},
        },
        Case {
            code: "unavailable",
            path: "PayloadContent[0].IKEv2.ExcludeAPNs",
            severity: Severity::Warning,
            fixture: EAP,
            target: Some(target(Platform::IOs, "16.0")),
            failing: |_| {},
            passing: |_| {},
        },
        Case {
            code: "unsupported-payload",
            path: "PayloadContent[0]",
            severity: Severity::Error,
            fixture: DEMAND,
            target: Some(target(Platform::WatchOs, "9.0")),
            failing: |_| {},
            passing: |_| {},
        },
        Case {
            code: "duplicate-uuid",
            path: "PayloadContent[0].PayloadUUID",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                let envelope_uuid = p.as_dictionary().unwrap()["PayloadUUID"].clone();
                payload(p, 0).insert("PayloadUUID".to_owned(), envelope_uuid);
            },
            passing: |_| {},
        },
        Case {
            code: "reference",
            path: "PayloadContent[1].IKEv2.PayloadCertificateUUID",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                set(
                    ikev2(p, 1),
                    "PayloadCertificateUUID",
                    "3F0A9C7E-5B1D-4E2A-9C8F-7D6E5A4B3C21",
                )
            },
            passing: |_| {},
        },
    ]
}

#[test]
fn the_clean_fixtures_have_no_findings() {
    for name in [
        "ikev2-certificate.mobileconfig",
        "ikev2-eap.mobileconfig",
        "ikev2-on-demand.mobileconfig",
        "ikev2-certificate.binary.mobileconfig",
        "ikev2-eap.binary.mobileconfig",
    ] {
        let diagnostics = validate(&fixture(name), None);
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
    }
}

#[test]
fn every_rule_fails_on_its_failing_case_and_holds_on_its_passing_case() {
    let mut problems = Vec::new();
    for case in cases() {
        let mut failing = fixture(case.fixture);
        (case.failing)(&mut failing);
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
        let mut passing = fixture(case.fixture);
        (case.passing)(&mut passing);
        // The passing case of an availability check is the profile on a
        // target that has the key.
        let passing_target = case.target.as_ref().map(|target| match case.code {
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
    let codes: Vec<&str> = cases().iter().map(|case| case.code).collect();
    let mut tables = vec![
        &mobileconfig::vpn_managed::schema::VPN_MANAGED,
        &mobileconfig::vpn_managed::schema::IKEV2,
    ];
    tables.push(&mobileconfig::vpn_managed::schema::SECURITY_ASSOCIATION_PARAMETERS);
    for table in tables {
        for rule in table.rules {
            assert!(codes.contains(&rule.code), "rule {} has no case", rule.code);
        }
    }
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
